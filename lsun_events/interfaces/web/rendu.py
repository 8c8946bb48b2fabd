"""Server-rendered pages: the Jinja2 templates of this package, with what every page needs (the account,
its CSRF token, the menu of its school). A code (division, période, matière: any printable character, ``/ # ? %``
and spaces included) goes into a link through the ``url`` filter: every character but letters, digits and
``_.-~`` percent-encoded, so that it is one path segment or one query value."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from typing import Any
from urllib.parse import quote

from fastapi import Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates

from lsun_events.interfaces.web.droits import peut
from lsun_events.interfaces.web.securite import jeton_csrf
from lsun_events.regles.messages import FUSEAU

TEMPLATES = Jinja2Templates(directory=str(Path(__file__).parent / "templates"))


def date_fr(valeur: Any, heure: bool = True) -> str:
    if valeur is None or valeur == "":
        return ""
    if isinstance(valeur, str):
        try:
            valeur = datetime.fromisoformat(valeur)
        except ValueError:
            return valeur
    if isinstance(valeur, datetime):
        local = valeur.astimezone(FUSEAU) if valeur.tzinfo else valeur  # the schools' time, as in M13
        return local.strftime("%d/%m/%Y %H:%M:%S" if heure else "%d/%m/%Y")
    if isinstance(valeur, date):
        return valeur.strftime("%d/%m/%Y")
    return str(valeur)


def _annee_fr(annee: str) -> str:
    """« 2025 » → « 2025-2026 »."""
    return f"{annee}-{int(annee) + 1}" if str(annee).isdigit() else str(annee)


def url(valeur: Any) -> str:
    """A path segment, query value or fragment: ``4/B #1`` → ``4%2FB%20%231``."""
    return quote(str(valeur), safe="")


TEMPLATES.env.filters["url"] = url
TEMPLATES.env.filters["date_fr"] = date_fr
TEMPLATES.env.filters["annee_fr"] = _annee_fr


def page(request: Request, nom: str, contexte: dict[str, Any], *, statut: int = 200) -> HTMLResponse:
    compte = getattr(request.state, "compte", None)
    uai = contexte.get("uai") or (compte.uai if compte is not None else None)
    commun = {"compte": compte, "csrf": jeton_csrf(request), "uai": uai, "flash": request.session.pop("flash", None),
              "peut": (lambda action: compte is not None and uai is not None and peut(compte, action, uai))}
    return TEMPLATES.TemplateResponse(request=request, name=nom, context={**commun, **contexte},
                                      status_code=statut)
