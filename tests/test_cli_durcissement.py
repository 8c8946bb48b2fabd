"""Hostile values on every command of ``lsun-events`` (issue 14): whatever the arguments, the command line ends
in a clean success or in a French message on stderr with a non-zero exit code — never a traceback, never an English
Python exception name, never a raw control character on the terminal.

The walk introspects the parser that ``cli.py`` builds, so that a new command or option is walked too. Each case
runs the command line in a process of its own (a child forked from a driver subprocess that imported the command
line once, as ``python -m lsun_events.interfaces.cli`` would run it: exit code, stdout, stderr), two at a time, with
a time limit and a memory limit.

Cases are grouped to stay under two minutes: for each command and each hostile text, all its free-text options at
once (three ways: with ``--acteur`` too, with a valid ``--acteur``, with a valid ``--uai`` and ``--acteur``); each
typed option (numbers, dates, choices, paths) alone; ``--store`` on every command with a folder, a device, a file
that is not a database…; a few cases on PostgreSQL.
"""

from __future__ import annotations

import argparse
import builtins
import contextlib
import io
import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import pytest

RACINE = Path(__file__).resolve().parents[1]
PARALLELE = 2
DELAI = 30.0  # seconds; a command still running then is a failure (but a server that started: see ``peut_durer``)
DELAI_SERVEUR = 2.5
MEMOIRE = 2 * 1024**3  # address space of a case: a runaway read ends in MemoryError, not in the kernel's killer

# --- the driver: ``python -m tests.test_cli_durcissement`` reads cases on stdin, writes outcomes on stdout ---------


@dataclass
class Cas:
    nom: str
    argv: list[str]
    env: dict[str, str] = field(default_factory=dict)
    delai: float = DELAI
    peut_durer: bool = False  # a server: still running at the time limit means it started (then it is stopped)


@dataclass
class Issue:
    code: int | None  # None: still running at the time limit, stopped
    out: str
    err: str
    duree: float


def _enfant(cas: Cas, sortie: int, erreurs: int) -> None:
    """In the forked child: the command line as its console script runs it, then ``_exit``."""
    code = 1
    try:
        os.dup2(os.open(os.devnull, os.O_RDONLY), 0)  # a password asked on stdin reads nothing
        os.dup2(sortie, 1)
        os.dup2(erreurs, 2)
        sys.stdin = io.TextIOWrapper(io.FileIO(0, "r", closefd=False), encoding="utf-8")
        sys.stdout = io.TextIOWrapper(io.FileIO(1, "w", closefd=False), encoding="utf-8")
        sys.stderr = io.TextIOWrapper(io.FileIO(2, "w", closefd=False), encoding="utf-8",
                                      errors="backslashreplace")
        os.environ.update(cas.env)
        import resource  # noqa: PLC0415

        resource.setrlimit(resource.RLIMIT_AS, (MEMOIRE, MEMOIRE))
        from lsun_events.interfaces.cli import main  # noqa: PLC0415

        try:
            code = main(cas.argv)
        except SystemExit as e:  # what the interpreter does with it
            if isinstance(e.code, int) or e.code is None:
                code = e.code or 0
            else:
                print(e.code, file=sys.stderr)
        except BaseException:  # what the interpreter does with an uncaught exception
            import traceback  # noqa: PLC0415

            traceback.print_exc()
    finally:
        with contextlib.suppress(BaseException):
            sys.stdout.flush()
            sys.stderr.flush()
        os._exit(code)


def _lire(fichier: Any) -> str:
    fichier.seek(0)
    return fichier.read().decode("utf-8", errors="backslashreplace")


