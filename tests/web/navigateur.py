"""What the browser tests need: Debian's Chromium driven by Playwright (never a downloaded browser), the real
server (uvicorn in a thread, on a free port of 127.0.0.1), screenshots kept as artifacts.

Without Chromium the browser tests are skipped with the reason, unless ``LSUN_EXIGER_NAVIGATEUR=1`` (set by
``.ci/run``), which makes it a failure. ``make test`` installs Chromium with apt-get when it can (root)."""

from __future__ import annotations

import os
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

CHROMIUM = os.environ.get("LSUN_CHROMIUM", "/usr/bin/chromium")
EXIGER = os.environ.get("LSUN_EXIGER_NAVIGATEUR") == "1"
ARGUMENTS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
             "--disable-background-networking", "--disable-component-update", "--disable-sync"]
RACINE = Path(__file__).resolve().parents[2]
CAPTURES = RACINE / "artifacts" / "captures"
CAPTURES_DOCS = RACINE / "docs" / "captures"


def raison_sans_navigateur() -> str | None:
    try:
        import playwright.sync_api  # noqa: F401, PLC0415
    except ImportError:
        return "le paquet Python playwright n'est pas installé (pip install -e '.[dev]')"
    if not Path(CHROMIUM).exists():
        return (f"Chromium introuvable ({CHROMIUM}) : apt-get install chromium "
                "(« make test » l'installe quand il tourne en root)")
    return None


RAISON = raison_sans_navigateur()


def exiger_navigateur() -> None:
    if RAISON is None:
        return
    if EXIGER:
        pytest.fail(f"Navigateur exigé (LSUN_EXIGER_NAVIGATEUR=1) mais indisponible : {RAISON}", pytrace=False)
    pytest.skip(f"tests navigateur ignorés : {RAISON}")


def port_libre() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def serveur_uvicorn(application: Any) -> Iterator[str]:
    """The real HTTP server on a free port of the loopback, for the duration of the block."""
    import uvicorn  # noqa: PLC0415

    port = port_libre()
    serveur = uvicorn.Server(uvicorn.Config(application, host="127.0.0.1", port=port, log_level="warning"))
    fil = threading.Thread(target=serveur.run, name="uvicorn-tests", daemon=True)
    fil.start()
    limite = time.monotonic() + 20
    while not serveur.started:
        if not fil.is_alive() or time.monotonic() > limite:
            raise RuntimeError("le serveur web des tests n'a pas démarré")
        time.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        serveur.should_exit = True
        fil.join(20)


@contextmanager
def chromium() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright  # noqa: PLC0415

    with sync_playwright() as p:
        navigateur = p.chromium.launch(executable_path=CHROMIUM, args=ARGUMENTS)
        try:
            yield navigateur
        finally:
            navigateur.close()


@contextmanager
def onglet(adresse: str) -> Iterator[Any]:
    """A fresh Chromium page on the test server at ``adresse``: French, 1280×900, downloads accepted."""
    with chromium() as navigateur:
        contexte = navigateur.new_context(base_url=adresse, viewport={"width": 1280, "height": 900}, locale="fr-FR",
                                          accept_downloads=True)
        contexte.set_default_timeout(15_000)
        try:
            yield contexte.new_page()
        finally:
            contexte.close()


def site_sqlite(tmp_path_factory: pytest.TempPathFactory, nom: str) -> Any:
    """The web tests' school (``tests.web.conftest.construire``) on an SQLite file of its own, for a browser test
    module (skipped, or failed under ``LSUN_EXIGER_NAVIGATEUR=1``, without Chromium)."""
    exiger_navigateur()
    from lsun_events.storage.config import Store  # noqa: PLC0415
    from tests.web.conftest import construire  # noqa: PLC0415

    dossier = tmp_path_factory.mktemp(nom)
    return construire(Store.depuis_url(f"sqlite:///{dossier / 'lsun.sqlite'}"), dossier)


def capturer(page: Any, nom: str, *, docs: bool = False) -> Path:
    """A full-page screenshot under ``artifacts/captures/`` (and ``docs/captures/`` when
    ``LSUN_CAPTURES_DOCS=1``, to refresh the README's picture)."""
    CAPTURES.mkdir(parents=True, exist_ok=True)
    chemin = CAPTURES / f"{nom}.png"
    page.screenshot(path=str(chemin), full_page=True)
    if docs and os.environ.get("LSUN_CAPTURES_DOCS") == "1":
        CAPTURES_DOCS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(CAPTURES_DOCS / f"{nom}.png"), full_page=True)
    return chemin
