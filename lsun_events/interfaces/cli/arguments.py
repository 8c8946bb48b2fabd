"""The argument types shared by the commands (argparse ``type=``): each reads one text and returns the value or
raises ``ArgumentTypeError`` with a French message that echoes at most 40 characters of the text.

Light on purpose: the parser is built from this module at every start, ``--help`` included, so it imports the
standard library only (``Periode`` is imported when a ``--periode`` is read)."""

from __future__ import annotations

import argparse
import math
import re
from collections.abc import Callable
from datetime import date
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from lsun_events.interfaces.cli.sortie import contient_controle

if TYPE_CHECKING:
    from lsun_events.aggregates.valeurs import Periode


def court(texte: str, n: int = 40) -> str:
    """An argument echoed in a message: at most ``n`` characters."""
    return texte if len(texte) <= n else texte[:n] + "…"


def periode(texte: str) -> Periode:
    """CODE:AAAA-MM-JJ:AAAA-MM-JJ"""
    from lsun_events.aggregates.valeurs import Periode  # noqa: PLC0415  (the domain, when a period is read)

    try:
        code, debut, fin = texte.split(":")
        return Periode(code.strip(), date.fromisoformat(debut), date.fromisoformat(fin))
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"période « {court(texte)} » invalide : attendu CODE:AAAA-MM-JJ:AAAA-MM-JJ, par exemple "
            "T1:2025-09-01:2025-11-30") from None


JOUR_MIN, JOUR_MAX = date(1900, 1, 1), date(2999, 12, 31)


def jour_iso(texte: str) -> date:
    """AAAA-MM-JJ, from 1900 to 2999 (the end of time would overflow the day after, which a filter adds)."""
    try:
        jour = date.fromisoformat(texte)
    except ValueError:
        raise argparse.ArgumentTypeError(f"date « {court(texte)} » invalide : attendu AAAA-MM-JJ") from None
    if not JOUR_MIN <= jour <= JOUR_MAX:
        raise argparse.ArgumentTypeError(f"date « {texte} » hors de la plage {JOUR_MIN} – {JOUR_MAX}")
    return jour


def mois_jour(texte: str) -> tuple[tuple[int, int], tuple[int, int]]:
    """MM-JJ:MM-JJ, two days of the year (``08-20:09-30``)."""
    try:
        debut, fin = (date.fromisoformat(f"2000-{x.strip()}") for x in texte.split(":"))  # 2000: 02-29 exists
    except ValueError:
        message = f"« {court(texte)} » invalide : attendu MM-JJ:MM-JJ (deux jours de l'année), par exemple 08-20:09-30"
        raise argparse.ArgumentTypeError(message) from None
    return (debut.month, debut.day), (fin.month, fin.day)


_ENTIER = re.compile(r"\s*[+-]?[0-9]+\s*")


def entier(minimum: int, maximum: int) -> Callable[[str], int]:
    """An argparse type: an integer written in ASCII digits, from ``minimum`` to ``maximum`` (a number too large
    for the store, or digits of another script that ``int`` would accept, are refused here)."""

    def lire(texte: str) -> int:
        n = int(texte) if _ENTIER.fullmatch(texte) and len(texte) < 30 else None
        if n is None or not minimum <= n <= maximum:
            raise argparse.ArgumentTypeError(
                f"« {court(texte)} » n'est pas un nombre entier de {minimum} à {maximum}")
        return n

    lire.__name__ = "entier"
    return lire


def reel(minimum: float, maximum: float) -> Callable[[str], float]:
    """An argparse type: a finite decimal number from ``minimum`` to ``maximum`` (not nan, not inf)."""

    def lire(texte: str) -> float:
        try:
            x = float(texte) if texte.isascii() else math.nan
        except ValueError:
            x = math.nan
        if not math.isfinite(x) or not minimum <= x <= maximum:
            raise argparse.ArgumentTypeError(
                f"« {court(texte)} » n'est pas un nombre de {minimum:g} à {maximum:g}")
        return x

    lire.__name__ = "reel"
    return lire


entier_positif = entier(1, 10**9)
port = entier(1, 65535)


def nom_lisible(texte: str) -> str:
    """A name recorded as is and shown in the audit (``--acteur``, ``--nom``): one line of at most 200 printable
    characters."""
    if contient_controle(texte):
        raise argparse.ArgumentTypeError(
            f"« {court(texte)} » contient un retour à la ligne ou un caractère de contrôle : un nom tient sur une "
            "ligne de caractères imprimables")
    if not texte.strip() or len(texte) > 200:
        raise argparse.ArgumentTypeError(f"« {court(texte)} » : attendu un nom de 1 à 200 caractères")
    return texte.strip()


def hote(texte: str) -> str:
    """A listening address: a host name or an IP address, without spaces nor control characters."""
    if not texte or len(texte) > 253 or contient_controle(texte) or any(c.isspace() for c in texte):
        raise argparse.ArgumentTypeError(f"adresse d'écoute « {court(texte)} » invalide : attendu par exemple "
                                         "127.0.0.1, 0.0.0.0 ou un nom de machine")
    return texte


_UAI = re.compile(r"[0-9]{7}[A-Za-z]")


def uai(texte: str) -> str:
    """An UAI as the exports write it: seven digits and a letter (``0999001X``)."""
    if not _UAI.fullmatch(texte.strip()):
        raise argparse.ArgumentTypeError(f"UAI « {court(texte)} » invalide : attendu sept chiffres et une lettre, "
                                         "par exemple 0999001X")
    return texte.strip().upper()


def enseignant_cle(texte: str) -> str:
    """TYPE:ID, as in STS (``epp:48213``, ``local:900``)."""
    type_, _, id_sts = texte.partition(":")
    if not type_ or not id_sts:
        raise argparse.ArgumentTypeError(f"enseignant « {texte} » invalide : attendu TYPE:ID, par exemple epp:48213")
    return texte


def adresse_s3e(texte: str) -> str:
    """The base address of an S3E service: http:// or https://, a host, a valid port if any."""
    adresse = texte.strip()
    try:
        morceaux = urlsplit(adresse)
        _ = morceaux.port
    except ValueError:
        morceaux = None
    if (morceaux is None or morceaux.scheme not in ("http", "https") or not morceaux.hostname
            or contient_controle(adresse) or any(c.isspace() for c in adresse)):
        raise argparse.ArgumentTypeError(f"adresse S3E « {court(texte)} » invalide : attendu une adresse http:// ou "
                                         "https://, par exemple https://s3e.example/api")
    return adresse


def jeton(texte: str) -> str:
    """A bearer token: printable ASCII, without spaces (it travels in an HTTP header)."""
    if not texte or len(texte) > 4096 or not texte.isascii() or not texte.isprintable() or " " in texte:
        raise argparse.ArgumentTypeError("jeton invalide : attendu une suite de caractères ASCII imprimables, sans "
                                         "espace (4096 au plus)")
    return texte
