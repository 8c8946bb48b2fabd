"""Who may do what, in one place. A chef sees and does everything of his school; an enseignant sees its bilans
and its runs but changes nothing; the académie's admin sees every school and changes nothing (only a chef
d'établissement of that UAI synchronises, SPEC §6)."""

from __future__ import annotations

from lsun_events.application.comptes import Compte, uai_valide
from lsun_events.interfaces.web.erreurs import InterditError, RequeteInvalideError

DROITS: dict[str, frozenset[str]] = {
    "voir_bilans": frozenset({"chef", "enseignant", "admin"}),
    "voir_synchronisations": frozenset({"chef", "enseignant", "admin"}),
    "voir_audit": frozenset({"chef", "admin"}),
    "synchroniser": frozenset({"chef"}),
    "deposer": frozenset({"chef"}),
    "verrouiller": frozenset({"chef"}),
    "parametrer": frozenset({"chef"}),
}

REFUS = {
    "voir_audit": "Le journal « qui a modifié quoi » est réservé au chef d'établissement et à l'académie.",
    "synchroniser": "Seul le chef d'établissement peut lancer une synchronisation.",
    "deposer": "Seul le chef d'établissement peut déposer les exports.",
    "verrouiller": "Seul le chef d'établissement peut verrouiller ou déverrouiller les bilans.",
    "parametrer": "Seul le chef d'établissement peut paramétrer les périodes.",
}


def peut(compte: Compte, action: str, uai: str) -> bool:
    return compte.voit(uai) and compte.role in DROITS[action]


def verifier_uai(uai: str) -> str:
    if not uai_valide(uai):
        raise RequeteInvalideError(f"UAI « {uai} » invalide : attendu 7 chiffres et une lettre (ex. 0999001X).")
    return uai.upper()


def exiger(compte: Compte, action: str, uai: str) -> str:
    """The UAI, upper-cased, if ``compte`` may do ``action`` there."""
    uai = verifier_uai(uai)
    if not compte.voit(uai):
        raise InterditError(f"Accès refusé : votre compte n'a pas accès à l'établissement {uai}.")
    if compte.role not in DROITS[action]:
        raise InterditError(REFUS.get(action, "Accès refusé."))
    return uai
