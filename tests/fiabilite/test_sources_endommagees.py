"""Damaged or implausible sources (SPEC §5, R13) end to end, on both stores: for each damage of the
generator's real exports — UTF-8 bytes in an ISO-8859-15 file, Windows-1252 bytes, a bidirectional override in a
division code, a zero-width space in a name, a bad ELEVE_ID, a bad UAI, a 101-character name, impossible birth
dates — ``importer`` and ``synchroniser`` (files and S3E) through the real command line, and the automatic
worker, fail with the French message naming the file, the line or record and the suspicious text; not one event
is appended, no Python traceback is shown."""

from __future__ import annotations

import re
import subprocess
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from lsun_events.automatique import service
from lsun_events.automatique.garde import Garde
from lsun_events.automatique.planification import Planification
from lsun_events.automatique.worker import Worker
from lsun_events.generateur.ecriture import ELEVES, Exports, ecrire_exports, ecrire_s3e
from lsun_events.generateur.generation import generer
from lsun_events.interfaces.cli import main
from lsun_events.regles.calendrier import annee_scolaire
from lsun_events.storage.config import Store
from lsun_events.systeme import Systeme
from tests.conftest import contenu_du_stockage as contenu
from tests.s3e_local import JETON_TEST, serveur_s3e

ANNEE = annee_scolaire(date.today())
ECOLE = generer("mini", annee=ANNEE)
UAI = ECOLE.uai
STS = ECOLE.nom_fichier_sts
CHEF = "Mme la Principale"
ISO = "iso-8859-15"
RACINE = Path(__file__).resolve().parents[2]


@dataclass(frozen=True)
class Variante:
    """One damage: the export it touches, how, and what the message must say."""

    nom: str
    fichier: str
    abimer: Callable[[bytes], bytes]
    attendus: tuple[str, ...]
    si_fichier: tuple[str, ...] = ()  # what the message says only for a file (S3E: ask the service, or run again)

    def appliquer(self, chemin: Path) -> bytes:
        """Damage ``chemin`` in place; returns its undamaged bytes (to put them back)."""
        avant = chemin.read_bytes()
        apres = self.abimer(avant)
        assert apres != avant, self.nom
        chemin.write_bytes(apres)
        return avant


def _remplacer(ancien: bytes, nouveau: bytes) -> Callable[[bytes], bytes]:
    def abimer(octets: bytes) -> bytes:
        assert ancien in octets, ancien
        return octets.replace(ancien, nouveau, 1)
    return abimer


def _premiere_date(motif: str, nouvelle: str) -> Callable[[bytes], bytes]:
    return lambda octets: re.sub(motif.encode(), nouvelle.encode(), octets, count=1)


L_AN_PROCHAIN = date.today().year + 1
VARIANTES = [
    Variante("utf8_dans_iso", ELEVES, lambda o: o.decode(ISO).encode(),  # re-saved in UTF-8, still declared ISO
             ("ElevesSansAdresses.xml", "ligne 15, champ PRENOM", "« TimothÃ©e » ressemble à « Timothée » mal encodé",
              "élève ELEVE_ID 2400102 (HUET TimothÃ©e, ligne 11)"),
             ("Réexportez le fichier depuis SIECLE Base élèves et utilisez-le sans l'ouvrir ni le réenregistrer",)),
    Variante("windows_1252", ELEVES, _remplacer(b">N'GUESSAN<", b">N\x92GUESSAN-C\x9cUR<"),
             ("ElevesSansAdresses.xml", "ligne 136, champ NOM_DE_FAMILLE", "« N[U+0092]GUESSAN-C[U+009C]UR »",
              "U+0092, caractère de contrôle C1", "c'est sans doute « N’GUESSAN-CœUR »", "élève ELEVE_ID")),
    Variante("bidi_division", STS, _remplacer(b'<DIVISION CODE="4A">', b'<DIVISION CODE="4&#x202E;A">'),
             (STS, "ligne 332, attribut CODE de <DIVISION>", "« 4[U+202E]A »", "U+202E, forçage de droite à gauche",
              "sans ce caractère il se lit « 4A »", "division 4[U+202E]A (ligne 332)", "STS-web")),
    Variante("espace_sans_chasse", ELEVES, _remplacer(b"<PRENOM>No\xe9mie<", b"<PRENOM>No&#x200B;\xe9mie<"),
             ("ElevesSansAdresses.xml", "champ PRENOM", "« No[U+200B]émie »", "U+200B, espace sans chasse",
              "sans ce caractère il se lit « Noémie »", "élève ELEVE_ID 2400111 (HADDAD No[U+200B]émie, ligne ")),
    Variante("eleve_id", ELEVES, _remplacer(b'ELEVE_ID="2400102"', b'ELEVE_ID="24001O2"'),
             ("ElevesSansAdresses.xml", "l'identifiant ELEVE_ID « 24001O2 » n'est pas un identifiant d'élève SIECLE "
              "(1 à 20 chiffres)", "1er élève du fichier (ligne 11), HUET Timothée")),
    Variante("uai", STS, _remplacer(b'<UAJ CODE="0999001X">', b'<UAJ CODE="0999001">'),
             (STS, "le code de l'établissement (PARAMETRES/UAJ@CODE) « 0999001 » n'est pas un UAI", "UAJ (ligne 4)")),
    Variante("nom_101", ELEVES, _remplacer(b"<NOM_DE_FAMILLE>HUET<", b"<NOM_DE_FAMILLE>" + b"H" * 101 + b"<"),
             ("ElevesSansAdresses.xml", "le nom de famille (NOM_DE_FAMILLE) a 101 caractères", "élève ELEVE_ID 2400102")),
    Variante("naissance_1899", ELEVES, _premiere_date(r"<DATE_NAISS>(\d\d/\d\d)/\d{4}<", r"<DATE_NAISS>\1/1899<"),
             ("ElevesSansAdresses.xml", "la date de naissance (DATE_NAISS)", "/1899 » est antérieure à 1900",
              "élève ELEVE_ID 2400102 (HUET Timothée, ligne 11)")),
    Variante("naissance_l_an_prochain", ELEVES,
             _premiere_date(r"<DATE_NAISS>(\d\d/\d\d)/\d{4}<", rf"<DATE_NAISS>\1/{L_AN_PROCHAIN}<"),
             ("ElevesSansAdresses.xml", f"/{L_AN_PROCHAIN} » est dans le futur", "élève ELEVE_ID 2400102")),
    Variante("naissance_enseignant", STS,
             _premiere_date(r"<DATE_NAISSANCE>\d{4}-", f"<DATE_NAISSANCE>{L_AN_PROCHAIN}-"),
             (STS, f"la date de naissance (DATE_NAISSANCE) « {L_AN_PROCHAIN}-", "est dans le futur", "INDIVIDU epp ")),
]


