"""The SIECLE/BEE readers on hand-made exports in the real formats (ISO-8859-15 bytes), and each bad
record refused with a French message naming the file, the pupil and what to fix."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from lsun_events.sources.documents import Document
from lsun_events.sources.erreurs import SourceInvalideError
from lsun_events.sources.records import Adresse, OptionSource
from lsun_events.sources.siecle import (
    Parametres,
    lire_communs,
    lire_eleves,
    lire_nomenclature,
    lire_responsables,
    lire_structures,
)
from tests.sources.donnees import (
    ELEVES,
    OPTIONS,
    STRUCTURES_ELEVES,
    communs_xml,
    ecrire,
    eleve,
    eleves_xml,
    nomenclature_xml,
    responsables_xml,
    structures_xml,
    sts_xml,
)


def doc(tmp_path: Path, texte: str, nom: str = "ElevesSansAdresses.xml") -> Document:
    return Document.fichier(ecrire(tmp_path / nom, texte))


def refus(tmp_path: Path, texte: str, nom: str = "ElevesSansAdresses.xml") -> str:
    with pytest.raises(SourceInvalideError) as erreur:
        lire_eleves(doc(tmp_path, texte, nom))
    assert nom in str(erreur.value)
    return str(erreur.value)


# --- BEE_ELEVES ---------------------------------------------------------------------------------------

def test_pupils_are_read_with_every_field(tmp_path: Path) -> None:
    lecture = lire_eleves(doc(tmp_path, eleves_xml()))
    assert lecture.parametres == Parametres(
        fichier=str(tmp_path / "ElevesSansAdresses.xml"), racine="BEE_ELEVES", uai="0999001X",
        annee_scolaire="2025", date_export="08/09/2025", horodatage="08/09/2025 07:42:10", version="3.0")
    zoe, leon, maelle, noe = lecture.eleves
    # ISO-8859-15 bytes (Œ, œ…) come back exactly; empty elements are None; hyphens and apostrophes kept
    assert zoe.eleve_id == "700101" and zoe.ine == "0123456789X"
    assert zoe.nom_de_famille == "D'ALEMBERT-CŒUR" and zoe.nom_usage is None
    assert zoe.prenoms == ("Zoé", "Anaïs-Œnone")
    assert zoe.sexe == "F" and zoe.date_naissance == date(2012, 3, 14)
    assert (zoe.pays_naissance, zoe.commune_naissance_insee) == ("100", "99999")
    assert zoe.mel == "zoe@example.invalid" and zoe.tel_portable == "0600000000"
    assert zoe.code_mef == "10110001110" and zoe.date_entree == date(2024, 9, 1) and zoe.date_sortie is None
    assert (zoe.division, zoe.divisions, zoe.groupes) == ("5E2", ("5E2",), ("5LAT",))
    assert zoe.options == (OptionSource(rang=1, matiere_code="030201", modalite="O"),
                           OptionSource(rang=2, matiere_code="020300", modalite="F"))
    # trimmed, post-2016 usage name, a leaver
    assert leon.nom_de_famille == "MODÈLE" and leon.nom_usage == "DUPONT-MODÈLE"
    assert leon.sexe == "M" and leon.ville_naissance == "LONDRES" and leon.pays_naissance == "132"
    assert leon.date_sortie == date(2025, 12, 19) and leon.code_motif_sortie == "99"
    assert leon.division == "4E 1"
    # pre-2016 NOM; two D structures: the first kept, all listed, reported
    assert maelle.nom_de_famille == "ANCIEN" and maelle.ine is None
    assert (maelle.division, maelle.divisions) == ("5E2", ("5E2", "5E1"))
    assert lecture.anomalies == (
        "L'élève ELEVE_ID 700103 (ANCIEN Maëlle, ligne 25) est dans plusieurs divisions dans SIECLE "
        "(5E2, 5E1) : la première, 5E2, est retenue.",)
    # the pseudo-division Inactifs is kept as the pupil's division
    assert noe.division == "Inactifs" and noe.sexe is None and noe.date_naissance is None


def test_sections_may_come_in_any_order(tmp_path: Path) -> None:
    texte = eleves_xml().replace(f"<ELEVES>{ELEVES}</ELEVES>", "")
    texte = texte.replace("<DONNEES>", f"<DONNEES><STRUCTURES>{STRUCTURES_ELEVES}</STRUCTURES>"
                                       f"<OPTIONS>{OPTIONS}</OPTIONS><ELEVES>{ELEVES}</ELEVES>", 1)
    texte = texte.replace(f"<OPTIONS>{OPTIONS}</OPTIONS>\n", "").replace(
        f"<STRUCTURES>{STRUCTURES_ELEVES}</STRUCTURES>\n", "")
    assert texte.count("<STRUCTURES>") == 1 and texte.index("<STRUCTURES>") < texte.index("<ELEVES>")
    assert lire_eleves(doc(tmp_path, texte)).eleves == lire_eleves(doc(tmp_path, eleves_xml(), "b.xml")).eleves


def test_a_pupil_without_structures_has_no_division(tmp_path: Path) -> None:
    [seul] = lire_eleves(doc(tmp_path, eleves_xml(eleve("1"), options="", structures=""))).eleves
    assert (seul.division, seul.divisions, seul.groupes, seul.options) == (None, (), (), ())


def test_several_structures_blocks_keep_the_first(tmp_path: Path) -> None:
    structures = """
      <STRUCTURES_ELEVE ELEVE_ID="1"><STRUCTURE><CODE_STRUCTURE>4A</CODE_STRUCTURE>
        <TYPE_STRUCTURE>D</TYPE_STRUCTURE></STRUCTURE></STRUCTURES_ELEVE>
      <STRUCTURES_ELEVE ELEVE_ID="1"><STRUCTURE><CODE_STRUCTURE>4B</CODE_STRUCTURE>
        <TYPE_STRUCTURE>D</TYPE_STRUCTURE></STRUCTURE></STRUCTURES_ELEVE>"""
    lecture = lire_eleves(doc(tmp_path, eleves_xml(eleve("1"), options="", structures=structures)))
    assert lecture.eleves[0].divisions == ("4A",)
    assert "plusieurs blocs STRUCTURES_ELEVE" in lecture.anomalies[0]


def test_unknown_sex_code_is_ignored_and_reported(tmp_path: Path) -> None:
    lecture = lire_eleves(doc(tmp_path, eleves_xml(eleve("1", CODE_SEXE="9"), options="", structures="")))
    assert lecture.eleves[0].sexe is None
    assert "code sexe « 9 »" in lecture.anomalies[0]


def test_wrong_root(tmp_path: Path) -> None:
    message = refus(tmp_path, structures_xml())
    assert "<BEE_STRUCTURES>" in message and "<BEE_ELEVES>" in message


def test_timetable_file_instead_of_the_pupils(tmp_path: Path) -> None:
    message = refus(tmp_path, sts_xml(racine="EDT_STS"))
    assert "l'export de votre logiciel d'emploi du temps vers STS" in message


def test_missing_eleve_id(tmp_path: Path) -> None:
    eleves = eleve("1") + '<ELEVE><NOM_DE_FAMILLE>SANS</NOM_DE_FAMILLE><PRENOM>Id</PRENOM></ELEVE>'
    message = refus(tmp_path, eleves_xml(eleves, options="", structures=""))
    assert "n'a pas d'identifiant ELEVE_ID" in message
    assert "2e élève du fichier (ligne 5), SANS Id" in message


def test_missing_family_name(tmp_path: Path) -> None:
    eleves = eleve("1") + '<ELEVE ELEVE_ID="2"><NOM_USAGE>USAGE</NOM_USAGE><PRENOM>Zoé</PRENOM></ELEVE>'
    message = refus(tmp_path, eleves_xml(eleves, options="", structures=""))
    assert "nom de famille de l'élève est absent (ni NOM_DE_FAMILLE ni NOM)" in message
    assert "élève ELEVE_ID 2 (Zoé, ligne 5)" in message
    assert "Corrigez la fiche de l'élève dans SIECLE" in message


def test_missing_first_name(tmp_path: Path) -> None:
    message = refus(tmp_path, eleves_xml(eleve("7", prenom=""), options="", structures=""))
    assert "prénom de l'élève est absent (PRENOM)" in message and "ELEVE_ID 7 (EXEMPLE" in message


def test_duplicate_eleve_id_names_both(tmp_path: Path) -> None:
    eleves = eleve("5", "PREMIER", "Un") + "\n" + eleve("5", "SECOND", "Deux")
    message = refus(tmp_path, eleves_xml(eleves, options="", structures=""))
    assert "l'identifiant ELEVE_ID 5 est porté par deux élèves" in message
    assert "PREMIER Un" in message and "SECOND Deux" in message


def test_duplicate_ine_names_both(tmp_path: Path) -> None:
    eleves = eleve("5", "PREMIER", "Un", ID_NATIONAL="111") + eleve("6", "SECOND", "Deux", ID_NATIONAL="111")
    message = refus(tmp_path, eleves_xml(eleves, options="", structures=""))
    assert "l'INE (identifiant national élève) 111 est porté par deux élèves" in message
    assert "PREMIER Un" in message and "SECOND Deux" in message


@pytest.mark.parametrize(("balise", "valeur", "libelle"), [
    ("DATE_NAISS", "2012-03-14", "date de naissance"),
    ("DATE_NAISS", "31/02/2012", "date de naissance"),
    ("DATE_ENTREE", "1er septembre", "date d'entrée"),
    ("DATE_SORTIE", "19/12/25", "date de sortie"),
])
def test_invalid_date_names_the_pupil_and_the_field(tmp_path: Path, balise: str, valeur: str, libelle: str) -> None:
    message = refus(tmp_path, eleves_xml(eleve("8", "DATÉ", "Léa", **{balise: valeur}), options="", structures=""))
    assert f"la {libelle} ({balise}) « {valeur} » n'est pas une date au format JJ/MM/AAAA" in message
    assert "ELEVE_ID 8 (DATÉ Léa" in message


def test_missing_uaj(tmp_path: Path) -> None:
    texte = eleves_xml().replace("<UAJ>0999001X</UAJ>", "")
    assert "PARAMETRES/UAJ" in refus(tmp_path, texte)


def test_the_verification_runs_before_the_data(tmp_path: Path) -> None:
    """A file of another school is refused on its PARAMETRES, not on a bad record further down."""
    vus: list[Parametres] = []

    def verifier(parametres: Parametres) -> None:
        vus.append(parametres)
        raise SourceInvalideError(parametres.fichier, "autre établissement")

    texte = eleves_xml(eleve("1", DATE_NAISS="mauvaise"), options="", structures="")
    with pytest.raises(SourceInvalideError, match="autre établissement"):
        lire_eleves(doc(tmp_path, texte), verifier=verifier)
    assert [p.uai for p in vus] == ["0999001X"]


def test_a_bad_record_does_not_hide_a_malformed_file(tmp_path: Path) -> None:
    texte = eleves_xml(eleve("1", DATE_NAISS="mauvaise"), options="", structures="").replace(
        "</DONNEES>", "</DONNEES d>")
    assert "mal formé" in refus(tmp_path, texte)


# --- BEE_RESPONSABLES ---------------------------------------------------------------------------------

def test_responsables_are_joined_to_their_pupils(tmp_path: Path) -> None:
    lecture = lire_responsables(doc(tmp_path, responsables_xml(), "ResponsablesAvecAdresses.xml"))
    assert lecture.parametres.racine == "BEE_RESPONSABLES"
    [helene] = lecture.par_eleve["700101"]
    assert (helene.personne_id, helene.civilite, helene.nom, helene.prenom) == ("9001", "MME", "D'ALEMBERT-CŒUR",
                                                                              "Hélène")
    assert helene.legal is True and helene.lien == "20"
    assert helene.adresse == Adresse(lignes=("12 rue de l'Œuvre",), code_postal="99999", commune="EXEMPLEVILLE",
                                     pays="FRANCE")
    assert helene.tel_portable == "0611111111" and helene.mel == "helene@example.invalid"
    [jean] = lecture.par_eleve["700102"]  # the second link points to nobody: reported
    assert (jean.nom, jean.legal, jean.lien, jean.adresse) == ("MODÈLE", False, "0", None)
    assert lecture.anomalies == ("Le responsable PERSONNE_ID 9999 de l'élève ELEVE_ID 700102 est absent de la "
                                 "liste des personnes de SIECLE : ignoré.",)


def test_responsables_wrong_root(tmp_path: Path) -> None:
    with pytest.raises(SourceInvalideError, match=r"<BEE_ELEVES>.*<BEE_RESPONSABLES>"):
        lire_responsables(doc(tmp_path, eleves_xml(), "ResponsablesAvecAdresses.xml"))


# --- BEE_NOMENCLATURES, BEE_STRUCTURES, BEE_COMMUN ------------------------------------------------------

def test_nomenclature(tmp_path: Path) -> None:
    lecture = lire_nomenclature(doc(tmp_path, nomenclature_xml(), "Nomenclature.xml"))
    anglais = lecture.matieres["030201"]
    assert (anglais.code_gestion, anglais.libelle_long, anglais.libelle) == ("AGL1", "ANGLAIS LV1", "Anglais LV1")
    assert lecture.mefs["10110001110"].libelle_edition == "5ème"
    assert lecture.modalites == {"S": "MATIERE ENSEIGNEE EN TRONC COMMUN"}


def test_structures(tmp_path: Path) -> None:
    lecture = lire_structures(doc(tmp_path, structures_xml(), "Structures.xml"))
    assert [(d.code, d.libelle, d.mefs) for d in lecture.divisions] == [
        ("5E1", "5ÈME 1", ()), ("5E2", None, ("10110001110",))]  # Inactifs is not a division
    [latin] = lecture.groupes
    assert (latin.code, latin.libelle, latin.divisions) == ("5LAT", "LATIN 5ÈME", ("5E1", "5E2"))


def test_communs(tmp_path: Path) -> None:
    lecture = lire_communs(doc(tmp_path, communs_xml(), "Communs.xml"))
    etablissement = lecture.etablissement
    assert etablissement.uai == "0999001X" and etablissement.nom == "COLLÈGE" and not lecture.nom_complet
    assert (etablissement.chef_nom, etablissement.chef_qualite) == ("Agnès L'HÔPITAL", "PRINCIPALE")
    assert etablissement.adresse == Adresse(lignes=("1 rue du Modèle",), code_postal="99999")
    assert etablissement.telephone is None and etablissement.mel == "ce.0999001x@example.invalid"


@pytest.mark.parametrize("lecteur", [lire_communs, lire_structures, lire_nomenclature, lire_responsables])
def test_every_reader_checks_its_root_and_knows_the_timetable_file(tmp_path: Path, lecteur: object) -> None:
    with pytest.raises(SourceInvalideError, match="logiciel d'emploi du temps"):
        lecteur(doc(tmp_path, sts_xml(racine="EDT_STS"), "x.xml"))  # type: ignore[operator]
    with pytest.raises(SourceInvalideError, match="<STS_EDT>"):
        lecteur(doc(tmp_path, sts_xml(), "y.xml"))  # type: ignore[operator]
