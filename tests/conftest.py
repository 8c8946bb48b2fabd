"""Stores for the tests: a real SQLite file and a real PostgreSQL (one schema per test).

PostgreSQL: ``LSUN_TEST_POSTGRES`` (default ``postgresql://postgres@127.0.0.1:5432/test``). When the
server is unreachable its tests are skipped with a visible notice, unless ``LSUN_EXIGER_POSTGRES=1``
(set by ``.ci/run``), which turns that into a failure.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

import psycopg
import pytest
from psycopg import sql

from lsun_events.application.app import LsunApp, ouvrir_application
from lsun_events.storage.config import Store
from lsun_events.systeme import Systeme, migrer

POSTGRES_URL = os.environ.get("LSUN_TEST_POSTGRES", "postgresql://postgres@127.0.0.1:5432/test")
EXIGER_POSTGRES = os.environ.get("LSUN_EXIGER_POSTGRES") == "1"


def _postgres_joignable() -> str | None:
    s = Store.depuis_url(POSTGRES_URL)
    try:
        with psycopg.connect(host=s.pg_host, port=s.pg_port, dbname=s.pg_dbname, user=s.pg_user,
                             password=s.pg_password, connect_timeout=3):
            return None
    except psycopg.Error as e:
        return str(e).strip().splitlines()[0] if str(e).strip() else type(e).__name__


_RAISON_PG = _postgres_joignable()


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """The heavier variants (marker ``lourd``), anywhere in the suite, run only when asked: ``make test-lourd``
    (``pytest -m lourd``); the default suite stays fast."""
    if "lourd" in (config.getoption("markexpr") or ""):
        return
    ignorer = pytest.mark.skip(reason="variante lourde : make test-lourd")
    for item in items:
        if "lourd" in item.keywords:
            item.add_marker(ignorer)


def pytest_report_header(config: pytest.Config) -> list[str]:
    if _RAISON_PG is None:
        return [f"PostgreSQL : tests exécutés sur {POSTGRES_URL}"]
    etat = "ÉCHEC (exigé par LSUN_EXIGER_POSTGRES=1)" if EXIGER_POSTGRES else "tests IGNORÉS"
    return [f"PostgreSQL injoignable ({_RAISON_PG}) : {etat}"]


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    if _RAISON_PG is not None and not EXIGER_POSTGRES:
        terminalreporter.write_line(
            f"ATTENTION : PostgreSQL injoignable ({_RAISON_PG}) : les tests PostgreSQL ont été ignorés.",
            yellow=True, bold=True)


def exiger_postgres() -> None:
    if _RAISON_PG is None:
        return
    if EXIGER_POSTGRES:
        pytest.fail(f"PostgreSQL exigé mais injoignable : {_RAISON_PG}", pytrace=False)
    pytest.skip(f"PostgreSQL injoignable ({_RAISON_PG})")


def store_postgres_neuf(prefixe: str = "t") -> Store:
    """A fresh schema in the test database with every table (``migrer``); drop it with ``supprimer_schema``."""
    sep = "&" if "?" in POSTGRES_URL else "?"
    store = Store.depuis_url(f"{POSTGRES_URL}{sep}schema={prefixe}_{uuid.uuid4().hex[:12]}")
    migrer(store)
    return store


def supprimer_schema(store: Store) -> None:
    base = Store.depuis_url(POSTGRES_URL)
    with psycopg.connect(host=base.pg_host, port=base.pg_port, dbname=base.pg_dbname, user=base.pg_user,
                         password=base.pg_password, autocommit=True) as conn:
        conn.execute(sql.SQL("DROP SCHEMA IF EXISTS {} CASCADE").format(sql.Identifier(store.pg_schema)))


@contextmanager
def schema_postgres(prefixe: str = "t") -> Iterator[Store]:
    """A fresh schema (required: see ``exiger_postgres``), dropped on leaving."""
    exiger_postgres()
    store = store_postgres_neuf(prefixe)
    try:
        yield store
    finally:
        supprimer_schema(store)


@pytest.fixture
def store_postgresql() -> Iterator[Store]:
    """A fresh schema in the test database, dropped afterwards; its tables created by ``migrer``."""
    with schema_postgres() as store:
        yield store


@pytest.fixture
def store_sqlite(tmp_path) -> Store:
    return Store.depuis_url(f"sqlite:///{tmp_path / 'lsun.sqlite'}")


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def store(request: pytest.FixtureRequest) -> Store:
    """The same scenario on an SQLite file and on PostgreSQL."""
    return request.getfixturevalue(f"store_{request.param}")


@pytest.fixture
def app(store: Store) -> Iterator[LsunApp]:
    application = ouvrir_application(store)
    yield application
    application.close()


@pytest.fixture
def sans_proxy(monkeypatch: pytest.MonkeyPatch) -> None:
    """The S3E client talks to 127.0.0.1 directly, whatever the environment's proxies say (a test module asks for
    it with ``pytestmark = pytest.mark.usefixtures("sans_proxy")``)."""
    for nom in ("http_proxy", "HTTP_PROXY", "https_proxy", "HTTPS_PROXY", "all_proxy", "ALL_PROXY"):
        monkeypatch.delenv(nom, raising=False)
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")


def contenu_du_stockage(store: Store) -> list[tuple[object, ...]]:
    """Every stored event, as stored (for "the store is unchanged in content")."""
    with Systeme(store) as s:
        notes = s.app.recorder.select_notifications(start=None, limit=1_000_000)
    return [(n.id, n.originator_id, n.originator_version, n.topic, bytes(n.state)) for n in notes]
