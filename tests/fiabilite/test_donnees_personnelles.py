"""Personal data: with ``LSUN_CLE_CHIFFREMENT`` the events' payloads are encrypted at rest (the raw SQLite file,
the raw PostgreSQL rows hold no name, INE, birth date nor mail), a wrong or missing key gives a clear French
error and changes nothing, a malformed key is refused; the command line's log lines, even at DEBUG, never
carry a pupil's or a teacher's name, INE or birth date."""

from __future__ import annotations

import base64
import json
import logging
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import psycopg
import pytest
from psycopg import sql

from lsun_events.generateur import variantes as v
from lsun_events.generateur.ecriture import ecrire_exports, ecrire_s3e
from lsun_events.generateur.generation import generer
from lsun_events.generateur.modele import Ecole
from lsun_events.interfaces.cli import main
from lsun_events.interfaces.cli.journal import FiltreDonneesPersonnelles
from lsun_events.regles.calendrier import annee_scolaire
from lsun_events.storage.config import CLE_CHIFFREMENT, Store
from lsun_events.systeme import Systeme
from tests.s3e_local import JETON_TEST, serveur_s3e

ANNEE = annee_scolaire(date.today())
ECOLE = generer("mini", annee=ANNEE)
UAI = ECOLE.uai


def donnees_personnelles(ecole: Ecole, longueur_min: int) -> set[str]:
    """What must never be readable: names, INE, birth dates (ISO and as exported), mails, phones."""
    jetons: set[str] = set()
    for e in ecole.eleves:
        jetons |= {e.nom_de_famille, e.nom_usage, *e.prenoms, e.ine, e.mel, e.tel_portable,
                   e.date_naissance.isoformat(), e.date_naissance.strftime("%d/%m/%Y")}
        for r in e.responsables:
            jetons |= {r.nom_de_famille, r.nom_usage, r.prenom}
    for p in ecole.enseignants:
        jetons |= {p.nom_usage, p.prenom, p.nom_patronymique}
        if p.date_naissance:
            jetons |= {p.date_naissance.isoformat(), p.date_naissance.strftime("%d/%m/%Y")}
    return {j for j in jetons if j and len(j.encode()) >= longueur_min}


