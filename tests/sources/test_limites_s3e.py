"""The S3E client stays on the configured origin (issue 14): a redirect to another port, host or scheme is
refused in French before anything is asked of the other server; a redirect within the origin is followed (a
bounded number of times). urllib3's English warnings (its retries…) reach the journal in French."""

from __future__ import annotations

import logging
import socket
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from lsun_events.sources.erreurs import S3EIndisponibleError
from lsun_events.sources.s3e_client import REDIRECTIONS_MAX, ClientS3E
from lsun_events.sources.s3e_server import ServeurS3E
from tests.s3e_local import JETON_TEST, demarrer_serveur_s3e, en_fond

UAI = "0999001X"
FICHIERS = {"ElevesSansAdresses.xml": "BEE_ELEVES", "ResponsablesAvecAdresses.xml": "BEE_RESPONSABLES",
            "Nomenclature.xml": "BEE_NOMENCLATURES", "Structures.xml": "BEE_STRUCTURES",
            "Communs.xml": "BEE_COMMUN", f"sts_emp_{UAI}_2025.xml": "STS_EDT"}
ANGLAIS = ("Retrying", "connection broken", "Failed to", "Connection refused", "Received response", "Ignoring")


pytestmark = pytest.mark.usefixtures("sans_proxy")  # the S3E client talks to 127.0.0.1 directly


@pytest.fixture
def autre(tmp_path: Path) -> Iterator[ServeurS3E]:
    """A real S3E server with data, on another port: where the redirects point."""
    dossier = tmp_path / "exports" / UAI
    dossier.mkdir(parents=True)
    for fichier, racine in FICHIERS.items():
        (dossier / fichier).write_bytes(f'<?xml version="1.0" encoding="UTF-8"?>\n<{racine}/>\n'.encode())
    with demarrer_serveur_s3e(dossier.parent) as serveur:
        yield serveur


class Redirecteur(ThreadingHTTPServer):
    """Answers ``GET /ancien/…`` by a redirect to ``cible(chemin)``; serves ``/nouveau/…`` itself; anything
    else with a raw answer ``brut`` (to make urllib3 warn)."""

    daemon_threads = True

    def __init__(self) -> None:
        self.cible = lambda chemin: chemin
        self.statut = 302
        self.brut = b""
        self.appels: Counter[str] = Counter()
        super().__init__(("127.0.0.1", 0), _Gestionnaire)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"


class _Gestionnaire(BaseHTTPRequestHandler):
    server: Redirecteur
    protocol_version = "HTTP/1.1"

    def do_GET(self) -> None:
        self.server.appels[self.path] += 1
        if self.path.startswith("/ancien/"):
            self.send_response(self.server.statut)
            self.send_header("Location", self.server.cible(self.path))
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        if self.path.startswith("/nouveau/"):
            racine = "STS_EDT" if self.path.endswith("sts/emp") else "BEE_ELEVES"
            corps = f"<{racine}/>".encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/xml")
            self.send_header("Content-Length", str(len(corps)))
            self.end_headers()
            self.wfile.write(corps)
            return
        self.wfile.write(self.server.brut)
        self.close_connection = True

    def log_message(self, format: str, *args: object) -> None:
        pass


@contextmanager
def redirecteur() -> Iterator[Redirecteur]:
    with en_fond(Redirecteur()) as serveur:
        yield serveur


def _client(url: str, **options: object) -> ClientS3E:
    reglages: dict[str, object] = {"jeton": JETON_TEST, "timeout": (2, 2), "tentatives": 2, "backoff": 0.01}
    reglages.update(options)
    return ClientS3E(url, **reglages)  # type: ignore[arg-type]


@pytest.mark.parametrize("vers", ["autre_port", "autre_hote", "autre_schema"])
def test_a_redirect_leaving_the_configured_origin_is_refused_and_nothing_is_asked_of_the_other_server(
        autre: ServeurS3E, vers: str) -> None:
    port = autre.server_address[1]
    with redirecteur() as serveur:
        cible = {"autre_port": f"http://127.0.0.1:{port}",
                 "autre_hote": f"http://localhost:{serveur.server_address[1]}",
                 "autre_schema": f"https://127.0.0.1:{serveur.server_address[1]}"}[vers]
        serveur.cible = lambda chemin: cible + chemin.removeprefix("/ancien")
        with _client(f"{serveur.url}/ancien") as client, pytest.raises(S3EIndisponibleError) as erreur:
            client.telecharger(UAI)
    message = str(erreur.value)
    assert message.startswith(f"Fichier « {serveur.url}/ancien/{UAI}/bee/eleves » : le service S3E redirige vers "
                              f"une autre adresse (« {cible}/{UAI}/bee/eleves »), hors de l'adresse configurée "
                              f"(« {serveur.url}/ancien ») : la redirection n'est pas suivie"), message
    assert "rien n'est lu ni enregistré" in message and "Vérifiez l'adresse du service" in message
    assert autre.requetes() == []  # the other server was never asked
    assert sum(serveur.appels.values()) == 1


