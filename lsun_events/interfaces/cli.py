"""``lsun-events``: the command line of SPEC §8. Thin: parse, call the application, present.
Errors go to stderr in French with a non-zero exit code, and nothing is saved."""

from __future__ import annotations

import argparse
import contextlib
import errno
import getpass
import logging
import math
import os
import re
import socket
import sys
from collections.abc import Callable, Sequence
from datetime import date
from pathlib import Path
from typing import Any, NoReturn
from urllib.parse import urlsplit

from eventsourcing.persistence import MapperDeserialisationError

from lsun_events.aggregates.erreurs import ErreurDomaine
from lsun_events.aggregates.valeurs import Periode
from lsun_events.application.erreurs import ErreurLsun
from lsun_events.interfaces import (
    commandes,
    commandes_audit,
    commandes_automatique,
    commandes_fiabilite,
    commandes_web,
    demo,
)
from lsun_events.interfaces.francais import traduire_argparse
from lsun_events.interfaces.sortie import Resultat, afficher, contient_controle, echapper, erreur
from lsun_events.sources.erreurs import SourceInvalideError
from lsun_events.storage.config import StoreInvalideError

traduire_argparse()

# Modules that add their own commands: each has ``enregistrer(sous_parsers, ajouter)``.
MODULES_DE_COMMANDES: list[Any] = [demo, commandes_audit, commandes_automatique, commandes_web, commandes_fiabilite]

Commande = Callable[[argparse.Namespace], Resultat]


def _court(texte: str, n: int = 40) -> str:
    """An argument echoed in a message: at most ``n`` characters."""
    return texte if len(texte) <= n else texte[:n] + "…"


def periode(texte: str) -> Periode:
    """CODE:AAAA-MM-JJ:AAAA-MM-JJ"""
    try:
        code, debut, fin = texte.split(":")
        return Periode(code.strip(), date.fromisoformat(debut), date.fromisoformat(fin))
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"période « {_court(texte)} » invalide : attendu CODE:AAAA-MM-JJ:AAAA-MM-JJ, par exemple "
            "T1:2025-09-01:2025-11-30") from None


JOUR_MIN, JOUR_MAX = date(1900, 1, 1), date(2999, 12, 31)


def jour_iso(texte: str) -> date:
    """AAAA-MM-JJ, from 1900 to 2999 (the end of time would overflow the day after, which a filter adds)."""
    try:
        jour = date.fromisoformat(texte)
    except ValueError:
        raise argparse.ArgumentTypeError(f"date « {_court(texte)} » invalide : attendu AAAA-MM-JJ") from None
    if not JOUR_MIN <= jour <= JOUR_MAX:
        raise argparse.ArgumentTypeError(f"date « {texte} » hors de la plage {JOUR_MIN} – {JOUR_MAX}")
    return jour


_ENTIER = re.compile(r"\s*[+-]?[0-9]+\s*")


def entier(minimum: int, maximum: int) -> Callable[[str], int]:
    """An argparse type: an integer written in ASCII digits, from ``minimum`` to ``maximum`` (a number too large
    for the store, or digits of another script that ``int`` would accept, are refused here)."""

    def lire(texte: str) -> int:
        n = int(texte) if _ENTIER.fullmatch(texte) and len(texte) < 30 else None
        if n is None or not minimum <= n <= maximum:
            raise argparse.ArgumentTypeError(
                f"« {_court(texte)} » n'est pas un nombre entier de {minimum} à {maximum}")
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
                f"« {_court(texte)} » n'est pas un nombre de {minimum:g} à {maximum:g}")
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
            f"« {_court(texte)} » contient un retour à la ligne ou un caractère de contrôle : un nom tient sur une "
            "ligne de caractères imprimables")
    if not texte.strip() or len(texte) > 200:
        raise argparse.ArgumentTypeError(f"« {_court(texte)} » : attendu un nom de 1 à 200 caractères")
    return texte.strip()


def hote(texte: str) -> str:
    """A listening address: a host name or an IP address, without spaces nor control characters."""
    if not texte or len(texte) > 253 or contient_controle(texte) or any(c.isspace() for c in texte):
        raise argparse.ArgumentTypeError(f"adresse d'écoute « {_court(texte)} » invalide : attendu par exemple "
                                         "127.0.0.1, 0.0.0.0 ou un nom de machine")
    return texte


_UAI = re.compile(r"[0-9]{7}[A-Za-z]")


