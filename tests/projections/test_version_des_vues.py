"""A view's schema version (``Modele.version``): a view stored under another version — or from before versions
existed — is dropped and rebuilt from the events when opened, on SQLite and PostgreSQL; an académie upgrading has
nothing to do, and never meets a missing column."""

from __future__ import annotations

import logging
from datetime import date

import pytest

from lsun_events.aggregates.valeurs import Periode
from lsun_events.projections import requetes_vue
from lsun_events.projections.vue_courante import ANCIENNES_TABLES, VERSION
from lsun_events.storage.config import Store
from lsun_events.systeme import Systeme
from tests import fabriques as f
from tests.projections.scenario import vider_tables

CHEF = "Mme Principale (chef)"
T1 = Periode("T1", date(2025, 9, 1), date(2025, 11, 30))


def _remplir(s: Systeme) -> None:
    s.app.importer(f.snapshot(), CHEF, f.JOUR)
    s.app.parametrer_periodes(f.UAI, "4A", [T1], CHEF)
    s.app.ouvrir_bilans(f.UAI, "4A", "T1", CHEF)
    s.app.saisir_acquis(f.UAI, "1001", "T1", "061300", CHEF, positionnement=3)


def _version(s: Systeme, nom: str) -> int:
    with s.lire(nom) as c:
        return int(c.lignes(f"SELECT version FROM {c.dialecte.table(f'{nom}_version')}")[0]["version"])


def test_une_vue_neuve_prend_la_version_du_code(store: Store) -> None:
    with Systeme(store) as s:
        assert all(p.reconstruite is None for p in s.projecteurs.values())
        assert _version(s, "courante") == VERSION
        assert _version(s, "rapports") == s.projecteurs["rapports"].modele.version


@pytest.mark.parametrize("sans_table_de_version", [False, True])
def test_une_vue_d_une_autre_version_est_reconstruite(store: Store, sans_table_de_version: bool,
                                                      caplog: pytest.LogCaptureFixture) -> None:
    with Systeme(store) as s:
        _remplir(s)
        avant = vider_tables(s)
        # The view as version 1 left it: its version (or no version table at all), a table it had.
        with s.projecteurs["courante"].vue.transaction(ecrire=True) as c:
            table = c.dialecte.table("courante_version")
            c.executer(f"DROP TABLE {table}" if sans_table_de_version else f"UPDATE {table} SET version = 1")
            c.executer(f"CREATE TABLE {c.dialecte.table(ANCIENNES_TABLES[0])} (agregat TEXT, code TEXT)")
    with caplog.at_level(logging.WARNING, logger="lsun_events.projections"), Systeme(store) as s:
        raison = s.projecteurs["courante"].reconstruite
        assert raison is not None and "version 1" in raison and f"version {VERSION}" in raison
        assert raison in caplog.text
        assert s.projecteurs["audit"].reconstruite is None  # version 1 of the audit is this code's: kept
        # Rebuilt as the process opens it (embedded mode): the pages never show it empty.
        assert s.projecteurs["courante"].position(s.app) == s.app.recorder.max_notification_id()
        assert vider_tables(s) == avant
        assert _version(s, "courante") == VERSION
        with s.lire("courante") as c:
            assert [d["code"] for d in requetes_vue.divisions(c, f.UAI)] == ["3B", "4A", "4B"]
            assert not c.lignes(f"SELECT * FROM {c.dialecte.table('courante_version')} WHERE version <> ?", (VERSION,))
    with Systeme(store) as s:  # opened again: nothing to do
        assert all(p.reconstruite is None for p in s.projecteurs.values())


def test_l_audit_prend_l_ancienne_valeur_dans_l_evenement_sans_reecrire_son_miroir(store: Store) -> None:
    """A new event carries the value before it (``avant``): the audit log shows it without reading nor rewriting
    the bilan's mirror (``audit_etats``), written once when the bilan was opened."""
    with Systeme(store) as s:
        _remplir(s)
        bilan = s.app.bilan(f.UAI, "1001", "T1")
        with s.lire("audit") as c:
            [miroir] = c.lignes(f"SELECT donnees FROM {c.dialecte.table('audit_etats')} WHERE agregat = ?",
                                (str(bilan.id),))
        s.app.saisir_acquis(f.UAI, "1001", "T1", "061300", CHEF, positionnement=4, appreciation="Très bien.")
        s.app.verrouiller(f.UAI, "4A", "T1", CHEF, "1001")
        with s.lire("audit") as c:
            assert c.lignes(f"SELECT donnees FROM {c.dialecte.table('audit_etats')} WHERE agregat = ?",
                            (str(bilan.id),)) == [miroir]
            lignes = c.lignes(f"SELECT evenement, champ, ancien, nouveau FROM {c.dialecte.table('audit_journal')} "
                              "WHERE agregat = ? AND version > 2 ORDER BY position, rang", (str(bilan.id),))
        assert [tuple(x.values()) for x in lignes] == [
            ("AcquisSaisi", "acquis 061300 : positionnement", "3", "4"),
            ("AcquisSaisi", "acquis 061300 : appreciation", None, '"Très bien."'),
            ("BilanVerrouille", "etat", '"en cours de saisie"', '"verrouillé"')]
