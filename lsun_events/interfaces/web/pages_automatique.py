"""The automatic synchronisation on the chef's page: its state (last check, last run, next check, failures),
turning it on or off, and the held runs with their reason and previewed messages, to apply or abandon."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import Response

from lsun_events.automatique import service
from lsun_events.automatique.planification import Planification
from lsun_events.interfaces.web.deps import Acces, ReglagesDep, SystemeDep, Texte, droit
from lsun_events.interfaces.web.pages import flash, rediriger
from lsun_events.interfaces.web.rapport_web import grouper
from lsun_events.interfaces.web.securite import verifier_csrf
from lsun_events.systeme import Systeme

router = APIRouter(include_in_schema=False)
INTERVALLE_MAX = 7 * 24 * 60  # minutes between two checks: a week at most (as ``automatique activer --intervalle``)
Synchroniser = Annotated[Acces, Depends(droit("synchroniser"))]


def planification(request: Request) -> Planification:
    return request.app.state.planification


PlanificationDep = Annotated[Planification, Depends(planification)]


def etat_pour_la_page(systeme: Systeme, plan: Planification, uai: str) -> dict[str, Any]:
    """The state, with each held run's previewed messages grouped by division as the page shows them."""
    etat = service.etat(systeme.app, plan, uai)
    for retenue in etat["retenues"]:
        messages = [SimpleNamespace(**m) for m in retenue["messages"]]
        retenue["groupes"] = grouper(messages)  # type: ignore[arg-type]
        retenue["messages_objets"] = messages
    return etat


def _retour(uai: str) -> Response:
    return rediriger(f"/etablissements/{uai}/synchronisation#automatique")


@router.post("/etablissements/{uai}/automatique")
def parametrer(request: Request, acces: Synchroniser, systeme: SystemeDep, plan: PlanificationDep,
               csrf: Annotated[str | None, Form()] = None, active: Annotated[bool, Form()] = False,
               adresse_s3e: Annotated[Texte | None, Form()] = None,
               intervalle: Annotated[int, Form(ge=1, le=INTERVALLE_MAX)] = 15) -> Response:
    verifier_csrf(request, csrf)
    service.parametrer(systeme.app, plan, acces.uai, acces.compte.acteur, active=active,
                       adresse_s3e=(adresse_s3e or "").strip() or None, intervalle_minutes=intervalle)
    flash(request, "Synchronisation automatique activée." if active else "Synchronisation automatique désactivée.")
    return _retour(acces.uai)


@router.post("/etablissements/{uai}/automatique/retenues/{synchronisation}/appliquer")
def appliquer(request: Request, acces: Synchroniser, systeme: SystemeDep, plan: PlanificationDep,
              reglages: ReglagesDep, synchronisation: str, csrf: Annotated[str | None, Form()] = None) -> Response:
    verifier_csrf(request, csrf)
    _verifier(plan, acces, synchronisation)
    resultat = service.appliquer_retenue(systeme.app, plan, synchronisation, acces.compte.acteur, reglages.jour())
    flash(request, f"Synchronisation retenue appliquée : {len(resultat.messages)} message(s).")
    return rediriger(f"/etablissements/{acces.uai}/synchronisations/{resultat.synchronisation}")


@router.post("/etablissements/{uai}/automatique/retenues/{synchronisation}/abandonner")
def abandonner(request: Request, acces: Synchroniser, systeme: SystemeDep, plan: PlanificationDep,
               synchronisation: str, csrf: Annotated[str | None, Form()] = None) -> Response:
    verifier_csrf(request, csrf)
    _verifier(plan, acces, synchronisation)
    service.abandonner_retenue(systeme.app, plan, synchronisation, acces.compte.acteur)
    flash(request, "Synchronisation retenue abandonnée : rien n'a été appliqué.")
    return _retour(acces.uai)


def _verifier(plan: Planification, acces: Acces, synchronisation: str) -> None:
    trouvee = plan.source_retenue(synchronisation)
    if trouvee is None or trouvee[0] != acces.uai:
        raise service.RetenueInconnueError(synchronisation)