def executer_tous(cas: list[Cas]) -> list[Issue]:
    """Run every case, ``PARALLELE`` at a time, each in a forked child (in the driver)."""
    import tempfile  # noqa: PLC0415

    from lsun_events.interfaces.cli import precharger  # noqa: PLC0415

    precharger()  # every command's implementation imported once, before forking

    issues: list[Issue | None] = [None] * len(cas)
    en_cours: dict[int, tuple[int, float, Any, Any]] = {}
    suivant = 0
    while suivant < len(cas) or en_cours:
        while suivant < len(cas) and len(en_cours) < PARALLELE:
            sortie, erreurs = tempfile.TemporaryFile(), tempfile.TemporaryFile()  # noqa: SIM115  (closed below)
            pid = os.fork()
            if pid == 0:
                _enfant(cas[suivant], sortie.fileno(), erreurs.fileno())
            en_cours[pid] = (suivant, time.monotonic(), sortie, erreurs)
            suivant += 1
        pid, statut = os.waitpid(-1, os.WNOHANG)
        if pid == 0:
            maintenant = time.monotonic()
            for autre, (i, debut, _, _) in en_cours.items():
                if maintenant - debut > cas[i].delai:
                    os.kill(autre, signal.SIGKILL)
            time.sleep(0.005)
            continue
        i, debut, sortie, erreurs = en_cours.pop(pid)
        duree = time.monotonic() - debut
        tue = os.WIFSIGNALED(statut) and os.WTERMSIG(statut) == signal.SIGKILL and duree > cas[i].delai
        code = None if tue else os.waitstatus_to_exitcode(statut)
        issues[i] = Issue(code, _lire(sortie), _lire(erreurs), round(duree, 2))
        sortie.close()
        erreurs.close()
    return [x for x in issues if x is not None]


