"""Application errors: what the user asked cannot be done. French messages, nothing saved; they name what to
do, not a command, since the page and the command line show them alike."""

from __future__ import annotations


class ErreurLsun(Exception):
    """Base of the use cases' errors."""


class EtablissementInconnuError(ErreurLsun):
    def __init__(self, uai: str) -> None:
        super().__init__(f"L'établissement {uai} n'a pas été importé : importez d'abord ses exports SIECLE et STS.")


class EtablissementDejaImporteError(ErreurLsun):
    def __init__(self, uai: str) -> None:
        super().__init__(f"L'établissement {uai} est déjà importé : synchronisez-le pour le mettre à jour, ou "
                         "ajoutez les élèves arrivés depuis.")


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
                         "Paramétrez d'abord les périodes de la division.")


class BilanIntrouvableError(ErreurLsun):
    def __init__(self, eleve_id: str, periode: str) -> None:
        super().__init__(f"Aucun bilan de la période {periode} pour l'élève {eleve_id} : "
                         "ouvrez d'abord les bilans de sa division pour cette période.")


class VersionIntrouvableError(ErreurLsun):
    def __init__(self, version: int, derniere: int) -> None:
        super().__init__(f"La version {version} n'existe pas (versions 1 à {derniere}).")


class ConflitError(ErreurLsun):
    """Someone else changed the same data at the same time."""


class RetenueInconnueError(ErreurLsun):
    def __init__(self, synchronisation: str) -> None:
        super().__init__(f"Aucune synchronisation retenue d'identifiant {synchronisation} "
                         "(déjà appliquée ou abandonnée ?).")
