"""What a message changed, field by field (issue 16): the details a report shows under a message — the field's
stable technical name, its French label, old → new. Built from the events alone (``Changement`` lists, a division's
old and new code and libellé, the PP added or removed, an archive…), so the run, its simulation and the report
regenerated from the events give the same details.

A detail keeps its values in their JSON form, as JSON text (``valeurs_fr.en_json``): hashable, stored as is by the
``rapports`` view, and read back equal; the readable French text is computed when shown (``ancien_texte``)."""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from lsun_events.aggregates import evenements as ev
from lsun_events.aggregates.valeurs import Changement, Responsable, memes_donnees
from lsun_events.regles import libelles
from lsun_events.regles.valeurs_fr import en_json, texte


@dataclass(frozen=True)
class Detail:
    champ: str  # the stable technical name: « prenoms », « responsables[4002].adresse », « services »…
    libelle: str  # what the users read: « Prénoms », « Responsable légal 1 — adresse »…
    ancien: str | None = None  # JSON text of the old value (None: no value)
    nouveau: str | None = None

    @property
    def _cle_texte(self) -> str:
        """The field's last segment, which says how to read a value (a date…)."""
        return self.champ.rpartition(".")[2]

    @property
    def ancien_texte(self) -> str:
        return "" if self.ancien is None else texte(json.loads(self.ancien), self._cle_texte)

    @property
    def nouveau_texte(self) -> str:
        return "" if self.nouveau is None else texte(json.loads(self.nouveau), self._cle_texte)

    def en_dict(self) -> dict[str, str | None]:
        """For the JSON report: readable values, None when there is no value."""
        return {"champ": self.champ, "libelle": self.libelle,
                "ancien": None if self.ancien is None else self.ancien_texte,
                "nouveau": None if self.nouveau is None else self.nouveau_texte}

    def en_liste(self) -> list[str | None]:
        """As stored (the ``rapports`` view, a web task's result)."""
        return [self.champ, self.libelle, self.ancien, self.nouveau]

    @classmethod
    def de_liste(cls, x: Sequence[str | None]) -> Detail:
        champ, libelle, ancien, nouveau = x
        return cls(str(champ), str(libelle), ancien, nouveau)


def detail(champ: str, libelle: str, ancien: Any, nouveau: Any) -> Detail:
    return Detail(champ, libelle, en_json(ancien), en_json(nouveau))


def fusionner(*listes: Iterable[Detail]) -> tuple[Detail, ...]:
    """The details of several identical messages, each once, in order of appearance."""
    return tuple(dict.fromkeys(d for liste in listes for d in liste))


# --- from the events ------------------------------------------------------------------------------------------

def _responsables(ancien: Sequence[Responsable], nouveau: Sequence[Responsable]) -> list[Detail]:
    """One detail per changed field of a guardian (matched by PERSONNE_ID), one per guardian added or removed:
    « Responsable légal 1 — adresse »."""
    anciens = {r.personne_id: r for r in ancien}
    nouveaux = {r.personne_id: r for r in nouveau}
    ordre = [*nouveaux, *(p for p in anciens if p not in nouveaux)]
    resultat: list[Detail] = []
    for rang, pid in enumerate(ordre, start=1):
        a, n = anciens.get(pid), nouveaux.get(pid)
        present = n if n is not None else a
        assert present is not None
        parent = libelles.libelle_responsable(rang, present.legal)
        champ = f"responsables[{pid}]"
        if a is None or n is None:
            resultat.append(detail(champ, parent, a, n))
            continue
        for nom in ("civilite", "nom", "prenom", "lien", "legal", "adresse", "tel_personnel", "tel_portable",
                    "tel_professionnel", "mel"):
            va, vn = getattr(a, nom), getattr(n, nom)
            if not memes_donnees(va, vn):
                resultat.append(detail(f"{champ}.{nom}", libelles.libelle_sous_champ(parent, nom), va, vn))
    return resultat


def _services(ancien: Sequence[Any], nouveau: Sequence[Any]) -> list[Detail]:
    """A teacher's services are a set (R13): one detail per service removed, then per service added."""
    retires = [s for s in ancien if not any(memes_donnees(s, n) for n in nouveau)]
    ajoutes = [s for s in nouveau if not any(memes_donnees(s, a) for a in ancien)]
    return [*(detail("services", libelles.SERVICE_RETIRE, s, None) for s in retires),
            *(detail("services", libelles.SERVICE_AJOUTE, None, s) for s in ajoutes)]


def de_changements(changements: Iterable[Changement]) -> tuple[Detail, ...]:
    """The details of ``…MisAJour`` events: one per field, guardians and services field by field."""
    resultat: list[Detail] = []
    for ch in changements:
        sous: list[Detail] = []
        if ch.champ == "responsables":
            sous = _responsables(ch.ancien or (), ch.nouveau or ())
        elif ch.champ == "services":
            sous = _services(ch.ancien or (), ch.nouveau or ())
        resultat.extend(sous or [detail(ch.champ, libelles.libelle_champ(ch.champ), ch.ancien, ch.nouveau)])
    return tuple(resultat)


def de_division(e: ev.DivisionMiseAJour) -> tuple[Detail, ...]:
    """M9: the code, and the libellé when it changed too."""
    resultat = [detail("code", libelles.libelle_champ("code"), e.ancien_code, e.code)]
    if not memes_donnees(e.ancien_libelle, e.libelle):
        resultat.append(detail("libelle", libelles.libelle_champ("libelle"), e.ancien_libelle, e.libelle))
    return tuple(resultat)


def de_archive(e: ev.BilanArchive) -> tuple[Detail, ...]:
    """M12: each bilan archived, with the pupil's data as they were kept."""
    a = e.archive
    identite = a.identite_eleve
    garde = {"eleve": f"{' '.join(identite.prenoms)} {identite.nom_usage or identite.nom_de_famille}",
             "division": a.division, "periode": a.periode.code, "etat": a.etat, "acquis": len(a.acquis)}
    return (detail(f"archive[{a.periode.code}]", libelles.BILAN_ARCHIVE.format(periode=a.periode.code), None,
                   garde),)


def de_prof_principal(e: ev.ProfPrincipalAjoute | ev.ProfPrincipalRetire) -> tuple[Detail, ...]:
    """M8 (added: no old value) and M11 (removed: no new value)."""
    ajoute = type(e) is ev.ProfPrincipalAjoute
    return (detail("profs_principaux", libelles.PROFESSEUR_PRINCIPAL, None if ajoute else e.enseignant.nom,
                   e.enseignant.nom if ajoute else None),)


def de_enseignants(e: ev.EnseignantsAjoutesAcquis | ev.EnseignantsRetiresAcquis) -> tuple[Detail, ...]:
    """M6 (added to an acquis) and M14 (removed by an undo)."""
    noms = [x.nom for x in e.enseignants]
    ajoutes = type(e) is ev.EnseignantsAjoutesAcquis
    return (detail(f"acquis[{e.matiere_code}].enseignants", f"Enseignants de l'acquis {e.acquis}",
                   None if ajoutes else noms, noms if ajoutes else None),)


def de_annulation(e: ev.AnnulationDemarree) -> tuple[Detail, ...]:
    """M13: the run undone."""
    return (detail("synchronisation_annulee", libelles.libelle_champ("synchronisation_annulee"), None, e.annulee),)