def lancer(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main([*args, "--acteur", "Mme la Principale"])
    sortie = capsys.readouterr()
    return code, sortie.out, sortie.err


def importer_et_synchroniser(capsys: pytest.CaptureFixture[str], store: Store, dossier: Path) -> str:
    """Import, then a run that renames pupils and adds a teacher; the run's id."""
    ecrits = ecrire_exports(ECOLE, dossier / "rentree")
    code, _, err = lancer(capsys, "importer", "--siecle", str(ecrits.siecle_zip), "--sts", str(ecrits.sts),
                          "--store", store.url)
    assert code == 0, err
    variante, _ = v.ajouter_enseignant_au_service(v.modifier(ECOLE, part_eleves_renommes=0.5), "4A", "061300")
    ecrits = ecrire_exports(variante, dossier / "novembre")
    code, out, err = lancer(capsys, "synchroniser", "--uai", UAI, "--toutes", "--siecle", str(ecrits.siecle_zip),
                            "--sts", str(ecrits.sts), "--store", store.url, "--json")
    assert code == 0, err
    return str(json.loads(out)["synchronisation"])


def octets_bruts(store: Store) -> bytes:
    """The event store exactly as kept: the SQLite file and its journal, or every column of every PostgreSQL
    row of the events table (the views are elsewhere: see docs/fiabilite.md)."""
    if store.kind == "sqlite":
        assert store.sqlite_path is not None
        fichiers = sorted(store.sqlite_path.parent.glob(f"{store.sqlite_path.name}*"))
        return b"".join(f.read_bytes() for f in fichiers if ".verrou-" not in f.name)
    with Systeme(store) as s:
        table = s.app.recorder.events_table_name  # type: ignore[attr-defined]
    with psycopg.connect(host=store.pg_host, port=store.pg_port, dbname=store.pg_dbname, user=store.pg_user,
                         password=store.pg_password) as conn:
        lignes = conn.execute(sql.SQL("SELECT originator_id::text, originator_version, topic, state FROM {}.{}").format(
            sql.Identifier(store.pg_schema), sql.Identifier(table))).fetchall()
    return b"".join(f"{o}|{v}|{t}|".encode() + bytes(s) for o, v, t, s in lignes)


def lisibles(brut: bytes, jetons: set[str]) -> set[str]:
    return {j for j in jetons if j.encode() in brut or j.encode("iso-8859-15", "ignore") in brut}


@pytest.fixture
def cle(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> Iterator[str]:
    """A key made by ``lsun-events cle generer``, in the environment."""
    code, out, err = lancer(capsys, "cle", "generer")
    assert code == 0 and "LSUN_CLE_CHIFFREMENT" in err
    valeur = out.strip()
    assert len(base64.b64decode(valeur, validate=True)) == 32
    assert lancer(capsys, "cle", "generer")[1].strip() != valeur  # a new one each time
    monkeypatch.setenv(CLE_CHIFFREMENT, valeur)
    yield valeur


def test_sans_cle_les_noms_sont_lisibles_dans_le_stockage(store: Store, tmp_path: Path,
                                                          capsys: pytest.CaptureFixture[str],
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    """The control: the raw search does find what an unencrypted store holds."""
    monkeypatch.delenv(CLE_CHIFFREMENT, raising=False)
    importer_et_synchroniser(capsys, store, tmp_path)
    jetons = donnees_personnelles(ECOLE, 6)
    assert len(lisibles(octets_bruts(store), jetons)) > len(jetons) // 2


def test_avec_une_cle_les_evenements_sont_chiffres_au_repos(store: Store, tmp_path: Path, cle: str,
                                                            capsys: pytest.CaptureFixture[str]) -> None:
    run = importer_et_synchroniser(capsys, store, tmp_path)
    brut = octets_bruts(store)
    jetons = donnees_personnelles(ECOLE, 6)
    assert len(jetons) > 50
    assert lisibles(brut, jetons) == set()
    # Read back with the key: the report rebuilt from the events names the pupils again.
    code, out, err = lancer(capsys, "messages", "--synchronisation", run, "--regenerer", "--store", store.url)
    assert code == 0, err
    assert "a été mis à jour" in out
    print(f"\nchiffrement ({store.kind}) : {len(brut)} octets bruts relus, {len(jetons)} données personnelles "
          "cherchées, aucune trouvée")


def test_mauvaise_cle_ou_cle_absente_erreur_claire_et_rien_d_enregistre(
        store: Store, tmp_path: Path, cle: str, capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    run = importer_et_synchroniser(capsys, store, tmp_path)
    avant = octets_bruts(store) if store.kind == "postgresql" else None
    with Systeme(store) as s:
        position = s.app.recorder.max_notification_id()
    ecrits = ecrire_exports(v.renommer_eleve(ECOLE, "2400102", prenoms=["Anatole"]), tmp_path / "decembre")
    synchroniser = ["synchroniser", "--uai", UAI, "--toutes", "--siecle", str(ecrits.siecle_zip), "--sts",
                    str(ecrits.sts), "--store", store.url]
    # Another school, never seen: its import reads nothing of the store, yet it must not write events under a
    # key the others cannot read (the key is checked when the store is opened).
    autre_ecole = ecrire_exports(generer("mini", uai="0999002Y"), tmp_path / "autre")
    importer = ["importer", "--siecle", str(autre_ecole.siecle_zip), "--sts", str(autre_ecole.sts), "--store",
                store.url]
    autre = base64.b64encode(bytes(32)).decode()
    for valeur, attendu in ((autre, "la clé LSUN_CLE_CHIFFREMENT n'est pas celle avec laquelle ils ont été écrits"),
                            (None, "ils sont sans doute chiffrés et LSUN_CLE_CHIFFREMENT n'est pas définie")):
        if valeur is None:
            monkeypatch.delenv(CLE_CHIFFREMENT)
        else:
            monkeypatch.setenv(CLE_CHIFFREMENT, valeur)
        for commande in (synchroniser, importer,
                         ["messages", "--synchronisation", run, "--regenerer", "--store", store.url]):
            code, out, err = lancer(capsys, *commande)
            assert code == 1, out
            assert err.splitlines()[-1] == (f"Erreur : les événements du stockage ne peuvent pas être relus : "
                                            f"{attendu}, ou les données sont endommagées. Indiquez dans "
                                            "LSUN_CLE_CHIFFREMENT la clé avec laquelle le stockage a été écrit.")
            assert "Traceback" not in err
    monkeypatch.setenv(CLE_CHIFFREMENT, cle)
    with Systeme(store) as s:
        assert s.app.recorder.max_notification_id() == position
    if avant is not None:
        assert octets_bruts(store) == avant

    for invalide in ("pas-une-cle", base64.b64encode(bytes(16)).decode()):
        monkeypatch.setenv(CLE_CHIFFREMENT, invalide)
        code, _, err = lancer(capsys, *synchroniser)
        assert code == 1
        assert err.splitlines()[-1] == ("Erreur : La clé de chiffrement LSUN_CLE_CHIFFREMENT est invalide : attendu "
                                        "32 octets encodés en base64 (« lsun-events cle generer » en crée une). "
                                        "Rien n'a été lu ni enregistré.")
        assert invalide not in err


def test_le_journal_ne_contient_aucune_donnee_personnelle(store: Store, tmp_path: Path,
                                                          caplog: pytest.LogCaptureFixture,
                                                          capsys: pytest.CaptureFixture[str]) -> None:
    caplog.set_level(logging.DEBUG)
    importer_et_synchroniser(capsys, store, tmp_path)
    variante = v.renommer_eleve(v.changer_pp(ECOLE, "4B"), "2400102", prenoms=["Anatole"])
    ecrire_s3e(variante, tmp_path / "s3e")
    with serveur_s3e(tmp_path / "s3e") as base:  # the local S3E server logs each request too
        code, _, err = lancer(capsys, "synchroniser", "--uai", UAI, "--division", "4A", "--division", "4B",
                              "--s3e", base, "--jeton", JETON_TEST, "--store", store.url)
        assert code == 0, err
        code, _, err = lancer(capsys, "synchroniser", "--uai", UAI, "--toutes", "--s3e", base, "--jeton", "faux",
                              "--store", store.url)
        assert code == 1
    lignes = [caplog.handler.format(r) for r in caplog.records]
    assert len(lignes) >= 12  # requests logged by the client and the server, at least
    texte = "\n".join(lignes)
    jetons = donnees_personnelles(variante, 4) | donnees_personnelles(ECOLE, 4)
    assert {j for j in jetons if j in texte} == set(), texte
    print(f"\njournal ({store.kind}) : {len(lignes)} lignes au niveau DEBUG, {len(jetons)} données personnelles "
          "cherchées, aucune trouvée")


def test_le_filtre_du_journal_masque_ine_et_dates() -> None:
    enregistrement = logging.LogRecord("essai", logging.INFO, __file__, 1, "élève %s né le %s (%s)",
                                       ("123456789AB", "14/03/2012", "1234567890C"), None)
    FiltreDonneesPersonnelles().filter(enregistrement)
    assert enregistrement.getMessage() == "élève [INE masqué] né le [date masquée] ([INE masqué])"
