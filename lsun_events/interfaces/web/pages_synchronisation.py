"""Paramétrage › Synchronisation des données élèves et enseignants: choose divisions and source, simulate or
synchronise, follow the progress, read the messages; the history of the runs and each run's report."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, File, Form, Request, UploadFile
from fastapi.responses import Response

from lsun_events.interfaces.web import sources_web
from lsun_events.interfaces.web.deps import Acces, Decalage, ReglagesDep, SystemeDep, TachesDep, Texte, droit
from lsun_events.interfaces.web.erreurs import IntrouvableError, RequeteInvalideError
from lsun_events.interfaces.web.lancement import lancer
from lsun_events.interfaces.web.pages import flash, rediriger
from lsun_events.interfaces.web.pages_automatique import etat_pour_la_page
from lsun_events.interfaces.web.rapport_web import en_csv, grouper, reponse_csv
from lsun_events.interfaces.web.rendu import page
from lsun_events.interfaces.web.securite import verifier_csrf
from lsun_events.interfaces.web.taches import Tache, Taches
from lsun_events.projections import rapports, requetes_vue
from lsun_events.projections.base import Curseur
from lsun_events.regles.messages import Message
from lsun_events.systeme import Systeme

router = APIRouter(include_in_schema=False)
Voir = Annotated[Acces, Depends(droit("voir_synchronisations"))]
Synchroniser = Annotated[Acces, Depends(droit("synchroniser"))]
Deposer = Annotated[Acces, Depends(droit("deposer"))]

STATUTS = {"terminee": "terminée", "echouee": "échouée", "en cours": "en cours", "retenue": "retenue",
           "abandonnee": "abandonnée", "appliquee": "appliquée", "simulation": "simulation"}


def csv(messages: list[Message], nom: str) -> Response:
    return reponse_csv(en_csv(messages), f"{nom}.csv")


@router.get("/etablissements/{uai}/synchronisation")
def synchronisation(request: Request, acces: Voir, systeme: SystemeDep, reglages: ReglagesDep,
                    taches: TachesDep) -> Response:
    etab = systeme.app.etablissement(acces.uai)
    with systeme.lire("courante") as c:
        divisions = requetes_vue.divisions(c, acces.uai)
    with systeme.lire("rapports") as c:
        derniers = rapports.runs(c, acces.uai, limite=5)
    automatique = etat_pour_la_page(systeme, request.app.state.planification, acces.uai)
    return page(request, "synchronisation.html", {
        "automatique": automatique,
        "titre": "Synchronisation des données élèves et enseignants", "etab": etab, "divisions": divisions,
        "sources": sources_web.sources(reglages, etab), "depot": sources_web.depot(reglages, acces.uai),
        "en_cours": taches.en_cours(acces.uai), "derniers": derniers, "statuts": STATUTS})


@router.post("/etablissements/{uai}/synchronisation")
def lancer_synchronisation(request: Request, acces: Synchroniser, systeme: SystemeDep, reglages: ReglagesDep,
                           taches: TachesDep, csrf: Annotated[str | None, Form()] = None,
                           divisions: Annotated[list[Texte] | None, Form()] = None,
                           toutes: Annotated[bool, Form()] = False, action: Annotated[Texte, Form()] = "simuler",
                           source: Annotated[Texte | None, Form()] = None) -> Response:
    verifier_csrf(request, csrf)
    tache = lancer(systeme, reglages, taches, acces.compte, acces.uai, divisions=divisions, toutes=toutes,
                   simulation=action != "synchroniser", source=source)
    return rediriger(f"/etablissements/{acces.uai}/taches/{tache.id}")


def _tache(taches: Taches, acces: Acces, tache_id: str) -> Tache:
    tache = taches.get(tache_id)
    if tache is None or tache.uai != acces.uai:
        raise IntrouvableError("Cette synchronisation n'est plus suivie (un suivi est gardé 7 jours) : "
                               "consultez l'historique des synchronisations.")
    return tache


@router.get("/etablissements/{uai}/taches/{tache_id}")
def suivi(request: Request, acces: Voir, taches: TachesDep, tache_id: str) -> Response:
    tache = _tache(taches, acces, tache_id)
    messages = tache.resultat.messages if tache.finie and tache.resultat else []
    if tache.annule:
        titre = "Aperçu de l'annulation" if tache.simulation else "Annulation d'une synchronisation"
    else:
        titre = "Simulation" if tache.simulation else "Synchronisation base élèves"
    return page(request, "tache.html", {
        "titre": titre, "tache": tache,
        "groupes": grouper(messages), "messages": messages, "statuts": STATUTS})


@router.get("/etablissements/{uai}/taches/{tache_id}/csv")
def suivi_csv(acces: Voir, taches: TachesDep, tache_id: str) -> Response:
    tache = _tache(taches, acces, tache_id)
    messages = tache.resultat.messages if tache.resultat else []
    nom = "annulation" if tache.annule else "synchronisation"
    return csv(messages, f"{'simulation' if tache.simulation else nom}-{acces.uai}-{tache.id[:8]}")


@router.post("/etablissements/{uai}/exports")
def deposer(request: Request, acces: Deposer, systeme: SystemeDep, reglages: ReglagesDep,
            siecle: Annotated[UploadFile | None, File()] = None, sts: Annotated[UploadFile | None, File()] = None,
            csrf: Annotated[str | None, Form()] = None) -> Response:
    verifier_csrf(request, csrf)
    retour = f"/etablissements/{acces.uai}/synchronisation"
    if siecle is None or sts is None or not siecle.filename or not sts.filename:
        flash(request, "Choisissez les deux fichiers : l'export SIECLE (zip) et l'export STS-web.", erreur=True)
        return rediriger(retour)
    etab = systeme.app.etablissement(acces.uai)
    try:
        d = sources_web.deposer(reglages, acces.uai, etab.annee_scolaire, acces.compte.acteur,
                                (siecle.filename, siecle.file), (sts.filename, sts.file))
    except RequeteInvalideError as e:
        flash(request, e.message, erreur=True)
    else:
        flash(request, f"Exports enregistrés : {d.libelle}.")
    return rediriger(retour)


def _run_ou_404(c: Curseur, acces: Acces, run_id: str) -> dict[str, Any]:
    run = rapports.run(c, run_id)
    if run is None or run["uai"] != acces.uai:
        raise IntrouvableError(f"Aucune synchronisation {run_id} pour l'établissement {acces.uai}.")
    return run


def run_seul(systeme: Systeme, acces: Acces, run_id: str) -> dict[str, Any]:
    """A run of this school (else 404), without reading its messages."""
    with systeme.lire("rapports") as c:
        return _run_ou_404(c, acces, run_id)


def run_de(systeme: Systeme, acces: Acces, run_id: str) -> tuple[dict[str, Any], list[Message]]:
    with systeme.lire("rapports") as c:
        return _run_ou_404(c, acces, run_id), rapports.messages_du_run(c, run_id)


@router.get("/etablissements/{uai}/synchronisations")
def historique(request: Request, acces: Voir, systeme: SystemeDep, decalage: Decalage = 0) -> Response:
    with systeme.lire("rapports") as c:
        runs = rapports.runs(c, acces.uai, limite=51, decalage=decalage)
    return page(request, "historique.html", {
        "titre": "Historique des synchronisations", "runs": runs[:50], "suivants": len(runs) > 50,
        "decalage": decalage, "statuts": STATUTS})


@router.get("/etablissements/{uai}/synchronisations/{run_id}")
def rapport(request: Request, acces: Voir, systeme: SystemeDep, run_id: str) -> Response:
    run, messages = run_de(systeme, acces, run_id)
    return page(request, "rapport.html", {"titre": "Rapport de synchronisation", "run": run,
                                          "groupes": grouper(messages), "messages": messages, "statuts": STATUTS})


@router.get("/etablissements/{uai}/synchronisations/{run_id}/csv")
def rapport_csv(acces: Voir, systeme: SystemeDep, run_id: str) -> Response:
    run, messages = run_de(systeme, acces, run_id)
    return csv(messages, f"synchronisation-{acces.uai}-{run['debut'][:10]}-{run_id[:8]}")
