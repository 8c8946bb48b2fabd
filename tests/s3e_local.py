"""Test helper: the real local S3E server on a free port of 127.0.0.1, in a background thread.

    with serveur_s3e(dossier) as base_url:          # jeton JETON_TEST
        ClientS3E(base_url, jeton=JETON_TEST).telecharger("0999001X")

    with demarrer_serveur_s3e(dossier, jeton=None) as serveur:   # the server itself (journal of requests)
        ...serveur.url, serveur.requetes()...

The server stops (and its port is released) when the ``with`` block ends, even on failure.
"""

from __future__ import annotations

import socketserver
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TypeVar

from lsun_events.sources.s3e_server import ServeurS3E, creer_serveur

JETON_TEST = "jeton-de-test"


T = TypeVar("T", bound=socketserver.BaseServer)


@contextmanager
def en_fond(serveur: T, liberer: threading.Event | None = None) -> Iterator[T]:
    """Any test HTTP server, served from a background thread; stopped and its port released at the end
    (``liberer`` is set first, to release handlers a test keeps waiting)."""
    fil = threading.Thread(target=serveur.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    fil.start()
    try:
        yield serveur
    finally:
        if liberer is not None:
            liberer.set()
        serveur.shutdown()
        serveur.server_close()
        fil.join(timeout=5)


@contextmanager
def demarrer_serveur_s3e(dossier: Path, jeton: str | None = JETON_TEST) -> Iterator[ServeurS3E]:
    with en_fond(creer_serveur(Path(dossier), hote="127.0.0.1", port=0, jeton=jeton)) as serveur:
        yield serveur


@contextmanager
def serveur_s3e(dossier: Path, jeton: str | None = JETON_TEST) -> Iterator[str]:
    """The base URL (``http://127.0.0.1:PORT``) of a local S3E server over ``dossier``."""
    with demarrer_serveur_s3e(dossier, jeton) as serveur:
        yield serveur.url
