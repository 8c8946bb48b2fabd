"""Following a PostgreSQL store from a process of its own (production): each view is caught up page by page
(one transaction per page with its tracking row, so a process killed at any moment resumes exactly where its
last page ended), then the process sleeps until the store announces new events (``LISTEN`` on the channel
the library ``NOTIFY``s in every insert) or a short delay passes, and starts again, until asked to stop."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from typing import TYPE_CHECKING

import psycopg
from eventsourcing.persistence import IntegrityError
from psycopg import sql

from lsun_events.application.erreurs import ErreurLsun
from lsun_events.projections.runner import rattraper as rattraper_ensemble

if TYPE_CHECKING:
    from lsun_events.application.app import LsunApp
    from lsun_events.projections.runner import Projecteur
    from lsun_events.systeme import Systeme

ATTENTE = 1.0  # seconds between two looks at the store when no notification arrives


class SuiviSQLiteError(ErreurLsun):
    def __init__(self) -> None:
        super().__init__("Le stockage SQLite (embarqué) n'a pas de processus de projection : ses vues sont mises à "
                         "jour dans le processus, après chaque commande. « projections suivre » sert au stockage "
                         "PostgreSQL (--store postgresql://…).")


class ProjectionInconnueError(ErreurLsun):
    def __init__(self, nom: str, connues: list[str]) -> None:
        super().__init__(f"Projection « {nom} » inconnue. Projections : {', '.join(connues)}.")


class _Arret(Exception):
    """Raised between two pages when a stop was asked."""


@contextmanager
def ecoute(app: LsunApp) -> Iterator[Callable[[float], None]]:
    """A function that waits at most ``n`` seconds for the store's next ``NOTIFY``."""
    datastore = app.recorder.datastore  # type: ignore[attr-defined]
    with datastore.get_connection() as conn:
        conn.execute(sql.SQL("LISTEN {}").format(sql.Identifier(app.recorder.channel_name)))  # type: ignore[attr-defined]
        conn.commit()

        def attendre(secondes: float) -> None:
            for _ in conn.notifies(timeout=secondes, stop_after=1):
                pass

        try:
            yield attendre
        finally:
            with suppress(psycopg.Error):
                conn.execute("UNLISTEN *")
                conn.commit()


def rattraper(projecteurs: list[Projecteur], app: LsunApp, arret: threading.Event,
              progression: Callable[[dict[str, int]], None] | None = None) -> dict[str, int]:
    """Catch the views up together (each page read once), stopping between two pages when ``arret`` is set.
    A page written meanwhile by another process (the in-process catch-up of a command) makes the page fail:
    read again from there."""
    lus = {p.nom: 0 for p in projecteurs}
    dans_l_appel: dict[str, int] = {}  # events of the pages already committed by the current call

    def apres_page(n: dict[str, int]) -> None:
        dans_l_appel.update(n)
        if progression:
            progression({nom: lus[nom] + k for nom, k in n.items()})
        if arret.is_set():
            raise _Arret

    def ajouter(n: dict[str, int]) -> None:
        for nom, k in n.items():
            lus[nom] += k

    while not arret.is_set():
        dans_l_appel.clear()
        try:
            ajouter(rattraper_ensemble(projecteurs, app, progression=apres_page))
            return lus
        except IntegrityError:
            ajouter(dans_l_appel)
        except _Arret:
            ajouter(dans_l_appel)
            return lus
    return lus


def suivre(systeme: Systeme, noms: list[str], arret: threading.Event, *, attente: float = ATTENTE,
           progression: Callable[[str, int], None] | None = None) -> dict[str, int]:
    """Follow the store until ``arret`` is set; returns how many events each view applied."""
    if systeme.store.kind != "postgresql":
        raise SuiviSQLiteError
    for nom in noms:
        if nom not in systeme.projecteurs:
            raise ProjectionInconnueError(nom, list(systeme.projecteurs))
    projecteurs = [systeme.projecteurs[nom] for nom in noms]
    lus = dict.fromkeys(noms, 0)

    def suivi(n: dict[str, int]) -> None:
        if progression:
            for nom, k in n.items():
                progression(nom, lus[nom] + k)

    with ecoute(systeme.app) as attendre:
        while not arret.is_set():
            for nom, k in rattraper(projecteurs, systeme.app, arret, suivi).items():
                lus[nom] += k
            if not arret.is_set():
                attendre(attente)
    return lus
