"""Loading many aggregates at once: one query per few hundred aggregates instead of one per aggregate
(a synchronisation of a 1,000-pupil school loads some 3,000 of them). Same result as ``repository.get``."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from typing import Any
from uuid import UUID

from eventsourcing.application import Application
from eventsourcing.persistence import StoredEvent
from eventsourcing.postgres import PostgresApplicationRecorder
from psycopg.sql import SQL, Composed, Identifier

TAILLE_LOT = 500


def charger(app: Application[UUID], ids: Iterable[UUID]) -> dict[UUID, Any]:
    """The current state of every existing aggregate among ``ids`` (missing ones are absent)."""
    ids = list(dict.fromkeys(ids))
    evenements: dict[UUID | str, list[Any]] = defaultdict(list)  # a stored id is typed UUID | str
    for i in range(0, len(ids), TAILLE_LOT):
        for stored in _lire(app, ids[i:i + TAILLE_LOT]):
            evenements[stored.originator_id].append(app.mapper.to_domain_event(stored))
    return {i: _projeter(evenements[i]) for i in ids if i in evenements}


def _projeter(evenements: list[Any]) -> Any:
    agregat = None
    for e in evenements:
        agregat = e.mutate(agregat)
    return agregat


def _lire(app: Application[UUID], lot: list[UUID]) -> list[StoredEvent]:
    recorder: Any = app.recorder
    if isinstance(recorder, PostgresApplicationRecorder):
        requete: Composed | str = SQL("SELECT originator_id, originator_version, topic, state FROM {}.{} "
                      "WHERE originator_id = ANY(%s) ORDER BY originator_id, originator_version").format(
            Identifier(recorder.datastore.schema), Identifier(recorder.events_table_name))
        parametres: list[Any] = [lot]
    else:
        marques = ",".join("?" * len(lot))
        requete = (f"SELECT originator_id, originator_version, topic, state FROM {recorder.events_table_name} "
                   f"WHERE originator_id IN ({marques}) ORDER BY originator_id, originator_version")
        parametres = [i.hex for i in lot]
    with recorder.datastore.transaction(commit=False) as c:
        c.execute(requete, parametres)
        return [StoredEvent(originator_id=recorder.convert_originator_id(x["originator_id"]) if not isinstance(
                    x["originator_id"], UUID) else x["originator_id"],
                    originator_version=x["originator_version"], topic=x["topic"], state=bytes(x["state"]))
                for x in c.fetchall()]
