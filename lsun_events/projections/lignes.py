"""Tables of a view keyed by aggregate, and the unit of work of one page of events.

Every table's first column is ``agregat`` (the aggregate's id): a *parent* table has one row per aggregate,
a *child* table several, in ``rang`` order. A page loads, in a few queries, the rows of the aggregates its
events touch, applies the events to them in memory, in order, then rewrites the rows it changed (a delete
and a bulk insert per table). The result depends only on the events, never on where the pages begin."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from lsun_events.projections.base import Curseur, Dialecte

TAILLE_LOT = 500  # ids per ``IN (…)``
RANGS = 10_000  # rows one event may create in one table of one aggregate


@dataclass(frozen=True)
class Table:
    nom: str  # full name, prefixed by the view's name
    colonnes: tuple[str, ...]  # after ``agregat`` (and ``rang``); a name ending in ``#`` is an integer
    parent: bool = False
    index: tuple[tuple[str, ...], ...] = ()

    @property
    def _colonnes(self) -> tuple[str, ...]:
        return ("agregat", *(() if self.parent else ("rang#",)), *self.colonnes)

    @cached_property
    def noms(self) -> tuple[str, ...]:  # read for every row written: computed once
        return tuple(c.rstrip("#") for c in self._colonnes)

    def creations(self, d: Dialecte) -> list[str]:
        types = [f"{c.rstrip('#')} {d.grand_entier if c.endswith('#') else d.texte}" for c in self._colonnes]
        cle = ", PRIMARY KEY (agregat)" if self.parent else ""
        instructions = [f"CREATE TABLE IF NOT EXISTS {d.table(self.nom)} ({', '.join(types)}{cle})"]
        index = self.index if self.parent else (("agregat",), *self.index)
        for colonnes in index:
            nom_index = f"{self.nom}_{'_'.join(colonnes)}"
            instructions.append(
                f"CREATE INDEX IF NOT EXISTS {nom_index} ON {d.table(self.nom)} ({', '.join(colonnes)})")
        return instructions

    def ordre(self) -> str:
        return "agregat" if self.parent else "agregat, rang"


def par_lots(valeurs: Iterable[str], taille: int = TAILLE_LOT) -> Iterator[list[str]]:
    lot: list[str] = []
    for v in valeurs:
        lot.append(v)
        if len(lot) == taille:
            yield lot
            lot = []
    if lot:
        yield lot


def parmi(c: Curseur, colonne: str, valeurs: list[str]) -> Iterator[tuple[str, list[Any]]]:
    """``colonne`` among ``valeurs``: one array parameter on PostgreSQL, ``IN (?, …)`` lots on SQLite."""
    if c.dialecte.nom == "postgresql":
        yield f"{colonne} = ANY(?)", [valeurs]
        return
    for lot in par_lots(valeurs):
        yield f"{colonne} IN ({', '.join('?' * len(lot))})", lot


def inserer(c: Curseur, table: str, colonnes: tuple[str, ...], lignes: list[tuple[Any, ...]]) -> None:
    """Many rows at once: ``COPY`` on PostgreSQL (several times faster than a batch of INSERTs), a batch of
    INSERTs on SQLite. In the page's transaction either way."""
    if not lignes:
        return
    nom_sql = c.dialecte.table(table)
    if c.dialecte.nom == "postgresql":
        with c.brut.copy(f"COPY {nom_sql} ({', '.join(colonnes)}) FROM STDIN") as copie:
            for ligne in lignes:
                copie.write_row(ligne)
        return
    c.executer_plusieurs(f"INSERT INTO {nom_sql} ({', '.join(colonnes)}) VALUES ({', '.join('?' * len(colonnes))})",
                         lignes)


