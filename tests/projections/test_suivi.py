"""``lsun-events projections suivre`` (PostgreSQL, one process following the store): killed with SIGKILL in the
middle of a backlog, then restarted, it leaves every table exactly as a clean rebuild would; it wakes up on
new events; SIGTERM stops it cleanly. On SQLite it explains why it is not needed."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path

import pytest

from lsun_events.aggregates.valeurs import Periode
from lsun_events.application.app import LsunApp, ouvrir_application
from lsun_events.application.synchronisation import DemandeSynchronisation
from lsun_events.generateur import ecrire_exports, generer
from lsun_events.generateur import variantes as v
from lsun_events.generateur.modele import Ecole
from lsun_events.interfaces.cli import main
from lsun_events.sources.records import SourceSnapshot
from lsun_events.sources.snapshot import charger_exports
from lsun_events.storage.config import Store
from lsun_events.systeme import Systeme
from tests.projections import scenario as sc
from tests.projections.positions import cibles, positions

LSUN_EVENTS = Path(sys.executable).with_name("lsun-events")
JOUR = date(2025, 10, 6)
T1 = Periode("T1", date(2025, 9, 1), date(2025, 11, 30))
T2 = Periode("T2", date(2025, 12, 1), date(2026, 3, 1))


def lire(ecole: Ecole, dossier: Path) -> SourceSnapshot:
    exports = ecrire_exports(ecole, dossier, zip_siecle=False)
    return charger_exports(exports.siecle_dossier, exports.sts)


def synchroniser(app: LsunApp, source: SourceSnapshot) -> None:
    app.synchroniser(DemandeSynchronisation(uai=source.uai, acteur="Mme Principale", jour=JOUR), source)


def arriere(store: Store, dossier: Path, ecole: Ecole, synchronisations: int) -> int:
    """A backlog written without any projection: a "petit" collège, its bilans, then runs of modified exports
    (half the pupils renamed, teachers renamed or replaced). Returns the last notification id."""
    app = ouvrir_application(store)
    source = lire(ecole, dossier / "import")
    app.importer(source, "Import initial", JOUR)
    for division in source.divisions:
        app.parametrer_periodes(source.uai, division.code, [T1, T2], "Mme Principale")
        app.ouvrir_bilans(source.uai, division.code, "T1", "Mme Principale")
        app.ouvrir_bilans(source.uai, division.code, "T2", "Mme Principale")
        app.verrouiller(source.uai, division.code, "T1", "Mme Principale")
    for i in range(synchronisations):
        synchroniser(app, lire(v.modifier(ecole, part_eleves_renommes=0.5, graine=i), dossier / f"v{i}"))
    dernier = app.recorder.max_notification_id() or 0
    app.close()
    return dernier




def attendre(condition: Callable[[], bool], delai: float, pas: float = 0.01) -> bool:
    fin = time.monotonic() + delai
    while time.monotonic() < fin:
        if condition():
            return True
        time.sleep(pas)
    return condition()


def suivre(store: Store) -> subprocess.Popen[str]:
    return subprocess.Popen([str(LSUN_EVENTS), "projections", "suivre", "--store", store.url, "--attente", "0.2"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


@pytest.mark.postgres
def test_tue_au_milieu_puis_relance_comme_une_reconstruction(store_postgresql: Store, tmp_path: Path) -> None:
    store = store_postgresql
    ecole = generer("petit")
    arriere(store, tmp_path, ecole, synchronisations=8)
    with Systeme(store) as s:
        fin = cibles(s)
        assert positions(s) == dict.fromkeys(s.projecteurs, 0)

        # Killed while the backlog is being processed: some view is part way through.
        processus = suivre(store)
        try:
            assert attendre(lambda: any(0 < p < fin[n] for n, p in positions(s).items()), 60), \
                processus.stderr.read() if processus.poll() is not None else "pas de progression"
            processus.send_signal(signal.SIGKILL)
            processus.wait(10)
        finally:
            processus.kill()
        interrompu = positions(s)
        assert interrompu != fin
        assert any(0 < p < fin[n] for n, p in interrompu.items()), interrompu

        # Restarted: it goes on from each view's position and catches up.
        processus = suivre(store)
        try:
            assert attendre(lambda: positions(s) == fin, 120), positions(s)
            # Following: a new run is picked up without restarting.
            synchroniser(s.app, lire(v.modifier(ecole, part_eleves_renommes=0.2, graine=99), tmp_path / "v99"))
            fin = cibles(s)
            assert attendre(lambda: positions(s) == fin, 30), positions(s)
            processus.send_signal(signal.SIGTERM)
            sortie, erreurs = processus.communicate(timeout=30)
        finally:
            processus.kill()
        assert processus.returncode == 0, erreurs
        assert "Suivi arrêté : projection audit à la position " in sortie
        assert "Suivi des projections rapports, courante, audit" in erreurs

        suivies = sc.vider_tables(s)
        for projecteur in s.projecteurs.values():
            projecteur.reconstruire(s.app)
        assert sc.vider_tables(s) == suivies
        assert len(suivies["audit_journal"]) > 8_000


@pytest.mark.postgres
def test_une_seule_projection_et_sigint(store_postgresql: Store, tmp_path: Path,
                                        monkeypatch: pytest.MonkeyPatch) -> None:
    store = store_postgresql
    monkeypatch.setenv("LSUN_PROJECTIONS", "processus")  # the commands leave the views to their processes
    sc.construire(store, tmp_path, rattraper=False)
    processus = subprocess.Popen([str(LSUN_EVENTS), "projections", "suivre", "--projection", "audit", "--json",
                                  "--store", store.url], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    with Systeme(store) as s:
        fin = cibles(s)
        try:
            assert attendre(lambda: positions(s)["audit"] == fin["audit"], 30)
            processus.send_signal(signal.SIGINT)
            sortie, erreurs = processus.communicate(timeout=30)
        finally:
            processus.kill()
        assert processus.returncode == 0, erreurs
        assert positions(s) == {"rapports": 0, "courante": 0, "audit": fin["audit"]}
    assert '"statut": "arrete"' in sortie


def test_sur_sqlite_les_vues_sont_tenues_dans_le_processus(capsys: pytest.CaptureFixture[str],
                                                           tmp_path: Path) -> None:
    code = main(["projections", "suivre", "--store", f"sqlite:///{tmp_path / 'lsun.sqlite'}"])
    assert code == 1
    erreur = capsys.readouterr().err
    assert erreur.startswith("Erreur : Le stockage SQLite (embarqué) n'a pas de processus de projection : ses vues "
                             "sont mises à jour dans le processus, après chaque commande.")


def test_projection_inconnue(tmp_path: Path) -> None:
    proc = subprocess.run([str(LSUN_EVENTS), "projections", "suivre", "--projection", "inconnue", "--store",
                           f"sqlite:///{tmp_path / 'x.sqlite'}"], capture_output=True, text=True, timeout=60,
                          check=False, env={**os.environ})
    assert proc.returncode == 2
    assert "choix invalide : 'inconnue'" in proc.stderr
