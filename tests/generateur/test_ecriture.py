"""The written exports: the real files, well-formed in their declared encoding, coherent between them."""

from __future__ import annotations

import time
import zipfile
from pathlib import Path

import pytest
from lxml import etree

from lsun_events.generateur.ecriture import FICHIERS_SIECLE, ecrire_document, ecrire_exports, ecrire_s3e
from lsun_events.generateur.fixtures import ecrire_fixtures
from lsun_events.generateur.generation import generer
from lsun_events.generateur.modele import Ecole
from lsun_events.generateur.variantes import changer_etablissement, renommer_eleve

RACINES = {
    "ElevesSansAdresses.xml": "BEE_ELEVES",
    "ResponsablesAvecAdresses.xml": "BEE_RESPONSABLES",
    "Nomenclature.xml": "BEE_NOMENCLATURES",
    "Structures.xml": "BEE_STRUCTURES",
    "Communs.xml": "BEE_COMMUN",
}
FIXTURES = Path(__file__).parents[1] / "fixtures"
DTD_STS = Path(__file__).parents[3] / "shared" / "spec" / "schemas" / "DTD_STS_EDT.dtd"
PARSEUR = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)


def lire(chemin: Path) -> etree._Element:
    return etree.fromstring(chemin.read_bytes(), PARSEUR)


def fichiers(dossier: Path) -> dict[str, bytes]:
    return {str(p.relative_to(dossier)): p.read_bytes() for p in sorted(dossier.rglob("*")) if p.is_file()}


def test_les_fichiers_reels_avec_racine_et_uai(mini: Ecole, tmp_path: Path) -> None:
    exports = ecrire_exports(mini, tmp_path)
    assert exports.sts == tmp_path / "sts_emp_0999001X_2025.xml"
    assert exports.siecle_zip == tmp_path / "siecle.zip"
    for nom_fichier, racine in RACINES.items():
        chemin = exports.siecle_dossier / nom_fichier
        brut = chemin.read_bytes()
        assert brut.startswith(b'<?xml version="1.0" encoding="ISO-8859-15"?>\n')
        assert b"<!DOCTYPE" not in brut
        document = lire(chemin)
        assert document.tag == racine
        assert document.findtext("PARAMETRES/UAJ") == "0999001X"
        assert document.findtext("PARAMETRES/ANNEE_SCOLAIRE") == "2025"
        assert document.findtext("PARAMETRES/DATE_EXPORT") == "14/11/2025"
        assert document.findtext("PARAMETRES/HORODATAGE") == "14/11/2025 07:42:10"
    sts = lire(exports.sts)
    assert sts.tag == "STS_EDT" and "VERSION" not in sts.attrib
    assert sts.find("PARAMETRES/UAJ").get("CODE") == "0999001X"
    assert sts.find("PARAMETRES/ANNEE_SCOLAIRE").get("ANNEE") == "2025"
    assert sts.findtext("PARAMETRES/ANNEE_SCOLAIRE/DATE_DEBUT") == "2025-09-01"
    with zipfile.ZipFile(exports.siecle_zip) as archive:
        assert sorted(archive.namelist()) == sorted(FICHIERS_SIECLE)
        for nom_fichier in FICHIERS_SIECLE:
            assert archive.read(nom_fichier) == (exports.siecle_dossier / nom_fichier).read_bytes()


def test_meme_ecole_memes_octets(tmp_path: Path) -> None:
    ecrire_exports(generer("petit", graine=7), tmp_path / "a")
    ecrire_exports(generer("petit", graine=7), tmp_path / "b")
    ecrire_exports(generer("petit", graine=8), tmp_path / "c")
    a, b, c = (fichiers(tmp_path / x) for x in "abc")
    assert a == b
    assert a["siecle/ElevesSansAdresses.xml"] != c["siecle/ElevesSansAdresses.xml"]


def test_les_fixtures_mini_sont_a_jour(tmp_path: Path) -> None:
    ecrire_fixtures(tmp_path)
    assert fichiers(tmp_path / "mini") == fichiers(FIXTURES / "mini"), \
        "relancer : python -m lsun_events.generateur.fixtures tests/fixtures"


