"""Where the views are, and where they must get to: shared by the tests that follow the store."""

from __future__ import annotations

from lsun_events.systeme import Systeme


def cibles(s: Systeme, noms: list[str] | None = None) -> dict[str, int]:
    """The last notification each of the views ``noms`` (default: all) has to reach when they are caught up
    together: every page is read once for all of them, so each ends on the last event any of them reads."""
    noms = noms or list(s.projecteurs)
    topics = [s.projecteurs[nom].topics for nom in noms]
    dernier, position = 0, 0
    while notes := s.app.recorder.select_notifications(start=position, limit=5000, inclusive_of_start=False):
        for n in notes:
            if any(not t or n.topic in t for t in topics):
                dernier = n.id
        position = notes[-1].id
    return dict.fromkeys(noms, dernier)


def positions(s: Systeme) -> dict[str, int]:
    return {nom: p.position(s.app) for nom, p in s.projecteurs.items()}