@dataclass
class Page:
    """The rows of the aggregates touched by one page: loaded once, changed in memory, written once.

    A child row's ``rang`` (its order) comes from the event that created it — ``position * RANGS + i`` — and never
    changes, so the tables are the same whatever the pages' boundaries. Rows only added (a teacher added to an
    acquis) are inserted without reading nor rewriting the others."""

    c: Curseur
    tables: dict[str, Table]
    position: int = 0  # of the event being applied
    _lignes: dict[tuple[str, str], list[dict[str, Any]]] = field(default_factory=dict)
    _modifiees: set[tuple[str, str]] = field(default_factory=set)
    _nouveaux: set[str] = field(default_factory=set)  # created in this page: no row to delete
    _ajouts: dict[tuple[str, str], list[dict[str, Any]]] = field(default_factory=dict)

    def charger(self, besoins: dict[str, set[str]]) -> None:
        """Read the rows of ``{table: aggregate ids}`` not read yet."""
        for nom, ids in besoins.items():
            table = self.tables[nom]
            manquants = sorted(i for i in ids if (nom, i) not in self._lignes)
            for i in manquants:
                self._lignes[(nom, i)] = []
            if not manquants:
                continue
            for condition, parametres in parmi(self.c, "agregat", manquants):
                lignes = self.c.lignes(f"SELECT * FROM {self.c.dialecte.table(table.nom)} WHERE {condition} "
                                       f"ORDER BY {table.ordre()}", parametres)
                for ligne in lignes:
                    self._lignes[(nom, ligne["agregat"])].append(ligne)

    def creer(self, agregat: str, *tables: str) -> None:
        """A new aggregate: its rows start empty (nothing to read, nothing to delete)."""
        self._nouveaux.add(agregat)
        for nom in tables:
            self._lignes[(nom, agregat)] = []

    def lignes(self, table: str, agregat: str) -> list[dict[str, Any]]:
        """The rows read, to change in place (the table is rewritten for this aggregate)."""
        if (table, agregat) not in self._lignes:
            raise KeyError(f"{table} : lignes de {agregat} non lues (table à déclarer pour cet événement)")
        self._modifiees.add((table, agregat))
        return self._lignes[(table, agregat)]

    def ligne(self, table: str, agregat: str) -> dict[str, Any] | None:
        """The parent row, to change in place; None if the aggregate is unknown to the view."""
        lignes = self.lignes(table, agregat)
        return lignes[0] if lignes else None

    def lire(self, table: str, agregat: str) -> list[dict[str, Any]]:
        """The rows read, read only."""
        return self._lignes.get((table, agregat), [])

    def _numeroter(self, table: str, lignes: list[dict[str, Any]]) -> list[dict[str, Any]]:
        if not self.tables[table].parent:
            for i, ligne in enumerate(lignes):
                ligne.setdefault("rang", self.position * RANGS + i)
        return lignes

    def remplacer(self, table: str, agregat: str, lignes: list[dict[str, Any]]) -> None:
        """All the aggregate's rows in this table (those kept have their ``rang``; new ones get one)."""
        self._modifiees.add((table, agregat))
        self._ajouts.pop((table, agregat), None)
        self._lignes[(table, agregat)] = self._numeroter(table, lignes)

    def ajouter(self, table: str, agregat: str, lignes: list[dict[str, Any]]) -> None:
        """New rows after the others."""
        self._numeroter(table, lignes)
        if (table, agregat) in self._lignes:
            self.lignes(table, agregat).extend(lignes)
        else:
            self._ajouts.setdefault((table, agregat), []).extend(lignes)

    def ecrire(self) -> None:
        par_table: dict[str, list[str]] = {}
        for nom, agregat in self._modifiees:
            par_table.setdefault(nom, []).append(agregat)
        for nom in sorted(par_table):
            table = self.tables[nom]
            ids = sorted(par_table[nom])
            anciens = [i for i in ids if i not in self._nouveaux]
            if anciens:
                for condition, parametres in parmi(self.c, "agregat", anciens):
                    self.c.executer(f"DELETE FROM {self.c.dialecte.table(table.nom)} WHERE {condition}", parametres)
            noms = table.noms
            inserer(self.c, table.nom, noms,
                    [tuple(map(ligne.get, noms)) for i in ids for ligne in self._lignes[(nom, i)]])
        for nom in sorted({t for t, _ in self._ajouts}):
            table = self.tables[nom]
            noms = table.noms
            inserer(self.c, table.nom, noms, [tuple(map(ligne.get, noms))
                                              for (t, _), lignes in sorted(self._ajouts.items()) if t == nom
                                              for ligne in lignes])
