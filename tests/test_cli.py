"""The command line on both stores: JSON on stdout, French errors on stderr, non-zero exit, nothing saved."""

from __future__ import annotations

import json
import subprocess
import sys
import uuid

import psycopg
import pytest

from lsun_events.application.app import ouvrir_application
from lsun_events.interfaces.cli import main
from lsun_events.storage.config import Store
from tests import fabriques as f
from tests.conftest import POSTGRES_URL, exiger_postgres, supprimer_schema


@pytest.fixture
def ecole(store: Store) -> str:
    app = ouvrir_application(store)
    app.importer(f.snapshot(), "import", f.JOUR)
    app.close()
    return store.url


def lancer(capsys: pytest.CaptureFixture[str], store: str, *args: str) -> tuple[int, str, str]:
    code = main([*args, "--store", store, "--acteur", "Mme Principale"])
    sortie = capsys.readouterr()
    return code, sortie.out, sortie.err


def nombre_evenements(store: str) -> int:
    app = ouvrir_application(store)
    try:
        return app.recorder.max_notification_id() or 0
    finally:
        app.close()


def test_periodes_bilans_saisie_verrou_en_ligne_de_commande(capsys, ecole: str) -> None:
    code, out, err = lancer(capsys, ecole, "periodes", "parametrer", "--uai", f.UAI, "--division", "4A",
                            "--periode", "T1:2025-09-01:2025-11-30", "--periode", "T2:2025-12-01:2026-03-01", "--json")
    assert code == 0, err
    assert [p["code"] for p in json.loads(out)["periodes"]] == ["T1", "T2"]

    code, out, err = lancer(capsys, ecole, "bilans", "ouvrir", "--uai", f.UAI, "--division", "4A", "--periode", "T1",
                            "--json")
    assert (code, json.loads(out)["bilans"]) == (0, 3), err

    code, out, err = lancer(capsys, ecole, "bilans", "saisir", "--uai", f.UAI, "--eleve", "1001", "--periode", "T1",
                            "--matiere", "061300", "--positionnement", "3", "--appreciation", "Très bien.", "--json")
    assert code == 0, err
    [maths] = [a for a in json.loads(out)["acquis"] if a["matiere"] == "061300"]
    assert (maths["positionnement"], maths["appreciation"]) == (3, "Très bien.")

    code, out, err = lancer(capsys, ecole, "bilans", "verrouiller", "--uai", f.UAI, "--division", "4A",
                            "--periode", "T1", "--json")
    assert (code, json.loads(out)["bilans"]) == (0, 3), err

    # A locked bilan refuses the change: French error, exit 1, nothing saved.
    avant = nombre_evenements(ecole)
    code, out, err = lancer(capsys, ecole, "bilans", "saisir", "--uai", f.UAI, "--eleve", "1001", "--periode", "T1",
                            "--matiere", "061300", "--positionnement", "1")
    assert code == 1
    assert out == ""
    assert "Erreur : Ce bilan est verrouillé" in err
    assert nombre_evenements(ecole) == avant

    # The bilan as it was at version 2 (after the entry, before the lock).
    code, out, err = lancer(capsys, ecole, "bilan", "--uai", f.UAI, "--eleve", "1001", "--periode", "T1",
                            "--version", "2", "--json")
    assert code == 0, err
    assert json.loads(out)["etat"] == "en cours de saisie"
    code, out, _ = lancer(capsys, ecole, "bilan", "--uai", f.UAI, "--eleve", "1001", "--periode", "T1")
    assert "verrouillé" in out.splitlines()[0]
    assert "MATHEMATIQUES (061300) — epp:101 — positionnement 3 — « Très bien. »" in out


@pytest.mark.parametrize(("arguments", "attendu"), [
    (["bilans", "ouvrir", "--uai", f.UAI, "--division", "5Z", "--periode", "T1"], "La division « 5Z » n'existe pas"),
    (["bilans", "ouvrir", "--uai", f.UAI, "--division", "3B", "--periode", "T1"],
     "aucune période n'est paramétrée"),
    (["bilans", "ouvrir", "--uai", "0999999Z", "--division", "4A", "--periode", "T1"],
     "L'établissement 0999999Z n'a pas été importé"),
    (["bilans", "saisir", "--uai", f.UAI, "--eleve", "9999", "--periode", "T1", "--matiere", "061300"],
     "Aucun élève d'identifiant 9999"),
    (["bilans", "saisir", "--uai", f.UAI, "--eleve", "1001", "--periode", "T1", "--matiere", "061300"],
     "Aucun bilan de la période T1 pour l'élève 1001"),
    (["periodes", "parametrer", "--uai", f.UAI, "--division", "4A", "--periode", "T1:2025-09-01:2025-08-01"],
     "La période T1 finit avant de commencer"),
])
def test_erreurs_en_francais_sans_rien_enregistrer(capsys, ecole: str, arguments: list[str], attendu: str) -> None:
    avant = nombre_evenements(ecole)
    code, _, err = lancer(capsys, ecole, *arguments)
    assert code == 1
    assert attendu in err
    assert err.startswith("Erreur : ")
    assert nombre_evenements(ecole) == avant


@pytest.mark.parametrize(("arguments", "attendu"), [
    (["periodes", "parametrer", "--uai", f.UAI, "--division", "4A", "--periode", "T1-2025"],
     "période « T1-2025 » invalide : attendu CODE:AAAA-MM-JJ:AAAA-MM-JJ"),
    (["bilans", "ouvrir", "--uai", f.UAI], "arguments obligatoires manquants : --division, --periode"),
    (["bilans", "saisir", "--uai", f.UAI, "--eleve", "1", "--periode", "T1", "--matiere", "X",
      "--positionnement", "7"], "choix invalide"),
])
def test_arguments_invalides_en_francais(tmp_path, arguments: list[str], attendu: str) -> None:
    store = f"sqlite:///{tmp_path / 'x.sqlite'}"
    proc = subprocess.run([sys.executable, "-m", "lsun_events.interfaces.cli", *arguments, "--store", store],
                          capture_output=True, text=True, timeout=60, check=False)
    assert proc.returncode == 2
    assert attendu in proc.stderr, proc.stderr
    assert not (tmp_path / "x.sqlite").exists()


def test_stockage_invalide(capsys) -> None:
    code = main(["bilans", "ouvrir", "--uai", f.UAI, "--division", "4A", "--periode", "T1", "--store", "mysql://x"])
    assert code == 1
    assert "Adresse de stockage « mysql://x » invalide" in capsys.readouterr().err


def test_migrer_cree_toutes_les_tables_sur_postgresql(capsys: pytest.CaptureFixture[str]) -> None:
    """``lsun-events migrer`` on an empty schema: every table the processes use, the web page's included, so
    that they can run under a role without the right to create tables."""
    exiger_postgres()
    store = Store.depuis_url(f"{POSTGRES_URL}?schema=m_{uuid.uuid4().hex[:12]}")
    try:
        assert main(["migrer", "--store", store.url]) == 0, capsys.readouterr().err
        with psycopg.connect(POSTGRES_URL) as conn:
            tables = {t for (t,) in conn.execute("SELECT table_name FROM information_schema.tables "
                                                 "WHERE table_schema = %s", (store.pg_schema,))}
    finally:
        supprimer_schema(store)
    assert {"web_taches", "web_echecs_connexion", "automatique_planification", "automatique_retenues", "comptes",
            "courante_bilans", "audit_journal", "rapports_runs"} <= tables, sorted(tables)
