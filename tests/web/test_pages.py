"""The pages through an in-process client, parsed (not grepped): login and session cookie, what each role sees
and may do, CSRF on every form, uploads refused with a clear message, CSV, lock and periods forms."""

from __future__ import annotations

import io
import time
import zipfile
from typing import Any

import pytest
from bs4 import BeautifulSoup
from fastapi.testclient import TestClient

from tests.web.conftest import HUET, MOT_DE_PASSE, UAI, Site, connecter, csrf_de, tenter_connexion

SYNCHRO = f"/etablissements/{UAI}/synchronisation"


def soupe(html: str) -> BeautifulSoup:
    return BeautifulSoup(html, "html.parser")


def test_un_visiteur_anonyme_est_envoye_a_la_connexion(client: TestClient) -> None:
    client.cookies.clear()
    reponse = client.get(SYNCHRO, follow_redirects=False)
    assert reponse.status_code == 303
    assert reponse.headers["location"] == f"/connexion?suite=/etablissements/{UAI}/synchronisation"
    page = soupe(client.get(reponse.headers["location"]).text)
    assert page.h1.text == "Connexion"
    assert page.select_one("input[name=suite]")["value"] == SYNCHRO


def test_connexion_refusee_puis_acceptee_cookie_signe_httponly_samesite(client: TestClient) -> None:
    client.cookies.clear()
    csrf = csrf_de(client.get("/connexion").text)
    refus = client.post("/connexion", data={"identifiant": "principale", "mot_de_passe": "faux", "csrf": csrf})
    assert refus.status_code == 401
    assert soupe(refus.text).select_one("[role=alert]").text == "Identifiant ou mot de passe incorrect."

    reponse = client.post("/connexion", data={"identifiant": "principale", "mot_de_passe": "secret-de-test",
                                              "csrf": csrf, "suite": "//ailleurs.example/"}, follow_redirects=False)
    assert (reponse.status_code, reponse.headers["location"]) == (303, "/")  # never to another site
    cookie = reponse.headers["set-cookie"].lower()
    assert "httponly" in cookie and "samesite=lax" in cookie
    assert reponse.headers["x-frame-options"] == "DENY"
    accueil = client.get("/")
    assert accueil.url.path == SYNCHRO
    assert soupe(accueil.text).select_one(".compte .qui").text.strip() == "Mme Dupont · chef · 0999001X"


def test_la_page_de_synchronisation_du_chef(client: TestClient) -> None:
    connecter(client, "principale")
    page = soupe(client.get(SYNCHRO).text)
    assert page.select_one(".fil").text == "Paramétrage › Synchronisation des données élèves et enseignants"
    assert [c["value"] for c in page.select("input.case-division")] == ["3B", "4A", "4B"]
    assert page.select_one("#tout-selectionner").parent.text.strip() == "Tout sélectionner"
    assert [b.text for b in page.select("#form-synchronisation button")] == ["Simuler", "Synchronisation base élèves"]
    [source] = page.select("input[name=source]")
    assert source["value"] == "depot"
    assert "exports déposés le" in source.parent.text and "par Mme Dupont (chef)" in source.parent.text
    assert page.select_one("#form-depot") is not None
    menu = [a.text for a in page.select("nav.menu a")]
    assert menu == ["Synchronisation des données élèves et enseignants", "Périodes", "Historique des synchronisations",
                    "Bilans", "Qui a modifié quoi"]


def test_l_enseignant_voit_les_bilans_sans_bouton_de_synchronisation(client: TestClient, site: Site) -> None:
    csrf = connecter(client, "prof")
    assert client.get("/", follow_redirects=False).headers["location"] == f"/etablissements/{UAI}/bilans"
    page = soupe(client.get(SYNCHRO).text)
    assert page.select("#form-synchronisation button") == []
    assert page.select_one("#reserve-chef").text == "Seul le chef d'établissement peut lancer une synchronisation."
    assert page.select_one("#form-depot") is None
    assert "Qui a modifié quoi" not in [a.text for a in page.select("nav.menu a")]
    avant = site.evenements()
    refus = client.post(SYNCHRO, data={"csrf": csrf, "divisions": ["4A"], "action": "synchroniser"})
    assert refus.status_code == 403
    assert soupe(refus.text).select_one("#message-erreur").text == (
        "Seul le chef d'établissement peut lancer une synchronisation.")
    assert client.get(f"/etablissements/{UAI}/audit").status_code == 403
    bilans = soupe(client.get(f"/etablissements/{UAI}/bilans?division=4A&periode=T1").text)
    assert len(bilans.select("table.bilans tbody tr")) == 7
    assert bilans.select_one("#verrouillage-division") is None
    assert site.evenements() == avant


