"""The web application's settings, read from the environment (or given by the caller, e.g. tests):
store, data folder (uploaded exports, the session secret), the run date, the S3E service, how long a session
lasts and how big a request may be."""

from __future__ import annotations

import os
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from lsun_events.storage.config import Store, jour_de_reference

MIO = 1024 * 1024
FICHIER_MAX = 200 * MIO  # one uploaded export
CORPS_MAX = MIO  # the body of any request but an upload (forms, JSON)
DEPOT_MAX = 2 * FICHIER_MAX + MIO  # an upload: the two exports and the form's fields


def _jour_de_l_environnement() -> date:
    """``LSUN_JOUR`` (AAAA-MM-JJ) pins the run date, e.g. in tests; else today (an invalid value: French error)."""
    return jour_de_reference()


@dataclass
class Reglages:
    store: Store
    donnees: Path  # uploads under donnees/depots/<UAI>/, the generated session secret
    secret: str
    jour: Callable[[], date] = _jour_de_l_environnement
    s3e: str | None = None  # base address of the académie's S3E service: {s3e}/{uai}/…
    jeton_s3e: str | None = None
    cookie_securise: bool = False  # Secure flag on the session cookie (behind HTTPS)
    duree_session: int = 8 * 3600  # a session ends this long after login, however active
    inactivite_session: int = 30 * 60  # … or after this long without a request
    corps_max: int = CORPS_MAX  # bytes
    depot_max: int = DEPOT_MAX  # bytes, for the upload routes (…/exports)

    @classmethod
    def depuis_environnement(cls, store: Store | str | None = None, **autres: object) -> Reglages:
        """``LSUN_DONNEES``, ``LSUN_SECRET``, ``LSUN_S3E``, ``LSUN_S3E_JETON``, ``LSUN_COOKIE_SECURISE``; the
        keyword arguments given (not None) take precedence."""
        store = store if isinstance(store, Store) else Store.depuis_url(store)
        valeurs: dict[str, object] = {
            "donnees": os.environ.get("LSUN_DONNEES") or dossier_par_defaut(store),
            "s3e": os.environ.get("LSUN_S3E") or None,
            "jeton_s3e": os.environ.get("LSUN_S3E_JETON") or None,
            "cookie_securise": os.environ.get("LSUN_COOKIE_SECURISE") == "1",
        }
        valeurs.update({k: v for k, v in autres.items() if v is not None})
        donnees = Path(str(valeurs.pop("donnees")))
        secret = str(valeurs.pop("secret", None) or os.environ.get("LSUN_SECRET") or secret_du_dossier(donnees))
        return cls(store=store, donnees=donnees, secret=secret, **valeurs)  # type: ignore[arg-type]


def dossier_par_defaut(store: Store) -> Path:
    """Beside the SQLite store; for PostgreSQL, ``./lsun-data`` (or ``LSUN_DONNEES``)."""
    return store.sqlite_path.parent if store.sqlite_path is not None else Path("lsun-data")


def secret_du_dossier(donnees: Path) -> str:
    """The session-signing secret: generated once into ``donnees/secret-session`` (mode 600)."""
    fichier = donnees / "secret-session"
    if not fichier.exists():
        donnees.mkdir(parents=True, exist_ok=True)
        try:
            descripteur = os.open(fichier, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            pass  # another process wrote it first
        else:
            with os.fdopen(descripteur, "w") as f:
                f.write(secrets.token_urlsafe(48))
    return fichier.read_text().strip()
