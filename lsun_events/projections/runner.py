"""Catching a view up with the event store: pages of events, one transaction per page."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from lsun_events.config import Store
from lsun_events.projections.base import Modele, VueMixin
from lsun_events.projections.stockage import construire_vue

if TYPE_CHECKING:
    from lsun_events.application import LsunApp

TAILLE_PAGE = 500


class Projecteur:
    """A view of the store and the way to bring it up to date."""

    def __init__(self, store: Store, modele: Modele, *, creer_tables: bool | None = None) -> None:
        self.modele = modele
        self.vue: VueMixin = construire_vue(store, modele, creer_tables=creer_tables)

    def position(self, app: LsunApp) -> int:
        return self.vue.max_tracking_id(app.name) or 0  # type: ignore[attr-defined]

    def rattraper(self, app: LsunApp, *, taille_page: int = TAILLE_PAGE,
                  progression: Callable[[int], None] | None = None) -> int:
        """Apply every event after the view's position; returns how many were read."""
        position = self.position(app)
        lus = 0
        topics = list(self.modele.topics)
        while True:
            notes = app.recorder.select_notifications(start=position, limit=taille_page, topics=topics,
                                                      inclusive_of_start=False)
            if not notes:
                return lus
            page = [(n.id, app.mapper.to_domain_event(n)) for n in notes]
            if not self.vue.appliquer_page(app.name, page, notes[-1].id, depuis=position):
                position = self.position(app)  # another process got there first: go on from where it is
                continue
            position = notes[-1].id
            lus += len(notes)
            if progression:
                progression(lus)

    def reconstruire(self, app: LsunApp, *, taille_page: int = TAILLE_PAGE,
                     progression: Callable[[int], None] | None = None) -> int:
        self.vue.vider()
        return self.rattraper(app, taille_page=taille_page, progression=progression)

    def fermer(self) -> None:
        self.vue.datastore.close()  # type: ignore[attr-defined]
