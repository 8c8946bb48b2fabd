"""Synchronisation: one run (acteur, UAI, divisions, the source it read, outcome, counts) and
the warnings that concern no other aggregate (M1, M3, M5, M7, M10)."""

from __future__ import annotations

from datetime import date
from uuid import UUID, uuid4

from eventsourcing.domain import event

from lsun_events.aggregates.base import LsunAggregate
from lsun_events.aggregates.erreurs import ErreurDomaine
from lsun_events.aggregates.valeurs import DescriptionSource


class Synchronisation(LsunAggregate):
    TOPIC = "lsun:Synchronisation"

    class Created(LsunAggregate.Created):
        TOPIC = "lsun:Synchronisation.Created"

    @staticmethod
    def nouvel_id() -> UUID:
        """A run's id is chosen before it starts, so its first event already carries it."""
        return uuid4()

    @event("SynchronisationDemarree", topic="lsun:SynchronisationDemarree")
    def __init__(self, id: UUID, uai: str, divisions: list[str], toutes: bool, source: DescriptionSource,
                 jour: date, automatique: bool) -> None:
        self.uai = uai
        self.divisions = tuple(divisions)
        self.toutes = toutes
        self.source = source
        self.jour = jour
        self.automatique = automatique
        self.avertissements: list[tuple[str, str, dict[str, str]]] = []
        self.statut = "en cours"
        self.compteurs: dict[str, int] = {}
        self.raison: str | None = None

    def avertir(self, code: str, division: str, valeurs: dict[str, str]) -> None:
        self._avertissement(code=code, division=division, valeurs=valeurs)

    def terminer(self, compteurs: dict[str, int]) -> None:
        self._terminee(compteurs=compteurs)

    def echouer(self, raison: str) -> None:
        self._echouee(raison=raison)

    # A suspicious automatic run is held: nothing applied until the chef decides (issue « garde »).
    def retenir(self, raison: str) -> None:
        self._retenue(raison=raison)

    def abandonner(self) -> None:
        if self.statut != "retenue":
            raise ErreurDomaine("Seule une synchronisation retenue peut être abandonnée.")
        self._abandonnee()

    def marquer_appliquee(self, synchronisation: UUID) -> None:
        """The held run was applied by the (new) run ``synchronisation``."""
        if self.statut != "retenue":
            raise ErreurDomaine("Seule une synchronisation retenue peut être appliquée.")
        self._appliquee(par=str(synchronisation))

    @event("SynchronisationRetenue", topic="lsun:SynchronisationRetenue")
    def _retenue(self, raison: str) -> None:
        self.statut = "retenue"
        self.raison = raison

    @event("SynchronisationAbandonnee", topic="lsun:SynchronisationAbandonnee")
    def _abandonnee(self) -> None:
        self.statut = "abandonnee"

    @event("SynchronisationRetenueAppliquee", topic="lsun:SynchronisationRetenueAppliquee")
    def _appliquee(self, par: str) -> None:
        self.statut = "appliquee"
        self.appliquee_par = par

    @event("AvertissementEmis", topic="lsun:AvertissementEmis")
    def _avertissement(self, code: str, division: str, valeurs: dict[str, str]) -> None:
        self.avertissements.append((code, division, valeurs))

    @event("SynchronisationTerminee", topic="lsun:SynchronisationTerminee")
    def _terminee(self, compteurs: dict[str, int]) -> None:
        self.statut = "terminee"
        self.compteurs = compteurs

    @event("SynchronisationEchouee", topic="lsun:SynchronisationEchouee")
    def _echouee(self, raison: str) -> None:
        self.statut = "echouee"
        self.raison = raison
