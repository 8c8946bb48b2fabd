"""Finding the export files: SIECLE folder or zip (zips per file, zips of zips), STS-web file or zip;
recognition by name, zips by content; junk ignored; no/several candidates, zip bombs and corrupt zips
refused in French."""

from __future__ import annotations

import struct
import zipfile
from pathlib import Path

import pytest

from lsun_events.sources.documents import Document
from lsun_events.sources.erreurs import SourceInvalideError
from lsun_events.sources.localisation import (
    LimitesZip,
    localiser_exports,
    localiser_siecle,
    localiser_sts,
    role_du_fichier,
)
from lsun_events.sources.siecle import lire_eleves
from tests.sources.donnees import (
    communs_xml,
    ecrire,
    ecrire_jeu,
    eleves_xml,
    nomenclature_xml,
    responsables_xml,
    structures_xml,
    sts_xml,
)

ISO = "iso-8859-15"


def zipper(chemin: Path, membres: dict[str, bytes | str], compression: int = zipfile.ZIP_DEFLATED) -> Path:
    chemin.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(chemin, "w", compression) as archive:
        for nom, contenu in membres.items():
            archive.writestr(nom, contenu.encode(ISO) if isinstance(contenu, str) else contenu)
    return chemin


def lire(document: Document) -> bytes:
    with document.ouvrir() as flux:
        return flux.read()


def test_role_is_recognised_from_the_name_whatever_the_case() -> None:
    assert role_du_fichier("ElevesSansAdresses.xml") == "eleves"
    assert role_du_fichier("ELEVESAVECADRESSES.XML") == "eleves"
    assert role_du_fichier("ExportXML_ElevesSansAdresses.xml") == "eleves"
    assert role_du_fichier("ResponsablesAvecAdresses.xml") == "responsables"
    assert role_du_fichier("Nomenclature.xml") == "nomenclature"
    assert role_du_fichier("Structures.xml") == "structures"
    assert role_du_fichier("Communs.xml") == "communs"
    assert role_du_fichier("sts_emp_0999001X_2025.xml") == "sts"
    assert role_du_fichier("emp_sts_0999001X_2025.xml") is None
    assert role_du_fichier("ElevesSansAdresses.zip") is None


def test_a_folder_of_xml_files(tmp_path: Path) -> None:
    siecle, sts = ecrire_jeu(tmp_path)
    (siecle / "Structures.xml").rename(siecle / "structures.XML")
    (siecle / "lisez-moi.txt").write_text("rien")
    jeu = localiser_exports(siecle, sts)
    assert jeu.eleves.nom == str(siecle / "ElevesSansAdresses.xml")
    assert jeu.structures is not None and jeu.structures.nom.endswith("structures.XML")
    assert jeu.responsables and jeu.nomenclature and jeu.communs
    assert jeu.sts.nom == str(sts)
    assert lire(jeu.eleves) == eleves_xml().encode(ISO)
    assert lire(jeu.eleves) == lire(jeu.eleves)  # a document can be opened again


def test_a_folder_of_zips_as_siecle_exports_them(tmp_path: Path) -> None:
    siecle = tmp_path / "siecle"
    zipper(siecle / "ElevesSansAdresses.zip", {"ElevesSansAdresses.xml": eleves_xml()})
    zipper(siecle / "ExportCommuns.zip", {"Communs.xml": communs_xml()})
    zipper(siecle / "Nomenclature.zip", {"Nomenclature.xml": nomenclature_xml()})
    ecrire(siecle / "Structures.xml", structures_xml())  # one of them already unzipped
    documents = localiser_siecle(siecle)
    assert documents["eleves"].nom == f"{siecle / 'ElevesSansAdresses.zip'}!ElevesSansAdresses.xml"
    assert documents["communs"].nom.endswith("ExportCommuns.zip!Communs.xml")
    assert set(documents) == {"eleves", "communs", "nomenclature", "structures"}
    assert lire(documents["eleves"]) == eleves_xml().encode(ISO)
    assert len(lire_eleves(documents["eleves"]).eleves) == 4


def test_one_zip_of_xml_files_and_the_junk_in_it_is_ignored(tmp_path: Path) -> None:
    archive = zipper(tmp_path / "export_siecle.zip", {
        "export/ElevesSansAdresses.xml": eleves_xml(),
        "export/ResponsablesAvecAdresses.xml": responsables_xml(),
        "__MACOSX/export/._ElevesSansAdresses.xml": b"\x00\x05junk",
        "export/.ElevesAvecAdresses.xml": b"hidden",
        "export/lisez-moi.txt": "rien",
    })
    documents = localiser_siecle(archive)
    assert set(documents) == {"eleves", "responsables"}
    assert documents["eleves"].nom.endswith("export_siecle.zip!export/ElevesSansAdresses.xml")


