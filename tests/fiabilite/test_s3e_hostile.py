"""The S3E client against a hostile server, through the command line (``lsun-events synchroniser --s3e``), on
both stores: a server that drops connections, stalls, sends partial or huge bodies, garbage, an HTML page or
errors. Each time: bounded retries, bounded time, a clear French error naming the URL, and nothing saved (the
store's events unchanged). Then the same server, behaving, gives a normal run.

The client's timeouts are shortened here (``ClientS3E`` defaults: connect 5 s, read 60 s, 3 attempts, 500 Mo);
the ``lourd`` variant keeps the defaults for the huge body (500 Mo streamed on 127.0.0.1)."""

from __future__ import annotations

import json
import os
import signal
import socketserver
import threading
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path

import pytest

from lsun_events.generateur import variantes as v
from lsun_events.generateur.ecriture import ecrire_exports, ecrire_s3e
from lsun_events.generateur.generation import generer
from lsun_events.interfaces.cli import main
from lsun_events.regles.calendrier import annee_scolaire
from lsun_events.sources.erreurs import S3EIndisponibleError
from lsun_events.sources.s3e_client import ClientS3E
from lsun_events.storage.config import Store
from tests.conftest import contenu_du_stockage as contenu
from tests.s3e_local import en_fond

ANNEE = annee_scolaire(date.today())
ECOLE = generer("mini", annee=ANNEE)
UAI = ECOLE.uai
FICHIERS = {"bee/eleves": "ElevesSansAdresses.xml", "bee/responsables": "ResponsablesAvecAdresses.xml",
            "bee/nomenclatures": "Nomenclature.xml", "bee/structures": "Structures.xml",
            "bee/communs": "Communs.xml", "sts/emp": ECOLE.nom_fichier_sts}
DELAI = (1.0, 0.5)  # connect, read (seconds)


class ServeurHostile(socketserver.ThreadingTCPServer):
    """HTTP/1.1 by hand, so it can misbehave at any byte: ``modes[chemin]`` says how to answer a resource."""

    daemon_threads = True
    allow_reuse_address = True
    block_on_close = False

    def __init__(self, dossier: Path) -> None:
        self.dossier = dossier
        self.modes: dict[str, str] = {}
        self.appels: Counter[str] = Counter()
        self.envoye = 0  # bytes of body sent by the huge answers
        self.arret = threading.Event()
        super().__init__(("127.0.0.1", 0), Gestionnaire)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"

    def handle_error(self, request: object, client_address: object) -> None:
        pass  # clients hanging up are expected


