"""Personal data at the command line's edge: ``lsun-events cle generer`` (a new key for
``LSUN_CLE_CHIFFREMENT``), the French explanation of events that cannot be decrypted, and the command line's
logging (stderr; ``LSUN_JOURNAL=DEBUG|INFO|WARNING…``), which masks what looks like an INE or a birth date in
case some library ever logs one. The product's own log lines carry identifiers (UAI, run), never a name.
Registered by ``cli.py``."""

from __future__ import annotations

import argparse
import base64
import logging
import os
import re
import sys
from typing import Any

from lsun_events.interfaces.sortie import Resultat
from lsun_events.storage.config import CLE_CHIFFREMENT

FORMAT_JOURNAL = "%(asctime)s %(niveau)s %(name)s : %(message)s"
JOURNAL = "LSUN_JOURNAL"
_MASQUES = (
    (re.compile(r"\b\d{9}[A-Z]{2}\b|\b\d{10}[A-Z]\b"), "[INE masqué]"),  # INE (RNIE, BEA)
    (re.compile(r"\b\d{2}/\d{2}/\d{4}\b"), "[date masquée]"),  # dates as the exports write them
)


# --- cle generer ----------------------------------------------------------------------------------------------

def nouvelle_cle() -> str:
    """32 random bytes in base64: an AES-256 key."""
    return base64.b64encode(os.urandom(32)).decode("ascii")


def generer_cle(args: argparse.Namespace) -> Resultat:
    cle = nouvelle_cle()
    sys.stderr.write(
        f"Nouvelle clé de chiffrement (AES-256). Donnez-la à chaque processus dans {CLE_CHIFFREMENT}, gardez-la "
        "hors du stockage et de ses sauvegardes, et ne la perdez pas : sans elle, les événements sont illisibles.\n")
    return Resultat({"cle": cle}, [cle])


# --- decryption errors ----------------------------------------------------------------------------------------

def expliquer_dechiffrement(e: Exception) -> str:
    """A stored event that cannot be read back (``MapperDeserialisationError``), told in French."""
    if os.environ.get(CLE_CHIFFREMENT, "").strip():
        cause = (f"la clé {CLE_CHIFFREMENT} n'est pas celle avec laquelle ils ont été écrits, ou les données "
                 "sont endommagées")
    else:
        cause = (f"ils sont sans doute chiffrés et {CLE_CHIFFREMENT} n'est pas définie, ou les données sont "
                 "endommagées")
    return (f"les événements du stockage ne peuvent pas être relus : {cause}. Indiquez dans {CLE_CHIFFREMENT} la clé "
            "avec laquelle le stockage a été écrit.")


# --- logging --------------------------------------------------------------------------------------------------

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


class _VersStderr(logging.StreamHandler):  # type: ignore[type-arg]
    """Writes to the current ``sys.stderr`` (which tests and redirections may replace)."""

    lsun = True

    def __init__(self) -> None:
        logging.Handler.__init__(self)

    @property
    def stream(self) -> Any:  # type: ignore[override]
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


def enregistrer(sous: argparse._SubParsersAction, ajouter: Any) -> None:
    cle = sous.add_parser("cle", help="clé de chiffrement des données personnelles").add_subparsers(
        dest="action", required=True, metavar="ACTION")
    ajouter(cle, "generer", f"affiche une nouvelle clé de chiffrement pour {CLE_CHIFFREMENT}", generer_cle)
