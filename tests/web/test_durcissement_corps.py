"""Request bodies (issue 14): an upload of the exports from a client that is not logged in, may not upload for the
school, or fails the CSRF checks of its headers is answered before its body is read; a body over its limit is
refused from its Content-Length, or as soon as its chunks pass the limit. Against the real server (uvicorn) with
a raw socket that announces hundreds of megabytes and sends 64 KiB: the answer comes at once (before, the server
waited for the whole body). Also in process (both stores), and an upload in Chromium still goes through."""

from __future__ import annotations

import http.client
import json
import select
import socket
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests
from bs4 import BeautifulSoup
from fastapi.testclient import TestClient

from lsun_events.interfaces.web.reglages import CORPS_MAX, DEPOT_MAX, FICHIER_MAX, MIO, Reglages
from lsun_events.interfaces.web.securite import REFUS_CSRF
from lsun_events.storage.config import Store
from tests.web.conftest import MOT_DE_PASSE, UAI, Site, connecter, construire, csrf_de, exports_modifies
from tests.web.navigateur import chromium, exiger_navigateur, serveur_uvicorn

PAGE = f"/etablissements/{UAI}/exports"
API = f"/api/etablissements/{UAI}/exports"
FRONTIERE = "frontiere-du-test"
DEBUT_FICHIER = (f"--{FRONTIERE}\r\nContent-Disposition: form-data; name=\"siecle\"; filename=\"siecle.zip\"\r\n"
                 "Content-Type: application/zip\r\n\r\n").encode()
TROP_GROS_API = ("Requête trop volumineuse : 1 Mo au plus. Rien n'a été enregistré.")


def test_les_limites_par_defaut() -> None:
    reglages = Reglages.depuis_environnement("sqlite:///inutile/lsun.sqlite", donnees="/tmp/inutile", secret="x")
    assert (reglages.corps_max, reglages.depot_max) == (CORPS_MAX, DEPOT_MAX) == (MIO, 2 * FICHIER_MAX + MIO)
    assert (reglages.inactivite_session, reglages.duree_session) == (30 * 60, 8 * 3600)


# --- against the real server, with a raw socket -----------------------------------------------------------------

@pytest.fixture(scope="module")
def serveurs(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Site, str, str]]:
    """The site served twice: with the default limits, and with small ones (4 MiB per upload, 64 KiB otherwise)
    so that a chunked body passes them quickly."""
    dossier = tmp_path_factory.mktemp("corps")
    site = construire(Store.depuis_url(f"sqlite:///{dossier / 'lsun.sqlite'}"), dossier)
    with serveur_uvicorn(site.app()) as normal, \
            serveur_uvicorn(site.app(depot_max=4 * MIO, corps_max=64 * 1024)) as petit:
        yield site, normal, petit


def _connexion(base: str) -> socket.socket:
    hote, port = base.removeprefix("http://").split(":")
    s = socket.create_connection((hote, int(port)), timeout=10)
    return s


def _entetes(base: str, chemin: str, entetes: dict[str, str], *, longueur: int | None,
             type_: str = f"multipart/form-data; boundary={FRONTIERE}") -> bytes:
    lignes = [f"POST {chemin} HTTP/1.1", f"Host: {base.removeprefix('http://')}", f"Content-Type: {type_}"]
    lignes.append(f"Content-Length: {longueur}" if longueur is not None else "Transfer-Encoding: chunked")
    lignes += [f"{k}: {v}" for k, v in entetes.items()]
    return ("\r\n".join(lignes) + "\r\n\r\n").encode()


def _lire(s: socket.socket) -> tuple[int, dict[str, str], bytes]:
    reponse = http.client.HTTPResponse(s)
    reponse.begin()
    return reponse.status, {k.lower(): v for k, v in reponse.getheaders()}, reponse.read()


def annonce_sans_envoyer(base: str, chemin: str, entetes: dict[str, str], longueur: int = 600 * MIO) -> Any:
    """Announce ``longueur`` bytes, send the start of a file part and 64 KiB of it, and wait for the answer
    (10 s at most): a server that reads the body first never answers."""
    s = _connexion(base)
    try:
        s.sendall(_entetes(base, chemin, entetes, longueur=longueur) + DEBUT_FICHIER + b"a" * 65536)
        return _lire(s)
    finally:
        s.close()


def envoi_par_morceaux(base: str, chemin: str, entetes: dict[str, str], *, maximum: int = 64 * MIO,
                       type_: str = f"multipart/form-data; boundary={FRONTIERE}") -> tuple[int, bytes, int]:
    """Send a chunked body 64 KiB at a time until the server answers (or ``maximum`` bytes): the status, the body,
    and how many bytes were sent."""
    s = _connexion(base)
    envoye = 0
    try:
        s.sendall(_entetes(base, chemin, entetes, longueur=None, type_=type_))
        bloc = (DEBUT_FICHIER if type_.startswith("multipart") else b"[") + b"a" * (65536 - len(DEBUT_FICHIER))
        while envoye < maximum and not select.select([s], [], [], 0)[0]:
            try:
                s.sendall(f"{len(bloc):x}\r\n".encode() + bloc + b"\r\n")
            except OSError:  # the server answered and closed
                break
            envoye += len(bloc)
            bloc = b"a" * 65536
        statut, _, corps = _lire(s)
        return statut, corps, envoye
    finally:
        s.close()


