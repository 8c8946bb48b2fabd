"""SQL over SQLite or PostgreSQL with one small API: what differs between the two (``Dialecte``) and a cursor
whose rows come back as dicts (``Curseur``). Used by the views (``lsun_events.projections``) and by the
bookkeeping tables (``lsun_events.storage.registre``)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Dialecte:
    """What differs in SQL between SQLite and PostgreSQL for our tables."""

    nom: str  # "sqlite" | "postgresql"
    table: Callable[[str], str]  # qualified, quoted table name
    texte: str = "TEXT"
    entier: str = "INTEGER"
    grand_entier: str = "INTEGER"

    def sql(self, requete: str) -> str:
        """Our SQL is written with ``?`` placeholders."""
        return requete if self.nom == "sqlite" else requete.replace("?", "%s")


class Curseur:
    """The same small API over a SQLite or a psycopg cursor; rows come back as dicts."""

    def __init__(self, brut: Any, dialecte: Dialecte) -> None:
        self.brut = brut
        self.dialecte = dialecte

    def executer(self, requete: str, parametres: Sequence[Any] = ()) -> None:
        self.brut.execute(self.dialecte.sql(requete), tuple(parametres))

    def executer_plusieurs(self, requete: str, lignes: Sequence[Sequence[Any]]) -> None:
        if lignes:
            self.brut.executemany(self.dialecte.sql(requete), lignes)

    def lignes(self, requete: str, parametres: Sequence[Any] = ()) -> list[dict[str, Any]]:
        self.executer(requete, parametres)
        return [dict(x) for x in self.brut.fetchall()]
