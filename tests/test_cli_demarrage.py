"""The command line starts light (issue 15): its grammar is built from a few light modules, and a command's
implementation — with the application, the stores, the drivers, the web server — is imported only when that
command runs. Checked on the imports (``-X importtime``), never on a time. And the grammar's references and the
few values it repeats from the product stay true."""

from __future__ import annotations

import importlib
import subprocess
import sys

import pytest

from lsun_events.interfaces.cli import commande, construire_parser, erreurs, parser, precharger, references

# Nothing of these at start-up: each costs from tens to hundreds of milliseconds.
LOURDS = ("fastapi", "uvicorn", "starlette", "psycopg", "psycopg_pool", "requests", "pydantic", "lxml",
          "eventsourcing", "argon2", "cryptography", "jinja2", "sqlite3", "lsun_events.generateur")
# The product's modules that a start may import: the light modules of the command line.
LEGERS = {"lsun_events", "lsun_events.interfaces", "lsun_events.interfaces.cli", "lsun_events.interfaces.cli.arguments",
          "lsun_events.interfaces.cli.erreurs", "lsun_events.interfaces.cli.francais",
          "lsun_events.interfaces.cli.journal", "lsun_events.interfaces.cli.parser",
          "lsun_events.interfaces.cli.sortie"}


def modules_importes(*argv: str) -> set[str]:
    """The modules that ``python -m lsun_events.interfaces.cli ARGV`` imports (``-X importtime``); it must end
    with code 0."""
    proc = subprocess.run([sys.executable, "-X", "importtime", "-m", "lsun_events.interfaces.cli", *argv],
                          capture_output=True, text=True, timeout=60, check=False)
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert "usage : lsun-events" in proc.stdout
    return {ligne.rsplit("|", 1)[1].strip() for ligne in proc.stderr.splitlines()
            if ligne.startswith("import time:") and not ligne.rstrip().endswith("| imported package")}


def _de(module: str, racines: tuple[str, ...]) -> bool:
    return any(module == r or module.startswith(r + ".") for r in racines)


@pytest.mark.parametrize("argv", [["--help"], ["synchroniser", "--help"], ["audit", "--help"],
                                  ["serveur", "--help"], ["demo", "--help"], ["bilans", "saisir", "--help"]])
def test_l_aide_n_importe_que_la_grammaire(argv: list[str]) -> None:
    importes = modules_importes(*argv)
    assert "lsun_events.interfaces.cli.parser" in importes  # the measure sees the product's imports
    assert not sorted(m for m in importes if _de(m, LOURDS))
    assert not sorted(m for m in importes if _de(m, ("lsun_events",)) and m not in LEGERS)


def test_construire_le_parser_n_importe_rien_de_lourd() -> None:
    """In a fresh interpreter: the parser built, nothing of the product but the command line's light modules."""
    code = ("import sys\nfrom lsun_events.interfaces.cli import construire_parser\nconstruire_parser()\n"
            "print('\\n'.join(sorted(sys.modules)))")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True)
    importes = set(proc.stdout.split())
    assert not sorted(m for m in importes if _de(m, LOURDS))
    assert not sorted(m for m in importes if _de(m, ("lsun_events",)) and m not in LEGERS)


def test_chaque_commande_designe_sa_fonction() -> None:
    """Every ``"module:fonction"`` of the grammar names a function of a module of the package."""
    toutes = list(references(construire_parser()))
    assert len(toutes) == len(set(toutes)) + 1  # « bilans verrouiller » and « deverrouiller » share theirs
    for reference in toutes:
        assert callable(commande(reference)), reference
    precharger()


def test_la_grammaire_suit_le_produit() -> None:
    """The values the grammar repeats so as not to import the product at start-up are the product's."""
    from lsun_events.application.comptes import ROLES  # noqa: PLC0415
    from lsun_events.projections.requetes_audit import LIMITE  # noqa: PLC0415
    from lsun_events.storage.config import CLE_CHIFFREMENT  # noqa: PLC0415
    from lsun_events.systeme import MODELES  # noqa: PLC0415

    assert tuple(ROLES) == parser.ROLES
    assert tuple(m().nom for m in MODELES) == parser.PROJECTIONS
    assert parser.LIMITE_AUDIT == LIMITE
    assert parser.CLE_CHIFFREMENT == CLE_CHIFFREMENT


def test_les_erreurs_nommees_existent() -> None:
    """The exceptions ``expliquer`` recognises by name (``"module:Classe"``) are exception classes."""
    for reference in (*erreurs.REFUS, *erreurs.STOCKAGE, *erreurs.SCHEMA_ABSENT, *erreurs.INJOIGNABLE,
                      *erreurs.DECHIFFREMENT):
        module, _, nom = reference.partition(":")
        classe = getattr(importlib.import_module(module), nom)
        assert issubclass(classe, BaseException), reference
        assert erreurs._chargees(reference) == (classe,)
