"""The scenario built once per test module and store (its tests only read it): an SQLite file, and a PostgreSQL
schema of its own dropped afterwards."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from lsun_events.storage.config import Store
from tests.conftest import schema_postgres
from tests.projections import scenario as sc


@pytest.fixture(scope="module", params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def histoire(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[sc.Scenario]:
    dossier = tmp_path_factory.mktemp("histoire")
    if request.param == "sqlite":
        yield sc.construire(Store.depuis_url(f"sqlite:///{dossier / 'lsun.sqlite'}"), dossier)
        return
    with schema_postgres() as store:
        yield sc.construire(store, dossier)
