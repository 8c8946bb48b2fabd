"""Where a view lives: a SQLite file beside the event store (one file per view), or tables prefixed by
the view's name in the PostgreSQL schema of the store. Built by the library's infrastructure factory."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from eventsourcing.persistence import InfrastructureFactory
from eventsourcing.postgres import PostgresTrackingRecorder
from eventsourcing.sqlite import SQLiteTrackingRecorder
from eventsourcing.utils import Environment
from psycopg.sql import SQL, Identifier

from lsun_events.projections.base import Dialecte, Modele, VueMixin
from lsun_events.storage.config import Store


class VueSQLite(VueMixin, SQLiteTrackingRecorder):
    """A view in its own SQLite file (WAL). Its commits are not flushed to disk one by one
    (``synchronous=NORMAL``): a page and its tracking row are still written together or not at all, and
    pages lost to a power cut are lost with their position, so they are simply applied again."""

    dialecte = Dialecte("sqlite", table=lambda nom: f'"{nom}"')

    def __init__(self, datastore: Any, **kwargs: Any) -> None:
        pool = datastore.pool
        ouvrir = pool._create_connection

        def ouvrir_sans_flush() -> Any:
            connexion = ouvrir()
            connexion._sqlite_conn.execute("PRAGMA synchronous=NORMAL")
            # A page may write thousands of rows: checkpoint the WAL every ~40 MB rather than every 4 MB.
            connexion._sqlite_conn.execute("PRAGMA wal_autocheckpoint=10000")
            # Debian's SQLite zeroes every page a DELETE frees (secure_delete=ON): emptying a view before a
            # rebuild then wrote the whole file into the WAL (1.8 GB for the audit of 1,000,000 events). FAST
            # still zeroes what it can without extra writes; and every value deleted from a view is kept in the
            # events (and in the audit log) anyway.
            connexion._sqlite_conn.execute("PRAGMA secure_delete=FAST")
            return connexion

        pool._create_connection = ouvrir_sans_flush
        super().__init__(datastore, **kwargs)

    def construct_create_table_statements(self) -> list[str]:
        return [*super().construct_create_table_statements(), *self.modele.creations(self.dialecte)]

    def _table_suivi(self) -> str:
        return "tracking"


class VuePostgres(VueMixin, PostgresTrackingRecorder):
    def __init__(self, datastore: Any, **kwargs: Any) -> None:
        super().__init__(datastore, **kwargs)
        self.sql_create_statements.extend(SQL(s) for s in self.modele.creations(self.dialecte))  # type: ignore[arg-type]

    @property
    def dialecte(self) -> Dialecte:  # type: ignore[override]
        schema = self.datastore.schema
        return Dialecte("postgresql", table=lambda nom: f'"{schema}"."{nom}"', grand_entier="BIGINT")

    def _table_suivi(self) -> str:
        return f'"{self.datastore.schema}"."{self.tracking_table_name}"'

    def _schema_ident(self) -> Identifier:
        return Identifier(self.datastore.schema)


def fichier_de_vue(store: Store, nom: str) -> Path:
    assert store.sqlite_path is not None
    return store.sqlite_path.with_name(f"{store.sqlite_path.stem}.{nom}{store.sqlite_path.suffix or '.sqlite'}")


def construire_vue(store: Store, modele: Modele, *, creer_tables: bool | None = None) -> VueMixin:
    """The view's tracking recorder (tables created for SQLite, or when asked: ``migrer``)."""
    env = store.env(creer_tables=creer_tables)
    if store.kind == "sqlite":
        env["SQLITE_DBNAME"] = str(fichier_de_vue(store, modele.nom))
        base: type = VueSQLite
    else:
        base = VuePostgres
    classe = type(f"Vue_{modele.nom}_{store.kind}", (base,), {"modele": modele})
    factory = InfrastructureFactory.construct(Environment(modele.nom, env))
    return factory.tracking_recorder(classe)  # type: ignore[return-value]
