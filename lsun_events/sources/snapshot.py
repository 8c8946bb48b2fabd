"""One source snapshot: every export of one établissement read once, checked together.

``lire_snapshot`` reads a ``JeuDocuments`` (files or S3E answers); ``charger_exports`` finds the
files first (SIECLE folder or zip, STS-web file or zip); ``charger_eleves`` reads SIECLE alone (to
add pupils who arrived since the import). The checks across files:

* one UAI everywhere (each BEE file's ``PARAMETRES/UAJ``, the STS ``UAJ@CODE``), equal to the
  expected one when given;
* one school year everywhere (when a file states it), equal to the expected one when given;
* divisions from Structures.xml, completed by STS and by the pupils' ``D`` structures (the
  pseudo-division ``Inactifs`` stays a pupil's division but is never a division of the snapshot);
* the établissement from Communs.xml, completed by the STS ``UAJ`` block.

STS-web is read first: it is small and states the UAI and the year, so a file of another school or
year is refused as soon as its ``PARAMETRES`` are read, before its data.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from itertools import pairwise
from pathlib import Path
from typing import Any, TypeVar

from lsun_events.sources.documents import Document, JeuDocuments
from lsun_events.sources.erreurs import SourceInvalideError
from lsun_events.sources.localisation import LimitesZip, localiser_exports, localiser_siecle
from lsun_events.sources.records import (
    Adresse,
    DivisionSource,
    EleveSource,
    EtablissementSource,
    ExportDescription,
    GroupeSource,
    MatiereSource,
    ResponsableSource,
    ServiceSource,
    SourceSnapshot,
)
from lsun_events.sources.siecle import (
    DIVISION_INACTIFS,
    LectureCommuns,
    LectureNomenclature,
    LectureStructures,
    Parametres,
    lire_communs,
    lire_eleves,
    lire_nomenclature,
    lire_responsables,
    lire_structures,
    nom_court,
)
from lsun_events.sources.sts import LectureSts, lire_sts

S = TypeVar("S", DivisionSource, GroupeSource)


def charger_exports(siecle: Path, sts: Path, *, uai_attendu: str | None = None,
                    annee_attendue: str | None = None, limites: LimitesZip | None = None) -> SourceSnapshot:
    """Find and read the SIECLE and STS-web exports of one établissement."""
    jeu = localiser_exports(Path(siecle), Path(sts), limites=limites)
    return lire_snapshot(jeu, uai_attendu=uai_attendu, annee_attendue=annee_attendue)


def charger_eleves(siecle: Path, *, uai_attendu: str | None = None, annee_attendue: str | None = None,
                   limites: LimitesZip | None = None) -> SourceSnapshot:
    """Read the SIECLE exports alone: a snapshot without enseignants, services nor PP."""
    documents = localiser_siecle(Path(siecle), limites=limites)
    return _lire(documents, None, "fichiers", uai_attendu, annee_attendue)


def lire_snapshot(jeu: JeuDocuments, *, uai_attendu: str | None = None,
                  annee_attendue: str | None = None) -> SourceSnapshot:
    """Read and cross-check every document of ``jeu``; any bad input is a ``SourceInvalideError``."""
    documents = {role: document for role in ("eleves", "responsables", "nomenclature", "structures", "communs")
                 if (document := getattr(jeu, role)) is not None}
    return _lire(documents, jeu.sts, jeu.origine, uai_attendu, annee_attendue)


# --- consistency across files --------------------------------------------------------------------


def libelle_annee(annee: str) -> str:
    """``"2025"`` → ``"2025-2026"``."""
    return f"{annee}-{int(annee) + 1}" if annee.isdigit() else annee


class _Coherence:
    """The UAI and school year every file must state: the expected ones, else the first file's."""

    def __init__(self, uai_attendu: str | None, annee_attendue: str | None) -> None:
        self.uai = uai_attendu.strip().upper() if uai_attendu else None
        self.annee = annee_attendue.strip() if annee_attendue else None
        self._source_uai = None if self.uai is None else "attendu"
        self._source_annee = None if self.annee is None else "attendue"
        self.parametres: list[Parametres] = []

    def __call__(self, parametres: Parametres) -> None:
        self.parametres.append(parametres)
        if self.uai is None:
            self.uai, self._source_uai = parametres.uai, nom_court(parametres.fichier)
        elif parametres.uai != self.uai:
            reference = "" if self._source_uai == "attendu" else f" (celui du fichier « {self._source_uai} »)"
            raise SourceInvalideError(
                parametres.fichier,
                f"le fichier concerne l'établissement {parametres.uai}, pas {self.uai}{reference}",
                correction=f"Utilisez les exports SIECLE et STS-web de l'établissement {self.uai}")
        annee = parametres.annee_scolaire
        if annee is None:
            return
        if self.annee is None:
            self.annee, self._source_annee = annee, nom_court(parametres.fichier)
        elif annee != self.annee:
            reference = "" if self._source_annee == "attendue" else f" (celle du fichier « {self._source_annee} »)"
            raise SourceInvalideError(
                parametres.fichier,
                f"le fichier concerne l'année scolaire {libelle_annee(annee)}, pas "
                f"{libelle_annee(self.annee)}{reference}",
                correction=(f"Exportez de nouveau les fichiers de l'année {libelle_annee(self.annee)} "
                            "(après la bascule de l'année dans SIECLE et STS-web si elle vient d'avoir lieu)"))

    def annee_scolaire(self, fichier: str) -> str:
        if self.annee is not None:
            return self.annee
        for parametres in self.parametres:  # no file states ANNEE_SCOLAIRE: the export date tells it
            annee = _annee_de_l_export(parametres.horodatage or parametres.date_export)
            if annee is not None:
                return annee
        raise SourceInvalideError(
            fichier, "l'année scolaire est introuvable (ni PARAMETRES/ANNEE_SCOLAIRE ni date d'export)",
            correction="Exportez de nouveau les fichiers depuis SIECLE et STS-web")


