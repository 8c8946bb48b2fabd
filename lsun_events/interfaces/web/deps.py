"""FastAPI dependencies: the system, the accounts, the logged-in account (session cookie or bearer token),
and the rights on a school, as ``Annotated`` aliases (the FastAPI template's ``SessionDep``/``CurrentUser``)."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Query, Request
from pydantic import AfterValidator

from lsun_events.application.comptes import Compte, Comptes
from lsun_events.interfaces.web.droits import exiger
from lsun_events.interfaces.web.erreurs import NonConnecteError
from lsun_events.interfaces.web.reglages import Reglages
from lsun_events.interfaces.web.securite import ENTETE_CSRF, compte_de_session, verifier_csrf
from lsun_events.interfaces.web.taches import Taches
from lsun_events.systeme import Systeme


def _systeme(request: Request) -> Systeme:
    return request.app.state.systeme


def _comptes(request: Request) -> Comptes:
    return request.app.state.comptes


def _reglages(request: Request) -> Reglages:
    return request.app.state.reglages


def _taches(request: Request) -> Taches:
    return request.app.state.taches


CONTROLE = re.compile(r"[\x00-\x1f\x7f-\x9f]")  # C0, DEL, C1


def sans_controle(valeur: str) -> str:
    """A text of a form or a JSON body holds no control character (a code, a name, an address)."""
    if (trouve := CONTROLE.search(valeur)) is not None:
        raise ValueError(f"contient un caractère de contrôle (U+{ord(trouve.group()):04X})")
    return valeur


Texte = Annotated[str, AfterValidator(sans_controle)]

DECALAGE_MAX = 10**9  # rows skipped by a page of results (SQLite and PostgreSQL take an int64)
VERSION_MAX = 10**9

Decalage = Annotated[int, Query(ge=0, le=DECALAGE_MAX, description="lignes sautées (pagination)")]
Version = Annotated[int | None, Query(ge=1, le=VERSION_MAX, description="une version du bilan (1 : la première)")]

SystemeDep = Annotated[Systeme, Depends(_systeme)]
ComptesDep = Annotated[Comptes, Depends(_comptes)]
ReglagesDep = Annotated[Reglages, Depends(_reglages)]
TachesDep = Annotated[Taches, Depends(_taches)]


def compte_optionnel(request: Request, comptes: ComptesDep) -> Compte | None:
    """The bearer token's account, else the session's; None for an anonymous visitor."""
    autorisation = request.headers.get("authorization", "")
    if autorisation[:7].lower() == "bearer ":
        compte = comptes.par_jeton(autorisation[7:].strip())
        if compte is None:
            raise NonConnecteError("Jeton d'accès invalide ou révoqué.")
        request.state.par_jeton = True
    else:
        compte = compte_de_session(request.session, comptes, page=not request.url.path.startswith("/api"))
    request.state.compte = compte
    return compte


CompteOptionnel = Annotated[Compte | None, Depends(compte_optionnel)]


def compte_requis(compte: CompteOptionnel) -> Compte:
    if compte is None:
        raise NonConnecteError
    return compte


CompteDep = Annotated[Compte, Depends(compte_requis)]


def csrf_api(request: Request, compte: CompteDep) -> Compte:
    """State-changing API call: with the session cookie, the CSRF token must come in ``X-CSRF-Token``."""
    if not getattr(request.state, "par_jeton", False):
        verifier_csrf(request, request.headers.get(ENTETE_CSRF))
    return compte


@dataclass(frozen=True)
class Acces:
    """An account allowed to do an action on a school (``uai`` upper-cased)."""

    compte: Compte
    uai: str


def droit(action: str, *, ecriture_api: bool = False) -> Callable[..., Acces]:
    """Dependency: the account may do ``action`` on the school of the path's ``{uai}``."""
    if ecriture_api:
        def verifier_ecriture(uai: str, compte: Annotated[Compte, Depends(csrf_api)]) -> Acces:
            return Acces(compte, exiger(compte, action, uai))
        return verifier_ecriture

    def verifier(uai: str, compte: CompteDep) -> Acces:
        return Acces(compte, exiger(compte, action, uai))
    return verifier
