"""Sessions and CSRF. The session is a signed cookie (Starlette's ``SessionMiddleware``: itsdangerous,
HttpOnly, SameSite=Lax) holding the account's identifiant and a CSRF token. Every form carries the token;
state-changing API calls made with the session cookie send it in ``X-CSRF-Token``. A bearer token needs none."""

from __future__ import annotations

import secrets
from typing import TYPE_CHECKING

from lsun_events.interfaces.web.erreurs import InterditError

if TYPE_CHECKING:
    from fastapi import Request

    from lsun_events.comptes import Compte

ENTETE_CSRF = "X-CSRF-Token"
REFUS_CSRF = ("Jeton de sécurité (CSRF) absent ou invalide : rechargez la page puis recommencez. "
              "Rien n'a été enregistré.")


def jeton_csrf(request: Request) -> str:
    """The session's CSRF token, created on first use."""
    jeton = request.session.get("csrf")
    if not jeton:
        jeton = secrets.token_urlsafe(32)
        request.session["csrf"] = jeton
    return jeton


def verifier_csrf(request: Request, recu: str | None) -> None:
    attendu = request.session.get("csrf")
    if not attendu or not recu or not secrets.compare_digest(str(attendu), str(recu)):
        raise InterditError(REFUS_CSRF)


def ouvrir_session(request: Request, compte: Compte) -> None:
    """A fresh session (no fixation): new content, new CSRF token."""
    request.session.clear()
    request.session["identifiant"] = compte.identifiant
    request.session["csrf"] = secrets.token_urlsafe(32)


def fermer_session(request: Request) -> None:
    request.session.clear()