_DATE_EXPORT = re.compile(r"^\d{1,2}/(\d{1,2})/(\d{4})")


def _annee_de_l_export(valeur: str | None) -> str | None:
    """A school year starts in September: an export of 08/09/2025 or of 12/03/2026 is of 2025."""
    trouve = _DATE_EXPORT.match(valeur or "")
    if not trouve:
        return None
    mois, annee = int(trouve.group(1)), int(trouve.group(2))
    return str(annee if mois >= 8 else annee - 1)


# --- reading --------------------------------------------------------------------------------------


@dataclass
class _Lectures:
    sts: LectureSts | None = None
    structures: LectureStructures | None = None
    nomenclature: LectureNomenclature | None = None
    communs: LectureCommuns | None = None


def _lire(documents: dict[str, Document], sts: Document | None, origine: str, uai_attendu: str | None,
          annee_attendue: str | None) -> SourceSnapshot:
    coherence = _Coherence(uai_attendu, annee_attendue)
    lus = _Lectures()
    anomalies: list[str] = []
    exports: list[ExportDescription] = []
    if sts is not None:
        lus.sts = lire_sts(sts, verifier=coherence)
        anomalies += lus.sts.anomalies
    lecture_eleves = lire_eleves(documents["eleves"], verifier=coherence)
    anomalies += lecture_eleves.anomalies
    exports.append(lecture_eleves.parametres.description())
    eleves = lecture_eleves.eleves
    par_eleve: Mapping[str, tuple[ResponsableSource, ...]] | None = None
    if "responsables" in documents:
        responsables = lire_responsables(documents["responsables"], verifier=coherence)
        anomalies += responsables.anomalies
        exports.append(responsables.parametres.description())
        par_eleve = responsables.par_eleve  # joined to the pupils with the canonical order, in one copy
    if "nomenclature" in documents:
        lus.nomenclature = lire_nomenclature(documents["nomenclature"], verifier=coherence)
        exports.append(lus.nomenclature.parametres.description())
    if "structures" in documents:
        lus.structures = lire_structures(documents["structures"], verifier=coherence)
        exports.append(lus.structures.parametres.description())
    if "communs" in documents:
        lus.communs = lire_communs(documents["communs"], verifier=coherence)
        exports.append(lus.communs.parametres.description())
    if lus.sts is not None:
        exports.append(lus.sts.parametres.description())
    uai = coherence.uai
    assert uai is not None  # every reader requires its UAJ
    matieres = _matieres(lus)
    absents = tuple(role for role in FACULTATIFS if role not in documents) if sts is not None else ()
    return _ordre_canonique(SourceSnapshot(
        uai=uai,
        annee_scolaire=coherence.annee_scolaire(documents["eleves"].nom),
        origine="s3e" if origine == "s3e" else "fichiers",
        etablissement=_etablissement(uai, lus),
        divisions=_divisions(lus, eleves),
        groupes=_groupes(lus, eleves),
        eleves=eleves,
        enseignants=lus.sts.enseignants if lus.sts else (),
        services=_services(lus.sts, matieres),
        profs_principaux=lus.sts.profs_principaux if lus.sts else (),
        matieres=tuple(matieres.values()),
        exports=tuple(exports),
        anomalies=tuple(dict.fromkeys(anomalies)),
        absents=absents,
    ), par_eleve)


