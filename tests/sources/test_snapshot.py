"""A whole snapshot: the SIECLE and STS-web exports read together, merged and cross-checked (one UAI,
one school year), from folders, zips or in-memory documents."""

from __future__ import annotations

import io
import zipfile
from datetime import date
from pathlib import Path

import pytest

from lsun_events.sources.documents import Document, JeuDocuments
from lsun_events.sources.erreurs import SourceInvalideError
from lsun_events.sources.localisation import LimitesZip
from lsun_events.sources.records import Adresse, ExportDescription
from lsun_events.sources.snapshot import charger_eleves, charger_exports, lire_snapshot
from tests.sources.donnees import (
    ISO,
    communs_xml,
    ecrire,
    ecrire_jeu,
    eleve,
    eleves_xml,
    nomenclature_xml,
    responsables_xml,
    structures_xml,
    sts_xml,
)


def test_a_complete_snapshot(tmp_path: Path) -> None:
    siecle, sts = ecrire_jeu(tmp_path)
    snapshot = charger_exports(siecle, sts, uai_attendu="0999001x", annee_attendue="2025")
    assert (snapshot.uai, snapshot.annee_scolaire, snapshot.origine) == ("0999001X", "2025", "fichiers")
    assert [e.eleve_id for e in snapshot.eleves] == ["700101", "700102", "700103", "700104"]
    assert [e.id_sts for e in snapshot.enseignants] == ["48213", "48214", "900"]  # canonical order (R13)
    assert len(snapshot.services) == 4 and len(snapshot.profs_principaux) == 1

    # divisions: Structures.xml, completed by STS (libellé, new 3A) and by the pupils' D codes (4E 1);
    # the pseudo-division Inactifs is a pupil's division but never a division of the snapshot
    assert [(d.code, d.libelle, d.mefs) for d in snapshot.divisions] == [
        ("5E1", "5ÈME 1", ()), ("5E2", "5EME 2 (STS)", ("10110001110",)), ("3A", "3EME A", ()), ("4E 1", None, ())]
    assert snapshot.eleves[3].division == "Inactifs"
    assert [(g.code, g.libelle, g.divisions) for g in snapshot.groupes] == [("5LAT", "LATIN 5ÈME", ("5E1", "5E2"))]

    # établissement: Communs.xml completed by the STS UAJ block
    etablissement = snapshot.etablissement
    assert etablissement.nom == "COLLEGE DES EXEMPLES €"  # Communs has no DENOM_COMPL: STS's full name
    assert (etablissement.chef_nom, etablissement.chef_qualite) == ("Agnès L'HÔPITAL", "PRINCIPALE")
    assert etablissement.adresse == Adresse(lignes=("1 rue du Modèle",), code_postal="99999",
                                            commune="EXEMPLEVILLE")  # Communs gives no commune name
    assert (etablissement.telephone, etablissement.mel) == ("0100000000", "ce.0999001x@example.invalid")
    assert (etablissement.sigle, etablissement.academie) == ("CLG", "99")

    # responsables attached to their pupils
    assert [r.prenom for r in snapshot.eleves[0].responsables] == ["Hélène"]
    assert snapshot.eleves[2].responsables == ()

    # matières: STS, completed by Nomenclature.xml; a service STS does not name gets the BEE libellé
    matieres = {m.code: m for m in snapshot.matieres}
    assert matieres["061300"].libelle == "Sciences de la vie et de la Terre"
    assert matieres["020300"].code_gestion == "LCALA"
    assert sorted(s.matiere_libelle for s in snapshot.services) == sorted([
        "Anglais LV1", "FRANÇAIS", "Sciences de la vie et de la Terre", "LCA LATIN"])

    assert snapshot.exports == (
        ExportDescription(fichier="ElevesSansAdresses.xml", racine="BEE_ELEVES", date_export="08/09/2025 07:42:10"),
        ExportDescription(fichier="ResponsablesAvecAdresses.xml", racine="BEE_RESPONSABLES",
                          date_export="08/09/2025 07:42:10"),
        ExportDescription(fichier="Nomenclature.xml", racine="BEE_NOMENCLATURES", date_export="08/09/2025 07:42:10"),
        ExportDescription(fichier="Structures.xml", racine="BEE_STRUCTURES", date_export="08/09/2025 07:42:10"),
        ExportDescription(fichier="Communs.xml", racine="BEE_COMMUN", date_export="08/09/2025 07:42:10"),
        ExportDescription(fichier="sts_emp_0999001X_2025.xml", racine="STS_EDT"),
    )
    assert len(snapshot.anomalies) == 3  # plusieurs divisions, service sans enseignant connu, responsable absent
    assert any("plusieurs divisions" in a for a in snapshot.anomalies)


