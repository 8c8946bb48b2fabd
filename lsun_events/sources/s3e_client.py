"""The S3E client: downloads the BEE and STS documents of one établissement (SPEC §5).

``GET {base}/{uai}/bee/eleves`` (required), ``bee/responsables``, ``bee/nomenclatures``, ``bee/structures``,
``bee/communs`` (optional: a 404 means the resource is absent) and ``sts/emp`` (required), with a bearer
token, timeouts, retries (GET only, with backoff, on connection errors and 429/500/502/503/504, respecting
``Retry-After``), a body size limit, and ``If-None-Match`` with the ETags of the previous download.

ETags. ``telecharger(uai, etags=précédent.etags)`` sends each known ETag. When every resource is unchanged
(304, or still absent) the result is ``inchange`` and carries no documents. As soon as one resource has
changed, the rest are fetched without ``If-None-Match`` and those that answered 304 before the change was
seen are fetched again unconditionally: a snapshot is always the six documents of one download, never a
mix of new bytes and bytes kept from an earlier run (the client keeps no document between calls).
A key missing from ``etags`` means "absent last time" (an optional resource that answered 404) or "the
server gave no ETag": that resource is asked without condition, and a 200 counts as a change.

Origin. Redirects are followed by hand, and only within the configured origin (scheme, host and port):
a redirect elsewhere is refused in French before anything is read from the other host (requests would
otherwise follow it, and the documents of another server would be saved). At most ``REDIRECTIONS_MAX``.

Journal. urllib3 logs its retries and oddities in English (``Retrying (Retry(total=1…)) after connection
broken by…``); those records (WARNING and above) are rewritten in French on their way to any handler.

Memory. Bodies are spooled to a ``SpooledTemporaryFile`` past ``seuil_memoire`` bytes: hundreds of MB
never sit in RAM. ``ResultatS3E.fermer()`` (or ``with resultat:``) releases them; so does garbage
collection. Every error is an ``S3EIndisponibleError`` naming the URL, in French (an invalid UAI, refused
before any request, is a plain ``SourceInvalideError``).

One ``ClientS3E`` holds one ``requests.Session``: use it from one thread at a time.
"""

from __future__ import annotations

import http.client
import io
import logging
import re
import tempfile
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import IO, TYPE_CHECKING, BinaryIO, Literal, cast
from urllib.parse import urljoin, urlsplit, urlunsplit

import requests
from requests.adapters import HTTPAdapter
from urllib3.exceptions import (
    ConnectTimeoutError,
    DecodeError,
    HTTPError,
    IncompleteRead,
    NewConnectionError,
    ProtocolError,
    ReadTimeoutError,
    SSLError,
)
from urllib3.util.retry import Retry

from lsun_events.exploitation import metriques
from lsun_events.sources.documents import Document, JeuDocuments
from lsun_events.sources.erreurs import S3EIndisponibleError, SourceInvalideError

if TYPE_CHECKING:
    from urllib3.response import BaseHTTPResponse


@dataclass(frozen=True)
class RessourceS3E:
    cle: str  # key in ResultatS3E.etags
    chemin: str  # after {base}/{uai}/
    requise: bool
    champ: str  # field of JeuDocuments


# Required ones first: an unknown UAI is reported on the first request.
RESSOURCES: tuple[RessourceS3E, ...] = (
    RessourceS3E("eleves", "bee/eleves", True, "eleves"),
    RessourceS3E("sts", "sts/emp", True, "sts"),
    RessourceS3E("responsables", "bee/responsables", False, "responsables"),
    RessourceS3E("nomenclatures", "bee/nomenclatures", False, "nomenclature"),
    RessourceS3E("structures", "bee/structures", False, "structures"),
    RessourceS3E("communs", "bee/communs", False, "communs"),
)

