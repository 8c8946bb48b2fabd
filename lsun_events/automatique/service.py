"""Automatic synchronisation, the scheduling side: turn it on or off for a school, see its state, and decide
on a held run (apply it, or abandon it). What is recorded is the application's use cases
(``LsunApp.parametrer_automatique``, ``appliquer_retenue``, ``abandonner_retenue``); here, the schedule."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Any

from lsun_events.application.erreurs import RetenueInconnueError
from lsun_events.application.synchronisation import ResultatSynchronisation
from lsun_events.automatique.planification import Planification
from lsun_events.sources.records import SourceSnapshot

if TYPE_CHECKING:
    from lsun_events.application.app import LsunApp

ACTEUR_AUTOMATIQUE = "synchronisation automatique"

__all__ = ["ACTEUR_AUTOMATIQUE", "RetenueInconnueError", "abandonner_retenue", "appliquer_retenue", "etat",
           "parametrer"]


def parametrer(app: LsunApp, planification: Planification, uai: str, acteur: str, *, active: bool,
               adresse_s3e: str | None = None, intervalle_minutes: int = 15) -> None:
    """Record the choice as an event (who turned it on or off), then schedule the school."""
    parametres = app.parametrer_automatique(uai, acteur, active=active, adresse_s3e=adresse_s3e,
                                                    intervalle_minutes=intervalle_minutes)
    planification.parametrer(uai.upper(), active=parametres.active, adresse_s3e=parametres.adresse_s3e,
                             intervalle_minutes=parametres.intervalle_minutes)


def etat(app: LsunApp, planification: Planification, uai: str) -> dict[str, Any]:
    """What the chef sees: on or off, last check, last run, next check, failures, held runs."""
    uai = uai.upper()
    etab = app.etablissement(uai)
    plan = planification.etat(uai) or {}
    return {
        "uai": uai,
        "active": bool(etab.automatique and etab.automatique.active),
        "adresse_s3e": etab.automatique.adresse_s3e if etab.automatique else None,
        "intervalle_minutes": etab.automatique.intervalle_minutes if etab.automatique else None,
        "derniere_verification": plan.get("derniere_verification"),
        "derniere_synchronisation": plan.get("derniere_synchronisation"),
        "dernier_etat": plan.get("dernier_etat"),
        "message": plan.get("message"),
        "prochaine_verification": plan.get("prochaine") if plan.get("active") else None,
        "echecs": plan.get("echecs", 0),
        "retenues": planification.retenues(uai),
    }


def appliquer_retenue(app: LsunApp, planification: Planification, synchronisation: str, acteur: str,
                      jour: date) -> ResultatSynchronisation:
    """The chef applies a held source as it was previewed: a run by the chef, then the held run is marked."""
    trouvee = planification.source_retenue(synchronisation)
    if trouvee is None:
        raise RetenueInconnueError(synchronisation)
    _, snapshot_json = trouvee
    source = SourceSnapshot.model_validate_json(snapshot_json)
    resultat = app.appliquer_retenue(synchronisation, source, acteur, jour)
    planification.oublier_retenue(synchronisation)
    return resultat


def abandonner_retenue(app: LsunApp, planification: Planification, synchronisation: str, acteur: str) -> None:
    if planification.source_retenue(synchronisation) is None:
        raise RetenueInconnueError(synchronisation)
    app.abandonner_retenue(synchronisation, acteur)
    planification.oublier_retenue(synchronisation)
