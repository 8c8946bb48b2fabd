"""Test-only wrapper of ``lsun-events``: ``python -m tests.fiabilite.tueur ARGS…`` runs the real command line,
with hooks read from the environment by this module alone (never by the product):

* ``LSUN_TEST_TUER_AU=POINT[:N]``: SIGKILL this process at the N-th (default 1st) passage at a point —
  ``save-avant`` (a run's ``save`` is called, nothing written), ``insertion`` (the events are inserted, the
  transaction not committed), ``save-apres`` (committed, views not caught up), ``vue`` (a page of a view
  written with its position, not committed);
* ``LSUN_TEST_PAUSE=CHEMIN``: before the first ``save``, create ``CHEMIN.attente`` and wait (30 s at most)
  for ``CHEMIN.reprise`` (another process acts meanwhile);
* ``LSUN_TEST_ATTENTE_S=S``: how long a run waits for the school's lock (product default: 30 s);
* ``LSUN_TEST_TEMOIN=1``: one more view, ``tests.fiabilite.temoin`` (every event seen, in order).

``LSUN_TEST_DEPART`` is written on stderr just before the command starts (after Python's imports), so a
parent can time a kill from the start of the run itself; ``LSUN_TEST_DUREE=S`` at the end.
``python -m tests.fiabilite.tueur --fourche`` serves many runs, each in its own forked process (``fourche``)."""

from __future__ import annotations

import json
import os
import select
import signal
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any

from eventsourcing.postgres import PostgresApplicationRecorder
from eventsourcing.sqlite import SQLiteApplicationRecorder
from eventsourcing.utils import resolve_topic

from lsun_events.application.app import LsunApp
from lsun_events.interfaces.cli import main, precharger
from lsun_events.projections.stockage import VuePostgres, VueSQLite
from lsun_events.storage.config import Store

precharger()  # the commands' implementations (imported by ``main`` when a command runs): before forking, before DEPART
_passages: Counter[str] = Counter()


def _tuer() -> None:
    os.kill(os.getpid(), signal.SIGKILL)


def _point(nom: str) -> None:
    voulu = os.environ.get("LSUN_TEST_TUER_AU", "")
    point, _, rang = voulu.partition(":")
    if point != nom:
        return
    _passages[nom] += 1
    if _passages[nom] == int(rang or 1):
        _tuer()


def _entourer(classe: type, methode: str, avant: str | None = None, apres: str | None = None) -> None:
    origine = getattr(classe, methode)

    def remplacee(self: Any, *args: Any, **kwargs: Any) -> Any:
        if avant:
            _point(avant)
        resultat = origine(self, *args, **kwargs)
        if apres:
            _point(apres)
        return resultat

    setattr(classe, methode, remplacee)


def _sous_classes(classe: type) -> list[type]:
    return [classe, *(c for sous in classe.__subclasses__() for c in _sous_classes(sous))]


def _pause(chemin: Path) -> None:
    chemin.with_name(chemin.name + ".attente").touch()
    reprise = chemin.with_name(chemin.name + ".reprise")
    limite = time.monotonic() + 30
    while not reprise.exists() and time.monotonic() < limite:
        time.sleep(0.02)


def installer() -> None:
    _entourer(LsunApp, "save", avant="save-avant", apres="save-apres")
    _entourer(SQLiteApplicationRecorder, "_insert_events", apres="insertion")
    # The product may use a subclass of the library's PostgreSQL recorder (lsun_events.storage.postgres_lots): wrap the
    # method where it is defined, in the library's class and in each subclass that redefines it.
    for cle, topic in Store.depuis_url("postgresql://lsun@localhost/lsun").env().items():
        if cle.endswith("RECORDER_TOPIC"):
            resolve_topic(topic)  # imports it, so that it is among the subclasses
    for classe in _sous_classes(PostgresApplicationRecorder):
        if "_fetch_ids_after_insert_events" in vars(classe):
            _entourer(classe, "_fetch_ids_after_insert_events", apres="insertion")
    for vue in (VueSQLite, VuePostgres):
        _entourer(vue, "_insert_tracking", apres="vue")
    if chemin := os.environ.get("LSUN_TEST_PAUSE"):
        sauver = LsunApp.save

        def save(self: LsunApp, *args: Any, **kwargs: Any) -> Any:
            if not _passages["pause"]:
                _passages["pause"] += 1
                _pause(Path(chemin))
            return sauver(self, *args, **kwargs)

        LsunApp.save = save  # type: ignore[method-assign]
    if os.environ.get("LSUN_TEST_TEMOIN"):
        from lsun_events import systeme  # noqa: PLC0415
        from tests.fiabilite.temoin import Temoin  # noqa: PLC0415

        systeme.MODELES = (*systeme.MODELES, Temoin)
    if attente := os.environ.get("LSUN_TEST_ATTENTE_S"):
        LsunApp.synchroniser.__kwdefaults__["attente"] = float(attente)  # type: ignore[index]


def executer(args: list[str]) -> int:
    installer()
    sys.stderr.write("LSUN_TEST_DEPART\n")
    sys.stderr.flush()
    debut = time.perf_counter()
    try:
        code = main(args)
    except SystemExit as e:  # argparse
        code = e.code if isinstance(e.code, int) else 1
    sys.stderr.write(f"LSUN_TEST_DUREE={time.perf_counter() - debut:.4f}\n")
    return code


def _enfant(demande: dict[str, Any]) -> None:
    os.environ.clear()
    os.environ.update(demande["env"])
    with open(os.devnull, "rb") as rien, open(demande["sortie"], "wb") as sortie, \
            open(demande["erreur"], "wb") as erreur:
        os.dup2(rien.fileno(), 0)
        os.dup2(sortie.fileno(), 1)
        os.dup2(erreur.fileno(), 2)
    code = 1
    try:
        code = executer(demande["args"])
    finally:
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(code)


def fourche() -> None:
    """``--fourche``: Python and the product imported once, then one forked process per request (a JSON line
    on stdin: ``args``, ``env``, ``sortie``, ``erreur`` files), several at a time if asked. Answers ``pid N`` as
    soon as the process exists, and ``fin N CODE`` when it ends (CODE < 0: killed by that signal). One thread
    (no lock can be held across a fork). Saves the ~1 s of imports per run."""
    tampon = b""
    enfants: set[int] = set()
    ouvert = True
    while ouvert or enfants:
        if ouvert and select.select([0], [], [], 0.005)[0]:
            lu = os.read(0, 65536)
            ouvert = bool(lu)
            tampon += lu
            while b"\n" in tampon:
                ligne, tampon = tampon.split(b"\n", 1)
                pid = os.fork()
                if pid == 0:
                    _enfant(json.loads(ligne))
                enfants.add(pid)
                print(f"pid {pid}", flush=True)
        elif not ouvert:
            time.sleep(0.005)
        for pid in list(enfants):
            fini, statut = os.waitpid(pid, os.WNOHANG)
            if fini:
                enfants.discard(pid)
                print(f"fin {pid} {os.waitstatus_to_exitcode(statut)}", flush=True)


if __name__ == "__main__":
    if sys.argv[1:] == ["--fourche"]:
        fourche()
    else:
        sys.exit(executer(sys.argv[1:]))
