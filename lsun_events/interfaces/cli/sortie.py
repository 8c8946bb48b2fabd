"""What a command prints: one JSON document on stdout with ``--json``, else French text lines.

Nothing printed can drive the terminal: control characters (C0, DEL, C1 such as the 8-bit CSI) and the
bidirectional overrides in a value — an old event's acteur, a code read from an export, an argument echoed back
in an error — are shown escaped (``\\x1b``, ``\\n``, ``\\u202e``), in the text lines, the error messages and the
JSON document alike (JSON already escapes C0; DEL, C1 and the overrides are escaped as ``\\u007f``…)."""

from __future__ import annotations

import json
import re
import sys
from dataclasses import dataclass, field
from datetime import date, datetime
from enum import Enum
from typing import Any
from uuid import UUID

# C0, DEL, C1, bidirectional overrides and isolates, line and paragraph separators.
_CONTROLES = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")
# What ``json.dumps`` leaves raw inside strings (it escapes C0; the line feeds of ``indent`` are its own).
_CONTROLES_JSON = re.compile("[\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")
_NOMMES = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}


def echapper(texte: str, *, garder: str = "") -> str:
    """``texte`` with its control characters written as escapes, but those of ``garder`` (``"\\t"``: the
    columns of a listing; ``"\\n\\t"``: an error message of several lines)."""

    def echappe(m: re.Match[str]) -> str:
        c = m.group()
        if c in garder:
            return c
        return _NOMMES.get(c) or (f"\\x{ord(c):02x}" if ord(c) < 0x100 else f"\\u{ord(c):04x}")

    return _CONTROLES.sub(echappe, texte)


def contient_controle(texte: str) -> bool:
    return _CONTROLES.search(texte) is not None


@dataclass
class Resultat:
    donnees: dict[str, Any]
    lignes: list[str] = field(default_factory=list)


def _json_defaut(obj: Any) -> Any:
    if isinstance(obj, (date, datetime)):
        return obj.isoformat()
    if isinstance(obj, (UUID, Enum)):
        return str(obj.value if isinstance(obj, Enum) else obj)
    if isinstance(obj, (set, tuple)):
        return list(obj)
    if hasattr(obj, "en_dict"):
        return obj.en_dict()
    raise TypeError(type(obj).__name__)


def _echappe_json(m: re.Match[str]) -> str:
    return f"\\u{ord(m.group()):04x}"


def document_json(donnees: dict[str, Any]) -> str:
    """The JSON document; what ``json`` leaves raw (DEL, C1, bidi overrides) is escaped too, which is valid
    JSON since such characters can only appear inside strings."""
    texte = json.dumps(donnees, ensure_ascii=False, default=_json_defaut, indent=2)
    return _CONTROLES_JSON.sub(_echappe_json, texte)


def afficher(resultat: Resultat, *, en_json: bool) -> None:
    if en_json:
        sys.stdout.write(document_json(resultat.donnees) + "\n")
    else:
        for ligne in resultat.lignes:
            sys.stdout.write(echapper(ligne, garder="\t") + "\n")


def erreur(message: str) -> None:
    sys.stderr.write("Erreur : " + echapper(message) + "\n")
