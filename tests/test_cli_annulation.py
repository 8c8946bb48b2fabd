"""`lsun-events annuler` (SPEC §9 U5) on both stores: preview, then undo, with the same JSON as `synchroniser`;
refusals in French with exit code 1, nothing saved."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from lsun_events.generateur import variantes as v
from lsun_events.generateur.ecriture import ecrire_exports
from lsun_events.storage.config import Store
from tests.test_cli_synchronisation import ECOLE, UAI, importe, lancer

__all__ = ["importe"]  # the fixture, shared with the synchronisation's CLI tests


def _nombre_d_evenements(url: str) -> int:
    from lsun_events.application.app import ouvrir_application  # noqa: PLC0415

    app = ouvrir_application(Store.depuis_url(url))
    try:
        return app.recorder.max_notification_id() or 0
    finally:
        app.close()


def test_annuler_simulation_puis_reel_puis_refus(importe: str, tmp_path: Path,
                                                   capsys: pytest.CaptureFixture[str]) -> None:
    modifiee = v.renommer_eleve(ECOLE, "2400102", prenoms=["Timothée-Arthur"])
    ecrits = ecrire_exports(modifiee, tmp_path / "modifiee")
    code, out, err = lancer(capsys, "synchroniser", "--uai", UAI, "--division", "4A", "--siecle",
                            str(ecrits.siecle_dossier), "--sts", str(ecrits.sts), "--store", importe, "--json")
    assert code == 0, err
    run = json.loads(out)["synchronisation"]

    avant = _nombre_d_evenements(importe)
    code, out, err = lancer(capsys, "annuler", "--uai", UAI, "--synchronisation", run, "--simulation",
                            "--store", importe, "--json")
    assert code == 0, err
    apercu = json.loads(out)
    assert set(apercu) == {"synchronisation", "statut", "messages", "compteurs", "exports_absents"}
    assert apercu["statut"] == "simulation"
    assert _nombre_d_evenements(importe) == avant
    textes = [m["texte"] for m in apercu["messages"]]
    assert textes[0].startswith("La synchronisation du ") and textes[0].endswith("(Mme la Principale) a été annulée.")
    assert apercu["messages"][0]["code"] == "M13"
    assert "L'élève Timothée HUET (4A) a été mis à jour." in textes

    code, out, err = lancer(capsys, "annuler", "--uai", UAI, "--synchronisation", run, "--store", importe, "--json")
    assert code == 0, err
    fait = json.loads(out)
    assert fait["statut"] == "terminee"
    assert [m["texte"] for m in fait["messages"]] == textes
    code, out, _ = lancer(capsys, "messages", "--synchronisation", fait["synchronisation"], "--store", importe,
                          "--json", "--regenerer")
    assert [m["texte"] for m in json.loads(out)["messages"]] == textes
    # The undone run's report says it was undone, by which run and whom.
    code, out, _ = lancer(capsys, "messages", "--synchronisation", run, "--store", importe, "--json")
    assert json.loads(out)["annulee"]["par"] == fait["synchronisation"]
    assert json.loads(out)["annulee"]["acteur"] == "Mme la Principale"
    code, out, _ = lancer(capsys, "messages", "--synchronisation", run, "--store", importe)
    premiere = out.splitlines()[0]
    assert premiere.startswith("Synchronisation annulée le ") and premiere.endswith(
        f"par Mme la Principale (annulation {fait['synchronisation']}).")

    # Text output: a header, then the messages.
    code, out, err = lancer(capsys, "annuler", "--uai", UAI, "--synchronisation", run, "--store", importe)
    assert code == 1 and out == ""
    assert err.startswith("Erreur : Cette synchronisation a déjà été annulée")
    code, out, err = lancer(capsys, "annuler", "--uai", UAI, "--synchronisation", fait["synchronisation"],
                            "--store", importe)
    assert code == 1 and "elle-même une annulation" in err
    code, _, err = lancer(capsys, "annuler", "--uai", UAI, "--synchronisation", "n-importe-quoi", "--store", importe)
    assert code == 1 and "Aucune synchronisation d'identifiant n-importe-quoi" in err
    with pytest.raises(SystemExit) as sortie:
        lancer(capsys, "annuler", "--uai", UAI, "--store", importe)
    assert sortie.value.code == 2
    assert "arguments obligatoires manquants : --synchronisation" in capsys.readouterr().err


def test_annuler_en_texte(importe: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    ecrits = ecrire_exports(v.renommer_eleve(ECOLE, "2400102", prenoms=["Tim"]), tmp_path / "m")
    code, out, _ = lancer(capsys, "synchroniser", "--uai", UAI, "--division", "4A", "--siecle",
                          str(ecrits.siecle_dossier), "--sts", str(ecrits.sts), "--store", importe, "--json")
    run = json.loads(out)["synchronisation"]
    code, out, err = lancer(capsys, "annuler", "--uai", UAI, "--synchronisation", run, "--store", importe)
    assert code == 0, err
    lignes = out.splitlines()
    assert lignes[0].startswith("Annulation ") and lignes[0].endswith("terminée : 2 message(s).")
    assert any("a été annulée." in x for x in lignes[1:])