FACULTATIFS = ("responsables", "nomenclature", "structures", "communs")  # the optional SIECLE exports (R13)


def _ordre_canonique(snapshot: SourceSnapshot,
                     responsables: Mapping[str, tuple[ResponsableSource, ...]] | None = None) -> SourceSnapshot:
    """Every list without a meaning of order in one canonical order (R13), so that a re-export listing the same
    data in another order gives equal records and the same content hash. A record already in that order is
    kept as it is (no copy); the serialised record breaks ties only where the other keys are equal. With
    ``responsables`` (ResponsablesAvecAdresses.xml read), each pupil's are theirs."""
    eleves = tuple(sorted((_eleve_canonique(e, None if responsables is None else responsables.get(e.eleve_id, ()))
                           for e in snapshot.eleves), key=lambda e: e.eleve_id))
    services = _trier_departage((_service_canonique(s) for s in snapshot.services),
                                lambda s: (s.structure_type, s.structure_code, s.matiere_code, s.modalite or ""))
    return snapshot.model_copy(update={  # divisions and groups keep the export's order: the order "toutes" runs in
        "groupes": tuple(g if g.divisions == (divisions := tuple(sorted(set(g.divisions))))
                         else g.model_copy(update={"divisions": divisions}) for g in snapshot.groupes),
        "eleves": eleves,
        "enseignants": tuple(sorted(snapshot.enseignants, key=lambda e: (e.type, e.id_sts))),
        "services": services,
        "profs_principaux": tuple(sorted(snapshot.profs_principaux, key=lambda p: (
            p.division, p.enseignant.type, p.enseignant.id_sts, p.date_debut or date.min, p.date_fin or date.max))),
        "matieres": tuple(sorted(snapshot.matieres, key=lambda m: m.code)),
    })


def _trier_departage(valeurs: Iterable[Any], cle: Callable[[Any], Any]) -> tuple[Any, ...]:
    """``sorted`` by ``(cle(v), v.model_dump_json())``, serialising only when two values have equal keys."""
    tries = sorted(valeurs, key=cle)
    cles = [cle(v) for v in tries]
    if any(a == b for a, b in pairwise(cles)):
        tries = sorted(tries, key=lambda v: (cle(v), v.model_dump_json()))
    return tuple(tries)


def _eleve_canonique(e: EleveSource, responsables: tuple[ResponsableSource, ...] | None) -> EleveSource:
    modifications: dict[str, Any] = {}
    if responsables is None:
        responsables = e.responsables
    if len(responsables) > 1:
        responsables = _trier_departage(responsables, lambda r: r.personne_id)
    if responsables != e.responsables:
        modifications["responsables"] = responsables
    groupes = tuple(sorted(set(e.groupes)))
    if groupes != e.groupes:
        modifications["groupes"] = groupes
    if len(e.options) > 1:
        options = tuple(sorted(e.options, key=lambda o: (o.rang, o.matiere_code, o.modalite or "")))
        if options != e.options:
            modifications["options"] = options
    return e.model_copy(update=modifications) if modifications else e


