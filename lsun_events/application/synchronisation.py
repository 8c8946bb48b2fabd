"""The synchronisation use case: load the perimeter, apply R1–R12, save everything in one
transaction (or nothing, for a simulation), retry once on a concurrent change, else fail cleanly.

A resync costs what changed: the process keeps, per school, the states of the aggregates its last saved run
left (``storage.chargement.Etat``, copies, never the objects) and what its runs proved to change nothing
(``regles.synchronisation.Memoire``). The next run reads the stored versions first and decodes only the
aggregates that moved since; the rules skip the decisions already proved for the same version and the same
source record. Nothing of it is stored: a new process starts cold, and the events are the same either way
(``LSUN_SYNCHRO_CONTROLE=1`` computes every run both ways and refuses a difference; ``LSUN_SYNCHRO_RACCOURCI=0``
turns the shortcut off)."""

from __future__ import annotations

import os
import threading
from collections import OrderedDict
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from typing import TYPE_CHECKING, Any, cast
from uuid import UUID
from weakref import WeakKeyDictionary

from eventsourcing.persistence import IntegrityError

from lsun_events.aggregates.base import LsunAggregate, contexte
from lsun_events.aggregates.bilan import Bilan
from lsun_events.aggregates.eleve import Eleve
from lsun_events.aggregates.enseignant import Enseignant
from lsun_events.aggregates.etablissement import Etablissement
from lsun_events.aggregates.evenements import SynchronisationDemarree
from lsun_events.aggregates.synchronisation import Synchronisation
from lsun_events.aggregates.valeurs import DescriptionSource, ExportLu, RefEnseignant
from lsun_events.application.erreurs import ConflitError, DivisionInconnueError, ErreurLsun
from lsun_events.regles.messages import Message, exports_absents, rapport
from lsun_events.regles.synchronisation import Memoire, Perimetre, Progression, Regles, compter
from lsun_events.storage.chargement import Etat, charger
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


# --- what a process keeps between the runs of a school ------------------------------------------------------

RACCOURCI = "LSUN_SYNCHRO_RACCOURCI"  # "0": every run loads and decides everything
CONTROLE = "LSUN_SYNCHRO_CONTROLE"  # "1": every run computed with and without the shortcut, events compared
ETABLISSEMENTS_RETENUS = 4  # schools a process keeps (a worker serving many keeps the last few)


@dataclass
class _Retenu:
    agregats: dict[int, Etat]  # id.int → state at a stored version (checked against the store before use)
    memoire: Memoire


_retenus: WeakKeyDictionary[LsunApp, OrderedDict[str, _Retenu]] = WeakKeyDictionary()
_verrou_retenus = threading.Lock()


def _prendre(app: LsunApp, uai: str) -> _Retenu:
    """What the process keeps for ``uai``, taken out while the run lasts (a simulation, which takes no lock,
    may run beside a run of the same school: the second one starts cold)."""
    if os.environ.get(RACCOURCI, "1") == "0":
        return _Retenu({}, Memoire())
    with _verrou_retenus:
        retenu = _retenus.get(app, OrderedDict()).pop(uai, None)
    return retenu if retenu is not None else _Retenu({}, Memoire())


def _rendre(app: LsunApp, uai: str, retenu: _Retenu) -> None:
    if os.environ.get(RACCOURCI, "1") == "0":
        return
    with _verrou_retenus:
        par_uai = _retenus.setdefault(app, OrderedDict())
        par_uai[uai] = retenu
        par_uai.move_to_end(uai)
        while len(par_uai) > ETABLISSEMENTS_RETENUS:
            par_uai.popitem(last=False)


def oublier(app: LsunApp, uai: str | None = None) -> None:
    """Forget what the process keeps (for ``uai``, or every school)."""
    with _verrou_retenus:
        par_uai = _retenus.get(app)
        if par_uai is not None:
            if uai is None:
                par_uai.clear()
            else:
                par_uai.pop(uai.upper(), None)


def _etats(perimetre: Perimetre, connus: dict[int, Etat]) -> dict[int, Etat]:
    """``connus`` updated with the aggregates of the perimeter that have no pending event (after a save: all of
    them): a state already kept at the aggregate's version is kept as it is."""
    etats = dict(connus)
    for a in (perimetre.etablissement, *perimetre.divisions, *perimetre.eleves.values(),
              *(b for bs in perimetre.bilans.values() for b in bs), *perimetre.enseignants.values()):
        if a.pending_events:
            continue
        cle = a.id.int
        deja = etats.get(cle)
        if deja is None or deja.version != a.version:
            etats[cle] = Etat.de(a)
    return etats


def _synchroniser(app: LsunApp, demande: DemandeSynchronisation, source: SourceSnapshot,
                  progression: Progression | None) -> ResultatSynchronisation:
    uai = demande.uai.upper()
    if source.uai.upper() != uai:
        raise UaiDifferentError(uai, source.uai.upper())
    retenu = _prendre(app, uai)
    try:
        return _synchroniser_avec(app, demande, source, progression, uai, retenu)
    except BaseException:
        _rendre(app, uai, retenu)  # still true: each state and each proof holds the version it was taken at
        raise


