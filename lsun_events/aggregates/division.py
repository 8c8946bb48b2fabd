"""Division (key: UAI + code at creation): code, libellé, its pupils, its PP from STS, the
périodes pédagogiques configured for it and the periods whose bilans are open."""

from __future__ import annotations

from itertools import pairwise
from typing import TYPE_CHECKING

from eventsourcing.domain import event

from lsun_events.aggregates.base import LsunAggregate, identifiant
from lsun_events.aggregates.erreurs import PeriodeInvalideError
from lsun_events.aggregates.valeurs import Periode, RefEnseignant, memes_donnees

if TYPE_CHECKING:
    from uuid import UUID


class Division(LsunAggregate):
    TOPIC = "lsun:Division"

    class Created(LsunAggregate.Created):
        TOPIC = "lsun:Division.Created"

    @staticmethod
    def create_id(uai: str, code: str) -> UUID:
        return Division.id_pour(uai, code)

    @staticmethod
    def id_pour(uai: str, code: str) -> UUID:
        return identifiant("division", uai.upper(), code)

    @event("DivisionCreee", topic="lsun:DivisionCreee")
    def __init__(self, uai: str, code: str, libelle: str | None,
                 profs_principaux: list[RefEnseignant]) -> None:
        self.uai = uai
        self.code = code
        self.libelle = libelle
        self.profs_principaux = tuple(profs_principaux)
        self.eleves: list[str] = []  # ELEVE_IDs, in order of arrival
        self.periodes: tuple[Periode, ...] = ()
        self.periodes_ouvertes: list[str] = []

    # Commands -------------------------------------------------------------------------------
    def inscrire_eleve(self, eleve_id: str) -> None:
        if eleve_id not in self.eleves:
            self._eleve_inscrit(eleve_id=eleve_id)

    def parametrer_periodes(self, periodes: list[Periode]) -> None:
        codes = [p.code for p in periodes]
        if not periodes:
            raise PeriodeInvalideError("Indiquez au moins une période.")
        if len(set(codes)) != len(codes):
            raise PeriodeInvalideError("Deux périodes portent le même code.")
        for p in periodes:
            if p.fin < p.debut:
                raise PeriodeInvalideError(f"La période {p.code} finit avant de commencer.")
        ordonnees = sorted(periodes, key=lambda p: p.debut)
        for avant, apres in pairwise(ordonnees):
            if apres.debut <= avant.fin:
                raise PeriodeInvalideError(f"Les périodes {avant.code} et {apres.code} se chevauchent.")
        for code in self.periodes_ouvertes:
            if code not in codes:
                raise PeriodeInvalideError(
                    f"La période {code} a déjà des bilans ouverts : elle ne peut pas être supprimée.")
        if tuple(ordonnees) != self.periodes:
            self._periodes_parametrees(periodes=ordonnees, periodes_avant=list(self.periodes))

    def periode(self, code: str) -> Periode | None:
        return next((p for p in self.periodes if p.code == code), None)

    def marquer_periode_ouverte(self, code: str) -> None:
        if code not in self.periodes_ouvertes:
            self._periode_ouverte(periode=code, ouvertes_avant=list(self.periodes_ouvertes))

    def mettre_a_jour(self, code: str, libelle: str | None) -> bool:
        """R2: code and libellé from the source. Returns True when something changed."""
        if memes_donnees((self.code, self.libelle), (code, libelle)):  # R13: the same texts, however written
            return False
        self._mise_a_jour(ancien_code=self.code, code=code, ancien_libelle=self.libelle, libelle=libelle)
        return True

    def changer_profs_principaux(self, profs_principaux: list[RefEnseignant]) -> None:
        if not memes_donnees(self.profs_principaux, tuple(profs_principaux), ensemble=True):
            self._pp_changes(anciens=list(self.profs_principaux), nouveaux=list(profs_principaux))

    # Events ---------------------------------------------------------------------------------
    @event("EleveInscritDansDivision", topic="lsun:EleveInscritDansDivision")
    def _eleve_inscrit(self, eleve_id: str) -> None:
        self.eleves.append(eleve_id)

    # ``…_avant``: the value before the event, for the audit log (None: an event stored before 2026-12-03).
    @event("PeriodesParametrees", topic="lsun:PeriodesParametrees")
    def _periodes_parametrees(self, periodes: list[Periode], periodes_avant: list[Periode] | None = None) -> None:
        self.periodes = tuple(periodes)

    @event("PeriodeOuverte", topic="lsun:PeriodeOuverte")
    def _periode_ouverte(self, periode: str, ouvertes_avant: list[str] | None = None) -> None:
        self.periodes_ouvertes.append(periode)

    @event("DivisionMiseAJour", topic="lsun:DivisionMiseAJour")
    def _mise_a_jour(self, ancien_code: str, code: str, ancien_libelle: str | None,
                     libelle: str | None) -> None:
        self.code = code
        self.libelle = libelle

    @event("ProfsPrincipauxDivisionChanges", topic="lsun:ProfsPrincipauxDivisionChanges")
    def _pp_changes(self, anciens: list[RefEnseignant], nouveaux: list[RefEnseignant]) -> None:
        self.profs_principaux = tuple(nouveaux)
