"""Bilans (per division and period: état, PP; a bilan with its history and archives; lock/unlock), the
periods of each division, and « qui a modifié quoi » (the audit log, filtered; also as CSV)."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import Response

from lsun_events.aggregates.valeurs import Periode
from lsun_events.interfaces.web import evenements_fr, lecture
from lsun_events.interfaces.web.deps import Acces, Decalage, SystemeDep, Texte, Version, droit
from lsun_events.interfaces.web.erreurs import RequeteInvalideError
from lsun_events.interfaces.web.pages import flash, rediriger
from lsun_events.interfaces.web.rapport_web import reponse_csv, tableau_csv
from lsun_events.interfaces.web.rendu import page, url
from lsun_events.interfaces.web.securite import verifier_csrf
from lsun_events.projections import rapports, requetes_vue
from lsun_events.projections.requetes_audit import FiltresAudit, acteurs, par_filtres

router = APIRouter(include_in_schema=False)
VoirBilans = Annotated[Acces, Depends(droit("voir_bilans"))]
Verrouiller = Annotated[Acces, Depends(droit("verrouiller"))]
Parametrer = Annotated[Acces, Depends(droit("parametrer"))]
VoirAudit = Annotated[Acces, Depends(droit("voir_audit"))]


@router.get("/etablissements/{uai}/bilans")
def bilans(request: Request, acces: VoirBilans, systeme: SystemeDep, division: str | None = None,
           periode: str | None = None) -> Response:
    etab = systeme.app.etablissement(acces.uai)
    with systeme.lire("courante") as c:
        divisions = requetes_vue.divisions(c, acces.uai)
        choisie = next((d for d in divisions if d["code"] == division), None)
        if choisie is not None and periode is None and choisie["periodes"]:
            ouvertes = [p["code"] for p in choisie["periodes"] if p["ouverte"]]
            periode = ouvertes[-1] if ouvertes else choisie["periodes"][0]["code"]
        lignes = requetes_vue.bilans_de_division(c, acces.uai, division, periode) if choisie and periode else []
    return page(request, "bilans.html", {"titre": "Bilans périodiques", "etab": etab, "divisions": divisions,
                                         "division": choisie, "periode": periode, "bilans": lignes})


@router.get("/etablissements/{uai}/bilans/{eleve_id}/{periode:path}")
def bilan(request: Request, acces: VoirBilans, systeme: SystemeDep, eleve_id: str, periode: str,
          au: date | None = None, version: Version = None) -> Response:
    etab = systeme.app.etablissement(acces.uai)
    vue = lecture.bilan(systeme.app, etab, eleve_id, periode, au=au, version=version)
    return page(request, "bilan.html", {"titre": f"Bilan {periode} — {vue.eleve.identite.nom_affiche}",
                                        "vue": vue, "b": vue.bilan, "au": au, "fr": evenements_fr})


@router.post("/etablissements/{uai}/bilans/verrouillage")
def verrouillage(request: Request, acces: Verrouiller, systeme: SystemeDep, division: Annotated[Texte, Form()],
                 periode: Annotated[Texte, Form()], verrouiller: Annotated[bool, Form()],
                 eleve: Annotated[Texte | None, Form()] = None, csrf: Annotated[str | None, Form()] = None,
                 retour: Annotated[Texte | None, Form()] = None) -> Response:
    verifier_csrf(request, csrf)
    compte = systeme.app.verrouiller(acces.uai, division, periode, acces.compte.acteur, eleve_id=eleve or None,
                                     verrouiller=verrouiller)
    verbe = "verrouillé(s)" if verrouiller else "déverrouillé(s)"
    flash(request, f"{compte['bilans']} bilan(s) {verbe}.")
    base = f"/etablissements/{acces.uai}/"
    return rediriger(retour if retour and retour.startswith(base) else f"{base}bilans?division={url(division)}"
                     f"&periode={url(periode)}")


@router.get("/etablissements/{uai}/periodes")
def periodes(request: Request, acces: VoirBilans, systeme: SystemeDep) -> Response:
    etab = systeme.app.etablissement(acces.uai)
    with systeme.lire("courante") as c:
        divisions = requetes_vue.divisions(c, acces.uai)
    return page(request, "periodes.html", {"titre": "Paramétrage des périodes", "etab": etab,
                                           "divisions": divisions})


def _periodes(codes: list[str], debuts: list[str], fins: list[str]) -> list[Periode]:
    resultat = []
    for code, debut, fin in zip(codes, debuts, fins, strict=False):
        if not (code.strip() or debut or fin):
            continue
        try:
            resultat.append(Periode(code.strip(), date.fromisoformat(debut), date.fromisoformat(fin)))
        except ValueError:
            raise RequeteInvalideError(f"Période « {code} » : indiquez un code, une date de début et une date "
                                       "de fin (AAAA-MM-JJ).") from None
    return resultat


@router.post("/etablissements/{uai}/periodes")
def parametrer(request: Request, acces: Parametrer, systeme: SystemeDep, division: Annotated[Texte, Form()],
               code: Annotated[list[Texte] | None, Form()] = None, debut: Annotated[list[str] | None, Form()] = None,
               fin: Annotated[list[str] | None, Form()] = None, csrf: Annotated[str | None, Form()] = None) -> Response:
    verifier_csrf(request, csrf)
    liste = _periodes(code or [], debut or [], fin or [])
    systeme.app.parametrer_periodes(acces.uai, division, liste, acces.compte.acteur)
    flash(request, f"Périodes de la division {division} : {', '.join(p.code for p in liste)}.")
    return rediriger(f"/etablissements/{acces.uai}/periodes#division-{url(division)}")


@router.post("/etablissements/{uai}/bilans/ouverture")
def ouvrir(request: Request, acces: Parametrer, systeme: SystemeDep, division: Annotated[Texte, Form()],
           periode: Annotated[Texte, Form()], csrf: Annotated[str | None, Form()] = None) -> Response:
    verifier_csrf(request, csrf)
    compte = systeme.app.ouvrir_bilans(acces.uai, division, periode, acces.compte.acteur)
    flash(request, f"{compte['bilans']} bilan(s) ouvert(s) pour la division {division}, période {periode}.")
    return rediriger(f"/etablissements/{acces.uai}/bilans?division={url(division)}&periode={url(periode)}")


AUDIT_CSV_MAX = 20_000  # rows of the audit CSV: the most recent ones matching the filters
AUDIT_PAGE = 100  # rows per page of the audit page
ENTETES_AUDIT = ["date (UTC)", "acteur", "synchronisation", "objet", "événement", "champ", "ancien", "nouveau",
                 "élève", "enseignant", "division"]


def filtres_audit(eleve: str | None = None, enseignant: str | None = None, synchronisation: str | None = None,
                  acteur: str | None = None, du: str | None = None, au: str | None = None) -> FiltresAudit:
    """The audit form's filters (query string); an empty field is no filter."""
    return FiltresAudit(eleve=(eleve or "").strip() or None, enseignant=enseignant or None,
                        synchronisation=synchronisation or None, acteur=acteur or None, du=_date(du, "du"),
                        au=_date(au, "au"))