def lancer_pilote(cas: list[Cas], dossier: Path, delai_total: float = 600) -> list[Issue]:
    """The driver in a subprocess of its own (cwd ``dossier``: the default store, if any, lands there)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("LSUN_")}
    env["PYTHONPATH"] = str(RACINE)
    proc = subprocess.run([sys.executable, "-m", "tests.test_cli_durcissement"], cwd=dossier, env=env,
                          input=json.dumps([asdict(c) for c in cas]), capture_output=True, text=True,
                          timeout=delai_total, check=False)
    assert proc.returncode == 0, proc.stderr[-5000:]
    return [Issue(**x) for x in json.loads(proc.stdout)]


# --- what every outcome must look like --------------------------------------------------------------------------

EXCEPTIONS_PYTHON = sorted(
    {nom for nom, x in vars(builtins).items() if isinstance(x, type) and issubclass(x, BaseException)}
    | {"DatabaseError", "OperationalError", "IntegrityError", "ProgrammingError", "PersistenceError",
       "ValidationError", "PoolTimeout", "LocationParseError", "InvalidURL", "InvalidHeader", "MissingSchema",
       "InvalidSchema", "gaierror", "BadZipFile", "XMLSyntaxError", "ParseError", "JSONDecodeError"})
_ANGLAIS = re.compile(r"\b(" + "|".join(map(re.escape, EXCEPTIONS_PYTHON)) + r")\b"
                      r"|Traceback|usage: |(?i:error): |not known|invalid (choice|int|float|value)|unrecognized arguments"
                      r"|the following arguments|not allowed with|expected one argument|No such file")
# What must never reach the terminal raw (the line feed and tab of the messages themselves aside).
_CONTROLES = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")


def defaut(cas: Cas, issue: Issue) -> str | None:
    """What is wrong with an outcome (None: a clean success, or a clean French refusal)."""
    tout = issue.out + issue.err
    if (m := _ANGLAIS.search(tout)) is not None:
        return f"anglais ou trace d'exception : « {m.group()} »"
    if (m := _CONTROLES.search(tout)) is not None:
        return f"caractère de contrôle brut {m.group()!r} dans la sortie"
    if issue.code is None:
        return None if cas.peut_durer else f"toujours en cours au bout de {cas.delai:g} s"
    if "erreur inattendue" in issue.err or "mémoire insuffisante" in issue.err:
        return "exception non prévue (rattrapée par le dernier filet de main)"
    if issue.code == 0:
        if "--json" in cas.argv and not _json_valide(issue.out):
            return "--json : la sortie n'est pas un document JSON"
        return None
    if issue.code not in (1, 2):
        return f"code de sortie {issue.code}"
    if not re.search(r"(^|\n)Erreur : |lsun-events[^\n]* : erreur : ", issue.err):
        return "pas de message « Erreur : … » sur la sortie d'erreur"
    return None


def _json_valide(texte: str) -> bool:
    try:
        json.loads(texte)
    except ValueError:
        return False
    return True


def rapport_defauts(cas: list[Cas], issues: list[Issue]) -> list[str]:
    lignes = []
    for c, x in zip(cas, issues, strict=True):
        if (quoi := defaut(c, x)) is not None:
            lignes.append(f"{c.nom} : {quoi}\n    lsun-events {' '.join(map(_montrer, c.argv))}\n"
                          f"    code {x.code}, {x.duree} s ; sortie : {x.out[-400:]!r} ; erreur : {x.err[-1500:]!r}")
    return lignes


def _montrer(argument: str) -> str:
    court = argument if len(argument) <= 60 else argument[:60] + f"…({len(argument)} caractères)"
    return repr(court) if not court or any(not c.isprintable() or c.isspace() for c in court) else court


# --- the hostile values ---------------------------------------------------------------------------------------

TEXTES = {
    "vide": "", "espace": " ", "zero": "0", "negatif": "-1", "enorme": "99999999999999999999",
    "enorme_negatif": "-99999999999999999999", "flottant": "1e309", "nan": "nan", "unicode": "é𝔘ñ—中文٣",
    "saut_de_ligne": "a\nb", "echappement": "\x1b[31mrouge\x1b]0;titre\x07\x1b[0m", "c1_bidi": "\x9b2J\u202eabc\x7f",
    "long": "x" * 20000, "chemin": "../../../etc/passwd", "format": "%s%n{0}{uai}", "sql": "' OR 1=1; --",
}
DATES = {"premier_jour": "0001-01-01", "dernier_jour": "9999-12-31", "30_fevrier": "2025-02-30"}
PERIODES = {"toute_l_ere": "T1:0001-01-01:9999-12-31", "sans_code": ":2025-09-01:2025-11-30",
            "code_de_controle": "\x1b[2J:2025-09-01:2025-11-30", "code_long": "T" * 5000 + ":2025-09-01:2025-11-30"}
# A server that starts with a hostile value runs until the time limit: fewer values for them.
TEXTES_SERVEUR = ("vide", "enorme", "unicode", "echappement", "long")
STORES_SERVEUR = ("pas_une_base", "controle")


@dataclass
class Terrain:
    dossier: Path
    store: str
    uai: str
    eleve: str
    matiere: str
    enseignant: str
    run: str
    annee: int
    siecle: Path
    sts: Path
    exports_s3e: Path
    chemins: dict[str, Path]
    stores: dict[str, str]


def port_libre() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def valeur_valide(t: Terrain, commande: str, action: argparse.Action) -> str:
    """A value that the command accepts for ``action`` (its base arguments)."""
    periode = f"S1:{t.annee}-09-01:{t.annee + 1}-01-31"
    valeurs = {
        "uai": t.uai, "eleve": t.eleve, "division": "4A", "matiere": t.matiere, "positionnement": "3",
        "appreciation": "Bon semestre.", "synchronisation": t.run, "enseignant": t.enseignant,
        "siecle": str(t.siecle), "sts": str(t.sts), "exports": str(t.exports_s3e), "identifiant": "dupont",
        "role": "chef", "nom": "Mme Dupont", "mot_de_passe": "un mot de passe assez long", "filtre_acteur": "Mme P",
        "version": "1", "au": date.today().isoformat(), "depuis": "2020-01-01", "jusqu_au": "2100-01-01",
        "limite": "10", "page": "1", "processus": "1", "projection": "audit", "attente": "0.2",
        "s3e": "http://127.0.0.1:1", "jeton": "secret", "port": str(port_libre()), "hote": "127.0.0.1",
        "intervalle": "15", "pause": "1", "seuil_eleves": "0.3", "seuil_enseignants": "0.5",
        "rentree": "08-20:09-30", "acteur": "Mme la Principale", "store": t.store,
    }
    if action.dest == "periode":
        return periode if action.type is not None else "S1"
    return valeurs[action.dest]


def commandes(parser: argparse.ArgumentParser, chemin: tuple[str, ...] = ()) -> Iterator[
        tuple[tuple[str, ...], argparse.ArgumentParser]]:
    """Every leaf command of the parser, with its words (``("bilans", "saisir")``)."""
    sous = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]
    if not sous:
        yield chemin, parser
        return
    for nom, p in sous[0].choices.items():
        yield from commandes(p, (*chemin, nom))


def _options(p: argparse.ArgumentParser) -> list[argparse.Action]:
    return [a for a in p._actions if a.option_strings and a.nargs != 0 and not isinstance(a, argparse._HelpAction)]


SERVEURS = {"serveur", "s3e"}
# Options added to the base arguments so that the command ends (or starts nothing that lasts).
SUPPLEMENTS = {"demo": ["--sans-serveur"], "worker": ["--une-fois"], "synchroniser": ["--siecle", "--sts"],
               "serveur": ["--port"], "s3e": ["--port"], "automatique activer": ["--s3e"]}
# For an option of an alternative, the options of the other alternative are left out of the base.
ALTERNATIVES = {("synchroniser", "--s3e"): ["--siecle", "--sts"], ("synchroniser", "--jeton"): ["--siecle", "--sts"]}
AVEC = {("synchroniser", "--jeton"): ["--s3e"]}


DRAPEAUX = {"--sans-serveur", "--une-fois"}


def base(t: Terrain, nom: str, p: argparse.ArgumentParser, teste: list[str]) -> dict[str, str | None]:
    """Option → valid value: the required ones, one of each required group, the supplements; the tested
    options' groups use the tested option instead of their first member."""
    options = {a.option_strings[0]: a for a in _options(p)}
    choisies = [o for o, a in options.items() if a.required]
    for groupe in p._mutually_exclusive_groups:
        membres = [a.option_strings[0] for a in groupe._group_actions]
        testes = [o for o in membres if o in teste]
        if testes:
            choisies += testes[:1]
        elif groupe.required:
            choisies.append(membres[0])
    choisies += SUPPLEMENTS.get(nom, [])
    for o in teste:
        choisies += AVEC.get((nom, o), [])
        exclues = ALTERNATIVES.get((nom, o), [])
        choisies = [x for x in choisies if x not in exclues]
    # Two members of one group never both: the tested one wins.
    for groupe in p._mutually_exclusive_groups:
        membres = [a.option_strings[0] for a in groupe._group_actions]
        if any(o in teste for o in membres):
            choisies = [x for x in choisies if x not in membres or x in teste]
    # The demo recreates its store: given the shared one, which holds data it did not write, it refuses it
    # after checking its arguments (cheap); ``--store`` alone is walked on it with hostile values.
    resultat: dict[str, str | None] = {"--store": t.store}
    if "--acteur" in options and options["--acteur"].dest == "acteur":
        resultat["--acteur"] = valeur_valide(t, nom, options["--acteur"])
    for o in dict.fromkeys(choisies):
        resultat[o] = None if o in DRAPEAUX else valeur_valide(t, nom, options[o])
    return resultat


