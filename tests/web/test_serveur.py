"""``lsun-events serveur`` as an administrator starts it: a real process on a free port of the loopback, the run
date pinned by ``LSUN_JOUR``, the exports folder by ``LSUN_DONNEES``; its output goes into a failure's report."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import requests

from lsun_events.config import Store
from tests.web.conftest import UAI, construire
from tests.web.navigateur import port_libre


def test_la_commande_serveur_sert_la_page_et_l_api(tmp_path: Path) -> None:
    site = construire(Store.depuis_url(f"sqlite:///{tmp_path / 'lsun.sqlite'}"), tmp_path)
    port = port_libre()
    env = {**os.environ, "LSUN_JOUR": "2025-11-17", "LSUN_DONNEES": str(site.donnees), "LSUN_SECRET": "x" * 32}
    journal = (tmp_path / "serveur.log").open("w+")
    proc = subprocess.Popen([sys.executable, "-m", "lsun_events.interfaces.cli", "serveur", "--store", site.store.url,
                             "--port", str(port)], env=env, stdout=journal, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        limite = time.monotonic() + 30
        while True:
            try:
                assert requests.get(f"{base}/connexion", timeout=2).status_code == 200
                break
            except requests.ConnectionError:
                assert proc.poll() is None and time.monotonic() < limite, journal.read()
                time.sleep(0.1)
        chef = site.entete("principale")
        lance = requests.post(f"{base}/api/etablissements/{UAI}/synchronisations", json={"divisions": ["4B"]},
                              headers=chef, timeout=10)
        assert lance.status_code == 202, lance.text
        while (tache := requests.get(base + lance.json()["suivi"], headers=chef, timeout=10).json())["etat"] not in (
                "terminee", "echouee"):
            time.sleep(0.05)
        assert tache["etat"] == "terminee", tache
        [run] = requests.get(f"{base}/api/etablissements/{UAI}/synchronisations", headers=chef,
                             timeout=10).json()["synchronisations"]
        assert (run["jour"], run["acteur"]) == ("2025-11-17", "Mme Dupont (chef)")
    finally:
        proc.terminate()
        proc.wait(20)
        journal.seek(0)
        sortie = journal.read()
        journal.close()
    assert f"Page web et API : http://127.0.0.1:{port}/" in sortie, sortie
