"""``lsun-events``: the command line of SPEC §8. Thin: parse, call the application, present.
Errors go to stderr in French with a non-zero exit code, and nothing is saved.

At start-up only the light modules are imported: the grammar (``parser``: every command and its options), the
argument types (``arguments``), the output (``sortie``), the French errors (``erreurs``) and the log
(``journal``). A command's implementation — one module per group of commands: ``eleves``, ``bilans``,
``synchronisation``, ``audit``, ``projections``, ``automatique``, ``serveur``, ``cle``, ``demo`` — and with it the
application, the stores and the drivers, is imported when that command runs (``commande``), so that
``lsun-events --help`` answers at once."""

from __future__ import annotations

import argparse
import getpass
import importlib
import os
import sys
from collections.abc import Callable, Iterator, Sequence

from lsun_events.interfaces.cli.erreurs import expliquer
from lsun_events.interfaces.cli.journal import configurer_journal
from lsun_events.interfaces.cli.parser import construire_parser, verifier_combinaisons
from lsun_events.interfaces.cli.sortie import Resultat, afficher, erreur

__all__ = ["commande", "construire_parser", "main", "precharger", "references"]

Commande = Callable[[argparse.Namespace], Resultat]


def commande(reference: str) -> Commande:
    """The function of a ``"module:fonction"`` reference of the parser (a module of this package), imported now."""
    module, _, nom = reference.partition(":")
    fonction: Commande = getattr(importlib.import_module(f"{__name__}.{module}"), nom)
    return fonction


def references(parser: argparse.ArgumentParser) -> Iterator[str]:
    if (reference := parser.get_default("fonction")) is not None:
        yield reference
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for sous in action.choices.values():
                yield from references(sous)


def precharger() -> None:
    """Import every command's implementation now: for a process that forks one child per command (the tests'
    drivers), which would otherwise import them again in each child."""
    for reference in references(construire_parser()):
        commande(reference)


def _acteur_du_systeme() -> str:
    try:
        return getpass.getuser()
    except (OSError, KeyError):  # no login name nor passwd entry (a container)
        return f"utilisateur {os.getuid()}"


def main(argv: Sequence[str] | None = None) -> int:
    """Exit code 0 on success, 1 when the command refused or failed (a French message on stderr), 2 for
    invalid arguments (argparse), 130 when interrupted. Never a traceback: an unexpected exception is told
    in French, its traceback logged at DEBUG (``LSUN_JOURNAL=DEBUG``)."""
    configurer_journal()
    args = None
    try:
        parser = construire_parser()
        args = parser.parse_args(argv)
        verifier_combinaisons(parser, args)
        args.acteur = args.acteur or _acteur_du_systeme()
        resultat = commande(args.fonction)(args)
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
