"""Loading many aggregates at once: one query per few hundred aggregates instead of one per aggregate
(a synchronisation of a 1,000-pupil school loads some 3,000 of them). Same result as ``repository.get``.

``charger`` may be given states kept in memory (``connus``: an ``Etat`` per aggregate, e.g. what a previous
run of this process saved): the stored versions are read first (one light query per lot, on the primary key),
an aggregate still at the kept version is rebuilt from its state (no event read nor decoded), only the others
are read. A state is a copy, never an aggregate object: each load gets objects of its own."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any
from uuid import UUID

from eventsourcing.application import Application
from eventsourcing.persistence import StoredEvent
from eventsourcing.postgres import PostgresApplicationRecorder
from psycopg.sql import SQL, Composed, Identifier

TAILLE_LOT = 500


@dataclass(frozen=True)
class Etat:
    """An aggregate's state at one stored version, kept apart from any aggregate object (its containers are
    copied in and out; the values in them are immutable)."""

    classe: type
    version: int
    partages: dict[str, Any]  # immutable values, shared
    copies: dict[str, Any]  # containers of immutable values, copied (one level) for each aggregate rebuilt
    profondes: dict[str, Any]  # containers holding containers, copied all the way down

    @classmethod
    def de(cls, agregat: Any) -> Etat:
        """The state of ``agregat``, which must have no pending event (saved, or as loaded)."""
        assert not agregat.pending_events
        partages, copies, profondes = {}, {}, {}
        for nom, valeur in vars(agregat).items():
            if nom == "_pending_events":
                continue
            if type(valeur) not in _CONTENEURS:
                partages[nom] = valeur
            elif _CONTENEURS.isdisjoint(map(type, valeur.values() if type(valeur) is dict else valeur)):
                copies[nom] = valeur.copy()  # the usual case, checked in C
            else:
                profondes[nom] = _copie(valeur)
        return cls(type(agregat), agregat.version, partages, copies, profondes)

    def reconstruire(self) -> Any:
        agregat: Any = object.__new__(self.classe)
        attributs = agregat.__dict__
        attributs.update(self.partages)
        for nom, valeur in self.copies.items():
            attributs[nom] = valeur.copy()
        for nom, valeur in self.profondes.items():
            attributs[nom] = _copie(valeur)
        attributs["_pending_events"] = []
        return agregat


_CONTENEURS = frozenset((dict, list, set))


def _copie(valeur: Any) -> Any:
    """Containers copied (aggregates change their dicts and lists in place), everything else shared."""
    classe = type(valeur)
    if classe is dict:
        if any(type(v) in _CONTENEURS for v in valeur.values()):
            return {k: _copie(v) for k, v in valeur.items()}
        return valeur.copy()
    if classe is list:
        if any(type(v) in _CONTENEURS for v in valeur):
            return [_copie(v) for v in valeur]
        return valeur.copy()
    if classe is set:
        return set(valeur)
    return valeur


def charger(app: Application[UUID], ids: Iterable[UUID], connus: Mapping[int, Etat] | None = None
            ) -> dict[UUID, Any]:
    """The current state of every existing aggregate among ``ids`` (missing ones are absent). An aggregate of
    ``connus`` (by ``id.int``) whose kept version is the stored one is rebuilt from its state, the others are
    read."""
    ids = list(dict.fromkeys(ids))
    repris: dict[UUID, Any] = {}
    a_lire = ids
    if connus:
        stockees = versions(app, ids)
        a_lire = []
        for ident in ids:
            cle = ident.int
            version = stockees.get(cle)
            if version is None:
                continue
            etat = connus.get(cle)
            if etat is not None and etat.version == version:
                repris[ident] = etat.reconstruire()
            else:
                a_lire.append(ident)
    evenements: dict[UUID | str, list[Any]] = defaultdict(list)  # a stored id is typed UUID | str
    for i in range(0, len(a_lire), TAILLE_LOT):
        for stored in _lire(app, a_lire[i:i + TAILLE_LOT]):
            evenements[stored.originator_id].append(app.mapper.to_domain_event(stored))
    return {i: repris[i] if i in repris else _projeter(evenements[i]) for i in ids
            if i in repris or i in evenements}


def versions(app: Application[UUID], ids: Iterable[UUID]) -> dict[int, int]:
    """The stored version (last ``originator_version``) of every existing aggregate among ``ids``, by
    ``id.int``: read on the primary key alone, no event read nor decoded."""
    ids = list(ids)
    recorder: Any = app.recorder
    resultat: dict[int, int] = {}
    for i in range(0, len(ids), TAILLE_LOT):
        lot = ids[i:i + TAILLE_LOT]
        requete, parametres = _requete(recorder, "originator_id, MAX(originator_version) AS v", lot,
                                       "GROUP BY originator_id")
        par_texte = {x.hex: x.int for x in lot}  # SQLite stores the hex text: no UUID parsed back
        with recorder.datastore.transaction(commit=False) as c:
            c.execute(requete, parametres)
            for x in c.fetchall():
                ident = x["originator_id"]
                cle = ident.int if isinstance(ident, UUID) else par_texte.get(ident) or UUID(ident).int
                resultat[cle] = int(x["v"])
    return resultat


def _projeter(evenements: list[Any]) -> Any:
    agregat = None
    for e in evenements:
        agregat = e.mutate(agregat)
    return agregat


def _requete(recorder: Any, colonnes: str, lot: list[UUID], suite: str) -> tuple[Composed | str, list[Any]]:
    """``SELECT colonnes FROM <events> WHERE originator_id IN lot suite``, in the store's dialect (``colonnes``
    and ``suite`` are this module's constants, never data)."""
    if isinstance(recorder, PostgresApplicationRecorder):
        requete = SQL(f"SELECT {colonnes} FROM {{}}.{{}} WHERE originator_id = ANY(%s) {suite}").format(
            Identifier(recorder.datastore.schema), Identifier(recorder.events_table_name))
        return requete, [lot]
    marques = ",".join("?" * len(lot))
    return (f"SELECT {colonnes} FROM {recorder.events_table_name} WHERE originator_id IN ({marques}) {suite}",
            [i.hex for i in lot])


def _lire(app: Application[UUID], lot: list[UUID]) -> list[StoredEvent]:
    recorder: Any = app.recorder
    requete, parametres = _requete(recorder, "originator_id, originator_version, topic, state", lot,
                                   "ORDER BY originator_id, originator_version")
    with recorder.datastore.transaction(commit=False) as c:
        c.execute(requete, parametres)
        return [StoredEvent(originator_id=recorder.convert_originator_id(x["originator_id"]) if not isinstance(
                    x["originator_id"], UUID) else x["originator_id"],
                    originator_version=x["originator_version"], topic=x["topic"], state=bytes(x["state"]))
                for x in c.fetchall()]
