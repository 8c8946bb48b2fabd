"""Codes of any printable character (issue 14, SPEC §5): a school whose divisions are renamed ``4/A #1 ?x %20``,
``=HYPERLINK("http://x")`` and ``3B&x=1 ü``, with period codes holding ``/ # ? %`` and spaces. Every link of the
pages is followed and answers the right page; the forms' redirections land where they should; the API takes the
codes in its paths and query strings; every CSV the web serves (a run's report, from the history and from the
task, and « qui a modifié quoi ») writes a cell a spreadsheet would take for a formula as text; download names
are given in ASCII and in UTF-8 (RFC 5987). Both stores; the links also in Chromium."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any
from urllib.parse import quote, unquote, urljoin

import pytest
import requests
from bs4 import BeautifulSoup
from fastapi.testclient import TestClient

from lsun_events.aggregates.valeurs import Periode
from lsun_events.application.comptes import Comptes
from lsun_events.generateur import variantes as v
from lsun_events.generateur.ecriture import ecrire_exports
from lsun_events.generateur.generation import generer
from lsun_events.interfaces.web.rapport_web import cellule, piece_jointe
from lsun_events.interfaces.web.reglages import Reglages
from lsun_events.interfaces.web.sources_web import deposer
from lsun_events.sources.snapshot import charger_exports
from lsun_events.storage.config import Store
from lsun_events.systeme import Systeme
from tests.conftest import schema_postgres
from tests.web.conftest import HADDAD, HUET, JOUR, MOT_DE_PASSE, UAI, Site, attendre_tache, connecter, csrf_de
from tests.web.navigateur import chromium, exiger_navigateur, serveur_uvicorn

BARRE, FORMULE, ESPERLUETTE = "4/A #1 ?x %20", '=HYPERLINK("http://x")', "3B&x=1 ü"
DIVISIONS = {"4A": BARRE, "4B": FORMULE, "3B": ESPERLUETTE}
T1, T2 = "T1/3 #?", "T2 %20&"
PERIODES = [Periode(T1, date(2025, 9, 1), date(2025, 11, 30)), Periode(T2, date(2025, 12, 1), date(2026, 3, 1))]
PARTI = "2400151"  # a pupil of 4B, gone from the changed exports: a warning of the « =HYPERLINK » division
TABLEUR = ("=", "+", "-", "@", "\t", "\r")


def ecole_aux_codes() -> Any:
    ecole = generer("mini")
    for ancien, nouveau in DIVISIONS.items():
        ecole = v.renommer_division(ecole, ancien, nouveau)
    return ecole


def construire_codes(store: Store, dossier: Path) -> Site:
    site = Site(store, dossier / "donnees")
    ecole = ecole_aux_codes()
    rentree = ecrire_exports(ecole, dossier / "rentree")
    with Systeme(store) as s:
        s.app.importer(charger_exports(rentree.siecle_dossier, rentree.sts), "Mme la Principale", JOUR)
        for division in (BARRE, FORMULE):
            s.app.parametrer_periodes(UAI, division, PERIODES, "Mme la Principale")
            s.app.ouvrir_bilans(UAI, division, T1, "Mme la Principale")
        s.app.ouvrir_bilans(UAI, FORMULE, T2, "Mme la Principale")  # « %20 » in a path: see the browser's test
        s.rattraper()
    Comptes(store).ajouter("principale", "chef", MOT_DE_PASSE, uai=UAI, nom="Mme Dupont")
    site.jetons["principale"] = Comptes(store).creer_jeton("principale")
    novembre = v.retirer_eleve(v.retirer_eleve(v.renommer_eleve(ecole, HUET, prenoms=["Timothée-Arthur"]), HADDAD),
                               PARTI)
    ecrits = ecrire_exports(novembre, dossier / "novembre")
    assert ecrits.siecle_zip is not None
    reglages = Reglages.depuis_environnement(store, donnees=site.donnees, secret="secret-des-tests")
    with ecrits.siecle_zip.open("rb") as f_siecle, ecrits.sts.open("rb") as f_sts:
        deposer(reglages, UAI, "2025", "Mme Dupont (chef)", ("siecle.zip", f_siecle), (ecrits.sts.name, f_sts))
    return site


@pytest.fixture(scope="module", params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def site_codes(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    dossier = tmp_path_factory.mktemp("codes")
    if request.param == "sqlite":
        yield construire_codes(Store.depuis_url(f"sqlite:///{dossier / 'lsun.sqlite'}"), dossier)
        return
    with schema_postgres("c") as store:
        yield construire_codes(store, dossier)


@pytest.fixture(scope="module")
def client_codes(site_codes: Site) -> Iterator[TestClient]:
    with TestClient(site_codes.app()) as c:
        yield c


def soupe(html: str) -> BeautifulSoup:
    return BeautifulSoup(html, "html.parser")


def suivre(client: TestClient, depuis: Any, lien: Any) -> Any:
    """Follow a link of a page as a browser would (relative to the page's address)."""
    reponse = client.get(urljoin(str(depuis.url), lien["href"]))
    assert reponse.status_code == 200, (lien["href"], reponse.text[:300])
    return reponse


def lire_csv(texte: str) -> list[list[str]]:
    assert texte.startswith("\ufeff")
    return list(csv.reader(io.StringIO(texte[1:]), delimiter=";"))


def sans_formule(lignes: list[list[str]]) -> None:
    for ligne in lignes:
        for x in ligne:
            assert not x.startswith(TABLEUR), (x, ligne)


def test_chaque_lien_des_pages_mene_a_sa_page(client_codes: TestClient) -> None:
    client = client_codes
    connecter(client, "principale")
    bilans = client.get(f"/etablissements/{UAI}/bilans")
    liens = {a.select_one("strong").text: a for a in soupe(bilans.text).select("nav.divisions .division > a")}
    assert set(liens) == {BARRE, FORMULE, ESPERLUETTE}
    for code, lien in liens.items():
        page = suivre(client, bilans, lien)
        assert soupe(page.text).select_one("section h2").text.startswith(f"Division {code}")
    # A division, then each of its periods, then each pupil's bilan, then back by the « fil ».
    division = suivre(client, bilans, liens[BARRE])
    periodes = {a.text: a for a in soupe(division.text).select(".division.choisie .periodes a")}
    assert set(periodes) == {T1}
    page_t1 = suivre(client, division, periodes[T1])
    assert soupe(page_t1.text).select_one("section h2").text == f"Division {BARRE} — période {T1}"
    eleves = soupe(page_t1.text).select("table.bilans tbody td:first-child a")
    assert len(eleves) == 7
    for lien in eleves:
        bilan = suivre(client, page_t1, lien)
        fiche = {dt.text: dd.text for dt, dd in zip(soupe(bilan.text).select(".fiche dt"),
                                                    soupe(bilan.text).select(".fiche dd"), strict=False)}
        assert (fiche["Division"], fiche["Période"].split(" (")[0]) == (BARRE, T1)
    retour = suivre(client, bilan, soupe(bilan.text).select_one(".fil a"))
    assert soupe(retour.text).select_one("section h2").text == f"Division {BARRE} — période {T1}"
    # The periods page: links to the opened bilans, anchors of each division.
    page_periodes = client.get(f"/etablissements/{UAI}/periodes")
    ouverts = soupe(page_periodes.text).select(f"section[id='division-{FORMULE}'] a")
    assert [a.text for a in ouverts] == ["ouverts", "ouverts"]
    assert soupe(suivre(client, page_periodes, ouverts[0]).text).select_one("section h2").text == (
        f"Division {FORMULE} — période {T1}")


def test_les_formulaires_renvoient_a_la_bonne_page(client_codes: TestClient, site_codes: Site) -> None:
    client = client_codes
    csrf = connecter(client, "principale")
    eleve = client.get(f"/etablissements/{UAI}/bilans", params={"division": FORMULE, "periode": T1})
    lien = soupe(eleve.text).select_one("table.bilans tbody td:first-child a")
    bilan = suivre(client, eleve, lien)
    formulaire = soupe(bilan.text).select_one("#verrouillage-bilan")
    donnees = {x["name"]: x["value"] for x in formulaire.select("input[type=hidden]")}
    assert donnees["retour"] == lien["href"]
    apres = client.post(formulaire["action"], data={**donnees, "verrouiller": "true"}, follow_redirects=False)
    assert apres.headers["location"] == lien["href"]
    page = suivre(client, bilan, {"href": apres.headers["location"]})
    assert soupe(page.text).select_one("#etat-bilan").text == "verrouillé"
    assert soupe(page.text).select(".fiche dd")[1].text == FORMULE

    for verrouiller, verbe in (("true", "verrouillé(s)"), ("false", "déverrouillé(s)")):
        division = client.post(f"/etablissements/{UAI}/bilans/verrouillage", data={
            "csrf": csrf, "division": BARRE, "periode": T1, "verrouiller": verrouiller})
        assert soupe(division.text).select_one("section h2").text == f"Division {BARRE} — période {T1}"
        assert soupe(division.text).select_one(".flash.ok").text == f"7 bilan(s) {verbe}."

    ouverture = client.post(f"/etablissements/{UAI}/bilans/ouverture", data={
        "csrf": csrf, "division": BARRE, "periode": T2})
    assert soupe(ouverture.text).select_one("section h2").text == f"Division {BARRE} — période {T2}"
    assert len(soupe(ouverture.text).select("table.bilans tbody tr")) == 7

    periodes = client.post(f"/etablissements/{UAI}/periodes", data={
        "csrf": csrf, "division": ESPERLUETTE, "code": ["S1 #1/2", "S2?"], "debut": ["2025-09-01", "2026-02-01"],
        "fin": ["2026-01-31", "2026-07-04"]}, follow_redirects=False)
    assert periodes.headers["location"] == f"/etablissements/{UAI}/periodes#division-{quote(ESPERLUETTE, safe='')}"
    page = client.get(periodes.headers["location"])
    section = soupe(page.text).select_one(f"section[id='division-{ESPERLUETTE}']")
    assert [td.text for td in section.select("table tbody td:first-child")] == ["S1 #1/2", "S2?"]


def test_l_api_prend_les_codes_dans_ses_chemins_et_ses_requetes(site_codes: Site) -> None:
    """Against the real server: Starlette's test client decodes a path twice (« %2520 » would reach the
    application as a space), a server once."""
    chef = site_codes.entete("principale")
    with serveur_uvicorn(site_codes.app()) as base:
        def get(chemin: str, **kwargs: Any) -> Any:
            return requests.get(base + chemin, headers=chef, timeout=10, **kwargs)

        divisions = get(f"/api/etablissements/{UAI}/divisions").json()["divisions"]
        assert {d["code"] for d in divisions} == {BARRE, FORMULE, ESPERLUETTE}
        for division, periode in ((BARRE, T1), (FORMULE, T1), (FORMULE, T2)):
            liste = get(f"/api/etablissements/{UAI}/bilans", params={"division": division, "periode": periode}).json()
            effectif = {BARRE: 7, FORMULE: 5}[division]
            assert (liste["division"], liste["periode"], len(liste["bilans"])) == (division, periode, effectif)
            un = liste["bilans"][0]
            bilan = get(f"/api/etablissements/{UAI}/bilans/{quote(un['eleve_id'], safe='')}/{quote(periode, safe='')}")
            assert bilan.status_code == 200, bilan.text
            assert (bilan.json()["division"], bilan.json()["periode"]["code"]) == (division, periode)
        corps = {"periodes": [{"code": p.code, "debut": p.debut.isoformat(), "fin": p.fin.isoformat()}
                              for p in PERIODES]}
        avant = site_codes.evenements()
        for code in (BARRE, FORMULE):
            reponse = requests.post(f"{base}/api/etablissements/{UAI}/divisions/{quote(code, safe='')}/periodes",
                                    json=corps, headers=chef, timeout=10)
            assert (reponse.status_code, reponse.json().get("division")) == (200, code), reponse.text
        assert site_codes.evenements() == avant  # the same periods: nothing changes
        verrou = requests.post(f"{base}/api/etablissements/{UAI}/verrouillage", json={
            "division": FORMULE, "periode": T2, "eleve": un["eleve_id"]}, headers=chef, timeout=10)
        assert verrou.json()["bilans"] == 1


def test_chaque_csv_ecrit_en_texte_ce_qu_un_tableur_prendrait_pour_une_formule(client_codes: TestClient,
                                                                               site_codes: Site) -> None:
    client = client_codes
    csrf = connecter(client, "principale")
    lance = client.post(f"/api/etablissements/{UAI}/synchronisations", json={"toutes": True},
                        headers={"X-CSRF-Token": csrf})
    assert lance.status_code == 202, lance.text
    fini = attendre_tache(client, lance.json()["suivi"])
    assert fini["etat"] == "terminee", fini
    messages = fini["resultat"]["messages"]
    assert any(m["division"] == FORMULE and m["code"] == "M1" for m in messages), messages
    run = fini["synchronisation"]

    rapport = client.get(f"/etablissements/{UAI}/synchronisations/{run}/csv")
    tache = client.get(f"/etablissements/{UAI}/taches/{lance.json()['tache']}/csv")
    for reponse in (rapport, tache):
        lignes = lire_csv(reponse.text)
        assert lignes[0] == ["division", "niveau", "code", "message", "champ", "ancien", "nouveau"]
        assert "'" + FORMULE in [x[0] for x in lignes[1:]]
        assert {x[0] for x in lignes[1:]} <= {BARRE, "'" + FORMULE, ESPERLUETTE}
        sans_formule(lignes)
        assert reponse.headers["content-disposition"].startswith('attachment; filename="')

    audit = client.get(f"/etablissements/{UAI}/audit", params={"synchronisation": run})
    lien = soupe(audit.text).select_one("#telecharger-audit")
    fichier = suivre(client, audit, lien)
    assert fichier.headers["content-type"] == "text/csv; charset=utf-8"
    assert fichier.headers["content-disposition"] == (
        "attachment; filename=\"qui-a-modifie-quoi-0999001X.csv\"; "
        "filename*=UTF-8''qui-a-modifi%C3%A9-quoi-0999001X.csv")
    lignes = lire_csv(fichier.text)
    assert lignes[0][:6] == ["date (UTC)", "acteur", "synchronisation", "objet", "événement", "champ"]
    assert int(fichier.headers["x-lignes-total"]) == len(lignes) - 1 > 0
    assert {x[2] for x in lignes[1:]} == {run}
    assert "'" + FORMULE in {x[10] for x in lignes[1:]}
    sans_formule(lignes)


@pytest.mark.parametrize("nom", ['synchronisation-4/A #1 ?x %20.csv', '=HYPERLINK("http://x").csv',
                                 "qui-a-modifié-quoi\r\nSet-Cookie: x=1.csv", "../../etc/passwd", "漢字.csv"])
def test_nom_de_fichier_en_ascii_et_en_utf8(nom: str) -> None:
    entete = piece_jointe(nom)
    entete.encode("latin-1")  # a valid header value
    simple, etoile = entete.split("; filename*=UTF-8''")
    assert simple.startswith('attachment; filename="') and simple.endswith('"')
    ascii_ = simple.removeprefix('attachment; filename="')[:-1]
    assert ascii_ and all(c.isalnum() or c in "._-" for c in ascii_) and ascii_.isascii()
    assert unquote(etoile) == nom
    assert "\r" not in entete and "\n" not in entete and '"' not in ascii_


@pytest.mark.parametrize(("valeur", "attendu"), [
    ("=1+1", "'=1+1"), ("+33 6", "'+33 6"), ("-5", "'-5"), ("@SUM(A1)", "'@SUM(A1)"), ("\tx", "'\tx"),
    ("\rx", "'\rx"), ("4A", "4A"), ("", ""), (None, ""), ("a=b", "a=b"),
])
def test_cellule(valeur: Any, attendu: str) -> None:
    assert cellule(valeur) == attendu


def test_dans_le_navigateur_les_liens_aux_codes_menent_aux_bons_bilans(
        tmp_path_factory: pytest.TempPathFactory) -> None:
    exiger_navigateur()
    dossier = tmp_path_factory.mktemp("codes-navigateur")
    site = construire_codes(Store.depuis_url(f"sqlite:///{dossier / 'lsun.sqlite'}"), dossier)
    with serveur_uvicorn(site.app()) as url, chromium() as navigateur:
        contexte = navigateur.new_context(base_url=url, locale="fr-FR")
        page = contexte.new_page()
        page.goto("/connexion")
        csrf_de(page.content())
        page.fill("input[name=identifiant]", "principale")
        page.fill("input[name=mot_de_passe]", MOT_DE_PASSE)
        page.click("#connexion button[type=submit]")
        page.wait_for_load_state()
        page.goto(f"/etablissements/{UAI}/bilans")
        for code, periode in ((BARRE, T1), (FORMULE, T2)):
            page.locator("nav.divisions .division > a", has_text=code).click()
            page.wait_for_load_state()
            page.locator(".division.choisie .periodes a", has_text=periode).click()
            page.wait_for_load_state()
            assert page.locator("section h2").inner_text() == f"Division {code} — période {periode}"
            page.locator("table.bilans tbody td:first-child a").first.click()
            page.wait_for_load_state()
            assert page.locator(".fiche dd").nth(1).inner_text() == code
            assert page.locator(".fiche dd").nth(2).inner_text().startswith(f"{periode} (")
            page.click("#verrouillage-bilan button[type=submit]")
            page.wait_for_load_state()
            assert page.locator(".fiche dd").nth(1).inner_text() == code  # back on the same bilan
            assert page.locator(".flash.ok").inner_text() == "1 bilan(s) verrouillé(s)."
            page.click(".fil a")
            page.wait_for_load_state()
            assert page.locator("section h2").inner_text() == f"Division {code} — période {periode}"
        contexte.close()
