"""Élève (key: UAI + ELEVE_ID, the LSU id-be): administrative data, which synchronisation
updates, and scolarité, which it never touches."""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

from eventsourcing.domain import event

from lsun_events.aggregates.base import LsunAggregate, identifiant
from lsun_events.aggregates.valeurs import Changement, IdentiteEleve, Scolarite, changements

if TYPE_CHECKING:
    from uuid import UUID


class Eleve(LsunAggregate):
    TOPIC = "lsun:Eleve"

    class Created(LsunAggregate.Created):
        TOPIC = "lsun:Eleve.Created"

    @staticmethod
    def create_id(uai: str, eleve_id: str) -> UUID:
        return Eleve.id_pour(uai, eleve_id)

    @staticmethod
    def id_pour(uai: str, eleve_id: str) -> UUID:
        return identifiant("eleve", uai.upper(), eleve_id)

    @event("EleveInscrit", topic="lsun:EleveInscrit")
    def __init__(self, uai: str, eleve_id: str, identite: IdentiteEleve, scolarite: Scolarite,
                 division_id: str) -> None:
        self.uai = uai
        self.eleve_id = eleve_id
        self.division_id = division_id  # the LSUN division the pupil is listed in (its code may be renamed)
        self.identite = identite
        self.scolarite = scolarite

    def mettre_a_jour(self, identite: IdentiteEleve, division: str) -> list[Changement]:
        """R7: the administrative data only. Context recorded for the message M2: ``division``, the
        LSUN division the pupil is listed in, and ``eleve``, the pupil's name with the new values."""
        diff = changements(self.identite, identite)
        self.appliquer_changements(diff, identite, division)
        return diff

    def appliquer_changements(self, diff: list[Changement], identite: IdentiteEleve, division: str) -> None:
        """R7 with the changes already computed (``changements(self.identite, identite)``, checked by the
        rules): recorded as ``mettre_a_jour`` records them, without comparing again."""
        if diff:
            self._mis_a_jour(changements=diff, division=division, eleve=identite.nom_affiche)

    @event("EleveMisAJour", topic="lsun:EleveMisAJour")
    def _mis_a_jour(self, changements: list[Changement], division: str, eleve: str) -> None:
        self.identite = replace(self.identite, **{c.champ: c.nouveau for c in changements})
