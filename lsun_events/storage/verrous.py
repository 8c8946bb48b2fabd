"""One synchronisation at a time per school.

PostgreSQL: a session advisory lock keyed by the UAI (``pg_try_advisory_lock``), held on its own
connection for the whole run (compute and save); processes on several machines share it. SQLite (one
machine, embedded): an exclusive ``flock`` on a file beside the store. A second run for the same school
waits up to ``attente`` seconds, then fails with a French message; runs of different schools never wait."""

from __future__ import annotations

import fcntl
import hashlib
import time
from collections.abc import Iterator
from contextlib import contextmanager

from lsun_events.application.erreurs import ErreurLsun
from lsun_events.storage.config import Store

ATTENTE_PAR_DEFAUT = 30.0


class SynchronisationEnCoursError(ErreurLsun):
    def __init__(self, uai: str, attente: float) -> None:
        super().__init__(f"Une synchronisation de l'établissement {uai} est déjà en cours (attente de {attente:g} s "
                         "dépassée) : rien n'a été fait. Réessayez quand elle sera terminée.")


def cle_verrou(uai: str) -> int:
    """A stable signed 64-bit key per UAI (the same in every process)."""
    return int.from_bytes(hashlib.sha256(f"lsun:synchronisation:{uai.upper()}".encode()).digest()[:8], "big",
                          signed=True)


@contextmanager
def verrou_etablissement(store: Store, uai: str, attente: float = ATTENTE_PAR_DEFAUT) -> Iterator[None]:
    if store.kind == "postgresql":
        with _verrou_postgres(store, uai, attente):
            yield
    else:
        with _verrou_fichier(store, uai, attente):
            yield


@contextmanager
def _verrou_postgres(store: Store, uai: str, attente: float) -> Iterator[None]:
    import psycopg  # noqa: PLC0415

    cle = cle_verrou(uai)
    with psycopg.connect(host=store.pg_host, port=store.pg_port, dbname=store.pg_dbname, user=store.pg_user,
                         password=store.pg_password, autocommit=True) as conn:
        limite = time.monotonic() + attente
        while True:
            row = conn.execute("SELECT pg_try_advisory_lock(%s)", (cle,)).fetchone()
            if row is not None and row[0]:
                break
            if time.monotonic() >= limite:
                raise SynchronisationEnCoursError(uai, attente)
            time.sleep(0.1)
        try:
            yield
        finally:
            conn.execute("SELECT pg_advisory_unlock(%s)", (cle,))


@contextmanager
def _verrou_fichier(store: Store, uai: str, attente: float) -> Iterator[None]:
    assert store.sqlite_path is not None
    chemin = store.sqlite_path.with_name(f"{store.sqlite_path.name}.verrou-{uai.upper()}")
    chemin.parent.mkdir(parents=True, exist_ok=True)
    with chemin.open("a") as fichier:
        limite = time.monotonic() + attente
        while True:
            try:
                fcntl.flock(fichier, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= limite:
                    raise SynchronisationEnCoursError(uai, attente) from None
                time.sleep(0.1)
        try:
            yield
        finally:
            fcntl.flock(fichier, fcntl.LOCK_UN)
