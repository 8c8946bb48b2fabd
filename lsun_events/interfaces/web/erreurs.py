"""The web's errors and the one mapping from an error to its HTTP status, for pages and the API alike. How an
error is answered (JSON, the error page, the login page) is ``reponses``."""

from __future__ import annotations

from lsun_events.aggregates.erreurs import BilanVerrouilleError, ErreurDomaine
from lsun_events.application.annulation import AnnulationRefuseeError
from lsun_events.application.comptes import CompteInconnuError
from lsun_events.application.erreurs import (
    BilanIntrouvableError,
    ConflitError,
    EleveInconnuError,
    ErreurLsun,
    EtablissementInconnuError,
    VersionIntrouvableError,
)
from lsun_events.application.synchronisation import RunInconnuError, UaiDifferentError
from lsun_events.sources.erreurs import SourceInvalideError


class ErreurWeb(Exception):
    """An HTTP answer with a French message."""

    statut = 400

    def __init__(self, message: str, statut: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        if statut is not None:
            self.statut = statut


class NonConnecteError(ErreurWeb):
    statut = 401

    def __init__(self, message: str = "Connexion requise : identifiez-vous.") -> None:
        super().__init__(message)


class InterditError(ErreurWeb):
    statut = 403


class IntrouvableError(ErreurWeb):
    statut = 404


class RequeteInvalideError(ErreurWeb):
    statut = 400


class ConflitWebError(ErreurWeb):
    statut = 409


STATUTS: tuple[tuple[type[Exception], int], ...] = (
    (EtablissementInconnuError, 404), (EleveInconnuError, 404), (BilanIntrouvableError, 404),
    (RunInconnuError, 404), (VersionIntrouvableError, 404), (CompteInconnuError, 404),
    (ConflitError, 409), (AnnulationRefuseeError, 409), (BilanVerrouilleError, 409), (UaiDifferentError, 400),
    (ErreurLsun, 400), (ErreurDomaine, 400), (SourceInvalideError, 400),
)


def statut_de(e: Exception) -> int:
    if isinstance(e, ErreurWeb):
        return e.statut
    return next((s for classe, s in STATUTS if isinstance(e, classe)), 500)
