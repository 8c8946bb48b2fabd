"""Reading the exports costs bounded work, linear in what is given (issue 14): each archive opened and its
directory parsed once, whatever the nesting — measured by counting ``zipfile.ZipFile`` constructions and the
directory entries they parse, never by the clock —; caps on files, nesting levels, uncompressed bytes and the
size of a document, each refused in French (which file, the figure, the limit, what to do); a read stopped
past the limit whatever the file claims. Devices, pipes and FIFOs are in ``tests/fiabilite/test_limites_lecture.py``
(run in a child process under a timeout)."""

from __future__ import annotations

import io
import random
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from lsun_events.sources.documents import Document, LectureBornee
from lsun_events.sources.erreurs import SourceInvalideError
from lsun_events.sources.localisation import (
    ENTREES_MAX,
    PROFONDEUR_MAX,
    LimitesZip,
    localiser_siecle,
    localiser_sts,
)
from lsun_events.sources.siecle import lire_eleves
from tests.sources.donnees import ISO, ecrire, eleves_xml, sts_xml

ELEVES = eleves_xml().encode(ISO)


def zip_en_memoire(membres: dict[str, bytes], compression: int = zipfile.ZIP_DEFLATED) -> bytes:
    tampon = io.BytesIO()
    with zipfile.ZipFile(tampon, "w", compression) as archive:
        for nom, contenu in membres.items():
            archive.writestr(nom, contenu)
    return tampon.getvalue()


def ecrire_zip(chemin: Path, membres: dict[str, bytes]) -> Path:
    chemin.parent.mkdir(parents=True, exist_ok=True)
    chemin.write_bytes(zip_en_memoire(membres))
    return chemin


def lire(document: Document) -> bytes:
    with document.ouvrir() as flux:
        return flux.read()


@dataclass
class Travail:
    archives: int = 0  # ZipFile constructions: each parses one central directory
    entrees: int = 0  # directory entries parsed, in all


@pytest.fixture
def travail(monkeypatch: pytest.MonkeyPatch) -> Iterator[Travail]:
    """Counts the work of ``zipfile``: archives opened (directory parsed) and entries parsed."""
    compte = Travail()
    origine = zipfile.ZipFile

    class ZipCompte(origine):  # type: ignore[misc, valid-type]
        def __init__(self, *args: object, **kwargs: object) -> None:
            super().__init__(*args, **kwargs)  # type: ignore[arg-type]
            if self.mode == "r":
                compte.archives += 1
                compte.entrees += len(self.filelist)

    monkeypatch.setattr(zipfile, "ZipFile", ZipCompte)
    yield compte


def zip_de_zips(chemin: Path, nombre: int) -> Path:
    """``nombre`` small zips in one zip (the attack of issue 14), the pupils file in a zip of a zip among them."""
    petit = zip_en_memoire({"lisez-moi.xml": b"<a/>"})
    eleves = zip_en_memoire({"ElevesSansAdresses.zip": zip_en_memoire({"ElevesSansAdresses.xml": ELEVES})})
    with zipfile.ZipFile(chemin, "w", zipfile.ZIP_DEFLATED) as archive:
        for i in range(nombre):
            archive.writestr(f"exports/d{i}.zip", petit)
            if i == nombre // 2:
                archive.writestr("exports/siecle.zip", eleves)
    return chemin


# --- linear work ----------------------------------------------------------------------------------------------


