"""``lsun-events audit``: by pupil, teacher, run or acteur, pages, dates, ``--json``, French errors."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from lsun_events.interfaces.cli import main
from tests.projections import scenario as sc
from tests.projections.scenario import CHEF, DURAND, PROF, TIMOTHEE, UAI


def audit(capsys: pytest.CaptureFixture[str], histoire: sc.Scenario, *args: str) -> tuple[int, str, str]:
    code = main(["audit", "--uai", UAI, *args, "--store", histoire.store.url])
    sortie = capsys.readouterr()
    return code, sortie.out, sortie.err


def test_audit_d_un_eleve_en_json_et_en_texte(capsys: pytest.CaptureFixture[str], histoire: sc.Scenario) -> None:
    code, out, err = audit(capsys, histoire, "--eleve", TIMOTHEE, "--json", "--limite", "5")
    assert code == 0, err
    donnees = json.loads(out)
    assert (donnees["filtre"], donnees["page"], donnees["limite"], len(donnees["lignes"])) == (
        {"eleve": TIMOTHEE}, 1, 5, 5)
    assert donnees["pages"] == -(-donnees["total"] // 5)
    [maj] = [x for x in donnees["lignes"] if x["evenement"] == "EleveMisAJour"]
    assert (maj["champ"], maj["ancien"], maj["nouveau"], maj["acteur"], maj["synchronisation"]) == (
        "nom_de_famille", "HUET", "HUET-ROBIN", CHEF, histoire.run(2))
    assert (maj["evenement_libelle"], maj["champ_libelle"]) == ("Élève mis à jour", "Nom de famille")

    code, out, _ = audit(capsys, histoire, "--eleve", TIMOTHEE, "--limite", "5", "--page", "2")
    assert code == 0
    lignes = out.splitlines()
    assert lignes[0].startswith(f"Audit de l'élève {TIMOTHEE} ({UAI}) : ")
    assert ", page 2 sur " in lignes[0]
    assert len(lignes) == 6

    code, out, _ = audit(capsys, histoire, "--eleve", TIMOTHEE, "--limite", "200")
    texte = [x for x in out.splitlines() if "· Élève mis à jour ·" in x]
    assert texte[1].endswith(f'· {CHEF} · synchronisation {histoire.run(0)} · Timothée-Arthur HUET (eleve) · '
                             'Élève mis à jour · Prénoms : Timothée, Arthur → Timothée-Arthur')


def test_audit_par_enseignant_run_acteur_et_dates(capsys: pytest.CaptureFixture[str], histoire: sc.Scenario) -> None:
    code, out, err = audit(capsys, histoire, "--enseignant", DURAND, "--json")
    assert code == 0, err
    assert "EnseignantMisAJour" in {x["evenement"] for x in json.loads(out)["lignes"]}

    code, out, _ = audit(capsys, histoire, "--synchronisation", histoire.run(3), "--json")
    assert {x["evenement"] for x in json.loads(out)["lignes"]} == {"SynchronisationDemarree",
                                                                   "SynchronisationTerminee"}

    code, out, _ = audit(capsys, histoire, "--acteur", PROF, "--json")
    assert [x["champ"] for x in json.loads(out)["lignes"]] == [
        "acquis 061300 : positionnement", "acquis 061300 : positionnement", "acquis 061300 : appreciation"]

    code, out, _ = audit(capsys, histoire, "--acteur", PROF, "--json", "--jusqu-au", "2000-01-01")
    assert (code, json.loads(out)["total"], json.loads(out)["lignes"]) == (0, 0, [])
    code, out, _ = audit(capsys, histoire, "--acteur", PROF, "--json", "--depuis", "2000-01-01")
    assert json.loads(out)["total"] == 3


def test_audit_erreurs_en_francais(capsys: pytest.CaptureFixture[str], histoire: sc.Scenario) -> None:
    for arguments, attendu in (
        (["--eleve", "9999999"], "Aucun élève d'identifiant 9999999 dans l'établissement 0999001X."),
        (["--enseignant", "epp:1"], "Aucun enseignant « epp:1 » dans l'établissement 0999001X."),
        (["--synchronisation", "pas-un-uuid"], "Aucune synchronisation d'identifiant pas-un-uuid."),
        (["--synchronisation", "00000000-0000-4000-8000-000000000000"], "Aucune synchronisation d'identifiant"),
    ):
        code, out, err = audit(capsys, histoire, *arguments)
        assert (code, out) == (1, "")
        assert err.startswith(f"Erreur : {attendu}")


def test_audit_arguments_invalides(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    store = f"sqlite:///{tmp_path / 'x.sqlite'}"
    for arguments, attendu in ((["--eleve", "1", "--acteur", "X"], "incompatible avec l'argument"),
                               ([], "l'un des arguments --eleve --enseignant --synchronisation --acteur"),
                               (["--enseignant", "48213"], "attendu TYPE:ID"),
                               (["--eleve", "1", "--depuis", "hier"], "date « hier » invalide")):
        with pytest.raises(SystemExit) as fin:
            main(["audit", "--uai", UAI, *arguments, "--store", store])
        assert fin.value.code == 2
        assert attendu in capsys.readouterr().err
    code = main(["audit", "--uai", "0999999Z", "--eleve", "1", "--store", store])
    assert code == 1
    assert "L'établissement 0999999Z n'a pas été importé" in capsys.readouterr().err
