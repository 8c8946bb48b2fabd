"""Every exception that ends a command, told in French with its exit code (``expliquer``): the product's refusals,
the stores' and drivers' errors (SQLite's and libpq's messages are in English), the system's (``errno``),
undecryptable events, Ctrl+C, a closed output.

Light: imported at every start, it imports no driver nor the application. An exception is matched against the
classes already imported (``_chargees``): an exception whose class was never imported cannot have been raised,
and the command line does not import psycopg to rule a psycopg error out."""

from __future__ import annotations

import contextlib
import errno
import logging
import os
import re
import socket
import sys

JOURNAL = logging.getLogger("lsun_events.cli")

# The product's refusals: their message is already French and says what to do.
REFUS = ("lsun_events.application.erreurs:ErreurLsun", "lsun_events.aggregates.erreurs:ErreurDomaine",
         "lsun_events.sources.erreurs:SourceInvalideError", "lsun_events.storage.config:StoreInvalideError")
STOCKAGE = ("eventsourcing.persistence:PersistenceError", "psycopg:Error", "sqlite3:Error")
SCHEMA_ABSENT = ("eventsourcing.persistence:ProgrammingError", "psycopg.errors:UndefinedTable")
INJOIGNABLE = ("eventsourcing.persistence:OperationalError", "psycopg:OperationalError", "sqlite3:OperationalError")
DECHIFFREMENT = ("eventsourcing.persistence:MapperDeserialisationError",)


def _chargees(*classes: str) -> tuple[type[BaseException], ...]:
    """The exception classes ``"module:Classe"`` whose module is imported."""
    trouvees = []
    for reference in classes:
        module, _, nom = reference.partition(":")
        classe = getattr(sys.modules.get(module), nom, None)
        if isinstance(classe, type) and issubclass(classe, BaseException):
            trouvees.append(classe)
    return tuple(trouvees)


def erreurs_stockage() -> tuple[type[BaseException], ...]:
    """The stores' and drivers' exception classes (those imported: for ``except`` and ``isinstance``)."""
    return _chargees(*STOCKAGE)


# --- the stores' errors ---------------------------------------------------------------------------------------

# The drivers' messages (SQLite's and libpq's are in English), by a fragment of their text.
_MESSAGES_PILOTE = (
    ("file is not a database", "ce fichier n'est pas une base SQLite, ou elle est chiffrée ou endommagée"),
    ("database disk image is malformed", "la base SQLite est endommagée"),
    ("unable to open database file", "le fichier de la base SQLite ne peut pas être ouvert (dossier, droits ?)"),
    ("disk i/o error", "erreur d'entrée-sortie sur le fichier de la base SQLite"),
    ("database is locked", "la base SQLite est verrouillée par un autre processus"),
    ("readonly database", "la base SQLite est en lecture seule"),
    ("database or disk is full", "le disque est plein"),
    ("connection refused", "connexion refusée : aucun serveur PostgreSQL n'écoute à cette adresse"),
    ("password authentication failed", "identifiant ou mot de passe PostgreSQL refusé"),
    ("no password supplied", "mot de passe PostgreSQL manquant"),
    ("could not translate host name", "nom de machine PostgreSQL inconnu"),
    ("timeout expired", "délai de connexion dépassé"),
    ("too many clients", "trop de connexions ouvertes sur le serveur PostgreSQL"),
    ("permission denied", "droits insuffisants sur la base PostgreSQL"),
)


def _texte_pilote(e: BaseException) -> str:
    texte = str(e).strip().splitlines()[0] if str(e).strip() else ""
    bas = texte.lower()
    for fragment, francais in _MESSAGES_PILOTE:
        if fragment in bas:
            return francais
    if "does not exist" in bas and ("database" in bas or "role" in bas):
        quoi = "la base" if "database" in bas else "l'utilisateur"
        return f"{quoi} PostgreSQL indiqué{'e' if quoi == 'la base' else ''} n'existe pas"
    return f"détail du pilote : {texte}" if texte else "sans détail du pilote"


def diagnostiquer_postgres(url: str | None) -> str | None:
    """After the library's pool gave up (« couldn't get a connection »), why: one direct connection attempt,
    told in French; None when it succeeds or the store is not PostgreSQL."""
    import psycopg  # noqa: PLC0415  (a PostgreSQL store's error: the driver is already imported)

    from lsun_events.storage.config import Store  # noqa: PLC0415

    try:
        store = Store.depuis_url(url)
    except ValueError:
        return None
    if store.kind != "postgresql":
        return None
    try:
        with psycopg.connect(host=store.pg_host, port=store.pg_port, dbname=store.pg_dbname, user=store.pg_user,
                             password=store.pg_password, connect_timeout=5):
            return None
    except psycopg.Error as e:
        return _texte_pilote(e)


