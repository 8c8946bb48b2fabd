"""Composition root: the event-sourced application on a store, and its read models.

Embedded (SQLite) and by default on PostgreSQL too, the views are caught up in-process right after each
command, so what a command prints is always up to date. On PostgreSQL, with ``LSUN_PROJECTIONS=processus``,
they are left to their own processes (``lsun-events projections suivre``)."""

from __future__ import annotations

import logging
import os
from collections.abc import Callable
from contextlib import suppress
from typing import Any

from eventsourcing.persistence import IntegrityError

from lsun_events.application import LsunApp, ouvrir_application
from lsun_events.config import Store
from lsun_events.projections.audit import Audit
from lsun_events.projections.base import Modele
from lsun_events.projections.rapports import Rapports
from lsun_events.projections.runner import Progression, Projecteur, rattraper, reconstruire
from lsun_events.projections.vue_courante import VueCourante

journal = logging.getLogger("lsun_events.projections")

MODELES: tuple[Callable[[], Modele], ...] = (Rapports, VueCourante, Audit)


class Systeme:
    def __init__(self, store: Store | str | None = None, *, creer_tables: bool | None = None) -> None:
        self.store = store if isinstance(store, Store) else Store.depuis_url(store)
        self.app: LsunApp = ouvrir_application(self.store, creer_tables=creer_tables)
        self.projecteurs = {m.nom: Projecteur(self.store, m, creer_tables=creer_tables)
                            for m in (f() for f in MODELES)}
        self.en_processus = self.store.kind == "postgresql" and os.environ.get("LSUN_PROJECTIONS") == "processus"

    def rattraper(self) -> None:
        """Bring the views up to date (embedded mode). A concurrent follower may have written the same
        page first: its position wins and the page is read again from there."""
        if self.en_processus:
            return
        for _ in range(3):
            with suppress(IntegrityError):
                rattraper(list(self.projecteurs.values()), self.app)
                return
        journal.warning("Vues non rattrapées après trois essais (écritures concurrentes) : elles le seront à la "
                        "prochaine commande ou par « projections suivre ».")

    def reconstruire(self, progression: Progression | None = None) -> dict[str, int]:
        """Every view emptied and rebuilt from the first event (each page of the store read once for all)."""
        return reconstruire(list(self.projecteurs.values()), self.app, progression=progression)

    def lire(self, nom: str) -> Any:
        """A read transaction on a view: ``with systeme.lire("rapports") as c: …``."""
        return self.projecteurs[nom].vue.transaction(ecrire=False)

    def fermer(self) -> None:
        for p in self.projecteurs.values():
            p.fermer()
        self.app.close()

    def __enter__(self) -> Systeme:
        return self

    def __exit__(self, *exc: object) -> None:
        self.fermer()


def migrer(store: Store | str | None = None) -> None:
    """Create every table: event store, views, the automatic synchronisation's bookkeeping, the accounts."""
    from lsun_events.application import migrer as migrer_evenements  # noqa: PLC0415
    from lsun_events.automatique.planification import Planification  # noqa: PLC0415
    from lsun_events.comptes import migrer as migrer_comptes  # noqa: PLC0415

    store = store if isinstance(store, Store) else Store.depuis_url(store)
    migrer_evenements(store)
    Systeme(store, creer_tables=True).fermer()
    Planification(store).fermer()
    migrer_comptes(store)
