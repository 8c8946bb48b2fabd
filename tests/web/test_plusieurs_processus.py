"""Several processes serving one store: runs started from the web are followed in a table of the store, so any
process answers for them, a result outlives a restart, a run whose process died is shown as interrupted, and one
school never has two runs at once; wrong passwords count for every process. On SQLite and PostgreSQL."""

from __future__ import annotations

import base64
import os
import threading
from datetime import timedelta
from pathlib import Path

import pytest
import requests
from fastapi.testclient import TestClient

from lsun_events.application.synchronisation import DemandeSynchronisation
from lsun_events.interfaces.web.taches import INTERROMPUE, SILENCE_MAX, Taches, maintenant
from lsun_events.storage.config import CLE_CHIFFREMENT, Store
from lsun_events.storage.registre import PREFIXE_CHIFFRE
from lsun_events.systeme import Systeme
from tests.web.conftest import (
    JOUR,
    MOT_DE_PASSE,
    UAI,
    Site,
    attendre_tache,
    construire,
    csrf_de,
    source_bloquee,
    tenter_connexion,
)
from tests.web.processus import serveur_lance


@pytest.fixture
def site(store: Store, tmp_path: Path) -> Site:
    return construire(store, tmp_path)


def test_deux_serveurs_sur_un_stockage_suivent_la_meme_synchronisation_qui_survit_au_redemarrage(
        site: Site, tmp_path: Path) -> None:
    chef = site.entete("principale")
    with serveur_lance(site, tmp_path, "a") as a, serveur_lance(site, tmp_path, "b") as b:
        lance = requests.post(f"{a.base}/api/etablissements/{UAI}/synchronisations",
                              json={"divisions": ["4A"], "simulation": True}, headers=chef, timeout=10)
        assert lance.status_code == 202, lance.text
        suivi = lance.json()["suivi"]
        vu_par_b = b.attendre_tache(suivi, headers=chef)  # b never ran it: it reads the shared table
        vu_par_a = requests.get(a.base + suivi, headers=chef, timeout=10).json()
    assert vu_par_b == vu_par_a
    assert (vu_par_b["etat"], vu_par_b["simulation"], vu_par_b["divisions"]) == ("terminee", True, ["4A"])
    textes = [m["texte"] for m in vu_par_b["resultat"]["messages"]]
    assert any("HUET" in t for t in textes), textes  # the simulation's messages, which nothing else keeps
    with serveur_lance(site, tmp_path, "c") as c:  # both stopped, a new one started: the result is still there
        assert requests.get(c.base + suivi, headers=chef, timeout=10).json() == vu_par_a
        navigateur = requests.Session()  # the chef's page too, after logging in on the new process
        jeton = csrf_de(navigateur.get(f"{c.base}/connexion", timeout=10).text)
        navigateur.post(f"{c.base}/connexion", timeout=10,
                        data={"identifiant": "principale", "mot_de_passe": MOT_DE_PASSE, "csrf": jeton})
        page = navigateur.get(f"{c.base}/etablissements/{UAI}/taches/{suivi.rsplit('/', 1)[1]}", timeout=10)
        assert page.status_code == 200 and "Simulation terminée" in page.text and "HUET" in page.text


def test_une_seule_synchronisation_par_etablissement_entre_processus(site: Site) -> None:
    """Two apps on one store share nothing but the store, as two processes would."""
    relache = threading.Event()
    with TestClient(site.app()) as a, TestClient(site.app()) as b:
        taches_a: Taches = a.app.state.taches  # type: ignore[attr-defined]
        tache = taches_a.lancer(DemandeSynchronisation(uai=UAI, acteur="test", jour=JOUR, divisions=("4A",)),
                                "principale", "source du test", source_bloquee(relache, 20))
        try:
            refus = b.post(f"/api/etablissements/{UAI}/synchronisations", json={"toutes": True},
                           headers=site.entete("principale"))
            assert (refus.status_code, refus.json()["erreur"]) == (
                409, f"Une synchronisation de l'établissement {UAI} est déjà en cours : attendez qu'elle se termine.")
            en_cours = b.get(f"/api/taches/{tache.id}", headers=site.entete("principale")).json()
            assert (en_cours["etat"], en_cours["fin"]) == ("lecture de la source", None)
        finally:
            relache.set()
            taches_a.attendre()
        fini = b.get(f"/api/taches/{tache.id}", headers=site.entete("principale")).json()
        assert (fini["etat"], fini["erreur"]) == ("echouee", "Fichier « siecle.zip » : lecture interrompue par le test")
        # The other school's chef does not see it, from either process.
        assert b.get(f"/api/taches/{tache.id}", headers=site.entete("autre-chef")).status_code == 404


def test_une_synchronisation_dont_le_processus_s_est_arrete_est_interrompue(site: Site) -> None:
    relache = threading.Event()
    with Systeme(site.store) as s:
        mort = Taches(s, battement=3600)  # a process that will beat no more
        plus_tard = Taches(s, horloge=lambda: maintenant() + SILENCE_MAX + timedelta(seconds=1))
        try:
            tache = mort.lancer(DemandeSynchronisation(uai=UAI, acteur="test", jour=JOUR), "principale",
                                "source du test", source_bloquee(relache, 20))
            assert plus_tard.en_cours(UAI) is None  # a new run may start
            vue = plus_tard.get(tache.id)
            assert vue is not None
            assert (vue.etat, vue.erreur, vue.finie) == ("echouee", INTERROMPUE, True)
            assert mort.en_cours(UAI) is not None  # seen from now, its heartbeat is recent
        finally:
            relache.set()
            mort.attendre()
            mort.fermer()
            plus_tard.fermer()


def test_avec_une_cle_les_messages_suivis_sont_chiffres_au_repos(store: Store, tmp_path: Path,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(CLE_CHIFFREMENT, base64.b64encode(os.urandom(32)).decode())
    site = construire(store, tmp_path)
    with TestClient(site.app()) as client:
        chef = site.entete("principale")
        lance = client.post(f"/api/etablissements/{UAI}/synchronisations", json={"toutes": True, "simulation": True},
                            headers=chef)
        tache = attendre_tache(client, lance.json()["suivi"], headers=chef)
        assert any("HUET" in m["texte"] for m in tache["resultat"]["messages"])
        taches: Taches = client.app.state.taches  # type: ignore[attr-defined]
        with taches.registre.transaction() as c:
            [ligne] = c.lignes(f"SELECT resultat FROM {taches.table} WHERE id = ?", (tache["tache"],))
    assert ligne["resultat"].startswith(PREFIXE_CHIFFRE)
    assert "HUET" not in ligne["resultat"]


def test_les_mots_de_passe_faux_comptent_pour_tous_les_processus(site: Site) -> None:
    """Three wrong passwords on one process, two on another: the sixth attempt is refused by either."""
    def essayer(client: TestClient, mot_de_passe: str) -> int:
        return tenter_connexion(client, "principale", mot_de_passe).status_code

    with TestClient(site.app()) as a, TestClient(site.app()) as b:
        assert [essayer(a, "faux") for _ in range(3)] + [essayer(b, "faux") for _ in range(2)] == [401] * 5
        assert (essayer(a, MOT_DE_PASSE), essayer(b, MOT_DE_PASSE)) == (429, 429)
