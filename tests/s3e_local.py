"""Test helper: the real local S3E server on a free port of 127.0.0.1, in a background thread.

    with serveur_s3e(dossier) as base_url:          # jeton JETON_TEST
        ClientS3E(base_url, jeton=JETON_TEST).telecharger("0999001X")

    with demarrer_serveur_s3e(dossier, jeton=None) as serveur:   # the server itself (journal of requests)
        ...serveur.url, serveur.requetes()...

The server stops (and its port is released) when the ``with`` block ends, even on failure.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from lsun_events.sources.s3e_server import ServeurS3E, creer_serveur

JETON_TEST = "jeton-de-test"


@contextmanager
def demarrer_serveur_s3e(dossier: Path, jeton: str | None = JETON_TEST) -> Iterator[ServeurS3E]:
    serveur = creer_serveur(Path(dossier), hote="127.0.0.1", port=0, jeton=jeton)
    fil = threading.Thread(target=serveur.serve_forever, kwargs={"poll_interval": 0.05},
                           name="serveur-s3e-test", daemon=True)
    fil.start()
    try:
        yield serveur
    finally:
        serveur.shutdown()
        serveur.server_close()
        fil.join(timeout=5)


@contextmanager
def serveur_s3e(dossier: Path, jeton: str | None = JETON_TEST) -> Iterator[str]:
    """The base URL (``http://127.0.0.1:PORT``) of a local S3E server over ``dossier``."""
    with demarrer_serveur_s3e(dossier, jeton) as serveur:
        yield serveur.url