UAI_VALIDE = re.compile(r"[0-9]{7}[A-Z]")
STATUTS_REESSAYES = frozenset({429, 500, 502, 503, 504})
TAILLE_MAX_DEFAUT = 500 * 1024 * 1024
# The longest one document's body may take to arrive, whatever the pace: the read timeout only bounds the wait
# for the next bytes, so a server sending a byte now and then would otherwise hold a run (or a worker) forever.
DUREE_MAX_DOCUMENT_DEFAUT = 600.0
SEUIL_MEMOIRE_DEFAUT = 4 * 1024 * 1024
TAILLE_BLOC = 64 * 1024
REDIRECTIONS_MAX = 5  # within the configured origin; any redirect elsewhere is refused
ATTENTE_MAX_RETRY_AFTER = 30.0  # seconds: a longer Retry-After is shortened to this
TYPES_XML = ("application/xml", "text/xml")
TYPES_HTML = ("text/html", "application/xhtml+xml")
_HTML = re.compile(rb"<!doctype\s+html|<html[\s>]", re.IGNORECASE)

Delai = float | tuple[float, float]


class _RetryS3E(Retry):
    """``Retry`` whose wait on ``Retry-After`` is bounded (a server cannot park us for hours)."""

    def get_retry_after(self, response: BaseHTTPResponse) -> float | None:
        attente = super().get_retry_after(response)
        return None if attente is None else min(attente, ATTENTE_MAX_RETRY_AFTER)


class TamponS3E:
    """The bytes of one answer, in memory then on disk; opened any number of times, each with its position."""

    def __init__(self, seuil_memoire: int) -> None:
        self._fichier: IO[bytes] = tempfile.SpooledTemporaryFile(max_size=seuil_memoire)  # noqa: SIM115
        self._verrou = threading.Lock()
        self.taille = 0

    def ecrire(self, donnees: bytes) -> None:
        with self._verrou:
            self._fichier.seek(0, io.SEEK_END)
            self._fichier.write(donnees)
            self.taille += len(donnees)

    def lire(self, position: int, taille: int) -> bytes:
        with self._verrou:
            if self._fichier.closed:
                raise ValueError("document S3E déjà libéré (ResultatS3E.fermer a été appelé)")
            self._fichier.seek(position)
            return self._fichier.read(taille)

    def ouvrir(self) -> BinaryIO:
        return cast("BinaryIO", io.BufferedReader(_LecteurTampon(self), buffer_size=TAILLE_BLOC))

    def debut(self, taille: int = 1024) -> bytes:
        return self.lire(0, taille)

    def fermer(self) -> None:
        with self._verrou:
            self._fichier.close()


class _LecteurTampon(io.RawIOBase):
    def __init__(self, tampon: TamponS3E) -> None:
        self._tampon = tampon
        self._position = 0

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def readinto(self, tampon: bytearray | memoryview) -> int:  # type: ignore[override]
        donnees = self._tampon.lire(self._position, len(tampon))
        tampon[: len(donnees)] = donnees
        self._position += len(donnees)
        return len(donnees)

    def seek(self, decalage: int, origine: int = io.SEEK_SET) -> int:
        base = {io.SEEK_SET: 0, io.SEEK_CUR: self._position, io.SEEK_END: self._tampon.taille}[origine]
        self._position = max(0, base + decalage)
        return self._position

    def tell(self) -> int:
        return self._position


@dataclass
class ResultatS3E:
    """One download: unchanged (no documents), or the complete set of documents and their ETags."""

    inchange: bool
    etags: dict[str, str]
    documents: JeuDocuments | None
    _tampons: list[TamponS3E] = field(default_factory=list, repr=False)

    def fermer(self) -> None:
        """Release the downloaded bytes (the documents can no longer be opened)."""
        for tampon in self._tampons:
            tampon.fermer()

    def __enter__(self) -> ResultatS3E:
        return self

    def __exit__(self, *exc: object) -> None:
        self.fermer()


@dataclass
class _Reponse:
    etat: Literal["telecharge", "non_modifie", "absent", "modifie"]  # "modifie": 200 whose body was not read
    url: str
    etag: str | None = None
    tampon: TamponS3E | None = None


