"""The S3E client stays on the configured origin, through the command line (issue 14): a service that redirects
to another server — here the real local S3E server on another port, holding newer data — is refused in French,
nothing is asked of the other server and nothing is saved; the same data asked directly is saved (so following
the redirect would have saved it). And the retries of an unreachable service reach stderr in French only."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from lsun_events.generateur import variantes as v
from lsun_events.generateur.ecriture import ecrire_exports, ecrire_s3e
from lsun_events.generateur.generation import generer
from lsun_events.interfaces.cli import main
from lsun_events.storage.config import Store
from tests.conftest import contenu_du_stockage as contenu
from tests.fiabilite.outils import ANNEE, lancer
from tests.s3e_local import JETON_TEST, demarrer_serveur_s3e, en_fond

ECOLE = generer("mini", annee=ANNEE)
UAI = ECOLE.uai


pytestmark = pytest.mark.usefixtures("sans_proxy")  # the S3E client talks to 127.0.0.1 directly


class _Redirige(BaseHTTPRequestHandler):
    """Every GET answered by a 302 to the same path on ``server.cible``."""

    cible = ""

    def do_GET(self) -> None:
        self.send_response(302)
        self.send_header("Location", f"{self.server.cible}{self.path}")  # type: ignore[attr-defined]
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, format: str, *args: object) -> None:
        pass


@contextmanager
def redirecteur(cible: str) -> Iterator[str]:
    serveur = ThreadingHTTPServer(("127.0.0.1", 0), _Redirige)
    serveur.daemon_threads = True
    serveur.cible = cible  # type: ignore[attr-defined]
    with en_fond(serveur):
        yield f"http://127.0.0.1:{serveur.server_address[1]}"




def importer(store: Store, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    ecrits = ecrire_exports(ECOLE, tmp_path / "rentree")
    code = main(["importer", "--siecle", str(ecrits.siecle_zip), "--sts", str(ecrits.sts), "--store", store.url,
                 "--acteur", "test"])
    assert code == 0, capsys.readouterr().err
    capsys.readouterr()


def synchroniser(store: Store, url: str) -> list[str]:
    return ["synchroniser", "--uai", UAI, "--toutes", "--s3e", url, "--jeton", JETON_TEST, "--store", store.url,
            "--json", "--acteur", "test"]


def test_a_redirect_to_another_server_is_refused_and_nothing_is_saved(
        store: Store, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    importer(store, tmp_path, capsys)
    ecrire_s3e(v.renommer_eleve(ECOLE, ECOLE.eleves[0].eleve_id, prenoms=["Timothée-Arthur"]), tmp_path / "s3e")
    avant = contenu(store)
    with demarrer_serveur_s3e(tmp_path / "s3e") as autre, redirecteur(autre.url) as url:
        code = main(synchroniser(store, url))
        sortie = capsys.readouterr()
        assert code == 1 and sortie.out == "" and "Traceback" not in sortie.err
        [ligne] = [x for x in sortie.err.splitlines() if x.startswith("Erreur : ")]
        assert ligne.startswith(f"Erreur : Fichier « {url}/{UAI}/bee/eleves » : le service S3E redirige vers une "
                                f"autre adresse (« {autre.url}/{UAI}/bee/eleves »), hors de l'adresse configurée "
                                f"(« {url} ») : la redirection n'est pas suivie et rien n'est lu ni enregistré"), ligne
        assert autre.requetes() == []
        assert contenu(store) == avant

        assert main(synchroniser(store, autre.url)) == 0, capsys.readouterr().err  # the data itself is fine
    assert len(contenu(store)) > len(avant)


def test_retries_of_an_unreachable_service_reach_stderr_in_french_only(
        store_sqlite: Store, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    importer(store_sqlite, tmp_path, capsys)
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    fini = lancer(*synchroniser(store_sqlite, f"http://127.0.0.1:{port}")[:-2], timeout=60)  # a real stderr
    assert fini.returncode == 1 and fini.stdout == ""
    lignes = fini.stderr.splitlines()
    assert lignes[-1].startswith(f"Erreur : Fichier « http://127.0.0.1:{port}/{UAI}/bee/eleves » : impossible de "
                                 "joindre le service S3E après 3 tentatives"), fini.stderr
    journal = lignes[:-1]
    assert len(journal) == 2, fini.stderr
    assert all("Service S3E : connexion refusée ou adresse inconnue sur " in ligne for ligne in journal), fini.stderr
    for anglais in ("Retrying", "connection broken", "NewConnectionError", "Failed to establish", "Connection refused",
                    "Traceback"):
        assert anglais not in fini.stderr, fini.stderr