def uai(texte: str) -> str:
    """An UAI as the exports write it: seven digits and a letter (``0999001X``)."""
    if not _UAI.fullmatch(texte.strip()):
        raise argparse.ArgumentTypeError(f"UAI « {_court(texte)} » invalide : attendu sept chiffres et une lettre, "
                                         "par exemple 0999001X")
    return texte.strip().upper()


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
        raise argparse.ArgumentTypeError(f"adresse S3E « {_court(texte)} » invalide : attendu une adresse http:// ou "
                                         "https://, par exemple https://s3e.example/api")
    return adresse


def jeton(texte: str) -> str:
    """A bearer token: printable ASCII, without spaces (it travels in an HTTP header)."""
    if not texte or len(texte) > 4096 or not texte.isascii() or not texte.isprintable() or " " in texte:
        raise argparse.ArgumentTypeError("jeton invalide : attendu une suite de caractères ASCII imprimables, sans "
                                         "espace (4096 au plus)")
    return texte


def _requis(p: argparse.ArgumentParser, *options: str) -> None:
    for option in options:
        if option == "--uai":
            p.add_argument(option, type=uai, required=True, help="UAI de l'établissement, par exemple 0999001X")
        else:
            p.add_argument(option, required=True)


class Parser(argparse.ArgumentParser):
    """argparse, whose error messages (which echo the arguments) cannot drive the terminal."""

    def error(self, message: str) -> NoReturn:
        super().error(echapper(message))


def _commun() -> argparse.ArgumentParser:
    p = Parser(add_help=False)
    p.add_argument("--store", help="sqlite:///CHEMIN ou postgresql://… (défaut : $LSUN_STORE, sinon ./lsun-data/)")
    p.add_argument("--json", action="store_true", help="un document JSON sur la sortie standard")
    p.add_argument("--acteur", type=nom_lisible, default=os.environ.get("LSUN_ACTEUR") or None,
                   help="qui agit (défaut : $LSUN_ACTEUR, sinon l'utilisateur du système) ; une ligne imprimable")
    return p


