"""The audit log's indexes: the teacher and run indexes are partial (most rows name neither), the full ones of
earlier versions are dropped when the tables are created again (SQLite: on opening; PostgreSQL: ``migrer``),
and the queries by teacher and by run still use an index."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from lsun_events.projections.stockage import fichier_de_vue
from lsun_events.storage.config import Store
from lsun_events.systeme import Systeme


def test_index_partiels_et_anciens_index_supprimes(tmp_path: Path) -> None:
    store = Store.depuis_url(f"sqlite:///{tmp_path / 'lsun.sqlite'}")
    Systeme(store).fermer()
    fichier = fichier_de_vue(store, "audit")
    with sqlite3.connect(fichier) as c:  # as an earlier version left them
        c.execute("CREATE INDEX audit_journal_enseignant ON audit_journal (uai, enseignant, position)")
        c.execute("CREATE INDEX audit_journal_synchronisation ON audit_journal (synchronisation, position)")
    Systeme(store).fermer()
    with sqlite3.connect(fichier) as c:
        index = dict(c.execute("SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL "
                               "AND tbl_name = 'audit_journal'").fetchall())
        assert set(index) == {"audit_journal_eleve", "audit_journal_acteur", "audit_journal_enseignant_partiel",
                              "audit_journal_synchronisation_partiel"}
        assert index["audit_journal_enseignant_partiel"].endswith("WHERE enseignant IS NOT NULL")
        plans = [" ".join(str(x[-1]) for x in c.execute(f"EXPLAIN QUERY PLAN SELECT * FROM audit_journal WHERE {w}"))
                 for w in ("uai = 'X' AND enseignant = 'epp:1'", "synchronisation = 'r'")]
        assert "audit_journal_enseignant_partiel" in plans[0]
        assert "audit_journal_synchronisation_partiel" in plans[1]
