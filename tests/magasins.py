"""Stores written by earlier code, kept as fixtures (``tests/fixtures/magasin_v*``): their events inserted as stored
into a new store, and the views caught up from them alone."""

from __future__ import annotations

import base64
from collections.abc import Iterator
from typing import Any
from uuid import UUID

from eventsourcing.persistence import StoredEvent

from lsun_events.storage.config import Store
from lsun_events.systeme import Systeme


def ouvrir_magasin(store: Store, evenements: list[dict[str, Any]]) -> Iterator[Systeme]:
    """For a fixture: ``yield from ouvrir_magasin(store, EVENEMENTS)``; the events keep their positions."""
    systeme = Systeme(store)
    try:
        ids = systeme.app.recorder.insert_events([
            StoredEvent(originator_id=UUID(d["originator_id"]), originator_version=d["originator_version"],
                        topic=d["topic"], state=base64.b64decode(d["state"])) for d in evenements])
        if ids is not None:
            assert list(ids) == [d["id"] for d in evenements]
        systeme.rattraper()
        yield systeme
    finally:
        systeme.fermer()
