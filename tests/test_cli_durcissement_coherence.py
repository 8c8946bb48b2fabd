"""The command line's inconsistencies of issue 14, each fixed and proved: a repeated ``--division`` counted once,
files and S3E together refused, ``eleves ajouter`` saying which divisions LSUN does not know, ``--acteur`` without
control characters and ``audit`` escaping those of old events, ``LSUN_JOUR`` pinning the date of ``synchroniser``;
and the last word of ``main``: any exception told in French, its traceback only in the DEBUG log."""

from __future__ import annotations

import errno
import json
import logging
import socket
import sqlite3
from datetime import date, timedelta
from pathlib import Path

import pytest

from lsun_events.aggregates.valeurs import Periode
from lsun_events.generateur import variantes as v
from lsun_events.generateur.ecriture import Exports, ecrire_exports
from lsun_events.generateur.generation import generer
from lsun_events.generateur.modele import Division
from lsun_events.interfaces.cli import audit, main
from lsun_events.projections import rapports
from lsun_events.regles.calendrier import annee_scolaire
from lsun_events.systeme import Systeme

ANNEE = annee_scolaire(date.today())
ECOLE = generer("mini", annee=ANNEE)
UAI = ECOLE.uai
CONTROLES = "Mme\x1b[31m Rouge\x1b[0m\nfausse ligne\x07\x9b2J\u202e"


def lancer(capsys: pytest.CaptureFixture[str], *argv: str, acteur: str | None = "Mme la Principale") -> tuple[
        int, str, str]:
    code = main([*argv, *(["--acteur", acteur] if acteur is not None else [])])
    sortie = capsys.readouterr()
    return code, sortie.out, sortie.err


@pytest.fixture
def exports(tmp_path: Path) -> Exports:
    return ecrire_exports(ECOLE, tmp_path / "exports")


@pytest.fixture
def importe(tmp_path: Path, exports: Exports, capsys: pytest.CaptureFixture[str]) -> str:
    store = f"sqlite:///{tmp_path / 'lsun.sqlite'}"
    code, _, err = lancer(capsys, "importer", "--siecle", str(exports.siecle_zip), "--sts", str(exports.sts),
                          "--store", store)
    assert code == 0, err
    code, _, err = lancer(capsys, "periodes", "parametrer", "--uai", UAI, "--division", "4A", "--periode",
                          f"S1:{ANNEE}-09-01:{ANNEE + 1}-01-31", "--store", store)
    assert code == 0, err
    return store


