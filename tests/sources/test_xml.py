"""The safe streaming parser: encodings, malformed and truncated files, DOCTYPE/XXE/entity expansion,
memory (elements are cleared), and the small reading helpers."""

from __future__ import annotations

import time
from datetime import date
from pathlib import Path

import pytest

from lsun_events.sources.documents import Document
from lsun_events.sources.erreurs import SourceInvalideError
from lsun_events.sources.xml import (
    attribut,
    date_fr,
    date_iso,
    encodage_declare,
    ouvrir_xml,
    texte,
    verifier_racine,
)


def ecrire(tmp_path: Path, contenu: bytes, nom: str = "export.xml") -> Document:
    chemin = tmp_path / nom
    chemin.write_bytes(contenu)
    return Document.fichier(chemin)


def lire_tout(doc: Document, chemins: tuple[str, ...] = ("DONNEES/X",)) -> list[str | None]:
    with ouvrir_xml(doc) as flux:
        return [element.text for _, element in flux.elements(chemins)]


def erreur_de(doc: Document) -> SourceInvalideError:
    with pytest.raises(SourceInvalideError) as erreur:
        lire_tout(doc)
    return erreur.value


# --- encodings -------------------------------------------------------------------------------------

NOMS = "Chloé D'ALEMBERT-CŒUR, Œdipe, sœur, 12 €, Šárka Žižka, Ÿvette, l'Haÿ-les-Roses"


def test_iso_8859_15_characters_come_back_exactly(tmp_path: Path) -> None:
    contenu = f'<?xml version="1.0" encoding="ISO-8859-15"?>\n<R><DONNEES><X>  {NOMS}  </X></DONNEES></R>'
    octets = contenu.encode("iso-8859-15")
    assert "œ".encode("iso-8859-15") == b"\xbd" and b"\xbd" in octets  # really ISO-8859-15 bytes
    doc = ecrire(tmp_path, octets)
    with ouvrir_xml(doc) as flux:
        valeurs = [texte(element, "X") for _, element in flux.elements(["DONNEES"])]
    assert valeurs == [NOMS]  # trimmed, every character right


@pytest.mark.parametrize(("encodage", "prefixe"), [
    ("ISO-8859-1", b""), ("UTF-8", b""), ("UTF-8", b"\xef\xbb\xbf"), ("iso-8859-15", b"")])
def test_the_declared_encoding_is_honoured(tmp_path: Path, encodage: str, prefixe: bytes) -> None:
    valeur = "Léa-Maëlle O'Hara ÿ"
    contenu = f'<?xml version="1.0" encoding="{encodage}"?><R><DONNEES><X>{valeur}</X></DONNEES></R>'
    doc = ecrire(tmp_path, prefixe + contenu.encode(encodage))
    assert lire_tout(doc) == [valeur]


def test_no_declaration_means_utf8(tmp_path: Path) -> None:
    doc = ecrire(tmp_path, "<R><DONNEES><X>Cœur</X></DONNEES></R>".encode())
    assert lire_tout(doc) == ["Cœur"]


def test_unknown_encoding_is_refused_in_french(tmp_path: Path) -> None:
    doc = ecrire(tmp_path, b"<?xml version=\"1.0\" encoding='x-macthai'?><R><DONNEES/></R>", "Eleves.xml")
    erreur = erreur_de(doc)
    assert "Eleves.xml" in str(erreur)
    assert "encodage « x-macthai »" in str(erreur) and "inconnu" in str(erreur)


def test_bytes_that_do_not_match_the_declared_encoding_are_refused(tmp_path: Path) -> None:
    doc = ecrire(tmp_path, '<?xml version="1.0" encoding="UTF-8"?>\n<R>\n<X>é</X></R>'.encode("latin-1"))
    erreur = erreur_de(doc)
    assert "ligne 3" in str(erreur) and "encodage" in str(erreur)


def test_encodage_declare_reads_the_declaration() -> None:
    assert encodage_declare(b'<?xml version="1.0" encoding="ISO-8859-15"?><R/>') == "ISO-8859-15"
    assert encodage_declare(b"\xef\xbb\xbf<?xml version='1.0' encoding='UTF-8'?>") == "UTF-8"
    assert encodage_declare(b"<R/>") is None


# --- malformed, truncated, empty ---------------------------------------------------------------------

def test_malformed_xml_names_the_file_and_the_line(tmp_path: Path) -> None:
    doc = ecrire(tmp_path, b"<R>\n<DONNEES>\n<X>a</X>\n</DONNEES d>\n</R>\n", "Structures.xml")
    erreur = erreur_de(doc)
    assert "Structures.xml" in str(erreur)
    assert "mal formé ligne 4" in str(erreur)


def test_mismatched_tags_are_malformed(tmp_path: Path) -> None:
    erreur = erreur_de(ecrire(tmp_path, b"<R>\n<DONNEES>\n<X>a</Y>\n</DONNEES>\n</R>\n"))
    assert "mal formé ligne 3" in str(erreur)


