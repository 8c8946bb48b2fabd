"""The synchronisation use case: load the perimeter, apply R1–R12, save everything in one
transaction (or nothing, for a simulation), retry once on a concurrent change, else fail cleanly."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING, Any, cast
from uuid import UUID

from eventsourcing.persistence import IntegrityError

from lsun_events.aggregates.base import LsunAggregate, contexte
from lsun_events.aggregates.bilan import Bilan
from lsun_events.aggregates.eleve import Eleve
from lsun_events.aggregates.enseignant import Enseignant
from lsun_events.aggregates.evenements import SynchronisationDemarree
from lsun_events.aggregates.synchronisation import Synchronisation
from lsun_events.aggregates.valeurs import DescriptionSource, ExportLu, RefEnseignant
from lsun_events.application.erreurs import ConflitError, DivisionInconnueError, ErreurLsun
from lsun_events.regles.messages import Message, exports_absents, rapport
from lsun_events.regles.synchronisation import Perimetre, Progression, Regles, compter
from lsun_events.storage.chargement import charger
from lsun_events.storage.memoire import sans_ramasse_miettes
from lsun_events.storage.verrous import ATTENTE_PAR_DEFAUT, verrou_etablissement

if TYPE_CHECKING:
    from lsun_events.application.app import LsunApp
    from lsun_events.sources.records import SourceSnapshot


class UaiDifferentError(ErreurLsun):
    def __init__(self, attendu: str, trouve: str) -> None:
        super().__init__(f"La source concerne l'établissement {trouve}, pas {attendu} : synchronisation refusée, "
                         "rien n'a été enregistré. Vérifiez les fichiers ou l'adresse S3E.")


@dataclass(frozen=True)
class DemandeSynchronisation:
    uai: str
    acteur: str
    jour: date
    divisions: tuple[str, ...] | None = None  # None: toutes
    simulation: bool = False
    automatique: bool = False


@dataclass
class ResultatSynchronisation:
    synchronisation: UUID
    statut: str  # "terminee" | "echouee" | "simulation"
    messages: list[Message]
    compteurs: dict[str, int]
    divisions: list[str] = field(default_factory=list)
    absents: list[str] = field(default_factory=list)  # optional exports absent (R13), by role

    def en_dict(self) -> dict[str, Any]:
        return {"synchronisation": str(self.synchronisation), "statut": self.statut,
                "messages": [m.en_dict() for m in self.messages], "compteurs": self.compteurs,
                "exports_absents": exports_absents(self.absents)}


def description(source: SourceSnapshot) -> DescriptionSource:
    return DescriptionSource(
        origine=source.origine, empreinte=source.empreinte(),
        exports=tuple(ExportLu(x.fichier, x.racine, x.date_export) for x in source.exports),
        absents=tuple(source.absents))


def synchroniser(app: LsunApp, demande: DemandeSynchronisation, source: SourceSnapshot,
                 progression: Progression | None = None, *,
                 attente: float = ATTENTE_PAR_DEFAUT) -> ResultatSynchronisation:
    """Runs of one school are serialised (``lsun_events.storage.verrous``); a simulation saves nothing and
    takes no lock. The views catch up once the lock is released (``LsunApp.regrouper``)."""
    if demande.simulation or app.store is None:
        return _synchroniser(app, demande, source, progression)
    with app.regrouper(), verrou_etablissement(app.store, demande.uai, attente):
        return _synchroniser(app, demande, source, progression)


def _synchroniser(app: LsunApp, demande: DemandeSynchronisation, source: SourceSnapshot,
                  progression: Progression | None) -> ResultatSynchronisation:
    uai = demande.uai.upper()
    if source.uai.upper() != uai:
        raise UaiDifferentError(uai, source.uai.upper())
    etab = app.etablissement(uai)
    # A division asked twice counts once (the order asked is the report's order).
    codes = list(dict.fromkeys(demande.divisions)) if demande.divisions else list(etab.divisions)
    inconnues = [c for c in codes if c not in etab.divisions]
    if inconnues:
        raise DivisionInconnueError(uai, inconnues[0], list(etab.divisions))
    for tentative in (1, 2):
        with sans_ramasse_miettes():
            perimetre = charger_perimetre(app, uai, codes)
            run, entites = _calculer(perimetre, demande, codes, source, progression)
        evenements = [*run.pending_events, *(e for a in entites for e in a.pending_events)]
        resultat = ResultatSynchronisation(run.id, "terminee", rapport(evenements), run.compteurs, codes,
                                           list(source.absents))
        if demande.simulation:
            resultat.statut = "simulation"
            return resultat
        try:
            app.save(run, *entites)
        except IntegrityError:
            if tentative == 1:
                continue  # someone changed a pupil or a bilan meanwhile: recompute once
            raison = ("Des bilans ou des élèves ont été modifiés pendant la synchronisation, deux fois de suite : "
                      "rien n'a été appliqué. Relancez la synchronisation.")
            _enregistrer_echec(app, demande, codes, source, raison)
            raise ConflitError(raison) from None
        return resultat
    raise AssertionError  # pragma: no cover


@contextmanager
def nouveau_run(demande: DemandeSynchronisation, codes: list[str], source: SourceSnapshot
                ) -> Iterator[Synchronisation]:
    """The one place a run is built (a run applied, failed or held): its events, and every event made inside
    the block, carry the acteur and the run."""
    run_id = Synchronisation.nouvel_id()
    with contexte(demande.acteur, run_id):
        yield Synchronisation(run_id, demande.uai.upper(), codes, demande.divisions is None, description(source),
                              demande.jour, demande.automatique)


def _calculer(perimetre: Perimetre, demande: DemandeSynchronisation, codes: list[str], source: SourceSnapshot,
              progression: Progression | None) -> tuple[Synchronisation, list[Any]]:
    with nouveau_run(demande, codes, source) as run:
        regles = Regles(perimetre, source, run, demande.jour, progression)
        regles.appliquer()
        entites = perimetre.touches()
        run.terminer(compter([*run.pending_events[1:], *(e for a in entites for e in a.pending_events)], regles))
    return run, entites


def _enregistrer_echec(app: LsunApp, demande: DemandeSynchronisation, codes: list[str], source: SourceSnapshot,
                       raison: str) -> UUID:
    """A failed run leaves no trace but this record of why."""
    with nouveau_run(demande, codes, source) as run:
        run.echouer(raison)
    app.save(run)  # a new run: no concurrent change possible
    return run.id


def charger_perimetre(app: LsunApp, uai: str, codes: list[str]) -> Perimetre:
    """Every aggregate the run may touch, read in a few bulk queries."""
    etab = app.etablissement(uai)
    ids_divisions = [UUID(etab.divisions[c]) for c in codes]
    divisions_par_id = charger(app, ids_divisions)
    divisions = [divisions_par_id[i] for i in ids_divisions]
    ids_eleves = {eleve_id: Eleve.id_pour(uai, eleve_id) for d in divisions for eleve_id in d.eleves}
    ids_bilans = {eleve_id: [Bilan.id_pour(uai, eleve_id, d.id, p) for p in d.periodes_ouvertes]
                  for d in divisions for eleve_id in d.eleves}
    refs = [RefEnseignant.depuis_cle(cle) for cle in etab.enseignants]
    ids_enseignants = {ref: Enseignant.id_pour(uai, ref) for ref in refs}
    charges = charger(app, [*ids_eleves.values(), *(i for ids in ids_bilans.values() for i in ids),
                            *ids_enseignants.values()])
    return Perimetre(
        etab, divisions,
        {e: charges[i] for e, i in ids_eleves.items()},
        {e: [charges[i] for i in ids if i in charges] for e, ids in ids_bilans.items()},
        {ref: charges[i] for ref, i in ids_enseignants.items() if i in charges})


def evenements_du_run(app: LsunApp, synchronisation: UUID) -> list[Any]:
    """Every event of one run, read from the event store alone: a run is saved in one transaction, so
    its events are contiguous from its ``SynchronisationDemarree``."""
    debut = None
    position = None
    while debut is None:
        notes = app.recorder.select_notifications(start=position, limit=1000, topics=[SynchronisationDemarree.TOPIC],
                                                  inclusive_of_start=False)
        if not notes:
            raise RunInconnuError(synchronisation)
        debut = next((n.id for n in notes if n.originator_id == synchronisation), None)
        position = notes[-1].id
    evenements: list[Any] = []
    position = debut
    inclus = True
    while True:
        notes = app.recorder.select_notifications(start=position, limit=1000, inclusive_of_start=inclus)
        for n in notes:
            e = cast("LsunAggregate.Event", app.mapper.to_domain_event(n))
            if e.synchronisation != str(synchronisation):
                return evenements
            evenements.append(e)
        if len(notes) < 1000:
            return evenements
        position, inclus = notes[-1].id, False


class RunInconnuError(ErreurLsun):
    def __init__(self, synchronisation: UUID | str) -> None:
        super().__init__(f"Aucune synchronisation d'identifiant {synchronisation}.")