def test_a_zip_of_zips(tmp_path: Path) -> None:
    interieur = zipper(tmp_path / "tmp" / "ElevesSansAdresses.zip", {"ElevesSansAdresses.xml": eleves_xml()})
    archive = zipper(tmp_path / "tout.zip", {"ElevesSansAdresses.zip": interieur.read_bytes()})
    [eleves] = localiser_siecle(archive).values()
    assert eleves.nom.endswith("tout.zip!ElevesSansAdresses.zip!ElevesSansAdresses.xml")
    assert lire(eleves) == eleves_xml().encode(ISO)


def test_a_zip_is_recognised_by_its_content_not_its_name(tmp_path: Path) -> None:
    archive = zipper(tmp_path / "telechargement.bin", {"ElevesSansAdresses.xml": eleves_xml()})
    assert localiser_siecle(archive)["eleves"].nom.endswith("telechargement.bin!ElevesSansAdresses.xml")


def test_the_pupils_file_given_directly(tmp_path: Path) -> None:
    chemin = ecrire(tmp_path / "mon_export.xml", eleves_xml())
    documents = localiser_siecle(chemin)
    assert list(documents) == ["eleves"] and documents["eleves"].nom == str(chemin)


def test_no_pupils_file_in_the_zip(tmp_path: Path) -> None:
    archive = zipper(tmp_path / "export.zip", {"Structures.xml": structures_xml(), "Communs.xml": communs_xml()})
    with pytest.raises(SourceInvalideError) as erreur:
        localiser_siecle(archive)
    message = str(erreur.value)
    assert "export.zip" in message
    assert "aucun fichier élèves (ElevesSansAdresses.xml ou ElevesAvecAdresses.xml)" in message
    assert "Structures.xml" in message and "Communs.xml" in message  # what was found


def test_an_empty_folder(tmp_path: Path) -> None:
    (tmp_path / "vide").mkdir()
    with pytest.raises(SourceInvalideError, match="aucun fichier élèves"):
        localiser_siecle(tmp_path / "vide")


def test_several_pupils_files_in_the_zip(tmp_path: Path) -> None:
    archive = zipper(tmp_path / "export.zip", {"ElevesSansAdresses.xml": eleves_xml(),
                                               "ElevesAvecAdresses.xml": eleves_xml()})
    with pytest.raises(SourceInvalideError) as erreur:
        localiser_siecle(archive)
    message = str(erreur.value)
    assert "plusieurs fichiers" in message and "fichier élèves" in message
    assert "export.zip!ElevesSansAdresses.xml" in message and "export.zip!ElevesAvecAdresses.xml" in message


def test_a_file_unzipped_next_to_its_zip_counts_once(tmp_path: Path) -> None:
    siecle = tmp_path / "siecle"
    zipper(siecle / "ElevesSansAdresses.zip", {"ElevesSansAdresses.xml": eleves_xml()})
    ecrire(siecle / "ElevesSansAdresses.xml", eleves_xml())
    assert localiser_siecle(siecle)["eleves"].nom == str(siecle / "ElevesSansAdresses.xml")


def test_two_different_versions_of_the_same_file_are_ambiguous(tmp_path: Path) -> None:
    siecle = tmp_path / "siecle"
    zipper(siecle / "ElevesSansAdresses.zip", {"ElevesSansAdresses.xml": eleves_xml()})
    ecrire(siecle / "ElevesSansAdresses.xml", eleves_xml(annee="2024"))
    with pytest.raises(SourceInvalideError, match="plusieurs fichiers"):
        localiser_siecle(siecle)


def test_missing_path(tmp_path: Path) -> None:
    with pytest.raises(SourceInvalideError, match="n'existe pas"):
        localiser_siecle(tmp_path / "nulle-part")
    with pytest.raises(SourceInvalideError, match="n'existe pas"):
        localiser_sts(tmp_path / "nulle-part.xml")


# --- STS -------------------------------------------------------------------------------------------

def test_sts_plain_file_whatever_its_name(tmp_path: Path) -> None:
    chemin = ecrire(tmp_path / "export STS.xml", sts_xml())
    assert localiser_sts(chemin).nom == str(chemin)


def test_sts_in_a_zip(tmp_path: Path) -> None:
    archive = zipper(tmp_path / "sts.zip", {"sts_emp_0999001X_2025.xml": sts_xml(), "autre.xml": "<A/>"})
    document = localiser_sts(archive)
    assert document.nom.endswith("sts.zip!sts_emp_0999001X_2025.xml")
    assert lire(document) == sts_xml().encode(ISO)


