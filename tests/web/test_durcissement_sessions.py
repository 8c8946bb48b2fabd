"""Sessions that end (issue 14): the session lives on the server, so a copy of the cookie is worth nothing once
its owner logs out, changes the password or loses the account; a session also ends after 30 minutes without a
request and 8 hours after login; a removed account's API token stops working. Through the in-process client (both
stores) and through Debian's Chromium against the real server."""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import pytest
from bs4 import BeautifulSoup
from fastapi.testclient import TestClient

from lsun_events.application.comptes import Comptes
from lsun_events.interfaces.web.securite import SESSION_FINIE
from lsun_events.storage.config import Store
from tests.web.conftest import MOT_DE_PASSE, UAI, Site, connecter, construire
from tests.web.navigateur import chromium, exiger_navigateur, serveur_uvicorn

SYNCHRO = f"/etablissements/{UAI}/synchronisation"
COOKIE = "lsun_session"


def soupe(html: str) -> BeautifulSoup:
    return BeautifulSoup(html, "html.parser")


def nouveau_chef(site: Site, identifiant: str) -> str:
    """A chef of its own for a test (the module's site is shared): its API token."""
    comptes = Comptes(site.store)
    comptes.ajouter(identifiant, "chef", MOT_DE_PASSE, uai=UAI, nom=f"Chef {identifiant}")
    return comptes.creer_jeton(identifiant)


def copie(client: TestClient, app: Any) -> TestClient:
    """Another client (another browser) carrying a copy of ``client``'s session cookie."""
    autre = TestClient(app)
    autre.cookies.set(COOKIE, client.cookies[COOKIE])
    return autre


def connecte(client: TestClient) -> bool:
    """Whether the client's cookie still opens the chef's page and the API."""
    page = client.get(SYNCHRO, follow_redirects=False)
    api = client.get("/api/moi")
    assert (page.status_code == 200) == (api.status_code == 200), (page.status_code, api.status_code)
    if page.status_code != 200:
        assert (page.status_code, page.headers["location"]) == (303, f"/connexion?suite={SYNCHRO}")
        assert (api.status_code, api.json()) == (401, {"erreur": "Connexion requise : identifiez-vous."})
    return page.status_code == 200


def test_un_cookie_copie_ne_vaut_plus_rien_apres_la_deconnexion(client: TestClient, site: Site) -> None:
    nouveau_chef(site, "chef-deconnexion")
    csrf = connecter(client, "chef-deconnexion")
    voleur = copie(client, client.app)
    assert connecte(voleur)
    assert client.post("/deconnexion", data={"csrf": csrf}, follow_redirects=False).status_code == 303
    assert not connecte(voleur)
    assert not connecte(client)


def test_la_session_se_termine_apres_30_minutes_sans_requete_et_8_heures_apres_la_connexion(
        client: TestClient, site: Site) -> None:
    nouveau_chef(site, "chef-horloge")
    comptes: Comptes = client.app.state.comptes  # type: ignore[attr-defined]
    instant = [1_000_000.0]
    comptes.horloge = lambda: instant[0]
    try:
        connecter(client, "chef-horloge")
        for _ in range(24):  # a request every 20 minutes for 8 hours: still open
            instant[0] += 20 * 60
            assert connecte(client)
        instant[0] += 10 * 60  # 8 h 10 min after login
        assert not connecte(client)

        connecter(client, "chef-horloge")
        instant[0] += 29 * 60
        assert connecte(client)
        instant[0] += 30 * 60 + 61  # 30 minutes (and the minute « last seen » may lag) without a request
        assert not connecte(client)
        page = soupe(client.get(SYNCHRO).text)  # followed to the login page, which says why
        assert page.h1.text == "Connexion"
    finally:
        comptes.horloge = time.time


def test_la_page_de_connexion_dit_que_la_session_a_pris_fin(client: TestClient, site: Site) -> None:
    nouveau_chef(site, "chef-message")
    csrf = connecter(client, "chef-message")
    voleur = copie(client, client.app)
    client.post("/deconnexion", data={"csrf": csrf})
    page = soupe(voleur.get(SYNCHRO).text)
    assert page.h1.text == "Connexion"
    assert page.select_one(".flash.erreur").text == SESSION_FINIE


def test_changer_son_mot_de_passe_ferme_les_autres_sessions(client: TestClient, site: Site) -> None:
    jeton = nouveau_chef(site, "chef-mdp")
    csrf = connecter(client, "chef-mdp")
    ailleurs = TestClient(client.app)
    connecter(ailleurs, "chef-mdp")
    voleur = copie(client, client.app)

    refus = client.post("/compte/mot-de-passe", data={"csrf": csrf, "actuel": "faux", "nouveau": "nouveau-secret",
                                                      "confirmation": "nouveau-secret"})
    assert refus.status_code == 400
    assert soupe(refus.text).select_one("[role=alert]").text == "Mot de passe actuel incorrect : rien n'a été changé."
    differents = client.post("/compte/mot-de-passe", data={"csrf": csrf, "actuel": MOT_DE_PASSE,
                                                           "nouveau": "nouveau-secret", "confirmation": "autre"})
    assert differents.status_code == 400
    sans_csrf = client.post("/compte/mot-de-passe", data={"actuel": MOT_DE_PASSE, "nouveau": "nouveau-secret",
                                                          "confirmation": "nouveau-secret"})
    assert sans_csrf.status_code == 403
    assert connecte(ailleurs) and connecte(voleur)

    change = client.post("/compte/mot-de-passe", data={"csrf": csrf, "actuel": MOT_DE_PASSE,
                                                       "nouveau": "nouveau-secret", "confirmation": "nouveau-secret"})
    assert change.status_code == 200 and change.url.path == "/compte"
    assert soupe(change.text).select_one(".flash.ok").text.startswith(
        "Mot de passe changé. 1 autre(s) session(s) de votre compte fermée(s)")  # « ailleurs »; the copy is this one
    assert connecte(client)  # this browser got a fresh session
    assert not connecte(ailleurs) and not connecte(voleur)
    assert Comptes(site.store).verifier("chef-mdp", MOT_DE_PASSE) is None
    assert client.get("/api/moi", headers={"Authorization": f"Bearer {jeton}"}).status_code == 200  # token kept


