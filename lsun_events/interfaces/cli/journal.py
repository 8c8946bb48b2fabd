"""The command line's logging (stderr; ``LSUN_JOURNAL=DEBUG|INFO|WARNING…``), which masks what looks like an INE
or a birth date in case some library ever logs one. The product's own log lines carry identifiers (UAI, run),
never a name. Light: configured at every start."""

from __future__ import annotations

import logging
import os
import re
import sys
from typing import Any

FORMAT_JOURNAL = "%(asctime)s %(niveau)s %(name)s : %(message)s"
JOURNAL = "LSUN_JOURNAL"
_MASQUES = (
    (re.compile(r"\b\d{9}[A-Z]{2}\b|\b\d{10}[A-Z]\b"), "[INE masqué]"),  # INE (RNIE, BEA)
    (re.compile(r"\b\d{2}/\d{2}/\d{4}\b"), "[date masquée]"),  # dates as the exports write them
)


class FiltreDonneesPersonnelles(logging.Filter):
    """Masks INE-like and birth-date-like strings in a record's final message."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        masque = message
        for motif, remplacement in _MASQUES:
            masque = motif.sub(remplacement, masque)
        if masque != message:
            record.msg, record.args = masque, None
        return True


NIVEAUX = {"DEBUG": "DÉBOGAGE", "INFO": "INFO", "WARNING": "AVERTISSEMENT", "ERROR": "ERREUR",
           "CRITICAL": "CRITIQUE"}


class FormatFrancais(logging.Formatter):
    """The level in French (« AVERTISSEMENT »), the logger's name as is (it names a module)."""

    def formatMessage(self, record: logging.LogRecord) -> str:  # noqa: N802  (logging's name)
        record.niveau = NIVEAUX.get(record.levelname, record.levelname)
        return super().formatMessage(record)


class _VersStderr(logging.StreamHandler):
    """Writes to the current ``sys.stderr`` (which tests and redirections may replace)."""

    lsun = True

    def __init__(self) -> None:
        logging.Handler.__init__(self)

    @property
    def stream(self) -> Any:
        return sys.stderr

    @stream.setter
    def stream(self, _: Any) -> None:
        pass


def configurer_journal() -> None:
    """Log lines on stderr: the product's at INFO, the libraries' at WARNING, or everything at
    ``LSUN_JOURNAL``. Idempotent."""
    racine = logging.getLogger()
    if any(getattr(h, "lsun", False) for h in racine.handlers):
        return
    gestionnaire = _VersStderr()
    gestionnaire.setFormatter(FormatFrancais(FORMAT_JOURNAL))
    gestionnaire.addFilter(FiltreDonneesPersonnelles())
    racine.addHandler(gestionnaire)
    niveau = os.environ.get(JOURNAL, "").strip().upper()
    if niveau in logging.getLevelNamesMapping():
        racine.setLevel(niveau)
        logging.getLogger("lsun_events").setLevel(niveau)
    elif logging.getLogger("lsun_events").level == logging.NOTSET:
        logging.getLogger("lsun_events").setLevel(logging.INFO)
