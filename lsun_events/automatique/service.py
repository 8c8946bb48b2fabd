"""The use cases of automatic synchronisation: turn it on or off for a school, see its state, and decide
on a held run (apply it, or abandon it)."""

from __future__ import annotations

from datetime import date
from typing import Any
from uuid import UUID

from eventsourcing.application import AggregateNotFoundError

from lsun_events.aggregates.base import contexte
from lsun_events.aggregates.synchronisation import Synchronisation
from lsun_events.aggregates.valeurs import ParametresAutomatiques
from lsun_events.application.erreurs import ErreurLsun
from lsun_events.application.synchronisation import (
    DemandeSynchronisation,
    ResultatSynchronisation,
    RunInconnuError,
)
from lsun_events.automatique.planification import Planification
from lsun_events.sources.records import SourceSnapshot
from lsun_events.systeme import Systeme

ACTEUR_AUTOMATIQUE = "synchronisation automatique"


class RetenueInconnueError(ErreurLsun):
    def __init__(self, synchronisation: str) -> None:
        super().__init__(f"Aucune synchronisation retenue d'identifiant {synchronisation} "
                         "(déjà appliquée ou abandonnée ?).")


def parametrer(systeme: Systeme, planification: Planification, uai: str, acteur: str, *, active: bool,
               adresse_s3e: str | None = None, intervalle_minutes: int = 15) -> None:
    """Record the choice as an event (who turned it on or off), then schedule the school."""
    uai = uai.upper()
    etab = systeme.app.etablissement(uai)
    if active and not (adresse_s3e or (etab.automatique and etab.automatique.adresse_s3e)):
        raise ErreurLsun("Indiquez l'adresse du service S3E pour activer la synchronisation automatique.")
    adresse = adresse_s3e or (etab.automatique.adresse_s3e if etab.automatique else None)
    if not 1 <= intervalle_minutes <= 10_080:
        raise ErreurLsun("L'intervalle entre deux vérifications va d'une minute à une semaine (10 080 minutes).")
    if adresse is not None and not (adresse.startswith(("http://", "https://")) and adresse.isprintable()
                                    and " " not in adresse and len(adresse) <= 2000):
        raise ErreurLsun(f"L'adresse du service S3E « {adresse!r} » n'est pas une adresse http:// ou https://.")
    with contexte(acteur):
        etab.parametrer_automatique(ParametresAutomatiques(active, adresse, intervalle_minutes))
    systeme.app.save(etab)
    planification.parametrer(uai, active=active, adresse_s3e=adresse, intervalle_minutes=intervalle_minutes)
    systeme.rattraper()


def etat(systeme: Systeme, planification: Planification, uai: str) -> dict[str, Any]:
    """What the chef sees: on or off, last check, last run, next check, failures, held runs."""
    uai = uai.upper()
    etab = systeme.app.etablissement(uai)
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


def appliquer_retenue(systeme: Systeme, planification: Planification, synchronisation: str, acteur: str,
                      jour: date) -> ResultatSynchronisation:
    """The chef applies a held source as it was previewed: a run by the chef, then the held run is marked."""
    trouvee = planification.source_retenue(synchronisation)
    if trouvee is None:
        raise RetenueInconnueError(synchronisation)
    uai, snapshot_json = trouvee
    retenue = _retenue(systeme, synchronisation)
    source = SourceSnapshot.model_validate_json(snapshot_json)
    resultat = systeme.app.synchroniser(DemandeSynchronisation(uai=uai, acteur=acteur, jour=jour, automatique=True),
                                        source)
    with contexte(acteur, retenue.id):
        retenue.marquer_appliquee(resultat.synchronisation)
    systeme.app.save(retenue)
    planification.oublier_retenue(synchronisation)
    systeme.rattraper()
    return resultat


def abandonner_retenue(systeme: Systeme, planification: Planification, synchronisation: str, acteur: str) -> None:
    if planification.source_retenue(synchronisation) is None:
        raise RetenueInconnueError(synchronisation)
    retenue = _retenue(systeme, synchronisation)
    with contexte(acteur, retenue.id):
        retenue.abandonner()
    systeme.app.save(retenue)
    planification.oublier_retenue(synchronisation)
    systeme.rattraper()


def _retenue(systeme: Systeme, synchronisation: str) -> Synchronisation:
    try:
        return systeme.app.repository.get(UUID(synchronisation))
    except (ValueError, AggregateNotFoundError):
        raise RunInconnuError(synchronisation) from None
