"""A large save on PostgreSQL (here 7.5 MB, which hangs forever with the library's single statement) goes through
in batches, in one transaction: every event recorded, contiguous notification ids, each readable."""

from __future__ import annotations

import threading
from datetime import date

import pytest

from lsun_events.aggregates.base import contexte
from lsun_events.aggregates.synchronisation import Synchronisation
from lsun_events.aggregates.valeurs import DescriptionSource
from lsun_events.application.app import ouvrir_application
from lsun_events.storage.config import Store
from lsun_events.storage.postgres_lots import lots


def test_les_lots_gardent_l_ordre_et_respectent_la_taille() -> None:
    from eventsourcing.persistence import StoredEvent  # noqa: PLC0415

    evenements = [StoredEvent("id", i, "lsun:X", b"x" * 400_000) for i in range(7)]
    decoupage = list(lots(evenements, limite=1_000_000))
    assert [len(lot) for lot in decoupage] == [2, 2, 2, 1]
    assert [e for lot in decoupage for e in lot] == evenements
    assert list(lots([], limite=10)) == []


@pytest.mark.postgres
def test_une_grosse_sauvegarde_passe_en_lots_dans_une_transaction(store_postgresql: Store) -> None:
    app = ouvrir_application(store_postgresql)
    with contexte("bench"):
        runs = [Synchronisation(Synchronisation.nouvel_id(), "0999001X", [], True,
                                DescriptionSource("s3e", "x" * 3000), date(2025, 11, 17), False) for _ in range(2500)]
    resultat: dict[str, object] = {}

    def sauver() -> None:
        try:
            resultat["recordings"] = app.save(*runs)
        except Exception as e:  # reported below
            resultat["erreur"] = e

    fil = threading.Thread(target=sauver, daemon=True)
    fil.start()
    fil.join(timeout=60)
    assert not fil.is_alive(), "la sauvegarde ne s'est pas terminée en 60 s"
    assert "erreur" not in resultat, resultat
    recordings = resultat["recordings"]
    assert isinstance(recordings, list)
    ids = [r.notification.id for r in recordings]
    assert len(ids) == 2500
    assert ids == list(range(ids[0], ids[0] + 2500))
    assert app.repository.get(runs[-1].id).source.empreinte == "x" * 3000
    app.close()