def test_truncated_file_is_reported_as_incomplete(tmp_path: Path) -> None:
    complet = b'<?xml version="1.0"?>\n<R>\n<DONNEES>\n' + b"<X>valeur</X>\n" * 50 + b"</DONNEES>\n</R>\n"
    doc = ecrire(tmp_path, complet[: len(complet) // 2], "ElevesSansAdresses.xml")
    erreur = erreur_de(doc)
    assert "ElevesSansAdresses.xml" in str(erreur)
    assert "incomplet" in str(erreur) and "tronqué" in str(erreur) and "ligne 28" in str(erreur)


def test_a_malformed_tail_is_found_even_when_the_caller_is_done(tmp_path: Path) -> None:
    doc = ecrire(tmp_path, b"<R><DONNEES><X>a</X></DONNEES>\n<DONNEES>\n</R>")
    with pytest.raises(SourceInvalideError, match="ligne 3"):
        lire_tout(doc)


def test_empty_file(tmp_path: Path) -> None:
    assert "vide" in str(erreur_de(ecrire(tmp_path, b"")))


def test_not_xml_at_all(tmp_path: Path) -> None:
    assert "n'est pas un fichier XML" in str(erreur_de(ecrire(tmp_path, b"%PDF-1.4\n...")))


# --- attacks: DOCTYPE, external entities, entity expansion -------------------------------------------

def test_any_doctype_is_refused(tmp_path: Path) -> None:
    doc = ecrire(tmp_path, b'<?xml version="1.0"?>\n<!DOCTYPE R>\n<R><DONNEES><X>a</X></DONNEES></R>')
    erreur = erreur_de(doc)
    assert "DOCTYPE" in str(erreur) and "export.xml" in str(erreur)


def test_external_entity_is_never_resolved(tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("MOT-DE-PASSE-TRES-SECRET")
    contenu = (f'<?xml version="1.0"?>\n<!DOCTYPE R [<!ENTITY xxe SYSTEM "file://{secret}">]>\n'
               "<R><DONNEES><X>&xxe;</X></DONNEES></R>").encode()
    doc = ecrire(tmp_path, contenu)
    erreur = erreur_de(doc)
    assert "DOCTYPE" in str(erreur)
    assert "MOT-DE-PASSE" not in str(erreur) and "MOT-DE-PASSE" not in repr(erreur.__dict__)


def test_external_dtd_and_parameter_entities_are_refused(tmp_path: Path) -> None:
    dtd = tmp_path / "piege.dtd"
    dtd.write_text('<!ENTITY fuite "MOT-DE-PASSE">')
    for contenu in (f'<!DOCTYPE R SYSTEM "file://{dtd}"><R><DONNEES><X>&fuite;</X></DONNEES></R>',
                    f'<!DOCTYPE R [<!ENTITY % p SYSTEM "file://{dtd}"> %p;]><R><DONNEES><X>&fuite;</X></DONNEES></R>'):
        erreur = erreur_de(ecrire(tmp_path, contenu.encode()))
        assert "MOT-DE-PASSE" not in str(erreur)


def test_billion_laughs_is_refused_without_expanding(tmp_path: Path) -> None:
    entites = ['<!ENTITY lol0 "lollollollollollollollollollol">']
    entites += [f'<!ENTITY lol{i} "{f"&lol{i - 1};" * 10}">' for i in range(1, 10)]
    contenu = f'<?xml version="1.0"?>\n<!DOCTYPE R [{"".join(entites)}]>\n<R><DONNEES><X>&lol9;</X></DONNEES></R>'
    doc = ecrire(tmp_path, contenu.encode())
    debut = time.perf_counter()
    erreur = erreur_de(doc)
    assert time.perf_counter() - debut < 2
    assert "DOCTYPE" in str(erreur)


def test_undeclared_entity_is_refused(tmp_path: Path) -> None:
    assert "l'entité « &inconnue; » n'est pas déclarée" in str(
        erreur_de(ecrire(tmp_path, b"<R><DONNEES><X>&inconnue;</X></DONNEES></R>")))


# --- streaming --------------------------------------------------------------------------------------

def test_elements_are_handed_out_complete_in_order_and_cleared(tmp_path: Path) -> None:
    lignes = "".join(f'<ELEVE ID="{i}"><NOM> N{i} </NOM><AUTRE><PROFOND>p</PROFOND></AUTRE></ELEVE>'
                     for i in range(20000))
    bruit = "".join(f"<BOURSE>{i}</BOURSE>" for i in range(20000))
    contenu = (f"<R><PARAMETRES><UAJ>U</UAJ></PARAMETRES><DONNEES><ELEVES>{lignes}</ELEVES>"
               f"<BOURSES>{bruit}</BOURSES></DONNEES></R>")
    doc = ecrire(tmp_path, contenu.encode())
    vus: list[tuple[str, str | None, str | None]] = []
    taille_max = 0
    with ouvrir_xml(doc) as flux:
        assert flux.racine == "R"
        for chemin, element in flux.elements(["PARAMETRES", "DONNEES/ELEVES/ELEVE"]):
            vus.append((chemin, attribut(element, "ID"), texte(element, "NOM") or texte(element, "UAJ")))
            assert element.find("AUTRE/PROFOND") is not None or chemin == "PARAMETRES"
            taille_max = max(taille_max, len(element.getparent()))
        racine = element.getroottree().getroot()
        assert sum(1 for _ in racine.iter()) < 10  # everything handled was freed
    assert vus[0] == ("PARAMETRES", None, "U")
    assert vus[1:] == [("DONNEES/ELEVES/ELEVE", str(i), f"N{i}") for i in range(20000)]
    assert taille_max < 2000  # handled siblings are deleted: only lxml's read-ahead chunk stays


def test_reading_helpers(tmp_path: Path) -> None:
    doc = ecrire(tmp_path, b'<R><DONNEES><X A=" a " B=""><V>  v </V><E></E><E2/><S><T>t</T></S></X></DONNEES></R>')
    with ouvrir_xml(doc) as flux:
        x = next(iter(flux.elements(["DONNEES/X"])))[1]  # usable until the iteration moves on
        assert texte(x, "V") == "v"
        assert texte(x, "E") is None and texte(x, "E2") is None and texte(x, "ABSENT") is None
        assert texte(x, "S/T") == "t"
        assert attribut(x, "A") == "a" and attribut(x, "B") is None and attribut(x, "C") is None
        assert texte(None, "V") is None


def test_dates() -> None:
    assert date_fr("14/03/2012") == date(2012, 3, 14)
    assert date_fr("1/9/2025") == date(2025, 9, 1)
    assert date_iso("2025-09-01") == date(2025, 9, 1)
    for mauvaise in ("2012-03-14", "31/02/2012", "14.03.2012", ""):
        with pytest.raises(ValueError):
            date_fr(mauvaise)
    with pytest.raises(ValueError):
        date_iso("01/09/2025")


# --- roots ------------------------------------------------------------------------------------------

def test_wrong_root_says_what_was_found_and_expected(tmp_path: Path) -> None:
    doc = ecrire(tmp_path, b"<BEE_STRUCTURES><DONNEES/></BEE_STRUCTURES>", "ElevesSansAdresses.xml")
    with ouvrir_xml(doc) as flux, pytest.raises(SourceInvalideError) as erreur:
        verifier_racine(flux, "BEE_ELEVES")
    message = str(erreur.value)
    assert "ElevesSansAdresses.xml" in message
    assert "<BEE_STRUCTURES>" in message and "<BEE_ELEVES>" in message
    assert "structures" in message and "élèves" in message


def test_unknown_root(tmp_path: Path) -> None:
    doc = ecrire(tmp_path, b"<html><body/></html>")
    with ouvrir_xml(doc) as flux, pytest.raises(SourceInvalideError, match="racine du document est <html>"):
        verifier_racine(flux, "STS_EDT")


def test_timetable_upload_file_gets_its_own_explanation(tmp_path: Path) -> None:
    doc = ecrire(tmp_path, b"<EDT_STS><PARAMETRES/></EDT_STS>", "emp_sts_0999001X_2025.xml")
    with ouvrir_xml(doc) as flux, pytest.raises(SourceInvalideError) as erreur:
        verifier_racine(flux, "STS_EDT")
    assert ("ce fichier est l'export de votre logiciel d'emploi du temps vers STS, pas l'export STS-web "
            "`sts_emp_…`") in str(erreur.value)
    assert "emp_sts_0999001X_2025.xml" in str(erreur.value)


def test_an_undeclared_entity_is_named_in_french(tmp_path: Path) -> None:
    erreur = erreur_de(ecrire(tmp_path, b"<R>\n<DONNEES>\n<X>&foo;</X>\n</DONNEES>\n</R>\n", "Communs.xml"))
    message = str(erreur)
    assert "Communs.xml" in message and "ligne 3" in message
    assert "l'entité « &foo; » n'est pas déclarée" in message
    assert "pas un fichier XML" not in message and "not defined" not in message


def test_libxml2_limits_are_told_in_french_without_its_english_hint(tmp_path: Path) -> None:
    enorme = b"<R>\n<DONNEES>\n<X>" + b"A" * 11_000_000 + b"</X>\n</DONNEES>\n</R>\n"
    message = str(erreur_de(ecrire(tmp_path, enorme)))
    assert "dépasse les limites de lecture" in message and "ligne 3" in message
    assert "XML_PARSE_HUGE" not in message and "Resource limit" not in message