def _argv(mots: tuple[str, ...], options: dict[str, str | None]) -> list[str]:
    argv = list(mots)
    for o, v in options.items():
        argv += [o] if v is None else [o, v]
    return argv


def _libre(a: argparse.Action) -> bool:
    """A free text option (no type, no choices)."""
    return a.type is None and a.choices is None


def cas_de_la_commande(t: Terrain, mots: tuple[str, ...], p: argparse.ArgumentParser) -> list[Cas]:
    nom = " ".join(mots)
    serveur = nom in SERVEURS
    delai = DELAI_SERVEUR if serveur else DELAI
    textes = {k: v for k, v in TEXTES.items() if not serveur or k in TEXTES_SERVEUR}
    options = {a.option_strings[0]: a for a in _options(p)}
    libres = [o for o, a in options.items() if _libre(a) and o != "--store"]
    cas = []

    def ajouter(etiquette: str, valeurs: dict[str, str]) -> None:
        teste = list(valeurs)
        argv = _argv(mots, {**base(t, nom, p, teste), **valeurs})
        cas.append(Cas(f"{nom} {etiquette}", argv, delai=delai, peut_durer=serveur))

    # Free texts: all of them at once, three ways.
    for cle, texte in textes.items():
        if libres:
            ajouter(f"[textes libres = {cle}]", dict.fromkeys(libres, texte))
            sans_acteur = [o for o in libres if o != "--acteur"]
            if sans_acteur and sans_acteur != libres:
                ajouter(f"[textes libres sauf --acteur = {cle}]", dict.fromkeys(sans_acteur, texte))
            profonds = [o for o in sans_acteur if o != "--uai"]
            if profonds and profonds != sans_acteur:
                ajouter(f"[textes libres sauf --uai et --acteur = {cle}]", dict.fromkeys(profonds, texte))
        if cle == "echappement":  # the JSON document too
            ajouter("[--json, textes libres = echappement]", {"--json": None, **dict.fromkeys(libres, texte)})
    # Typed options (numbers, dates, choices, paths), one at a time.
    for o, a in options.items():
        if _libre(a) or o == "--store":
            continue
        valeurs = dict(textes)
        if a.type is Path:
            valeurs |= {k: str(v) for k, v in t.chemins.items()}
        nom_type = getattr(a.type, "__name__", "")
        if nom_type == "jour_iso":
            valeurs |= DATES
        elif nom_type == "periode":
            valeurs |= PERIODES
        for cle, texte in valeurs.items():
            ajouter(f"[{o} = {cle}]", {o: texte})
    # The store (``s3e`` does not use one: two values).
    for cle, url in t.stores.items():
        if nom == "s3e" and cle not in STORES_SERVEUR:
            continue
        ajouter(f"[--store = {cle}]", {"--store": url})
    return cas


