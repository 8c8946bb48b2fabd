"""Rebuilding from zero: ``lsun-events projections reconstruire`` gives back exactly the tables the views had
built command after command — and so does a rebuild in pages of any size."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from lsun_events.interfaces.cli import main
from lsun_events.projections.runner import reconstruire
from lsun_events.storage.config import Store
from lsun_events.systeme import Systeme, groupes_de_vues, migrer
from tests.projections import scenario as sc


def test_reconstruire_redonne_les_memes_tables(capsys: pytest.CaptureFixture[str], store: Store,
                                               tmp_path: Path) -> None:
    sc.construire(store, tmp_path)
    with Systeme(store) as s:
        avant = sc.vider_tables(s)
        evenements = s.app.recorder.max_notification_id()
    assert len(avant["audit_journal"]) > 500
    assert len(avant["courante_bilans_pp"]) > 30

    code = main(["projections", "reconstruire", "--store", store.url, "--json"])
    sortie = capsys.readouterr()
    assert code == 0, sortie.err
    relus = json.loads(sortie.out)["projections"]
    assert relus["audit"] == evenements  # the audit reads every event
    assert 0 < relus["rapports"] < relus["courante"] < evenements  # the others, only their topics
    assert f"Reconstruction : {evenements} / {evenements} événements relus (rapports {relus['rapports']}, " \
           f"courante {relus['courante']}, audit {evenements})" in sortie.err

    with Systeme(store) as s:
        assert sc.vider_tables(s) == avant
        # Pages of 7 events instead of 1000: the same rows (nothing depends on where a page begins), whether
        # the views are rebuilt one by one or together (each page read once for all).
        for projecteur in s.projecteurs.values():
            projecteur.reconstruire(s.app, taille_page=7)
        assert sc.vider_tables(s) == avant
        reconstruire(list(s.projecteurs.values()), s.app, taille_page=7)
        assert sc.vider_tables(s) == avant


def test_reconstruire_deux_fois(store: Store, tmp_path: Path) -> None:
    """The library's "__migration__" tracking row survives a rebuild: the tables are created again without
    being taken for old ones (which the library would rename: old1_tracking, bkup1_…)."""
    sc.construire(store, tmp_path)
    with Systeme(store) as s:
        avant = sc.vider_tables(s)
    for _ in range(2):
        assert main(["projections", "reconstruire", "--store", store.url]) == 0
        if store.kind == "postgresql":
            migrer(store)
        with Systeme(store) as s:
            assert sc.vider_tables(s) == avant


def test_reconstruire_en_plusieurs_processus(capfd: pytest.CaptureFixture[str], store: Store,
                                             tmp_path: Path) -> None:
    """``--processus 2``: audit in one process, courante and rapports in another (each reading the store once),
    at the same time; the same tables as built command after command."""
    assert groupes_de_vues(1) == [["courante", "audit", "rapports"]]
    assert groupes_de_vues(2) == [["courante", "rapports"], ["audit"]]
    assert groupes_de_vues(3) == [["courante"], ["audit"], ["rapports"]]
    sc.construire(store, tmp_path)
    with Systeme(store) as s:
        avant = sc.vider_tables(s)
        evenements = s.app.recorder.max_notification_id()
        s.projecteurs["audit"].vue.vider()  # a view damaged or behind: the rebuild does not depend on it

    code = main(["projections", "reconstruire", "--processus", "2", "--store", store.url, "--json"])
    sortie = capfd.readouterr()
    assert code == 0, sortie.err
    relus = json.loads(sortie.out)["projections"]
    assert list(relus) == ["rapports", "courante", "audit"]
    assert relus["audit"] == evenements
    assert f"Reconstruction : {evenements} / {evenements} événements relus (audit {evenements})" in sortie.err
    assert f"/ {evenements} événements relus (courante {relus['courante']}, rapports {relus['rapports']})" \
        in sortie.err
    with Systeme(store) as s:
        assert sc.vider_tables(s) == avant
