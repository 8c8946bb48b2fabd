"""One way to answer an error, for pages and the API alike (datasette's ``handle_exception``): the status
comes from the error (``erreurs.statut_de``); ``/api/…`` answers ``{"erreur": "<message en français>"}``, a page
renders ``erreur.html``; an anonymous visitor of a page is sent to the login page."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException

from lsun_events.aggregates.erreurs import ErreurDomaine
from lsun_events.application.erreurs import ErreurLsun
from lsun_events.interfaces.web.erreurs import ErreurWeb, statut_de
from lsun_events.interfaces.web.rendu import page
from lsun_events.sources.erreurs import SourceInvalideError

if TYPE_CHECKING:
    from fastapi import FastAPI, Request

journal = logging.getLogger("lsun_events.web")

HTTP_FR = {404: "Page introuvable.", 405: "Méthode non permise.", 413: "Fichier trop volumineux."}


def est_api(request: Request) -> bool:
    return request.url.path.startswith("/api")


def reponse(request: Request, statut: int, message: str) -> Response:
    if est_api(request):
        entetes = {"WWW-Authenticate": "Bearer"} if statut == 401 else None
        return JSONResponse({"erreur": message}, status_code=statut, headers=entetes)
    if statut == 401:
        suite = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        return RedirectResponse(f"/connexion?suite={quote(suite)}", status_code=303)
    titre = {400: "Requête invalide", 403: "Accès refusé", 404: "Introuvable", 409: "Conflit",
             413: "Requête trop volumineuse"}.get(statut, "Erreur")
    return page(request, "erreur.html", {"titre": titre, "message": message}, statut=statut)


def champ_fr(erreur: dict[str, Any]) -> str:
    lieu = [str(x) for x in erreur.get("loc", ()) if x not in ("body", "query", "path", "form")]
    champ = ".".join(lieu)
    genre = erreur.get("type", "")
    if genre == "missing":
        return f"le champ « {champ} » est obligatoire"
    if genre == "extra_forbidden":
        return f"le champ « {champ} » n'est pas attendu"
    if genre == "json_invalid":
        return "le corps n'est pas un JSON valide"
    borne = erreur.get("ctx") or {}
    if genre == "value_error" and champ:
        return f"le champ « {champ} » {borne.get('error', 'est invalide')}"
    if genre in ("greater_than_equal", "greater_than", "less_than_equal", "less_than"):
        mots = {"greater_than_equal": ("au moins", "ge"), "greater_than": ("plus que", "gt"),
                "less_than_equal": ("au plus", "le"), "less_than": ("moins que", "lt")}[genre]
        return f"le champ « {champ} » doit valoir {mots[0]} {borne.get(mots[1], '?')}"
    if genre.endswith("_type") or genre.endswith("_parsing"):
        attendu = {"list_type": "une liste", "bool_type": "un booléen", "bool_parsing": "un booléen",
                   "string_type": "un texte", "int_type": "un entier", "int_parsing": "un entier",
                   "date_type": "une date AAAA-MM-JJ", "date_from_datetime_parsing": "une date AAAA-MM-JJ",
                   "date_parsing": "une date AAAA-MM-JJ", "model_type": "un objet JSON",
                   "dict_type": "un objet JSON"}.get(genre, "une autre valeur")
        return f"le champ « {champ} » doit être {attendu}" if champ else f"le corps doit être {attendu}"
    return f"le champ « {champ} » est invalide" if champ else "la requête est invalide"


def installer(app: FastAPI) -> None:
    async def erreur_connue(request: Request, e: Exception) -> Response:
        statut = statut_de(e)
        if statut == 500:
            journal.exception("Erreur interne sur %s", request.url.path)
            return reponse(request, 500, "Erreur interne du serveur : l'incident est consigné dans le journal.")
        return reponse(request, statut, e.message if isinstance(e, ErreurWeb) else str(e))

    async def erreur_http(request: Request, e: Exception) -> Response:
        assert isinstance(e, StarletteHTTPException)
        message = HTTP_FR.get(e.status_code) or (e.detail if isinstance(e.detail, str) else "Requête refusée.")
        return reponse(request, e.status_code, message)

    async def erreur_validation(request: Request, e: Exception) -> Response:
        assert isinstance(e, RequestValidationError)
        detail = "; ".join(dict.fromkeys(champ_fr(x) for x in e.errors()))
        return reponse(request, 400, f"Requête invalide : {detail}.")

    for classe in (ErreurWeb, ErreurLsun, ErreurDomaine, SourceInvalideError, Exception):
        app.add_exception_handler(classe, erreur_connue)
    app.add_exception_handler(StarletteHTTPException, erreur_http)
    app.add_exception_handler(RequestValidationError, erreur_validation)