def test_les_comptes_des_fichiers_suivent_le_modele(petit: Ecole, tmp_path: Path) -> None:
    exports = ecrire_exports(petit, tmp_path, zip_siecle=False)
    assert exports.siecle_zip is None and not (tmp_path / "siecle.zip").exists()
    eleves = lire(exports.siecle_dossier / "ElevesSansAdresses.xml")
    assert len(eleves.findall("DONNEES/ELEVES/ELEVE")) == 200
    assert len(eleves.findall("DONNEES/STRUCTURES/STRUCTURES_ELEVE")) == 200
    assert len(eleves.findall("DONNEES/OPTIONS/OPTION")) == 200
    structures = lire(exports.siecle_dossier / "Structures.xml")
    assert len(structures.findall("DONNEES/DIVISIONS/DIVISION")) == 8
    assert len(structures.findall("DONNEES/GROUPES/GROUPE")) == len(petit.groupes)
    sts = lire(exports.sts)
    assert len(sts.findall("DONNEES/STRUCTURE/DIVISIONS/DIVISION")) == 8
    assert len(sts.findall("DONNEES/INDIVIDUS/INDIVIDU[FONCTION='ENS']")) == 20
    responsables = lire(exports.siecle_dossier / "ResponsablesAvecAdresses.xml")
    liens = responsables.findall("DONNEES/RESPONSABLES/RESPONSABLE_ELEVE")
    assert len(liens) == sum(len(e.responsables) for e in petit.eleves)
    personnes = {p.get("PERSONNE_ID") for p in responsables.iterfind("DONNEES/PERSONNES/PERSONNE")}
    adresses = {a.get("ADRESSE_ID") for a in responsables.iterfind("DONNEES/ADRESSES/ADRESSE")}
    assert {lien.findtext("PERSONNE_ID") for lien in liens} == personnes
    assert {p.findtext("ADRESSE_ID") for p in responsables.iterfind("DONNEES/PERSONNES/PERSONNE")} == adresses


def test_les_references_croisees_tiennent(grand: Ecole, tmp_path: Path) -> None:
    exports = ecrire_exports(grand, tmp_path, zip_siecle=False)
    sts = lire(exports.sts)
    individus = {(i.get("TYPE"), i.get("ID")) for i in sts.iterfind("DONNEES/INDIVIDUS/INDIVIDU")}
    references = {(e.get("TYPE"), e.get("ID")) for e in sts.iterfind(".//SERVICE/ENSEIGNANTS/ENSEIGNANT")}
    assert references and references <= individus
    divisions_sts = {d.get("CODE") for d in sts.iterfind("DONNEES/STRUCTURE/DIVISIONS/DIVISION")}
    groupes_sts = {g.get("CODE") for g in sts.iterfind("DONNEES/STRUCTURE/GROUPES/GROUPE")}
    assert {c.text for c in sts.iterfind(".//PROF_PRINC/CODE_STRUCTURE")} == divisions_sts
    assert {d.get("CODE") for d in sts.iterfind(".//DIVISION_APPARTENANCE")} <= divisions_sts
    structures = lire(exports.siecle_dossier / "Structures.xml")
    assert {d.get("CODE_STRUCTURE") for d in structures.iterfind("DONNEES/DIVISIONS/DIVISION")} == divisions_sts
    eleves = lire(exports.siecle_dossier / "ElevesSansAdresses.xml")
    for bloc in eleves.iterfind("DONNEES/STRUCTURES/STRUCTURES_ELEVE"):
        [division] = [s.findtext("CODE_STRUCTURE") for s in bloc if s.findtext("TYPE_STRUCTURE") == "D"]
        assert division in divisions_sts or division == "Inactifs"
        assert {s.findtext("CODE_STRUCTURE") for s in bloc if s.findtext("TYPE_STRUCTURE") == "G"} <= groupes_sts
    # the early-year quirks are written as STS writes them
    assert sts.find("DONNEES/STRUCTURE/DIVISIONS/DIVISION[@CODE='3I']/SERVICES") is not None
    assert len(sts.find("DONNEES/STRUCTURE/DIVISIONS/DIVISION[@CODE='3I']/SERVICES")) == 0
    assert len([s for s in sts.iterfind(".//SERVICE") if len(s.find("ENSEIGNANTS")) == 0]) == 1
    assert b"<SERVICES/>" in exports.sts.read_bytes()


@pytest.mark.skipif(not DTD_STS.exists(), reason="DTD de GIP-RECIA absente (shared/spec/schemas)")
def test_le_fichier_sts_est_valide_selon_la_dtd(grand: Ecole, mini: Ecole, tmp_path: Path) -> None:
    dtd = etree.DTD(str(DTD_STS))
    for ecole in (mini, grand):
        chemin = ecrire_document(ecole, ecole.nom_fichier_sts, tmp_path / ecole.nom_fichier_sts)
        assert dtd.validate(etree.parse(str(chemin), PARSEUR)), dtd.error_log.filter_from_errors()