def preparer_terrain(dossier: Path) -> Terrain:
    """A school imported from generated exports, its periods and bilans, an entry and a run; hostile files."""
    from lsun_events.generateur.ecriture import ecrire_exports, ecrire_s3e  # noqa: PLC0415
    from lsun_events.generateur.generation import generer  # noqa: PLC0415
    from lsun_events.interfaces.cli import main  # noqa: PLC0415
    from lsun_events.regles.calendrier import annee_scolaire  # noqa: PLC0415

    annee = annee_scolaire(date.today())
    ecole = generer("mini", annee=annee)
    ecrits = ecrire_exports(ecole, dossier / "exports")
    store = f"sqlite:///{dossier / 'lsun.sqlite'}"

    def lancer(*argv: str) -> dict[str, Any]:
        sortie, erreurs = io.StringIO(), io.StringIO()
        with contextlib.redirect_stdout(sortie), contextlib.redirect_stderr(erreurs):
            code = main([*argv, "--store", store, "--acteur", "Mme la Principale", "--json"])
        assert code == 0, erreurs.getvalue()
        return json.loads(sortie.getvalue())

    lancer("importer", "--siecle", str(ecrits.siecle_zip), "--sts", str(ecrits.sts))
    lancer("periodes", "parametrer", "--uai", ecole.uai, "--division", "4A", "--periode",
           f"S1:{annee}-09-01:{annee + 1}-01-31")
    bilan = lancer("bilans", "ouvrir", "--uai", ecole.uai, "--division", "4A", "--periode", "S1")
    assert bilan["bilans"] > 0
    eleve = next(e.eleve_id for e in ecole.eleves if e.division == "4A")
    saisi = lancer("bilans", "saisir", "--uai", ecole.uai, "--eleve", eleve, "--periode", "S1", "--matiere",
                   _premiere_matiere(ecole, eleve), "--positionnement", "3")
    run = lancer("synchroniser", "--uai", ecole.uai, "--toutes", "--siecle", str(ecrits.siecle_zip), "--sts",
                 str(ecrits.sts))["synchronisation"]
    enseignant = saisi["acquis"][0]["enseignants"][0]

    hostiles = dossier / "hostiles"
    hostiles.mkdir()
    (hostiles / "dossier-vide").mkdir()
    (hostiles / "texte.txt").write_text("pas un export, pas une base\n")
    (hostiles / "vide.zip").write_bytes(b"")
    (hostiles / "binaire.bin").write_bytes(os.urandom(4096))
    (hostiles / "faux.zip").write_bytes(b"PK\x03\x04" + os.urandom(2000))
    (hostiles / "nom\x1b[31m\nbizarre.xml").write_text("<a/>")
    chemins = {
        "dossier_vide": hostiles / "dossier-vide", "inexistant": hostiles / "inexistant.zip",
        "texte": hostiles / "texte.txt", "fichier_vide": hostiles / "vide.zip", "binaire": hostiles / "binaire.bin",
        "faux_zip": hostiles / "faux.zip", "nom_de_controle": hostiles / "nom\x1b[31m\nbizarre.xml",
        "dev_null": Path("/dev/null"),
    }
    stores = {
        "pas_une_base": f"sqlite:///{hostiles / 'texte.txt'}", "binaire": f"sqlite:///{hostiles / 'binaire.bin'}",
        "dossier": f"sqlite:///{hostiles / 'dossier-vide'}", "peripherique": "sqlite:////dev/zero",
        "sous_un_fichier": f"sqlite:///{hostiles / 'texte.txt'}/lsun.sqlite", "sans_chemin": "sqlite:///",
        "nom_trop_long": f"sqlite:///{hostiles}/{'x' * 5000}.sqlite", "inconnu": "mysql://h/b",
        "controle": "sqlite:///a\x1b[31m\n.sqlite".replace("a", str(hostiles / "a")),
        "pg_port": "postgresql://u:secret@127.0.0.1:99999999/b", "pg_sans_base": "postgresql://127.0.0.1",
        "pg_schema": "postgresql://postgres@127.0.0.1:5432/test?schema=a%22;drop",
    }
    exports_s3e = ecrire_s3e(ecole, dossier / "s3e").parent
    return Terrain(dossier, store, ecole.uai, eleve, _premiere_matiere(ecole, eleve), enseignant, run, annee,
                   ecrits.siecle_zip, ecrits.sts, exports_s3e, chemins, stores)


