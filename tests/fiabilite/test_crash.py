"""Crash anywhere: ``lsun-events synchroniser`` on a "petit collège" (200 pupils, 8 divisions), killed with
SIGKILL at points spread over the run, leaves the store with all of the run or none of it; rerunning then
gives the state a single clean run gives (entity events, every view, the messages).

Points: six named ones (``tueur.py``: before the save, inside the insert transaction, after the commit,
inside each view's transaction) and timed ones, stratified at random over the measured duration of the
command (from the end of Python's imports to the exit). Default: 20 points per store; ``lourd``: 66.
Each run is a process forked from one that has already imported everything (``tueur.py --fourche``)."""

from __future__ import annotations

import contextlib
import os
import random
import signal
import statistics
import time
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import pytest

from lsun_events.generateur.ecriture import Exports
from lsun_events.generateur.modele import Ecole
from lsun_events.storage.config import Store
from tests.conftest import exiger_postgres
from tests.fiabilite import outils as o

POINTS_NOMMES = ("save-avant", "insertion", "save-apres", "vue:1", "vue:2", "vue:3")


@dataclass
class Preparation:
    base: Store
    ecole: Ecole
    exports: Exports  # the changed exports the run reads
    depart: int  # position of the prepared store
    reference: o.Etat  # after one clean run
    duree: float  # of a clean run, from the end of the imports to the exit
    fourche: o.Fourche


@pytest.fixture(scope="module")
def college(tmp_path_factory: pytest.TempPathFactory) -> tuple[Ecole, Exports, Path]:
    dossier = tmp_path_factory.mktemp("college")
    ecole, variante = o.ecole_et_variante("petit")
    return ecole, o.ecrire(variante, dossier / "novembre"), dossier


@pytest.fixture(scope="module", params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def preparation(request: pytest.FixtureRequest, college: tuple[Ecole, Exports, Path]) -> Iterator[Preparation]:
    ecole, exports, dossier = college
    dossier = dossier / request.param
    with o.stores_temporaires() as stores, o.fourche(dossier) as fourche:
        if request.param == "postgresql":
            exiger_postgres()
            base = o.store_postgres_neuf()
            stores.append(base)
        else:
            base = Store.depuis_url(f"sqlite:///{dossier / 'base' / 'lsun.sqlite'}")
        o.preparer(base, ecole, dossier / "rentree")
        depart = o.position(base)
        durees = []
        for i in range(3):  # each on its own copy; the duration is the median (the first one is cold)
            propre = o.copier(base, dossier / f"propre-{i}")
            stores.append(propre)
            fait = fourche.lancer(*o.args_synchroniser(propre, ecole.uai, exports))
            assert fait.code == 0, fait.erreur
            durees.append(fait.duree)
        reference = o.etat(propre, depart)
        assert len(reference.runs) == 1
        assert reference.evenements, "the run must change something"
        yield Preparation(base, ecole, exports, depart, reference, statistics.median(durees), fourche)


def points(nombre: int, duree: float, graine: int) -> list[str | float]:
    """The named points, then timed ones stratified at random over the run's duration."""
    rng = random.Random(graine)
    minutes = nombre - len(POINTS_NOMMES)
    return [*POINTS_NOMMES, *((i + rng.random()) * duree / minutes for i in range(minutes))]


def tuer(store: Store, prep: Preparation, point: str | float) -> int:
    """Run the synchronisation and kill it at ``point``; its exit code (-9 when killed)."""
    args = o.args_synchroniser(store, prep.ecole.uai, prep.exports)
    if isinstance(point, str):
        return prep.fourche.lancer(*args, LSUN_TEST_TUER_AU=point).code
    pid = prep.fourche.demarrer(*args)
    time.sleep(point)
    with contextlib.suppress(ProcessLookupError):  # already finished
        os.kill(pid, signal.SIGKILL)
    return prep.fourche.attendre().code


def verifier_point(prep: Preparation, point: str | float, store: Store) -> str:
    """One crash, the all-or-nothing check, the rerun and the final comparison; what the crash left."""
    code = tuer(store, prep, point)
    assert code in (0, -signal.SIGKILL), f"point {point}: exit code {code}"
    assert code == -signal.SIGKILL or not isinstance(point, str), f"point {point}: never reached"

    evenements, du_run = o.evenements_depuis(store, prep.depart)
    if evenements or du_run:  # all of it
        assert evenements == prep.reference.evenements, f"point {point}: a part of the run was saved"
        assert du_run == prep.reference.evenements_run, f"point {point}: the run's own events differ"
        laisse = "tout"
    else:
        laisse = "rien"

    fait = prep.fourche.lancer(*o.args_synchroniser(store, prep.ecole.uai, prep.exports))
    assert fait.code == 0, f"point {point}: rerun failed: {fait.erreur}"

    final = o.etat(store, prep.depart)
    assert final.evenements == prep.reference.evenements, f"point {point}: entity events differ"
    assert final.vues == prep.reference.vues, f"point {point}: views differ"
    [attendu] = prep.reference.runs
    assert [r.statut for r in final.runs] == ["terminee"] * (2 if laisse == "tout" else 1)
    premier, *suivants = final.runs
    assert premier.messages == premier.regeneres == attendu.messages, f"point {point}: messages differ"
    for run in suivants:  # a rerun on the same source: the run's warnings only
        assert run.messages == run.regeneres == o.sans_infos(attendu.messages)
    return f"{laisse}{'' if code else ' (fini avant)'}"


def executer(prep: Preparation, tmp_path: Path, nombre: int, graine: int) -> Counter[str]:
    """Every point on its own copy of the prepared store; the next copy is made while a point runs."""
    issues: Counter[str] = Counter()
    debut = time.perf_counter()
    with ThreadPoolExecutor(1) as copieur:
        copies = [copieur.submit(o.copier, prep.base, tmp_path / f"p{i}") for i in range(nombre)]
        try:
            for point, copie in zip(points(nombre, prep.duree, graine), copies, strict=True):
                store = copie.result()
                try:
                    issues[verifier_point(prep, point, store)] += 1
                finally:
                    o.supprimer(store)
        finally:
            for copie in copies:
                if copie.cancel() or copie.exception() is not None:
                    continue
                o.supprimer(copie.result())
    print(f"\n{prep.base.kind} : {nombre} points sur {prep.duree:.3f} s de synchronisation "
          f"({len(prep.reference.evenements)} événements d'entités) : {dict(issues)} "
          f"en {time.perf_counter() - debut:.1f} s")
    return issues


def test_synchronisation_tuee_a_20_points_tout_ou_rien_puis_reprise(preparation: Preparation,
                                                                     tmp_path: Path) -> None:
    issues = executer(preparation, tmp_path, 20, graine=20)
    assert issues["tout"] >= 1 and issues["rien"] >= 1  # both outcomes were exercised


@pytest.mark.lourd
def test_synchronisation_tuee_a_66_points(preparation: Preparation, tmp_path: Path) -> None:
    issues = executer(preparation, tmp_path, 66, graine=int(time.time()))
    assert issues["tout"] >= 1 and issues["rien"] >= 1