def test_nested_zips_cost_linear_work_counted_in_archives_opened_and_entries_parsed(
        tmp_path: Path, travail: Travail) -> None:
    mesures: dict[int, tuple[int, int]] = {}
    for nombre in (1000, 2000, 4000):
        archive = zip_de_zips(tmp_path / f"siecle-{nombre}.zip", nombre)
        travail.archives = travail.entrees = 0
        documents = localiser_siecle(archive)
        trouve = (travail.archives, travail.entrees)
        assert lire(documents["eleves"]) == ELEVES  # reading it re-opens only the archives on its path
        mesures[nombre] = (travail.archives, travail.entrees)
        # Found: the outer archive, its `nombre` + 1 zips and the zip inside siecle.zip, each opened once.
        archives = 1 + nombre + 1 + 1
        entrees = (nombre + 1) + nombre + 1 + 1  # outer directory, one per small zip, siecle.zip's, the inner one's
        assert trouve == (archives, entrees), (nombre, trouve)
        assert mesures[nombre] == (archives + 3, entrees + (nombre + 1) + 1 + 1), (nombre, mesures[nombre])
    # Twice the entries, twice the work (it was four times: 1,000 → 4.9 s, 2,000 → 21.8 s, 4,000 → 75 s).
    for petit, grand in ((1000, 2000), (2000, 4000)):
        for i in (0, 1):
            assert mesures[grand][i] <= 2.01 * mesures[petit][i], mesures


def test_a_plain_zip_is_opened_once_to_be_searched_and_once_per_document_read(
        tmp_path: Path, travail: Travail) -> None:
    archive = ecrire_zip(tmp_path / "siecle.zip", {"ElevesSansAdresses.xml": ELEVES, "Communs.xml": b"<a/>"})
    documents = localiser_siecle(archive)
    assert (travail.archives, travail.entrees) == (1, 2)
    assert lire(documents["eleves"]) == ELEVES
    assert (travail.archives, travail.entrees) == (2, 4)


def test_too_many_entries_are_refused_from_the_end_record_before_the_directory_is_parsed(
        tmp_path: Path, travail: Travail) -> None:
    archive = ecrire_zip(tmp_path / "export.zip", {f"f{i}.xml": b"<a/>" for i in range(150)}
                         | {"ElevesSansAdresses.xml": ELEVES})
    with pytest.raises(SourceInvalideError) as erreur:
        localiser_siecle(archive, limites=LimitesZip(entrees_max=100))
    message = str(erreur.value)
    assert f"Fichier « {archive} » : l'archive contient 151 fichiers, plus que la limite de 100 fichiers" in message
    assert "Joignez seulement les exports SIECLE Base élèves et STS-web" in message
    assert travail.archives == 0  # refused unparsed


def test_the_default_cap_on_entries(tmp_path: Path) -> None:
    archive = ecrire_zip(tmp_path / "export.zip", {f"f{i}": b"" for i in range(ENTREES_MAX + 1)})
    with pytest.raises(SourceInvalideError, match=f"{ENTREES_MAX + 1} fichiers, plus que la limite de {ENTREES_MAX}"):
        localiser_siecle(archive)


def test_entries_are_counted_across_nested_archives(tmp_path: Path) -> None:
    interieur = zip_en_memoire({f"f{i}.xml": b"<a/>" for i in range(5)})
    archive = ecrire_zip(tmp_path / "export.zip", {"a.zip": interieur, "b.zip": interieur, "c.zip": interieur})
    with pytest.raises(SourceInvalideError) as erreur:
        localiser_siecle(archive, limites=LimitesZip(entrees_max=14))
    message = str(erreur.value)
    assert f"« {archive}!c.zip » : l'archive contient 5 fichiers (18 en tout avec ce qui a déjà été parcouru)" \
        in message and "la limite de 14 fichiers (archives imbriquées comprises)" in message


def test_a_folder_with_too_many_files(tmp_path: Path) -> None:
    dossier = tmp_path / "siecle"
    for i in range(12):
        ecrire(dossier / f"f{i}.txt", "rien")
    with pytest.raises(SourceInvalideError) as erreur:
        localiser_siecle(dossier, limites=LimitesZip(entrees_max=10))
    assert f"« {dossier} » : le dossier contient plus de 10 fichiers, plus que la limite de 10 fichiers" \
        in str(erreur.value)