def _premiere_matiere(ecole: Any, eleve: str) -> str:
    division = ecole.division(ecole.eleve(eleve).division)
    return next(s.matiere_code for s in division.services if s.enseignants)


@pytest.fixture(scope="module")
def terrain(tmp_path_factory: pytest.TempPathFactory) -> Terrain:
    return preparer_terrain(tmp_path_factory.mktemp("durcissement"))


def test_chaque_commande_avec_des_valeurs_hostiles(terrain: Terrain) -> None:
    """Every command and sub-command, every option, hostile values: a clean success or a French refusal."""
    from lsun_events.interfaces.cli import construire_parser  # noqa: PLC0415

    tous = [c for mots, p in commandes(construire_parser()) for c in cas_de_la_commande(terrain, mots, p)]
    # No command, an unknown one, a group without its action, an option without its value.
    tous += [Cas(f"ligne de commande {argv!r:.40}", argv) for argv in (
        [], ["inconnue"], [TEXTES["echappement"]], ["bilans"], ["bilans", TEXTES["c1_bidi"]], ["audit", "--uai"],
        ["audit", "--u", terrain.uai], ["bilan", "--uai", terrain.uai, "--eleve", "1", "--periode", "S1",
                                         "--version", "1", "--au", "2025-01-01"], ["--store", terrain.store],
        ["audit", TEXTES["echappement"], "--uai", terrain.uai, "--eleve", terrain.eleve])]
    debut = time.monotonic()
    issues = lancer_pilote(tous, terrain.dossier)
    duree = time.monotonic() - debut
    defauts = rapport_defauts(tous, issues)
    if journal := os.environ.get("LSUN_TEST_JOURNAL_CAS"):  # every case and outcome, to read them
        Path(journal).write_text(json.dumps([{**asdict(c), **asdict(x)} for c, x in zip(tous, issues, strict=True)],
                                            ensure_ascii=False, indent=1))
    assert not defauts, f"{len(defauts)} cas sur {len(tous)} :\n" + "\n".join(defauts)
    print(f"{len(tous)} cas en {duree:.0f} s")


def test_fichiers_qui_ne_finissent_pas(terrain: Terrain, tmp_path: Path) -> None:
    """``--siecle``/``--sts`` on a device that never ends (/dev/zero) or a pipe without writer: refused in French
    before any read, well within the time limit, not by running out of memory. Depends on the sources' reading of
    non-regular files (commit 2d5dbcd, lsun_events/sources/localisation.py and documents.py): before it, /dev/zero
    was read until the kernel killed the process (here: the memory limit, then « mémoire insuffisante »)."""
    tube = tmp_path / "tube"
    os.mkfifo(tube)
    cas = []
    for nom, fichier in (("dev_zero", "/dev/zero"), ("tube", str(tube))):
        for option in ("--siecle", "--sts"):
            autres = {"--siecle": str(terrain.siecle), "--sts": str(terrain.sts), option: fichier}
            cas.append(Cas(f"importer [{option} = {nom}]", ["importer", *_argv((), autres), "--store",
                                                             f"sqlite:///{tmp_path / 'neuf.sqlite'}"], delai=20))
            cas.append(Cas(f"synchroniser [{option} = {nom}]", ["synchroniser", "--uai", terrain.uai, "--toutes",
                                                                 *_argv((), autres), "--store", terrain.store],
                           delai=20))
        cas.append(Cas(f"eleves ajouter [--siecle = {nom}]", ["eleves", "ajouter", "--uai", terrain.uai, "--siecle",
                                                              fichier, "--store", terrain.store], delai=20))
    issues = lancer_pilote(cas, terrain.dossier)
    assert not rapport_defauts(cas, issues), "\n".join(rapport_defauts(cas, issues))
    for c, x in zip(cas, issues, strict=True):
        assert x.code == 1, (c.nom, x)
        assert "n'est pas un fichier ordinaire" in x.err, (c.nom, x.err)
        assert x.duree < 10, (c.nom, x.duree)


