"""Issue 16 in a real browser: the chef previews a run; under « L'élève … a été mis à jour. » what changed is folded,
and unfolds on a click — the field, the old and the new first names — before anything is written."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.web.conftest import Site
from tests.web.navigateur import capturer, onglet, serveur_uvicorn, site_sqlite
from tests.web.test_navigateur import attendre_la_fin, se_connecter

M2 = "L'élève Timothée-Arthur HUET (4A) a été mis à jour."


@pytest.fixture(scope="module")
def site_details(tmp_path_factory: pytest.TempPathFactory) -> Site:
    return site_sqlite(tmp_path_factory, "details")


@pytest.fixture(scope="module")
def adresse(site_details: Site) -> Iterator[str]:
    with serveur_uvicorn(site_details.app()) as url:
        yield url


@pytest.fixture
def page(adresse: str) -> Iterator[Any]:
    with onglet(adresse) as p:
        yield p


def test_la_simulation_deplie_ce_qui_a_change(page: Any, site_details: Site, tmp_path: Path) -> None:
    avant = site_details.evenements()
    se_connecter(page, "principale")
    page.check("input.case-division[value='4A']")
    page.click("#simuler")
    attendre_la_fin(page)

    message = page.locator("li.message", has_text=M2)
    details = message.locator("details.details-message")
    tableau = details.locator("table.details")
    assert details.locator("summary").inner_text() == "Ce qui a changé (1 champ)"
    assert not tableau.is_visible()  # folded

    details.locator("summary").click()
    assert tableau.is_visible()
    assert details.get_attribute("open") is not None
    cellules = [c.inner_text() for c in tableau.locator("tbody tr").first.locator("th, td").all()]
    assert cellules == ["Prénoms", "Timothée, Arthur", "Timothée-Arthur"]
    capturer(page, "simulation-details")
    assert site_details.evenements() == avant  # a preview: nothing written

    details.locator("summary").click()
    assert not tableau.is_visible()  # folded again
