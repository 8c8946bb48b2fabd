"""The command line's logging (stderr; ``LSUN_JOURNAL=DEBUG|INFO|WARNING…``), which masks what looks like an INE
or a birth date in case some library ever logs one. The product's own log lines carry identifiers (UAI, run),
never a name. Light: configured at every start.

``LSUN_JOURNAL_FORMAT=json``: one JSON object per line, for a log collector — ``horodatage`` (UTC, ISO 8601),
``niveau`` (as in the text lines: « INFO », « AVERTISSEMENT »…), ``processus`` (« lsun-events worker »), ``pid``,
``journal`` (the logger), ``uai``, ``synchronisation`` (a run id), ``evenement`` (what happened, e.g.
« worker.synchronisee »; null when the line does not say), ``message`` (masked as the text lines are) and, with
``LSUN_JOURNAL=DEBUG``, ``trace`` (masked too). ``uai`` and ``synchronisation`` come from the log call's
``extra``, else from the first UAI or run id the message names."""

from __future__ import annotations

import json
import logging
import os
import re
import sys
from datetime import UTC, datetime
from typing import Any

FORMAT_JOURNAL = "%(asctime)s %(niveau)s %(name)s : %(message)s"
JOURNAL = "LSUN_JOURNAL"
JOURNAL_FORMAT = "LSUN_JOURNAL_FORMAT"  # "texte" (default) or "json"
_MASQUES = (
    (re.compile(r"\b\d{9}[A-Z]{2}\b|\b\d{10}[A-Z]\b"), "[INE masqué]"),  # INE (RNIE, BEA)
    (re.compile(r"\b\d{2}/\d{2}/\d{4}\b"), "[date masquée]"),  # dates as the exports write them
)


def masquer(texte: str) -> str:
    """``texte`` with what looks like an INE or a date of the exports masked."""
    for motif, remplacement in _MASQUES:
        texte = motif.sub(remplacement, texte)
    return texte


class FiltreDonneesPersonnelles(logging.Filter):
    """Masks INE-like and birth-date-like strings in a record's final message."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        masque = masquer(message)
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


_UAI = re.compile(r"\b[0-9]{7}[A-Z]\b")
_RUN = re.compile(r"\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b")


def nom_du_processus(argv: list[str] | None = None) -> str:
    """« lsun-events worker », « lsun-events projections suivre »: the program and its command words (never an
    argument's value, which could be anything)."""
    argv = sys.argv if argv is None else argv
    programme = os.path.basename(argv[0]) if argv and argv[0] else "lsun-events"
    if programme in ("__main__.py", "-m", "-c"):
        programme = "lsun-events"
    mots = []
    for mot in argv[1:3]:
        if not re.fullmatch(r"[a-z][a-z-]{0,30}", mot):
            break
        mots.append(mot)
    return " ".join([programme, *mots])


class FormatJson(logging.Formatter):
    """One JSON object per record, on one line (see the module's docstring)."""

    def __init__(self, processus: str) -> None:
        super().__init__()
        self.processus = processus

    def format(self, record: logging.LogRecord) -> str:
        message = record.getMessage()  # already masked by FiltreDonneesPersonnelles
        uai = getattr(record, "uai", None) or ((m := _UAI.search(message)) and m.group())
        run = getattr(record, "synchronisation", None) or ((m := _RUN.search(message)) and m.group())
        document: dict[str, Any] = {
            "horodatage": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "niveau": NIVEAUX.get(record.levelname, record.levelname),
            "processus": self.processus,
            "pid": record.process,
            "journal": record.name,
            "uai": uai or None,
            "synchronisation": str(run) if run else None,
            "evenement": getattr(record, "evenement", None),
            "message": message,
        }
        if record.exc_info:
            document["trace"] = masquer(self.formatException(record.exc_info))
        return json.dumps(document, ensure_ascii=False, default=str)


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


def en_json() -> bool:
    """``LSUN_JOURNAL_FORMAT=json``."""
    return os.environ.get(JOURNAL_FORMAT, "").strip().lower() == "json"


def annoncer(message: str, evenement: str | None = None) -> None:
    """A long-running command's own line (it started, its progress) on stderr: as is, or with
    ``LSUN_JOURNAL_FORMAT=json`` a log record like any other (one JSON object per line)."""
    if en_json():
        logging.getLogger("lsun_events.cli").info("%s", message, extra={"evenement": evenement})
    else:
        sys.stderr.write(message + "\n")
        sys.stderr.flush()


def configurer_journal() -> None:
    """Log lines on stderr: the product's at INFO, the libraries' at WARNING, or everything at
    ``LSUN_JOURNAL``. Idempotent."""
    racine = logging.getLogger()
    if any(getattr(h, "lsun", False) for h in racine.handlers):
        return
    gestionnaire = _VersStderr()
    if en_json():
        gestionnaire.setFormatter(FormatJson(nom_du_processus()))
    else:
        gestionnaire.setFormatter(FormatFrancais(FORMAT_JOURNAL))
    gestionnaire.addFilter(FiltreDonneesPersonnelles())
    racine.addHandler(gestionnaire)
    niveau = os.environ.get(JOURNAL, "").strip().upper()
    if niveau in logging.getLevelNamesMapping():
        racine.setLevel(niveau)
        logging.getLogger("lsun_events").setLevel(niveau)
    elif logging.getLogger("lsun_events").level == logging.NOTSET:
        logging.getLogger("lsun_events").setLevel(logging.INFO)
