"""Read models built from the events, with exactly-once tracking.

A ``Modele`` says which tables a view has and how a page of events changes them. The view itself is a
tracking recorder of the eventsourcing library (``SQLiteTrackingRecorder`` / ``PostgresTrackingRecorder``):
the rows of a page and the position of its last event are written in one transaction, and the position
only moves forward, so no event is applied twice and a crash resumes where it stopped. Embedded (SQLite):
one file per view, caught up in-process after each command. PostgreSQL: tables prefixed by the view's
name in the store's schema, followed by their own process (``lsun-events projections suivre``)."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from lsun_events.storage.sql import Curseur, Dialecte

__all__ = ["Curseur", "Dialecte", "Modele", "VueMixin"]  # Curseur, Dialecte: defined in storage.sql


class Modele(ABC):
    """One read model: its identity (``nom``, never renamed quietly), the topics it reads (none: all),
    its tables, and how a page of events changes them."""

    nom: str
    topics: tuple[str, ...] = ()
    cout: int = 1  # relative cost of applying the events (to share a rebuild between processes)
    # The version of the view's tables: raised whenever they change (a column added, a table dropped…). A view
    # stored under another version is dropped and rebuilt from the events when opened (``VueMixin.assurer_version``)
    # — an académie upgrading has nothing to know. A view from before versions existed counts as version 1.
    version: int = 1
    anciennes_tables: tuple[str, ...] = ()  # tables of earlier versions, dropped with the others

    @property
    def table_version(self) -> str:
        return f"{self.nom}_version"

    @abstractmethod
    def creations(self, d: Dialecte) -> list[str]:
        """CREATE TABLE/INDEX statements (IF NOT EXISTS)."""

    @abstractmethod
    def tables(self, d: Dialecte) -> list[str]:
        """Every table of the view, to empty it before a rebuild."""

    @abstractmethod
    def traiter(self, c: Curseur, page: list[tuple[int, Any]]) -> None:
        """Apply a page of (notification id, domain event), in order."""


class VueMixin:
    """Shared by the SQLite and PostgreSQL view recorders."""

    modele: Modele
    dialecte: Dialecte

    @contextmanager
    def transaction(self, *, ecrire: bool) -> Iterator[Curseur]:
        with self.datastore.transaction(commit=ecrire) as brut:  # type: ignore[attr-defined]
            yield Curseur(brut, self.dialecte)

    def appliquer_page(self, application: str, page: list[tuple[int, Any]], position: int,
                       depuis: int | None = None) -> bool:
        """The page's rows and the new position, in one transaction. ``depuis``: the position the page was
        read from; if another process moved the view meanwhile (a follower and a command's catch-up), nothing
        is written and False is returned: read again from the view's position."""
        from eventsourcing.persistence import Tracking  # noqa: PLC0415

        with self.transaction(ecrire=True) as c:
            if self.dialecte.nom == "postgresql":
                # The view's commit need not wait for the WAL flush: a server crash may lose the last pages,
                # always with their position (same transaction), so they are applied again (docs/fiabilite.md).
                c.executer("SET LOCAL synchronous_commit = off")
            if depuis is not None and self._position_verrouillee(c, application) != depuis:
                return False
            self.modele.traiter(c, page)
            self._insert_tracking(c.brut, Tracking(application, position))  # type: ignore[attr-defined]
        return True

    def _position_verrouillee(self, c: Curseur, application: str) -> int:
        """The view's position, read under the write lock that this transaction keeps until it commits."""
        suivi = self._table_suivi()
        if self.dialecte.nom == "sqlite":  # take SQLite's write lock now (a no-op write), then read
            c.executer(f"UPDATE {suivi} SET notification_id = notification_id WHERE application_name = ?",
                       (application,))
            lignes = c.lignes(f"SELECT notification_id FROM {suivi} WHERE application_name = ?", (application,))
        else:
            lignes = c.lignes(f"SELECT notification_id FROM {suivi} WHERE application_name = ? FOR UPDATE",
                              (application,))
        return int(lignes[0]["notification_id"]) if lignes else 0

    def assurer_version(self) -> str | None:
        """The view's tables as ``modele.version`` wants them. A view stored under another version (or one from
        before versions, which counts as 1) is dropped, created anew and its position forgotten, so the next
        catch-up rebuilds it from the first event; returns why, or None when nothing was done. A fresh view just
        records its version."""
        d = self.dialecte
        modele = self.modele
        table = d.table(modele.table_version)
        with self.transaction(ecrire=True) as c:
            if d.nom == "postgresql":  # two processes opening the view at once: one decides, the other sees it
                c.executer("SELECT pg_advisory_xact_lock(hashtext(?))", (table,))
            c.executer(f"CREATE TABLE IF NOT EXISTS {table} (version {d.entier})")
            lignes = c.lignes(f"SELECT version FROM {table}")
            stockee = int(lignes[0]["version"]) if lignes else None
            if stockee == modele.version:
                return None
            suivi = self._table_suivi()
            positions = c.lignes(f"SELECT MAX(notification_id) AS n FROM {suivi} WHERE application_name <> ?",
                                 ("__migration__",))
            construite = bool(positions and positions[0]["n"])
            raison = None
            if construite and (stockee or 1) != modele.version:
                for nom in (*modele.tables(d), *(d.table(t) for t in modele.anciennes_tables)):
                    c.executer(f"DROP TABLE IF EXISTS {nom}")
                for instruction in modele.creations(d):
                    c.executer(instruction)
                c.executer(f"DELETE FROM {suivi} WHERE application_name <> ?", ("__migration__",))
                raison = (f"vue « {modele.nom} » stockée en version {stockee or 1}, ce code l'écrit en version "
                          f"{modele.version} : recréée, elle se reconstruit depuis le premier événement")
            c.executer(f"DELETE FROM {table}")
            c.executer(f"INSERT INTO {table} (version) VALUES (?)", (modele.version,))
        return raison

    def vider(self) -> None:
        """Empty the view and forget its position (before a rebuild from position 0)."""
        with self.transaction(ecrire=True) as c:
            for table in self.modele.tables(self.dialecte):
                c.executer(f"DELETE FROM {table}")
            # Keep the library's own "__migration__" row: without it, the next table creation takes the
            # tracking table for an old one and renames it.
            c.executer(f"DELETE FROM {self._table_suivi()} WHERE application_name <> ?", ("__migration__",))

    def _table_suivi(self) -> str:
        raise NotImplementedError