def expliquer_erreur_stockage(e: BaseException, url: str | None = None) -> str:
    texte = str(e).strip().splitlines()[0] if str(e).strip() else ""
    if "couldn't get a connection" in texte and (cause := diagnostiquer_postgres(url)):
        return f"le stockage est injoignable ({cause}) : vérifiez --store ou LSUN_STORE."
    if isinstance(e, _chargees(*SCHEMA_ABSENT)) and "does not exist" in texte and "database" not in texte:
        table = re.search(r'relation "([^"]+)"', texte)
        quoi = f" (table {table.group(1)} absente)" if table else ""
        return f"le schéma du stockage n'existe pas{quoi} : lancez « lsun-events migrer » une fois."
    if isinstance(e, _chargees(*INJOIGNABLE)):
        return f"le stockage est injoignable ou occupé ({_texte_pilote(e)}) : vérifiez --store ou LSUN_STORE."
    return f"erreur du stockage ({_texte_pilote(e)}) : vérifiez --store ou LSUN_STORE."


# --- decryption errors ----------------------------------------------------------------------------------------

def expliquer_dechiffrement(e: BaseException) -> str:
    """A stored event that cannot be read back (``MapperDeserialisationError``), told in French."""
    from lsun_events.storage.config import CLE_CHIFFREMENT  # noqa: PLC0415  (the store is imported by then)

    if os.environ.get(CLE_CHIFFREMENT, "").strip():
        cause = (f"la clé {CLE_CHIFFREMENT} n'est pas celle avec laquelle ils ont été écrits, ou les données "
                 "sont endommagées")
    else:
        cause = (f"ils sont sans doute chiffrés et {CLE_CHIFFREMENT} n'est pas définie, ou les données sont "
                 "endommagées")
    return (f"les événements du stockage ne peuvent pas être relus : {cause}. Indiquez dans {CLE_CHIFFREMENT} la clé "
            "avec laquelle le stockage a été écrit.")


# --- the system's errors --------------------------------------------------------------------------------------

_ERRNO = {
    errno.ENOENT: "fichier ou dossier introuvable",
    errno.EACCES: "accès refusé (droits du fichier ou du dossier)",
    errno.EPERM: "opération non permise",
    errno.EISDIR: "c'est un dossier, un fichier est attendu",
    errno.ENOTDIR: "un élément du chemin n'est pas un dossier",
    errno.ENOSPC: "plus de place sur le disque",
    errno.EROFS: "système de fichiers en lecture seule",
    errno.ENAMETOOLONG: "nom de fichier trop long",
    errno.EADDRINUSE: "adresse déjà utilisée : un autre programme écoute sur ce port",
    errno.EADDRNOTAVAIL: "cette adresse d'écoute n'est pas celle de cette machine",
    errno.ECONNREFUSED: "connexion refusée",
    errno.ETIMEDOUT: "délai dépassé",
    errno.EMFILE: "trop de fichiers ouverts",
    errno.ENOMEM: "mémoire insuffisante",
    errno.EIO: "erreur d'entrée-sortie",
    errno.ENXIO: "périphérique introuvable",
    errno.EFBIG: "fichier trop gros",
    errno.EPIPE: "la sortie a été fermée",
}


def expliquer_systeme(e: OSError) -> str:
    """An ``OSError`` in French: its file, and what its errno means."""
    if isinstance(e, socket.gaierror):
        return "adresse de machine inconnue ou invalide (résolution du nom impossible)"
    nom = errno.errorcode.get(e.errno or 0)
    quoi = _ERRNO.get(e.errno or 0) or (f"erreur système {nom}" if nom else "erreur système")
    fichier = f"« {e.filename} » : " if e.filename else ""
    return f"{fichier}{quoi}."


# --- the last word of a command -------------------------------------------------------------------------------

def expliquer(e: BaseException, store: str | None = None) -> tuple[str, int]:
    """The French message and the exit code for an exception that ends a command (``store``: its --store)."""
    if isinstance(e, _chargees(*REFUS)):
        return str(e), 1
    if isinstance(e, erreurs_stockage()):
        return expliquer_erreur_stockage(e, store), 1
    if isinstance(e, _chargees(*DECHIFFREMENT)):
        return expliquer_dechiffrement(e), 1
    if isinstance(e, KeyboardInterrupt):
        return ("Commande interrompue (Ctrl+C). Chaque enregistrement se fait d'un bloc : rien de partiel n'a été "
                "enregistré."), 130
    if isinstance(e, BrokenPipeError):
        # The reader of the output went away (``| head``): nothing more to say, and nowhere to say it.
        with contextlib.suppress(OSError, ValueError):
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return "", 1
    JOURNAL.debug("Exception non prévue", exc_info=e)
    suite = ("Rien n'a été enregistré. Relancez avec LSUN_JOURNAL=DEBUG pour le détail dans le journal, et "
             "signalez-le s'il persiste.")
    if isinstance(e, MemoryError):
        return (f"mémoire insuffisante pour cette commande (un fichier trop gros, ou une valeur démesurée ?). "
                f"{suite}"), 1
    if isinstance(e, OSError):
        return f"{expliquer_systeme(e)} {suite}", 1
    if isinstance(e, RecursionError):
        return f"données trop imbriquées pour être traitées. {suite}", 1
    return f"erreur inattendue : la commande n'a pas pu aller au bout. {suite}", 1
