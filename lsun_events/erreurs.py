"""Application errors: what the user asked cannot be done. French messages, nothing saved."""

from __future__ import annotations


class ErreurLsun(Exception):
    """Base of the use cases' errors."""


class EtablissementInconnuError(ErreurLsun):
    def __init__(self, uai: str) -> None:
        super().__init__(f"L'établissement {uai} n'a pas été importé : lancez d'abord « lsun-events importer ».")


class EtablissementDejaImporteError(ErreurLsun):
    def __init__(self, uai: str) -> None:
        super().__init__(f"L'établissement {uai} est déjà importé : utilisez « lsun-events synchroniser » "
                         "pour le mettre à jour, ou « eleves ajouter » pour les élèves arrivés depuis.")


class DivisionInconnueError(ErreurLsun):
    def __init__(self, uai: str, code: str, connues: list[str]) -> None:
        super().__init__(f"La division « {code} » n'existe pas dans l'établissement {uai}. "
                         f"Divisions connues : {', '.join(sorted(connues)) or 'aucune'}.")


class EleveInconnuError(ErreurLsun):
    def __init__(self, uai: str, eleve_id: str) -> None:
        super().__init__(f"Aucun élève d'identifiant {eleve_id} dans l'établissement {uai}.")


class PeriodeNonParametreeError(ErreurLsun):
    def __init__(self, division: str, periode: str, connues: list[str]) -> None:
        detail = f"périodes paramétrées : {', '.join(connues)}" if connues else "aucune période n'est paramétrée"
        super().__init__(f"La période « {periode} » n'est pas paramétrée pour la division {division} ({detail}). "
                         "Utilisez « lsun-events periodes parametrer ».")


class BilanIntrouvableError(ErreurLsun):
    def __init__(self, eleve_id: str, periode: str) -> None:
        super().__init__(f"Aucun bilan de la période {periode} pour l'élève {eleve_id} : "
                         "ouvrez d'abord les bilans de sa division (« lsun-events bilans ouvrir »).")


class VersionIntrouvableError(ErreurLsun):
    def __init__(self, version: int, derniere: int) -> None:
        super().__init__(f"La version {version} n'existe pas (versions 1 à {derniere}).")


class ConflitError(ErreurLsun):
    """Someone else changed the same data at the same time."""
