"""The demo command, as the README runs it: a fresh demo store, an import, a synchronisation, its report."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path


def test_demo_importe_synchronise_et_affiche_le_rapport(tmp_path: Path) -> None:
    for _ in range(2):  # re-runnable: the demo store is recreated
        proc = subprocess.run([sys.executable, "-m", "lsun_events.interfaces.cli", "demo", "--sans-serveur"], cwd=tmp_path,
                              capture_output=True, text=True, timeout=300, check=False)
        assert proc.returncode == 0, proc.stderr
    lignes = proc.stdout.splitlines()
    assert lignes[0] == "Démo : établissement 0999001X importé depuis les exports SIECLE/STS générés dans lsun-data/demo-exports"
    assert "Division 6A" in lignes
    assert any(ligne.startswith("  [info] Les enseignants ") and "ont été ajoutés à l'acquis Mathématiques." in ligne
               for ligne in lignes)
    assert any("Le professeur principal" in ligne for ligne in lignes)
    assert (tmp_path / "lsun-data" / "demo.sqlite").exists()
    assert (tmp_path / "lsun-data" / "demo.rapports.sqlite").exists()