def _synchroniser_avec(app: LsunApp, demande: DemandeSynchronisation, source: SourceSnapshot,
                       progression: Progression | None, uai: str, retenu: _Retenu) -> ResultatSynchronisation:
    connus = retenu.agregats
    etab = charger(app, [Etablissement.id_pour(uai)], connus).get(Etablissement.id_pour(uai))
    if etab is None:
        etab = app.etablissement(uai)  # raises the use case's error
    # A division asked twice counts once (the order asked is the report's order).
    codes = list(dict.fromkeys(demande.divisions)) if demande.divisions else list(etab.divisions)
    inconnues = [c for c in codes if c not in etab.divisions]
    if inconnues:
        raise DivisionInconnueError(uai, inconnues[0], list(etab.divisions))
    for tentative in (1, 2):
        with sans_ramasse_miettes():
            position = app.recorder.max_notification_id() if os.environ.get(CONTROLE) == "1" else None
            perimetre = charger_perimetre(app, uai, codes, connus)
            run, entites, regles = _calculer(perimetre, demande, codes, source, progression, retenu.memoire)
            if position is not None:
                _controler(app, demande, codes, source, run, entites, position)
        evenements = [*run.pending_events, *(e for a in entites for e in a.pending_events)]
        resultat = ResultatSynchronisation(run.id, "terminee", rapport(evenements), run.compteurs, codes,
                                           list(source.absents))
        if demande.simulation:
            resultat.statut = "simulation"
            _rendre(app, uai, _Retenu(_etats(perimetre, retenu.agregats), retenu.memoire))  # what it changed: not
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
        _rendre(app, uai, _Retenu(_etats(perimetre, connus), regles.suivante))
        return resultat
    raise AssertionError  # pragma: no cover


class ControleRaccourciError(AssertionError):
    """``LSUN_SYNCHRO_CONTROLE=1``: the run computed with the shortcut differs from the run computed without."""


def _controler(app: LsunApp, demande: DemandeSynchronisation, codes: list[str], source: SourceSnapshot,
               run: Synchronisation, entites: list[Any], position: int | None) -> None:
    """The same run computed again from the store alone, without what the process keeps: the same events, in
    the same order, with the same data (but the run's id and the time). Not compared when the store moved
    since the run started (another process wrote: the save will find the conflict and the run recompute)."""
    perimetre = charger_perimetre(app, demande.uai.upper(), codes)
    if app.recorder.max_notification_id() != position:
        return
    temoin, entites_temoin, _ = _calculer(perimetre, demande, codes, source, None, None)
    avec = _comparables(run, entites)
    sans = _comparables(temoin, entites_temoin)
    if avec != sans:
        ecart = next((i for i, (a, b) in enumerate(zip(avec, sans, strict=False)) if a != b), min(len(avec), len(sans)))
        raise ControleRaccourciError(
            f"raccourci : {len(avec)} événements au lieu de {len(sans)} ; premier écart au rang {ecart} : "
            f"{avec[ecart] if ecart < len(avec) else None!r} au lieu de {sans[ecart] if ecart < len(sans) else None!r}")


def _comparables(run: Synchronisation, entites: list[Any]) -> list[tuple[Any, ...]]:
    def donnees(e: Any) -> dict[str, Any]:
        return {k: (None if v == str(run.id) else v) for k, v in vars(e).items()
                if k not in ("timestamp", "originator_id", "synchronisation")}
    return [(type(e).__name__, None if e.originator_id == run.id else e.originator_id, donnees(e))
            for e in [*run.pending_events, *(e for a in entites for e in a.pending_events)]]


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
              progression: Progression | None, memoire: Memoire | None = None
              ) -> tuple[Synchronisation, list[Any], Regles]:
    with nouveau_run(demande, codes, source) as run:
        regles = Regles(perimetre, source, run, demande.jour, progression, memoire)
        regles.appliquer()
        entites = perimetre.touches()
        run.terminer(compter([*run.pending_events[1:], *(e for a in entites for e in a.pending_events)], regles))
    return run, entites, regles


def _enregistrer_echec(app: LsunApp, demande: DemandeSynchronisation, codes: list[str], source: SourceSnapshot,
                       raison: str) -> UUID:
    """A failed run leaves no trace but this record of why."""
    with nouveau_run(demande, codes, source) as run:
        run.echouer(raison)
    app.save(run)  # a new run: no concurrent change possible
    return run.id


def charger_perimetre(app: LsunApp, uai: str, codes: list[str], connus: dict[int, Etat] | None = None
                      ) -> Perimetre:
    """Every aggregate the run may touch, read in a few bulk queries; those of ``connus`` still at their stored
    version are taken as they are (``storage.chargement.charger``)."""
    etab = charger(app, [Etablissement.id_pour(uai)], connus).get(Etablissement.id_pour(uai)) if connus else None
    if etab is None:
        etab = app.etablissement(uai)
    ids_divisions = [UUID(etab.divisions[c]) for c in codes]
    divisions_par_id = charger(app, ids_divisions, connus)
    divisions = [divisions_par_id[i] for i in ids_divisions]
    ids_eleves = {eleve_id: _id_eleve(uai, eleve_id) for d in divisions for eleve_id in d.eleves}
    ids_bilans = {eleve_id: [_id_bilan(uai, eleve_id, d.id, p) for p in d.periodes_ouvertes]
                  for d in divisions for eleve_id in d.eleves}
    refs = [RefEnseignant.depuis_cle(cle) for cle in etab.enseignants]
    ids_enseignants = {ref: Enseignant.id_pour(uai, ref) for ref in refs}
    charges = charger(app, [*ids_eleves.values(), *(i for ids in ids_bilans.values() for i in ids),
                            *ids_enseignants.values()], connus)
    return Perimetre(
        etab, divisions,
        {e: charges[i] for e, i in ids_eleves.items()},
        {e: [charges[i] for i in ids if i in charges] for e, ids in ids_bilans.items()},
        {ref: charges[i] for ref, i in ids_enseignants.items() if i in charges})


# The ids are uuid5 of the natural keys: computed once per process (3,000 per run of a large school).
_id_eleve = lru_cache(maxsize=1 << 16)(Eleve.id_pour)
_id_bilan = lru_cache(maxsize=1 << 17)(Bilan.id_pour)


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
