"""Shared by the reliability tests: a "petit collège" set up on a store, copies of a prepared store, the CLI
in a subprocess, and the state of a store reduced to what must not depend on how a run went (crashed and
rerun, or clean): decoded entity events and view rows, without run ids, timestamps nor positions."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import uuid
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import psycopg
from psycopg import sql

from lsun_events.application.synchronisation import evenements_du_run
from lsun_events.generateur import variantes as v
from lsun_events.generateur.ecriture import Exports, ecrire_exports
from lsun_events.generateur.generation import generer
from lsun_events.generateur.modele import Ecole
from lsun_events.interfaces.cli.demo import periodes
from lsun_events.projections import rapports
from lsun_events.regles.calendrier import annee_scolaire
from lsun_events.regles.messages import Message, rapport
from lsun_events.sources.snapshot import charger_exports
from lsun_events.storage.config import Store
from lsun_events.systeme import Systeme
from tests import conftest
from tests.conftest import POSTGRES_URL

RACINE = Path(__file__).resolve().parents[2]
CHEF = "Mme la Principale"
JOUR = date.today()  # the command line synchronises "today": exports of the current school year
ANNEE = annee_scolaire(JOUR)


# --- a school on a store ----------------------------------------------------------------------------------


def ecole_et_variante(taille: str = "petit", uai: str = "0999001X", graine: int = 7) -> tuple[Ecole, Ecole]:
    """A school of the current school year and a realistic next export of it: pupils renamed, teachers
    renamed or replaced, a new PP in the second division."""
    ecole = generer(taille, uai=uai, annee=ANNEE)
    variante = v.modifier(ecole, part_eleves_renommes=0.1, enseignants_changes=4, graine=graine)
    variante = v.changer_pp(variante, ecole.divisions[1].code)
    return ecole, variante


def preparer(store: Store, ecole: Ecole, dossier: Path) -> None:
    """Import, periods T1–T3 for every division, bilans T1 open, T1 of the first division locked."""
    ecrits = ecrire_exports(ecole, dossier)
    with Systeme(store) as s:
        s.app.importer(charger_exports(ecrits.siecle_dossier, ecrits.sts), CHEF, JOUR)
        codes = [d.code for d in ecole.divisions]
        for code in codes:
            s.app.parametrer_periodes(ecole.uai, code, periodes(ANNEE), CHEF)
            s.app.ouvrir_bilans(ecole.uai, code, "T1", CHEF)
        s.app.verrouiller(ecole.uai, codes[0], "T1", CHEF)
        s.rattraper()


def ecrire(ecole: Ecole, dossier: Path) -> Exports:
    return ecrire_exports(ecole, dossier)


# --- stores -------------------------------------------------------------------------------------------------


def _connexion() -> psycopg.Connection[Any]:
    base = Store.depuis_url(POSTGRES_URL)
    return psycopg.connect(host=base.pg_host, port=base.pg_port, dbname=base.pg_dbname, user=base.pg_user,
                           password=base.pg_password, autocommit=True)


def store_postgres_neuf() -> Store:
    """A fresh schema with every table (``migrer``); drop it with ``supprimer``."""
    return conftest.store_postgres_neuf("f")


def supprimer(store: Store) -> None:
    if store.kind == "postgresql":
        conftest.supprimer_schema(store)
    elif store.sqlite_path is not None:
        shutil.rmtree(store.sqlite_path.parent, ignore_errors=True)


def copier(base: Store, dossier: Path) -> Store:
    """A copy of a prepared store: its SQLite files into ``dossier``, or its PostgreSQL rows into a new schema
    (tables made by ``migrer``, rows copied, the notification sequence moved past the copied ids)."""
    if base.kind == "sqlite":
        assert base.sqlite_path is not None
        dossier.mkdir(parents=True)
        for fichier in base.sqlite_path.parent.glob(f"{base.sqlite_path.stem}*"):
            shutil.copy2(fichier, dossier / fichier.name)
        return Store.depuis_url(f"sqlite:///{dossier / base.sqlite_path.name}")
    copie = store_postgres_neuf()
    try:
        _copier_lignes(base, copie)
    except BaseException:
        supprimer(copie)
        raise
    return copie


def _copier_lignes(base: Store, copie: Store) -> None:
    with _connexion() as conn:
        tables = [r[0] for r in conn.execute(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = %s", (base.pg_schema,))]
        with conn.transaction():
            for table in tables:
                conn.execute(sql.SQL("DELETE FROM {}.{}").format(sql.Identifier(copie.pg_schema),
                                                                 sql.Identifier(table)))
                conn.execute(sql.SQL("INSERT INTO {}.{} SELECT * FROM {}.{}").format(
                    sql.Identifier(copie.pg_schema), sql.Identifier(table), sql.Identifier(base.pg_schema),
                    sql.Identifier(table)))
            for (table, colonne, sequence) in conn.execute(
                    "SELECT c.table_name, c.column_name, pg_get_serial_sequence(quote_ident(c.table_schema) || '.' "
                    "|| quote_ident(c.table_name), c.column_name) FROM information_schema.columns c "
                    "WHERE c.table_schema = %s AND c.column_default LIKE 'nextval%%'", (copie.pg_schema,)).fetchall():
                conn.execute(sql.SQL("SELECT setval({}, (SELECT COALESCE(max({}), 0) + 1 FROM {}.{}), false)").format(
                    sql.Literal(sequence), sql.Identifier(colonne), sql.Identifier(copie.pg_schema),
                    sql.Identifier(table)))


@contextmanager
def stores_temporaires() -> Iterator[list[Store]]:
    """Stores made in the block are dropped at its end (append them to the list)."""
    stores: list[Store] = []
    try:
        yield stores
    finally:
        for store in stores:
            supprimer(store)


# --- the command line in a subprocess -------------------------------------------------------------------


def env_cli(**extra: str) -> dict[str, str]:
    env = {k: x for k, x in os.environ.items() if not k.startswith("LSUN_TEST_")}
    env.update(extra)
    env["PYTHONPATH"] = str(RACINE)
    return env


def commande(*args: str, tueur: bool = False) -> list[str]:
    module = "tests.fiabilite.tueur" if tueur else "lsun_events.interfaces.cli"
    return [sys.executable, "-m", module, *args, "--acteur", CHEF]


def lancer(*args: str, env: dict[str, str] | None = None, tueur: bool = False,
           timeout: float = 120) -> subprocess.CompletedProcess[str]:
    return subprocess.run(commande(*args, tueur=tueur), cwd=RACINE, env=env or env_cli(), capture_output=True,
                          text=True, timeout=timeout, check=False)


@dataclass
class Execution:
    code: int  # < 0: killed by that signal
    sortie: str
    erreur: str

    @property
    def duree(self) -> float:
        """Of the command itself, as measured by ``tueur.py``."""
        return float(self.erreur.rsplit("LSUN_TEST_DUREE=", 1)[1])


class Fourche:
    """Runs of the command line, each in its own process forked from one that has imported everything
    (``tueur.py --fourche``): a real process that a SIGKILL ends anywhere, without the ~1 s of imports.
    Several may run at once (``demarrer`` each, then ``attendre`` each)."""

    def __init__(self, dossier: Path) -> None:
        self.dossier = dossier
        self.n = 0
        self.fichiers: dict[int, tuple[Path, Path]] = {}
        self.codes: dict[int, int] = {}
        self.processus = subprocess.Popen([sys.executable, "-m", "tests.fiabilite.tueur", "--fourche"], cwd=RACINE,
                                          env=env_cli(), stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)

    def _ligne(self) -> list[str]:
        assert self.processus.stdout is not None
        ligne = self.processus.stdout.readline().split()
        assert ligne, "the forking process has stopped"
        if ligne[0] == "fin":
            self.codes[int(ligne[1])] = int(ligne[2])
        return ligne

    def demarrer(self, *args: str, **env: str) -> int:
        """Start a run; its pid, as soon as it exists (the command starts right after)."""
        assert self.processus.stdin is not None
        self.n += 1
        fichiers = (self.dossier / f"sortie-{self.n}", self.dossier / f"erreur-{self.n}")
        for fichier in fichiers:  # a run killed before it opened them still has them (empty)
            fichier.write_bytes(b"")
        demande = {"args": [*args, "--acteur", CHEF], "env": env_cli(**env), "sortie": str(fichiers[0]),
                   "erreur": str(fichiers[1])}
        self.processus.stdin.write(json.dumps(demande) + "\n")
        self.processus.stdin.flush()
        while (ligne := self._ligne())[0] != "pid":
            pass
        self.fichiers[int(ligne[1])] = fichiers
        return int(ligne[1])

    def attendre(self, pid: int | None = None) -> Execution:
        """The end of run ``pid`` (default: the last one started)."""
        pid = pid if pid is not None else list(self.fichiers)[-1]
        while pid not in self.codes:
            self._ligne()
        return Execution(self.codes.pop(pid), *(f.read_text(errors="replace") for f in self.fichiers.pop(pid)))

    def lancer(self, *args: str, **env: str) -> Execution:
        return self.attendre(self.demarrer(*args, **env))

    def fermer(self) -> None:
        assert self.processus.stdin is not None
        self.processus.stdin.close()
        self.processus.wait(timeout=60)


@contextmanager
def fourche(dossier: Path) -> Iterator[Fourche]:
    f = Fourche(dossier)
    try:
        yield f
    finally:
        f.fermer()


def args_synchroniser(store: Store, uai: str, exports: Exports) -> list[str]:
    return ["synchroniser", "--uai", uai, "--toutes", "--siecle", str(exports.siecle_zip), "--sts",
            str(exports.sts), "--store", store.url, "--json"]


# --- the state of a store, comparable across runs ----------------------------------------------------------

_HORODATAGE = re.compile(r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}:\d{2}(\.\d+)?([+-]\d{2}:?\d{2}|Z)?")


@dataclass
class Run:
    synchronisation: str
    statut: str
    messages: list[Message]
    regeneres: list[Message]  # rebuilt from the events alone


@dataclass
class Etat:
    evenements: list[tuple[Any, ...]]  # entity events after the starting position, decoded and normalised
    evenements_run: list[str]  # the runs' own event types (Synchronisation aggregates), in order
    runs: list[Run]  # oldest first
    vues: dict[str, list[tuple[Any, ...]]]  # every view table but the runs' rows, normalised, sorted
    notifications: int  # events after the starting position


def _normaliser(valeur: Any, runs: set[str]) -> Any:
    if isinstance(valeur, str):
        for run in runs:
            valeur = valeur.replace(run, "RUN")
        return _HORODATAGE.sub("HORODATAGE", valeur)
    return valeur


def _evenement(e: Any) -> tuple[Any, ...]:
    etat = {k: x for k, x in e.__dict__.items() if k not in ("timestamp", "synchronisation")}
    return (str(e.originator_id), e.originator_version, type(e).__qualname__, repr(sorted(etat.items())))


def evenements_depuis(store: Store, depuis: int) -> tuple[list[tuple[Any, ...]], list[str]]:
    """The entity events after ``depuis`` (normalised) and the type names of the runs' own events; the
    views are left as they are."""
    with Systeme(store) as s:
        notes = s.app.recorder.select_notifications(start=depuis, limit=1_000_000, inclusive_of_start=False)
        decodes = [s.app.mapper.to_domain_event(n) for n in notes]
    ids_runs = {str(n.originator_id) for n in notes if n.topic == "lsun:SynchronisationDemarree"}
    return ([_evenement(e) for e in decodes if str(e.originator_id) not in ids_runs],
            [type(e).__name__ for e in decodes if str(e.originator_id) in ids_runs])


def etat(store: Store, depuis: int = 0, *, rattraper: bool = True) -> Etat:
    """What the store holds after position ``depuis``, and every view (caught up first, as any command
    does, unless ``rattraper`` is false)."""
    with Systeme(store) as s:
        if rattraper:
            s.rattraper()
        notes = s.app.recorder.select_notifications(start=depuis, limit=1_000_000, inclusive_of_start=False)
        decodes = [s.app.mapper.to_domain_event(n) for n in notes]
        ids_runs = {str(n.originator_id) for n in notes if n.topic == "lsun:SynchronisationDemarree"}
        toutes = s.app.recorder.select_notifications(start=None, limit=1_000_000,
                                                     topics=["lsun:SynchronisationDemarree"])
        tous_runs = {str(n.originator_id) for n in toutes}
        evenements = [_evenement(e) for e in decodes if str(e.originator_id) not in ids_runs]
        evenements_run = [type(e).__name__ for e in decodes if str(e.originator_id) in ids_runs]
        runs = []
        with s.lire("rapports") as c:
            for x in sorted(rapports.runs(c, ecole_uai(s), limite=1000), key=lambda r: r["position"]):
                if x["synchronisation"] in ids_runs:
                    run = uuid.UUID(x["synchronisation"])
                    runs.append(Run(x["synchronisation"], x["statut"], rapports.messages_du_run(c, str(run)),
                                    rapport(evenements_du_run(s.app, run))))
        vues: dict[str, list[tuple[Any, ...]]] = {}
        for nom, projecteur in s.projecteurs.items():
            with s.lire(nom) as c:
                for table in projecteur.modele.tables(c.dialecte):
                    lignes = []
                    for ligne in _rangs_relatifs(c.lignes(f"SELECT * FROM {table}")):
                        if ligne.get("agregat") in tous_runs or (
                                "agregat" not in ligne and ligne.get("synchronisation") in tous_runs):
                            continue  # a run's own row: compared through its messages
                        lignes.append(tuple(sorted((k, _normaliser(x, tous_runs)) for k, x in ligne.items()
                                                   if "position" not in k)))
                    vues[table.split(".")[-1].strip('"')] = sorted(lignes, key=repr)
    return Etat(evenements, evenements_run, runs, vues, len(notes))


def _rangs_relatifs(lignes: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """A child row's ``rang`` is derived from the position of the event that made it (``position * N + i``):
    only its order among the aggregate's rows is meaningful (PostgreSQL numbers lost by a rolled-back
    transaction shift the positions)."""
    if not lignes or "rang" not in lignes[0] or "agregat" not in lignes[0] or "position" in lignes[0]:
        return lignes  # (the audit journal's ``rang`` counts the rows of one event: kept)
    par_agregat: dict[Any, list[dict[str, Any]]] = {}
    for ligne in lignes:
        par_agregat.setdefault(ligne["agregat"], []).append(ligne)
    for groupe in par_agregat.values():
        for i, ligne in enumerate(sorted(groupe, key=lambda x: x["rang"])):
            ligne["rang"] = i
    return lignes


def ecole_uai(s: Systeme) -> str:
    notes = s.app.recorder.select_notifications(start=None, limit=1, topics=["lsun:EtablissementImporte"])
    if notes:
        return s.app.mapper.to_domain_event(notes[0]).uai  # type: ignore[attr-defined,no-any-return]
    return ""


def position(store: Store) -> int:
    with Systeme(store) as s:
        return s.app.recorder.max_notification_id() or 0


def sans_infos(messages: Sequence[Message]) -> list[Message]:
    return [m for m in messages if m.niveau == "avertissement"]


def json_de(sortie: str) -> Any:
    return json.loads(sortie)