def _service_canonique(s: ServiceSource) -> ServiceSource:
    enseignants = tuple(sorted(set(s.enseignants), key=lambda r: (r.type, r.id_sts)))
    return s if enseignants == s.enseignants else s.model_copy(update={"enseignants": enseignants})


def _etablissement(uai: str, lus: _Lectures) -> EtablissementSource:
    """Communs.xml first, each missing value taken from the STS UAJ block (and the name from STS when
    Communs has no DENOM_COMPL)."""
    bee = lus.communs.etablissement if lus.communs else None
    sts = lus.sts.etablissement if lus.sts else None
    if bee is None or sts is None:
        return bee or sts or EtablissementSource(uai=uai)
    valeurs = {nom: getattr(bee, nom) if getattr(bee, nom) is not None else getattr(sts, nom)
               for nom in EtablissementSource.model_fields if nom not in ("uai", "adresse")}
    if lus.communs and not lus.communs.nom_complet and sts.nom:
        valeurs["nom"] = sts.nom  # Communs' DENOM_PRINC alone is the kind ("COLLEGE"), STS adds DENOM_COMPL
    adresse = Adresse(lignes=bee.adresse.lignes or sts.adresse.lignes,
                      code_postal=bee.adresse.code_postal or sts.adresse.code_postal,
                      commune=bee.adresse.commune or sts.adresse.commune,  # Communs has only the INSEE code
                      pays=bee.adresse.pays or sts.adresse.pays)
    return EtablissementSource(uai=uai, adresse=adresse, **valeurs)


def _divisions(lus: _Lectures, eleves: Iterable[EleveSource]) -> tuple[DivisionSource, ...]:
    return _structures(lus.structures.divisions if lus.structures else (), lus.sts.divisions if lus.sts else (),
                       (code for eleve in eleves for code in eleve.divisions), DivisionSource, "mefs")


def _groupes(lus: _Lectures, eleves: Iterable[EleveSource]) -> tuple[GroupeSource, ...]:
    return _structures(lus.structures.groupes if lus.structures else (), lus.sts.groupes if lus.sts else (),
                       (code for eleve in eleves for code in eleve.groupes), GroupeSource, "divisions")


def _structures(bee: Iterable[S], sts: Iterable[S], codes_des_eleves: Iterable[str], cls: type[S],
                complement: str) -> tuple[S, ...]:
    """Structures.xml first, completed by STS (libellé and ``complement`` when BEE has none), then the codes
    only pupils carry; never the pseudo-division ``Inactifs``."""
    structures: dict[str, S] = {s.code: s for s in bee}
    for s in sts:
        connue = structures.get(s.code)
        structures[s.code] = s if connue is None else connue.model_copy(update={
            "libelle": connue.libelle or s.libelle,
            complement: getattr(connue, complement) or getattr(s, complement)})
    for code in codes_des_eleves:
        if code not in structures:
            structures[code] = cls(code=code)
    structures.pop(DIVISION_INACTIFS, None)
    return tuple(structures.values())


def _matieres(lus: _Lectures) -> dict[str, MatiereSource]:
    """STS matières, each missing libellé taken from Nomenclature.xml; then Nomenclature's others."""
    matieres = dict(lus.sts.matieres) if lus.sts else {}
    for code, bee in (lus.nomenclature.matieres if lus.nomenclature else {}).items():
        sts = matieres.get(code)
        if sts is None:
            matieres[code] = bee
        else:
            matieres[code] = sts.model_copy(update={
                nom: getattr(bee, nom) for nom in MatiereSource.model_fields
                if getattr(sts, nom) is None and getattr(bee, nom) is not None})
    return matieres


def _services(sts: LectureSts | None, matieres: dict[str, MatiereSource]) -> tuple[ServiceSource, ...]:
    """The STS services; a matière STS does not name gets its libellé from Nomenclature.xml."""
    if sts is None:
        return ()
    return tuple(
        s.model_copy(update={"matiere_libelle": matieres[s.matiere_code].libelle})
        if s.matiere_libelle == s.matiere_code and s.matiere_code in matieres else s
        for s in sts.services)
