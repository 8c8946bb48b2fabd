"""Établissement (key: UAI, never changes): its data and the registry of its divisions, groups
and teachers, so the use cases can find every aggregate of a school by its natural key."""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

from eventsourcing.domain import event

from lsun_events.aggregates.base import LsunAggregate, identifiant
from lsun_events.aggregates.erreurs import UaiImmuableError
from lsun_events.aggregates.valeurs import (
    Changement,
    InfosEtablissement,
    ParametresAutomatiques,
    changements,
    memes_donnees,
)

if TYPE_CHECKING:
    from uuid import UUID


class Etablissement(LsunAggregate):
    TOPIC = "lsun:Etablissement"

    class Created(LsunAggregate.Created):
        TOPIC = "lsun:Etablissement.Created"

    @staticmethod
    def create_id(uai: str) -> UUID:
        return Etablissement.id_pour(uai)

    @staticmethod
    def id_pour(uai: str) -> UUID:
        return identifiant("etablissement", uai.upper())

    @event("EtablissementImporte", topic="lsun:EtablissementImporte")
    def __init__(self, uai: str, annee_scolaire: str, infos: InfosEtablissement) -> None:
        self.uai = uai.upper()
        self.annee_scolaire = annee_scolaire
        self.infos = infos
        self.divisions: dict[str, str] = {}  # code → division aggregate id
        self.groupes: dict[str, tuple[str, ...]] = {}  # code → division codes
        self.enseignants: list[str] = []  # "type:id_sts"
        self.automatique: ParametresAutomatiques | None = None  # background synchronisation, when configured

    # Commands -------------------------------------------------------------------------------
    def mettre_a_jour(self, uai: str, infos: InfosEtablissement) -> list[Changement]:
        """R1: every datum but the UAI, which never changes."""
        if uai.upper() != self.uai:
            raise UaiImmuableError
        diff = changements(self.infos, infos)
        self.appliquer_changements(uai, diff)
        return diff

    def appliquer_changements(self, uai: str, diff: list[Changement]) -> None:
        """R1 with the changes already computed (``changements(self.infos, infos)``), without comparing again."""
        if uai.upper() != self.uai:
            raise UaiImmuableError
        if diff:
            self._mis_a_jour(changements=diff)

    def rattacher_division(self, code: str, division_id: UUID) -> None:
        if code not in self.divisions:
            self._division_rattachee(code=code, division_id=str(division_id))

    def renommer_division(self, ancien_code: str, code: str) -> None:
        if ancien_code in self.divisions and code not in self.divisions:
            self._division_recodee(ancien_code=ancien_code, code=code)

    def definir_groupe(self, code: str, divisions: tuple[str, ...]) -> None:
        if code not in self.groupes or not memes_donnees(self.groupes[code], tuple(divisions), ensemble=True):
            self._groupe_defini(code=code, divisions=list(divisions))

    def rattacher_enseignant(self, cle: str) -> None:
        if cle not in self.enseignants:
            self._enseignant_rattache(cle=cle)

    def parametrer_automatique(self, parametres: ParametresAutomatiques) -> bool:
        """Turn background synchronisation on or off, or change its source and schedule."""
        if parametres == self.automatique:
            return False
        self._automatique(parametres=parametres)
        return True

    # Events ---------------------------------------------------------------------------------
    @event("SynchronisationAutomatiqueParametree", topic="lsun:SynchronisationAutomatiqueParametree")
    def _automatique(self, parametres: ParametresAutomatiques) -> None:
        self.automatique = parametres

    @event("EtablissementMisAJour", topic="lsun:EtablissementMisAJour")
    def _mis_a_jour(self, changements: list[Changement]) -> None:
        self.infos = replace(self.infos, **{c.champ: c.nouveau for c in changements})

    @event("DivisionRattachee", topic="lsun:DivisionRattachee")
    def _division_rattachee(self, code: str, division_id: str) -> None:
        self.divisions[code] = division_id

    @event("DivisionRecodee", topic="lsun:DivisionRecodee")
    def _division_recodee(self, ancien_code: str, code: str) -> None:
        self.divisions[code] = self.divisions.pop(ancien_code)

    @event("GroupeDefini", topic="lsun:GroupeDefini")
    def _groupe_defini(self, code: str, divisions: list[str]) -> None:
        self.groupes[code] = tuple(divisions)

    @event("EnseignantRattache", topic="lsun:EnseignantRattache")
    def _enseignant_rattache(self, cle: str) -> None:
        self.enseignants.append(cle)
