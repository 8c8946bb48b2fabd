"""Domain errors: a rule of LSUN refuses the change. Messages are French, for the user."""

from __future__ import annotations


class ErreurDomaine(Exception):
    """A domain rule refuses the change; nothing is changed."""

    message = "Opération refusée."

    def __init__(self, message: str | None = None) -> None:
        super().__init__(message or self.message)


class ActeurManquantError(ErreurDomaine):
    message = "Aucun acteur n'est indiqué : toute modification doit dire qui l'a faite."


class BilanVerrouilleError(ErreurDomaine):
    message = ("Ce bilan est verrouillé : il ne peut plus être modifié "
               "(seuls l'archivage et le déverrouillage sont permis).")


class UaiImmuableError(ErreurDomaine):
    message = "Le code UAI d'un établissement ne change jamais."


class PeriodeInvalideError(ErreurDomaine):
    pass


class AcquisInconnuError(ErreurDomaine):
    pass


class AcquisNonVideError(ErreurDomaine):
    pass


class PositionnementInvalideError(ErreurDomaine):
    pass


class AppreciationTropLongueError(ErreurDomaine):
    pass


class SynchronisationCloseError(ErreurDomaine):
    message = "Cette synchronisation est déjà close : son issue ne change plus."
