"""Accounts of the web page and the JSON API: who may log in, with which role, for which school.

Roles: ``chef`` (chef d'établissement of one UAI), ``enseignant`` (of one UAI), ``admin`` (académie, every
school). Accounts live apart from the events: an SQLite file beside the store (``lsun.comptes.sqlite``), or the
table ``comptes`` of the store's PostgreSQL schema (created by ``lsun-events migrer``). Passwords are hashed
with Argon2id (argon2-cffi); an API token is random and only its SHA-256 is kept.

The web page's sessions are kept beside the accounts (table ``comptes_sessions``): the cookie carries a random
session id, the table its SHA-256, the account, when it was opened and last seen. A session ends at logout, after
``inactivite`` seconds without a request, ``duree_max`` seconds after login, and when its account's password is
changed or the account removed (the removed account's API token goes with its row)."""

from __future__ import annotations

import hashlib
import re
import secrets
import sqlite3
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import closing, contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from lsun_events.application.erreurs import ErreurLsun
from lsun_events.storage.config import Store

ROLES = ("chef", "enseignant", "admin")
MOT_DE_PASSE_MIN = 8
_UAI = re.compile(r"^\d{7}[A-Z]$")
_IDENTIFIANT = re.compile(r"^[A-Za-z0-9._@-]{2,64}$")
_HACHEUR = PasswordHasher()
_HASH_FACTICE = _HACHEUR.hash("mot de passe factice : même durée pour un identifiant inconnu")
INACTIVITE = 30 * 60  # seconds without a request before a session ends
DUREE_MAX = 8 * 3600  # seconds after login before a session ends, however active
RAFRAICHISSEMENT = 60.0  # « last seen » is written at most once a minute per session (no write per request)


def uai_valide(uai: str) -> bool:
    return bool(_UAI.match(uai.upper()))


@dataclass(frozen=True)
class Compte:
    identifiant: str
    role: str
    uai: str | None
    nom: str

    @property
    def acteur(self) -> str:
        """Who acts, as the events record it: « Mme Dupont (chef) »."""
        return f"{self.nom} ({self.role})"

    def voit(self, uai: str) -> bool:
        """May see this school at all (admin: every school)."""
        return self.role == "admin" or self.uai == uai.upper()

    def en_dict(self) -> dict[str, Any]:
        return {"identifiant": self.identifiant, "role": self.role, "uai": self.uai, "nom": self.nom}