def construire_parser() -> argparse.ArgumentParser:
    commun = _commun()
    parser = Parser(prog="lsun-events", description="LSUN : synchronisation base élèves")
    sous = parser.add_subparsers(dest="commande", required=True, metavar="COMMANDE")

    def ajouter(groupe: argparse._SubParsersAction, nom: str, aide: str, fonction: Commande) -> argparse.ArgumentParser:
        p = groupe.add_parser(nom, help=aide, description=aide, parents=[commun])
        p.set_defaults(fonction=fonction)
        return p

    ajouter(sous, "migrer", "crée le schéma du stockage (PostgreSQL : une fois, avant tout processus)",
            commandes.migrer)

    p = ajouter(sous, "importer", "premier import d'un établissement depuis les exports SIECLE et STS",
                commandes.importer)
    p.add_argument("--siecle", type=Path, required=True, help="dossier ou zip des exports SIECLE/BEE")
    p.add_argument("--sts", type=Path, required=True, help="fichier sts_emp_<UAI>_<année>.xml (ou zip)")
    p.add_argument("--uai", type=uai, help="UAI attendu (contrôlé dans chaque fichier)")

    eleves = sous.add_parser("eleves", help="élèves").add_subparsers(dest="action", required=True, metavar="ACTION")
    p = ajouter(eleves, "ajouter", "ajoute les élèves arrivés dans la BEE depuis l'import", commandes.ajouter_eleves)
    _requis(p, "--uai")
    p.add_argument("--siecle", type=Path, required=True)
    p.add_argument("--sts", type=Path, help=argparse.SUPPRESS)  # refused: only SIECLE's pupils are read

    periodes = sous.add_parser("periodes", help="périodes").add_subparsers(dest="action", required=True,
                                                                          metavar="ACTION")
    p = ajouter(periodes, "parametrer", "paramètre les périodes d'une division", commandes.parametrer_periodes)
    _requis(p, "--uai")
    p.add_argument("--division", required=True)
    p.add_argument("--periode", type=periode, action="append", required=True,
                   help="CODE:AAAA-MM-JJ:AAAA-MM-JJ (répéter pour chaque période)")

    bilans = sous.add_parser("bilans", help="bilans périodiques").add_subparsers(dest="action", required=True,
                                                                                metavar="ACTION")
    p = ajouter(bilans, "ouvrir", "ouvre les bilans d'une division pour une période", commandes.ouvrir_bilans)
    _requis(p, "--uai", "--division", "--periode")
    p = ajouter(bilans, "saisir", "saisit un acquis", commandes.saisir_acquis)
    _requis(p, "--uai", "--eleve", "--periode", "--matiere")
    p.add_argument("--positionnement", type=int, choices=[1, 2, 3, 4])
    p.add_argument("--appreciation")
    for nom, aide, verrou in (("verrouiller", "verrouille des bilans", True),
                              ("deverrouiller", "déverrouille des bilans", False)):
        p = ajouter(bilans, nom, aide, commandes.verrouiller)
        p.set_defaults(verrouiller=verrou)
        _requis(p, "--uai", "--division", "--periode")
        p.add_argument("--eleve")

    p = ajouter(sous, "bilan", "un bilan maintenant, ou tel qu'il était", commandes.bilan)
    _requis(p, "--uai", "--eleve", "--periode")
    quand = p.add_mutually_exclusive_group()
    quand.add_argument("--version", type=entier_positif)
    quand.add_argument("--au", type=jour_iso, help="AAAA-MM-JJ : le bilan tel qu'il était ce jour-là (fin de journée)")

    p = ajouter(sous, "synchroniser", "synchronisation base élèves (R1–R12) des divisions choisies",
                commandes.synchroniser)
    _requis(p, "--uai")
    choix = p.add_mutually_exclusive_group(required=True)
    choix.add_argument("--division", action="append", help="code de division (répéter pour plusieurs)")
    choix.add_argument("--toutes", action="store_true", help="toutes les divisions")
    p.add_argument("--siecle", type=Path, help="dossier ou zip des exports SIECLE/BEE")
    p.add_argument("--sts", type=Path, help="export STS-web")
    p.add_argument("--s3e", type=adresse_s3e, help="adresse http(s):// du service S3E (au lieu des fichiers)")
    p.add_argument("--jeton", type=jeton, help="jeton d'accès au service S3E")
    p.add_argument("--simulation", action="store_true", help="calcule les messages sans rien enregistrer")

    p = ajouter(sous, "messages", "le rapport d'une synchronisation", commandes.messages)
    p.add_argument("--synchronisation", required=True, help="identifiant de la synchronisation")
    p.add_argument("--regenerer", action="store_true", help="reconstruit le rapport depuis les seuls événements")

    projections = sous.add_parser("projections", help="vues calculées depuis les événements").add_subparsers(
        dest="action", required=True, metavar="ACTION")
    p = ajouter(projections, "reconstruire", "reconstruit toutes les vues depuis le premier événement",
                commandes.reconstruire)
    p.add_argument("--processus", type=entier(1, 3), default=1, metavar="N",
                   help="processus qui reconstruisent les vues en même temps (1 à 3 ; défaut : 1)")

    for module in MODULES_DE_COMMANDES:
        module.enregistrer(sous, ajouter)

    p = ajouter(sous, "s3e", "serveur S3E local sur un dossier d'exports (DIR/<UAI>/…)", commandes.s3e)
    p.add_argument("--exports", type=Path, required=True)
    p.add_argument("--port", type=port, default=8081, help="port d'écoute, de 1 à 65535 (défaut : 8081)")
    p.add_argument("--jeton", type=jeton, help="jeton exigé des clients (défaut : aucun)")
    return parser


# --- errors: every exception ends in a French message ---------------------------------------------------------

JOURNAL = logging.getLogger("lsun_events.cli")
_ERRNO = {
    errno.ENOENT: "fichier ou dossier introuvable",
    errno.EACCES: "accès refusé (droits du fichier ou du dossier)",
    errno.EPERM: "opération non permise",
    errno.EISDIR: "c'est un dossier, un fichier est attendu",
    errno.ENOTDIR: "un élément du chemin n'est pas un dossier",
    errno.ENOSPC: "plus de place sur le disque",
    errno.EROFS: "système de fichiers en lecture seule",
    errno.ENAMETOOLONG: "nom de fichier trop long",
    errno.EADDRINUSE: "adresse déjà utilisée : un autre programme écoute sur ce port",
    errno.EADDRNOTAVAIL: "cette adresse d'écoute n'est pas celle de cette machine",
    errno.ECONNREFUSED: "connexion refusée",
    errno.ETIMEDOUT: "délai dépassé",
    errno.EMFILE: "trop de fichiers ouverts",
    errno.ENOMEM: "mémoire insuffisante",
    errno.EIO: "erreur d'entrée-sortie",
    errno.ENXIO: "périphérique introuvable",
    errno.EFBIG: "fichier trop gros",
    errno.EPIPE: "la sortie a été fermée",
}