class ClientS3E:
    """Reads one établissement's documents from the S3E web service."""

    def __init__(self, base_url: str, *, jeton: str | None = None, timeout: Delai = (5, 60),
                 tentatives: int = 3, backoff: float = 0.5, taille_max: int = TAILLE_MAX_DEFAUT,
                 seuil_memoire: int = SEUIL_MEMOIRE_DEFAUT,
                 duree_max_document: float = DUREE_MAX_DOCUMENT_DEFAUT) -> None:
        self.base_url = _verifier_base(base_url)
        self.timeout = timeout
        self.duree_max_document = duree_max_document
        self.tentatives = max(1, tentatives)
        self.taille_max = taille_max
        self.seuil_memoire = seuil_memoire
        self._jeton = jeton
        self._derniers_etags: dict[str, dict[str, str]] = {}
        self._session = requests.Session()
        nouvelles_tentatives = _RetryS3E(
            total=self.tentatives - 1, backoff_factor=backoff, status_forcelist=STATUTS_REESSAYES,
            allowed_methods=frozenset({"GET"}), respect_retry_after_header=True, raise_on_status=False)
        adaptateur = HTTPAdapter(max_retries=nouvelles_tentatives)
        self._session.mount("http://", adaptateur)
        self._session.mount("https://", adaptateur)
        self._session.headers["User-Agent"] = "lsun-events (client S3E)"
        self._session.headers["Accept"] = "application/xml, text/xml;q=0.9"
        if jeton is not None:
            self._session.headers["Authorization"] = f"Bearer {jeton}"

    def fermer(self) -> None:
        self._session.close()

    def __enter__(self) -> ClientS3E:
        return self

    def __exit__(self, *exc: object) -> None:
        self.fermer()

    # -- public API -------------------------------------------------------------------------------------

    def telecharger(self, uai: str, *, etags: Mapping[str, str] | None = None) -> ResultatS3E:
        """The six documents of ``uai``, or ``inchange`` when ``etags`` (of the previous download) still hold."""
        uai = self._verifier_uai(uai)
        connus = dict(etags) if etags is not None else None
        reponses: dict[str, _Reponse] = {}
        change = connus is None
        try:
            for ressource in RESSOURCES:
                etag = None if change or connus is None else connus.get(ressource.cle)
                reponse = self._recuperer(uai, ressource, etag, lire_corps=True)
                reponses[ressource.cle] = reponse
                change = change or _a_change(ressource, reponse, connus)
            if not change:
                for reponse in reponses.values():
                    if reponse.tampon is not None:
                        reponse.tampon.fermer()
                resultat = ResultatS3E(True, _etags(reponses), None)
            else:
                for ressource in RESSOURCES:
                    if reponses[ressource.cle].etat == "non_modifie":
                        reponses[ressource.cle] = self._recuperer(uai, ressource, None, lire_corps=True)
                resultat = _resultat_complet(reponses)
        except BaseException:
            for reponse in reponses.values():
                if reponse.tampon is not None:
                    reponse.tampon.fermer()
            raise
        self._derniers_etags[uai] = dict(resultat.etags)
        return resultat

    def verifier(self, uai: str, *, etags: Mapping[str, str] | None = None) -> bool:
        """True if anything changed since ``etags`` (default: those of this client's last download of ``uai``).

        Conditional requests only: a 200 answer is closed without reading its body. Stops at the first
        change. Without any known ETag, everything counts as changed.
        """
        uai = self._verifier_uai(uai)
        connus = dict(etags) if etags is not None else self._derniers_etags.get(uai)
        if connus is None:
            return True
        for ressource in RESSOURCES:
            reponse = self._recuperer(uai, ressource, connus.get(ressource.cle), lire_corps=False)
            if _a_change(ressource, reponse, connus):
                return True
        return False

    # -- one request ------------------------------------------------------------------------------------

    def _url(self, uai: str, ressource: RessourceS3E) -> str:
        return f"{self.base_url}/{uai}/{ressource.chemin}"

    def _verifier_uai(self, uai: str) -> str:
        normalise = uai.strip().upper()
        if not UAI_VALIDE.fullmatch(normalise):
            raise SourceInvalideError(_sans_identifiants(self.base_url),
                                      f"l'UAI « {uai} » n'est pas valide",
                                      correction="Indiquez un UAI de 7 chiffres suivis d'une lettre "
                                                 "(par exemple 0999001X)")
        return normalise

    def _recuperer(self, uai: str, ressource: RessourceS3E, etag: str | None, *,
                   lire_corps: bool) -> _Reponse:
        url = self._url(uai, ressource)
        nom = _sans_identifiants(url)
        entetes = {"If-None-Match": etag} if etag is not None else {}
        reponse = self._get(nom, url, entetes)
        with reponse:
            statut = reponse.status_code
            if statut == 304 and etag is not None:
                return _Reponse("non_modifie", nom, reponse.headers.get("ETag") or etag)
            if statut == 404 and not ressource.requise:
                return _Reponse("absent", nom)
            if statut != 200:
                raise self._erreur_statut(nom, uai, ressource, reponse)
            nouvel_etag = reponse.headers.get("ETag")
            if not lire_corps:
                return _Reponse("modifie", nom, nouvel_etag)
            self._verifier_type(nom, reponse)
            tampon = self._lire_corps(nom, reponse)
        try:
            _verifier_debut(nom, tampon)
        except BaseException:
            tampon.fermer()
            raise
        return _Reponse("telecharge", nom, nouvel_etag, tampon)

    def _get(self, nom: str, url: str, entetes: Mapping[str, str]) -> requests.Response:
        """The answer to ``GET url``, following redirects only within the configured origin."""
        origine = _origine(self.base_url)
        for _ in range(REDIRECTIONS_MAX + 1):
            debut = time.monotonic()
            try:
                reponse = self._session.get(url, headers=entetes, timeout=self.timeout, stream=True,
                                            allow_redirects=False)
            except requests.RequestException as exc:
                metriques.requete_s3e(None, time.monotonic() - debut)
                raise self._erreur_requete(nom, exc) from exc
            metriques.requete_s3e(reponse.status_code, time.monotonic() - debut)
            if not reponse.is_redirect:
                return reponse
            cible = urljoin(url, reponse.headers.get("Location", ""))
            reponse.close()
            if _origine(cible) != origine:
                raise _erreur_redirection(nom, cible, self.base_url)
            url = cible
        raise S3EIndisponibleError(nom, f"le service S3E redirige plus de {REDIRECTIONS_MAX} fois de suite",
                                   correction="Vérifiez l'adresse du service ; si cela persiste, contactez son "
                                              "administrateur")

    def _verifier_type(self, nom: str, reponse: requests.Response) -> None:
        type_contenu = reponse.headers.get("Content-Type", "").split(";")[0].strip().lower()
        if type_contenu in TYPES_HTML:
            raise _erreur_html(nom)

    def _lire_corps(self, nom: str, reponse: requests.Response) -> TamponS3E:
        annoncee = _entier(reponse.headers.get("Content-Length"))
        if annoncee is not None and annoncee > self.taille_max:
            raise self._erreur_trop_gros(nom, annoncee)
        tampon = TamponS3E(self.seuil_memoire)
        limite = time.monotonic() + self.duree_max_document
        try:
            # ``read1``: whatever has arrived (at most a block), so the deadline is checked as bytes come in.
            while bloc := reponse.raw.read1(TAILLE_BLOC, decode_content=True):
                tampon.ecrire(bloc)
                if tampon.taille > self.taille_max:
                    raise self._erreur_trop_gros(nom, None)
                if time.monotonic() > limite:
                    raise _erreur_trop_lent(nom, self.duree_max_document, tampon.taille)
            encodee = reponse.headers.get("Content-Encoding", "identity").lower() != "identity"
            if annoncee is not None and not encodee and tampon.taille != annoncee:
                raise _erreur_tronquee(nom, tampon.taille, annoncee)
        except (requests.RequestException, HTTPError) as exc:
            tampon.fermer()
            cause = _cause(exc, (ReadTimeoutError,))
            if cause is not None:
                raise _erreur_delai(nom, _lecture(self.timeout), self.tentatives, pendant_corps=True) from exc
            raise _erreur_tronquee(nom, tampon.taille, annoncee, exc) from exc
        except BaseException:
            tampon.fermer()
            raise
        return tampon

    # -- errors -----------------------------------------------------------------------------------------

    def _erreur_requete(self, nom: str, exc: requests.RequestException) -> S3EIndisponibleError:
        # After the retries, requests wraps urllib3's reason in a ConnectionError: look into the chain.
        # (urllib3's NewConnectionError, a refused connection, subclasses ConnectTimeoutError.)
        delai = _cause(exc, (NewConnectionError, ConnectTimeoutError, ReadTimeoutError))
        if isinstance(exc, requests.ConnectTimeout) or (
                isinstance(delai, ConnectTimeoutError) and not isinstance(delai, NewConnectionError)):
            return S3EIndisponibleError(
                nom, f"le service S3E n'a pas accepté la connexion en {_connexion(self.timeout):g} s"
                     f"{_apres(self.tentatives)}",
                correction="Vérifiez l'adresse du service et le réseau (pare-feu, proxy), puis réessayez")
        if isinstance(exc, requests.ReadTimeout) or isinstance(delai, ReadTimeoutError):
            return _erreur_delai(nom, _lecture(self.timeout), self.tentatives)
        if isinstance(exc, requests.exceptions.SSLError):
            return S3EIndisponibleError(nom, f"la connexion sécurisée (TLS) au service S3E a échoué ({exc})",
                                        correction="Vérifiez l'adresse du service et son certificat")
        if _cause(exc, (NewConnectionError,)) is not None:
            return S3EIndisponibleError(
                nom, f"impossible de joindre le service S3E{_apres(self.tentatives)} (connexion refusée ou "
                     "adresse inconnue)",
                correction="Vérifiez l'adresse du service et qu'il est démarré, puis réessayez")
        if _cause(exc, (ProtocolError,)) is not None:
            return S3EIndisponibleError(
                nom, f"le service S3E a fermé la connexion sans répondre{_apres(self.tentatives)}",
                correction="Réessayez plus tard ; si cela persiste, contactez l'administrateur du service")
        if isinstance(exc, requests.TooManyRedirects):
            return S3EIndisponibleError(nom, "le service S3E redirige sans fin",
                                        correction="Vérifiez l'adresse du service")
        return S3EIndisponibleError(nom, f"la requête au service S3E a échoué ({type(exc).__name__} : {exc})",
                                    correction="Vérifiez l'adresse du service et le réseau, puis réessayez")

    def _erreur_statut(self, nom: str, uai: str, ressource: RessourceS3E,
                       reponse: requests.Response) -> S3EIndisponibleError:
        statut = reponse.status_code
        detail = _texte_du_serveur(reponse)
        if statut == 401:
            if self._jeton is None:
                return S3EIndisponibleError(
                    nom, f"le service S3E demande un jeton d'accès (HTTP 401){detail}",
                    correction="Indiquez le jeton d'accès du service (option --jeton)")
            return S3EIndisponibleError(nom, f"le service S3E a refusé le jeton d'accès (HTTP 401){detail}",
                                        correction="Vérifiez le jeton d'accès (option --jeton)")
        if statut == 403:
            return S3EIndisponibleError(
                nom, f"le jeton d'accès ne donne pas accès à l'établissement {uai} (HTTP 403){detail}",
                correction="Vérifiez le jeton et l'UAI, ou demandez l'accès à l'administrateur du service")
        if statut == 404:
            return S3EIndisponibleError(
                nom, f"le service S3E ne connaît pas l'établissement {uai} ou n'a pas la ressource "
                     f"obligatoire « {ressource.chemin} » (HTTP 404){detail}",
                correction="Vérifiez l'UAI et l'adresse du service")
        if statut in STATUTS_REESSAYES:
            return S3EIndisponibleError(
                nom, f"le service S3E a répondu HTTP {statut}{_apres(self.tentatives)}{detail}",
                correction="Réessayez plus tard ; si cela persiste, contactez l'administrateur du service")
        if statut == 304:
            return S3EIndisponibleError(nom, "le service S3E a répondu 304 (non modifié) à une requête non "
                                             "conditionnelle", correction="Contactez l'administrateur du service")
        return S3EIndisponibleError(nom, f"le service S3E a répondu HTTP {statut}{detail}",
                                    correction="Vérifiez l'adresse du service ; si cela persiste, contactez "
                                               "son administrateur")

    def _erreur_trop_gros(self, nom: str, annoncee: int | None) -> S3EIndisponibleError:
        limite = _taille_lisible(self.taille_max)
        taille = f" ({_taille_lisible(annoncee)} annoncés)" if annoncee is not None else ""
        return S3EIndisponibleError(nom, f"la réponse du service S3E dépasse la taille maximale de "
                                         f"{limite}{taille}; rien n'a été lu",
                                    correction="Vérifiez l'adresse du service ; si l'export est vraiment si "
                                               "gros, augmentez la limite (taille_max)")