def test_dates_bee_et_sts(mini: Ecole, tmp_path: Path) -> None:
    exports = ecrire_exports(mini, tmp_path)
    eleve = lire(exports.siecle_dossier / "ElevesSansAdresses.xml").find("DONNEES/ELEVES/ELEVE")
    assert eleve.findtext("DATE_NAISS") == mini.eleves[0].date_naissance.strftime("%d/%m/%Y")
    pp = lire(exports.sts).find(".//PROF_PRINC")
    assert pp.findtext("DATE_DEBUT") == "2025-09-01" and pp.findtext("DATE_FIN") == "2026-08-31"
    communs = lire(exports.siecle_dossier / "Communs.xml")
    assert communs.findtext("DONNEES/ANNEE_SCOLAIRE/DATE_DEBUT_ELEVE") == "01/09/2025"
    assert communs.findtext("DONNEES/UAJ/NOM_RESP") == mini.etablissement.chef_nom


def test_iso_8859_15_fait_l_aller_retour_de_oe_et_euro(mini: Ecole, tmp_path: Path) -> None:
    eleve_id = mini.eleves_de("4A")[0].eleve_id
    ecole = renommer_eleve(mini, eleve_id, nom_de_famille="LECŒUR", prenoms=["Œdipe", "Łukasz"])
    ecole = changer_etablissement(ecole, nom="COLLEGE DU CŒUR À 1 €")
    exports = ecrire_exports(ecole, tmp_path)
    brut = (exports.siecle_dossier / "ElevesSansAdresses.xml").read_bytes()
    assert "LECŒUR".encode("iso8859_15") in brut and b"\xbc" in brut  # Œ is 0xBC in ISO-8859-15
    assert b"&#321;ukasz" in brut  # Ł is not in ISO-8859-15: a character reference
    [lu] = [e for e in lire(exports.siecle_dossier / "ElevesSansAdresses.xml").iterfind("DONNEES/ELEVES/ELEVE")
            if e.get("ELEVE_ID") == eleve_id]
    assert (lu.findtext("NOM_DE_FAMILLE"), lu.findtext("PRENOM"), lu.findtext("PRENOM2")) == \
        ("LECŒUR", "Œdipe", "Łukasz")
    communs = (exports.siecle_dossier / "Communs.xml").read_bytes()
    assert b"\xa4" in communs  # € is 0xA4 in ISO-8859-15 (¤ in ISO-8859-1)
    assert lire(exports.siecle_dossier / "Communs.xml").findtext("DONNEES/UAJ/DENOM_COMPL") == "DU CŒUR À 1 €"
    assert lire(exports.sts).findtext("PARAMETRES/UAJ/DENOM_COMPL") == "DU CŒUR À 1 €"


@pytest.mark.parametrize(("encodage", "debut"), [
    ("UTF-8", b'<?xml version="1.0" encoding="UTF-8"?>\n'),
    ("UTF-8-BOM", b'\xef\xbb\xbf<?xml version="1.0" encoding="UTF-8"?>\n'),
    ("utf-8", b'<?xml version="1.0" encoding="UTF-8"?>\n'),
])
def test_encodages_utf8(mini: Ecole, tmp_path: Path, encodage: str, debut: bytes) -> None:
    exports = ecrire_exports(mini, tmp_path, encodage=encodage)
    for chemin in (*exports.siecle_fichiers.values(), exports.sts):
        brut = chemin.read_bytes()
        assert brut.startswith(debut)
        brut.decode("utf-8-sig")
        lire(chemin)
    noms = [e.findtext("NOM_DE_FAMILLE") for e in
            lire(exports.siecle_dossier / "ElevesSansAdresses.xml").iterfind("DONNEES/ELEVES/ELEVE")]
    assert noms == [e.nom_de_famille for e in mini.eleves]


def test_encodage_inconnu_refuse(mini: Ecole, tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="encodage inconnu"):
        ecrire_exports(mini, tmp_path, encodage="x-macthai")


def test_ecrire_s3e_ecrit_les_six_documents(mini: Ecole, tmp_path: Path) -> None:
    dossier = ecrire_s3e(mini, tmp_path)
    assert dossier == tmp_path / "0999001X"
    assert sorted(p.name for p in dossier.iterdir()) == sorted([*FICHIERS_SIECLE, "sts_emp_0999001X_2025.xml"])
    exports = ecrire_exports(mini, tmp_path / "exports")
    for nom_fichier in FICHIERS_SIECLE:
        assert (dossier / nom_fichier).read_bytes() == (exports.siecle_dossier / nom_fichier).read_bytes()
    assert (dossier / "sts_emp_0999001X_2025.xml").read_bytes() == exports.sts.read_bytes()


def test_grand_college_genere_et_ecrit_en_quelques_secondes(tmp_path: Path) -> None:
    debut = time.perf_counter()
    ecrire_exports(generer("grand", graine=11), tmp_path)
    assert time.perf_counter() - debut < 5
