"""``create_app``: the chef d'établissement's web page and the JSON API over one store.

Pages are rendered on the server (Jinja2); ``/api`` answers JSON, described at ``/api/openapi.json`` and
``/api/docs``. The runs started from the web (``taches``) and the sessions (``comptes``) are kept in tables of
the store, so several processes may serve the same store. Every request's head is checked (``garde``: control
characters, body size, who uploads) before its body is read."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from fastapi import FastAPI, Request, Response
from fastapi.staticfiles import StaticFiles
from starlette.middleware.sessions import SessionMiddleware

from lsun_events.application.comptes import Comptes
from lsun_events.automatique.planification import Planification
from lsun_events.interfaces.web import (
    api,
    pages,
    pages_annulation,
    pages_automatique,
    pages_bilans,
    pages_compte,
    pages_synchronisation,
    reponses,
)
from lsun_events.interfaces.web import sante as exploitation
from lsun_events.interfaces.web.garde import Garde
from lsun_events.interfaces.web.reglages import Reglages
from lsun_events.interfaces.web.taches import Taches
from lsun_events.storage.config import Store
from lsun_events.systeme import Systeme

ENTETES = {
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
    "Content-Security-Policy": "default-src 'self'; img-src 'self' data:; frame-ancestors 'none'; "
                               "form-action 'self'; base-uri 'none'",
}


def create_app(store: Store | str | None = None, *, reglages: Reglages | None = None, **options: Any) -> FastAPI:
    """The application on ``store`` (default: ``LSUN_STORE``); ``options`` override ``Reglages`` fields."""
    reglages = reglages or Reglages.depuis_environnement(store, **options)
    systeme = Systeme(reglages.store)
    comptes = Comptes(reglages.store, inactivite=reglages.inactivite_session, duree_max=reglages.duree_session)
    if reglages.store.kind != "sqlite":
        comptes.creer_table()  # a schema migrated before the sessions table existed (else ``migrer`` made it)
    taches = Taches(systeme)
    planification = Planification(reglages.store)

    @asynccontextmanager
    async def cycle(_: FastAPI) -> AsyncIterator[None]:
        yield
        taches.attendre()
        taches.fermer()
        planification.fermer()
        systeme.fermer()

    app = FastAPI(title="LSUN — Synchronisation base élèves", version="1",
                  description="API JSON de la synchronisation base élèves : mêmes droits que la page web "
                              "(cookie de session + en-tête X-CSRF-Token, ou jeton « Bearer » d'un compte).",
                  openapi_url="/api/openapi.json", docs_url=None, redoc_url=None, lifespan=cycle)
    app.state.reglages, app.state.systeme, app.state.comptes, app.state.taches = reglages, systeme, comptes, taches
    app.state.planification = planification
    app.state.limite_connexions = exploitation.LimiteConnexionsMesuree(taches.registre)
    app.add_middleware(Garde, reglages=reglages)  # inside the session's: the cookie is decoded when it runs
    app.add_middleware(SessionMiddleware, secret_key=reglages.secret, session_cookie="lsun_session",
                       max_age=reglages.duree_session, same_site="lax", https_only=reglages.cookie_securise)

    @app.middleware("http")
    async def entetes_de_securite(request: Request, suite: Any) -> Response:
        reponse: Response = await suite(request)
        for nom, valeur in ENTETES.items():
            reponse.headers.setdefault(nom, valeur)
        return reponse

    reponses.installer(app)
    app.mount("/static", StaticFiles(directory=Path(__file__).parent / "static"), name="static")
    for module in (pages, pages_compte, pages_synchronisation, pages_annulation, pages_automatique, pages_bilans,
                   api):
        app.include_router(module.router)
    exploitation.installer(app, systeme)  # /sante, /sante/pret, /metrics
    app.include_router(pages_annulation.router_api)
    return app