# -- helpers --------------------------------------------------------------------------------------------

def _a_change(ressource: RessourceS3E, reponse: _Reponse, connus: Mapping[str, str] | None) -> bool:
    if connus is None:
        return True
    if reponse.etat == "non_modifie":
        return False
    if reponse.etat == "absent":
        return ressource.cle in connus
    # A 200: unchanged only if the server ignored If-None-Match but sent the same strong ETag.
    return reponse.etag is None or reponse.etag.startswith("W/") or connus.get(ressource.cle) != reponse.etag


def _etags(reponses: Mapping[str, _Reponse]) -> dict[str, str]:
    return {cle: reponse.etag for cle, reponse in reponses.items()
            if reponse.etat != "absent" and reponse.etag is not None}


def _resultat_complet(reponses: Mapping[str, _Reponse]) -> ResultatS3E:
    documents: dict[str, Document | None] = {}
    tampons: list[TamponS3E] = []
    for ressource in RESSOURCES:
        reponse = reponses[ressource.cle]
        if reponse.tampon is None:
            documents[ressource.champ] = None
            continue
        tampons.append(reponse.tampon)
        documents[ressource.champ] = Document(nom=reponse.url, ouvrir=reponse.tampon.ouvrir)
    eleves, sts = documents.pop("eleves"), documents.pop("sts")
    assert eleves is not None and sts is not None  # required: a 404 raised before
    jeu = JeuDocuments(eleves=eleves, sts=sts, origine="s3e", **documents)
    return ResultatS3E(False, _etags(reponses), jeu, tampons)


