"""Running the web server for an académie: ``/sante`` (liveness: the process answers), ``/sante/pret``
(readiness: the store answers, its schema is migrated, the views are at most ``LSUN_SANTE_RETARD_MAX`` events
behind; 503 otherwise, with each check in French), ``/metrics`` (Prometheus text format: this process's counters
and what the store says). None of them needs a session: put them behind the load balancer's own rules.

The login form's failures and lockouts are counted here (``LimiteConnexionsMesuree``)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response

from lsun_events.exploitation import metriques, sante
from lsun_events.exploitation.collecteur import CollecteurStockage
from lsun_events.interfaces.cli.erreurs import expliquer_erreur_stockage
from lsun_events.interfaces.web.limites import LimiteConnexions

if TYPE_CHECKING:
    from fastapi import FastAPI

    from lsun_events.systeme import Systeme

router = APIRouter(include_in_schema=False)
SANS_CACHE = {"Cache-Control": "no-store"}


class LimiteConnexionsMesuree(LimiteConnexions):
    """The login form's limit, counting each refused password and each attempt refused by the lockout."""

    def attente(self, identifiant: str, adresse: str | None) -> float:
        attente = super().attente(identifiant, adresse)
        if attente > 0:
            metriques.blocage_connexion()
        return attente

    def echec(self, identifiant: str, adresse: str | None) -> None:
        super().echec(identifiant, adresse)
        metriques.echec_connexion()


def installer(app: FastAPI, systeme: Systeme) -> None:
    """The routes, and the registry ``/metrics`` serves."""
    app.state.registre_metriques = metriques.registre_avec(CollecteurStockage(systeme))
    app.include_router(router)


@router.get("/sante")
def vivant() -> JSONResponse:
    return JSONResponse({"statut": "vivant"}, headers=SANS_CACHE)


@router.get("/sante/pret")
def pret(request: Request) -> JSONResponse:
    systeme: Systeme = request.app.state.systeme
    etat = sante.controler(systeme, expliquer=lambda e: expliquer_erreur_stockage(e, systeme.store.url))
    return JSONResponse(etat.en_dict(), status_code=200 if etat.pret else 503, headers=SANS_CACHE)


@router.get("/metrics")
def mesures(request: Request) -> Response:
    return Response(metriques.texte(request.app.state.registre_metriques), media_type=metriques.TYPE_CONTENU,
                    headers=SANS_CACHE)