def test_same_data_from_zips_gives_the_same_snapshot(tmp_path: Path) -> None:
    siecle, sts = ecrire_jeu(tmp_path / "dossier")
    zips = tmp_path / "zips"
    zips.mkdir()
    for fichier in siecle.iterdir():
        with zipfile.ZipFile(zips / f"{fichier.stem}.zip", "w", zipfile.ZIP_DEFLATED) as archive:
            archive.write(fichier, fichier.name)
    with zipfile.ZipFile(tmp_path / "sts.zip", "w", zipfile.ZIP_DEFLATED) as archive:
        archive.write(sts, sts.name)
    depuis_dossier = charger_exports(siecle, sts)
    depuis_zips = charger_exports(zips, tmp_path / "sts.zip")
    assert depuis_zips.empreinte() == depuis_dossier.empreinte()
    assert depuis_zips.exports[0].fichier == "ElevesSansAdresses.zip!ElevesSansAdresses.xml"


def test_in_memory_documents_as_the_s3e_client_gives_them() -> None:
    def document(nom: str, texte: str) -> Document:
        return Document(nom=f"https://s3e.example.invalid/0999001X/{nom}",
                        ouvrir=lambda: io.BytesIO(texte.encode(ISO)))

    jeu = JeuDocuments(eleves=document("bee/eleves", eleves_xml()), sts=document("sts/emp", sts_xml()),
                       structures=document("bee/structures", structures_xml()), origine="s3e")
    snapshot = lire_snapshot(jeu, uai_attendu="0999001X")
    assert snapshot.origine == "s3e" and len(snapshot.eleves) == 4
    assert snapshot.exports[0].fichier == "https://s3e.example.invalid/0999001X/bee/eleves"


def test_pupils_only(tmp_path: Path) -> None:
    siecle, _ = ecrire_jeu(tmp_path)
    snapshot = charger_eleves(siecle, uai_attendu="0999001X")
    assert len(snapshot.eleves) == 4 and snapshot.enseignants == () and snapshot.services == ()
    assert snapshot.etablissement.nom == "COLLÈGE" and snapshot.annee_scolaire == "2025"
    assert [d.code for d in snapshot.divisions] == ["5E1", "5E2", "4E 1"]


def test_school_year_from_the_export_date_when_no_file_states_it(tmp_path: Path) -> None:
    texte = eleves_xml(annee=None).replace("08/09/2025", "12/03/2026")
    chemin = ecrire(tmp_path / "ElevesSansAdresses.xml", texte)
    assert charger_eleves(chemin).annee_scolaire == "2025"


# --- another school, another year ------------------------------------------------------------------------

def test_exports_of_another_school(tmp_path: Path) -> None:
    siecle, sts = ecrire_jeu(tmp_path)
    with pytest.raises(SourceInvalideError) as erreur:
        charger_exports(siecle, sts, uai_attendu="0999002Y")
    message = str(erreur.value)
    assert "sts_emp_0999001X_2025.xml" in message  # STS is read first
    assert "le fichier concerne l'établissement 0999001X, pas 0999002Y" in message


def test_one_siecle_file_of_another_school(tmp_path: Path) -> None:
    siecle, sts = ecrire_jeu(tmp_path, structures=structures_xml(uai="0999003Z"))
    with pytest.raises(SourceInvalideError) as erreur:
        charger_exports(siecle, sts)
    message = str(erreur.value)
    assert "Structures.xml" in message
    assert ("le fichier concerne l'établissement 0999003Z, pas 0999001X (celui du fichier "
            "« sts_emp_0999001X_2025.xml »)") in message


def test_pupils_of_another_school_are_refused_before_their_data_is_read(tmp_path: Path) -> None:
    eleves = eleves_xml(eleve("1", DATE_NAISS="pas une date"), uai="0999002Y", options="", structures="")
    siecle, sts = ecrire_jeu(tmp_path, eleves=eleves)
    with pytest.raises(SourceInvalideError, match="concerne l'établissement 0999002Y, pas 0999001X"):
        charger_exports(siecle, sts)