def _verifier_base(base_url: str) -> str:
    base = base_url.strip().rstrip("/")
    morceaux = urlsplit(base)
    if morceaux.scheme not in ("http", "https") or not morceaux.netloc:
        raise S3EIndisponibleError(base_url, "l'adresse du service S3E n'est pas une adresse http:// ou "
                                             "https://", correction="Indiquez par exemple "
                                                                    "https://s3e.example.fr/api")
    return base


def _origine(url: str) -> tuple[str, str, int | None]:
    """Scheme, host and port of ``url`` (the port made explicit), to compare two addresses."""
    morceaux = urlsplit(url)
    schema = morceaux.scheme.lower()
    try:
        port = morceaux.port
    except ValueError:  # a port that is not a number: never the configured origin
        return schema, morceaux.netloc, -1
    return schema, (morceaux.hostname or "").rstrip("."), port or {"http": 80, "https": 443}.get(schema)


def _erreur_redirection(nom: str, cible: str, base: str) -> S3EIndisponibleError:
    montree = _sans_identifiants(cible)
    montree = montree if len(montree) <= 200 else montree[:200] + "…"
    return S3EIndisponibleError(
        nom, f"le service S3E redirige vers une autre adresse (« {montree} »), hors de l'adresse configurée "
             f"(« {_sans_identifiants(base)} ») : la redirection n'est pas suivie et rien n'est lu ni enregistré",
        correction="Vérifiez l'adresse du service (schéma http ou https, nom et port exacts) ; si le service a "
                   "vraiment changé d'adresse, configurez la nouvelle")