Filtres = Annotated[FiltresAudit, Depends(filtres_audit)]


@router.get("/etablissements/{uai}/audit/csv")
def audit_csv(acces: VoirAudit, systeme: SystemeDep, filtres: Filtres) -> Response:
    """The log as the page filters it, newest first, ``AUDIT_CSV_MAX`` rows at most (header ``X-Lignes-Total``:
    how many matched)."""
    with systeme.lire("audit") as c:
        resultat = par_filtres(c, acces.uai, filtres, limite=AUDIT_CSV_MAX)
    lignes = ([x.date, x.acteur, x.synchronisation, x.nom, x.evenement_libelle, x.champ_libelle, x.ancien_texte,
               x.nouveau_texte, x.eleve_id, x.enseignant, x.division] for x in resultat.lignes)
    reponse = reponse_csv(tableau_csv(ENTETES_AUDIT, lignes), f"qui-a-modifié-quoi-{acces.uai}.csv")
    reponse.headers["X-Lignes-Total"] = str(resultat.total)
    return reponse


@router.get("/etablissements/{uai}/audit")
def audit(request: Request, acces: VoirAudit, systeme: SystemeDep, filtres: Filtres,
          decalage: Decalage = 0) -> Response:
    with systeme.lire("audit") as c:
        resultat = par_filtres(c, acces.uai, filtres, limite=AUDIT_PAGE, decalage=decalage)
        liste_acteurs = acteurs(c, acces.uai)
    with systeme.lire("courante") as c:
        liste_enseignants = requetes_vue.enseignants(c, acces.uai)
    with systeme.lire("rapports") as c:
        runs = rapports.runs(c, acces.uai, limite=100)
    return page(request, "audit.html", {
        "titre": "Qui a modifié quoi", "filtres": filtres, "resultat": resultat, "acteurs": liste_acteurs,
        "enseignants": liste_enseignants, "runs": runs, "csv_max": AUDIT_CSV_MAX})


def _date(texte: str | None, champ: str) -> date | None:
    """An empty date field of the form is no filter."""
    if not texte:
        return None
    try:
        return date.fromisoformat(texte)
    except ValueError:
        raise RequeteInvalideError(f"Date « {texte} » invalide pour « {champ} » : attendu AAAA-MM-JJ.") from None
