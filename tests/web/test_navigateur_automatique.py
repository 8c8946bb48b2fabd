"""Automatic synchronisation on the chef's page, in a real browser: the state (on, last check, next check), a
truncated export held by the guard shown with its reason and previewed messages, abandoned then — for another
held source — applied by the chef; turning it off."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from lsun_events.automatique import service
from lsun_events.automatique.planification import Planification
from lsun_events.automatique.worker import Worker
from lsun_events.generateur import variantes as v
from lsun_events.generateur.ecriture import ecrire_s3e
from lsun_events.generateur.generation import generer
from lsun_events.storage.config import Store
from lsun_events.systeme import Systeme
from tests.s3e_local import JETON_TEST, demarrer_serveur_s3e
from tests.web.conftest import JOUR, UAI, Site, construire
from tests.web.navigateur import capturer, chromium, exiger_navigateur, serveur_uvicorn
from tests.web.test_navigateur import DELAI, se_connecter

QUATRE_A = ("2400115", "2400111", "2400134", "2400179", "2400154")  # 5 of the 7 pupils of 4A


@pytest.fixture(scope="module")
def banc(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    exiger_navigateur()
    dossier = tmp_path_factory.mktemp("automatique")
    site = construire(Store.depuis_url(f"sqlite:///{dossier / 'lsun.sqlite'}"), dossier)
    tronquee = generer("mini")
    for eleve_id in QUATRE_A:
        tronquee = v.retirer_eleve(tronquee, eleve_id)
    ecrire_s3e(tronquee, dossier / "s3e")
    with demarrer_serveur_s3e(dossier / "s3e") as s3e:
        yield {"site": site, "s3e": s3e, "dossier": dossier / "s3e", "tronquee": tronquee}


def cycle(site: Site) -> list[tuple[str, str]]:
    with Systeme(site.store) as systeme:
        plan = Planification(site.store)
        try:
            return Worker(systeme.app, plan, jeton=JETON_TEST, jour=JOUR).cycle()
        finally:
            plan.fermer()


@pytest.fixture(scope="module")
def page(banc: dict[str, Any]) -> Iterator[Any]:
    with serveur_uvicorn(banc["site"].app()) as url, chromium() as navigateur:
        contexte = navigateur.new_context(base_url=url, viewport={"width": 1280, "height": 1400}, locale="fr-FR")
        contexte.set_default_timeout(DELAI)
        p = contexte.new_page()
        yield p
        contexte.close()


def test_le_chef_active_voit_une_source_retenue_l_abandonne_puis_en_applique_une_autre(
        page: Any, banc: dict[str, Any], tmp_path: Path) -> None:
    site: Site = banc["site"]
    se_connecter(page, "principale")
    page.goto(f"/etablissements/{UAI}/synchronisation")
    assert page.inner_text("#auto-etat") == "désactivée"

    # The chef turns it on, with the S3E address.
    page.fill("#form-automatique input[name=adresse_s3e]", banc["s3e"].url)
    page.click("#auto-activer")
    page.wait_for_load_state()
    assert page.inner_text("#auto-etat") == "activée"
    assert "Synchronisation automatique activée." in page.inner_text("body")

    # The worker finds a truncated export: held, nothing applied.
    avant = site.evenements()
    assert cycle(site) == [(UAI, "retenue")]
    assert site.evenements() == avant + 2  # the held run's record only
    page.reload()
    retenue = page.locator("article.retenue")
    assert retenue.count() == 1
    assert retenue.locator(".raison").inner_text().startswith(
        "Source suspecte, rien n'a été appliqué : la division 4A perdrait 71 % de ses élèves")
    retenue.locator("summary").click()
    assert "L'élève Noémie HADDAD n'est plus scolarisé dans la division 4A." in retenue.inner_text()
    assert "(retenue)" in page.inner_text("#auto-derniere-verification")
    capturer(page, "synchronisation-retenue")

    # Abandoned: nothing applied.
    avant = site.evenements()
    retenue.locator("button.abandonner").click()
    page.wait_for_load_state()
    assert "Synchronisation retenue abandonnée : rien n'a été appliqué." in page.inner_text("body")
    assert page.locator("article.retenue").count() == 0
    assert site.evenements() == avant + 1

    # Another suspicious export (a division gone); the chef applies it after checking.
    ecrire_s3e(v.renommer_division(banc["tronquee"], "4B", "4 B"), banc["dossier"])
    with Systeme(site.store) as systeme:  # make the school due now
        plan = Planification(site.store)
        service.parametrer(systeme.app, plan, UAI, "Mme Dupont (chef)", active=True, adresse_s3e=banc["s3e"].url)
        plan.fermer()
    assert cycle(site) == [(UAI, "retenue")]
    page.reload()
    page.locator("article.retenue button.appliquer").click()
    page.wait_for_load_state()
    assert "/synchronisations/" in page.url
    textes = page.locator("li.message .texte").all_inner_texts()
    assert textes.count("L'élève Noémie HADDAD n'est plus scolarisé dans la division 4A.") == 1
    assert "La division 4B a été renommée 4 B." in textes
    capturer(page, "synchronisation-retenue-appliquee")

    # The history shows both held runs with their outcome; then the chef turns it off.
    page.goto(f"/etablissements/{UAI}/synchronisations")
    statuts = page.locator("td.statut").all_inner_texts()
    assert "abandonnée" in statuts
    assert "appliquée" in statuts
    page.goto(f"/etablissements/{UAI}/synchronisation")
    page.click("#auto-desactiver")
    page.wait_for_load_state()
    assert page.inner_text("#auto-etat") == "désactivée"
    assert cycle(site) == []
