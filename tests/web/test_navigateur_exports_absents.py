"""R13 in a real browser: a chef deposits a delivery without ResponsablesAvecAdresses.xml; the simulation and the run
say that the guardians are kept as LSUN knows them, the run's report in the history says it again, and the locked
bilans of pupils whose only difference is the absent file are not archived."""

from __future__ import annotations

import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from lsun_events.interfaces.web.reglages import Reglages
from lsun_events.interfaces.web.sources_web import deposer
from tests.web.conftest import UAI, Site, exports_modifies
from tests.web.navigateur import capturer, onglet, serveur_uvicorn, site_sqlite
from tests.web.test_navigateur import attendre_la_fin, messages_affiches, se_connecter

ABSENT = "Export facultatif absent : ResponsablesAvecAdresses.xml — les responsables légaux des élèves sont gardés " \
         "tels que LSUN les connaît."


@pytest.fixture(scope="module")
def site_sans_responsables(tmp_path_factory: pytest.TempPathFactory) -> Site:
    site = site_sqlite(tmp_path_factory, "sans-responsables")
    dossier = site.donnees.parent
    siecle, sts = exports_modifies(dossier / "livraison")
    partiel = dossier / "livraison" / "siecle-partiel.zip"
    with zipfile.ZipFile(siecle) as complet, zipfile.ZipFile(partiel, "w") as sortie:
        for nom in complet.namelist():
            if nom != "ResponsablesAvecAdresses.xml":
                sortie.writestr(nom, complet.read(nom))
    reglages = Reglages.depuis_environnement(site.store, donnees=site.donnees, secret="secret-des-tests")
    with partiel.open("rb") as f_siecle, sts.open("rb") as f_sts:
        deposer(reglages, UAI, "2025", "Mme Dupont (chef)", ("siecle.zip", f_siecle), (sts.name, f_sts))
    return site


@pytest.fixture(scope="module")
def adresse(site_sans_responsables: Site) -> Iterator[str]:
    with serveur_uvicorn(site_sans_responsables.app()) as url:
        yield url


@pytest.fixture
def page(adresse: str) -> Iterator[Any]:
    with onglet(adresse) as p:
        yield p


def test_la_page_dit_l_export_absent_et_ce_qui_est_garde(page: Any, site_sans_responsables: Site,
                                                         tmp_path: Path) -> None:
    se_connecter(page, "principale")
    page.check("input.case-division[value='4A']")
    page.click("#simuler")
    attendre_la_fin(page)
    assert page.locator("p.export-absent").inner_text() == ABSENT
    simulation = messages_affiches(page)
    capturer(page, "simulation-export-absent")

    page.click("text=Nouvelle synchronisation")
    page.check("input.case-division[value='4A']")
    page.click("#synchroniser")
    attendre_la_fin(page)
    assert page.locator("p.export-absent").inner_text() == ABSENT
    assert messages_affiches(page) == simulation
    # Only HUET's real change (his first name) archives his locked T1: the guardians of the others stay.
    assert [t for _, t in simulation if "archivées" in t] == [
        "Les informations LSUN de l'élève Timothée-Arthur HUET ont été archivées (1 bilan(s) verrouillé(s))."]
    assert [t for _, t in simulation if "mis à jour" in t] == ["L'élève Timothée-Arthur HUET (4A) a été mis à jour."]

    page.click("#lien-rapport")
    assert "ResponsablesAvecAdresses.xml : les responsables légaux des élèves sont gardés" in \
        page.locator("dd.export-absent").inner_text()
