"""Undoing a run (SPEC §9 U5) from a run's report: « Annuler cette synchronisation » previews the undo, then asks
for confirmation; and the API's ``POST /api/etablissements/{uai}/synchronisations/{id}/annulation``. Only a chef
of the school (the right « synchroniser »). The undo is computed in the request: it reads only what the undone run
touched, and is saved in one transaction."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel, ConfigDict, Field

from lsun_events.application.annulation import AnnulationRefuseeError, DemandeAnnulation
from lsun_events.application.synchronisation import ResultatSynchronisation
from lsun_events.interfaces.web.deps import Acces, ReglagesDep, SystemeDep, Texte, droit
from lsun_events.interfaces.web.pages import flash, rediriger
from lsun_events.interfaces.web.pages_synchronisation import STATUTS, run_de
from lsun_events.interfaces.web.rapport_web import grouper
from lsun_events.interfaces.web.rendu import page
from lsun_events.interfaces.web.securite import verifier_csrf
from lsun_events.systeme import Systeme

router = APIRouter(include_in_schema=False)
router_api = APIRouter(prefix="/api")

Annuler = Annotated[Acces, Depends(droit("synchroniser"))]
AnnulerApi = Annotated[Acces, Depends(droit("synchroniser", ecriture_api=True))]


def _annuler(systeme: Systeme, acces: Acces, jour: date, run_id: str, *, simulation: bool
             ) -> ResultatSynchronisation:
    run_de(systeme, acces, run_id)  # a run of this school, else 404
    return systeme.app.annuler(DemandeAnnulation(acces.uai, run_id, acces.compte.acteur, jour, simulation=simulation))


@router.post("/etablissements/{uai}/synchronisations/{run_id}/annulation")
def annulation(request: Request, acces: Annuler, systeme: SystemeDep, reglages: ReglagesDep, run_id: str,
               csrf: Annotated[str | None, Form()] = None, action: Annotated[Texte, Form()] = "apercu") -> Response:
    """``action=apercu``: the preview (nothing saved) with a confirmation button; ``action=annuler``: the undo,
    then its report in the history."""
    verifier_csrf(request, csrf)
    run, _ = run_de(systeme, acces, run_id)
    simulation = action != "annuler"
    try:
        resultat = _annuler(systeme, acces, reglages.jour(), run_id, simulation=simulation)
    except AnnulationRefuseeError as e:
        return page(request, "annulation.html", {"titre": "Annuler une synchronisation", "run": run, "refus": e,
                                                 "statuts": STATUTS}, statut=409)
    if simulation:
        return page(request, "annulation.html", {
            "titre": "Annuler une synchronisation", "run": run, "resultat": resultat,
            "groupes": grouper(resultat.messages), "messages": resultat.messages, "statuts": STATUTS})
    flash(request, "La synchronisation a été annulée : voici le rapport de son annulation.")
    return rediriger(f"/etablissements/{acces.uai}/synchronisations/{resultat.synchronisation}")


class AnnulationApi(BaseModel):
    model_config = ConfigDict(extra="forbid")
    simulation: bool = Field(False, description="montre ce que l'annulation ferait, sans rien enregistrer")


@router_api.post("/etablissements/{uai}/synchronisations/{run_id}/annulation", tags=["synchronisations"],
                 summary="Annule une synchronisation terminée (SPEC §9) : remet ce qu'elle a changé",
                 responses={409: {"description": "Refusée : déjà annulée, une annulation, ou des données ont "
                                                 "changé depuis (liste « depuis »)"}})
def annulation_api(acces: AnnulerApi, systeme: SystemeDep, reglages: ReglagesDep, run_id: str,
                   corps: AnnulationApi) -> JSONResponse:
    """The same JSON as a run's result (``synchroniser``); a refusal is ``{"erreur": …, "depuis": […]}``."""
    try:
        resultat = _annuler(systeme, acces, reglages.jour(), run_id, simulation=corps.simulation)
    except AnnulationRefuseeError as e:
        return JSONResponse({"erreur": str(e), "depuis": e.depuis}, status_code=409)
    return JSONResponse(resultat.en_dict())
