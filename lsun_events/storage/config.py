"""Store URL (``--store`` / ``LSUN_STORE``, SPEC §8) → eventsourcing environment.

``sqlite:///PATH`` (default ``./lsun-data/lsun.sqlite``): the embedded store; its schema is
created on first use. ``postgresql://USER[:PASSWORD]@HOST[:PORT]/DB[?schema=S]``: production;
the schema is created by ``lsun-events migrer`` and processes run with table creation off.

``LSUN_CLE_CHIFFREMENT`` (32 bytes in base64, ``lsun-events cle generer``): the events' payloads are
compressed then encrypted (AES-GCM) in the store; see README « Données personnelles ».
"""

from __future__ import annotations

import binascii
import errno
import os
import re
import stat
from base64 import b64decode
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlparse

from lsun_events.application.erreurs import ErreurLsun

STORE_PAR_DEFAUT = "sqlite:///lsun-data/lsun.sqlite"
CLE_CHIFFREMENT = "LSUN_CLE_CHIFFREMENT"
JOUR = "LSUN_JOUR"
ENTETE_SQLITE = b"SQLite format 3\x00"
_SCHEMA = re.compile(r"[A-Za-z_][A-Za-z0-9_]{0,62}")


class JourInvalideError(ErreurLsun):
    def __init__(self, texte: str) -> None:
        super().__init__(f"{JOUR} vaut « {texte} » : attendu une date AAAA-MM-JJ (la date des synchronisations), "
                         "ou rien pour aujourd'hui.")


def jour_fixe() -> date | None:
    """The run date pinned by ``LSUN_JOUR`` (AAAA-MM-JJ), e.g. in tests or to replay a day; None when unset. The
    command line, the worker and the web page read the same variable."""
    texte = os.environ.get(JOUR, "").strip()
    if not texte:
        return None
    try:
        return date.fromisoformat(texte)
    except ValueError:
        raise JourInvalideError(texte) from None


def jour_de_reference() -> date:
    """The run date: ``LSUN_JOUR`` when set, else today."""
    return jour_fixe() or date.today()


class CleChiffrementInvalideError(ErreurLsun):
    def __init__(self) -> None:
        super().__init__(f"La clé de chiffrement {CLE_CHIFFREMENT} est invalide : attendu 32 octets encodés en base64 "
                         "(« lsun-events cle generer » en crée une). Rien n'a été lu ni enregistré.")


def chiffrement() -> dict[str, str]:
    """The library's cipher settings when ``LSUN_CLE_CHIFFREMENT`` is set (else none)."""
    cle = os.environ.get(CLE_CHIFFREMENT, "").strip()
    if not cle:
        return {}
    try:
        brute = b64decode(cle, validate=True)
    except (binascii.Error, ValueError):
        raise CleChiffrementInvalideError from None
    if len(brute) != 32:
        raise CleChiffrementInvalideError
    return {"CIPHER_TOPIC": "eventsourcing.cryptography:AESCipher", "CIPHER_KEY": cle,
            "COMPRESSOR_TOPIC": "eventsourcing.compressor:ZlibCompressor"}


class StoreInvalideError(ValueError):
    def __init__(self, url: str, raison: str) -> None:
        super().__init__(f"Adresse de stockage « {_sans_mot_de_passe(url)} » invalide : {raison}. "
                         "Exemples : sqlite:///lsun-data/lsun.sqlite ou postgresql://lsun@127.0.0.1:5432/lsun")


def _sans_mot_de_passe(url: str) -> str:
    """``postgresql://u:secret@h/db`` → ``postgresql://u:***@h/db`` (an error message is no place for it)."""
    return re.sub(r"^([a-z]+://[^:/@]*):[^@/]*@", r"\1:***@", url)


def _verifier_chemin_sqlite(url: str, chemin: Path) -> None:
    """The SQLite file, if it exists, is a regular file that SQLite wrote (or an empty one); else the first
    existing folder on its way is a folder. A device such as /dev/zero, a folder, or a document are refused
    before anything opens them (SQLite would answer in English, or create its views' files beside them)."""
    try:
        etat = chemin.stat()
    except (FileNotFoundError, NotADirectoryError):
        etat = None
    except OSError as e:
        raise StoreInvalideError(url, f"le fichier ne peut pas être lu ({_errno(e)})") from None
    if etat is None:
        parent = chemin.parent
        while not parent.exists() and parent != parent.parent:
            parent = parent.parent
        if parent.exists() and not parent.is_dir():
            raise StoreInvalideError(url, f"« {parent} » n'est pas un dossier")
        return
    if stat.S_ISDIR(etat.st_mode):
        raise StoreInvalideError(url, "c'est un dossier ; indiquez le fichier SQLite (par exemple DOSSIER/lsun.sqlite)")
    if not stat.S_ISREG(etat.st_mode):
        raise StoreInvalideError(url, "ce n'est pas un fichier ordinaire")
    if etat.st_size == 0:
        return
    try:
        with chemin.open("rb") as f:
            entete = f.read(len(ENTETE_SQLITE))
    except OSError as e:
        raise StoreInvalideError(url, f"le fichier ne peut pas être lu ({_errno(e)})") from None
    if entete != ENTETE_SQLITE:
        raise StoreInvalideError(url, "ce fichier n'est pas une base SQLite (ni un stockage de lsun-events)")


