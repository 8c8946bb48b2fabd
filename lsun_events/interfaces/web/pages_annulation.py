"""Undoing a run (SPEC §9 U5) from a run's report: « Annuler cette synchronisation » previews the undo, then asks
for confirmation; and the API's ``POST /api/etablissements/{uai}/synchronisations/{id}/annulation``. Only a chef
of the school (the right « synchroniser »). Like a run started from the page, the undo (or its preview) goes to a
background task whose progress and report are followed on the task page or ``/api/taches/{id}``; what U1 refuses
(already undone, an undo, a run that applied nothing) is refused at once."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel, ConfigDict, Field

from lsun_events.application.annulation import DemandeAnnulation, verifier_annulable
from lsun_events.interfaces.web.deps import Acces, ReglagesDep, SystemeDep, TachesDep, Texte, droit
from lsun_events.interfaces.web.pages import rediriger
from lsun_events.interfaces.web.pages_synchronisation import run_seul
from lsun_events.interfaces.web.reglages import Reglages
from lsun_events.interfaces.web.rendu import date_fr
from lsun_events.interfaces.web.securite import verifier_csrf
from lsun_events.interfaces.web.taches import Tache, Taches
from lsun_events.systeme import Systeme

router = APIRouter(include_in_schema=False)
router_api = APIRouter(prefix="/api")

Annuler = Annotated[Acces, Depends(droit("synchroniser"))]
AnnulerApi = Annotated[Acces, Depends(droit("synchroniser", ecriture_api=True))]


def lancer_annulation(systeme: Systeme, reglages: Reglages, taches: Taches, acces: Acces, run_id: str, *,
                      simulation: bool) -> Tache:
    """The run must be this school's (else 404) and undoable (U1, else 409), then the undo goes to a task."""
    run = run_seul(systeme, acces, run_id)
    verifier_annulable(systeme.app, acces.uai, run_id)
    demande = DemandeAnnulation(acces.uai, run_id, acces.compte.acteur, reglages.jour(), simulation=simulation)
    description = f"annulation de la synchronisation du {date_fr(run['debut'])} ({run['acteur']})"
    divisions = None if run["toutes"] else tuple(run["divisions"])
    return taches.lancer_annulation(demande, acces.compte.identifiant, divisions, description)


@router.post("/etablissements/{uai}/synchronisations/{run_id}/annulation")
def annulation(request: Request, acces: Annuler, systeme: SystemeDep, reglages: ReglagesDep, taches: TachesDep,
               run_id: str, csrf: Annotated[str | None, Form()] = None,
               action: Annotated[Texte, Form()] = "apercu") -> Response:
    """``action=apercu``: the preview (nothing saved), whose page offers the confirmation; ``action=annuler``:
    the undo. Both followed on the task page."""
    verifier_csrf(request, csrf)
    tache = lancer_annulation(systeme, reglages, taches, acces, run_id, simulation=action != "annuler")
    return rediriger(f"/etablissements/{acces.uai}/taches/{tache.id}")


class AnnulationApi(BaseModel):
    model_config = ConfigDict(extra="forbid")
    simulation: bool = Field(False, description="montre ce que l'annulation ferait, sans rien enregistrer")


@router_api.post("/etablissements/{uai}/synchronisations/{run_id}/annulation", tags=["synchronisations"],
                 status_code=202, summary="Annule une synchronisation terminée (SPEC §9) : remet ce qu'elle a changé",
                 responses={409: {"description": "Refusée : déjà annulée, une annulation, rien d'appliqué, ou une "
                                                 "synchronisation en cours"}})
def annulation_api(acces: AnnulerApi, systeme: SystemeDep, reglages: ReglagesDep, taches: TachesDep, run_id: str,
                   corps: AnnulationApi) -> JSONResponse:
    """Like ``POST …/synchronisations``: 202 and the task to follow (``/api/taches/{id}``), whose ``resultat`` is
    the same JSON as a run's; a refusal found while computing (something changed since, U2) is its ``erreur``."""
    tache = lancer_annulation(systeme, reglages, taches, acces, run_id, simulation=corps.simulation)
    suivi = f"/api/taches/{tache.id}"
    return JSONResponse({**tache.en_dict(), "suivi": suivi}, status_code=202, headers={"Location": suivi})
