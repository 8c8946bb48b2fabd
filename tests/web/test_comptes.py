"""Accounts on both stores, and ``lsun-events utilisateurs`` as an administrator runs it."""

from __future__ import annotations

import io
import json

import pytest

from lsun_events.application.comptes import CompteInvalideError, Comptes
from lsun_events.interfaces.cli import main
from lsun_events.storage.config import Store


def test_mot_de_passe_hache_argon2_verification_et_jeton(store: Store) -> None:
    comptes = Comptes(store)
    compte = comptes.ajouter("dupont", "chef", "mot-de-passe-long", uai="0999001x", nom="Mme Dupont")
    assert (compte.uai, compte.acteur) == ("0999001X", "Mme Dupont (chef)")
    [ligne] = comptes._executer(f"SELECT mot_de_passe FROM {comptes.table}")
    assert ligne["mot_de_passe"].startswith("$argon2id$") and "mot-de-passe-long" not in ligne["mot_de_passe"]
    assert comptes.verifier("dupont", "mot-de-passe-long") == compte
    assert comptes.verifier("dupont", "mauvais") is None
    assert comptes.verifier("inconnu", "mot-de-passe-long") is None

    premier = comptes.creer_jeton("dupont")
    assert comptes.par_jeton(premier) == compte
    second = comptes.creer_jeton("dupont")
    assert comptes.par_jeton(premier) is None  # replaced
    assert comptes.par_jeton(second) == compte
    assert second not in json.dumps(comptes._executer(f"SELECT * FROM {comptes.table}"))


@pytest.mark.parametrize(("arguments", "erreur"), [
    (("x", "chef", "mot-de-passe-long"), "Identifiant « x » invalide : 2 à 64 lettres, chiffres ou . _ @ -."),
    (("dupont", "proviseur", "mot-de-passe-long"), "Rôle « proviseur » inconnu : chef, enseignant, admin."),
    (("dupont", "enseignant", "mot-de-passe-long"),
     "Un compte « enseignant » est rattaché à un établissement : indiquez --uai."),
    (("dupont", "chef", "court"), "Mot de passe trop court : au moins 8 caractères."),
])
def test_comptes_refuses(store_sqlite: Store, arguments: tuple[str, str, str], erreur: str) -> None:
    with pytest.raises(CompteInvalideError) as e:
        Comptes(store_sqlite).ajouter(*arguments, uai="0999001X" if arguments[1] == "chef" else None)
    assert str(e.value) == erreur


def test_commande_utilisateurs(store_sqlite: Store, capsys: pytest.CaptureFixture[str],
                               monkeypatch: pytest.MonkeyPatch) -> None:
    url = store_sqlite.url
    assert main(["utilisateurs", "ajouter", "--identifiant", "dupont", "--role", "chef", "--uai", "0999001X",
                 "--nom", "Mme Dupont", "--mot-de-passe", "mot-de-passe-long", "--store", url]) == 0
    assert capsys.readouterr().out == "Compte « dupont » créé : Mme Dupont (chef), établissement 0999001X.\n"

    monkeypatch.setattr("sys.stdin", io.StringIO("lu-sur-l-entree\n"))  # no terminal: one line on stdin
    assert main(["utilisateurs", "ajouter", "--identifiant", "rectorat", "--role", "admin", "--store", url,
                 "--json"]) == 0
    assert json.loads(capsys.readouterr().out) == {"identifiant": "rectorat", "role": "admin", "uai": None,
                                                   "nom": "rectorat"}
    assert Comptes(store_sqlite).verifier("rectorat", "lu-sur-l-entree") is not None

    assert main(["utilisateurs", "ajouter", "--identifiant", "dupont", "--role", "chef", "--uai", "0999001X",
                 "--mot-de-passe", "mot-de-passe-long", "--store", url]) == 1
    assert capsys.readouterr().err == "Erreur : Le compte « dupont » existe déjà.\n"

    assert main(["utilisateurs", "jeton", "--identifiant", "dupont", "--store", url, "--json"]) == 0
    jeton = json.loads(capsys.readouterr().out)["jeton"]
    assert Comptes(store_sqlite).par_jeton(jeton).identifiant == "dupont"  # type: ignore[union-attr]
    assert main(["utilisateurs", "jeton", "--identifiant", "personne", "--store", url]) == 1
    assert capsys.readouterr().err == "Erreur : Aucun compte « personne ».\n"

    assert main(["utilisateurs", "lister", "--store", url]) == 0
    assert capsys.readouterr().out.splitlines() == ["dupont\tchef\t0999001X\tMme Dupont",
                                                    "rectorat\tadmin\t(académie)\trectorat"]


def test_commandes_mot_de_passe_et_supprimer(store_sqlite: Store, capsys: pytest.CaptureFixture[str]) -> None:
    url = store_sqlite.url
    comptes = Comptes(store_sqlite)
    comptes.ajouter("dupont", "chef", "mot-de-passe-long", uai="0999001X", nom="Mme Dupont")
    jeton = comptes.creer_jeton("dupont")

    assert main(["utilisateurs", "mot-de-passe", "--identifiant", "dupont", "--mot-de-passe", "un-autre-long",
                 "--store", url, "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["identifiant"] == "dupont"
    assert comptes.verifier("dupont", "mot-de-passe-long") is None
    assert comptes.verifier("dupont", "un-autre-long") is not None
    assert main(["utilisateurs", "mot-de-passe", "--identifiant", "dupont", "--mot-de-passe", "court",
                 "--store", url]) == 1
    assert "trop court" in capsys.readouterr().err

    assert main(["utilisateurs", "supprimer", "--identifiant", "dupont", "--store", url]) == 0
    assert capsys.readouterr().out == "Compte « dupont » supprimé, avec ses sessions et son jeton d'API.\n"
    assert comptes.compte("dupont") is None and comptes.par_jeton(jeton) is None
    assert main(["utilisateurs", "supprimer", "--identifiant", "dupont", "--store", url]) == 1
    assert capsys.readouterr().err == "Erreur : Aucun compte « dupont ».\n"
