"""What is checked on a request's head, before anything reads its body (a pure ASGI middleware, inside the
session's so that the signed cookie is already decoded):

- a path or query string holding a control character (C0, DEL, C1, even percent-encoded) is refused (400);
- a body larger than allowed is refused: from its ``Content-Length`` at once, or, sent in chunks, as soon as the
  bytes received pass the limit (413) — ``Reglages.depot_max`` for an upload of the exports, ``corps_max`` for
  any other request;
- an upload of the exports (``POST …/etablissements/{uai}/exports``, page or API) is only read from an account
  that is logged in (session still open, or a valid bearer token: else 401), may upload for that school (403),
  and, with the session cookie, passes the CSRF checks its headers allow (403): the ``X-CSRF-Token`` header when
  given (always required for the API, as for any change made through it with the cookie), and a browser's
  ``Origin`` / ``Sec-Fetch-Site`` saying the form is this site's. The form's own ``csrf`` field is checked
  again by the route.

Answers are the application's (``reponses.reponse``): ``{"erreur": "…"}`` under ``/api``, the French error page
(or the login page for a 401) otherwise."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING
from urllib.parse import unquote_to_bytes, urlsplit

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request

from lsun_events.application.erreurs import ErreurLsun
from lsun_events.interfaces.web.deps import CONTROLE, compte_optionnel
from lsun_events.interfaces.web.droits import exiger
from lsun_events.interfaces.web.erreurs import ErreurWeb, InterditError, NonConnecteError, statut_de
from lsun_events.interfaces.web.reglages import MIO, Reglages
from lsun_events.interfaces.web.reponses import est_api, reponse
from lsun_events.interfaces.web.securite import ENTETE_CSRF, REFUS_CSRF, verifier_csrf

if TYPE_CHECKING:
    from starlette.types import ASGIApp, Message, Receive, Scope, Send

DEPOT = re.compile(r"^/(?:api/)?etablissements/([^/]+)/exports/?$")


class CorpsTropGrosError(Exception):
    """Raised from ``receive`` once a chunked body passes its limit: whoever was reading it stops there."""


def _mo(octets: int) -> str:
    return f"{octets / MIO:.0f} Mo" if octets >= MIO else f"{octets // 1024} Ko"


def message_trop_gros(limite: int, depot: bool) -> str:
    if depot:
        return (f"Requête trop volumineuse : le dépôt des exports est limité à {_mo(limite)} en tout "
                f"(chaque fichier à {_mo((limite - MIO) // 2)}). Rien n'a été enregistré.")
    return f"Requête trop volumineuse : {_mo(limite)} au plus. Rien n'a été enregistré."


def caractere_de_controle(scope: Scope) -> str | None:
    """The first control character of the path or the (decoded) query string, as « U+XXXX »."""
    texte = scope.get("path", "")
    trouve = CONTROLE.search(texte)
    if trouve is None and scope.get("query_string"):
        requete = unquote_to_bytes(scope["query_string"]).decode("utf-8", "replace")
        trouve = CONTROLE.search(requete)
    return f"U+{ord(trouve.group()):04X}" if trouve else None


def _entete(scope: Scope, nom: bytes) -> str | None:
    for cle, valeur in scope.get("headers", ()):
        if cle == nom:
            return valeur.decode("latin-1")
    return None


def verifier_origine(request: Request) -> None:
    """A browser says where a form comes from: another site's form is refused from the headers alone. Its
    ``Sec-Fetch-Site`` when it sends one (it holds behind a proxy that rewrites ``Host``), else its ``Origin``
    against ``Host``; neither (not a browser): the route checks the form's token."""
    site = request.headers.get("sec-fetch-site")
    if site is not None:
        if site not in ("same-origin", "none"):
            raise InterditError(REFUS_CSRF)
        return
    origine = request.headers.get("origin")
    if origine is not None and urlsplit(origine).netloc.lower() != request.headers.get("host", "").lower():
        raise InterditError(REFUS_CSRF)


def verifier_depot(request: Request, uai: str) -> None:
    """Logged in, allowed to upload for ``uai``, CSRF from the headers: else the ``ErreurWeb`` to answer."""
    compte = compte_optionnel(request, request.app.state.comptes)
    if compte is None:
        raise NonConnecteError
    exiger(compte, "deposer", uai)
    if getattr(request.state, "par_jeton", False):
        return
    jeton = request.headers.get(ENTETE_CSRF)
    if jeton is not None or est_api(request):
        verifier_csrf(request, jeton)
    verifier_origine(request)


class Garde:
    def __init__(self, app: ASGIApp, reglages: Reglages) -> None:
        self.app = app
        self.reglages = reglages

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        controle = caractere_de_controle(scope)
        if controle is not None:
            await self._repondre(scope, receive, send, 400, "Requête invalide : l'adresse contient un caractère de "
                                                            f"contrôle ({controle}).")
            return
        depot = DEPOT.match(scope.get("path", "")) if scope.get("method") == "POST" else None
        limite = self.reglages.depot_max if depot else self.reglages.corps_max
        if depot is not None:
            try:
                await run_in_threadpool(verifier_depot, Request(scope, receive), depot.group(1))
            except (ErreurWeb, ErreurLsun) as e:
                await self._repondre(scope, receive, send, statut_de(e), getattr(e, "message", str(e)))
                return
        longueur = _entete(scope, b"content-length")
        if longueur is not None:
            if not longueur.strip().isdigit():
                await self._repondre(scope, receive, send, 400, "Requête invalide : en-tête Content-Length invalide.")
                return
            if int(longueur) > limite:
                await self._repondre(scope, receive, send, 413, message_trop_gros(limite, depot is not None))
                return
        await self._compter(scope, receive, send, limite, depot is not None)

    async def _compter(self, scope: Scope, receive: Receive, send: Send, limite: int, depot: bool) -> None:
        """The app reads the body through a counter: past ``limite``, reading fails and the answer is a 413."""
        recu = 0
        depasse = commence = False

        async def recevoir() -> Message:
            nonlocal recu, depasse
            message = await receive()
            if message["type"] == "http.request":
                recu += len(message.get("body", b""))
                if recu > limite:
                    depasse = True
                    raise CorpsTropGrosError
            return message

        async def envoyer(message: Message) -> None:
            nonlocal commence
            if depasse:  # whatever the app answers to the failed read, the answer is 413
                if message["type"] == "http.response.start" and not commence:
                    commence = True
                    await self._repondre(scope, receive, send, 413, message_trop_gros(limite, depot))
                return
            if message["type"] == "http.response.start":
                commence = True
            await send(message)

        try:
            await self.app(scope, recevoir, envoyer)
        except CorpsTropGrosError:
            if commence:
                raise
            commence = True
            await self._repondre(scope, receive, send, 413, message_trop_gros(limite, depot))

    @staticmethod
    async def _repondre(scope: Scope, receive: Receive, send: Send, statut: int, message: str) -> None:
        await reponse(Request(scope, receive), statut, message)(scope, receive, send)
