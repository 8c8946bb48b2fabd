"""SPEC §9 in a real browser: the chef synchronises 4A, opens the run's report, presses « Annuler cette
synchronisation », reads the preview (nothing saved), confirms; the undo's report opens, and the undone run is
marked « annulée le … par … » in its report and in the history, with no button left to undo it again."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tests.web.conftest import Site
from tests.web.navigateur import capturer, onglet, serveur_uvicorn, site_sqlite
from tests.web.test_navigateur import attendre_la_fin, messages_affiches, se_connecter


@pytest.fixture(scope="module")
def site_annulation(tmp_path_factory: pytest.TempPathFactory) -> Site:
    return site_sqlite(tmp_path_factory, "annulation-navigateur")


@pytest.fixture(scope="module")
def adresse(site_annulation: Site) -> Iterator[str]:
    with serveur_uvicorn(site_annulation.app()) as url:
        yield url


@pytest.fixture
def page(adresse: str) -> Iterator[Any]:
    with onglet(adresse) as p:
        yield p


def test_apercu_confirmation_puis_run_marque_annule(page: Any, site_annulation: Site) -> None:
    se_connecter(page, "principale")
    page.check("input.case-division[value='4A']")
    page.click("#synchroniser")
    attendre_la_fin(page)
    synchronisation = messages_affiches(page)
    assert ("info", "L'élève Timothée-Arthur HUET (4A) a été mis à jour.") in synchronisation
    page.click("#lien-rapport")
    rapport = page.url

    avant = site_annulation.evenements()
    page.click("#annuler-synchronisation button")
    attendre_la_fin(page)
    assert page.locator("#etat-progression").inner_text() == "Aperçu terminé : rien n'a été enregistré."
    apercu = messages_affiches(page)
    assert apercu[0][1].startswith("La synchronisation du ") and apercu[0][1].endswith(
        "(Mme Dupont (chef)) a été annulée.")
    assert ("info", "L'élève Timothée HUET (4A) a été mis à jour.") in apercu
    assert site_annulation.evenements() == avant  # a preview saves nothing
    capturer(page, "apercu-annulation")

    page.click("#confirmer-annulation button")
    attendre_la_fin(page)
    assert page.locator("#etat-progression").inner_text() == "Annulation terminée."
    assert page.locator("#compte-eleves").inner_text().startswith("Éléments remis : ")
    assert messages_affiches(page) == apercu  # what was previewed is what was done
    assert site_annulation.evenements() > avant
    page.click("#lien-rapport")
    assert messages_affiches(page) == apercu  # the report in the history, regenerated from the events
    assert page.locator("#annuler-synchronisation").count() == 0  # an undo is not undone

    page.click("#annule a")
    assert page.url == rapport
    marque = page.locator("#annulee").inner_text()
    assert marque.startswith("annulée le ") and "par Mme Dupont (chef)" in marque
    assert page.locator("#annuler-synchronisation").count() == 0
    capturer(page, "run-annule")

    page.goto("/etablissements/0999001X/synchronisations")
    badges = page.locator("span.badge.annulee").all()
    assert len(badges) == 1 and badges[0].inner_text().startswith("annulée le ")
    assert page.locator("span.badge.annulation").count() == 1