@pytest.mark.parametrize("statut", [301, 302, 303, 307, 308])
def test_a_redirect_within_the_origin_is_followed(statut: int) -> None:
    with redirecteur() as serveur:
        serveur.statut = statut
        serveur.cible = lambda chemin: chemin.replace("/ancien/", "/nouveau/")  # absolute path, same origin
        with _client(f"{serveur.url}/ancien") as client, client.telecharger(UAI) as resultat:
            assert resultat.documents is not None
            with resultat.documents.sts.ouvrir() as flux:
                assert flux.read() == b"<STS_EDT/>"
    assert serveur.appels[f"/nouveau/{UAI}/bee/eleves"] == 1


def test_a_redirect_written_with_the_default_port_is_the_same_origin() -> None:
    with redirecteur() as serveur:
        serveur.cible = lambda chemin: f"HTTP://127.0.0.1:{serveur.server_address[1]}" + \
            chemin.replace("/ancien/", "/nouveau/")
        with _client(f"{serveur.url}/ancien") as client, client.telecharger(UAI) as resultat:
            assert resultat.documents is not None


def test_endless_redirects_within_the_origin_stop_in_french() -> None:
    with redirecteur() as serveur:
        serveur.cible = lambda chemin: chemin  # to itself
        with _client(f"{serveur.url}/ancien") as client, pytest.raises(S3EIndisponibleError) as erreur:
            client.telecharger(UAI)
    assert f"le service S3E redirige plus de {REDIRECTIONS_MAX} fois de suite" in str(erreur.value)
    assert serveur.appels[f"/ancien/{UAI}/bee/eleves"] == REDIRECTIONS_MAX + 1


# --- urllib3's journal, in French --------------------------------------------------------------------------------


def _port_ferme() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _messages(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [f"{r.getMessage()} {r.exc_text or ''}" for r in caplog.records if r.name.startswith("urllib3")]


def test_retries_are_logged_in_french(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.WARNING)
    url = f"http://127.0.0.1:{_port_ferme()}"
    with _client(url, tentatives=3) as client, pytest.raises(S3EIndisponibleError, match="après 3 tentatives"):
        client.telecharger(UAI)
    messages = _messages(caplog)
    assert messages == [
        f"Service S3E : connexion refusée ou adresse inconnue sur /{UAI}/bee/eleves, nouvelle tentative "
        "(1 autre possible ensuite) ",
        f"Service S3E : connexion refusée ou adresse inconnue sur /{UAI}/bee/eleves, dernière tentative ",
    ]


def test_a_malformed_answer_is_warned_about_in_french(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.WARNING)
    with redirecteur() as serveur:
        serveur.brut = (b"HTTP/1.1 200 OK\r\nContent-Type: application/xml\r\nContent-Length: 13\r\n"
                        b"Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n"
                        b"d\r\n<BEE_ELEVES/>\r\n0\r\n\r\n")
        with _client(serveur.url, tentatives=1) as client, client.telecharger(UAI):
            pass  # urllib3 reads the chunked body, ignoring the length
    messages = _messages(caplog)
    assert messages, "urllib3 said nothing: the test no longer provokes a warning"
    assert all(not any(mot in m for mot in ANGLAIS) for m in messages), messages
    assert all(m.startswith("Service S3E : ") for m in messages), messages


def test_debug_keeps_urllib3_detail_after_the_french(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG, logger="urllib3")
    with _client(f"http://127.0.0.1:{_port_ferme()}") as client, pytest.raises(S3EIndisponibleError):
        client.telecharger(UAI)
    [avertissement] = [r.getMessage() for r in caplog.records
                       if r.name.startswith("urllib3") and r.levelno >= logging.WARNING]
    assert avertissement.startswith("Service S3E : connexion refusée") and "— détail : Retrying" in avertissement