def test_les_cas_de_l_issue_dans_un_vrai_processus(terrain: Terrain) -> None:
    """The two tracebacks of issue 14, through ``python -m lsun_events.interfaces.cli`` itself."""
    pas_une_base = terrain.stores["pas_une_base"]
    for argv, attendu, code in (
            (["audit", "--uai", terrain.uai, "--eleve", terrain.eleve, "--page", "99999999999999999999",
              "--store", terrain.store],
             "argument --page : « 99999999999999999999 » n'est pas un nombre entier de 1 à 1000000", 2),
            (["audit", "--uai", terrain.uai, "--eleve", terrain.eleve, "--store", pas_une_base],
             "invalide : ce fichier n'est pas une base SQLite", 1)):
        proc = subprocess.run([sys.executable, "-m", "lsun_events.interfaces.cli", *argv], capture_output=True,
                              text=True, timeout=60, check=False, cwd=terrain.dossier)
        assert proc.returncode == code, proc.stderr
        assert attendu in proc.stderr
        assert defaut(Cas("", argv), Issue(proc.returncode, proc.stdout, proc.stderr, 0)) is None, proc.stderr


def test_valeurs_hostiles_sur_postgresql(terrain: Terrain) -> None:
    """A few cases on PostgreSQL: numbers too large for a bigint, a schema not created, a database that does not
    exist, a hostile schema name."""
    from tests.conftest import POSTGRES_URL, schema_postgres  # noqa: PLC0415

    with schema_postgres("d") as store:
        from lsun_events.interfaces.cli import main  # noqa: PLC0415

        with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
            assert main(["importer", "--siecle", str(terrain.siecle), "--sts", str(terrain.sts), "--store",
                         store.url, "--acteur", "Mme la Principale"]) == 0
            assert main(["periodes", "parametrer", "--uai", terrain.uai, "--division", "4A", "--periode",
                         f"S1:{terrain.annee}-09-01:{terrain.annee + 1}-01-31", "--store", store.url]) == 0
            assert main(["bilans", "ouvrir", "--uai", terrain.uai, "--division", "4A", "--periode", "S1",
                         "--store", store.url]) == 0
        eleve = ["--uai", terrain.uai, "--eleve", terrain.eleve]
        base = POSTGRES_URL.rsplit("/", 1)[0]
        cas = [Cas(f"postgresql {' '.join(argv[:1])} {argv[-1][:30]}", [*argv, "--store", url] if url else argv)
               for argv, url in (
                   (["audit", *eleve, "--page", "9223372036854775807"], store.url),
                   (["audit", *eleve, "--limite", "99999999999999999999"], store.url),
                   (["audit", *eleve, "--page", "1000000", "--limite", "1000"], store.url),
                   (["audit", *eleve, "--depuis", "9999-12-31"], store.url),
                   (["audit", *eleve, "--jusqu-au", "9999-12-31", "--depuis", "0001-01-01"], store.url),
                   (["bilan", *eleve, "--periode", "S1", "--version", "1000000000"], store.url),
                   (["bilan", *eleve, "--periode", "S1", "--au", "1900-01-01"], store.url),
                   (["audit", "--uai", terrain.uai, "--acteur", TEXTES["echappement"]], store.url),
                   (["messages", "--synchronisation", TEXTES["enorme"]], store.url),
                   (["projections", "suivre", "--attente", "nan"], store.url),
                   (["audit", *eleve], f"{POSTGRES_URL}?schema=jamais_cree_{os.getpid()}"),
                   (["audit", *eleve], f"{base}/base_qui_n_existe_pas"),
                   (["audit", *eleve], f"{POSTGRES_URL}?schema=x%22%3Bdrop"),
               )]
        issues = lancer_pilote(cas, terrain.dossier)
    assert not rapport_defauts(cas, issues), "\n".join(rapport_defauts(cas, issues))
    attendus = ["", "n'est pas un nombre entier de 1 à 1000", "page 1000000 sur 1", "hors de la plage 1900-01-01",
                "hors de la plage 1900-01-01",
                "La version 1000000000 n'existe pas", "Aucun bilan", "0 ligne(s)", "Aucune synchronisation",
                "n'est pas un nombre de 0.01 à 3600", "lancez « lsun-events migrer »",
                "la base PostgreSQL indiquée n'existe pas", "schéma PostgreSQL invalide"]
    for c, x, attendu in zip(cas, issues, attendus, strict=True):
        assert attendu in x.out + x.err, (c.argv, x)


