"""SPEC §7 scenario 8: a bad export gets a clear French error naming the file and what is wrong, zero
events are appended and the store is unchanged in content (SQLite file and PostgreSQL)."""

from __future__ import annotations

import re
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest

from lsun_events.generateur.ecriture import ecrire_exports
from lsun_events.generateur.generation import generer
from lsun_events.interfaces.cli import main
from tests.scenarios.conftest import Etablissement

Corruption = Callable[[Path, Path], tuple[Path, Path]]


def _eleves(siecle: Path) -> Path:
    return siecle / "ElevesSansAdresses.xml"


def _remplacer(fichier: Path, avant: bytes, apres: bytes, compte: int = 1) -> None:
    contenu = fichier.read_bytes()
    assert avant in contenu
    fichier.write_bytes(contenu.replace(avant, apres, compte))


def xml_mal_forme(siecle: Path, sts: Path) -> tuple[Path, Path]:
    _remplacer(_eleves(siecle), b"</NOM_DE_FAMILLE>", b"</NOM>")
    return siecle, sts


def fichier_tronque(siecle: Path, sts: Path) -> tuple[Path, Path]:
    contenu = sts.read_bytes()
    sts.write_bytes(contenu[: len(contenu) // 2])
    return siecle, sts


def racine_edt_sts(siecle: Path, sts: Path) -> tuple[Path, Path]:
    _remplacer(sts, b"<STS_EDT>", b"<EDT_STS>")
    _remplacer(sts, b"</STS_EDT>", b"</EDT_STS>")
    return siecle, sts


def autre_etablissement(siecle: Path, sts: Path) -> tuple[Path, Path]:
    autre = ecrire_exports(generer("mini", uai="0999002Y"), siecle.parent / "autre")
    return autre.siecle_dossier, autre.sts


def autre_annee(siecle: Path, sts: Path) -> tuple[Path, Path]:
    autre = ecrire_exports(generer("mini", annee=2024), siecle.parent / "autre")
    return autre.siecle_dossier, autre.sts


def eleve_id_en_double(siecle: Path, sts: Path) -> tuple[Path, Path]:
    contenu = _eleves(siecle).read_bytes()
    premier = re.search(rb'<ELEVE ELEVE_ID="(\d+)"', contenu)
    deuxieme = re.findall(rb'<ELEVE ELEVE_ID="(\d+)"', contenu)[1]
    assert premier is not None
    _eleves(siecle).write_bytes(contenu.replace(b'ELEVE_ID="' + deuxieme + b'"', b'ELEVE_ID="' + premier[1] + b'"', 1))
    return siecle, sts


def nom_manquant(siecle: Path, sts: Path) -> tuple[Path, Path]:
    contenu = _eleves(siecle).read_bytes()
    _eleves(siecle).write_bytes(re.sub(rb"<NOM_DE_FAMILLE>[^<]*</NOM_DE_FAMILLE>", b"", contenu, count=1))
    return siecle, sts


def encodage_inconnu(siecle: Path, sts: Path) -> tuple[Path, Path]:
    _remplacer(_eleves(siecle), b'encoding="ISO-8859-15"', b'encoding="x-macthai"')
    return siecle, sts


def zip_a_deux_fichiers_eleves(siecle: Path, sts: Path) -> tuple[Path, Path]:
    archive = siecle.parent / "double.zip"
    with zipfile.ZipFile(archive, "w") as z:
        for f in siecle.iterdir():
            z.write(f, f.name)
        z.write(_eleves(siecle), "ElevesAvecAdresses.xml")
    return archive, sts


def zip_sans_fichier_eleves(siecle: Path, sts: Path) -> tuple[Path, Path]:
    archive = siecle.parent / "vide.zip"
    with zipfile.ZipFile(archive, "w") as z:
        z.writestr("Lisez-moi.txt", "rien")
    return archive, sts


def entite_externe(siecle: Path, sts: Path) -> tuple[Path, Path]:
    secret = siecle.parent / "secret.txt"
    secret.write_text("MOT DE PASSE", encoding="utf-8")
    _remplacer(_eleves(siecle), b"<BEE_ELEVES",
               b'<!DOCTYPE BEE_ELEVES [<!ENTITY x SYSTEM "file://' + str(secret).encode() + b'">]>\n<BEE_ELEVES')
    _remplacer(_eleves(siecle), b"<NOM_USAGE></NOM_USAGE>", b"<NOM_USAGE>&x;</NOM_USAGE>")
    return siecle, sts


def milliard_de_rires(siecle: Path, sts: Path) -> tuple[Path, Path]:
    entites = b"".join(b'<!ENTITY l%d "&l%d;&l%d;&l%d;&l%d;&l%d;&l%d;&l%d;&l%d;&l%d;&l%d;">' % (i, *([i - 1] * 10))
                       for i in range(1, 10))
    _remplacer(sts, b"<STS_EDT>", b'<!DOCTYPE STS_EDT [<!ENTITY l0 "rire">' + entites + b"]>\n<STS_EDT>")
    _remplacer(sts, b"<SIGLE>CLG</SIGLE>", b"<SIGLE>&l9;</SIGLE>")
    return siecle, sts


CAS: list[tuple[Corruption, str, str]] = [
    (xml_mal_forme, "ElevesSansAdresses.xml", ""),
    (fichier_tronque, "sts_emp_0999001X_2025.xml", ""),
    (racine_edt_sts, "sts_emp_0999001X_2025.xml", "emploi du temps"),
    (autre_etablissement, "", "0999002Y"),
    (autre_annee, "", "2024"),
    (eleve_id_en_double, "ElevesSansAdresses.xml", "ELEVE_ID"),
    (nom_manquant, "ElevesSansAdresses.xml", "nom"),
    (encodage_inconnu, "ElevesSansAdresses.xml", "x-macthai"),
    (zip_a_deux_fichiers_eleves, "double.zip", "ElevesAvecAdresses.xml"),
    (zip_sans_fichier_eleves, "vide.zip", ""),
    (entite_externe, "ElevesSansAdresses.xml", "DOCTYPE"),
    (milliard_de_rires, "sts_emp_0999001X_2025.xml", "DOCTYPE"),
]


@pytest.mark.parametrize(("corrompre", "fichier", "detail"), CAS, ids=[c[0].__name__ for c in CAS])
def test_8_mauvais_export_erreur_claire_rien_d_enregistre(
        etablissement: Etablissement, capsys: pytest.CaptureFixture[str], corrompre: Corruption, fichier: str,
        detail: str) -> None:
    e = etablissement
    ecrits = ecrire_exports(e.ecole, e.dossier / "mauvais")
    siecle, sts = corrompre(ecrits.siecle_dossier, ecrits.sts)
    avant = e.contenu()

    code = main(["synchroniser", "--uai", e.uai, "--division", "4A", "--siecle", str(siecle), "--sts", str(sts),
                 "--store", e.systeme.store.url, "--acteur", "Mme la Principale"])

    sortie = capsys.readouterr()
    assert code == 1
    assert sortie.out == ""
    assert sortie.err.startswith("Erreur : ")
    assert fichier in sortie.err
    assert detail in sortie.err
    assert "MOT DE PASSE" not in sortie.err
    assert "Traceback" not in sortie.err
    assert e.contenu() == avant
