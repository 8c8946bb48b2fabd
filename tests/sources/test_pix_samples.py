"""The public BEE_ELEVES fixtures of the Pix project and the siecle-api nomenclature, read in place from
shared/spec/samples (never copied into the project; see shared/spec/samples/PROVENANCE.md).

Decision per file, from its content:

| file | content | decision |
|---|---|---|
| siecle-broken.xml | stops after ``<UAJ>`` | refused: truncated |
| siecle-student-with-invalid-birthdate-format.xml | ``DATE_NAISS`` 1922-07-07 (ISO) | refused: date format |
| siecle-with-bom.xml | UTF-8 with BOM, one pupil | read |
| siecle-with-duplicate-national-student-id-and-unclosed-tag.xml | ``</ELEVES d>`` line 39 | refused: malformed |
| siecle-with-duplicate-national-student-id.xml | two pupils share INE 00000000123 | refused: duplicate INE |
| siecle-with-no-national-student-id.xml | empty ``ID_NATIONAL``; ``œ`` in ISO-8859-15 | read (INE is optional) |
| siecle-with-one-valid-student.xml | one pupil | read |
| siecle-with-only-ignored-student.xml | leaver, ``Inactifs``, group only, no structure | read: all five kept |
| siecle-with-registrations-no-longer-in-school.xml | same cases | read, likewise |
| siecle-with-two-valid-students-and-school-year.xml | ``ANNEE_SCOLAIRE`` 2016 | read |
| siecle-with-two-valid-students.xml | two pupils | read |
| siecle-with-unknown-encoding.xml | declares ``x-macthai`` | refused: unknown encoding |

Their UAJ ``123ABC`` is not a UAI (SPEC §5: 7 digits and a letter): as they are, every sample that gets as far
as its PARAMETRES is refused for it. Their content is then tested as SIECLE would export it for a real school: read
in memory with the UAJ ``0999001X`` (nothing copied into the project).

A duplicate INE is refused rather than reported: two pupils with one national identifier is an identity
mix-up in SIECLE that the school must fix before LSU trusts either record. Pupils Pix ignores (leaver,
``Inactifs``, no division) are all kept: the synchronisation decides what they mean (R4).
"""

from __future__ import annotations

import io
from datetime import date
from pathlib import Path

import pytest

from lsun_events.sources.documents import Document
from lsun_events.sources.erreurs import SourceInvalideError
from lsun_events.sources.siecle import lire_eleves, lire_nomenclature
from lsun_events.sources.snapshot import charger_eleves

ECHANTILLONS = Path(__file__).resolve().parents[3] / "shared" / "spec" / "samples"
PIX = ECHANTILLONS / "pix"
UAI_PIX, UAI = b"<UAJ>123ABC</UAJ>", b"<UAJ>0999001X</UAJ>"


def pix(nom: str) -> Document:
    """A Pix sample as read in place, its UAJ made a real UAI."""
    chemin = PIX / nom
    return Document(nom=str(chemin), ouvrir=lambda: io.BytesIO(chemin.read_bytes().replace(UAI_PIX, UAI)))


def pix_dans(dossier: Path, nom: str) -> Path:
    """The same, written to a test's temporary folder (for the readers that take a path)."""
    cible = dossier / nom
    cible.write_bytes((PIX / nom).read_bytes().replace(UAI_PIX, UAI))
    return cible

pytestmark = pytest.mark.skipif(not PIX.is_dir(), reason=f"échantillons publics absents ({PIX})")

REFUSES = {
    "siecle-broken.xml": ["le fichier est incomplet", "ligne 5", "tronqué"],
    "siecle-student-with-invalid-birthdate-format.xml": [
        "la date de naissance (DATE_NAISS) « 1922-07-07 » n'est pas une date au format JJ/MM/AAAA",
        "ELEVE_ID 0002 (COVERT Harry"],
    "siecle-with-duplicate-national-student-id-and-unclosed-tag.xml": ["le XML est mal formé ligne 39"],
    "siecle-with-duplicate-national-student-id.xml": [
        "l'INE (identifiant national élève) 00000000123 est porté par deux élèves",
        "ELEVE_ID 0001 (HANDMADE Luciole", "ELEVE_ID 0002 (COVERT Harry"],
    "siecle-with-unknown-encoding.xml": ["l'encodage « x-macthai » déclaré en tête du fichier est inconnu"],
}