def test_division_repetee_comptee_une_fois(importe: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """``--division 4A --division 4A`` (or `` 4A``) is 4A once, as the web page does: same warnings, same counters."""
    modifiee = v.faire_partir(v.renommer_eleve(ECOLE, "2400102", prenoms=["Timothée-Arthur"]),
                              next(e.eleve_id for e in ECOLE.eleves if e.division == "3B"), date(ANNEE, 9, 2))
    ecrits = ecrire_exports(modifiee, tmp_path / "modifiee")
    sources = ["--siecle", str(ecrits.siecle_dossier), "--sts", str(ecrits.sts), "--store", importe, "--json",
               "--simulation"]
    resultats = []
    for divisions in (["4A", "3B"], ["4A", "4A", "3B", " 4A ", "3B"]):
        code, out, err = lancer(capsys, "synchroniser", "--uai", UAI,
                                *(x for d in divisions for x in ("--division", d)), *sources)
        assert code == 0, err
        resultats.append(json.loads(out))
    une_fois, repetees = resultats
    assert une_fois["messages"], "le scénario doit produire des messages"
    assert repetees["messages"] == une_fois["messages"]
    assert repetees["compteurs"] == une_fois["compteurs"]
    assert [m["division"] for m in repetees["messages"]] == sorted(
        (m["division"] for m in repetees["messages"]), key=["4A", "3B"].index)  # the order given is kept

    with pytest.raises(SystemExit) as sortie:
        lancer(capsys, "synchroniser", "--uai", UAI, "--division", " ", *sources)
    assert sortie.value.code == 2
    assert "indiquez au moins un code de division" in capsys.readouterr().err


@pytest.mark.parametrize(("options", "attendu"), [
    (["--siecle", "S", "--sts", "T", "--s3e", "http://127.0.0.1:1"],
     "--siecle et --sts et --s3e sont incompatibles : la source est soit les fichiers"),
    (["--sts", "T", "--s3e", "http://127.0.0.1:1"], "--sts et --s3e sont incompatibles"),
    (["--siecle", "S", "--sts", "T", "--jeton", "secret"], "--jeton ne sert qu'avec --s3e"),
    (["--siecle", "S"], "indiquez --siecle et --sts, ou --s3e"),
])
def test_fichiers_et_s3e_ensemble_refuses(tmp_path: Path, capsys: pytest.CaptureFixture[str], options: list[str],
                                          attendu: str) -> None:
    """Files and S3E together: refused before anything is read or opened (before, the files were ignored)."""
    store = tmp_path / "x.sqlite"
    with pytest.raises(SystemExit) as sortie:
        main(["synchroniser", "--uai", UAI, "--toutes", *options, "--store", f"sqlite:///{store}"])
    assert sortie.value.code == 2
    assert attendu in capsys.readouterr().err
    assert not store.exists()


def test_eleves_ajouter_refuse_sts_qu_il_ne_lit_pas(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["eleves", "ajouter", "--uai", UAI, "--siecle", "S", "--sts", "T"])
    assert "--sts ne sert pas à « eleves ajouter »" in capsys.readouterr().err


def test_eleves_ajouter_dit_les_divisions_inconnues(importe: str, tmp_path: Path,
                                                     capsys: pytest.CaptureFixture[str]) -> None:
    """Pupils of divisions LSUN does not know are not added, and the command says which, how many, and what to
    do (before: « 0 élève(s) ajouté(s). » and nothing else)."""
    ecole, _ = v.ajouter_eleve(ECOLE, "4A", graine=1)
    ecole.divisions.append(Division("5Z", "5EME Z"))
    for graine in (2, 3):
        ecole, _ = v.ajouter_eleve(ecole, "5Z", graine=graine)
    ecole.divisions.append(Division("6Y", "6EME Y"))
    ecole, _ = v.ajouter_eleve(ecole, "6Y", graine=4)
    ecrits = ecrire_exports(ecole, tmp_path / "arrivees")

    code, out, err = lancer(capsys, "eleves", "ajouter", "--uai", UAI, "--siecle", str(ecrits.siecle_zip),
                            "--store", importe)
    assert code == 0, err
    lignes = out.splitlines()
    assert lignes[0] == "1 élève(s) ajouté(s)."
    assert lignes[1] == ("3 élève(s) non ajouté(s) : leur division n'existe pas dans LSUN — 5Z (2 élèves), "
                         "6Y (1 élève).")
    assert "synchronisez l'ancienne division" in lignes[2]
    code, out, err = lancer(capsys, "eleves", "ajouter", "--uai", UAI, "--siecle", str(ecrits.siecle_zip),
                            "--store", importe, "--json")
    assert code == 0, err
    assert json.loads(out) == {"uai": UAI, "eleves": 0, "divisions_inconnues": {"5Z": 2, "6Y": 1}}

    # Nothing unknown: nothing more is said.
    code, out, _ = lancer(capsys, "eleves", "ajouter", "--uai", UAI, "--siecle",
                          str(ecrire_exports(ECOLE, tmp_path / "memes").siecle_zip), "--store", importe)
    assert (code, out) == (0, "0 élève(s) ajouté(s).\n")


@pytest.mark.parametrize("acteur", ["Mme\nDupont", "\x1b[31mMme Dupont", "Mme\x9bDupont", "Mme\u202eDupont",
                                    "Mme\tDupont", "", " ", "x" * 201])
def test_acteur_refuse_les_caracteres_de_controle(importe: str, capsys: pytest.CaptureFixture[str],
                                                  monkeypatch: pytest.MonkeyPatch, acteur: str) -> None:
    """``--acteur`` is recorded and shown by the audit: one line of printable characters, else refused (also when
    it comes from ``LSUN_ACTEUR``), and the message shows the value escaped."""
    commande = ["bilans", "ouvrir", "--uai", UAI, "--division", "4A", "--periode", "S1", "--store", importe]
    for par_variable in (False, True) if acteur else (False,):  # LSUN_ACTEUR empty is LSUN_ACTEUR unset
        if par_variable:
            monkeypatch.setenv("LSUN_ACTEUR", acteur)
        with pytest.raises(SystemExit) as sortie:
            main([*commande] if par_variable else [*commande, "--acteur", acteur])
        assert sortie.value.code == 2
        err = capsys.readouterr().err
        assert "argument --acteur : " in err
        assert "\x1b" not in err and "\x9b" not in err and "\u202e" not in err
    assert lancer(capsys, *commande, acteur="Mme Dupont (principale)")[0] == 0


def test_audit_echappe_les_caracteres_de_controle_des_anciens_evenements(
        importe: str, capsys: pytest.CaptureFixture[str]) -> None:
    """Events written before ``--acteur`` was checked (or by another program) may hold control characters: the
    audit's text shows them escaped, its JSON keeps them exactly (escaped as JSON)."""
    with Systeme(importe) as s:
        s.app.parametrer_periodes(UAI, "4A", [Periode("S1", date(ANNEE, 9, 1), date(ANNEE + 1, 1, 31)),
                                              Periode(f"S2{CONTROLES}", date(ANNEE + 1, 2, 1),
                                                      date(ANNEE + 1, 7, 4))], CONTROLES)
        s.rattraper()
    code, out, err = lancer(capsys, "audit", "--uai", UAI, "--acteur", CONTROLES, "--store", importe, acteur=None)
    assert code == 0, err
    for brut in ("\x1b", "\x07", "\x9b", "\u202e"):
        assert brut not in out
    lignes = out.splitlines()
    assert len(lignes) >= 2 and all(x.startswith(("Audit ", "20")) for x in lignes), lignes  # no forged line
    assert "Mme\\x1b[31m Rouge\\x1b[0m\\nfausse ligne\\x07\\x9b2J\\u202e" in out

    code, out, err = lancer(capsys, "audit", "--uai", UAI, "--acteur", CONTROLES, "--store", importe, "--json",
                            acteur=None)
    assert code == 0, err
    assert "\x9b" not in out and "\u202e" not in out  # JSON escapes them too (\\u009b), and stays JSON
    document = json.loads(out)
    assert document["filtre"] == {"acteur": CONTROLES}
    assert {x["acteur"] for x in document["lignes"]} == {CONTROLES}


def test_lsun_jour_fixe_la_date_de_synchroniser(importe: str, exports: Exports, capsys: pytest.CaptureFixture[str],
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    """``LSUN_JOUR`` pins the date of ``synchroniser`` as it does the web page's and the worker's; invalid, it is
    refused in French."""
    commande = ["synchroniser", "--uai", UAI, "--toutes", "--siecle", str(exports.siecle_zip), "--sts",
                str(exports.sts), "--store", importe, "--json"]
    jours = {}
    for jour in (None, date(ANNEE, 11, 17)):
        if jour is not None:
            monkeypatch.setenv("LSUN_JOUR", jour.isoformat())
        code, out, err = lancer(capsys, *commande)
        assert code == 0, err
        run = json.loads(out)["synchronisation"]
        with Systeme(importe) as s, s.lire("rapports") as c:
            jours[jour] = rapports.run(c, run)["jour"]
    assert jours == {None: date.today().isoformat(), date(ANNEE, 11, 17): f"{ANNEE}-11-17"}

    monkeypatch.setenv("LSUN_JOUR", "17/11/2025")
    code, _, err = lancer(capsys, *commande)
    assert code == 1
    assert err == ("Erreur : LSUN_JOUR vaut « 17/11/2025 » : attendu une date AAAA-MM-JJ (la date des "
                   "synchronisations), ou rien pour aujourd'hui.\n")


def test_lsun_jour_pour_un_depart_d_eleve(importe: str, tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                          monkeypatch: pytest.MonkeyPatch) -> None:
    """What the pinned date changes (R4): a pupil leaving after ``LSUN_JOUR`` is still schooled that day."""
    depart = date.today() + timedelta(days=400)  # after today, whatever today is
    eleve = "2400102"
    ecrits = ecrire_exports(v.faire_partir(ECOLE, eleve, depart), tmp_path / "depart")
    commande = ["synchroniser", "--uai", UAI, "--division", "4A", "--siecle", str(ecrits.siecle_zip), "--sts",
                str(ecrits.sts), "--store", importe, "--json", "--simulation"]
    avant = json.loads(lancer(capsys, *commande)[1])["messages"]
    monkeypatch.setenv("LSUN_JOUR", (depart + timedelta(days=1)).isoformat())
    apres = json.loads(lancer(capsys, *commande)[1])["messages"]
    assert not [m for m in avant if m["code"] == "M1"]
    assert [m["code"] for m in apres if m["code"] == "M1"] == ["M1"]


def test_demo_refuse_un_stockage_qu_elle_n_a_pas_ecrit(importe: str, capsys: pytest.CaptureFixture[str]) -> None:
    """``demo --store`` on a real store would have deleted it and added accounts of known passwords."""
    chemin = Path(importe.removeprefix("sqlite:///"))
    taille = chemin.stat().st_size
    code, _, err = lancer(capsys, "demo", "--sans-serveur", "--store", importe)
    assert code == 1
    assert "contient déjà des données que la démo n'a pas écrites" in err
    assert chemin.stat().st_size == taille


def test_serveur_adresse_inconnue_ou_port_pris(importe: str, capsys: pytest.CaptureFixture[str]) -> None:
    with socket.socket() as pris:
        pris.bind(("127.0.0.1", 0))
        pris.listen()
        port = pris.getsockname()[1]
        code, _, err = lancer(capsys, "serveur", "--port", str(port), "--store", importe)
        assert (code, err) == (1, f"Erreur : Impossible d'écouter sur 127.0.0.1:{port} : le port est déjà pris par "
                                  "un autre programme.\n")
    code, _, err = lancer(capsys, "serveur", "--hote", "nom.invalide.", "--port", "1", "--store", importe)
    assert code == 1
    assert err.startswith("Erreur : Adresse d'écoute « nom.invalide. » inconnue")


@pytest.mark.parametrize(("exception", "attendu", "code_attendu"), [
    (MemoryError(), "Erreur : mémoire insuffisante pour cette commande", 1),
    (RuntimeError("boom"), "Erreur : erreur inattendue : la commande n'a pas pu aller au bout.", 1),
    (KeyError("x"), "Erreur : erreur inattendue", 1),
    (RecursionError(), "Erreur : données trop imbriquées", 1),
    (OSError(errno.ENOSPC, "No space left on device", "/tmp/x"), "Erreur : « /tmp/x » : plus de place sur le disque.",
     1),
    (PermissionError(errno.EACCES, "Permission denied", "/etc/shadow"),
     "Erreur : « /etc/shadow » : accès refusé (droits du fichier ou du dossier).", 1),
    (sqlite3.DatabaseError("file is not a database"),
     "Erreur : erreur du stockage (ce fichier n'est pas une base SQLite, ou elle est chiffrée ou endommagée)", 1),
    (sqlite3.OperationalError("database is locked"),
     "Erreur : le stockage est injoignable ou occupé (la base SQLite est verrouillée par un autre processus)", 1),
    (KeyboardInterrupt(), "Erreur : Commande interrompue (Ctrl+C).", 130),
])
def test_toute_exception_finit_en_francais(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                           caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch,
                                           exception: BaseException, attendu: str, code_attendu: int) -> None:
    """The last word of ``main``: whatever a command raises, a French message and a non-zero code; the traceback
    of an unexpected one goes to the log at DEBUG only (``LSUN_JOURNAL=DEBUG``)."""

    def leve(_: object) -> None:
        raise exception

    monkeypatch.setattr(audit, "bilan", leve)
    commande = ["bilan", "--uai", UAI, "--eleve", "1", "--periode", "T1", "--store",
                f"sqlite:///{tmp_path / 'x.sqlite'}"]
    assert main(commande) == code_attendu
    sortie = capsys.readouterr()
    assert sortie.err.startswith(attendu), sortie.err
    assert sortie.err.count("\n") == 1 and sortie.out == ""  # one line, no traceback
    assert type(exception).__name__ not in sortie.err

    caplog.set_level(logging.DEBUG, logger="lsun_events.cli")  # as LSUN_JOURNAL=DEBUG does
    assert main(commande) == code_attendu
    prevue = isinstance(exception, sqlite3.Error | KeyboardInterrupt)
    traces = [r for r in caplog.records if r.name == "lsun_events.cli" and r.exc_info]
    assert bool(traces) is not prevue  # unexpected: its traceback in the DEBUG log
    assert all(r.levelno == logging.DEBUG for r in traces)


def test_sortie_fermee_sans_message(importe: str, capsys: pytest.CaptureFixture[str],
                                    monkeypatch: pytest.MonkeyPatch) -> None:
    """``lsun-events audit … | head -1``: the reader went away; no English « Broken pipe »."""

    def leve(*_: object, **__: object) -> None:
        raise BrokenPipeError(errno.EPIPE, "Broken pipe")

    monkeypatch.setattr("lsun_events.interfaces.cli.afficher", leve)
    monkeypatch.setattr("os.dup2", lambda *_: None)  # the test's stdout stays
    code = main(["messages", "--synchronisation", "00000000-0000-0000-0000-000000000000", "--store", importe])
    assert code == 1  # unknown run: its French error, not the pipe
    code = main(["cle", "generer"])
    assert code == 1
    assert "Broken pipe" not in capsys.readouterr().err