@pytest.mark.parametrize("chemin", ["synchronisation", "synchronisations", "bilans?division=4A&periode=T1",
                                    f"bilans/{HUET}/T1", "audit", "periodes"])
def test_le_chef_d_un_autre_etablissement_ne_voit_rien(client: TestClient, chemin: str) -> None:
    connecter(client, "autre-chef")
    reponse = client.get(f"/etablissements/{UAI}/{chemin}")
    assert reponse.status_code == 403
    page = soupe(reponse.text)
    assert page.h1.text == "Accès refusé"
    assert page.select_one("#message-erreur").text == (
        "Accès refusé : votre compte n'a pas accès à l'établissement 0999001X.")
    assert "HUET" not in reponse.text and "4EME" not in reponse.text
    assert page.select("nav.menu a[href*='0999001X']") == []


def test_l_admin_de_l_academie_voit_tous_les_etablissements(client: TestClient) -> None:
    connecter(client, "academie")
    page = soupe(client.get("/").text)
    assert [td.text for td in page.select("tbody td:first-child")] == [UAI]
    assert client.get(f"/etablissements/{UAI}/audit").status_code == 200
    assert soupe(client.get(SYNCHRO).text).select("#form-synchronisation button") == []


@pytest.mark.parametrize(("chemin", "donnees"), [
    (SYNCHRO, {"divisions": ["4A"], "action": "synchroniser"}),
    (f"/etablissements/{UAI}/bilans/verrouillage", {"division": "4B", "periode": "T1", "verrouiller": "true"}),
    (f"/etablissements/{UAI}/periodes", {"division": "3B", "code": ["S1"], "debut": ["2025-09-01"],
                                         "fin": ["2026-01-31"]}),
    (f"/etablissements/{UAI}/bilans/ouverture", {"division": "4B", "periode": "T3"}),
    ("/deconnexion", {}),
])
def test_un_formulaire_sans_jeton_csrf_est_refuse(client: TestClient, site: Site, chemin: str,
                                                  donnees: dict[str, object]) -> None:
    connecter(client, "principale")
    avant = site.evenements()
    for jeton in (None, "faux"):
        envoi = {**donnees, **({"csrf": jeton} if jeton else {})}
        reponse = client.post(chemin, data=envoi)
        assert reponse.status_code == 403
        assert soupe(reponse.text).select_one("#message-erreur").text.startswith(
            "Jeton de sécurité (CSRF) absent ou invalide")
    assert site.evenements() == avant
    assert client.get(SYNCHRO).status_code == 200  # still logged in


def test_un_depot_invalide_est_refuse_avec_un_message_clair(client: TestClient, site: Site) -> None:
    csrf = connecter(client, "principale")
    tampon = io.BytesIO()
    with zipfile.ZipFile(tampon, "w") as z:
        z.writestr("EDT_STS.xml", "<EDT_STS/>")
    reponse = client.post(f"/etablissements/{UAI}/exports", data={"csrf": csrf},
                          files={"siecle": ("mon-export.zip", tampon.getvalue()),
                                 "sts": ("sts_emp_0999001X_2025.xml", b"<STS_EDT/>")})
    message = soupe(reponse.text).select_one(".flash.erreur").text
    assert message.startswith("Exports refusés, rien n'a été enregistré. Fichier « mon-export.zip")
    assert "/tmp" not in message and ".envoi-" not in message
    source = soupe(reponse.text).select_one("input[name=source]").parent.text
    assert "siecle.zip" in source  # the previous upload is still the source


