"""In a real browser (Debian's Chromium, driven by Playwright) against the real server: the chef logs in, ticks two
divisions, simulates, synchronises, watches the progress bar finish and reads SPEC §4's exact messages; opens an
archived bilan; filters the audit log. An enseignant has no synchronise button and gets a 403; another school's
chef sees nothing; a form without its CSRF token is refused. Screenshots go to ``artifacts/captures/``."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from lsun_events.application.synchronisation import DemandeSynchronisation
from lsun_events.interfaces.web.sources_web import depot
from lsun_events.sources.snapshot import charger_exports
from tests.web.conftest import HUET, JOUR, MOT_DE_PASSE, UAI, Site, construire
from tests.web.navigateur import capturer, chromium, exiger_navigateur, serveur_uvicorn

MESSAGES_PAGE = [  # 3B comes first: the divisions are listed, hence selected, by code
    ("avertissement", "Aucune période n'est paramétrée pour la division 3B."),
    ("avertissement", "L'élève Noémie HADDAD n'est plus scolarisé dans la division 4A."),
    ("info", "Les informations LSUN de l'élève Timothée-Arthur HUET ont été archivées (1 bilan(s) verrouillé(s))."),
    ("info", "L'élève Timothée-Arthur HUET (4A) a été mis à jour."),
]
DELAI = 15_000  # ms


@pytest.fixture(scope="module")
def site_navigateur(tmp_path_factory: pytest.TempPathFactory) -> Site:
    exiger_navigateur()
    from lsun_events.storage.config import Store  # noqa: PLC0415

    dossier = tmp_path_factory.mktemp("navigateur")
    return construire(Store.depuis_url(f"sqlite:///{dossier / 'lsun.sqlite'}"), dossier)


@pytest.fixture(scope="module")
def application(site_navigateur: Site) -> Any:
    return site_navigateur.app()


@pytest.fixture(scope="module")
def adresse(application: Any) -> Iterator[str]:
    with serveur_uvicorn(application) as url:
        yield url


@pytest.fixture(scope="module")
def navigateur() -> Iterator[Any]:
    exiger_navigateur()
    with chromium() as b:
        yield b


@pytest.fixture
def page(navigateur: Any, adresse: str) -> Iterator[Any]:
    contexte = navigateur.new_context(base_url=adresse, viewport={"width": 1280, "height": 900}, locale="fr-FR",
                                      accept_downloads=True)
    contexte.set_default_timeout(DELAI)
    p = contexte.new_page()
    yield p
    contexte.close()


def se_connecter(page: Any, identifiant: str, *, capture: str | None = None) -> None:
    page.goto("/")
    page.fill("input[name=identifiant]", identifiant)
    page.fill("input[name=mot_de_passe]", MOT_DE_PASSE)
    if capture:
        capturer(page, capture)
    page.click("#connexion button[type=submit]")
    page.wait_for_load_state()


def attendre_la_fin(page: Any) -> None:
    """The task page once finished: rendered by the server as such, no more polling nor reload."""
    page.wait_for_selector("#suivi[data-fini=oui]")
    page.wait_for_load_state()


def messages_affiches(page: Any) -> list[tuple[str, str]]:
    return [("avertissement" if "avertissement" in li.get_attribute("class") else "info",
             li.locator(".texte").inner_text()) for li in page.locator("li.message").all()]


def test_le_chef_simule_synchronise_puis_consulte_archive_et_audit(page: Any, site_navigateur: Site,
                                                                   tmp_path: Path) -> None:
    # Log in: the chef lands on Paramétrage › Synchronisation.
    se_connecter(page, "principale", capture="connexion")
    assert page.locator("h1").inner_text() == "Synchronisation des données élèves et enseignants"
    assert page.locator(".fil").inner_text() == "Paramétrage › Synchronisation des données élèves et enseignants"
    capturer(page, "parametrage-synchronisation")

    # « Tout sélectionner » ticks every division, and unticks them.
    page.check("#tout-selectionner")
    assert all(c.is_checked() for c in page.locator("input.case-division").all())
    page.uncheck("#tout-selectionner")
    assert not any(c.is_checked() for c in page.locator("input.case-division").all())

    # Simulate two divisions: the messages, nothing saved.
    avant = site_navigateur.evenements()
    page.check("input.case-division[value='4A']")
    page.check("input.case-division[value='3B']")
    page.click("#simuler")
    attendre_la_fin(page)
    assert page.locator("#etat-progression").inner_text() == "Simulation terminée : rien n'a été enregistré."
    assert messages_affiches(page) == MESSAGES_PAGE
    capturer(page, "simulation")
    assert site_navigateur.evenements() == avant

    # Synchronise the same two divisions: the progress bar goes to the end, then the same messages.
    page.click("text=Nouvelle synchronisation")
    page.check("input.case-division[value='4A']")
    page.check("input.case-division[value='3B']")
    page.click("#synchroniser")
    attendre_la_fin(page)
    assert page.locator("#etat-progression").inner_text() == "Synchronisation terminée."
    barre = page.locator("#progression")
    assert barre.get_attribute("value") == barre.get_attribute("max") == "13"
    assert page.locator("#compte-eleves").inner_text() == "Élèves traités : 13 / 13"
    assert messages_affiches(page) == MESSAGES_PAGE
    assert page.locator("#compteurs-messages").inner_text() == (
        "4 message(s) : 2 avertissement(s) 2 information(s)")
    fond_avertissement = page.locator("li.message.avertissement").first.evaluate(
        "e => getComputedStyle(e).backgroundColor")
    fond_info = page.locator("li.message.info").first.evaluate("e => getComputedStyle(e).backgroundColor")
    assert fond_avertissement != fond_info
    assert [t.inner_text() for t in page.locator("li.message.avertissement .niveau").all()] == ["AVERTISSEMENT"] * 2
    capturer(page, "synchronisation", docs=True)
    assert site_navigateur.evenements() > avant

    # The report as CSV.
    with page.expect_download() as telechargement:
        page.click("#telecharger-csv")
    chemin = tmp_path / "rapport.csv"
    telechargement.value.save_as(chemin)
    lignes = chemin.read_text(encoding="utf-8-sig").splitlines()
    assert lignes[0] == "division;niveau;code;message;champ;ancien;nouveau"
    assert [ligne.rsplit(";", 3)[0] for ligne in lignes[1:]] == [
        f"{'3B' if i == 0 else '4A'};{n};{c};{t}" for i, ((n, t), c) in
        enumerate(zip(MESSAGES_PAGE, ["M5", "M1", "M12", "M2"], strict=True))]
    assert lignes[-1].endswith(";Prénoms;Timothée, Arthur;Timothée-Arthur")  # M2: what changed

    # The history: the run, who, which divisions; its report re-opened.
    page.click("nav.menu >> text=Historique des synchronisations")
    ligne = page.locator("table.runs tbody tr").first
    cellules = [c.inner_text() for c in ligne.locator("td").all()]
    assert cellules[1:5] == ["Mme Dupont (chef)", "3B, 4A", "non", "terminée"]
    capturer(page, "historique")
    ligne.locator("text=Rapport").click()
    assert messages_affiches(page) == MESSAGES_PAGE

    # The locked T1 bilan of HUET: renamed now, archived as it was.
    page.click("nav.menu >> text=Bilans")
    page.click("nav.divisions >> text=4A")
    page.click("nav.divisions .division.choisie >> text=T1")
    page.click("table.bilans >> text=Timothée-Arthur HUET")
    assert page.locator("#etat-bilan").inner_text() == "verrouillé"
    archive = page.locator("section.archive")
    assert archive.count() == 1
    assert archive.locator(".eleve-archive").inner_text() == "Timothée HUET"
    assert "par Mme Dupont (chef)" in archive.locator("h3").inner_text()
    assert page.locator("table.historique tbody tr").last.locator("td").nth(3).inner_text() == "Bilan archivé"
    capturer(page, "bilan-archive")

    # Who changed HUET: the audit log filtered by pupil, then by acteur and date.
    page.click("nav.menu >> text=Qui a modifié quoi")
    page.fill("input[name=eleve]", HUET)
    page.click("#filtres-audit button[type=submit]")
    lignes_audit = page.locator("table.audit tbody tr")
    prenoms = lignes_audit.filter(has_text="Élève mis à jour").filter(has_text="Prénoms")
    assert prenoms.count() == 1
    assert prenoms.locator("td.ancien").inner_text() == "Timothée, Arthur"
    assert prenoms.locator("td.nouveau").inner_text() == "Timothée-Arthur"
    assert prenoms.locator("td").nth(1).inner_text() == "Mme Dupont (chef)"
    capturer(page, "audit")
    page.select_option("select[name=acteur]", "Mme Dupont (chef)")
    page.fill("input[name=au]", "2000-01-01")
    page.click("#filtres-audit button[type=submit]")
    assert page.locator("#total-audit").inner_text() == "0 modification(s)."


def test_la_barre_de_progression_suit_une_synchronisation_en_cours(page: Any, application: Any,
                                                                   site_navigateur: Site) -> None:
    se_connecter(page, "principale")
    # A run whose source arrives only when the test says so: the page shows it reading, then polls to the end.
    relache = threading.Event()
    d = depot(application.state.reglages, UAI)
    assert d is not None

    def source_retenue() -> Any:
        relache.wait(10)
        return charger_exports(d.siecle, d.sts, uai_attendu=UAI)

    demande = DemandeSynchronisation(uai=UAI, acteur="Mme Dupont (chef)", jour=JOUR, divisions=("4A",),
                                     simulation=True)
    tache = application.state.taches.lancer(demande, "principale", "source du test", source_retenue)
    sondages: list[str] = []
    page.on("response", lambda r: sondages.append(r.url) if "/api/taches/" in r.url else None)
    page.goto(f"/etablissements/{UAI}/taches/{tache.id}")
    assert page.locator("#etat-progression").inner_text() == "Lecture de la source…"
    assert page.locator("#progression").get_attribute("value") == "0"
    relache.set()
    attendre_la_fin(page)
    assert page.locator("#etat-progression").inner_text() == "Simulation terminée : rien n'a été enregistré."
    assert page.locator("#compte-eleves").inner_text() == "Élèves traités : 7 / 7"
    assert sondages, "la page n'a pas suivi la progression en JSON"


def test_l_enseignant_n_a_pas_de_bouton_et_l_api_lui_repond_403(page: Any, site_navigateur: Site) -> None:
    se_connecter(page, "prof")
    page.goto(f"/etablissements/{UAI}/synchronisation")
    assert page.locator("#synchroniser").count() == 0
    assert page.locator("#simuler").count() == 0
    assert page.locator("#reserve-chef").inner_text() == "Seul le chef d'établissement peut lancer une synchronisation."
    assert page.locator("nav.menu >> text=Qui a modifié quoi").count() == 0
    capturer(page, "enseignant")
    csrf = page.locator("input[name=csrf]").first.get_attribute("value")
    avant = site_navigateur.evenements()
    reponse = page.request.post(f"/api/etablissements/{UAI}/synchronisations", data={"divisions": ["4A"]},
                                headers={"X-CSRF-Token": csrf})
    assert reponse.status == 403
    assert reponse.json() == {"erreur": "Seul le chef d'établissement peut lancer une synchronisation."}
    assert site_navigateur.evenements() == avant


def test_le_chef_d_un_autre_etablissement_ne_voit_rien(page: Any) -> None:
    se_connecter(page, "autre-chef")
    for chemin in ("synchronisation", "synchronisations", "bilans?division=4A&periode=T1", "audit"):
        reponse = page.goto(f"/etablissements/{UAI}/{chemin}")
        assert reponse.status == 403
        assert page.locator("#message-erreur").inner_text() == (
            "Accès refusé : votre compte n'a pas accès à l'établissement 0999001X.")
        assert "HUET" not in page.content()
    capturer(page, "autre-etablissement")


def test_un_formulaire_sans_jeton_csrf_est_refuse(page: Any, site_navigateur: Site) -> None:
    se_connecter(page, "principale")
    page.goto(f"/etablissements/{UAI}/synchronisation")
    page.locator("#form-synchronisation input[name=csrf]").evaluate("e => e.remove()")
    page.check("input.case-division[value='4B']")
    avant = site_navigateur.evenements()
    with page.expect_navigation():
        page.click("#synchroniser")
    assert page.locator("h1").inner_text() == "Accès refusé"
    assert page.locator("#message-erreur").inner_text().startswith("Jeton de sécurité (CSRF) absent ou invalide")
    assert site_navigateur.evenements() == avant
