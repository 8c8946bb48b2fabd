"""A school for the web tests, on SQLite and PostgreSQL: the generator's "mini" collège imported (4A and 4B with
periods T1–T3, bilans T1 and T2 open, T1 of 4A locked; 3B without period), changed exports deposited as a chef
would upload them (HUET renamed, HADDAD gone from the BEE), and accounts: the chef, an enseignant, the académie's
admin, the chef of another school. The run date is pinned (``jour``), as ``LSUN_JOUR`` pins it for a server."""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from lsun_events.aggregates.valeurs import Periode
from lsun_events.application.comptes import Comptes
from lsun_events.generateur import variantes as v
from lsun_events.generateur.ecriture import ecrire_exports
from lsun_events.generateur.generation import generer
from lsun_events.interfaces.web import create_app
from lsun_events.interfaces.web.reglages import Reglages
from lsun_events.interfaces.web.sources_web import deposer
from lsun_events.sources.erreurs import SourceInvalideError
from lsun_events.sources.snapshot import charger_exports
from lsun_events.storage.config import Store
from lsun_events.systeme import Systeme
from tests.conftest import schema_postgres

UAI = "0999001X"
AUTRE_UAI = "0999002Y"
JOUR = date(2025, 11, 17)
HUET, HADDAD = "2400102", "2400111"  # Timothée Arthur HUET (4A, T1 locked), Noémie HADDAD (4A)
PERIODES = [Periode("T1", date(2025, 9, 1), date(2025, 11, 30)), Periode("T2", date(2025, 12, 1), date(2026, 3, 1)),
            Periode("T3", date(2026, 3, 2), date(2026, 7, 4))]
MOT_DE_PASSE = "secret-de-test"
COMPTES = {  # identifiant: (role, uai, nom)
    "principale": ("chef", UAI, "Mme Dupont"),
    "prof": ("enseignant", UAI, "M. Martin"),
    "academie": ("admin", None, "Mme Rectorat"),
    "autre-chef": ("chef", AUTRE_UAI, "M. Voisin"),
}
_MINI = generer("mini")


@dataclass
class Site:
    store: Store
    donnees: Path
    jetons: dict[str, str] = field(default_factory=dict)

    def app(self, **options: Any) -> FastAPI:
        return create_app(self.store, donnees=self.donnees, secret="secret-des-tests", jour=lambda: JOUR, **options)

    def evenements(self) -> int:
        """How many events the store holds (nothing saved ⇔ unchanged)."""
        with Systeme(self.store) as s:
            return s.app.recorder.max_notification_id() or 0

    def entete(self, identifiant: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.jetons[identifiant]}"}


def exports_modifies(dossier: Path) -> tuple[Path, Path]:
    """HUET's first name corrected (M12, M2 in 4A), HADDAD gone from the BEE (M1 in 4A)."""
    ecole = v.retirer_eleve(v.renommer_eleve(_MINI, HUET, prenoms=["Timothée-Arthur"]), HADDAD)
    ecrits = ecrire_exports(ecole, dossier)
    assert ecrits.siecle_zip is not None
    return ecrits.siecle_zip, ecrits.sts


def construire(store: Store, dossier: Path) -> Site:
    site = Site(store, dossier / "donnees")
    rentree = ecrire_exports(_MINI, dossier / "rentree")
    with Systeme(store) as s:
        s.app.importer(charger_exports(rentree.siecle_dossier, rentree.sts), "Mme la Principale", JOUR)
        for division in ("4A", "4B"):
            s.app.parametrer_periodes(UAI, division, PERIODES, "Mme la Principale")
            for periode in ("T1", "T2"):
                s.app.ouvrir_bilans(UAI, division, periode, "Mme la Principale")
        s.app.verrouiller(UAI, "4A", "T1", "Mme la Principale")
        s.rattraper()
    comptes = Comptes(store)
    for identifiant, (role, uai, nom) in COMPTES.items():
        comptes.ajouter(identifiant, role, MOT_DE_PASSE, uai=uai, nom=nom)
        site.jetons[identifiant] = comptes.creer_jeton(identifiant)
    siecle, sts = exports_modifies(dossier / "novembre")
    with siecle.open("rb") as f_siecle, sts.open("rb") as f_sts:
        reglages = Reglages.depuis_environnement(store, donnees=site.donnees, secret="secret-des-tests")
        deposer(reglages, UAI, "2025", "Mme Dupont (chef)", ("siecle.zip", f_siecle), (sts.name, f_sts))
    return site


@pytest.fixture(scope="module", params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def store_module(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Store]:
    """A store shared by a module's tests (they only add to it), on both backends."""
    if request.param == "sqlite":
        yield Store.depuis_url(f"sqlite:///{tmp_path_factory.mktemp('web') / 'lsun.sqlite'}")
        return
    with schema_postgres("w") as store:
        yield store


@pytest.fixture(scope="module")
def site(store_module: Store, tmp_path_factory: pytest.TempPathFactory) -> Site:
    return construire(store_module, tmp_path_factory.mktemp("site"))


@pytest.fixture(scope="module")
def client(site: Site) -> Iterator[TestClient]:
    with TestClient(site.app()) as c:
        yield c


def csrf_de(html: str) -> str:
    trouve = re.search(r'name="csrf" value="([^"]+)"', html)
    assert trouve, "pas de jeton CSRF dans la page"
    return trouve.group(1)


def attendre_fin(lire: Callable[[], dict[str, Any]], delai: float) -> dict[str, Any]:
    """Poll a run started from the web (``lire``: its JSON) until it has finished, for at most ``delai`` s."""
    limite = time.monotonic() + delai
    while (tache := lire())["etat"] not in ("terminee", "echouee"):
        assert time.monotonic() < limite, f"synchronisation non terminée : {tache}"
        time.sleep(0.05)
    return tache


def attendre_tache(client: TestClient, suivi: str, **kwargs: Any) -> dict[str, Any]:
    return attendre_fin(lambda: client.get(suivi, **kwargs).json(), 30)


def source_bloquee(relache: threading.Event, delai: float) -> Callable[[], Any]:
    """A source that is still being read until ``relache`` is set (or ``delai`` s), then fails in French."""
    def lire() -> Any:
        relache.wait(delai)
        raise SourceInvalideError("siecle.zip", "lecture interrompue par le test")
    return lire


def tenter_connexion(client: TestClient, identifiant: str, mot_de_passe: str) -> Any:
    """One attempt on the login form by a new visitor (a fresh session and CSRF token), not followed."""
    client.cookies.clear()
    csrf = csrf_de(client.get("/connexion").text)
    return client.post("/connexion", data={"identifiant": identifiant, "mot_de_passe": mot_de_passe, "csrf": csrf},
                       follow_redirects=False)


def connecter(client: TestClient, identifiant: str, mot_de_passe: str = MOT_DE_PASSE) -> str:
    """Log in through the form; returns the session's CSRF token."""
    client.cookies.clear()
    page = client.get("/connexion")
    reponse = client.post("/connexion", data={"identifiant": identifiant, "mot_de_passe": mot_de_passe,
                                              "csrf": csrf_de(page.text)}, follow_redirects=True)
    assert reponse.url.path != "/connexion", reponse.text  # (another school's chef lands on a 404: not imported)
    return csrf_de(reponse.text)


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    from tests.web.navigateur import EXIGER, RAISON  # noqa: PLC0415

    if RAISON is not None and not EXIGER:
        terminalreporter.write_line(f"ATTENTION : tests navigateur ignorés : {RAISON}.", yellow=True, bold=True)
