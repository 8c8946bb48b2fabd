"""``lsun-events serveur`` as an administrator starts it: a real process on a free port of the loopback, the run
date pinned by ``LSUN_JOUR``, the exports folder by ``LSUN_DONNEES``; its output kept for a failure's report."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TextIO

import requests

from tests.web.conftest import Site, attendre_fin
from tests.web.navigateur import port_libre


@dataclass
class Serveur:
    base: str
    journal: TextIO

    def sortie(self) -> str:
        self.journal.seek(0)
        return self.journal.read()

    def attendre_tache(self, suivi: str, **kwargs: Any) -> dict[str, Any]:
        return attendre_fin(lambda: requests.get(self.base + suivi, timeout=10, **kwargs).json(), 60)


@contextmanager
def serveur_lance(site: Site, dossier: Path, nom: str = "serveur") -> Iterator[Serveur]:
    """The process, ready to answer, for the duration of the block; stopped (SIGTERM) at the end."""
    port = port_libre()
    env = {**os.environ, "LSUN_JOUR": "2025-11-17", "LSUN_DONNEES": str(site.donnees), "LSUN_SECRET": "x" * 32}
    journal = (dossier / f"{nom}.log").open("w+")
    proc = subprocess.Popen([sys.executable, "-m", "lsun_events.interfaces.cli", "serveur", "--store", site.store.url,
                             "--port", str(port)], env=env, stdout=journal, stderr=subprocess.STDOUT)
    serveur = Serveur(f"http://127.0.0.1:{port}", journal)
    try:
        limite = time.monotonic() + 30
        while True:
            try:
                assert requests.get(f"{serveur.base}/connexion", timeout=2).status_code == 200
                break
            except requests.ConnectionError:
                assert proc.poll() is None and time.monotonic() < limite, serveur.sortie()
                time.sleep(0.1)
        yield serveur
    finally:
        proc.terminate()
        proc.wait(20)
        journal.close()