class Comptes:
    """The account store of a store URL (and the web sessions of its accounts)."""

    def __init__(self, store: Store | str | None = None, *, inactivite: float = INACTIVITE,
                 duree_max: float = DUREE_MAX, horloge: Callable[[], float] = time.time) -> None:
        self.store = store if isinstance(store, Store) else Store.depuis_url(store)
        self.inactivite, self.duree_max, self.horloge = inactivite, duree_max, horloge
        if self.store.kind == "sqlite":
            assert self.store.sqlite_path is not None
            p = self.store.sqlite_path
            self.fichier = p.with_name(f"{p.stem}.comptes{p.suffix or '.sqlite'}")
            self.table, self.sessions = "comptes", "comptes_sessions"
            self.creer_table()
        else:
            schema = self.store.pg_schema or "public"
            self.table, self.sessions = f'"{schema}"."comptes"', f'"{schema}"."comptes_sessions"'

    # Storage ------------------------------------------------------------------------------------
    @contextmanager
    def _curseur(self) -> Iterator[Any]:
        if self.store.kind == "sqlite":
            self.fichier.parent.mkdir(parents=True, exist_ok=True)
            with closing(sqlite3.connect(self.fichier, timeout=30)) as conn, conn:
                conn.row_factory = sqlite3.Row
                yield conn.cursor()
            return
        import psycopg  # noqa: PLC0415
        from psycopg.rows import dict_row  # noqa: PLC0415

        s = self.store
        with psycopg.connect(host=s.pg_host, port=s.pg_port, dbname=s.pg_dbname, user=s.pg_user,
                             password=s.pg_password, connect_timeout=10, row_factory=dict_row) as connexion:
            yield connexion.cursor()

    def _executer(self, requete: str, parametres: Sequence[Any] = ()) -> list[dict[str, Any]]:
        if self.store.kind != "sqlite":
            requete = requete.replace("?", "%s")
        with self._curseur() as c:
            c.execute(requete, tuple(parametres))
            return [dict(x) for x in c.fetchall()] if c.description else []

    def creer_table(self) -> None:
        """The accounts and their sessions. SQLite: at first use; PostgreSQL: by ``lsun-events migrer`` (and the
        web server when it starts)."""
        self._executer(f"CREATE TABLE IF NOT EXISTS {self.table} (identifiant TEXT PRIMARY KEY, role TEXT NOT NULL, "
                       "uai TEXT, nom TEXT NOT NULL, mot_de_passe TEXT NOT NULL, jeton TEXT UNIQUE, "
                       "cree_le TEXT NOT NULL)")
        self._executer(f"CREATE TABLE IF NOT EXISTS {self.sessions} (empreinte TEXT PRIMARY KEY, "
                       "identifiant TEXT NOT NULL, cree_le DOUBLE PRECISION NOT NULL, "
                       "vu_le DOUBLE PRECISION NOT NULL)")
        self._executer(f"CREATE INDEX IF NOT EXISTS comptes_sessions_identifiant ON {self.sessions} (identifiant)")

    # Use cases ----------------------------------------------------------------------------------
    def ajouter(self, identifiant: str, role: str, mot_de_passe: str, *, uai: str | None = None,
                nom: str | None = None) -> Compte:
        identifiant = identifiant.strip()
        if not _IDENTIFIANT.match(identifiant):
            raise CompteInvalideError(f"Identifiant « {identifiant} » invalide : 2 à 64 lettres, chiffres ou . _ @ -.")
        if role not in ROLES:
            raise CompteInvalideError(f"Rôle « {role} » inconnu : {', '.join(ROLES)}.")
        uai = uai.strip().upper() if uai else None
        if role != "admin" and not uai:
            raise CompteInvalideError(f"Un compte « {role} » est rattaché à un établissement : indiquez --uai.")
        if uai and not uai_valide(uai):
            raise CompteInvalideError(f"UAI « {uai} » invalide : attendu 7 chiffres et une lettre (ex. 0999001X).")
        if len(mot_de_passe) < MOT_DE_PASSE_MIN:
            raise CompteInvalideError(f"Mot de passe trop court : au moins {MOT_DE_PASSE_MIN} caractères.")
        if self.compte(identifiant) is not None:
            raise CompteInvalideError(f"Le compte « {identifiant} » existe déjà.")
        compte = Compte(identifiant, role, uai if role != "admin" else None, (nom or "").strip() or identifiant)
        self._executer(f"INSERT INTO {self.table} (identifiant, role, uai, nom, mot_de_passe, cree_le) "
                       "VALUES (?,?,?,?,?,?)", (compte.identifiant, compte.role, compte.uai, compte.nom,
                                                _HACHEUR.hash(mot_de_passe), datetime.now(UTC).isoformat()))
        return compte

    def compte(self, identifiant: str) -> Compte | None:
        lignes = self._executer(f"SELECT identifiant, role, uai, nom FROM {self.table} WHERE identifiant = ?",
                                (identifiant,))
        return Compte(**lignes[0]) if lignes else None

    def lister(self) -> list[Compte]:
        return [Compte(**x) for x in self._executer(
            f"SELECT identifiant, role, uai, nom FROM {self.table} ORDER BY identifiant")]

    def verifier(self, identifiant: str, mot_de_passe: str) -> Compte | None:
        """The account if the password is right; as slow for an unknown identifiant as for a known one."""
        lignes = self._executer(f"SELECT identifiant, role, uai, nom, mot_de_passe FROM {self.table} "
                                "WHERE identifiant = ?", (identifiant.strip(),))
        hache = lignes[0].pop("mot_de_passe") if lignes else _HASH_FACTICE
        try:
            _HACHEUR.verify(hache, mot_de_passe)
        except (VerificationError, InvalidHashError):
            return None
        if not lignes:
            return None
        if _HACHEUR.check_needs_rehash(hache):
            self._executer(f"UPDATE {self.table} SET mot_de_passe = ? WHERE identifiant = ?",
                           (_HACHEUR.hash(mot_de_passe), lignes[0]["identifiant"]))
        return Compte(**lignes[0])

    def creer_jeton(self, identifiant: str) -> str:
        """A new API token for the account (the previous one stops working). Shown once, never stored."""
        if self.compte(identifiant) is None:
            raise CompteInconnuError(identifiant)
        jeton = f"lsun_{secrets.token_urlsafe(32)}"
        self._executer(f"UPDATE {self.table} SET jeton = ? WHERE identifiant = ?", (_empreinte(jeton), identifiant))
        return jeton

    def par_jeton(self, jeton: str) -> Compte | None:
        if not jeton.startswith("lsun_"):
            return None
        lignes = self._executer(f"SELECT identifiant, role, uai, nom FROM {self.table} WHERE jeton = ?",
                                (_empreinte(jeton),))
        return Compte(**lignes[0]) if lignes else None

    def changer_mot_de_passe(self, identifiant: str, mot_de_passe: str) -> int:
        """A new password; every session of the account ends (their number is returned). The API token stays."""
        if len(mot_de_passe) < MOT_DE_PASSE_MIN:
            raise CompteInvalideError(f"Mot de passe trop court : au moins {MOT_DE_PASSE_MIN} caractères.")
        if self.compte(identifiant) is None:
            raise CompteInconnuError(identifiant)
        self._executer(f"UPDATE {self.table} SET mot_de_passe = ? WHERE identifiant = ?",
                       (_HACHEUR.hash(mot_de_passe), identifiant))
        return self.fermer_sessions(identifiant)

    def supprimer(self, identifiant: str) -> None:
        """The account, its API token and its sessions are gone."""
        if self.compte(identifiant) is None:
            raise CompteInconnuError(identifiant)
        self.fermer_sessions(identifiant)
        self._executer(f"DELETE FROM {self.table} WHERE identifiant = ?", (identifiant,))

    # Web sessions -------------------------------------------------------------------------------
    def ouvrir_session(self, identifiant: str) -> str:
        """A new session of the account: its id, to put in the signed cookie (only its SHA-256 is kept).
        Sessions ended by time are forgotten here."""
        maintenant = self.horloge()
        self._executer(f"DELETE FROM {self.sessions} WHERE vu_le < ? OR cree_le < ?",
                       (maintenant - self.inactivite, maintenant - self.duree_max))
        session = secrets.token_urlsafe(32)
        self._executer(f"INSERT INTO {self.sessions} (empreinte, identifiant, cree_le, vu_le) VALUES (?,?,?,?)",
                       (_empreinte(session), identifiant, maintenant, maintenant))
        return session

    def par_session(self, session: str) -> Compte | None:
        """The account of a session still open; None if it ended (logout, idle, too old, password changed,
        account removed). One read per request; « last seen » written at most every ``RAFRAICHISSEMENT``."""
        empreinte = _empreinte(session)
        lignes = self._executer(f"SELECT c.identifiant, c.role, c.uai, c.nom, s.cree_le, s.vu_le "
                                f"FROM {self.sessions} s JOIN {self.table} c ON c.identifiant = s.identifiant "
                                "WHERE s.empreinte = ?", (empreinte,))
        if not lignes:
            return None
        ligne, maintenant = lignes[0], self.horloge()
        cree_le, vu_le = ligne.pop("cree_le"), ligne.pop("vu_le")
        if maintenant - vu_le > self.inactivite or maintenant - cree_le > self.duree_max:
            self._executer(f"DELETE FROM {self.sessions} WHERE empreinte = ?", (empreinte,))
            return None
        if maintenant - vu_le >= RAFRAICHISSEMENT:
            self._executer(f"UPDATE {self.sessions} SET vu_le = ? WHERE empreinte = ?", (maintenant, empreinte))
        return Compte(**ligne)

    def fermer_session(self, session: str) -> None:
        self._executer(f"DELETE FROM {self.sessions} WHERE empreinte = ?", (_empreinte(session),))

    def fermer_sessions(self, identifiant: str) -> int:
        """End every session of the account; how many were open."""
        return len(self._executer(f"DELETE FROM {self.sessions} WHERE identifiant = ? RETURNING empreinte",
                                  (identifiant,)))


def _empreinte(jeton: str) -> str:
    return hashlib.sha256(jeton.encode()).hexdigest()


def migrer(store: Store) -> None:
    """Create the account and session tables (PostgreSQL: part of ``lsun-events migrer``)."""
    Comptes(store).creer_table()


class CompteInvalideError(ErreurLsun):
    """The account cannot be created as asked."""


class CompteInconnuError(ErreurLsun):
    def __init__(self, identifiant: str) -> None:
        super().__init__(f"Aucun compte « {identifiant} ».")
