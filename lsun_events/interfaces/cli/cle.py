"""``lsun-events cle generer``: a new key for ``LSUN_CLE_CHIFFREMENT`` (the personal data encrypted at rest)."""

from __future__ import annotations

import argparse
import base64
import os
import sys

from lsun_events.interfaces.cli.sortie import Resultat
from lsun_events.storage.config import CLE_CHIFFREMENT


def nouvelle_cle() -> str:
    """32 random bytes in base64: an AES-256 key."""
    return base64.b64encode(os.urandom(32)).decode("ascii")


def generer_cle(args: argparse.Namespace) -> Resultat:
    cle = nouvelle_cle()
    sys.stderr.write(
        f"Nouvelle clé de chiffrement (AES-256). Donnez-la à chaque processus dans {CLE_CHIFFREMENT}, gardez-la "
        "hors du stockage et de ses sauvegardes, et ne la perdez pas : sans elle, les événements sont illisibles.\n")
    return Resultat({"cle": cle}, [cle])
