"""Synchronisation: one run (acteur, UAI, divisions, the source it read, outcome, counts) and
the warnings that concern no other aggregate (M1, M3, M5, M7, M10)."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from uuid import UUID, uuid4

from eventsourcing.domain import event

from lsun_events.aggregates.base import LsunAggregate
from lsun_events.aggregates.erreurs import ErreurDomaine, SynchronisationCloseError
from lsun_events.aggregates.valeurs import DescriptionSource


class StatutSynchronisation(StrEnum):
    """A run's outcome. A run starts « en cours » and ends once: « terminee », « echouee » or « retenue »
    (held for the chef, who then applies or abandons it). The values are the texts the views and pages show
    and compare (a ``StrEnum`` equals its text)."""

    EN_COURS = "en cours"
    TERMINEE = "terminee"
    ECHOUEE = "echouee"
    RETENUE = "retenue"
    ABANDONNEE = "abandonnee"
    APPLIQUEE = "appliquee"


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
        self.statut = StatutSynchronisation.EN_COURS
        self.compteurs: dict[str, int] = {}
        self.raison: str | None = None
        self.annulee_par: str | None = None  # the run that undid this one (SPEC §9)
        self.annule: str | None = None  # for an undo: the run it undoes

    def avertir(self, code: str, division: str, valeurs: dict[str, str]) -> None:
        self._avertissement(code=code, division=division, valeurs=valeurs)

    # A run ends once (guards here, never in the ``@event`` bodies: replaying old events applies them as stored).
    def terminer(self, compteurs: dict[str, int]) -> None:
        self._exiger_en_cours()
        self._terminee(compteurs=compteurs)

    def echouer(self, raison: str) -> None:
        self._exiger_en_cours()
        self._echouee(raison=raison)

    # A suspicious automatic run is held: nothing applied until the chef decides (issue « garde »).
    def retenir(self, raison: str) -> None:
        self._exiger_en_cours()
        self._retenue(raison=raison)

    def _exiger_en_cours(self) -> None:
        if self.statut != StatutSynchronisation.EN_COURS:
            raise SynchronisationCloseError(f"Cette synchronisation est déjà close (statut « {self.statut} ») : "
                                            "son issue ne change plus.")

    def abandonner(self) -> None:
        if self.statut != StatutSynchronisation.RETENUE:
            raise ErreurDomaine("Seule une synchronisation retenue peut être abandonnée.")
        self._abandonnee()

    def marquer_appliquee(self, synchronisation: UUID) -> None:
        """The held run was applied by the (new) run ``synchronisation``."""
        if self.statut != StatutSynchronisation.RETENUE:
            raise ErreurDomaine("Seule une synchronisation retenue peut être appliquée.")
        self._appliquee(par=str(synchronisation))

    # Undoing a run (SPEC §9): the undo is a new run; the undone one stays in the history, marked.
    def annuler_la_synchronisation(self, synchronisation: UUID, debut: datetime, acteur: str) -> None:
        """This (new) run undoes ``synchronisation``, started at ``debut`` by ``acteur`` (message M13)."""
        self._exiger_en_cours()
        self._annulation(annulee=str(synchronisation), debut_annulee=debut, acteur_annulee=acteur)

    def marquer_annulee(self, par: UUID) -> None:
        """This completed run was undone by the run ``par`` (its acteur and time are the event's)."""
        if self.statut != StatutSynchronisation.TERMINEE:
            raise ErreurDomaine("Seule une synchronisation terminée peut être annulée.")
        if self.annulee_par is not None:
            raise ErreurDomaine("Cette synchronisation a déjà été annulée.")
        if self.annule is not None:
            raise ErreurDomaine("Une annulation ne s'annule pas.")
        self._annulee(par=str(par))

    @event("AnnulationDemarree", topic="lsun:AnnulationDemarree")
    def _annulation(self, annulee: str, debut_annulee: datetime, acteur_annulee: str) -> None:
        self.annule = annulee

    @event("SynchronisationAnnulee", topic="lsun:SynchronisationAnnulee")
    def _annulee(self, par: str) -> None:
        self.annulee_par = par

    @event("SynchronisationRetenue", topic="lsun:SynchronisationRetenue")
    def _retenue(self, raison: str) -> None:
        self.statut = StatutSynchronisation.RETENUE
        self.raison = raison

    @event("SynchronisationAbandonnee", topic="lsun:SynchronisationAbandonnee")
    def _abandonnee(self) -> None:
        self.statut = StatutSynchronisation.ABANDONNEE

    @event("SynchronisationRetenueAppliquee", topic="lsun:SynchronisationRetenueAppliquee")
    def _appliquee(self, par: str) -> None:
        self.statut = StatutSynchronisation.APPLIQUEE
        self.appliquee_par = par

    @event("AvertissementEmis", topic="lsun:AvertissementEmis")
    def _avertissement(self, code: str, division: str, valeurs: dict[str, str]) -> None:
        self.avertissements.append((code, division, valeurs))

    @event("SynchronisationTerminee", topic="lsun:SynchronisationTerminee")
    def _terminee(self, compteurs: dict[str, int]) -> None:
        self.statut = StatutSynchronisation.TERMINEE
        self.compteurs = compteurs

    @event("SynchronisationEchouee", topic="lsun:SynchronisationEchouee")
    def _echouee(self, raison: str) -> None:
        self.statut = StatutSynchronisation.ECHOUEE
        self.raison = raison
