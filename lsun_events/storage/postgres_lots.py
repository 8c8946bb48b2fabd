"""PostgreSQL event recorder that sends a large ``save()`` in several statements of the same transaction.

The library sends every event of a ``save()`` as ONE statement in psycopg's pipeline mode; past a few MB
(measured here: 2,500 events of 3 KB) the client and the server wait for each other forever. A
synchronisation of a large school archiving many locked bilans saves that much. Here the events go in
batches of at most ``OCTETS_PAR_LOT`` bytes, still in the one transaction, under the one table lock: the save
stays atomic and the notification ids stay in commit order."""

from __future__ import annotations

import threading
from collections.abc import Iterator, Sequence
from typing import Any

from eventsourcing.persistence import StoredEvent
from eventsourcing.postgres import PostgresApplicationRecorder

OCTETS_PAR_LOT = 1_000_000


def lots(evenements: Sequence[StoredEvent], limite: int = OCTETS_PAR_LOT) -> Iterator[Sequence[StoredEvent]]:
    debut, taille = 0, 0
    for i, e in enumerate(evenements):
        taille += len(e.state) + len(e.topic) + 64
        if taille > limite and i > debut:
            yield evenements[debut:i]
            debut, taille = i, len(e.state) + len(e.topic) + 64
    if debut < len(evenements):
        yield evenements[debut:]


class PostgresApplicationRecorderParLots(PostgresApplicationRecorder):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._ids = threading.local()  # the ids of the save under way in this thread

    def _insert_stored_events(self, curs: Any, stored_events: Sequence[StoredEvent], **kwargs: Any) -> None:
        self._lock_table(curs)
        self._notify_channel(curs)
        ids: list[int] = []
        for lot in lots(stored_events):
            pg_events = [self.construct_pg_stored_event(e.originator_id, e.originator_version, e.topic, e.state)
                         for e in lot]
            curs.execute(query=self.insert_events_statement, params=(pg_events,))
            ids.extend(row["notification_id"] for row in curs.fetchall())
        self._ids.valeur = ids

    def _fetch_ids_after_insert_events(self, curs: Any, stored_events: Sequence[StoredEvent],
                                       **kwargs: Any) -> Sequence[int] | None:
        ids, self._ids.valeur = self._ids.valeur, None
        return ids
