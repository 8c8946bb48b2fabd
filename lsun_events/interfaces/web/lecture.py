"""What the pages and the API read beyond the views' own queries (``requetes_vue``, ``requetes_audit``): the
list of schools, and one bilan from the event store — now, at a version or at a date — with every event of its
history and its archives as they were."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from lsun_events.aggregates.bilan import Bilan
from lsun_events.aggregates.eleve import Eleve
from lsun_events.aggregates.enseignant import Enseignant
from lsun_events.aggregates.etablissement import Etablissement
from lsun_events.aggregates.evenements import BilanArchive, nom
from lsun_events.aggregates.valeurs import ArchiveBilan, RefEnseignant
from lsun_events.application.app import LsunApp
from lsun_events.application.documents import bilan_en_dict
from lsun_events.application.historique import bilan_tel_qu_il_etait
from lsun_events.projections.base import Curseur
from lsun_events.projections.vue_courante import TABLES
from lsun_events.storage.chargement import charger


@dataclass
class BilanVue:
    """One bilan (now, or as it was), with its pupil, teachers' names, history and archives."""

    bilan: Bilan
    eleve: Eleve
    noms: dict[str, str]
    historique: list[Any] = field(default_factory=list)
    version_actuelle: int = 0

    def nom(self, ref: RefEnseignant) -> str:
        return self.noms.get(ref.cle, ref.cle)

    @property
    def archives(self) -> list[Any]:
        """The ``BilanArchive`` events of this bilan up to the version shown: when, by whom, in which run."""
        return [e for e in self.historique
                if type(e) is BilanArchive and e.originator_version <= self.bilan.version]

    def en_dict(self) -> dict[str, Any]:
        b = self.bilan
        return {
            **bilan_en_dict(b, self.nom),
            "eleve": {"eleve_id": b.eleve_id, "nom": self.eleve.identite.nom_affiche},
            "version_actuelle": self.version_actuelle,
            "archives": [{"archive_le": e.timestamp.isoformat(), "acteur": e.acteur,
                          "synchronisation": e.synchronisation, **archive_en_dict(e.archive)}
                         for e in self.archives],
            "historique": [{"version": e.originator_version, "date": e.timestamp.isoformat(), "acteur": e.acteur,
                            "synchronisation": e.synchronisation, "evenement": nom(e)}
                           for e in self.historique],
        }


def archive_en_dict(a: ArchiveBilan) -> dict[str, Any]:
    """An archived bilan inside its bilan's document: teachers by key with their names apart, as archived;
    the period by its code (the bilan's own period is given in full)."""
    i = a.identite_eleve
    return {**bilan_en_dict(a), "periode": a.periode.code,
            "eleve": {"nom": i.nom_affiche, "nom_de_famille": i.nom_de_famille, "nom_usage": i.nom_usage,
                      "prenoms": list(i.prenoms)},
            "enseignants": {e.ref.cle: e.nom for e in a.enseignants}}


def etablissements(c: Curseur) -> list[dict[str, Any]]:
    """Every imported school (for the académie's admin), by UAI, from the current view."""
    table = c.dialecte.table(TABLES["etablissements"].nom)
    return c.lignes(f"SELECT uai, nom, commune FROM {table} ORDER BY uai")


def noms_enseignants(app: LsunApp, etab: Etablissement) -> dict[str, str]:
    """``type:id`` → « PRENOM NOM » of every teacher of the school."""
    refs = [RefEnseignant.depuis_cle(cle) for cle in etab.enseignants]
    charges = charger(app, [Enseignant.id_pour(etab.uai, r) for r in refs])
    return {e.ref.cle: e.identite.nom_affiche for e in charges.values()}


def bilan(app: LsunApp, etab: Etablissement, eleve_id: str, periode: str, *, au: date | None = None,
          version: int | None = None) -> BilanVue:
    """A bilan now, at a version or at the end of a day, with its whole history (every event)."""
    actuel = app.bilan(etab.uai, eleve_id, periode)
    tel_quel = bilan_tel_qu_il_etait(app, etab.uai, eleve_id, periode, au=au, version=version)
    eleve = app.eleve(etab.uai, eleve_id)
    noms = noms_enseignants(app, etab)
    for archive in tel_quel.archives:  # names as they were when archived
        noms.update({e.ref.cle: e.nom for e in archive.enseignants if e.ref.cle not in noms})
    return BilanVue(tel_quel, eleve, noms, app.historique(actuel.id), actuel.version)
