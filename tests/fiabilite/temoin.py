"""A test-only view that writes down every event it is given, in the order given: position, aggregate,
version. With the view's own exactly-once tracking, its rows say whether a follower saw every event of the
store once, in order (``test_projections_sous_charge``)."""

from __future__ import annotations

from typing import Any

from lsun_events.projections.base import Curseur, Dialecte, Modele


class Temoin(Modele):
    nom = "temoin"

    def tables(self, d: Dialecte) -> list[str]:
        return [d.table("temoin_vus")]

    def creations(self, d: Dialecte) -> list[str]:
        ordre = "BIGSERIAL" if d.nom == "postgresql" else "INTEGER PRIMARY KEY AUTOINCREMENT"
        return [f"CREATE TABLE IF NOT EXISTS {self.tables(d)[0]} (ordre {ordre}, position {d.grand_entier}, "
                f"agregat {d.texte}, version {d.entier})"]

    def traiter(self, c: Curseur, page: list[tuple[int, Any]]) -> None:
        c.executer_plusieurs(f"INSERT INTO {self.tables(c.dialecte)[0]} (position, agregat, version) VALUES (?,?,?)",
                             [(p, str(e.originator_id), e.originator_version) for p, e in page])


def vus(c: Curseur) -> list[tuple[int, str, int]]:
    """What the view saw, in the order it saw it."""
    return [(x["position"], x["agregat"], x["version"])
            for x in c.lignes(f"SELECT position, agregat, version FROM {Temoin().tables(c.dialecte)[0]} ORDER BY ordre")]
