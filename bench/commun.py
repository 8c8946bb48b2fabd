"""What the benchmarks share: the store to measure on (a fresh SQLite file or a throw-away PostgreSQL schema),
the ``--store`` option, and the one JSON document each prints."""

from __future__ import annotations

import argparse
import json
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

from lsun_events.storage.config import Store
from lsun_events.systeme import migrer

POSTGRES = "postgresql://postgres@127.0.0.1:5432/test"


def parser_de_bench() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser()
    parser.add_argument("--store", choices=["sqlite", "postgresql", "tous"], default="tous")
    return parser


def stores_choisis(args: argparse.Namespace) -> list[str]:
    return ["sqlite", "postgresql"] if args.store == "tous" else [args.store]


def imprimer(nom: str, resultats: list[dict[str, Any]]) -> None:
    print(json.dumps({"bench": nom, "resultats": resultats}, ensure_ascii=False, indent=2))


def store_de_bench(kind: str, dossier: Path) -> tuple[Store, Callable[[], None] | None]:
    """The store and how to clean it up afterwards."""
    if kind == "sqlite":
        return Store.depuis_url(f"sqlite:///{dossier / 'bench.sqlite'}"), None
    import psycopg  # noqa: PLC0415

    schema = f"bench_{uuid.uuid4().hex[:8]}"
    store = Store.depuis_url(f"{POSTGRES}?schema={schema}")
    migrer(store)

    def nettoyer() -> None:
        with psycopg.connect(POSTGRES, autocommit=True) as c:
            c.execute(f'DROP SCHEMA "{schema}" CASCADE')
    return store, nettoyer


