"""The logged-in account's own page: changing its password ends every session of the account (a copied cookie
included) and opens a fresh one for this browser."""

from __future__ import annotations

import math
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import Response

from lsun_events.application.comptes import MOT_DE_PASSE_MIN
from lsun_events.interfaces.web.deps import CompteDep, ComptesDep
from lsun_events.interfaces.web.limites import LimiteConnexions
from lsun_events.interfaces.web.pages import flash, rediriger
from lsun_events.interfaces.web.rendu import page
from lsun_events.interfaces.web.securite import ouvrir_session, verifier_csrf

router = APIRouter(include_in_schema=False)
TITRE = "Mon compte"


def _formulaire(request: Request, erreur: str | None = None, statut: int = 200) -> Response:
    return page(request, "compte.html", {"titre": TITRE, "erreur": erreur, "minimum": MOT_DE_PASSE_MIN},
                statut=statut)


@router.get("/compte")
def mon_compte(request: Request, compte: CompteDep) -> Response:
    return _formulaire(request)


@router.post("/compte/mot-de-passe")
def changer_mot_de_passe(request: Request, compte: CompteDep, comptes: ComptesDep,
                         actuel: Annotated[str, Form()] = "", nouveau: Annotated[str, Form()] = "",
                         confirmation: Annotated[str, Form()] = "",
                         csrf: Annotated[str | None, Form()] = None) -> Response:
    verifier_csrf(request, csrf)
    limite: LimiteConnexions = request.app.state.limite_connexions
    adresse = request.client.host if request.client else None
    attente = limite.attente(compte.identifiant, adresse)
    if attente > 0:
        return _formulaire(request, "Trop de tentatives infructueuses : réessayez dans "
                                    f"{max(1, math.ceil(attente / 60))} minute(s).", 429)
    if comptes.verifier(compte.identifiant, actuel) is None:
        limite.echec(compte.identifiant, adresse)
        return _formulaire(request, "Mot de passe actuel incorrect : rien n'a été changé.", 400)
    if nouveau != confirmation:
        return _formulaire(request, "Les deux nouveaux mots de passe diffèrent : rien n'a été changé.", 400)
    if len(nouveau) < MOT_DE_PASSE_MIN:
        return _formulaire(request, f"Nouveau mot de passe trop court : au moins {MOT_DE_PASSE_MIN} caractères. "
                                    "Rien n'a été changé.", 400)
    fermees = comptes.changer_mot_de_passe(compte.identifiant, nouveau)
    ouvrir_session(request, compte)
    autres = max(fermees - 1, 0)
    flash(request, f"Mot de passe changé. {autres} autre(s) session(s) de votre compte fermée(s) : "
                   "il faudra vous y identifier avec le nouveau mot de passe.")
    return rediriger("/compte")