def test_changer_le_mot_de_passe_hors_de_la_page_ferme_toutes_les_sessions(client: TestClient, site: Site) -> None:
    """As an administrator's command would (``Comptes.changer_mot_de_passe``)."""
    nouveau_chef(site, "chef-admin-mdp")
    connecter(client, "chef-admin-mdp")
    assert connecte(client)
    assert Comptes(site.store).changer_mot_de_passe("chef-admin-mdp", "par-l-administrateur") == 1
    assert not connecte(client)
    connecter(client, "chef-admin-mdp", "par-l-administrateur")
    assert connecte(client)


def test_un_compte_supprime_perd_ses_sessions_et_son_jeton(client: TestClient, site: Site) -> None:
    jeton = nouveau_chef(site, "chef-supprime")
    connecter(client, "chef-supprime")
    assert connecte(client)
    bearer = {"Authorization": f"Bearer {jeton}"}
    assert client.get("/api/moi", headers=bearer).json()["identifiant"] == "chef-supprime"
    Comptes(site.store).supprimer("chef-supprime")
    assert not connecte(client)
    refus = TestClient(client.app).get("/api/moi", headers=bearer)
    assert (refus.status_code, refus.json()) == (401, {"erreur": "Jeton d'accès invalide ou révoqué."})
    televersement = TestClient(client.app).post(f"/api/etablissements/{UAI}/exports", headers=bearer,
                                                files={"siecle": ("s.zip", b"x"), "sts": ("t.xml", b"x")})
    assert televersement.status_code == 401


def test_la_session_n_est_que_son_empreinte_sur_le_serveur(client: TestClient, site: Site) -> None:
    nouveau_chef(site, "chef-empreinte")
    connecter(client, "chef-empreinte")
    comptes = Comptes(site.store)
    lignes = comptes._executer(f"SELECT * FROM {comptes.sessions} WHERE identifiant = ?", ("chef-empreinte",))
    assert len(lignes) == 1
    assert client.cookies[COOKIE] not in str(lignes) and len(lignes[0]["empreinte"]) == 64


# --- in the browser -----------------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def adresse(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Site]]:
    exiger_navigateur()
    dossier = tmp_path_factory.mktemp("sessions-navigateur")
    site = construire(Store.depuis_url(f"sqlite:///{dossier / 'lsun.sqlite'}"), dossier)
    with serveur_uvicorn(site.app()) as url:
        yield url, site


def _se_connecter(contexte: Any, identifiant: str, mot_de_passe: str = MOT_DE_PASSE) -> Any:
    page = contexte.new_page()
    page.goto("/")
    page.fill("input[name=identifiant]", identifiant)
    page.fill("input[name=mot_de_passe]", mot_de_passe)
    page.click("#connexion button[type=submit]")
    page.wait_for_load_state()
    return page


def test_dans_le_navigateur_un_cookie_copie_est_refuse_apres_deconnexion_ou_changement_de_mot_de_passe(
        adresse: tuple[str, Site]) -> None:
    url, site = adresse
    nouveau_chef(site, "chef-navigateur")
    with chromium() as navigateur:
        premier = navigateur.new_context(base_url=url, locale="fr-FR")
        page = _se_connecter(premier, "chef-navigateur")
        assert page.locator("h1").inner_text() == "Synchronisation des données élèves et enseignants"
        [cookie] = [c for c in premier.cookies() if c["name"] == COOKIE]
        assert cookie["httpOnly"]

        voleur = navigateur.new_context(base_url=url, locale="fr-FR")
        voleur.add_cookies([cookie])
        page_voleur = voleur.new_page()
        page_voleur.goto(SYNCHRO)
        assert page_voleur.locator("h1").inner_text() == "Synchronisation des données élèves et enseignants"

        page.click("text=Se déconnecter")
        page.wait_for_load_state()
        assert page.locator("h1").inner_text() == "Connexion"
        page_voleur.goto(SYNCHRO)
        assert page_voleur.locator("h1").inner_text() == "Connexion"
        assert page_voleur.locator(".flash.erreur").inner_text() == SESSION_FINIE
        assert page_voleur.url.endswith(f"/connexion?suite={SYNCHRO}")

        # A password change made in one browser ends the session of another.
        page = _se_connecter(premier, "chef-navigateur")
        ailleurs = navigateur.new_context(base_url=url, locale="fr-FR")
        page_ailleurs = _se_connecter(ailleurs, "chef-navigateur")
        page.click("#lien-compte")
        page.fill("input[name=actuel]", MOT_DE_PASSE)
        page.fill("input[name=nouveau]", "change-dans-le-navigateur")
        page.fill("input[name=confirmation]", "change-dans-le-navigateur")
        page.click("#form-mot-de-passe button[type=submit]")
        page.wait_for_load_state()
        assert page.locator(".flash.ok").inner_text().startswith("Mot de passe changé. 1 autre(s) session(s)")
        page_ailleurs.reload()
        assert page_ailleurs.locator("h1").inner_text() == "Connexion"
        page.goto(SYNCHRO)
        assert page.locator("h1").inner_text() == "Synchronisation des données élèves et enseignants"
        for contexte in (premier, voleur, ailleurs):
            contexte.close()