_ERRNO = {errno.EACCES: "accès refusé", errno.EPERM: "opération non permise", errno.ENAMETOOLONG: "nom trop long",
          errno.ELOOP: "trop de liens symboliques", errno.EIO: "erreur d'entrée-sortie"}


def _errno(e: OSError) -> str:
    return _ERRNO.get(e.errno or 0) or errno.errorcode.get(e.errno or 0, "erreur système")


@dataclass(frozen=True)
class Store:
    url: str
    kind: str  # "sqlite" | "postgresql"
    sqlite_path: Path | None = None
    pg_dbname: str | None = None
    pg_host: str | None = None
    pg_port: str | None = None
    pg_user: str | None = None
    pg_password: str = ""
    pg_schema: str | None = None

    @classmethod
    def depuis_url(cls, url: str | None = None) -> Store:
        url = url or os.environ.get("LSUN_STORE") or STORE_PAR_DEFAUT
        if url.startswith("sqlite:///"):
            chemin = url.removeprefix("sqlite:///")
            if not chemin:
                raise StoreInvalideError(url, "chemin du fichier SQLite manquant")
            if "\x00" in chemin:
                raise StoreInvalideError(url, "caractère nul dans le chemin")
            _verifier_chemin_sqlite(url, Path(chemin))
            return cls(url=url, kind="sqlite", sqlite_path=Path(chemin))
        if url.startswith(("postgresql://", "postgres://")):
            try:
                p = urlparse(url)
                port = p.port
            except ValueError:
                raise StoreInvalideError(url, "port invalide (attendu un nombre de 1 à 65535)") from None
            dbname = p.path.lstrip("/")
            if not p.hostname or not dbname:
                raise StoreInvalideError(url, "hôte ou base de données manquant")
            if port == 0:
                raise StoreInvalideError(url, "port invalide (attendu un nombre de 1 à 65535)")
            schema = parse_qs(p.query).get("schema", [None])[0]
            if schema is not None and not _SCHEMA.fullmatch(schema):
                raise StoreInvalideError(url, "schéma PostgreSQL invalide (attendu des lettres, chiffres ou _, "
                                              "63 au plus, sans commencer par un chiffre)")
            return cls(url=url, kind="postgresql", pg_dbname=dbname, pg_host=p.hostname,
                       pg_port=str(port or 5432), pg_user=unquote(p.username or "postgres"),
                       pg_password=unquote(p.password or ""), pg_schema=schema)
        raise StoreInvalideError(url, "schéma inconnu (attendu sqlite:/// ou postgresql://)")

    @property
    def affichage(self) -> str:
        """The URL to show (a message, a log line): without its password."""
        return _sans_mot_de_passe(self.url)

    def env(self, *, creer_tables: bool | None = None) -> dict[str, str]:
        """Environment for the event-sourced application."""
        if self.kind == "sqlite":
            assert self.sqlite_path is not None
            self.sqlite_path.parent.mkdir(parents=True, exist_ok=True)
            return {
                "PERSISTENCE_MODULE": "eventsourcing.sqlite",
                "SQLITE_DBNAME": str(self.sqlite_path),
                "SQLITE_LOCK_TIMEOUT": "30",
                "CREATE_TABLE": "y" if creer_tables in (None, True) else "n",
                **chiffrement(),
            }
        env = {
            "PERSISTENCE_MODULE": "eventsourcing.postgres",
            "POSTGRES_DBNAME": self.pg_dbname or "",
            "POSTGRES_HOST": self.pg_host or "",
            "POSTGRES_PORT": self.pg_port or "5432",
            "POSTGRES_USER": self.pg_user or "",
            "POSTGRES_PASSWORD": self.pg_password,
            "POSTGRES_ENABLE_DB_FUNCTIONS": "n",  # unsafe with concurrent writers (notes §7.8)
            # Large saves in batches, in one transaction (the library's single statement hangs past a few MB).
            "APPLICATION_RECORDER_TOPIC": "lsun_events.storage.postgres_lots:PostgresApplicationRecorderParLots",
            "POSTGRES_CONNECT_TIMEOUT": "10",
            "POSTGRES_LOCK_TIMEOUT": "30",
            # One connection opened per pool (the event store and each view have one), more only on demand:
            # the library's default (5 each) made ten concurrent commands exceed PostgreSQL's 100 connections.
            "POSTGRES_POOL_SIZE": "1",
            "CREATE_TABLE": "y" if creer_tables else "n",
            **chiffrement(),
        }
        if self.pg_schema:
            env["POSTGRES_SCHEMA"] = self.pg_schema
        return env
