"""``lsun-events serveur`` as an administrator starts it (``tests.web.processus``)."""

from __future__ import annotations

from pathlib import Path

import requests

from lsun_events.storage.config import Store
from tests.web.conftest import UAI, construire
from tests.web.processus import serveur_lance


def test_la_commande_serveur_sert_la_page_et_l_api(tmp_path: Path) -> None:
    site = construire(Store.depuis_url(f"sqlite:///{tmp_path / 'lsun.sqlite'}"), tmp_path)
    with serveur_lance(site, tmp_path) as serveur:
        base = serveur.base
        chef = site.entete("principale")
        lance = requests.post(f"{base}/api/etablissements/{UAI}/synchronisations", json={"divisions": ["4B"]},
                              headers=chef, timeout=10)
        assert lance.status_code == 202, lance.text
        tache = serveur.attendre_tache(lance.json()["suivi"], headers=chef)
        assert tache["etat"] == "terminee", tache
        [run] = requests.get(f"{base}/api/etablissements/{UAI}/synchronisations", headers=chef,
                             timeout=10).json()["synchronisations"]
        assert (run["jour"], run["acteur"]) == ("2025-11-17", "Mme Dupont (chef)")
        port = base.rsplit(":", 1)[1]
    sortie = (tmp_path / "serveur.log").read_text()
    assert f"Page web et API : http://127.0.0.1:{port}/" in sortie, sortie