def test_variables_d_environnement_hostiles(terrain: Terrain) -> None:
    """The environment is input too: ``LSUN_JOUR``, ``LSUN_ACTEUR``, ``LSUN_STORE``, ``LSUN_CLE_CHIFFREMENT``,
    ``LSUN_JOURNAL``, ``LSUN_PROJECTIONS``, ``LSUN_S3E_JETON`` with hostile values."""
    uai = ["--uai", terrain.uai]
    fichiers = ["--siecle", str(terrain.siecle), "--sts", str(terrain.sts)]
    audit = ["audit", *uai, "--eleve", terrain.eleve, "--store", terrain.store]
    cas = []
    for jour in ("17/11/2025", "", "9999-12-31", TEXTES["echappement"], TEXTES["enorme"]):
        for argv in (["synchroniser", *uai, "--toutes", *fichiers, "--simulation"], ["eleves", "ajouter", *uai,
                     "--siecle", str(terrain.siecle)], ["worker", "--une-fois"],
                     ["automatique", "appliquer", "--synchronisation", terrain.run]):
            cas.append(Cas(f"LSUN_JOUR={jour[:12]!r} {argv[0]}", [*argv, "--store", terrain.store],
                           env={"LSUN_JOUR": jour}))
    for variable, valeurs, argv in (
            ("LSUN_ACTEUR", [TEXTES["echappement"], TEXTES["saut_de_ligne"], TEXTES["long"]],
             ["bilans", "ouvrir", *uai, "--division", "4A", "--periode", "S1", "--store", terrain.store]),
            ("LSUN_STORE", list(terrain.stores.values()), ["audit", *uai, "--eleve", terrain.eleve]),
            ("LSUN_CLE_CHIFFREMENT", ["pas une clé", TEXTES["echappement"], "A" * 44, "QUFB"], audit),
            ("LSUN_JOURNAL", [TEXTES["echappement"], "DEBUG", "NOTSET", "99"], audit),
            ("LSUN_PROJECTIONS", [TEXTES["echappement"], "processus", ""], audit),
            ("LSUN_S3E_JETON", [TEXTES["echappement"], TEXTES["unicode"]], ["worker", "--une-fois", "--store",
                                                                            terrain.store])):
        for valeur in valeurs:
            cas.append(Cas(f"{variable}={valeur[:12]!r} {argv[0]}", argv, env={variable: valeur}))
    issues = lancer_pilote(cas, terrain.dossier)
    defauts = [d for d in rapport_defauts(cas, issues)
               # With LSUN_JOURNAL=DEBUG the libraries' English debug lines are the point.
               if not d.startswith(("LSUN_JOURNAL='DEBUG'", "LSUN_JOURNAL='NOTSET'"))]
    assert not defauts, "\n".join(defauts)
    for c, x in zip(cas, issues, strict=True):
        if c.env.get("LSUN_JOUR") == "17/11/2025":
            assert "LSUN_JOUR vaut « 17/11/2025 » : attendu une date AAAA-MM-JJ" in x.err, (c.nom, x.err)


if __name__ == "__main__":
    resultats = executer_tous([Cas(**c) for c in json.load(sys.stdin)])
    sys.stdout.write(json.dumps([asdict(x) for x in resultats]))