def cookie_de_session(base: str, identifiant: str) -> tuple[str, str]:
    """A logged-in session on the real server: its cookie header and its CSRF token."""
    session = requests.Session()
    page = session.get(f"{base}/connexion", timeout=10)
    suite = session.post(f"{base}/connexion", data={"identifiant": identifiant, "mot_de_passe": MOT_DE_PASSE,
                                                     "csrf": csrf_de(page.text)}, timeout=10)
    cookie = "; ".join(f"{k}={v}" for k, v in session.cookies.items())
    return cookie, csrf_de(suite.text)


def test_televersement_anonyme_refuse_avant_le_corps(serveurs: tuple[Site, str, str]) -> None:
    site, base, _ = serveurs
    statut, entetes, corps = annonce_sans_envoyer(base, API, {})
    assert (statut, json.loads(corps)) == (401, {"erreur": "Connexion requise : identifiez-vous."})
    statut, entetes, _ = annonce_sans_envoyer(base, PAGE, {})
    assert (statut, entetes["location"]) == (303, f"/connexion?suite={PAGE}")
    statut, _, corps = annonce_sans_envoyer(base, API, {"Authorization": "Bearer lsun_faux"})
    assert (statut, json.loads(corps)) == (401, {"erreur": "Jeton d'accès invalide ou révoqué."})
    assert not list((site.donnees / "depots").glob("*/.envoi-*"))


@pytest.mark.parametrize(("qui", "erreur"), [
    ("prof", "Seul le chef d'établissement peut déposer les exports."),
    ("academie", "Seul le chef d'établissement peut déposer les exports."),
    ("autre-chef", "Accès refusé : votre compte n'a pas accès à l'établissement 0999001X."),
])
def test_televersement_d_un_compte_sans_le_droit_refuse_avant_le_corps(serveurs: tuple[Site, str, str], qui: str,
                                                                       erreur: str) -> None:
    site, base, _ = serveurs
    statut, _, corps = annonce_sans_envoyer(base, API, site.entete(qui))
    assert (statut, json.loads(corps)) == (403, {"erreur": erreur})
    cookie, csrf = cookie_de_session(base, qui)
    statut, _, corps = annonce_sans_envoyer(base, PAGE, {"Cookie": cookie, "X-CSRF-Token": csrf})
    assert statut == 403
    assert BeautifulSoup(corps, "html.parser").select_one("#message-erreur").text == erreur


def test_televersement_sans_csrf_des_en_tetes_refuse_avant_le_corps(serveurs: tuple[Site, str, str]) -> None:
    _, base, _ = serveurs
    cookie, csrf = cookie_de_session(base, "principale")
    # The API with the session cookie: X-CSRF-Token is required, and must be the session's.
    for entetes in ({"Cookie": cookie}, {"Cookie": cookie, "X-CSRF-Token": "faux"}):
        statut, _, corps = annonce_sans_envoyer(base, API, entetes)
        assert (statut, json.loads(corps)) == (403, {"erreur": REFUS_CSRF})
    # The page's form: another site's form (Origin, Sec-Fetch-Site), or a wrong X-CSRF-Token.
    for entetes in ({"Origin": "https://ailleurs.example"}, {"Sec-Fetch-Site": "cross-site"},
                    {"X-CSRF-Token": "faux"}, {"Origin": "null"},
                    {"X-CSRF-Token": csrf, "Origin": "https://ailleurs.example"}):
        statut, _, corps = annonce_sans_envoyer(base, PAGE, {"Cookie": cookie, **entetes})
        assert statut == 403, entetes
        assert BeautifulSoup(corps, "html.parser").select_one("#message-erreur").text == REFUS_CSRF


def test_corps_annonce_trop_gros_refuse_avant_lecture(serveurs: tuple[Site, str, str]) -> None:
    site, base, _ = serveurs
    statut, _, corps = annonce_sans_envoyer(base, API, site.entete("principale"), longueur=DEPOT_MAX + 1)
    assert statut == 413
    assert json.loads(corps) == {"erreur": "Requête trop volumineuse : le dépôt des exports est limité à 401 Mo en "
                                           "tout (chaque fichier à 200 Mo). Rien n'a été enregistré."}
    s = _connexion(base)  # any other request: 1 MiB
    try:
        s.sendall(_entetes(base, f"/api/etablissements/{UAI}/synchronisations", site.entete("principale"),
                           longueur=CORPS_MAX + 1, type_="application/json") + b"{")
        statut, _, corps = _lire(s)
    finally:
        s.close()
    assert (statut, json.loads(corps)) == (413, {"erreur": TROP_GROS_API})


