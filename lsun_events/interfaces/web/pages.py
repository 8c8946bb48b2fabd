"""Pages outside a school: login, logout, the home page (a chef's or enseignant's school, the académie's list
of schools for an admin), and the API's documentation rendered from its OpenAPI description."""

from __future__ import annotations

import math
from typing import Annotated
from urllib.parse import urlsplit

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response

from lsun_events.application.comptes import Compte
from lsun_events.interfaces.web.deps import CompteDep, CompteOptionnel, ComptesDep, SystemeDep, Texte
from lsun_events.interfaces.web.lecture import etablissements
from lsun_events.interfaces.web.limites import LimiteConnexions
from lsun_events.interfaces.web.rendu import page
from lsun_events.interfaces.web.securite import fermer_session, ouvrir_session, verifier_csrf

router = APIRouter(include_in_schema=False)


def flash(request: Request, message: str, *, erreur: bool = False) -> None:
    """A message shown once, on the next page."""
    request.session["flash"] = {"message": message, "erreur": erreur}


def rediriger(url: str) -> RedirectResponse:
    return RedirectResponse(url, status_code=303)


def _suite_sure(suite: str | None) -> str:
    """Only a path of this site (no open redirect)."""
    if not suite or not suite.startswith("/") or suite.startswith("//") or urlsplit(suite).netloc:
        return "/"
    return suite


def accueil_de(compte: Compte) -> str:
    if compte.role == "admin" or compte.uai is None:
        return "/etablissements"
    if compte.role == "chef":
        return f"/etablissements/{compte.uai}/synchronisation"
    return f"/etablissements/{compte.uai}/bilans"


@router.get("/")
def accueil(compte: CompteOptionnel) -> Response:
    return rediriger(accueil_de(compte) if compte else "/connexion")


@router.get("/connexion")
def connexion(request: Request, compte: CompteOptionnel, suite: str | None = None) -> Response:
    if compte is not None:
        return rediriger(_suite_sure(suite) if suite else accueil_de(compte))
    return page(request, "connexion.html", {"titre": "Connexion", "suite": _suite_sure(suite), "erreur": None})


@router.post("/connexion")
def se_connecter(request: Request, comptes: ComptesDep, identifiant: Annotated[Texte, Form()] = "",
                 mot_de_passe: Annotated[str, Form()] = "", csrf: Annotated[str | None, Form()] = None,
                 suite: Annotated[str | None, Form()] = None) -> Response:
    verifier_csrf(request, csrf)
    limite: LimiteConnexions = request.app.state.limite_connexions
    adresse = request.client.host if request.client else None
    attente = limite.attente(identifiant, adresse)
    if attente > 0:
        minutes = max(1, math.ceil(attente / 60))
        return page(request, "connexion.html", {
            "titre": "Connexion", "suite": _suite_sure(suite), "identifiant": identifiant,
            "erreur": f"Trop de tentatives de connexion infructueuses : réessayez dans {minutes} minute(s)."},
            statut=429)
    compte = comptes.verifier(identifiant, mot_de_passe) if identifiant and mot_de_passe else None
    if compte is None:
        limite.echec(identifiant, adresse)
        return page(request, "connexion.html", {"titre": "Connexion", "suite": _suite_sure(suite),
                                                "identifiant": identifiant,
                                                "erreur": "Identifiant ou mot de passe incorrect."}, statut=401)
    limite.succes(identifiant)
    ouvrir_session(request, compte)
    request.state.compte = compte
    return rediriger(_suite_sure(suite) if suite and suite != "/" else accueil_de(compte))


@router.post("/deconnexion")
def se_deconnecter(request: Request, csrf: Annotated[str | None, Form()] = None) -> Response:
    verifier_csrf(request, csrf)
    fermer_session(request)
    return rediriger("/connexion")


@router.get("/etablissements")
def liste_etablissements(request: Request, compte: CompteDep, systeme: SystemeDep) -> Response:
    if compte.role != "admin":
        return rediriger(accueil_de(compte))
    with systeme.lire("courante") as c:
        liste = etablissements(c)
    return page(request, "etablissements.html", {"titre": "Établissements de l'académie", "etablissements": liste})


@router.get("/api/docs")
def documentation_api(request: Request) -> Response:
    """The API described from its OpenAPI document, without any script from elsewhere."""
    schema = request.app.openapi()
    routes = [{"methode": methode.upper(), "chemin": chemin, "resume": op.get("summary", ""),
               "description": op.get("description", ""),
               "parametres": [p["name"] for p in op.get("parameters", [])],
               "corps": "requestBody" in op}
              for chemin, operations in schema.get("paths", {}).items() for methode, op in operations.items()]
    return page(request, "api_docs.html", {"titre": "API JSON", "routes": routes, "schema": schema})