pytestmark = pytest.mark.usefixtures("sans_proxy")  # the S3E client talks to 127.0.0.1 directly


def lancer(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main([*args, "--acteur", CHEF])
    sortie = capsys.readouterr()
    return code, sortie.out, sortie.err




def verifier_refus(variante: Variante, code: int, erreur: str, *, document: str | None = None) -> None:
    assert code == 1, (variante.nom, erreur)
    assert "Traceback" not in erreur, erreur
    assert erreur.count("Fichier « ") == 1, erreur
    if document is not None:
        assert f"Fichier « {document} » : " in erreur, erreur
    for attendu in variante.attendus + (variante.si_fichier if document is None else ()):
        if document is not None and attendu in (ELEVES, STS):
            continue  # S3E names the document by its URL
        assert attendu in erreur, f"{variante.nom} : {attendu!r} absent de : {erreur}"


def _chemin(exports: Exports, fichier: str) -> Path:
    return exports.sts if fichier == STS else exports.siecle_dossier / fichier


@pytest.fixture
def exports(tmp_path: Path) -> Exports:
    return ecrire_exports(ECOLE, tmp_path / "exports")


@pytest.fixture
def importe(store: Store, exports: Exports, capsys: pytest.CaptureFixture[str]) -> str:
    code, _, err = lancer(capsys, "importer", "--siecle", str(exports.siecle_dossier), "--sts", str(exports.sts),
                          "--store", store.url)
    assert code == 0, err
    return store.url


# --- importer and synchroniser, from files ------------------------------------------------------------------------


def test_importer_refuse_chaque_source_endommagee_sans_rien_enregistrer(
        store: Store, exports: Exports, capsys: pytest.CaptureFixture[str]) -> None:
    for variante in VARIANTES:
        chemin = _chemin(exports, variante.fichier)
        avant = variante.appliquer(chemin)
        try:
            code, out, err = lancer(capsys, "importer", "--siecle", str(exports.siecle_dossier), "--sts",
                                    str(exports.sts), "--store", store.url)
        finally:
            chemin.write_bytes(avant)
        verifier_refus(variante, code, err)
        assert out == ""
        assert contenu(store) == [], variante.nom


def test_synchroniser_refuse_chaque_source_endommagee_sans_rien_enregistrer(
        importe: str, store: Store, exports: Exports, capsys: pytest.CaptureFixture[str]) -> None:
    avant_tout = contenu(store)
    assert avant_tout
    for variante in VARIANTES:
        chemin = _chemin(exports, variante.fichier)
        sain = variante.appliquer(chemin)
        try:
            for options in (["--simulation"], [], ["--json"]):
                code, out, err = lancer(capsys, "synchroniser", "--uai", UAI, "--toutes", "--siecle",
                                        str(exports.siecle_dossier), "--sts", str(exports.sts), "--store", importe,
                                        *options)
                verifier_refus(variante, code, err)
                assert out == ""
        finally:
            chemin.write_bytes(sain)
        assert contenu(store) == avant_tout, variante.nom
    code, _, err = lancer(capsys, "synchroniser", "--uai", UAI, "--toutes", "--siecle", str(exports.siecle_dossier),
                          "--sts", str(exports.sts), "--store", importe)
    assert code == 0, err  # the same exports, undamaged, are accepted


def test_un_vrai_processus_sort_en_erreur_avec_le_message_francais(store: Store, exports: Exports) -> None:
    variante = VARIANTES[0]
    variante.appliquer(_chemin(exports, variante.fichier))
    fini = subprocess.run(
        [sys.executable, "-m", "lsun_events.interfaces.cli", "importer", "--siecle", str(exports.siecle_dossier),
         "--sts", str(exports.sts), "--store", store.url, "--acteur", CHEF],
        cwd=RACINE, capture_output=True, text=True, timeout=120, check=False)
    verifier_refus(variante, fini.returncode, fini.stderr)
    assert fini.stdout == ""
    assert contenu(store) == []


# --- S3E: the command line and the automatic worker ------------------------------------------------------------------


@pytest.fixture
def s3e(tmp_path: Path) -> Iterator[tuple[str, Path]]:
    """The local S3E server over the school's exports: (base URL, folder of the served files)."""
    dossier = ecrire_s3e(ECOLE, tmp_path / "s3e")
    with serveur_s3e(tmp_path / "s3e") as url:
        yield url, dossier


def test_synchroniser_depuis_s3e_refuse_chaque_source_endommagee(
        importe: str, store: Store, s3e: tuple[str, Path], capsys: pytest.CaptureFixture[str]) -> None:
    url, dossier = s3e
    avant_tout = contenu(store)
    for variante in VARIANTES:
        chemin = dossier / variante.fichier
        sain = variante.appliquer(chemin)
        try:
            code, out, err = lancer(capsys, "synchroniser", "--uai", UAI, "--toutes", "--s3e", url, "--jeton",
                                    JETON_TEST, "--store", importe)
        finally:
            chemin.write_bytes(sain)
        ressource = "sts/emp" if variante.fichier == STS else "bee/eleves"
        verifier_refus(variante, code, err, document=f"{url}/{UAI}/{ressource}")
        assert out == ""
        assert contenu(store) == avant_tout, variante.nom
    code, _, err = lancer(capsys, "synchroniser", "--uai", UAI, "--toutes", "--s3e", url, "--jeton", JETON_TEST,
                          "--store", importe)
    assert code == 0, err  # the same documents, undamaged, are accepted


class Horloge:
    def __init__(self) -> None:
        self.t = datetime.now(UTC)

    def __call__(self) -> datetime:
        return self.t


def test_le_worker_note_l_echec_de_chaque_source_endommagee_sans_rien_enregistrer(
        importe: str, store: Store, s3e: tuple[str, Path]) -> None:
    url, dossier = s3e
    horloge = Horloge()
    with Systeme(store) as systeme:
        planification = Planification(store)
        try:
            worker = Worker(systeme.app, planification, garde=Garde(), jeton=JETON_TEST, jour=date.today(),
                            horloge=horloge, timeout=(2, 5))
            service.parametrer(systeme.app, planification, UAI, CHEF, active=True, adresse_s3e=url, intervalle_minutes=15)
            avant_tout = contenu(store)  # the subscription is an event of its own
            for echecs, variante in enumerate(VARIANTES, start=1):
                chemin = dossier / variante.fichier
                sain = variante.appliquer(chemin)
                try:
                    horloge.t += timedelta(hours=7)  # past the retry delay (doubled at each failure, 6 h at most)
                    assert worker.cycle() == [(UAI, "echec")], variante.nom
                finally:
                    chemin.write_bytes(sain)
                etat = service.etat(systeme.app, planification, UAI)
                assert (etat["dernier_etat"], etat["echecs"]) == ("echec", echecs)
                message = etat["message"]
                assert message.count("Fichier « ") == 1 and "Traceback" not in message, message
                for attendu in variante.attendus:
                    if attendu not in (ELEVES, STS):
                        assert attendu in message, f"{variante.nom} : {attendu!r} absent de : {message}"
                assert contenu(store) == avant_tout, variante.nom
            horloge.t += timedelta(hours=7)
            [(uai, resultat)] = worker.cycle()  # undamaged again: read, no failure
            assert (uai, resultat) != (UAI, "echec"), service.etat(systeme.app, planification, UAI)["message"]
        finally:
            planification.fermer()
