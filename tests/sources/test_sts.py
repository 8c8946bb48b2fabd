"""The STS-web reader (root STS_EDT) on hand-made exports; the timetable upload file and bad records
refused in French."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from lsun_events.sources.documents import Document
from lsun_events.sources.erreurs import SourceInvalideError
from lsun_events.sources.records import (
    Adresse,
    EnseignantRef,
    EnseignantSource,
    ProfPrincipalSource,
    ServiceSource,
)
from lsun_events.sources.sts import lire_sts
from tests.sources.donnees import INDIVIDUS, ecrire, eleves_xml, sts_xml

NOM = "sts_emp_0999001X_2025.xml"


def doc(tmp_path: Path, texte: str, nom: str = NOM, encodage: str = "ISO-8859-15") -> Document:
    return Document.fichier(ecrire(tmp_path / nom, texte, encodage))


def refus(tmp_path: Path, texte: str, nom: str = NOM) -> str:
    with pytest.raises(SourceInvalideError) as erreur:
        lire_sts(doc(tmp_path, texte, nom))
    assert nom in str(erreur.value)
    return str(erreur.value)


def test_sts_export_is_read(tmp_path: Path) -> None:
    lecture = lire_sts(doc(tmp_path, sts_xml()))
    assert (lecture.parametres.uai, lecture.parametres.annee_scolaire, lecture.parametres.racine) == (
        "0999001X", "2025", "STS_EDT")
    etablissement = lecture.etablissement
    assert etablissement.nom == "COLLEGE DES EXEMPLES €"  # DENOM_PRINC + DENOM_COMPL, € from ISO-8859-15
    assert (etablissement.sigle, etablissement.telephone, etablissement.academie) == ("CLG", "0100000000", "99")
    assert etablissement.adresse == Adresse(lignes=("1 RUE DU MODELE",), code_postal="99999", commune="EXEMPLEVILLE")
    # matière libellés: LIBELLE_EDITION, else LIBELLE_LONG, else LIBELLE_COURT
    assert {c: m.libelle for c, m in lecture.matieres.items()} == {
        "030201": "Anglais LV1", "020300": "LCA LATIN", "020100": "FRANÇAIS"}
    jeanne, paul, richard = lecture.enseignants
    assert jeanne == EnseignantSource(
        type="epp", id_sts="48213", civilite="MME", sexe="F", nom_usage="L'ÉCUYER", nom_patronymique="MŒLLER",
        prenom="Jeanne-Éloïse", date_naissance=date(1980, 5, 17), grade="CERT. CL N", fonction="ENS")
    assert paul == EnseignantSource(type="local", id_sts="900", civilite="M.", nom_usage="REMPLAÇANT", prenom="Paul")
    assert (richard.fonction, richard.civilite, richard.sexe) == ("DIR", "M.", "M")
    assert lecture.profs_principaux == (ProfPrincipalSource(
        division="5E2", enseignant=EnseignantRef(type="epp", id_sts="48213"),
        date_debut=date(2025, 9, 1), date_fin=date(2026, 8, 31)),)
    assert [(d.code, d.libelle, d.mefs) for d in lecture.divisions] == [
        ("5E2", "5EME 2 (STS)", ("10110001110",)), ("5E1", None, ()), ("3A", "3EME A", ())]
    [latin] = lecture.groupes
    assert (latin.code, latin.libelle, latin.divisions) == ("5LAT", None, ("5E1", "5E2"))


def test_services_of_divisions_and_groups(tmp_path: Path) -> None:
    services = lire_sts(doc(tmp_path, sts_xml())).services
    epp, local = EnseignantRef(type="epp", id_sts="48213"), EnseignantRef(type="local", id_sts="900")
    assert services == (
        ServiceSource(structure_code="5E2", structure_type="D", matiere_code="030201", matiere_libelle="Anglais LV1",
                      modalite="CG", enseignants=(epp,)),
        ServiceSource(structure_code="5E2", structure_type="D", matiere_code="020100", matiere_libelle="FRANÇAIS",
                      modalite="CG", enseignants=()),  # an empty service is allowed
        ServiceSource(structure_code="5E2", structure_type="D", matiere_code="061300",
                      matiere_libelle="061300",  # not in STS MATIERES: the code
                      modalite="CG", enseignants=(EnseignantRef(type="epp", id_sts="77777"),)),
        ServiceSource(structure_code="5LAT", structure_type="G", matiere_code="020300", matiere_libelle="LCA LATIN",
                      modalite="CG", enseignants=(local, epp)),
    )


def test_a_service_citing_an_unknown_person_is_reported(tmp_path: Path) -> None:
    lecture = lire_sts(doc(tmp_path, sts_xml()))
    assert lecture.anomalies == ("Le service 061300 de la structure 5E2 cite l'enseignant epp 77777, absent des "
                                 "personnes (INDIVIDUS) de STS-web.",)


def test_civilite_mademoiselle_and_an_enseignant_without_type_on_the_service(tmp_path: Path) -> None:
    individus = ('<INDIVIDU ID="1" TYPE="local"><SEXE>2</SEXE><CIVILITE>3</CIVILITE><NOM_USAGE>X</NOM_USAGE>'
                 "<PRENOM>Y</PRENOM></INDIVIDU>")
    texte = sts_xml(individus=individus).replace('<ENSEIGNANT ID="900" TYPE="local"/>', '<ENSEIGNANT ID="1"/>')
    lecture = lire_sts(doc(tmp_path, texte))
    assert lecture.enseignants[0].civilite == "MLLE"
    assert EnseignantRef(type="local", id_sts="1") in lecture.services[-1].enseignants


def test_utf8_sts_export(tmp_path: Path) -> None:
    lecture = lire_sts(doc(tmp_path, sts_xml(encodage="UTF-8"), encodage="UTF-8"))
    assert lecture.enseignants[0].nom_patronymique == "MŒLLER"


def test_timetable_upload_file_is_refused_with_its_explanation(tmp_path: Path) -> None:
    message = refus(tmp_path, sts_xml(racine="EDT_STS"), "emp_sts_0999001X_2025.xml")
    assert ("ce fichier est l'export de votre logiciel d'emploi du temps vers STS, pas l'export STS-web "
            "`sts_emp_…`") in message
    assert "Exports › Emplois du temps" in message


def test_sts_file_from_a_timetable_editor_is_refused(tmp_path: Path) -> None:
    texte = sts_xml(parametres_en_plus="<APPLICATION_SOURCE>EDT 2025</APPLICATION_SOURCE>")
    message = refus(tmp_path, texte)
    assert "APPLICATION_SOURCE « EDT 2025 »" in message and "pas l'export STS-web" in message


def test_a_bee_file_instead_of_sts(tmp_path: Path) -> None:
    message = refus(tmp_path, eleves_xml())
    assert "<BEE_ELEVES>" in message and "<STS_EDT>" in message


def test_missing_uaj_code(tmp_path: Path) -> None:
    assert "PARAMETRES/UAJ@CODE" in refus(tmp_path, sts_xml().replace('<UAJ CODE="0999001X">', "<UAJ>"))


def test_invalid_birth_date_names_the_person_and_field(tmp_path: Path) -> None:
    message = refus(tmp_path, sts_xml(individus=INDIVIDUS.replace("1980-05-17", "17/05/1980")))
    assert "la date de naissance (DATE_NAISSANCE) « 17/05/1980 » n'est pas une date au format AAAA-MM-JJ" in message
    assert "INDIVIDU epp 48213 (L'ÉCUYER Jeanne-Éloïse" in message


def test_invalid_pp_date(tmp_path: Path) -> None:
    message = refus(tmp_path, sts_xml(individus=INDIVIDUS.replace("2026-08-31", "2026-13-31")))
    assert "date de fin de professeur principal (DATE_FIN) « 2026-13-31 »" in message


def test_missing_names(tmp_path: Path) -> None:
    sans_nom = '<INDIVIDU ID="5" TYPE="epp"><NOM_USAGE/><NOM_PATRONYMIQUE/><PRENOM>Zoé</PRENOM></INDIVIDU>'
    assert "nom de la personne est absent" in refus(tmp_path, sts_xml(individus=sans_nom))
    sans_prenom = '<INDIVIDU ID="5" TYPE="epp"><NOM_USAGE>NOM</NOM_USAGE></INDIVIDU>'
    assert "prénom de la personne est absent" in refus(tmp_path, sts_xml(individus=sans_prenom))
    sans_id = '<INDIVIDU TYPE="epp"><NOM_USAGE>NOM</NOM_USAGE><PRENOM>P</PRENOM></INDIVIDU>'
    message = refus(tmp_path, sts_xml(individus=sans_id))
    assert "pas d'identifiant STS" in message and "1er INDIVIDU du fichier" in message


def test_usage_name_falls_back_on_the_birth_name(tmp_path: Path) -> None:
    individu = ('<INDIVIDU ID="5" TYPE="epp"><NOM_USAGE></NOM_USAGE><NOM_PATRONYMIQUE>NAISSANCE</NOM_PATRONYMIQUE>'
                "<PRENOM>P</PRENOM></INDIVIDU>")
    assert lire_sts(doc(tmp_path, sts_xml(individus=individu))).enseignants[0].nom_usage == "NAISSANCE"


def test_duplicate_individu_keeps_the_first(tmp_path: Path) -> None:
    double = ('<INDIVIDU ID="48213" TYPE="epp"><NOM_USAGE>AUTRE</NOM_USAGE><PRENOM>A</PRENOM></INDIVIDU>')
    lecture = lire_sts(doc(tmp_path, sts_xml(individus=INDIVIDUS + double)))
    assert [e.nom_usage for e in lecture.enseignants if e.id_sts == "48213"] == ["L'ÉCUYER"]
    assert any("plusieurs fois" in a for a in lecture.anomalies)
