"""Following projections under load (PostgreSQL): the follower process (``lsun-events projections suivre``)
runs while several writer processes append — imports of hundreds of events in one transaction, single acquis,
conflicting changes of the same bilans (rolled back: gaps in the notification ids) — and a synchronisation that
catches the views up in its own process at the same time. The follower must see every committed event once, in
order (a witness view writes down what it is given), and the views must equal a rebuild. A view caught up by two
processes at once used to apply events twice (``test_deux_projecteurs_…``, fixed in ``projections/base.py``)."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from lsun_events import systeme as module_systeme
from lsun_events.projections.runner import Projecteur
from lsun_events.storage.config import Store
from lsun_events.systeme import Systeme
from tests.fiabilite import outils as o
from tests.fiabilite.temoin import Temoin, vus
from tests.projections.positions import cibles, positions

pytestmark = pytest.mark.postgres

PARTAGE = "0999000A"




def vues(s: Systeme) -> dict[str, list[dict[str, Any]]]:
    """Every row of the product's views, sorted."""
    tables: dict[str, list[dict[str, Any]]] = {}
    for nom, projecteur in s.projecteurs.items():
        if nom == Temoin.nom:
            continue
        with s.lire(nom) as c:
            for table in projecteur.modele.tables(c.dialecte):
                tables[table] = sorted(c.lignes(f"SELECT * FROM {table}"), key=repr)
    return tables


def lancer_charge(store: Store, dossier: Path, ecrivains: int, saisies: int) -> tuple[list[Any], dict[str, Any]]:
    """The writers and a synchronisation of the shared school, all at once; their results."""
    _, variante = o.ecole_et_variante("mini", uai=PARTAGE)
    exports = o.ecrire(variante, dossier / "novembre")
    processus = [subprocess.Popen(
        [sys.executable, "-m", "tests.fiabilite.ecrivain", store.url, f"09990{10 + i:02d}A", PARTAGE, str(saisies),
         str(i), str(dossier / f"ecrivain-{i}")], cwd=o.RACINE, env=o.env_cli(),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE, text=True) for i in range(ecrivains)]
    time.sleep(1.5)  # the writers are importing: the synchronisation runs among their acquis
    args = o.args_synchroniser(store, PARTAGE, exports)
    divisions = [x for d in variante.divisions[:2] for x in ("--division", d.code)]  # not the writers' one
    synchronisation = o.lancer(*(y for x in args for y in (divisions if x == "--toutes" else [x])))
    resultats = []
    for p in processus:
        sortie, erreur = p.communicate(timeout=180)
        assert p.returncode == 0, erreur
        resultats.append(json.loads(sortie))
    assert synchronisation.returncode == 0, synchronisation.stderr
    return resultats, json.loads(synchronisation.stdout)