def _sans_identifiants(url: str) -> str:
    """The URL as shown in messages: without ``user:password@``."""
    morceaux = urlsplit(url)
    if "@" not in morceaux.netloc:
        return url
    return urlunsplit(morceaux._replace(netloc=morceaux.netloc.rsplit("@", 1)[1]))


def _verifier_debut(nom: str, tampon: TamponS3E) -> None:
    """The body must look like XML: ``<`` after an optional BOM and blanks, and not an HTML page."""
    debut = tampon.debut()
    if not debut:
        raise S3EIndisponibleError(nom, "le service S3E a répondu un document vide",
                                   correction="Vérifiez que l'export existe côté service, puis réessayez")
    if debut.startswith((b"\xff\xfe", b"\xfe\xff")):
        texte = debut[2:].decode("utf-16-le" if debut[0] == 0xFF else "utf-16-be", errors="ignore")
        debut = texte.encode("ascii", errors="ignore")
    debut = debut.removeprefix(b"\xef\xbb\xbf").lstrip()
    if _HTML.search(debut):
        raise _erreur_html(nom)
    if not debut.startswith(b"<"):
        raise S3EIndisponibleError(nom, "le service S3E a répondu autre chose qu'un document XML",
                                   correction="Vérifiez l'adresse du service")


def _erreur_html(nom: str) -> S3EIndisponibleError:
    return S3EIndisponibleError(nom, "le service S3E a répondu une page HTML au lieu du document XML attendu",
                                correction="Vérifiez l'adresse du service (un proxy ou une page de "
                                           "connexion peut s'intercaler)")


