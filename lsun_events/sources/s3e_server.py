"""The local S3E server: serves a folder of exports (``DIR/<UAI>/…``) under our S3E contract (SPEC §5).

``GET /{uai}/bee/eleves`` (and ``bee/responsables``, ``bee/nomenclatures``, ``bee/structures``,
``bee/communs``, ``sts/emp``) answers the bytes of the matching export file, as they are, with a strong
``ETag`` (sha256 of the bytes), ``If-None-Match`` → 304, and a bearer token when one is configured.
An export may also be a zip holding exactly that file. Files are re-read on every request, so a changed
export gets a new ETag at once; only regular files are read, at most ``TAILLE_MAX_SERVIE`` bytes per answer
(a bigger one, a device or a pipe is a French 409). Used by the demo, by tests and by ``lsun-events s3e``.

The log holds the method, the path and the status only (no query string, no client address).
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import re
import shutil
import socket
import socketserver
import sys
import tempfile
import threading
import zipfile
from collections import deque
from contextlib import ExitStack
from dataclasses import dataclass
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import IO
from urllib.parse import urlsplit

from lsun_events.sources.documents import ouvrir_ordinaire
from lsun_events.sources.erreurs import SourceInvalideError

logger = logging.getLogger(__name__)

UAI_VALIDE = re.compile(r"[0-9]{7}[A-Z]")
TAILLE_BLOC = 64 * 1024
SEUIL_MEMOIRE = 4 * 1024 * 1024  # an answer is spooled to disk past this size
TAILLE_MAX_SERVIE = 500 * 1024 * 1024  # bytes of one answer (the client's default limit)
TAILLE_JOURNAL = 10_000


@dataclass(frozen=True)
class FichiersAttendus:
    """Which export file answers one resource: exact names, or a glob pattern over ``{uai}``."""

    noms: tuple[str, ...] = ()
    motif: str | None = None  # regex, ``{uai}`` replaced by the UAI

    def correspond(self, nom_xml: str, uai: str) -> bool:
        nom = nom_xml.lower()
        if any(nom == attendu.lower() for attendu in self.noms):
            return True
        return self.motif is not None and re.fullmatch(self.motif.format(uai=uai), nom_xml, re.IGNORECASE) is not None

    def description(self, uai: str) -> str:
        if self.motif is not None:
            return f"sts_emp_{uai}_<année>.xml"
        return " ou ".join(self.noms)


RESSOURCES: dict[str, FichiersAttendus] = {
    "bee/eleves": FichiersAttendus(noms=("ElevesSansAdresses.xml", "ElevesAvecAdresses.xml")),
    "bee/responsables": FichiersAttendus(noms=("ResponsablesAvecAdresses.xml",)),
    "bee/nomenclatures": FichiersAttendus(noms=("Nomenclature.xml",)),
    "bee/structures": FichiersAttendus(noms=("Structures.xml",)),
    "bee/communs": FichiersAttendus(noms=("Communs.xml",)),
    "sts/emp": FichiersAttendus(motif=r"sts_emp_{uai}_[0-9]{{4}}\.xml"),
}


@dataclass(frozen=True)
class RequeteJournal:
    """One answered request, as kept for tests and diagnostics (no personal data)."""

    methode: str
    chemin: str
    statut: int
    conditionnelle: bool  # the request carried If-None-Match


class RefusS3E(Exception):
    """An answer other than 200/304: HTTP status and French text for the body."""

    def __init__(self, statut: HTTPStatus, texte: str, *, entetes: dict[str, str] | None = None) -> None:
        super().__init__(texte)
        self.statut = statut
        self.texte = texte
        self.entetes = entetes or {}


@dataclass(frozen=True)
class Source:
    """The export file answering a request: a plain XML file or one member of a zip."""

    fichier: Path
    membre: str | None = None

    @property
    def nom(self) -> str:
        return self.fichier.name if self.membre is None else f"{self.fichier.name}!{self.membre}"

    def copier(self, taille_max: int = TAILLE_MAX_SERVIE) -> tuple[IO[bytes], str, int]:
        """Copy the bytes into a spool (consistent with its ETag even if the file changes meanwhile); a regular
        file only, at most ``taille_max`` bytes (uncompressed), else a French 409."""
        empreinte = hashlib.sha256()
        spool: IO[bytes] = tempfile.SpooledTemporaryFile(max_size=SEUIL_MEMOIRE)  # noqa: SIM115
        taille = 0
        try:
            with ExitStack() as pile:
                brut: IO[bytes] = pile.enter_context(ouvrir_ordinaire(self.fichier, self.fichier.name))
                if self.membre is None:
                    flux = brut
                else:
                    archive = pile.enter_context(zipfile.ZipFile(brut))
                    flux = pile.enter_context(archive.open(self.membre))
                while bloc := flux.read(TAILLE_BLOC):
                    taille += len(bloc)
                    if taille > taille_max:
                        raise RefusS3E(HTTPStatus.CONFLICT,
                                       f"L'export « {self.nom} » dépasse {taille_max // (1024 * 1024)} Mo : il n'est "
                                       "pas servi. Remplacez-le par l'export d'origine.")
                    empreinte.update(bloc)
                    spool.write(bloc)
            spool.seek(0)
        except SourceInvalideError as exc:  # not a regular file (device, pipe…), or unreadable
            spool.close()
            raise RefusS3E(HTTPStatus.CONFLICT, f"{exc.message}.") from exc
        except zipfile.BadZipFile as exc:
            spool.close()
            raise RefusS3E(HTTPStatus.CONFLICT, f"L'archive « {self.fichier.name} » est illisible ({exc}). "
                                                "Remplacez-la par l'export d'origine.") from exc
        except BaseException:
            spool.close()
            raise
        return spool, f'"{empreinte.hexdigest()}"', taille


def trouver_source(dossier: Path, uai: str, ressource: str) -> Source:
    """The one export of ``dossier`` answering ``ressource``; ``RefusS3E`` (404/409) otherwise.

    Candidates: a file with the expected name (case ignored), or a zip holding exactly one member with
    that name (a zip may hold other exports too). Several candidates are refused, never guessed.
    """
    attendus = RESSOURCES[ressource]
    candidats: list[Source] = []
    for fichier in sorted(dossier.iterdir()):
        if not fichier.is_file():
            continue
        if attendus.correspond(fichier.name, uai):
            candidats.append(Source(fichier))
        elif fichier.suffix.lower() == ".zip":
            candidats.extend(_membres_du_zip(fichier, uai, attendus))
    if not candidats:
        raise RefusS3E(HTTPStatus.NOT_FOUND,
                       f"Ressource « {ressource} » absente pour l'établissement {uai} : "
                       f"aucun fichier {attendus.description(uai)} dans le dossier des exports.")
    if len(candidats) > 1:
        noms = ", ".join(source.nom for source in candidats)
        raise RefusS3E(HTTPStatus.CONFLICT,
                       f"Ressource « {ressource} » ambiguë pour l'établissement {uai} : plusieurs fichiers "
                       f"conviennent ({noms}). Gardez-en un seul dans le dossier des exports.")
    return candidats[0]


def _membres_du_zip(archive: Path, uai: str, attendus: FichiersAttendus) -> list[Source]:
    try:
        with zipfile.ZipFile(archive) as contenu:
            return [Source(archive, info.filename) for info in contenu.infolist()
                    if not info.is_dir() and attendus.correspond(info.filename.rsplit("/", 1)[-1], uai)]
    except (zipfile.BadZipFile, OSError) as exc:
        raise RefusS3E(HTTPStatus.CONFLICT,
                       f"L'archive « {archive.name} » est illisible ({exc}). Remplacez-la par l'export "
                       f"d'origine.") from exc


def etag_correspond(if_none_match: str, etag: str) -> bool:
    """Weak comparison of RFC 9110 §13.1.2: ``*`` or any listed tag equal to ``etag``, ``W/`` ignored."""
    valeur = if_none_match.strip()
    if valeur == "*":
        return True
    attendu = etag.removeprefix("W/")
    return any(candidat.strip().removeprefix("W/") == attendu for candidat in valeur.split(","))


class ServeurS3E(ThreadingHTTPServer):
    """A ``ThreadingHTTPServer`` over a folder of exports, with a journal of answered requests."""

    daemon_threads = True

    def __init__(self, exports: Path, adresse: tuple[str, int], jeton: str | None) -> None:
        if ":" in adresse[0]:
            self.address_family = socket.AF_INET6
        self.exports = exports
        self.jeton = jeton
        self._journal: deque[RequeteJournal] = deque(maxlen=TAILLE_JOURNAL)
        self._verrou_journal = threading.Lock()
        super().__init__(adresse, GestionnaireS3E)

    def server_bind(self) -> None:
        # HTTPServer.server_bind resolves the host name (socket.getfqdn), which can be slow: skip it.
        socketserver.TCPServer.server_bind(self)
        hote, port = self.server_address[:2]
        self.server_name = str(hote)
        self.server_port = int(port)

    @property
    def url(self) -> str:
        hote, port = self.server_address[:2]
        hote = f"[{hote}]" if ":" in str(hote) else str(hote)
        return f"http://{hote}:{port}"

    def handle_error(self, request: object, client_address: object) -> None:
        # A client that goes away is not an error of the server; anything else is logged, not printed.
        exc = sys.exc_info()[1]
        if isinstance(exc, (ConnectionResetError, BrokenPipeError, TimeoutError)):
            return
        logger.error("Erreur du serveur S3E local pendant une requête", exc_info=exc)

    def noter(self, requete: RequeteJournal) -> None:
        with self._verrou_journal:
            self._journal.append(requete)

    def requetes(self) -> list[RequeteJournal]:
        """The answered requests, oldest first (the last ``TAILLE_JOURNAL`` ones)."""
        with self._verrou_journal:
            return list(self._journal)

    def vider_journal(self) -> None:
        with self._verrou_journal:
            self._journal.clear()


class GestionnaireS3E(BaseHTTPRequestHandler):
    server: ServeurS3E
    protocol_version = "HTTP/1.1"
    server_version = "S3E-local/1.0"
    timeout = 30  # seconds a client may stay silent before its connection is dropped

    def version_string(self) -> str:
        return self.server_version

    def do_GET(self) -> None:
        self._repondre(corps=True)

    def do_HEAD(self) -> None:
        self._repondre(corps=False)

    def _methode_refusee(self) -> None:
        self.close_connection = True  # a body may follow that we do not read
        self._refuser(RefusS3E(HTTPStatus.METHOD_NOT_ALLOWED,
                               f"Méthode {self.command} refusée : le service S3E ne répond qu'à GET et HEAD.",
                               entetes={"Allow": "GET, HEAD"}), corps=True)

    do_POST = do_PUT = do_DELETE = do_PATCH = do_OPTIONS = _methode_refusee  # noqa: N815

    def _repondre(self, *, corps: bool) -> None:
        try:
            self._verifier_jeton()
            dossier, uai, ressource = self._analyser_chemin()
            source = trouver_source(dossier, uai, ressource)
            spool, etag, taille = source.copier()
        except RefusS3E as refus:
            self._refuser(refus, corps=corps)
            return
        except OSError:
            logger.exception("Lecture impossible d'un export pour %s", self._chemin())
            self._refuser(RefusS3E(HTTPStatus.INTERNAL_SERVER_ERROR,
                                   "Lecture impossible de l'export sur le serveur S3E local."), corps=corps)
            return
        with spool:
            if_none_match = self.headers.get("If-None-Match")
            if if_none_match is not None and etag_correspond(if_none_match, etag):
                self.send_response(HTTPStatus.NOT_MODIFIED)
                self.send_header("ETag", etag)
                self.end_headers()
                return
            self.send_response(HTTPStatus.OK)
            self.send_header("Content-Type", "application/xml")
            self.send_header("Content-Length", str(taille))
            self.send_header("ETag", etag)
            self.send_header("Cache-Control", "no-cache")
            self.end_headers()
            if corps:
                try:
                    shutil.copyfileobj(spool, self.wfile, TAILLE_BLOC)
                except (BrokenPipeError, ConnectionResetError):
                    self.close_connection = True

    def _chemin(self) -> str:
        return urlsplit(getattr(self, "path", "")).path

    def _verifier_jeton(self) -> None:
        if self.server.jeton is None:
            return
        autorisation = self.headers.get("Authorization", "")
        schema, _, fourni = autorisation.partition(" ")
        if schema.lower() == "bearer" and hmac.compare_digest(fourni.strip().encode(), self.server.jeton.encode()):
            return
        if not autorisation:
            texte = "Jeton d'accès absent : envoyez l'en-tête « Authorization: Bearer <jeton> »."
            defi = 'Bearer realm="S3E"'
        else:
            texte = "Jeton d'accès refusé : vérifiez le jeton configuré pour le service S3E."
            defi = 'Bearer realm="S3E", error="invalid_token"'
        raise RefusS3E(HTTPStatus.UNAUTHORIZED, texte, entetes={"WWW-Authenticate": defi})

    def _analyser_chemin(self) -> tuple[Path, str, str]:
        chemin = self._chemin()
        segments = chemin.strip("/").split("/") if chemin.strip("/") else []
        if any(s in ("", ".", "..") or "%" in s or "\\" in s or "\x00" in s for s in segments):
            raise RefusS3E(HTTPStatus.BAD_REQUEST, "Chemin invalide : attendu /<UAI>/bee/<ressource> ou "
                                                   "/<UAI>/sts/emp.")
        if len(segments) != 3:
            raise RefusS3E(HTTPStatus.NOT_FOUND, "Ressource inconnue : attendu /<UAI>/bee/eleves, "
                                                 "bee/responsables, bee/nomenclatures, bee/structures, "
                                                 "bee/communs ou sts/emp.")
        uai, ressource = segments[0], "/".join(segments[1:])
        if not UAI_VALIDE.fullmatch(uai):
            raise RefusS3E(HTTPStatus.BAD_REQUEST,
                           f"UAI invalide « {uai[:20]} » : attendu 7 chiffres et une lettre majuscule.")
        if ressource not in RESSOURCES:
            raise RefusS3E(HTTPStatus.NOT_FOUND, f"Ressource inconnue « {ressource[:40]} » : attendu "
                                                 f"{', '.join(RESSOURCES)}.")
        dossier = self.server.exports / uai
        if not dossier.is_dir():
            raise RefusS3E(HTTPStatus.NOT_FOUND, f"Établissement {uai} inconnu du serveur S3E local.")
        return dossier, uai, ressource

    def _refuser(self, refus: RefusS3E, *, corps: bool) -> None:
        texte = (refus.texte + "\n").encode("utf-8")
        self.send_response(refus.statut)
        for nom, valeur in refus.entetes.items():
            self.send_header(nom, valeur)
        self.send_header("Content-Type", "text/plain; charset=utf-8")
        self.send_header("Content-Length", str(len(texte)))
        self.end_headers()
        if corps:
            self.wfile.write(texte)

    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        statut = int(code) if str(code).isdigit() else 0
        chemin = self._chemin()
        entetes = getattr(self, "headers", None)
        conditionnelle = entetes is not None and "If-None-Match" in entetes
        self.server.noter(RequeteJournal(self.command or "-", chemin, statut, conditionnelle))
        logger.info("%s %s %s", self.command, chemin, statut)

    def log_error(self, format: str, *args: object) -> None:
        # The default text may quote the raw request line: keep only the status.
        logger.warning("Requête S3E refusée (%s)", args[0] if args else "?")

    def log_message(self, format: str, *args: object) -> None:
        logger.debug(format, *args)


def creer_serveur(exports: Path, *, hote: str = "127.0.0.1", port: int = 0,
                  jeton: str | None = None) -> ServeurS3E:
    """A server bound to ``hote:port`` (0: a free port), not yet serving (call ``serve_forever``)."""
    exports = Path(exports)
    if not exports.is_dir():
        raise SourceInvalideError(str(exports), "le dossier des exports n'existe pas",
                                  correction="Indiquez un dossier contenant un sous-dossier par UAI "
                                             "(par exemple DIR/0999001X/ElevesSansAdresses.xml)")
    return ServeurS3E(exports.resolve(), (hote, port), jeton)


def servir(exports: Path, port: int = 0, jeton: str | None = None, *, hote: str = "127.0.0.1") -> None:
    """Serve until interrupted (Ctrl-C); for ``lsun-events s3e --exports DIR [--port P] [--jeton T]``."""
    serveur = creer_serveur(exports, hote=hote, port=port, jeton=jeton)
    if not logging.getLogger().handlers:
        logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s")
    print(f"Serveur S3E local sur {serveur.url} (exports : {serveur.exports})", flush=True)
    try:
        serveur.serve_forever()
    except KeyboardInterrupt:
        print("Serveur S3E arrêté.", flush=True)
    finally:
        serveur.server_close()
