"""The JSON API (``/api``): the page's rights, a session cookie (plus ``X-CSRF-Token`` to change anything) or
a bearer token (``lsun-events utilisateurs jeton``). Errors are ``{"erreur": "<message en français>"}``."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any, Literal
from uuid import UUID

from fastapi import APIRouter, Depends, File, Query, UploadFile
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field

from lsun_events.aggregates.valeurs import Periode
from lsun_events.application.historique import archives
from lsun_events.application.synchronisation import RunInconnuError, evenements_du_run
from lsun_events.interfaces.web import lecture, sources_web
from lsun_events.interfaces.web.deps import (
    Acces,
    CompteDep,
    Decalage,
    ReglagesDep,
    SystemeDep,
    TachesDep,
    Texte,
    Version,
    droit,
)
from lsun_events.interfaces.web.droits import peut
from lsun_events.interfaces.web.erreurs import IntrouvableError, RequeteInvalideError
from lsun_events.interfaces.web.lancement import lancer
from lsun_events.projections import rapports, requetes_vue
from lsun_events.projections.requetes_audit import FiltresAudit, par_filtres
from lsun_events.regles.messages import rapport

ERREUR = {"description": "Erreur", "content": {"application/json": {"example": {"erreur": "Message en français."}}}}
router = APIRouter(prefix="/api", responses={400: ERREUR, 401: ERREUR, 403: ERREUR, 404: ERREUR})

VoirSynchronisations = Annotated[Acces, Depends(droit("voir_synchronisations"))]
VoirBilans = Annotated[Acces, Depends(droit("voir_bilans"))]
VoirAudit = Annotated[Acces, Depends(droit("voir_audit"))]
Synchroniser = Annotated[Acces, Depends(droit("synchroniser", ecriture_api=True))]
Verrouiller = Annotated[Acces, Depends(droit("verrouiller", ecriture_api=True))]
Parametrer = Annotated[Acces, Depends(droit("parametrer", ecriture_api=True))]
Deposer = Annotated[Acces, Depends(droit("deposer", ecriture_api=True))]


class DemandeApi(BaseModel):
    model_config = ConfigDict(extra="forbid")
    divisions: list[Texte] | None = Field(None, description="codes des divisions, dans l'ordre du rapport")
    toutes: bool = Field(False, description="toutes les divisions (au lieu de « divisions »)")
    simulation: bool = Field(False, description="calcule les messages sans rien enregistrer")
    source: Literal["s3e", "depot"] | None = Field(None, description="défaut : S3E s'il est configuré, sinon le dépôt")


class VerrouillageApi(BaseModel):
    model_config = ConfigDict(extra="forbid")
    division: Texte
    periode: Texte
    eleve: Texte | None = Field(None, description="un seul élève (ELEVE_ID) ; sinon toute la division")
    verrouiller: bool = Field(True, description="false pour déverrouiller")


class PeriodeApi(BaseModel):
    model_config = ConfigDict(extra="forbid")
    code: Texte
    debut: date
    fin: date


class PeriodesApi(BaseModel):
    model_config = ConfigDict(extra="forbid")
    periodes: list[PeriodeApi]


@router.get("/moi", tags=["comptes"], summary="Le compte connecté")
def moi(compte: CompteDep) -> dict[str, Any]:
    return compte.en_dict()


@router.get("/etablissements", tags=["établissements"], summary="Les établissements visibles par le compte")
def liste_etablissements(compte: CompteDep, systeme: SystemeDep) -> dict[str, Any]:
    with systeme.lire("courante") as c:
        visibles = [e for e in lecture.etablissements(c) if compte.voit(e["uai"])]
    return {"etablissements": visibles}


@router.get("/etablissements/{uai}/divisions", tags=["établissements"],
            summary="Divisions : libellé, périodes, professeurs principaux, effectif")
def divisions(acces: VoirBilans, systeme: SystemeDep) -> dict[str, Any]:
    systeme.app.etablissement(acces.uai)
    with systeme.lire("courante") as c:
        return {"uai": acces.uai, "divisions": requetes_vue.divisions(c, acces.uai)}


@router.post("/etablissements/{uai}/divisions/{division:path}/periodes", tags=["établissements"],
             summary="Paramètre les périodes d'une division (chef d'établissement)")
def parametrer_periodes(acces: Parametrer, systeme: SystemeDep, division: str, corps: PeriodesApi) -> dict[str, Any]:
    periodes = [Periode(p.code.strip(), p.debut, p.fin) for p in corps.periodes]
    systeme.app.parametrer_periodes(acces.uai, division, periodes, acces.compte.acteur)
    return {"division": division, "periodes": [p.en_dict() for p in periodes]}


@router.post("/etablissements/{uai}/synchronisations", tags=["synchronisations"], status_code=202,
             summary="Lance une synchronisation (ou une simulation) en arrière-plan",
             responses={409: ERREUR})
def synchroniser(acces: Synchroniser, systeme: SystemeDep, reglages: ReglagesDep, taches: TachesDep,
                 corps: DemandeApi) -> JSONResponse:
    if corps.toutes and corps.divisions:
        raise RequeteInvalideError("Indiquez « divisions » ou « toutes », pas les deux.")
    tache = lancer(systeme, reglages, taches, acces.compte, acces.uai, divisions=corps.divisions,
                   toutes=corps.toutes, simulation=corps.simulation, source=corps.source)
    suivi = f"/api/taches/{tache.id}"
    return JSONResponse({**tache.en_dict(), "suivi": suivi}, status_code=202, headers={"Location": suivi})


@router.get("/taches/{tache_id}", tags=["synchronisations"],
            summary="Progression d'une synchronisation lancée (élèves traités / total), puis son résultat")
def tache(tache_id: str, compte: CompteDep, taches: TachesDep) -> dict[str, Any]:
    t = taches.get(tache_id)
    if t is None or not peut(compte, "voir_synchronisations", t.uai):
        raise IntrouvableError(f"Aucune synchronisation en cours ou récente d'identifiant {tache_id}.")
    return t.en_dict()


@router.get("/etablissements/{uai}/synchronisations", tags=["synchronisations"],
            summary="Historique des synchronisations de l'établissement, la plus récente d'abord")
def historique(acces: VoirSynchronisations, systeme: SystemeDep, limite: Annotated[int, Query(ge=1, le=500)] = 50,
               decalage: Decalage = 0) -> dict[str, Any]:
    with systeme.lire("rapports") as c:
        return {"uai": acces.uai, "synchronisations": rapports.runs(c, acces.uai, limite=limite, decalage=decalage)}


def _run(compte: CompteDep, systeme: SystemeDep, run_id: str) -> dict[str, Any]:
    try:
        UUID(run_id)
    except ValueError:
        raise RunInconnuError(run_id) from None
    with systeme.lire("rapports") as c:
        run = rapports.run(c, run_id)
    if run is None or not peut(compte, "voir_synchronisations", run["uai"]):
        raise RunInconnuError(run_id)
    return run


Run = Annotated[dict[str, Any], Depends(_run)]


@router.get("/synchronisations/{run_id}", tags=["synchronisations"],
            summary="Une synchronisation : qui, quand, divisions, source, statut, compteurs et messages")
def synchronisation(run: Run, systeme: SystemeDep) -> dict[str, Any]:
    with systeme.lire("rapports") as c:
        messages = rapports.messages_du_run(c, run["synchronisation"])
    return {**run, "messages": [m.en_dict() for m in messages]}


@router.get("/synchronisations/{run_id}/messages", tags=["synchronisations"],
            summary="Les messages d'une synchronisation (SPEC §8), depuis la vue ou régénérés depuis les événements")
def messages(run: Run, systeme: SystemeDep, regenerer: bool = False) -> dict[str, Any]:
    if regenerer:
        liste = rapport(evenements_du_run(systeme.app, UUID(run["synchronisation"])))
    else:
        with systeme.lire("rapports") as c:
            liste = rapports.messages_du_run(c, run["synchronisation"])
    return {"synchronisation": run["synchronisation"], "messages": [m.en_dict() for m in liste]}


@router.get("/etablissements/{uai}/audit", tags=["audit"],
            summary="Qui a modifié quoi : date, acteur, synchronisation, objet, champ, ancien → nouveau")
def audit(acces: VoirAudit, systeme: SystemeDep, eleve: str | None = None, enseignant: str | None = None,
          synchronisation: str | None = None, acteur: str | None = None, du: date | None = None,
          au: date | None = None, limite: Annotated[int, Query(ge=1, le=1000)] = 100,
          decalage: Decalage = 0) -> dict[str, Any]:
    filtres = FiltresAudit(eleve=eleve, enseignant=enseignant, synchronisation=synchronisation, acteur=acteur,
                           du=du, au=au)
    with systeme.lire("audit") as c:
        return {"uai": acces.uai, "filtres": filtres.en_dict(),
                **par_filtres(c, acces.uai, filtres, limite=limite, decalage=decalage).en_dict()}


@router.get("/etablissements/{uai}/bilans", tags=["bilans"], summary="Les bilans d'une division pour une période")
def bilans(acces: VoirBilans, systeme: SystemeDep, division: str, periode: str) -> dict[str, Any]:
    etab = systeme.app.etablissement(acces.uai)
    systeme.app.division(etab, division)  # unknown division: 400
    with systeme.lire("courante") as c:
        return {"uai": acces.uai, "division": division, "periode": periode,
                "bilans": requetes_vue.bilans_de_division(c, acces.uai, division, periode)}


@router.get("/etablissements/{uai}/bilans/{eleve_id}/{periode:path}", tags=["bilans"],
            summary="Un bilan maintenant, à une version, ou tel qu'il était à une date (fin de journée, UTC)")
def bilan(acces: VoirBilans, systeme: SystemeDep, eleve_id: str, periode: str, au: date | None = None,
          version: Version = None) -> dict[str, Any]:
    if au is not None and version is not None:
        raise RequeteInvalideError("Indiquez « au » ou « version », pas les deux.")
    etab = systeme.app.etablissement(acces.uai)
    return lecture.bilan(systeme.app, etab, eleve_id, periode, au=au, version=version).en_dict()


@router.get("/etablissements/{uai}/eleves/{eleve_id}/archives", tags=["bilans"],
            summary="Les bilans archivés d'un élève, chacun exactement tel qu'archivé")
def archives_eleve(acces: VoirBilans, systeme: SystemeDep, eleve_id: str) -> dict[str, Any]:
    return {"uai": acces.uai, "eleve": eleve_id,
            "archives": [a.en_dict() for a in archives(systeme.app, acces.uai, eleve_id)]}


@router.post("/etablissements/{uai}/verrouillage", tags=["bilans"],
             summary="Verrouille ou déverrouille les bilans d'une division et période (ou d'un élève)")
def verrouillage(acces: Verrouiller, systeme: SystemeDep, corps: VerrouillageApi) -> dict[str, Any]:
    compte = systeme.app.verrouiller(acces.uai, corps.division, corps.periode, acces.compte.acteur,
                                     eleve_id=corps.eleve, verrouiller=corps.verrouiller)
    return {"division": corps.division, "periode": corps.periode, "verrouiller": corps.verrouiller, **compte}


@router.post("/etablissements/{uai}/exports", tags=["synchronisations"],
             summary="Dépose les exports SIECLE (zip) et STS-web : lus et contrôlés avant d'être gardés")
def deposer(acces: Deposer, systeme: SystemeDep, reglages: ReglagesDep, siecle: Annotated[UploadFile, File()],
            sts: Annotated[UploadFile, File()]) -> dict[str, Any]:
    etab = systeme.app.etablissement(acces.uai)
    d = sources_web.deposer(reglages, acces.uai, etab.annee_scolaire, acces.compte.acteur,
                            (siecle.filename or "siecle.zip", siecle.file), (sts.filename or "sts.xml", sts.file))
    return {"uai": acces.uai, "source": d.libelle, "depose_le": d.depose_le, "par": d.par}