def _imbriquer(niveaux: int) -> bytes:
    """The pupils file at the bottom of ``niveaux`` zips, one inside the other."""
    contenu = zip_en_memoire({"ElevesSansAdresses.xml": ELEVES})
    for niveau in range(niveaux - 1, 0, -1):
        contenu = zip_en_memoire({f"niveau{niveau + 1}.zip": contenu})
    return contenu


def test_nesting_up_to_the_limit_is_read(tmp_path: Path) -> None:
    archive = tmp_path / "siecle.zip"
    archive.write_bytes(_imbriquer(PROFONDEUR_MAX))
    eleves = localiser_siecle(archive)["eleves"]
    assert eleves.nom == f"{archive}!niveau2.zip!niveau3.zip!ElevesSansAdresses.xml"
    assert len(lire_eleves(eleves).eleves) == 4


def test_nesting_deeper_than_the_limit_is_refused_naming_the_archive(tmp_path: Path) -> None:
    archive = tmp_path / "siecle.zip"
    archive.write_bytes(_imbriquer(PROFONDEUR_MAX + 1))
    with pytest.raises(SourceInvalideError) as erreur:
        localiser_siecle(archive)
    message = str(erreur.value)
    assert f"« {archive}!niveau2.zip!niveau3.zip!niveau4.zip » : cette archive zip est imbriquée au niveau 4" in message
    assert f"au-delà de la limite de {PROFONDEUR_MAX} niveaux : l'archive est refusée" in message
    assert "Décompressez les archives" in message


def test_uncompressed_bytes_to_look_into_nested_archives_are_capped_in_all(tmp_path: Path) -> None:
    interieur = zip_en_memoire({"f.xml": b"<a>" + b" " * 5000 + b"</a>"}, zipfile.ZIP_STORED)
    archive = ecrire_zip(tmp_path / "export.zip", {"a.zip": interieur, "b.zip": interieur})
    limite = len(interieur) + len(interieur) // 2
    with pytest.raises(SourceInvalideError) as erreur:
        localiser_siecle(archive, limites=LimitesZip(taille_totale_max=limite))
    message = str(erreur.value)
    assert f"« {archive}!b.zip » : les archives imbriquées feraient en tout plus de {limite} octets" in message


def test_a_nested_zip_over_the_document_size_is_refused_from_its_declared_size(tmp_path: Path) -> None:
    interieur = zip_en_memoire({"ElevesSansAdresses.xml": ELEVES}, zipfile.ZIP_STORED)
    archive = ecrire_zip(tmp_path / "export.zip", {"eleves.zip": interieur})
    with pytest.raises(SourceInvalideError) as erreur:
        localiser_siecle(archive, limites=LimitesZip(taille_max=len(interieur) - 1))
    assert f"« {archive}!eleves.zip » : une fois décompressé, ce fichier ferait {len(interieur)} octets, plus que " \
           f"la limite de {len(interieur) - 1} octets" in str(erreur.value)


# --- documents: size caps checked when opened and while reading ----------------------------------------------


def test_a_plain_file_over_the_size_limit_is_refused_before_it_is_parsed(tmp_path: Path) -> None:
    chemin = ecrire(tmp_path / "ElevesSansAdresses.xml", eleves_xml())
    taille = chemin.stat().st_size
    document = localiser_siecle(chemin, limites=LimitesZip(taille_max=taille - 1))["eleves"]
    with pytest.raises(SourceInvalideError) as erreur:
        document.ouvrir()
    assert f"« {chemin} » : ce fichier fait {taille} octets, plus que la limite de {taille - 1} octets : il est " \
           "refusé" in str(erreur.value)
    assert lire(localiser_siecle(chemin, limites=LimitesZip(taille_max=taille))["eleves"]) == ELEVES  # inclusive


def test_a_file_growing_while_read_is_stopped_at_the_limit(tmp_path: Path) -> None:
    chemin = ecrire(tmp_path / "sts.xml", sts_xml())
    document = localiser_sts(chemin, limites=LimitesZip(taille_max=100_000))
    with document.ouvrir() as flux:  # its size, checked when opened, was under the limit
        with chemin.open("ab") as f:
            f.write(b" " * 200_000)
        with pytest.raises(SourceInvalideError, match="ce fichier dépasse la limite de 100000 octets"):
            while flux.read(65536):
                pass