def _erreur_delai(nom: str, secondes: float, tentatives: int, *, pendant_corps: bool = False
                  ) -> S3EIndisponibleError:
    quand = " pendant l'envoi du document" if pendant_corps else _apres(tentatives)
    return S3EIndisponibleError(nom, f"le service S3E n'a pas répondu en {secondes:g} s{quand}",
                                correction="Réessayez plus tard ; si cela persiste, augmentez le délai "
                                           "ou contactez l'administrateur du service")


def _erreur_trop_lent(nom: str, secondes: float, recus: int) -> S3EIndisponibleError:
    return S3EIndisponibleError(
        nom, f"le service S3E envoie le document trop lentement ({recus} octets reçus en {secondes:g} s)",
        correction="Réessayez plus tard ; si cela persiste, contactez l'administrateur du service")


def _erreur_tronquee(nom: str, recus: int, annonces: int | None,
                     exc: BaseException | None = None) -> S3EIndisponibleError:
    incomplet = _cause(exc, (IncompleteRead, http.client.IncompleteRead)) if exc is not None else None
    if isinstance(incomplet, IncompleteRead) and isinstance(incomplet.partial, int):
        recus = max(recus, incomplet.partial)  # urllib3 counts every byte of the body read so far
    elif isinstance(incomplet, http.client.IncompleteRead):
        recus += len(incomplet.partial)  # bytes of the last read, received before the connection broke
    sur = f" sur {annonces} annoncés" if annonces is not None else ""
    if exc is not None and _cause(exc, (DecodeError,)) is not None:
        probleme = f"la réponse du service S3E est illisible (compression invalide après {recus} octets)"
    else:
        probleme = f"la réponse du service S3E est incomplète (connexion interrompue après {recus} octets{sur})"
    return S3EIndisponibleError(nom, probleme, correction="Réessayez ; rien n'a été lu de cette réponse")


def _texte_du_serveur(reponse: requests.Response) -> str:
    """`` (réponse du service : …)`` with the start of a text/plain error body, else nothing."""
    if not reponse.headers.get("Content-Type", "").lower().startswith("text/plain"):
        return ""
    try:
        brut = reponse.raw.read(400, decode_content=True) or b""
    except Exception:  # a broken error body must not hide the status
        return ""
    texte = " ".join(brut.decode(reponse.encoding or "utf-8", errors="replace").split())[:300].rstrip(".")
    return f" (réponse du service : {texte})" if texte else ""


def _cause(exc: BaseException, types: tuple[type[BaseException], ...]) -> BaseException | None:
    """The first exception of ``types`` in the chain of ``exc`` (args, ``reason``, causes)."""
    vus: set[int] = set()
    a_voir: list[object] = [exc]
    while a_voir:
        courante = a_voir.pop(0)
        if not isinstance(courante, BaseException) or id(courante) in vus:
            continue
        vus.add(id(courante))
        if isinstance(courante, types):
            return courante
        a_voir.extend([*courante.args, getattr(courante, "reason", None), courante.__cause__,
                       courante.__context__])
    return None


def _entier(valeur: str | None) -> int | None:
    try:
        return int(valeur) if valeur is not None else None
    except ValueError:
        return None


def _lecture(timeout: Delai) -> float:
    return timeout[1] if isinstance(timeout, tuple) else timeout


def _connexion(timeout: Delai) -> float:
    return timeout[0] if isinstance(timeout, tuple) else timeout


def _apres(tentatives: int) -> str:
    return "" if tentatives == 1 else f" après {tentatives} tentatives"


