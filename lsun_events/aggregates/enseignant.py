"""Enseignant (key: UAI + STS type + STS INDIVIDU ID, the LSU id-sts): administrative data and
the services d'enseignement delivered."""

from __future__ import annotations

from typing import TYPE_CHECKING

from eventsourcing.domain import event

from lsun_events.aggregates.base import LsunAggregate, identifiant
from lsun_events.aggregates.valeurs import (
    Changement,
    IdentiteEnseignant,
    RefEnseignant,
    ServiceEnseignement,
    changements,
    memes_donnees,
    ordre_canonique,
)

if TYPE_CHECKING:
    from uuid import UUID


class Enseignant(LsunAggregate):
    TOPIC = "lsun:Enseignant"

    class Created(LsunAggregate.Created):
        TOPIC = "lsun:Enseignant.Created"

    @staticmethod
    def create_id(uai: str, ref: RefEnseignant) -> UUID:
        return Enseignant.id_pour(uai, ref)

    @staticmethod
    def id_pour(uai: str, ref: RefEnseignant) -> UUID:
        return identifiant("enseignant", uai.upper(), ref.type, ref.id_sts)

    @event("EnseignantCree", topic="lsun:EnseignantCree")
    def __init__(self, uai: str, ref: RefEnseignant, identite: IdentiteEnseignant,
                 services: list[ServiceEnseignement]) -> None:
        self.uai = uai
        self.ref = ref
        self.identite = identite
        self.services = ordre_canonique(services)

    def mettre_a_jour(self, identite: IdentiteEnseignant, services: list[ServiceEnseignement],
                      divisions: list[str]) -> list[Changement]:
        """R8: administrative data and services. ``divisions``: the selected divisions where the
        teacher is linked (context of the message M4)."""
        diff = self.changements_pour(identite, services)
        self.appliquer_changements(diff, identite, divisions)
        return diff

    def changements_pour(self, identite: IdentiteEnseignant, services: list[ServiceEnseignement]
                         ) -> list[Changement]:
        """What ``mettre_a_jour`` would record: the administrative data that differ, then the services."""
        diff = changements(self.identite, identite)
        if not memes_donnees(self.services, tuple(services), ensemble=True):  # a set: order means nothing (R13)
            diff.append(Changement("services", self.services, ordre_canonique(services)))
        return diff

    def appliquer_changements(self, diff: list[Changement], identite: IdentiteEnseignant,
                              divisions: list[str]) -> None:
        """R8 with the changes already computed by ``changements_pour``, without comparing again."""
        if diff:
            self._mis_a_jour(changements=diff, divisions=divisions, enseignant=identite.nom_affiche)

    @event("EnseignantMisAJour", topic="lsun:EnseignantMisAJour")
    def _mis_a_jour(self, changements: list[Changement], divisions: list[str], enseignant: str) -> None:
        for c in changements:
            if c.champ == "services":
                self.services = tuple(c.nouveau)
            else:
                self.identite = IdentiteEnseignant(**{**self.identite.en_dict(), c.champ: c.nouveau})
