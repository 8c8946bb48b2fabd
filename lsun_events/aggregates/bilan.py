"""Bilan périodique (key: élève + division + période): état, PP, one acquis per discipline,
its archives. A locked bilan refuses every change but archiving and unlocking (R11)."""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

from eventsourcing.domain import event

from lsun_events.aggregates.base import LsunAggregate, identifiant
from lsun_events.aggregates.erreurs import (
    AcquisInconnuError,
    AcquisNonVideError,
    AppreciationTropLongueError,
    BilanVerrouilleError,
    PositionnementInvalideError,
)
from lsun_events.aggregates.valeurs import (
    Acquis,
    ArchiveBilan,
    EnseignantNomme,
    EtatBilan,
    IdentiteEleve,
    Periode,
    RefEnseignant,
)

if TYPE_CHECKING:
    from uuid import UUID

POSITIONNEMENTS = (1, 2, 3, 4)
APPRECIATION_MAX = 600  # characters


class Bilan(LsunAggregate):
    TOPIC = "lsun:Bilan"

    class Created(LsunAggregate.Created):
        TOPIC = "lsun:Bilan.Created"

    @staticmethod
    def create_id(uai: str, eleve_id: str, division_id: str, periode: Periode) -> UUID:
        return Bilan.id_pour(uai, eleve_id, division_id, periode.code)

    @staticmethod
    def id_pour(uai: str, eleve_id: str, division_id: str | UUID, periode: str) -> UUID:
        return identifiant("bilan", uai.upper(), eleve_id, str(division_id), periode)

    @event("BilanOuvert", topic="lsun:BilanOuvert")
    def __init__(self, uai: str, eleve_id: str, division_id: str, division: str, periode: Periode,
                 profs_principaux: list[RefEnseignant], acquis: list[Acquis]) -> None:
        self.uai = uai
        self.eleve_id = eleve_id
        self.division_id = division_id
        self.division = division  # the division code when the bilan was opened
        self.periode = periode
        self.etat = EtatBilan.EN_COURS
        self.profs_principaux: tuple[RefEnseignant, ...] = tuple(profs_principaux)
        self.acquis: dict[str, Acquis] = {a.matiere_code: a for a in acquis}
        self.archives: list[ArchiveBilan] = []

    @property
    def verrouille(self) -> bool:
        return self.etat == EtatBilan.VERROUILLE

    def _exiger_modifiable(self) -> None:
        if self.verrouille:
            raise BilanVerrouilleError

    def _exiger_acquis(self, matiere_code: str) -> Acquis:
        try:
            return self.acquis[matiere_code]
        except KeyError:
            raise AcquisInconnuError(
                f"Le bilan n'a pas d'acquis pour la matière {matiere_code}.") from None

    # Commands -------------------------------------------------------------------------------
    def saisir_acquis(self, matiere_code: str, positionnement: int | None,
                      appreciation: str | None) -> None:
        self._exiger_modifiable()
        acquis = self._exiger_acquis(matiere_code)
        if positionnement is not None and positionnement not in POSITIONNEMENTS:
            raise PositionnementInvalideError("Le positionnement va de 1 à 4.")
        if appreciation is not None and len(appreciation) > APPRECIATION_MAX:
            raise AppreciationTropLongueError(f"L'appréciation ne peut dépasser {APPRECIATION_MAX} caractères.")
        nouveau = replace(
            acquis,
            positionnement=positionnement if positionnement is not None else acquis.positionnement,
            appreciation=appreciation if appreciation is not None else acquis.appreciation,
        )
        if nouveau != acquis:
            self._acquis_saisi(matiere_code=matiere_code, positionnement=nouveau.positionnement,
                               appreciation=nouveau.appreciation, avant=acquis)

    def ajouter_acquis(self, acquis: Acquis) -> None:
        """R9: a service whose discipline has no acquis yet on this (unlocked) bilan."""
        self._exiger_modifiable()
        if acquis.matiere_code not in self.acquis:
            self._acquis_ajoute(acquis=acquis)

    def ajouter_enseignants(self, matiere_code: str, enseignants: list[EnseignantNomme],
                            division: str | None = None) -> list[EnseignantNomme]:
        """R9: teachers of the STS service not yet on the acquis. Returns those added.
        ``division``: the division of the message M6 (default: the bilan's)."""
        self._exiger_modifiable()
        acquis = self._exiger_acquis(matiere_code)
        nouveaux = [e for e in enseignants if e.ref not in acquis.enseignants]
        if nouveaux:
            self._enseignants_ajoutes(matiere_code=matiere_code, enseignants=nouveaux,
                                      acquis=acquis.matiere_libelle, division=division or self.division, avant=acquis)
        return nouveaux

    def ajouter_prof_principal(self, pp: EnseignantNomme, eleve: str, division: str | None = None) -> bool:
        """R10. ``eleve`` and ``division``: the pupil's displayed name and division (message M8)."""
        self._exiger_modifiable()
        if pp.ref in self.profs_principaux:
            return False
        self._pp_ajoute(enseignant=pp, eleve=eleve, division=division or self.division,
                        pp_avant=list(self.profs_principaux))
        return True

    def retirer_prof_principal(self, pp: EnseignantNomme, eleve: str, division: str | None = None) -> bool:
        self._exiger_modifiable()
        if pp.ref not in self.profs_principaux:
            return False
        self._pp_retire(enseignant=pp, eleve=eleve, division=division or self.division,
                        pp_avant=list(self.profs_principaux))
        return True

    def retirer_enseignants(self, matiere_code: str, enseignants: list[EnseignantNomme],
                            division: str | None = None) -> list[EnseignantNomme]:
        """U3 (undoing a run): teachers the undone run added to the acquis. Returns those removed (M14)."""
        self._exiger_modifiable()
        acquis = self._exiger_acquis(matiere_code)
        retires = [e for e in enseignants if e.ref in acquis.enseignants]
        if retires:
            self._enseignants_retires(matiere_code=matiere_code, enseignants=retires,
                                      acquis=acquis.matiere_libelle, division=division or self.division, avant=acquis)
        return retires

    def retirer_acquis(self, matiere_code: str, division: str | None = None) -> bool:
        """U3: an acquis the undone run created, when nothing was entered on it (no positionnement, no
        appréciation, no teacher left)."""
        self._exiger_modifiable()
        acquis = self.acquis.get(matiere_code)
        if acquis is None:
            return False
        if acquis.positionnement is not None or acquis.appreciation or acquis.enseignants:
            raise AcquisNonVideError(f"L'acquis {acquis.matiere_libelle} a été renseigné : il ne peut être retiré.")
        self._acquis_retire(matiere_code=matiere_code, acquis=acquis.matiere_libelle,
                            division=division or self.division, avant=acquis)
        return True

    def verrouiller(self) -> None:
        if not self.verrouille:
            self._verrouille(etat_avant=str(self.etat))

    def deverrouiller(self) -> None:
        if self.verrouille:
            self._deverrouille(etat_avant=str(self.etat))

    def archiver(self, identite_eleve: IdentiteEleve, enseignants: list[EnseignantNomme],
                 eleve: str = "", division: str | None = None) -> ArchiveBilan:
        """R6: the bilan as it is, with the pupil's data as they are before an update. Context for
        the message M12: ``eleve``, the pupil's name with the new values, and ``division``."""
        archive = ArchiveBilan(
            identite_eleve=identite_eleve,
            division=self.division,
            periode=self.periode,
            etat=str(self.etat),
            profs_principaux=self.profs_principaux,
            acquis=tuple(self.acquis.values()),
            enseignants=tuple(enseignants),
        )
        self._archive(archive=archive, eleve=eleve or identite_eleve.nom_affiche, division=division or self.division)
        return archive

    def references_enseignants(self) -> list[RefEnseignant]:
        """Every teacher linked to this bilan, by an acquis or as PP (R8), in a stable order."""
        refs: list[RefEnseignant] = []
        for a in self.acquis.values():
            refs.extend(r for r in a.enseignants if r not in refs)
        refs.extend(r for r in self.profs_principaux if r not in refs)
        return refs

    # Events ---------------------------------------------------------------------------------
    # ``avant`` / ``…_avant``: the value before the event, for the audit log (None: an event stored before
    # 2026-12-03, which did not carry it).
    @event("AcquisSaisi", topic="lsun:AcquisSaisi")
    def _acquis_saisi(self, matiere_code: str, positionnement: int | None, appreciation: str | None,
                      avant: Acquis | None = None) -> None:
        self.acquis[matiere_code] = replace(
            self.acquis[matiere_code], positionnement=positionnement, appreciation=appreciation)

    @event("AcquisAjoute", topic="lsun:AcquisAjoute")
    def _acquis_ajoute(self, acquis: Acquis) -> None:
        self.acquis[acquis.matiere_code] = acquis

    @event("EnseignantsAjoutesAcquis", topic="lsun:EnseignantsAjoutesAcquis")
    def _enseignants_ajoutes(self, matiere_code: str, enseignants: list[EnseignantNomme], acquis: str,
                             division: str, avant: Acquis | None = None) -> None:
        # ``acquis`` (the subject's label) is a field of the stored event: the parameter keeps its name.
        courant = self.acquis[matiere_code]
        self.acquis[matiere_code] = replace(
            courant, enseignants=courant.enseignants + tuple(e.ref for e in enseignants))

    @event("EnseignantsRetiresAcquis", topic="lsun:EnseignantsRetiresAcquis")
    def _enseignants_retires(self, matiere_code: str, enseignants: list[EnseignantNomme], acquis: str,
                             division: str, avant: Acquis | None = None) -> None:
        courant = self.acquis[matiere_code]
        retires = {e.ref for e in enseignants}
        self.acquis[matiere_code] = replace(
            courant, enseignants=tuple(r for r in courant.enseignants if r not in retires))

    @event("AcquisRetire", topic="lsun:AcquisRetire")
    def _acquis_retire(self, matiere_code: str, acquis: str, division: str, avant: Acquis | None = None) -> None:
        del self.acquis[matiere_code]

    @event("ProfPrincipalAjoute", topic="lsun:ProfPrincipalAjoute")
    def _pp_ajoute(self, enseignant: EnseignantNomme, eleve: str, division: str,
                   pp_avant: list[RefEnseignant] | None = None) -> None:
        self.profs_principaux = (*self.profs_principaux, enseignant.ref)

    @event("ProfPrincipalRetire", topic="lsun:ProfPrincipalRetire")
    def _pp_retire(self, enseignant: EnseignantNomme, eleve: str, division: str,
                   pp_avant: list[RefEnseignant] | None = None) -> None:
        self.profs_principaux = tuple(p for p in self.profs_principaux if p != enseignant.ref)

    @event("BilanVerrouille", topic="lsun:BilanVerrouille")
    def _verrouille(self, etat_avant: str | None = None) -> None:
        self.etat = EtatBilan.VERROUILLE

    @event("BilanDeverrouille", topic="lsun:BilanDeverrouille")
    def _deverrouille(self, etat_avant: str | None = None) -> None:
        self.etat = EtatBilan.EN_COURS

    @event("BilanArchive", topic="lsun:BilanArchive")
    def _archive(self, archive: ArchiveBilan, eleve: str, division: str) -> None:
        self.archives.append(archive)