def _taille_lisible(octets: int) -> str:
    if octets >= 1024 * 1024:
        return f"{octets / (1024 * 1024):.0f} Mo"
    if octets >= 1024:
        return f"{octets / 1024:.0f} Ko"
    return f"{octets} octets"



# -- urllib3's journal, in French ------------------------------------------------------------------------

# A logger's filters only see the records logged on it, not its children's: every module that logs is named.
_LOGGERS_URLLIB3 = ("urllib3", "urllib3.connectionpool", "urllib3.connection", "urllib3.response",
                    "urllib3.poolmanager", "urllib3.util.retry", "urllib3.contrib.pyopenssl",
                    "urllib3.http2.connection", "requests")


def _nature_reseau(erreur: object) -> str:
    if isinstance(erreur, NewConnectionError):
        return "connexion refusée ou adresse inconnue"
    if isinstance(erreur, ConnectTimeoutError):
        return "délai de connexion dépassé"
    if isinstance(erreur, ReadTimeoutError):
        return "délai de réponse dépassé"
    if isinstance(erreur, SSLError):
        return "connexion sécurisée (TLS) en échec"
    if isinstance(erreur, ProtocolError):
        return "connexion fermée par le serveur"
    return "erreur de réseau"


def _restantes(tentatives: object) -> str:
    total = getattr(tentatives, "total", None)
    if not isinstance(total, int):
        return "nouvelle tentative"
    if total <= 0:
        return "dernière tentative"
    return f"nouvelle tentative ({total} autre{'s' if total > 1 else ''} possible{'s' if total > 1 else ''} ensuite)"


def traduire_journal_urllib3(record: logging.LogRecord) -> str:
    """The French text of one of urllib3's warnings (retries, malformed answers…)."""
    gabarit = str(record.msg)
    args = record.args if isinstance(record.args, tuple) else ()
    if gabarit.startswith("Retrying") and len(args) >= 3:
        tentatives, erreur, chemin = args[:3]
        return f"Service S3E : {_nature_reseau(erreur)} sur {_sans_identifiants(str(chemin))}, {_restantes(tentatives)}"
    if gabarit.startswith("Failed to parse headers") and args:
        return (f"Service S3E : en-têtes de réponse mal formés ({_sans_identifiants(str(args[0]))}) ; la réponse "
                "est lue quand même")
    if "both Content-Length and Transfer-Encoding" in gabarit:
        return ("Service S3E : réponse ambiguë (Content-Length et Transfer-Encoding à la fois) ; la longueur annoncée "
                "est ignorée")
    if gabarit.startswith("Connection pool is full") and args:
        return f"Service S3E : trop de connexions simultanées vers {args[0]} ; une connexion est fermée"
    if gabarit.startswith("Certificate did not match") and args:
        return f"Service S3E : le certificat TLS du serveur ne correspond pas à son nom ({args[0]})"
    return ("Service S3E : la bibliothèque HTTP (urllib3) a signalé une anomalie (détail en anglais avec "
            "LSUN_JOURNAL=DEBUG)")


class JournalUrllib3EnFrancais(logging.Filter):
    """Rewrites urllib3's warnings in French (and drops their English traceback); DEBUG and INFO records, shown
    only when asked for (``LSUN_JOURNAL=DEBUG``), are left as they are."""

    lsun = True

    def filter(self, record: logging.LogRecord) -> bool:
        if record.levelno < logging.WARNING:
            return True
        if logging.getLogger(record.name).isEnabledFor(logging.DEBUG):
            record.msg = f"{traduire_journal_urllib3(record)} — détail : {record.getMessage()}"
        else:
            record.msg = traduire_journal_urllib3(record)
            record.exc_info = None
            record.exc_text = None
        record.args = None
        return True


def installer_journal_en_francais() -> None:
    """Put ``JournalUrllib3EnFrancais`` on urllib3's loggers (idempotent; done when this module is imported)."""
    for nom in _LOGGERS_URLLIB3:
        journal = logging.getLogger(nom)
        if not any(getattr(f, "lsun", False) for f in journal.filters):
            journal.addFilter(JournalUrllib3EnFrancais())


installer_journal_en_francais()