def test_sts_zip_without_the_export(tmp_path: Path) -> None:
    archive = zipper(tmp_path / "sts.zip", {"emp_sts_0999001X_2025.xml": sts_xml(racine="EDT_STS")})
    with pytest.raises(SourceInvalideError) as erreur:
        localiser_sts(archive)
    message = str(erreur.value)
    assert "sts.zip" in message and "aucun fichier STS-web sts_emp_<UAI>_<année>.xml" in message
    assert "logiciel d'emploi du temps" in message


def test_sts_zip_with_two_exports(tmp_path: Path) -> None:
    archive = zipper(tmp_path / "sts.zip", {"sts_emp_0999001X_2025.xml": sts_xml(),
                                            "sts_emp_0999001X_2024.xml": sts_xml(annee="2024")})
    with pytest.raises(SourceInvalideError, match=r"plusieurs fichiers.*sts_emp_0999001X_2024"):
        localiser_sts(archive)


# --- damaged archives and bombs ----------------------------------------------------------------------

def test_corrupt_zip(tmp_path: Path) -> None:
    archive = zipper(tmp_path / "ElevesSansAdresses.zip", {"ElevesSansAdresses.xml": eleves_xml()})
    octets = archive.read_bytes()
    archive.write_bytes(octets[: len(octets) // 2])  # the central directory is gone
    with pytest.raises(SourceInvalideError) as erreur:
        localiser_siecle(archive)
    assert "ElevesSansAdresses.zip" in str(erreur.value) and "endommagée" in str(erreur.value)


def test_zip_member_whose_header_lies_is_refused_when_read(tmp_path: Path) -> None:
    archive = zipper(tmp_path / "export.zip", {"ElevesSansAdresses.xml": eleves_xml()})
    octets = bytearray(archive.read_bytes())
    central = octets.rfind(b"PK\x01\x02")
    taille = struct.unpack_from("<I", octets, central + 24)[0]
    struct.pack_into("<I", octets, central + 24, taille // 3)  # declares a third of the real size
    archive.write_bytes(bytes(octets))
    document = localiser_siecle(archive)["eleves"]
    with pytest.raises(SourceInvalideError) as erreur:
        lire_eleves(document)
    assert "export.zip!ElevesSansAdresses.xml" in str(erreur.value) and "endommagée" in str(erreur.value)


def test_zip_bomb_over_the_size_limit(tmp_path: Path) -> None:
    enorme = b"<R>" + b" " * 300_000 + b"</R>"
    archive = zipper(tmp_path / "ElevesSansAdresses.zip", {"ElevesSansAdresses.xml": enorme})
    with pytest.raises(SourceInvalideError) as erreur:
        localiser_siecle(archive, limites=LimitesZip(taille_max=100_000))
    message = str(erreur.value)
    assert "ElevesSansAdresses.zip!ElevesSansAdresses.xml" in message
    assert "décompressé" in message and "limite" in message and "refusée" in message


def test_zip_bomb_with_an_absurd_ratio(tmp_path: Path) -> None:
    enorme = b"\x00" * (2 * 1024 * 1024)  # 2 MiB of zeros compress to about 2 KiB
    archive = zipper(tmp_path / "export.zip", {"ElevesSansAdresses.xml": enorme})
    assert archive.stat().st_size < 10_000
    with pytest.raises(SourceInvalideError, match="taux de compression anormal"):
        localiser_siecle(archive, limites=LimitesZip(ratio_max=100))


def test_the_size_limit_is_inclusive(tmp_path: Path) -> None:
    archive = zipper(tmp_path / "export.zip", {"ElevesSansAdresses.xml": eleves_xml()})
    with zipfile.ZipFile(archive) as z:
        taille = z.getinfo("ElevesSansAdresses.xml").file_size
    borne = localiser_siecle(archive, limites=LimitesZip(taille_max=taille))["eleves"]
    assert lire(borne) == eleves_xml().encode(ISO)
    with pytest.raises(SourceInvalideError, match="limite"):
        localiser_siecle(archive, limites=LimitesZip(taille_max=taille - 1))


def test_a_normal_export_passes_the_default_limits(tmp_path: Path) -> None:
    gros = eleves_xml(eleves="".join(
        f'<ELEVE ELEVE_ID="{i}"><NOM_DE_FAMILLE>NOM{i}</NOM_DE_FAMILLE><PRENOM>P</PRENOM></ELEVE>'
        for i in range(20000)))
    archive = zipper(tmp_path / "ElevesSansAdresses.zip", {"ElevesSansAdresses.xml": gros})
    assert len(lire_eleves(localiser_siecle(archive)["eleves"]).eleves) == 20000