def test_corps_par_morceaux_arrete_des_que_la_limite_est_passee(serveurs: tuple[Site, str, str]) -> None:
    site, _, petit = serveurs
    statut, corps, envoye = envoi_par_morceaux(petit, API, site.entete("principale"))
    assert statut == 413
    assert json.loads(corps)["erreur"].startswith("Requête trop volumineuse : le dépôt des exports est limité à 4 Mo")
    assert envoye < 4 * MIO + 16 * MIO, envoye  # the limit, plus what the sockets' buffers hold
    cookie, _ = cookie_de_session(petit, "principale")
    statut, corps, _ = envoi_par_morceaux(petit, PAGE, {"Cookie": cookie})
    assert statut == 413 and "<h1>Requête trop volumineuse</h1>" in corps.decode()
    statut, corps, envoye = envoi_par_morceaux(petit, f"/api/etablissements/{UAI}/synchronisations",
                                               site.entete("principale"), type_="application/json")
    assert (statut, json.loads(corps)) == (413, {"erreur": "Requête trop volumineuse : 64 Ko au plus. Rien n'a été "
                                                          "enregistré."})
    assert not list((site.donnees / "depots").glob("*/.envoi-*"))


# --- in process, both stores -------------------------------------------------------------------------------------

def test_corps_trop_gros_en_json_et_en_formulaire(client: TestClient, site: Site) -> None:
    client.cookies.clear()
    avant = site.evenements()
    gros = {"divisions": ["4A"] * (CORPS_MAX // 5)}
    reponse = client.post(f"/api/etablissements/{UAI}/synchronisations", json=gros, headers=site.entete("principale"))
    assert (reponse.status_code, reponse.json()) == (413, {"erreur": TROP_GROS_API})
    par_morceaux = client.post(f"/api/etablissements/{UAI}/synchronisations", headers={
        **site.entete("principale"), "Content-Type": "application/json"},
        content=(bloc for bloc in [b'{"divisions": [', b'"4A", ' * (CORPS_MAX // 6), b'"4A"]}']))
    assert (par_morceaux.status_code, par_morceaux.json()) == (413, {"erreur": TROP_GROS_API})
    connexion = client.post("/connexion", data={"identifiant": "x" * CORPS_MAX, "mot_de_passe": "y"})
    assert connexion.status_code == 413
    assert "Requête trop volumineuse : 1 Mo au plus." in connexion.text
    assert site.evenements() == avant


def test_le_chef_depose_toujours_ses_exports(client: TestClient, site: Site, tmp_path: Path) -> None:
    """The checks let the chef's upload through: by the page (its browser's Origin is this site), by the API with
    the session and its CSRF header, and with the bearer token."""
    siecle, sts = exports_modifies(tmp_path)
    fichiers = {"siecle": ("export-siecle.zip", siecle.read_bytes()), "sts": (sts.name, sts.read_bytes())}
    csrf = connecter(client, "principale")
    page = client.post(PAGE, data={"csrf": csrf}, files=fichiers, headers={"Origin": "http://testserver",
                                                                           "Sec-Fetch-Site": "same-origin"})
    assert page.status_code == 200 and "Exports enregistrés" in page.text
    derriere_un_repartiteur = client.post(PAGE, data={"csrf": csrf}, files=fichiers, headers={
        "Origin": "https://lsun.academie.example", "Sec-Fetch-Site": "same-origin"})  # Host rewritten by a proxy
    assert derriere_un_repartiteur.status_code == 200 and "Exports enregistrés" in derriere_un_repartiteur.text
    sans_jeton_du_formulaire = client.post(PAGE, files=fichiers, headers={"Origin": "http://testserver"})
    assert sans_jeton_du_formulaire.status_code == 403  # the route checks the form's field
    api = client.post(API, files=fichiers, headers={"X-CSRF-Token": csrf})
    assert api.status_code == 200, api.text
    client.cookies.clear()
    assert client.post(API, files=fichiers, headers=site.entete("principale")).status_code == 200


def test_dans_le_navigateur_le_chef_depose_ses_exports(serveurs: tuple[Site, str, str], tmp_path: Path) -> None:
    exiger_navigateur()
    _, base, _ = serveurs
    siecle, sts = exports_modifies(tmp_path)
    with chromium() as navigateur:
        contexte = navigateur.new_context(base_url=base, locale="fr-FR")
        page = contexte.new_page()
        page.goto("/")
        page.fill("input[name=identifiant]", "principale")
        page.fill("input[name=mot_de_passe]", MOT_DE_PASSE)
        page.click("#connexion button[type=submit]")
        page.wait_for_load_state()
        page.set_input_files("#form-depot input[name=siecle]", str(siecle))
        page.set_input_files("#form-depot input[name=sts]", str(sts))
        page.click("#form-depot button[type=submit]")
        page.wait_for_load_state()
        assert page.locator(".flash.ok").inner_text().startswith("Exports enregistrés : exports déposés le")
        contexte.close()
