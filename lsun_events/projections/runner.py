"""Catching views up with the event store: pages of events, one transaction per page and per view.

Several views are caught up together: each page of the store is read and decoded once (decoding is most of
the cost of reading), then given to every view in that view's own transaction — its rows and its position —
so each view stays exactly-once on its own. A view further on than the others only gets the events after
its position."""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from eventsourcing.persistence import PersistenceError

from lsun_events.projections.base import Modele, VueMixin
from lsun_events.projections.stockage import construire_vue
from lsun_events.storage.config import Store
from lsun_events.storage.memoire import sans_ramasse_miettes

if TYPE_CHECKING:
    from lsun_events.application.app import LsunApp

TAILLE_PAGE = 1000
journal = logging.getLogger("lsun_events.projections")

Progression = Callable[[dict[str, int]], None]  # after each page: events applied so far, per view


class Projecteur:
    """A view of the store and the way to bring it up to date."""

    def __init__(self, store: Store, modele: Modele, *, creer_tables: bool | None = None) -> None:
        self.modele = modele
        self.nom = modele.nom
        self.topics = frozenset(modele.topics)  # empty: every event
        self.vue: VueMixin = construire_vue(store, modele, creer_tables=creer_tables)
        # Tables of another version: recreated empty, rebuilt by the next catch-up (``reconstruite`` says why).
        try:
            self.reconstruite = self.vue.assurer_version()
        except PersistenceError:  # PostgreSQL before ``migrer``: no tables yet, the first real query says so
            self.reconstruite = None
        if self.reconstruite:
            journal.warning("%s.", self.reconstruite)

    def position(self, app: LsunApp) -> int:
        return self.vue.max_tracking_id(app.name) or 0  # type: ignore[attr-defined]

    def rattraper(self, app: LsunApp, *, taille_page: int = TAILLE_PAGE,
                  progression: Callable[[int], None] | None = None) -> int:
        """Apply every event after the view's position; returns how many were applied."""
        suivi = (lambda lus: progression(lus[self.nom])) if progression else None
        return rattraper([self], app, taille_page=taille_page, progression=suivi)[self.nom]

    def reconstruire(self, app: LsunApp, *, taille_page: int = TAILLE_PAGE,
                     progression: Callable[[int], None] | None = None) -> int:
        self.vue.vider()
        return self.rattraper(app, taille_page=taille_page, progression=progression)

    def fermer(self) -> None:
        self.vue.datastore.close()  # type: ignore[attr-defined]


def rattraper(projecteurs: Sequence[Projecteur], app: LsunApp, *, taille_page: int = TAILLE_PAGE,
              progression: Progression | None = None) -> dict[str, int]:
    """Apply every event after each view's position, reading each page of the store once; returns how many
    events each view applied. A page another process wrote first (a follower and a command's catch-up) is
    not written twice: that view goes on from the position it finds."""
    lus = {p.nom: 0 for p in projecteurs}
    if not projecteurs:
        return lus
    topics = [] if any(not p.topics for p in projecteurs) else sorted(set().union(*(p.topics for p in projecteurs)))
    positions = {p.nom: p.position(app) for p in projecteurs}
    while True:
        depart = min(positions.values())
        notes = app.recorder.select_notifications(start=depart, limit=taille_page, topics=topics,
                                                  inclusive_of_start=False)
        if not notes:
            return lus
        fin = notes[-1].id
        # A page makes tens of thousands of small objects (events, rows) and frees them all: the cyclic
        # collector has nothing to find there and would scan them again and again (measured: 15 % of the time).
        # (A thread reading the next page while this one is written gained nothing: the work is Python's.)
        with sans_ramasse_miettes():
            evenements = [(n.id, n.topic, app.mapper.to_domain_event(n)) for n in notes]
            for p in projecteurs:
                debut = positions[p.nom]
                if debut >= fin:
                    continue
                page = [(i, e) for i, topic, e in evenements if i > debut and (not p.topics or topic in p.topics)]
                if p.vue.appliquer_page(app.name, page, fin, depuis=debut):
                    positions[p.nom] = fin
                    lus[p.nom] += len(page)
                else:
                    positions[p.nom] = p.position(app)
        if progression:
            progression(dict(lus))


def reconstruire(projecteurs: Sequence[Projecteur], app: LsunApp, *, taille_page: int = TAILLE_PAGE,
                 progression: Progression | None = None) -> dict[str, int]:
    """Empty the views and apply every event again, from position 0, each page read once for all."""
    for p in projecteurs:
        p.vue.vider()
    return rattraper(projecteurs, app, taille_page=taille_page, progression=progression)
