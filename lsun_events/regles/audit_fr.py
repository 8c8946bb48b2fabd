"""« Qui a modifié quoi » in French: an audit row's event and field by their labels, its values readable — for the
page, its CSV and the command line (the JSON keeps the stable technical names, the labels beside them)."""

from __future__ import annotations

from typing import Any

from lsun_events.regles.libelles import libelle_champ, libelle_evenement
from lsun_events.regles.messages import TEXTES
from lsun_events.regles.valeurs_fr import texte

__all__ = ["libelle_champ", "libelle_evenement", "valeur_audit"]


class _Valeurs(dict[str, str]):
    def __missing__(self, cle: str) -> str:
        return "…"


def valeur_audit(champ: str, valeur: Any, division: str | None = None) -> str:
    """A value of the audit log in French; a warning as the message it gave (SPEC §4's text)."""
    if champ == "avertissement" and isinstance(valeur, dict) and valeur.get("code") in TEXTES:
        valeurs = _Valeurs({k: str(v) for k, v in valeur.items() if k != "code"})
        valeurs.setdefault("division", division or "")
        return f"{valeur['code']} : {TEXTES[valeur['code']][1].format_map(valeurs)}"
    return texte(valeur, champ)
