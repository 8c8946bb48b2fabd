"""What a command prints: one JSON document on stdout with ``--json``, else French text lines."""

from __future__ import annotations

import json
import sys
from dataclasses import dataclass, field
from datetime import date, datetime
from enum import Enum
from typing import Any
from uuid import UUID


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


def afficher(resultat: Resultat, *, en_json: bool) -> None:
    if en_json:
        sys.stdout.write(json.dumps(resultat.donnees, ensure_ascii=False, default=_json_defaut, indent=2) + "\n")
    else:
        for ligne in resultat.lignes:
            sys.stdout.write(ligne + "\n")


def erreur(message: str) -> None:
    sys.stderr.write(f"Erreur : {message}\n")
