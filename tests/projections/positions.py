"""Where the views are, and where they must get to: shared by the tests that follow the store."""

from __future__ import annotations

from lsun_events.systeme import Systeme


def cibles(s: Systeme) -> dict[str, int]:
    """The last notification each view has to reach (its topics only)."""
    fin: dict[str, int] = dict.fromkeys(s.projecteurs, 0)
    position = 0
    while notes := s.app.recorder.select_notifications(start=position, limit=5000, inclusive_of_start=False):
        for n in notes:
            for nom, p in s.projecteurs.items():
                if not p.modele.topics or n.topic in p.modele.topics:
                    fin[nom] = n.id
        position = notes[-1].id
    return fin


def positions(s: Systeme) -> dict[str, int]:
    return {nom: p.position(s.app) for nom, p in s.projecteurs.items()}
