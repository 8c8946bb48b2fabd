"""Sessions and CSRF. The session cookie is signed (Starlette's ``SessionMiddleware``: itsdangerous, HttpOnly,
SameSite=Lax) and holds a random session id and a CSRF token; the session itself lives on the server
(``Comptes``, table ``comptes_sessions``), so that logout, a password change, the account's removal, inactivity
and age end it even for a copied cookie. Every form carries the CSRF token; state-changing API calls made with the
session cookie send it in ``X-CSRF-Token``. A bearer token needs none."""

from __future__ import annotations

import secrets
from collections.abc import MutableMapping
from typing import TYPE_CHECKING, Any

from lsun_events.interfaces.web.erreurs import InterditError

if TYPE_CHECKING:
    from fastapi import Request

    from lsun_events.application.comptes import Compte, Comptes

ENTETE_CSRF = "X-CSRF-Token"
REFUS_CSRF = ("Jeton de sécurité (CSRF) absent ou invalide : rechargez la page puis recommencez. "
              "Rien n'a été enregistré.")
SESSION_FINIE = ("Votre session a pris fin (déconnexion, inactivité, durée maximale ou mot de passe changé) : "
                 "identifiez-vous à nouveau.")


def jeton_csrf(request: Request) -> str:
    """The session's CSRF token, created on first use."""
    jeton = request.session.get("csrf")
    if not jeton:
        jeton = secrets.token_urlsafe(32)
        request.session["csrf"] = jeton
    return jeton


def verifier_csrf(request: Request, recu: str | None) -> None:
    attendu = request.session.get("csrf")
    if not attendu or not recu or not secrets.compare_digest(str(attendu).encode(), str(recu).encode()):
        raise InterditError(REFUS_CSRF)


def compte_de_session(session: MutableMapping[str, Any], comptes: Comptes, *, page: bool = True) -> Compte | None:
    """The account of the cookie's session if the server still holds it open; an ended one is forgotten from
    the cookie (and, for a page, the next page says why)."""
    identifiant_session = session.get("sid")
    if not identifiant_session:
        return None
    compte = comptes.par_session(str(identifiant_session))
    if compte is None:
        session.clear()
        if page:
            session["flash"] = {"message": SESSION_FINIE, "erreur": True}
    return compte


def ouvrir_session(request: Request, compte: Compte) -> None:
    """A fresh session (no fixation): a new server-side session, new content, new CSRF token."""
    comptes: Comptes = request.app.state.comptes
    fermer_session(request)
    request.session["sid"] = comptes.ouvrir_session(compte.identifiant)
    request.session["csrf"] = secrets.token_urlsafe(32)


def fermer_session(request: Request) -> None:
    """Logout: the server forgets the session, so a copy of the cookie is worth nothing."""
    identifiant_session = request.session.get("sid")
    if identifiant_session:
        request.app.state.comptes.fermer_session(str(identifiant_session))
    request.session.clear()