class _Infini(io.RawIOBase):
    """A stream that never ends (what ``/dev/zero`` gives)."""

    lus = 0

    def readable(self) -> bool:
        return True

    def readinto(self, tampon: memoryview) -> int:  # type: ignore[override]
        self.lus += len(tampon)
        return len(tampon)


def test_a_bounded_read_of_an_endless_stream_stops_past_the_limit_even_when_read_whole() -> None:
    infini = _Infini()
    with (LectureBornee(io.BufferedReader(infini), "flux", 1_000_000, decompresse=True) as flux,
          pytest.raises(SourceInvalideError) as erreur):
        flux.read()
    assert "« flux » : une fois décompressé, ce fichier dépasse la limite de 1000000 octets" in str(erreur.value)
    assert infini.lus <= 1_000_001 + io.DEFAULT_BUFFER_SIZE


def test_a_directory_given_as_a_document_is_refused_in_french(tmp_path: Path) -> None:
    with pytest.raises(SourceInvalideError) as erreur:
        lire_eleves(Document.fichier(tmp_path))
    assert str(erreur.value).startswith(f"Fichier « {tmp_path} » : ce n'est pas un fichier ordinaire mais un dossier")


def test_a_normal_set_passes_the_default_limits(tmp_path: Path) -> None:
    siecle = tmp_path / "siecle"
    ecrire_zip(siecle / "ElevesSansAdresses.zip", {"ElevesSansAdresses.xml": ELEVES})
    ecrire(siecle / "Structures.xml", "<BEE_STRUCTURES/>")
    documents = localiser_siecle(siecle)
    assert set(documents) == {"eleves", "structures"} and lire(documents["eleves"]) == ELEVES


# --- damaged archives: a French error, whatever the damage ----------------------------------------------------


def test_a_member_whose_compressed_data_is_damaged_is_refused_in_french(tmp_path: Path) -> None:
    archive = ecrire_zip(tmp_path / "export.zip", {"ElevesSansAdresses.xml": ELEVES * 20})
    octets = bytearray(archive.read_bytes())
    octets[60] ^= 0xFF  # inside the deflate stream, after the local header and the name
    archive.write_bytes(bytes(octets))
    document = localiser_siecle(archive)["eleves"]
    with pytest.raises(SourceInvalideError) as erreur:
        lire(document)
    assert str(erreur.value).startswith(f"Fichier « {archive}!ElevesSansAdresses.xml » : l'archive zip est "
                                        "endommagée : ce fichier ne se décompresse pas")


def test_random_damage_to_nested_zips_is_always_a_french_error(tmp_path: Path) -> None:
    sain = zip_en_memoire({"siecle/ElevesSansAdresses.zip": zip_en_memoire({"ElevesSansAdresses.xml": ELEVES}),
                           "siecle/Communs.xml": b"<BEE_COMMUN/>",
                           "autre.zip": zip_en_memoire({"x.xml": b"<x/>"}, zipfile.ZIP_STORED)})
    hasard = random.Random(14)
    chemin = tmp_path / "export.zip"
    issues: dict[str, int] = {}
    for _ in range(600):
        octets = bytearray(sain)
        for _ in range(hasard.randint(1, 4)):
            octets[hasard.randrange(len(octets))] = hasard.randrange(256)
        chemin.write_bytes(bytes(octets))
        try:
            lire(localiser_siecle(chemin)["eleves"])
            issues["lu"] = issues.get("lu", 0) + 1
        except SourceInvalideError as erreur:
            assert str(erreur).startswith(f"Fichier « {chemin}"), erreur
            issues["refusé"] = issues.get("refusé", 0) + 1
    assert issues.get("refusé", 0) > 100, issues
