"""The scenario built once per test module and store (its tests only read it): an SQLite file, and a PostgreSQL
schema of its own dropped afterwards."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import psycopg
import pytest
from psycopg import sql

from lsun_events.config import Store
from lsun_events.systeme import migrer
from tests.conftest import POSTGRES_URL, exiger_postgres
from tests.projections import scenario as sc


@pytest.fixture(scope="module", params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def histoire(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[sc.Scenario]:
    dossier = tmp_path_factory.mktemp("histoire")
    if request.param == "sqlite":
        yield sc.construire(Store.depuis_url(f"sqlite:///{dossier / 'lsun.sqlite'}"), dossier)
        return
    exiger_postgres()
    schema = f"t_{uuid.uuid4().hex[:12]}"
    sep = "&" if "?" in POSTGRES_URL else "?"
    store = Store.depuis_url(f"{POSTGRES_URL}{sep}schema={schema}")
    migrer(store)
    try:
        yield sc.construire(store, dossier)
    finally:
        base = Store.depuis_url(POSTGRES_URL)
        with psycopg.connect(host=base.pg_host, port=base.pg_port, dbname=base.pg_dbname, user=base.pg_user,
                             password=base.pg_password, autocommit=True) as conn:
            conn.execute(sql.SQL("DROP SCHEMA IF EXISTS {} CASCADE").format(sql.Identifier(schema)))
