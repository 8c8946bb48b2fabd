"""Bookkeeping tables beside the events: not history (losing a row loses no event), but state that several
processes share — the worker's schedule, the runs started from the web page. SQLite: a file of its own beside
the store (``<store>.<nom>.sqlite``). PostgreSQL: tables in the store's schema, one connection per transaction.

Texts that may name a person are encrypted like the events when a key is set (``chiffrer`` / ``dechiffrer``)."""

from __future__ import annotations

import sqlite3
import threading
from base64 import b64decode, b64encode
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from lsun_events.storage.config import CleChiffrementInvalideError, Store, chiffrement
from lsun_events.storage.sql import Curseur, Dialecte

PREFIXE_CHIFFRE = "chiffre:"


class Registre:
    def __init__(self, store: Store, nom: str) -> None:
        self.store = store
        self._verrou = threading.RLock()  # one SQLite connection, shared by the threads of a process
        if store.kind == "sqlite":
            assert store.sqlite_path is not None
            chemin = store.sqlite_path.with_name(f"{store.sqlite_path.stem}.{nom}{store.sqlite_path.suffix}")
            chemin.parent.mkdir(parents=True, exist_ok=True)
            self._sqlite = sqlite3.connect(chemin, timeout=30, isolation_level=None, check_same_thread=False)
            self._sqlite.row_factory = sqlite3.Row
            self.dialecte = Dialecte("sqlite", table=lambda t: f'"{t}"')
        else:
            schema = store.pg_schema or "public"
            self.dialecte = Dialecte("postgresql", table=lambda t: f'"{schema}"."{t}"')

    def table(self, nom: str) -> str:
        return self.dialecte.table(nom)

    @contextmanager
    def transaction(self) -> Iterator[Curseur]:
        """One transaction (SQLite: ``BEGIN IMMEDIATE``, so writers of the file queue up)."""
        if self.store.kind == "sqlite":
            with self._verrou:
                self._sqlite.execute("BEGIN IMMEDIATE")
                try:
                    yield Curseur(self._sqlite.cursor(), self.dialecte)
                    self._sqlite.execute("COMMIT")
                except BaseException:
                    self._sqlite.execute("ROLLBACK")
                    raise
            return
        import psycopg  # noqa: PLC0415
        from psycopg.rows import dict_row  # noqa: PLC0415

        s = self.store
        with psycopg.connect(host=s.pg_host, port=s.pg_port, dbname=s.pg_dbname, user=s.pg_user,
                             password=s.pg_password, row_factory=dict_row) as conn, conn.cursor() as cur:
            yield Curseur(cur, self.dialecte)

    def fermer(self) -> None:
        if self.store.kind == "sqlite":
            with self._verrou:
                self._sqlite.close()


def _chiffreur() -> Any:
    reglages = chiffrement()
    if not reglages:
        return None
    from eventsourcing.cryptography import AESCipher  # noqa: PLC0415
    from eventsourcing.utils import Environment  # noqa: PLC0415

    return AESCipher(Environment(env={"CIPHER_KEY": reglages["CIPHER_KEY"]}))


def chiffrer(texte: str) -> str:
    chiffreur = _chiffreur()
    if chiffreur is None:
        return texte
    return PREFIXE_CHIFFRE + b64encode(chiffreur.encrypt(texte.encode("utf-8"))).decode("ascii")


def dechiffrer(texte: str) -> str:
    if not texte.startswith(PREFIXE_CHIFFRE):
        return texte
    chiffreur = _chiffreur()
    if chiffreur is None:
        raise CleChiffrementInvalideError
    return chiffreur.decrypt(b64decode(texte.removeprefix(PREFIXE_CHIFFRE))).decode("utf-8")
