"""No 500 for a bad request (issue 14): every route of the application — each API route and each page, found by
walking ``app.routes`` — gets hostile values (huge, negative, zero, empty, non-ASCII, bidi, control characters,
``../``, dates that are not dates…) in each of its path and query parameters and form or JSON fields, one at a
time, the others normal, logged in as the chef. Every answer is below 500, a refusal says what is wrong in French
(``{"erreur": "…"}`` under ``/api``, the error page otherwise), and no body shows a Python traceback or an
injected script."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any
from urllib.parse import quote

import pytest
from bs4 import BeautifulSoup
from fastapi import FastAPI
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient

from tests.web.conftest import HUET, UAI, Site, connecter

ZERO = "00000000-0000-0000-0000-000000000000"
HOSTILES = [  # huge, negative, zero, empty, not a number, non-ASCII, bidi, control characters, paths, not dates…
    "99999999999999999999", "-99999999999999999999", "-5", "0", "", "1e309", "é∑漢字🙂", "\u202eabc", "\x00",
    "a\nb", "\x1b[31m", "\x85", "../", "../../etc/passwd", "2025-13-45", "9999-12-31", "0001-01-01",
    "' OR 1=1 --", "<script>alert(1)</script>", "x" * 3000,
]
NORMAUX = {  # a normal value of each parameter or field, by name
    "uai": UAI, "eleve_id": HUET, "periode": "T1", "division": "4A", "tache_id": "0" * 32, "run_id": ZERO,
    "synchronisation": ZERO, "decalage": "0", "limite": "10", "au": "2025-11-17", "du": "2025-09-01", "version": "1",
    "eleve": HUET, "enseignant": "", "acteur": "", "regenerer": "false", "suite": "/",
    "identifiant": "inconnu-du-test", "mot_de_passe": "faux-mot-de-passe", "actuel": "faux-mot-de-passe",
    "nouveau": "nouveau-mot-de-passe", "confirmation": "nouveau-mot-de-passe", "divisions": "9Z", "toutes": "false",
    "action": "simuler", "source": "depot", "verrouiller": "true", "retour": f"/etablissements/{UAI}/bilans",
    "code": "T1", "debut": "2025-09-01", "fin": "2025-11-30", "active": "false", "adresse_s3e": "",
    "intervalle": "15",
}
CORPS_JSON = {  # a normal JSON body of each API route that takes one; the walk makes each of its values hostile
    "/api/etablissements/{uai}/divisions/{division}/periodes": {"periodes": [
        {"code": "T1", "debut": "2025-09-01", "fin": "2025-11-30"}]},
    "/api/etablissements/{uai}/synchronisations": {"divisions": ["9Z"], "simulation": True, "source": "depot"},
    "/api/etablissements/{uai}/verrouillage": {"division": "4A", "periode": "T1", "eleve": HUET, "verrouiller": True},
    "/api/etablissements/{uai}/synchronisations/{run_id}/annulation": {"simulation": True},
}
FICHIERS = {"siecle", "sts"}
ANGLAIS = ("Not Found", "Internal Server Error", "Method Not Allowed", "There was an error", "Field required",
           "Input should", "Content Too Large", "Invalid", "Traceback", "Exception", "error", "Bad Request")


def routes(liste: Any) -> Iterator[APIRoute]:
    """Every ``APIRoute`` of the application, through the included routers."""
    for route in liste:
        if isinstance(route, APIRoute):
            yield route
        elif hasattr(route, "original_router"):  # FastAPI keeps an included router as such
            yield from routes(route.original_router.routes)
        elif hasattr(route, "routes") and not hasattr(route, "app"):
            yield from routes(route.routes)


def _parametres(dependant: Any, genre: str) -> list[Any]:
    trouves = list(getattr(dependant, genre))
    for sous in dependant.dependencies:
        trouves += _parametres(sous, genre)
    return trouves


def noms(route: APIRoute, genre: str) -> list[str]:
    return list(dict.fromkeys(p.alias for p in _parametres(route.dependant, genre)))


def _chemins_json(valeur: Any, chemin: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    """The path of each leaf of a JSON value (and of each list, made hostile whole too)."""
    if isinstance(valeur, dict):
        for cle, v in valeur.items():
            yield from _chemins_json(v, (*chemin, cle))
    elif isinstance(valeur, list):
        yield chemin
        for i, v in enumerate(valeur):
            yield from _chemins_json(v, (*chemin, i))
    else:
        yield chemin


def _remplacer(valeur: Any, chemin: tuple[Any, ...], nouveau: Any) -> Any:
    if not chemin:
        return nouveau
    copie = json.loads(json.dumps(valeur))
    cible = copie
    for cle in chemin[:-1]:
        cible = cible[cle]
    cible[chemin[-1]] = nouveau
    return copie


@pytest.fixture(scope="module")
def appli(site: Site) -> FastAPI:
    app = site.app()
    app.state.limite_connexions.echec = lambda *_: None  # hundreds of wrong passwords must not lock the tests out
    return app


def probleme(reponse: Any) -> str | None:
    """What is wrong with an answer to a hostile request, if anything."""
    corps = reponse.text
    if reponse.status_code >= 500:
        return f"statut {reponse.status_code} : {corps[:300]}"
    if "Traceback" in corps or 'File "/' in corps:
        return "trace Python dans la réponse"
    if "<script>alert(1)</script>" in corps and reponse.headers.get("content-type", "").startswith("text/html"):
        return "script injecté dans la page"
    if reponse.status_code < 400:
        return None
    if reponse.headers.get("content-type", "").startswith("application/json"):
        donnees = reponse.json()
        if set(donnees) != {"erreur"}:
            return f"réponse JSON sans « erreur » seule : {donnees}"
        message = donnees["erreur"]
    else:
        element = BeautifulSoup(corps, "html.parser").select_one("#message-erreur, [role=alert], .flash.erreur")
        if element is None:
            return f"statut {reponse.status_code} sans message d'erreur : {corps[:300]}"
        message = element.text
    if not message.strip() or any(mot in message for mot in ANGLAIS):
        return f"message qui n'est pas en français : {message}"
    return None


def test_chaque_route_resiste_aux_valeurs_hostiles(appli: FastAPI, site: Site) -> None:
    vues: list[str] = []
    problemes: list[str] = []

    def verifier(reponse: Any, quoi: str) -> None:
        if (p := probleme(reponse)) is not None:
            problemes.append(f"{quoi} → {p}")

    with TestClient(appli, raise_server_exceptions=False) as client:
        csrf = connecter(client, "principale")
        entetes = {"X-CSRF-Token": csrf}
        normaux = {**NORMAUX, "csrf": csrf}
        for route in routes(appli.routes):
            for methode in sorted(route.methods - {"HEAD"}):
                vues.append(f"{methode} {route.path_format}")
                chemin_params, requete_params = noms(route, "path_params"), noms(route, "query_params")
                corps_params = noms(route, "body_params")
                json_corps = None
                if route.path_format.startswith("/api") and corps_params and not FICHIERS & set(corps_params):
                    json_corps = CORPS_JSON.get(route.path_format)
                    assert json_corps is not None, f"{route.path_format} : donner un corps JSON normal dans CORPS_JSON"

                def envoyer(chemin: dict[str, str], requete: dict[str, str], corps: Any, fichiers: Any,
                            methode: str = methode, route: APIRoute = route, json_corps: Any = json_corps) -> Any:
                    url = route.path_format
                    for nom, valeur in chemin.items():
                        url = url.replace(f"{{{nom}}}", quote(valeur, safe=""))
                    if methode == "GET":
                        return client.get(url, params=requete)
                    if json_corps is not None:
                        return client.post(url, params=requete, json=corps, headers=entetes)
                    return client.post(url, params=requete, data=corps, files=fichiers,
                                       headers=entetes if route.path_format.startswith("/api") else None)

                base_chemin = {n: normaux[n] for n in chemin_params}
                base_requete = {n: normaux[n] for n in requete_params}
                base_corps = json_corps if json_corps is not None else \
                    {n: normaux[n] for n in corps_params if n not in FICHIERS}
                base_fichiers = {n: (f"{n}.zip", b"PK\x03\x04") for n in corps_params if n in FICHIERS} or None
                for hostile in HOSTILES:
                    for nom in chemin_params:
                        verifier(envoyer({**base_chemin, nom: hostile}, base_requete, base_corps, base_fichiers),
                                 f"{methode} {route.path_format} [{nom}={hostile[:30]!r}]")
                    for nom in requete_params:
                        verifier(envoyer(base_chemin, {**base_requete, nom: hostile}, base_corps, base_fichiers),
                                 f"{methode} {route.path_format} ?{nom}={hostile[:30]!r}")
                    if json_corps is not None:
                        for chemin_json in _chemins_json(json_corps):
                            corps = _remplacer(json_corps, chemin_json, hostile)
                            verifier(envoyer(base_chemin, base_requete, corps, None),
                                     f"{methode} {route.path_format} corps {chemin_json}={hostile[:30]!r}")
                    elif methode == "POST":
                        for nom in corps_params:
                            if nom in FICHIERS:
                                fichiers = {**(base_fichiers or {}), nom: (hostile or "vide", b"PK\x03\x04")}
                                verifier(envoyer(base_chemin, base_requete, base_corps, fichiers),
                                         f"{methode} {route.path_format} fichier {nom}={hostile[:30]!r}")
                            elif nom != "csrf" or hostile:  # (an empty CSRF token is no token: 403 all the same)
                                verifier(envoyer(base_chemin, base_requete, {**base_corps, nom: hostile},
                                                 base_fichiers),
                                         f"{methode} {route.path_format} champ {nom}={hostile[:30]!r}")
                assert client.get("/api/moi").status_code == 200, f"session perdue après {methode} {route.path_format}"
    attendues = {"GET /api/etablissements/{uai}/audit", "GET /etablissements/{uai}/bilans/{eleve_id}/{periode}",
                 "POST /api/etablissements/{uai}/exports", "POST /connexion", "GET /etablissements/{uai}/audit"}
    assert attendues <= set(vues), sorted(vues)
    assert len(vues) >= 40, sorted(vues)
    assert not problemes, f"{len(problemes)} réponse(s) fautive(s) :\n" + "\n".join(problemes[:60])