# file → (UAJ, ANNEE_SCOLAIRE, [(ELEVE_ID, nom de famille, nom d'usage, prénoms, division, groupes)])
LUS: dict[str, tuple[str, str | None, list[tuple[str, str, str | None, tuple[str, ...], str | None,
                                                  tuple[str, ...]]]]] = {
    "siecle-with-bom.xml": ("0999001X", None, [
        ("0001", "COVERT", "COJAUNE", ("Harry", "Coco"), "4A", ())]),
    "siecle-with-no-national-student-id.xml": ("0999001X", None, [
        ("0002", "COVERT", "COJAUNE", ("Harry", "Cocœ"), "4A", ("42",))]),
    "siecle-with-one-valid-student.xml": ("0999001X", None, [
        ("0001", "HANDMADE", None, ("Luciole", "Léa", "Lucy"), "4A", ())]),
    "siecle-with-two-valid-students.xml": ("0999001X", None, [
        ("0001", "HANDMADE", None, ("Luciole", "Léa", "Lucy"), "4A", ()),
        ("0002", "COVERT", "COJAUNE", ("Harry", "Cocœ"), "4A", ("42",))]),
    "siecle-with-two-valid-students-and-school-year.xml": ("0999001X", "2016", [
        ("0001", "HANDMADE", None, ("Luciole", "Léa", "Lucy"), "4A", ()),
        ("0002", "COVERT", "COJAUNE", ("Harry", "Cocœ"), "4A", ("42",))]),
}
IGNORES_PAR_PIX = [
    ("0001", "HANDMADE", None, ("Luciole", "Léa", "Lucy"), None, ()),  # no structure at all
    ("0002", "COVERT", "COJAUNE", ("Harry", "Coco"), "Inactifs", ()),  # parked in Inactifs
    ("0003", "FRANCIS--FROUFROU", None, ("Grégory",), "4e 1", ()),  # no INE
    ("0004", "FRANGE", None, ("COLIN",), None, ("4e 1",)),  # a group, no division
    ("0005", "GRADE", None, ("François",), "4e 1", ()),  # left on 01/09/2019
]
LUS["siecle-with-only-ignored-student.xml"] = ("0999001X", None, IGNORES_PAR_PIX)
LUS["siecle-with-registrations-no-longer-in-school.xml"] = ("0999001X", None, IGNORES_PAR_PIX)


def test_every_sample_has_a_decision() -> None:
    assert sorted(p.name for p in PIX.glob("*.xml")) == sorted([*REFUSES, *LUS])


@pytest.mark.parametrize("nom", sorted(LUS))
def test_valid_samples_are_read(nom: str) -> None:
    uai, annee, attendus = LUS[nom]
    lecture = lire_eleves(pix(nom))
    assert (lecture.parametres.uai, lecture.parametres.annee_scolaire) == (uai, annee)
    assert [(e.eleve_id, e.nom_de_famille, e.nom_usage, e.prenoms, e.division, e.groupes)
            for e in lecture.eleves] == attendus
    assert lecture.anomalies == ()


@pytest.mark.parametrize("nom", sorted(REFUSES))
def test_broken_samples_are_refused_with_a_clear_message(nom: str) -> None:
    with pytest.raises(SourceInvalideError) as erreur:
        lire_eleves(pix(nom))
    message = str(erreur.value)
    assert nom in message
    for attendu in REFUSES[nom]:
        assert attendu in message


@pytest.mark.parametrize("nom", sorted(n for n in [*LUS, *REFUSES] if n != "siecle-with-unknown-encoding.xml"
                                     and PIX.is_dir() and UAI_PIX in (PIX / n).read_bytes()))
def test_as_they_are_the_samples_are_refused_for_their_uaj(nom: str) -> None:
    with pytest.raises(SourceInvalideError) as erreur:
        lire_eleves(Document.fichier(PIX / nom))
    assert "« 123ABC » n'est pas un UAI (7 chiffres et une lettre" in str(erreur.value)


def test_leaver_and_missing_ine_in_the_pix_sample() -> None:
    eleves = lire_eleves(pix("siecle-with-only-ignored-student.xml")).eleves
    assert eleves[4].date_sortie == date(2019, 9, 1) and eleves[2].ine is None
    assert eleves[0].sexe == "F" and eleves[0].date_naissance == date(1994, 12, 31)


def test_a_pix_sample_as_a_pupils_only_snapshot(tmp_path: Path) -> None:
    snapshot = charger_eleves(pix_dans(tmp_path, "siecle-with-two-valid-students-and-school-year.xml"))
    assert (snapshot.uai, snapshot.annee_scolaire) == ("0999001X", "2016")
    assert [d.code for d in snapshot.divisions] == ["4A"] and [g.code for g in snapshot.groupes] == ["42"]


def test_a_pix_sample_without_any_year_cannot_make_a_snapshot(tmp_path: Path) -> None:
    chemin = pix_dans(tmp_path, "siecle-with-two-valid-students.xml")
    with pytest.raises(SourceInvalideError, match="l'année scolaire est introuvable"):
        charger_eleves(chemin)
    snapshot = charger_eleves(chemin, annee_attendue="2025")
    assert snapshot.annee_scolaire == "2025"


def test_siecle_api_nomenclature_sample() -> None:
    lecture = lire_nomenclature(Document.fichier(ECHANTILLONS / "nomenclature_simple.xml"))
    assert (lecture.parametres.uai, lecture.parametres.annee_scolaire, lecture.parametres.version) == (
        "0123456S", "2018", "3.1")
    assert lecture.parametres.horodatage == "05/06/2019 09:11:05"
    latin = lecture.matieres["020300"]
    assert (latin.code_gestion, latin.libelle_court) == ("LCALA", "LCA LATIN")
    assert latin.libelle == "Langues et cultures de l'Antiquité LATIN"  # é from ISO-8859-15
    cinquieme = lecture.mefs["10110001110"]
    assert (cinquieme.formation, cinquieme.libelle_long, cinquieme.libelle_edition) == ("5G", "5EME", "5ème")
    assert lecture.modalites == {}