def suivre_pendant_la_charge(store: Store, dossier: Path, monkeypatch: pytest.MonkeyPatch, ecrivains: int,
                             saisies: int) -> None:
    Projecteur(store, Temoin(), creer_tables=True).fermer()
    monkeypatch.setattr(module_systeme, "MODELES", (*module_systeme.MODELES, Temoin))
    ecole, _ = o.ecole_et_variante("mini", uai=PARTAGE)
    o.preparer(store, ecole, dossier / "partage")  # views caught up here, the witness not yet

    debut = time.monotonic()
    suiveur = subprocess.Popen(
        o.commande("projections", "suivre", "--store", store.url, "--attente", "0.2", tueur=True), cwd=o.RACINE,
        env=o.env_cli(LSUN_TEST_TEMOIN="1"), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        resultats, synchronisation = lancer_charge(store, dossier, ecrivains, saisies)
        charge = time.monotonic() - debut
        with Systeme(store) as s:
            fin = cibles(s)
            limite = time.monotonic() + 60
            while positions(s) != fin and time.monotonic() < limite and suiveur.poll() is None:
                time.sleep(0.05)
            retard = time.monotonic() - debut - charge
            assert positions(s) == fin, (positions(s), fin, suiveur.poll())
        suiveur.send_signal(signal.SIGTERM)
        _, erreur = suiveur.communicate(timeout=30)
        assert suiveur.returncode == 0, erreur
    finally:
        suiveur.kill()

    with Systeme(store) as s:
        notes = s.app.recorder.select_notifications(start=None, limit=1_000_000)
        with s.lire(Temoin.nom) as c:
            temoin = vus(c)
        # Every committed event, once, in the order of the log (the witness started at 0, after the import).
        assert temoin == [(n.id, str(n.originator_id), n.originator_version) for n in notes]
        trous = notes[-1].id - len(notes)
        suivies = vues(s)
        for nom, projecteur in s.projecteurs.items():
            if nom != Temoin.nom:
                projecteur.reconstruire(s.app)
        assert vues(s) == suivies
    conflits = sum(r["conflits"] for r in resultats)
    print(f"\nsuivi sous charge : {len(notes)} événements ({ecrivains} écrivains, {sum(r['ecrits'] for r in resultats)} "
          f"saisies, {conflits} conflits, {trous} numéros perdus par les transactions annulées ; synchronisation "
          f"{synchronisation['statut']}) en {charge:.1f} s ; suivi à jour {retard:.2f} s après la fin de la charge")


def test_suivi_des_projections_pendant_que_trois_processus_ecrivent(store_postgresql: Store, tmp_path: Path,
                                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    suivre_pendant_la_charge(store_postgresql, tmp_path, monkeypatch, ecrivains=3, saisies=120)


@pytest.mark.lourd
def test_suivi_des_projections_pendant_que_six_processus_ecrivent(store_postgresql: Store, tmp_path: Path,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    suivre_pendant_la_charge(store_postgresql, tmp_path, monkeypatch, ecrivains=6, saisies=1000)


@pytest.mark.parametrize("store", ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)], indirect=True)
def test_deux_projecteurs_concurrents_sur_la_meme_vue(store: Store, tmp_path: Path) -> None:
    """Deterministic: after the view ``courante`` has read a page and before it writes it, another projector (as
    the in-process catch-up of a command does) commits the first half of that page; the result must still equal
    a rebuild (the page is not applied twice: it is read again from the view's new position)."""
    from lsun_events.application.app import ouvrir_application  # noqa: PLC0415
    from lsun_events.application.synchronisation import DemandeSynchronisation  # noqa: PLC0415
    from lsun_events.projections.vue_courante import VueCourante  # noqa: PLC0415
    from lsun_events.sources.snapshot import charger_exports  # noqa: PLC0415

    ecole, variante = o.ecole_et_variante("mini")
    o.preparer(store, ecole, tmp_path / "rentree")
    exports = o.ecrire(variante, tmp_path / "novembre")
    app = ouvrir_application(store)  # the run written as by another process: the views here are behind it
    try:
        app.synchroniser(DemandeSynchronisation(uai=ecole.uai, acteur=o.CHEF, jour=o.JOUR),
                         charger_exports(exports.siecle_zip, exports.sts))
    finally:
        app.close()
    with Systeme(store) as s:
        suiveur, autre = s.projecteurs["courante"], Projecteur(store, VueCourante())
        appliquer = suiveur.vue.appliquer_page
        courses = []

        def appliquer_apres_l_autre(application: str, page: list[tuple[int, Any]], position: int,
                                    depuis: int | None = None) -> bool:
            if not courses:
                moitie = page[: len(page) // 2]
                courses.append(autre.vue.appliquer_page(application, moitie, moitie[-1][0], depuis=depuis))
            return appliquer(application, page, position, depuis=depuis)

        suiveur.vue.appliquer_page = appliquer_apres_l_autre  # type: ignore[method-assign]
        suiveur.rattraper(s.app)
        suiveur.vue.appliquer_page = appliquer  # type: ignore[method-assign]
        assert courses == [True]
        autre.fermer()
        suivies = vues(s)
        suiveur.reconstruire(s.app)
        assert vues(s) == suivies