def test_historique_rapport_et_csv(client: TestClient, site: Site) -> None:
    csrf = connecter(client, "principale")
    suivi = client.post(SYNCHRO, data={"csrf": csrf, "divisions": ["4B"], "action": "synchroniser"},
                        follow_redirects=False).headers["location"]
    client.app.state.taches.attendre()  # type: ignore[attr-defined]
    page = soupe(client.get(suivi).text)
    assert page.select_one("#etat-progression").text.strip() == "Synchronisation terminée."
    assert page.select_one("#compte-eleves").text == "Élèves traités : 5 / 5"
    rapport = page.select_one("#lien-rapport")["href"]
    historique = soupe(client.get(f"/etablissements/{UAI}/synchronisations").text)
    ligne = historique.select_one("table.runs tbody tr")
    cellules = [td.text.strip() for td in ligne.select("td")]
    assert cellules[1:5] == ["Mme Dupont (chef)", "4B", "non", "terminée"]
    assert ligne.select_one("a")["href"] == rapport
    assert client.get(rapport).status_code == 200
    csv = client.get(f"{rapport}/csv")
    assert csv.headers["content-type"] == "text/csv; charset=utf-8"
    assert csv.headers["content-disposition"].startswith('attachment; filename="synchronisation-0999001X-')
    assert csv.text.splitlines()[0] == "\ufeffdivision;niveau;code;message;champ;ancien;nouveau"


def test_verrouiller_depuis_la_page_d_un_bilan_puis_parametrer_des_periodes(client: TestClient, site: Site) -> None:
    csrf = connecter(client, "principale")
    bilan = f"/etablissements/{UAI}/bilans/2400151/T1"
    page = soupe(client.get(bilan).text)
    assert page.select_one("#etat-bilan").text == "en cours de saisie"
    page = soupe(client.post(f"/etablissements/{UAI}/bilans/verrouillage", data={
        "csrf": csrf, "division": "4B", "periode": "T1", "eleve": "2400151", "verrouiller": "true",
        "retour": bilan}).text)
    assert page.select_one(".flash.ok").text == "1 bilan(s) verrouillé(s)."
    assert page.select_one("#etat-bilan").text == "verrouillé"
    assert page.select("table.historique tbody tr")[-1].select("td")[2].text == "Mme Dupont (chef)"

    page = soupe(client.post(f"/etablissements/{UAI}/periodes", data={
        "csrf": csrf, "division": "3B", "code": ["S1", "S2", ""], "debut": ["2025-09-01", "2026-02-01", ""],
        "fin": ["2026-01-31", "2026-07-04", ""]}).text)
    assert page.select_one(".flash.ok").text == "Périodes de la division 3B : S1, S2."
    assert [td.text for td in page.select("#division-3B table tbody tr td:first-child")] == ["S1", "S2"]
    erreur = client.post(f"/etablissements/{UAI}/periodes", data={
        "csrf": csrf, "division": "3B", "code": ["S1"], "debut": ["2026-09-01"], "fin": ["2026-01-31"]})
    assert erreur.status_code == 400
    assert soupe(erreur.text).select_one("#message-erreur").text == "La période S1 finit avant de commencer."


def test_trop_de_mots_de_passe_faux_l_identifiant_attend(site: Site) -> None:
    """Five wrong passwords for one identifiant within 15 minutes: the next attempts are refused (429, in French)
    without the password being checked, even the right one, until the window has passed; another identifiant
    is not affected, and a success clears the count."""
    app = site.app()
    horloge = [time.time()]
    app.state.limite_connexions.horloge = lambda: horloge[0]
    with TestClient(app) as client:
        def essayer(identifiant: str, mot_de_passe: str) -> Any:
            return tenter_connexion(client, identifiant, mot_de_passe)

        for _ in range(5):
            assert essayer("Principale", "faux").status_code == 401
            horloge[0] += 60
        bloque = essayer("principale", MOT_DE_PASSE)
        assert bloque.status_code == 429
        assert soupe(bloque.text).select_one("[role=alert]").text == (
            "Trop de tentatives de connexion infructueuses : réessayez dans 10 minute(s).")
        assert essayer("prof", MOT_DE_PASSE).status_code == 303  # another identifiant
        horloge[0] += 11 * 60  # the first failure leaves the window: one more try is allowed
        assert essayer("principale", MOT_DE_PASSE).status_code == 303
        for _ in range(4):  # the success cleared the count
            assert essayer("principale", "faux").status_code == 401
        assert essayer("principale", MOT_DE_PASSE).status_code == 303