def expliquer_systeme(e: OSError) -> str:
    """An ``OSError`` in French: its file, and what its errno means."""
    if isinstance(e, socket.gaierror):
        return "adresse de machine inconnue ou invalide (résolution du nom impossible)"
    quoi = _ERRNO.get(e.errno or 0) or (f"erreur système {errno.errorcode[e.errno]}" if e.errno in errno.errorcode
                                        else "erreur système")
    fichier = f"« {e.filename} » : " if e.filename else ""
    return f"{fichier}{quoi}."


def expliquer(e: BaseException, store: str | None = None) -> tuple[str, int]:
    """The French message and the exit code for an exception that ends a command (``store``: its --store)."""
    if isinstance(e, ErreurLsun | ErreurDomaine | SourceInvalideError | StoreInvalideError):
        return str(e), 1
    if isinstance(e, commandes.ERREURS_STOCKAGE):
        return commandes.expliquer_erreur_stockage(e, store), 1
    if isinstance(e, MapperDeserialisationError):
        return commandes_fiabilite.expliquer_dechiffrement(e), 1
    if isinstance(e, KeyboardInterrupt):
        return ("Commande interrompue (Ctrl+C). Chaque enregistrement se fait d'un bloc : rien de partiel n'a été "
                "enregistré."), 130
    if isinstance(e, BrokenPipeError):
        # The reader of the output went away (``| head``): nothing more to say, and nowhere to say it.
        with contextlib.suppress(OSError, ValueError):
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return "", 1
    JOURNAL.debug("Exception non prévue", exc_info=e)
    suite = ("Rien n'a été enregistré. Relancez avec LSUN_JOURNAL=DEBUG pour le détail dans le journal, et "
             "signalez-le s'il persiste.")
    if isinstance(e, MemoryError):
        return (f"mémoire insuffisante pour cette commande (un fichier trop gros, ou une valeur démesurée ?). "
                f"{suite}"), 1
    if isinstance(e, OSError):
        return f"{expliquer_systeme(e)} {suite}", 1
    if isinstance(e, RecursionError):
        return f"données trop imbriquées pour être traitées. {suite}", 1
    return f"erreur inattendue : la commande n'a pas pu aller au bout. {suite}", 1


def _verifier_combinaisons(parser: argparse.ArgumentParser, args: argparse.Namespace) -> None:
    """What argparse cannot say alone; ``parser.error`` exits with code 2, as argparse does."""
    if args.commande == "eleves" and getattr(args, "sts", None) is not None:
        parser.error("--sts ne sert pas à « eleves ajouter », qui ne lit que les élèves de SIECLE : les enseignants "
                     "et les services se mettent à jour par « lsun-events synchroniser »")
    if args.commande != "synchroniser":
        return
    fichiers = [nom for nom, valeur in (("--siecle", args.siecle), ("--sts", args.sts)) if valeur is not None]
    if args.s3e is not None and fichiers:
        parser.error(f"{' et '.join(fichiers)} et --s3e sont incompatibles : la source est soit les fichiers "
                     "(--siecle et --sts), soit le service S3E (--s3e), pas les deux")
    if args.s3e is None and len(fichiers) < 2:
        parser.error("indiquez --siecle et --sts, ou --s3e")
    if args.jeton is not None and args.s3e is None:
        parser.error("--jeton ne sert qu'avec --s3e (le jeton d'accès au service S3E)")
    if args.division is not None:
        # Each division once, in the order given (as the web page does): a repeated code would double the
        # warnings and the counters.
        args.division = list(dict.fromkeys(d.strip() for d in args.division if d.strip()))
        if not args.division:
            parser.error("--division : indiquez au moins un code de division (ou --toutes)")


def _acteur_du_systeme() -> str:
    try:
        return getpass.getuser()
    except (OSError, KeyError):  # no login name nor passwd entry (a container)
        return f"utilisateur {os.getuid()}"


def main(argv: Sequence[str] | None = None) -> int:
    """Exit code 0 on success, 1 when the command refused or failed (a French message on stderr), 2 for
    invalid arguments (argparse), 130 when interrupted. Never a traceback: an unexpected exception is told
    in French, its traceback logged at DEBUG (``LSUN_JOURNAL=DEBUG``)."""
    commandes_fiabilite.configurer_journal()
    args = None
    try:
        parser = construire_parser()
        args = parser.parse_args(argv)
        _verifier_combinaisons(parser, args)
        args.acteur = args.acteur or _acteur_du_systeme()
        resultat = args.fonction(args)
        afficher(resultat, en_json=args.json)
        sys.stdout.flush()
    except SystemExit:
        raise
    except BaseException as e:  # the command line's last word (``expliquer``)
        message, code = expliquer(e, getattr(args, "store", None))
        if message:
            erreur(message)
        return code
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
