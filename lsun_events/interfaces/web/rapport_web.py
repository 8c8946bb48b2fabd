"""A run's messages as the page shows them (grouped by division, warnings counted apart), and the CSV files the
web serves: ``;``-separated with a BOM (as a spreadsheet in French expects), every cell that a spreadsheet would
take for a formula written as text (OWASP CSV injection: a leading ``'``), the file named in the
``Content-Disposition`` header in ASCII and in UTF-8 (RFC 6266 / RFC 5987 ``filename*``)."""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote

from fastapi.responses import Response

from lsun_events.regles.messages import AVERTISSEMENT, Message

FORMULE = ("=", "+", "-", "@", "\t", "\r")  # what a spreadsheet reads as the start of a formula


@dataclass
class GroupeDivision:
    division: str
    messages: list[Message] = field(default_factory=list)

    @property
    def titre(self) -> str:
        """« Division 4A »; the messages of no division (M13, an undo's first message): « Annulation »."""
        return f"Division {self.division}" if self.division else "Annulation"

    @property
    def avertissements(self) -> int:
        return sum(m.niveau == AVERTISSEMENT for m in self.messages)

    @property
    def infos(self) -> int:
        return len(self.messages) - self.avertissements


def grouper(messages: Iterable[Message]) -> list[GroupeDivision]:
    """By division, in the report's order (SPEC §4: the order selected)."""
    groupes: dict[str, GroupeDivision] = {}
    for m in messages:
        groupes.setdefault(m.division, GroupeDivision(m.division)).messages.append(m)
    return list(groupes.values())


def cellule(valeur: Any) -> str:
    """A CSV cell a spreadsheet shows as text: ``=HYPERLINK(…)`` → ``'=HYPERLINK(…)``."""
    texte = "" if valeur is None else str(valeur)
    return f"'{texte}" if texte.startswith(FORMULE) else texte


def tableau_csv(entetes: Sequence[str], lignes: Iterable[Sequence[Any]]) -> str:
    tampon = io.StringIO()
    ecrivain = csv.writer(tampon, delimiter=";", lineterminator="\r\n")
    ecrivain.writerow([cellule(x) for x in entetes])
    ecrivain.writerows([cellule(x) for x in ligne] for ligne in lignes)
    return "\ufeff" + tampon.getvalue()


def lignes_csv(messages: Iterable[Message]) -> Iterator[list[str]]:
    """One row per changed field of a message (division, level, code, text, field, old, new); a message without
    details keeps one row, its last three cells empty."""
    for m in messages:
        debut = [m.division, m.niveau, m.code, m.texte]
        if not m.details:
            yield [*debut, "", "", ""]
        for d in m.details:
            yield [*debut, d.libelle, d.ancien_texte, d.nouveau_texte]


def en_csv(messages: Iterable[Message]) -> str:
    """A run's messages: division, level, code, text, and what each changed (field, old, new)."""
    return tableau_csv(["division", "niveau", "code", "message", "champ", "ancien", "nouveau"], lignes_csv(messages))


def piece_jointe(nom: str) -> str:
    """``Content-Disposition`` of a download named ``nom``: an ASCII name for old clients, the exact one in
    ``filename*``."""
    ascii_ = unicodedata.normalize("NFKD", nom).encode("ascii", "ignore").decode()
    ascii_ = re.sub(r'[^A-Za-z0-9._-]+', "_", ascii_).strip("_") or "export.csv"
    return f"attachment; filename=\"{ascii_}\"; filename*=UTF-8''{quote(nom, safe='')}"


def reponse_csv(texte: str, nom: str) -> Response:
    return Response(texte, media_type="text/csv; charset=utf-8", headers={"Content-Disposition": piece_jointe(nom)})