class Gestionnaire(socketserver.StreamRequestHandler):
    server: ServeurHostile

    def handle(self) -> None:
        ligne = self.rfile.readline(8192).decode("latin-1")
        while self.rfile.readline(8192) not in (b"\r\n", b"\n", b""):
            pass
        chemin = ligne.split(" ")[1].split("/", 2)[2] if ligne.count(" ") >= 2 else ""
        self.server.appels[chemin] += 1
        mode = self.server.modes.get(chemin, "normal")
        corps = (self.server.dossier / UAI / FICHIERS[chemin]).read_bytes() if chemin in FICHIERS else b""
        getattr(self, f"_{mode}")(corps)

    def _entetes(self, statut: str = "200 OK", longueur: int | None = None, type_: str = "application/xml",
                 autres: str = "") -> None:
        taille = f"Content-Length: {longueur}\r\n" if longueur is not None else ""
        self.wfile.write(f"HTTP/1.1 {statut}\r\nContent-Type: {type_}\r\n{taille}{autres}Connection: close\r\n\r\n"
                         .encode())

    def _normal(self, corps: bytes) -> None:
        self._entetes(longueur=len(corps))
        self.wfile.write(corps)

    def _coupe(self, corps: bytes) -> None:
        pass  # the connection closes without a byte

    def _bloque(self, corps: bytes) -> None:
        self.server.arret.wait(30)

    def _partiel(self, corps: bytes) -> None:
        self._entetes(longueur=len(corps))
        self.wfile.write(corps[: len(corps) // 3])

    def _partiel_bloque(self, corps: bytes) -> None:
        self._entetes(longueur=len(corps))
        self.wfile.write(corps[: len(corps) // 3])
        self.wfile.flush()
        self.server.arret.wait(30)

    def _enorme_annonce(self, corps: bytes) -> None:
        self._entetes(longueur=10**12)
        self.wfile.write(corps)

    def _enorme_flux(self, corps: bytes) -> None:
        self._entetes()  # no length: the body ends when the connection does
        bloc = b"<BEE_ELEVES>" + b" " * (1 << 20)
        while not self.server.arret.is_set():
            self.wfile.write(bloc)
            self.server.envoye += len(bloc)

    def _ordures(self, corps: bytes) -> None:
        donnees = b"<" + os.urandom(5000)
        self._entetes(longueur=len(donnees))
        self.wfile.write(donnees)

    def _indisponible(self, corps: bytes) -> None:
        texte = b"Maintenance en cours"
        self._entetes("503 Service Unavailable", len(texte), "text/plain", "Retry-After: 0\r\n")
        self.wfile.write(texte)

    def _goutte(self, corps: bytes) -> None:
        self._entetes(longueur=len(corps))
        for i in range(len(corps)):  # one byte every 0.3 s: each read waits less than the read timeout
            if self.server.arret.wait(0.3):
                return
            self.wfile.write(corps[i:i + 1])
            self.wfile.flush()

    def _html(self, corps: bytes) -> None:
        page = b"<!DOCTYPE html><html><body>Portail captif</body></html>"
        self._entetes(longueur=len(page), type_="text/html")
        self.wfile.write(page)


@contextmanager
def serveur_hostile(dossier: Path) -> Iterator[ServeurHostile]:
    serveur = ServeurHostile(dossier)
    with en_fond(serveur, serveur.arret):
        yield serveur


pytestmark = pytest.mark.usefixtures("sans_proxy")  # the S3E client talks to 127.0.0.1 directly


def lancer(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main([*args, "--acteur", "Mme la Principale"])
    sortie = capsys.readouterr()
    return code, sortie.out, sortie.err




# (resource, mode, what the message says, how many requests at most)
CAS = [
    ("bee/eleves", "coupe", "le service S3E a fermé la connexion sans répondre après 3 tentatives", 3),
    ("sts/emp", "bloque", "le service S3E n'a pas répondu en 0.5 s après 3 tentatives", 3),
    ("bee/responsables", "partiel", "la réponse du service S3E est incomplète (connexion interrompue après", 1),
    ("bee/structures", "partiel_bloque", "le service S3E n'a pas répondu en 0.5 s pendant l'envoi du document", 1),
    ("bee/communs", "enorme_annonce", "dépasse la taille maximale de 2 Mo (953674 Mo annoncés)", 1),
    ("bee/eleves", "enorme_flux", "la réponse du service S3E dépasse la taille maximale de 2 Mo", 1),
    ("bee/nomenclatures", "ordures", "", 1),
    ("sts/emp", "indisponible", "le service S3E a répondu HTTP 503 après 3 tentatives (réponse du service : "
                                "Maintenance en cours)", 3),
    ("bee/eleves", "html", "le service S3E a répondu une page HTML au lieu du document XML attendu", 1),
]


def test_serveur_s3e_hostile_erreur_claire_bornee_et_rien_d_enregistre(
        store: Store, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(ClientS3E.__init__.__kwdefaults__, "timeout", DELAI)  # type: ignore[index]
    monkeypatch.setitem(ClientS3E.__init__.__kwdefaults__, "backoff", 0.05)  # type: ignore[index]
    monkeypatch.setitem(ClientS3E.__init__.__kwdefaults__, "taille_max", 2 * 1024 * 1024)  # type: ignore[index]
    ecrits = ecrire_exports(ECOLE, tmp_path / "rentree")
    code, _, err = lancer(capsys, "importer", "--siecle", str(ecrits.siecle_zip), "--sts", str(ecrits.sts),
                          "--store", store.url)
    assert code == 0, err
    ecole, _ = v.ajouter_enseignant_au_service(ECOLE, "4A", "061300", nom_usage="FAURE", prenom="ALICE")
    ecrire_s3e(v.renommer_eleve(ecole, "2400102", prenoms=["Timothée-Arthur"]), tmp_path / "s3e")
    avant = contenu(store)
    commande = ["synchroniser", "--uai", UAI, "--toutes", "--s3e", "", "--jeton", "secret", "--store", store.url,
                "--json"]

    with serveur_hostile(tmp_path / "s3e") as serveur:
        commande[commande.index("--s3e") + 1] = serveur.url
        durees = {}
        for ressource, mode, attendu, requetes in CAS:
            serveur.modes = {ressource: mode}
            serveur.appels.clear()
            debut = time.monotonic()
            code, out, err = lancer(capsys, *commande)
            durees[mode] = round(time.monotonic() - debut, 2)
            assert code == 1, (mode, out)
            [ligne] = [x for x in err.splitlines() if x.startswith("Erreur : ")]  # before it: retries logged
            assert ligne.startswith(f"Erreur : Fichier « {serveur.url}/{UAI}/{ressource} » : "), (mode, err)
            assert attendu in ligne, (mode, err)
            assert "Traceback" not in err and out == ""
            assert serveur.appels[ressource] <= requetes, (mode, serveur.appels)
            assert durees[mode] < 10, (mode, durees[mode])
            assert contenu(store) == avant, f"{mode}: something was saved"

        serveur.modes = {}
        code, out, err = lancer(capsys, *commande)
    assert code == 0, err
    assert json.loads(out)["statut"] == "terminee"
    assert len(contenu(store)) > len(avant)
    print(f"\nS3E hostile ({store.kind}) : durées par cas {durees} ; envoyé par le flux énorme : "
          f"{serveur.envoye // (1 << 20)} Mo")


@pytest.mark.lourd
def test_corps_enorme_avec_les_limites_par_defaut(store_sqlite: Store, tmp_path: Path,
                                                  capsys: pytest.CaptureFixture[str]) -> None:
    ecrits = ecrire_exports(ECOLE, tmp_path / "rentree")
    assert lancer(capsys, "importer", "--siecle", str(ecrits.siecle_zip), "--sts", str(ecrits.sts),
                  "--store", store_sqlite.url)[0] == 0
    ecrire_s3e(ECOLE, tmp_path / "s3e")
    avant = contenu(store_sqlite)
    with serveur_hostile(tmp_path / "s3e") as serveur:
        serveur.modes = {"bee/eleves": "enorme_flux"}
        debut = time.monotonic()
        code, _, err = lancer(capsys, "synchroniser", "--uai", UAI, "--toutes", "--s3e", serveur.url,
                              "--store", store_sqlite.url)
        duree = time.monotonic() - debut
    assert code == 1
    assert "la réponse du service S3E dépasse la taille maximale de 500 Mo" in err
    assert contenu(store_sqlite) == avant
    print(f"\ncorps énorme : arrêté à {serveur.envoye // (1 << 20)} Mo envoyés, en {duree:.1f} s")


class Alarme(BaseException):
    """Not an ``OSError``: the client would take a ``TimeoutError`` for a socket timeout."""


def sonner(*_: object) -> None:
    raise Alarme("plus de 5 s")


def test_serveur_goutte_a_goutte(tmp_path: Path) -> None:
    """A byte every 0.3 s: each read waits less than the read timeout, so only the total deadline of a document
    (``duree_max_document``, 10 min by default; 1 s here) ends it, with a French message and nothing kept."""
    ecrire_s3e(ECOLE, tmp_path / "s3e")
    with serveur_hostile(tmp_path / "s3e") as serveur:
        serveur.modes = {"bee/eleves": "goutte"}
        alarme = signal.signal(signal.SIGALRM, sonner)
        signal.setitimer(signal.ITIMER_REAL, 5)
        debut = time.monotonic()
        try:
            with pytest.raises(S3EIndisponibleError) as erreur:
                ClientS3E(serveur.url, timeout=DELAI, tentatives=1, duree_max_document=1.0).telecharger(UAI)
        finally:
            signal.setitimer(signal.ITIMER_REAL, 0)
            signal.signal(signal.SIGALRM, alarme)
        duree = time.monotonic() - debut
    assert "bee/eleves » : le service S3E envoie le document trop lentement (" in str(erreur.value)
    assert " octets reçus en 1 s)" in str(erreur.value)
    assert 1.0 <= duree < 2.5
