"""`lsun-events importer`, `synchroniser` (files or S3E), `messages` on both stores, as a user runs them:
exports of the current school year (the run date is today), JSON exactly as SPEC §8 says."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

import pytest
import requests

from lsun_events.generateur import variantes as v
from lsun_events.generateur.ecriture import ecrire_exports, ecrire_s3e
from lsun_events.generateur.generation import generer
from lsun_events.interfaces.cli import main
from lsun_events.regles.calendrier import annee_scolaire
from lsun_events.storage.config import Store

ANNEE = annee_scolaire(date.today())
ECOLE = generer("mini", annee=ANNEE)
UAI = ECOLE.uai


def lancer(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main([*args, "--acteur", "Mme la Principale"])
    sortie = capsys.readouterr()
    return code, sortie.out, sortie.err


@pytest.fixture
def importe(store: Store, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> str:
    ecrits = ecrire_exports(ECOLE, tmp_path / "import")
    code, out, err = lancer(capsys, "importer", "--siecle", str(ecrits.siecle_zip), "--sts", str(ecrits.sts),
                            "--store", store.url, "--json")
    assert code == 0, err
    assert json.loads(out) == {"uai": UAI, "divisions": 3, "groupes": 3, "eleves": 18, "enseignants": 10}
    for division in ("4A", "4B"):
        code, _, err = lancer(capsys, "periodes", "parametrer", "--uai", UAI, "--division", division, "--periode",
                              f"S1:{ANNEE}-09-01:{ANNEE + 1}-01-31", "--periode", f"S2:{ANNEE + 1}-02-01:{ANNEE + 1}-07-04",
                              "--store", store.url)
        assert code == 0, err
        assert lancer(capsys, "bilans", "ouvrir", "--uai", UAI, "--division", division, "--periode", "S1",
                      "--store", store.url)[0] == 0
    assert lancer(capsys, "bilans", "verrouiller", "--uai", UAI, "--division", "4A", "--periode", "S1",
                  "--eleve", "2400102", "--store", store.url)[0] == 0
    return store.url


def test_synchroniser_depuis_les_fichiers_simulation_puis_reel_puis_messages(
        importe: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    modifiee = v.renommer_eleve(ECOLE, "2400102", prenoms=["Timothée-Arthur"])
    ecrits = ecrire_exports(modifiee, tmp_path / "modifiee")
    commande = ["synchroniser", "--uai", UAI, "--division", "4A", "--division", "3B", "--siecle",
                str(ecrits.siecle_dossier), "--sts", str(ecrits.sts), "--store", importe, "--json"]

    code, out, err = lancer(capsys, *commande, "--simulation")
    assert code == 0, err
    simulation = json.loads(out)
    assert simulation["statut"] == "simulation"

    code, out, err = lancer(capsys, *commande)
    assert code == 0, err
    reel = json.loads(out)
    assert set(reel) == {"synchronisation", "statut", "messages", "compteurs", "exports_absents"}
    assert reel["exports_absents"] == []  # every optional export was there
    assert reel["statut"] == "terminee"
    assert reel["messages"] == simulation["messages"]
    assert reel["messages"] == [
        {"niveau": "info", "division": "4A", "code": "M12",
         "texte": "Les informations LSUN de l'élève Timothée-Arthur HUET ont été archivées (1 bilan(s) verrouillé(s)).",
         "details": [{"champ": "archive[S1]", "libelle": "Bilan S1 archivé", "ancien": None,
                      "nouveau": "Timothée Arthur HUET, division 4A, période S1, verrouillé, 11 acquis"}]},
        {"niveau": "info", "division": "4A", "code": "M2", "texte": "L'élève Timothée-Arthur HUET (4A) a été mis à jour.",
         "details": [{"champ": "prenoms", "libelle": "Prénoms", "ancien": "Timothée, Arthur",
                      "nouveau": "Timothée-Arthur"}]},
        {"niveau": "avertissement", "division": "3B", "code": "M5",
         "texte": "Aucune période n'est paramétrée pour la division 3B.", "details": []},
    ]
    assert reel["compteurs"]["eleves_mis_a_jour"] == 1
    assert reel["compteurs"]["bilans_archives"] == 1
    assert "Élèves traités : 13 / 13" in err  # progress on stderr

    for options in ([], ["--regenerer"]):
        code, out, err = lancer(capsys, "messages", "--synchronisation", reel["synchronisation"], "--store", importe,
                                "--json", *options)
        assert code == 0, err
        assert json.loads(out)["messages"] == reel["messages"]

    code, out, _ = lancer(capsys, "messages", "--synchronisation", reel["synchronisation"], "--store", importe)
    assert out.splitlines() == [
        "Division 4A",
        "  [info] Les informations LSUN de l'élève Timothée-Arthur HUET ont été archivées (1 bilan(s) verrouillé(s)).",
        "      Bilan S1 archivé : — → Timothée Arthur HUET, division 4A, période S1, verrouillé, 11 acquis",
        "  [info] L'élève Timothée-Arthur HUET (4A) a été mis à jour.",
        "      Prénoms : Timothée, Arthur → Timothée-Arthur",
        "Division 3B",
        "  [AVERTISSEMENT] Aucune période n'est paramétrée pour la division 3B.",
    ]
    code, _, err = lancer(capsys, "messages", "--synchronisation", "pas-un-id", "--store", importe)
    assert code == 1
    assert "Aucune synchronisation d'identifiant pas-un-id" in err


def _port_libre() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_synchroniser_depuis_le_serveur_s3e_local(importe: str, tmp_path: Path,
                                                   capsys: pytest.CaptureFixture[str]) -> None:
    ecole, _ = v.ajouter_enseignant_au_service(ECOLE, "4A", "061300", nom_usage="FAURE", prenom="ALICE")
    ecrire_s3e(ecole, tmp_path / "s3e")
    port = _port_libre()
    serveur = subprocess.Popen(
        [sys.executable, "-m", "lsun_events.interfaces.cli", "s3e", "--exports", str(tmp_path / "s3e"),
         "--port", str(port), "--jeton", "secret"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        base = f"http://127.0.0.1:{port}"
        for _ in range(100):
            try:
                requests.get(f"{base}/{UAI}/sts/emp", timeout=1)
                break
            except requests.ConnectionError:
                time.sleep(0.1)
        commande = ["synchroniser", "--uai", UAI, "--toutes", "--s3e", base, "--store", importe, "--json"]
        code, _, err = lancer(capsys, *commande, "--jeton", "mauvais")
        assert code == 1
        assert "jeton" in err
        code, out, err = lancer(capsys, *commande, "--jeton", "secret")
        assert code == 0, err
        messages = json.loads(out)["messages"]
        assert {"niveau": "info", "division": "4A", "code": "M6",
                "texte": "Les enseignants ALICE FAURE ont été ajoutés à l'acquis Mathématiques.",
                "details": [{"champ": "acquis[061300].enseignants", "libelle": "Enseignants de l'acquis Mathématiques",
                             "ancien": None, "nouveau": "ALICE FAURE"}]} in messages
    finally:
        serveur.terminate()
        serveur.wait(timeout=10)