def test_wrong_school_year(tmp_path: Path) -> None:
    siecle, sts = ecrire_jeu(tmp_path)
    with pytest.raises(SourceInvalideError) as erreur:
        charger_exports(siecle, sts, annee_attendue="2026")
    message = str(erreur.value)
    assert "sts_emp_0999001X_2025.xml" in message
    assert "le fichier concerne l'année scolaire 2025-2026, pas 2026-2027" in message


def test_one_file_of_last_year(tmp_path: Path) -> None:
    siecle, sts = ecrire_jeu(tmp_path, communs=communs_xml(annee="2024"))
    with pytest.raises(SourceInvalideError) as erreur:
        charger_exports(siecle, sts)
    message = str(erreur.value)
    assert "Communs.xml" in message and "l'année scolaire 2024-2025, pas 2025-2026" in message


def test_a_file_without_school_year_is_accepted(tmp_path: Path) -> None:
    siecle, sts = ecrire_jeu(tmp_path, nomenclature=nomenclature_xml(annee=None),
                             responsables=responsables_xml(annee=None))
    assert charger_exports(siecle, sts).annee_scolaire == "2025"


# --- bad input anywhere stops everything ----------------------------------------------------------------

def test_duplicate_eleve_id(tmp_path: Path) -> None:
    eleves = eleves_xml(eleve("9", "UN", "A") + eleve("9", "DEUX", "B"), options="", structures="")
    siecle, sts = ecrire_jeu(tmp_path, eleves=eleves)
    with pytest.raises(SourceInvalideError, match="ELEVE_ID 9 est porté par deux élèves"):
        charger_exports(siecle, sts)


def test_malformed_optional_file(tmp_path: Path) -> None:
    siecle, sts = ecrire_jeu(tmp_path, communs=communs_xml().replace("</UAJ>", "</UAJ x>"))
    with pytest.raises(SourceInvalideError) as erreur:
        charger_exports(siecle, sts)
    assert "Communs.xml" in str(erreur.value) and "mal formé" in str(erreur.value)


def test_files_swapped(tmp_path: Path) -> None:
    siecle, sts = ecrire_jeu(tmp_path, sts=eleves_xml())
    with pytest.raises(SourceInvalideError, match="<BEE_ELEVES>"):
        charger_exports(siecle, sts)


def test_timetable_file_given_as_sts(tmp_path: Path) -> None:
    siecle, _ = ecrire_jeu(tmp_path)
    edt = ecrire(tmp_path / "emp_sts_0999001X_2025.xml", sts_xml(racine="EDT_STS"))
    with pytest.raises(SourceInvalideError, match="logiciel d'emploi du temps vers STS"):
        charger_exports(siecle, edt)


def test_zip_limits_reach_the_localisation(tmp_path: Path) -> None:
    siecle, sts = ecrire_jeu(tmp_path)
    archive = tmp_path / "siecle.zip"
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as z:
        z.write(siecle / "ElevesSansAdresses.xml", "ElevesSansAdresses.xml")
    with pytest.raises(SourceInvalideError, match="limite"):
        charger_exports(archive, sts, limites=LimitesZip(taille_max=1000))


def test_the_empreinte_is_stable(tmp_path: Path) -> None:
    siecle, sts = ecrire_jeu(tmp_path)
    premier, second = charger_exports(siecle, sts), charger_exports(siecle, sts)
    assert premier.empreinte() == second.empreinte()
    assert premier.eleves[0].date_naissance == date(2012, 3, 14)


MINI = Path(__file__).resolve().parents[1] / "fixtures" / "mini"


@pytest.mark.skipif(not (MINI / "siecle.zip").exists(), reason="jeu « mini » du générateur absent")
def test_the_generators_mini_set_reads_cleanly() -> None:
    """The generator (lsun_events/generateur) and the readers agree on the formats."""
    depuis_zip = charger_exports(MINI / "siecle.zip", next(MINI.glob("sts_emp_*.xml")), uai_attendu="0999001X")
    depuis_dossier = charger_exports(MINI / "siecle", next(MINI.glob("sts_emp_*.xml")))
    assert depuis_zip.empreinte() == depuis_dossier.empreinte()
    assert depuis_zip.anomalies == ()
    assert "Inactifs" not in [d.code for d in depuis_zip.divisions]
    assert all(e.responsables for e in depuis_zip.eleves) and depuis_zip.enseignants and depuis_zip.services
