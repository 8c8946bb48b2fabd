"""Damaged or implausible sources (SPEC §5): the detectors of ``controles`` on single texts, with their
likely readings and no false positive on real names; then the readers on small real exports, each damage
refused with a French message naming the file, the line, the field, the record, the suspicious text and its
likely reading, and what to do."""

from __future__ import annotations

import io
import re
import unicodedata
from datetime import date
from pathlib import Path

import pytest
from lxml import etree

from lsun_events.generateur.ecriture import ELEVES as FICHIER_ELEVES
from lsun_events.generateur.ecriture import ecrire_document, ecrire_exports
from lsun_events.generateur.generation import generer
from lsun_events.sources import controles as c
from lsun_events.sources.documents import Document
from lsun_events.sources.erreurs import SourceInvalideError
from lsun_events.sources.siecle import lire_eleves, lire_responsables, lire_structures
from lsun_events.sources.snapshot import charger_exports
from lsun_events.sources.sts import lire_sts
from tests.sources.donnees import ELEVES, ISO, eleve, eleves_xml, responsables_xml, structures_xml, sts_xml

# --- real names: none may be taken for damage ------------------------------------------------------------------

NOMS_REELS = [
    "Aïssata", "AÏSSATA", "Zoé", "Noël", "Maëlle", "Anaïs-Œnone", "D'ALEMBERT-CŒUR", "Cœur", "Lætitia", "ÆSIR",
    "L'HAŸ-LES-ROSES", "Ÿvonne", "Straße", "STRASSE", "Łukasz Wałęsa", "ŻANETA", "Grzegorz Brzęczyszczykiewicz",
    "Józef Piłsudski", "João Conceição", "GONÇALO", "SÃO PAULO", "Nguyễn Thị Minh Khai", "TRẦN HƯNG ĐẠO", "Đặng",
    "Ștefan Țiriac", "ȘTEFAN", "Antonín Dvořák", "ŠŤASTNÝ", "JIŘÍ", "Ødegaard", "Søren Kierkegaard", "Åsa",
    "MÄKELÄ", "Hämäläinen", "Müller", "Çelik", "ĞÜLŞEN İLDIZ", "Ñúñez", "PEÑA", "Þór", "Björk Guðmundsdóttir",
    "N’DIAYE", "O’NEILL", "L’ÉCOLE", "Jean–Baptiste", "Marie—Claire", "« LES TILLEULS »", "N° 12", "CHÂTEAU",
    "BÂTIMENT B", "PÂQUES", "ÉLODIE", "Hélène", "Jérôme", "Benoît", "Loïc", "Gaëlle", "Irène", "Agnès", "COLLÈGE",
    "RÉSIDENCE LES TILLEULS", "Ève", "Ôdile", "ÎLE-DE-FRANCE", "Sœur Marie", "Œuvre", "Mañana", "Çağla",
    "Mélanie", "LYCÉE PRIVÉ", "PÈRE", "FRANÇOIS", "ALLÔ", "Ñandú", "Ōsaka", "Œdipe", "Ægir", "ÉTÉ…", "Zoé’s",
    "Tomáš Šťastný", "Ábrahám", "Đorđe", "Ðorðe", "Σωκράτης", "Владимир", "Олександр", "€ 12", "5ÈME 1",
    "Anne-Sophie", "D'ARC", "MODÈLE", "DUPONT-MODÈLE", "Timothée-Arthur", "TRAORÉ", "Yaël", "Héloïse", "Zélie",
]


def _variantes(nom: str) -> list[str]:
    """The name as exports may write it: NFC, NFD, upper case, with non-breaking spaces around and inside."""
    return [nom, unicodedata.normalize("NFD", nom), nom.upper(), f"\u00a0{nom}\u00a0", nom.replace(" ", "\u00a0"),
            f"  {nom}\n    "]


@pytest.mark.parametrize("encodage", [None, "ISO-8859-15", "windows-1252", "ISO-8859-1", "UTF-8"])
def test_aucun_faux_positif_sur_des_noms_reels(encodage: str | None) -> None:
    for nom in NOMS_REELS:
        for texte in _variantes(nom):
            assert c.examiner(texte, encodage) is None, (texte, c.examiner(texte, encodage))


# --- UTF-8 read as a single-byte encoding ------------------------------------------------------------------------


def _mal_encode(texte: str, encodage: str) -> str | None:
    """``texte`` written in UTF-8 and read in ``encodage`` (``None`` when a byte has no meaning there)."""
    try:
        return texte.encode("utf-8").decode(encodage)
    except UnicodeDecodeError:
        return None


DECLARES = {"iso8859-15": "ISO-8859-15", "cp1252": "windows-1252", "latin-1": "ISO-8859-1"}


@pytest.mark.parametrize("encodage", ["iso8859-15", "cp1252", "latin-1"])
def test_chaque_nom_reel_mal_encode_est_reconnu_et_relu(encodage: str) -> None:
    """UTF-8 read in each encoding: read back exactly when the file declares the encoding the damage came from,
    and refused as encoding damage whatever the file declares (the likely reading may then differ: « ÃŽ » is
    « ô » read as ISO-8859-15 but « Î » read as Windows-1252)."""
    reconnus = 0
    for nom in NOMS_REELS:
        abime = _mal_encode(nom, encodage)
        if abime is None or abime == nom:
            continue
        constat = c.examiner(abime, DECLARES[encodage])
        assert constat is not None and constat.nature == c.ENCODAGE, (nom, abime)
        assert constat.lecture == unicodedata.normalize("NFC", nom), (nom, abime, constat)
        for declare in DECLARES.values():
            autre = c.examiner(abime, declare)
            assert autre is not None and autre.nature == c.ENCODAGE, (nom, abime, declare)
        reconnus += 1
    assert reconnus > 80


@pytest.mark.parametrize(("abime", "lecture", "suspect", "encodage"), [
    ("AÃ¯ssata", "Aïssata", "Ã¯", "iso8859-15"),
    ("MÃ©lanie", "Mélanie", "Ã©", "iso8859-15"),
    ("Ã‰LODIE", "ÉLODIE", "Ã‰", "cp1252"),  # É is C3 89: 0x89 is ‰ only in Windows-1252
    ("CÅ“UR", "CœUR", "Å“", "cp1252"),
    ("CÅ\x93UR", "CœUR", "Å\x93", "iso8859-15"),  # the same bytes read as ISO-8859-15: a C1 character
    ("Lâ€™ÉCOLE", "L’ÉCOLE", "â€™", "cp1252"),
    ("MÃŒLLER", "MüLLER", "ÃŒ", "iso8859-15"),  # ü is C3 BC: 0xBC is Œ in ISO-8859-15
    ("Ã\u00a0 la ligne", "à la ligne", "Ã\u00a0", "iso8859-15"),
    ("Å\x81ukasz", "Łukasz", "Å\x81", "iso8859-15"),
    ("e\u00cc\u0081", "é", "Ì\x81", "iso8859-15"),  # decomposed é (e + U+0301) read byte by byte
])
def test_texte_mal_encode(abime: str, lecture: str, suspect: str, encodage: str) -> None:
    constat = c.texte_mal_encode(abime, "ISO-8859-15")
    assert constat == c.Constat(c.ENCODAGE, suspect, abime.index(suspect), lecture, encodage)
    assert c.examiner(abime, "ISO-8859-15") == constat


def test_le_texte_mal_encode_est_decrit_en_francais() -> None:
    constat = c.examiner("AÃ¯ssata", "ISO-8859-15")
    assert constat is not None
    assert constat.decrire("AÃ¯ssata", "ISO-8859-15") == (
        "le texte « AÃ¯ssata » ressemble à « Aïssata » mal encodé (« Ã¯ » est l'écriture UTF-8 de « ï » lue en "
        "ISO-8859-15) : le fichier a sans doute été converti ou réenregistré")


def test_l_encodage_declare_est_essaye_en_premier() -> None:
    assert c.texte_mal_encode("MÃ©lanie", "windows-1252").encodage == "cp1252"  # type: ignore[union-attr]
    assert c.texte_mal_encode("MÃ©lanie", "ISO-8859-1").encodage == "latin-1"  # type: ignore[union-attr]
    assert c.texte_mal_encode("MÃ©lanie", None).encodage == "cp1252"  # type: ignore[union-attr]


@pytest.mark.parametrize("texte", [
    "JOSÉ\u00a0", "HÄ\u00a0", "Ç’", "É–", "É»", "Â", "Ã", "Ã x", "CHÂTEAU", "Ð\u00a0", "Ì\u00a0",
    "MÄKELÄ\u00a0", "JIŘÍ\u00a0", "Ì\u0301", "Ç\u2019",
])
def test_suites_d_octets_sans_lecture_plausible(texte: str) -> None:
    assert c.texte_mal_encode(texte, "ISO-8859-15") is None


# --- C1, other controls, invisible and bidirectional characters --------------------------------------------------


@pytest.mark.parametrize(("texte", "lecture"), [
    ("D\x92ALEMBERT", "D’ALEMBERT"),  # Windows-1252 0x92
    ("C\x9cUR", "CœUR"),  # Windows-1252 0x9C
    ("\x8cUVRE \x80 \x85", "ŒUVRE € …"),
    ("A\x81B", None),  # 0x81 means nothing in Windows-1252 either
])
def test_caracteres_de_controle_c1(texte: str, lecture: str | None) -> None:
    constat = c.examiner(texte, "ISO-8859-15")
    assert constat is not None and constat.nature == c.CONTROLE_C1
    assert (constat.suspect, constat.lecture) == (re.search("[\x80-\x9f]", texte).group(), lecture)  # type: ignore[union-attr]


def test_c1_decrit_en_francais() -> None:
    constat = c.examiner("D\x92ALEMBERT", "ISO-8859-15")
    assert constat is not None
    assert constat.decrire("D\x92ALEMBERT", "ISO-8859-15") == (
        "le texte « D[U+0092]ALEMBERT » contient le caractère U+0092, caractère de contrôle C1 : c'est sans doute "
        "« D’ALEMBERT » (des octets Windows-1252 dans un fichier déclaré ISO-8859-15)")


@pytest.mark.parametrize(("caractere", "nature", "nom"), [
    ("\u202e", c.BIDI, "U+202E, forçage de droite à gauche"),
    ("\u202d", c.BIDI, "U+202D, forçage de gauche à droite"),
    ("\u202a", c.BIDI, "U+202A, enchâssement de gauche à droite"),
    ("\u2066", c.BIDI, "U+2066, isolat de gauche à droite"),
    ("\u2069", c.BIDI, "U+2069, fin d'isolat directionnel"),
    ("\u200f", c.BIDI, "U+200F, marque de droite à gauche (direction du texte, invisible)"),
    ("\u200b", c.INVISIBLE, "U+200B, espace sans chasse (invisible)"),
    ("\u200d", c.INVISIBLE, "U+200D, liant sans chasse (invisible)"),
    ("\u2060", c.INVISIBLE, "U+2060, gluon de mots (invisible)"),
    ("\ufeff", c.INVISIBLE, "U+FEFF, indicateur d'ordre des octets (espace insécable sans chasse, invisible)"),
    ("\u00ad", c.INVISIBLE, "U+00AD, trait d'union conditionnel (invisible)"),
    ("\U000e0041", c.INVISIBLE, "U+E0041, étiquette Unicode (invisible)"),
    ("\x7f", c.CONTROLE, "U+007F, caractère de contrôle « suppression » (DEL)"),
    ("\x01", c.CONTROLE, "U+0001, caractère de contrôle"),
    ("\ufffd", c.REMPLACEMENT, "U+FFFD, caractère de remplacement"),
])
def test_caracteres_suspects(caractere: str, nature: str, nom: str) -> None:
    texte = f"DU{caractere}PONT"
    constat = c.examiner(texte)
    assert constat is not None
    assert (constat.nature, constat.suspect, constat.position) == (nature, caractere, 2)
    assert constat.lecture == (None if nature == c.REMPLACEMENT else "DUPONT")
    assert c.nom_caractere(caractere) == nom
    description = constat.decrire(texte)
    assert nom in description
    assert f"« DU[U+{ord(caractere):04X}]PONT »" in description  # never the character itself in a message
    assert caractere not in description
    if nature != c.REMPLACEMENT:
        assert "sans ce caractère il se lit « DUPONT »" in description


def test_montrer_rend_visible_et_raccourcit() -> None:
    assert c.montrer("4\u202eA\u00a0B") == "4[U+202E]A B"
    assert c.montrer("Ã\u00a0", espaces=False) == "Ã[U+00A0]"
    long = "A" * 200 + "\u200b" + "B" * 200
    assert c.montrer(long, 200) == "…" + "A" * 40 + "[U+200B]" + "B" * 39 + "…"


def test_un_texte_ordinaire_ne_coute_qu_une_recherche() -> None:
    assert c.examiner("HADDAD") is None and c.examiner("Noémie Élodie") is None and c.examiner("") is None


# --- identifiers and values ---------------------------------------------------------------------------------------


def test_identifiants_et_valeurs() -> None:
    assert all(c.eleve_id_valide(x) for x in ("1", "0001", "2400102", "9" * 20))
    assert not any(c.eleve_id_valide(x) for x in ("", "E1", "12A", "9" * 21, "１２", "1 2", "-1", "²"))
    assert all(c.uai_valide(x) for x in ("0999001X", "0999001x", "0123456S"))
    assert not any(c.uai_valide(x) for x in ("123ABC", "0999001", "0999001XX", "O999001X", "09990010", ""))
    assert not c.nom_trop_long("A" * 100) and c.nom_trop_long("A" * 101)
    aujourd_hui = date(2026, 3, 1)
    assert c.probleme_date_naissance(date(1900, 1, 1), "DATE_NAISS", "01/01/1900", aujourd_hui) is None
    assert c.probleme_date_naissance(aujourd_hui, "DATE_NAISS", "01/03/2026", aujourd_hui) is None
    assert c.probleme_date_naissance(date(1899, 12, 31), "DATE_NAISS", "31/12/1899", aujourd_hui) == (
        "la date de naissance (DATE_NAISS) « 31/12/1899 » est antérieure à 1900 : elle ne peut pas être juste")
    assert c.probleme_date_naissance(date(2026, 3, 2), "DATE_NAISSANCE", "2026-03-02", aujourd_hui) == (
        "la date de naissance (DATE_NAISSANCE) « 2026-03-02 » est dans le futur (nous sommes le 01/03/2026) : elle "
        "ne peut pas être juste")


# --- the byte probe ---------------------------------------------------------------------------------------------


def _lignes(encodage: str | None, *morceaux: bytes) -> list[int]:
    sonde = c.SondeOctets.pour(encodage, morceaux[0])
    ligne = 1
    for morceau in morceaux:
        sonde.examiner(morceau, ligne)
        ligne += morceau.count(b"\n")
    return list(sonde.lignes)


def test_la_sonde_note_les_lignes_suspectes() -> None:
    iso = "<R>\n<A>Zoé Œnone</A>\n<B>C\x9cUR</B>\n<C>4&#x202E;A</C>\n<D>AT&amp;T</D>\n<E>Aïssata</E>\n</R>\n"
    octets = iso.encode(ISO).replace("Aïssata".encode(ISO), "Aïssata".encode())
    assert _lignes("ISO-8859-15", octets) == [3, 4, 6]  # not the lines of Zoé Œnone nor of &amp;
    assert _lignes("windows-1252", octets.replace(b"\x9c", b"\x9d")) == [3, 4, 6]  # 0x9D: undefined
    assert _lignes("windows-1252", octets.replace(b"\x9c", b"\x92")) == [4, 6]  # 0x92 is ’ in Windows-1252
    utf8 = "<R>\n<A>Zoé Œnone €</A>\n<B>DU\u200bPONT</B>\n<C>AÃ¯ssata</C>\n</R>\n".encode()
    assert _lignes("UTF-8", utf8) == [2, 3, 4]  # € (E2) is looked at too: its record is examined, not refused
    assert _lignes(None, b"\xef\xbb\xbf<R>\n<A>Zo\xc3\xa9</A></R>") == []  # the BOM is not a zero-width space


def test_la_sonde_voit_une_suite_a_cheval_sur_deux_morceaux() -> None:
    assert _lignes("ISO-8859-15", b"<R>\n<A>A\xc3", b"\xaf</A>\n</R>") == [2]
    assert _lignes("ISO-8859-15", b"<R>\n<A>A&", b"#x200B;</A>\n</R>") == [2]
    assert _lignes("ISO-8859-15", b"<R>\n<A>A\xe9", b"t\xe9</A>\n</R>") == []


def test_la_sonde_examine_tout_ce_qu_elle_ne_sait_pas_lire() -> None:
    assert c.SondeOctets.pour("UTF-16", "<R/>".encode("utf-16")).tout
    assert c.SondeOctets.pour("cp850", b"<?xml").tout
    assert not c.SondeOctets.pour("ISO-8859-15", b"<?xml").tout
    sonde = c.SondeOctets.pour("ISO-8859-15", b"<?xml")
    sonde.examiner(b"<R>\r<A>1</A>\r</R>", 1)  # CR alone ends lines: libxml2 numbers them all 1
    assert sonde.tout


def test_fichier_a_fins_de_ligne_cr_seules(tmp_path: Path) -> None:
    texte = eleves_xml(ELEVES.replace("LONDRES", "LON\nDRES").replace("Léon", "Lé\u200bon"))
    octets = texte.encode(ISO, "xmlcharrefreplace").replace(b"\n", b"\r")
    _contient(_refus(lire_eleves, _ecrire(tmp_path, "ElevesSansAdresses.xml", octets)), "champ PRENOM",
              "Lé[U+200B]on", "élève ELEVE_ID 700102")


# --- naming the record ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("xml", "nom"), [
    ('<ELEVE ELEVE_ID="7"><NOM_DE_FAMILLE>DUPONT</NOM_DE_FAMILLE><PRENOM>Zo\u200bé</PRENOM></ELEVE>',
     "élève ELEVE_ID 7 (DUPONT Zo[U+200B]é, ligne 1)"),
    ('<OPTION ELEVE_ID="7"/>', "options de l'élève ELEVE_ID 7 (ligne 1)"),
    ('<STRUCTURES_ELEVE ELEVE_ID="7"/>', "divisions et groupes de l'élève ELEVE_ID 7 (ligne 1)"),
    ('<PERSONNE PERSONNE_ID="55"><NOM>MARTIN</NOM><PRENOM>Léa</PRENOM></PERSONNE>',
     "responsable PERSONNE_ID 55 (MARTIN Léa, ligne 1)"),
    ("<RESPONSABLE_ELEVE><ELEVE_ID>7</ELEVE_ID><PERSONNE_ID>55</PERSONNE_ID></RESPONSABLE_ELEVE>",
     "lien entre l'élève ELEVE_ID 7 et le responsable PERSONNE_ID 55 (ligne 1)"),
    ('<ADRESSE ADRESSE_ID="5001"/>', "adresse ADRESSE_ID 5001 (ligne 1)"),
    ('<INDIVIDU ID="48213" TYPE="epp"><NOM_USAGE>L\'ÉCUYER</NOM_USAGE><PRENOM>Jeanne</PRENOM></INDIVIDU>',
     "INDIVIDU epp 48213 (L'ÉCUYER Jeanne, ligne 1)"),
    ('<DIVISION CODE="4\u202eA"/>', "division 4[U+202E]A (ligne 1)"),
    ('<GROUPE CODE_STRUCTURE="5LAT"/>', "groupe 5LAT (ligne 1)"),
    ('<MATIERE CODE_MATIERE="030201"/>', "matière 030201 (ligne 1)"),
    ("<PARAMETRES><UAJ>0999001X</UAJ></PARAMETRES>", "paramètres de l'export (PARAMETRES, ligne 1)"),
    ('<AUTRE X="1" Y="2" Z="3"/>', "AUTRE X 1 Y 2 (ligne 1)"),
])
def test_decrire_enregistrement(xml: str, nom: str) -> None:
    assert c.decrire_enregistrement(etree.fromstring(xml)) == nom


# --- the readers on small real exports --------------------------------------------------------------------------


def _ecrire(dossier: Path, nom: str, octets: bytes) -> Document:
    chemin = dossier / nom
    chemin.write_bytes(octets)
    return Document.fichier(chemin)


def _refus(lire: object, document: Document) -> str:
    with pytest.raises(SourceInvalideError) as erreur:
        lire(document)  # type: ignore[operator]
    message = str(erreur.value)
    assert message.startswith(f"Fichier « {document.nom} » : ")
    return message


def _ligne(octets: bytes, morceau: bytes) -> int:
    return octets[:octets.index(morceau)].count(b"\n") + 1


def _contient(message: str, *attendus: str) -> None:
    for attendu in attendus:
        assert attendu in message, f"{attendu!r} absent de : {message}"


def test_octets_utf8_dans_un_fichier_declare_iso_8859_15(tmp_path: Path) -> None:
    octets = eleves_xml(ELEVES.replace("Zoé", "Aïssata")).encode(ISO).replace(
        "Aïssata".encode(ISO), "Aïssata".encode())
    message = _refus(lire_eleves, _ecrire(tmp_path, "ElevesSansAdresses.xml", octets))
    _contient(message, f"ligne {_ligne(octets, b'<PRENOM>A')}, champ PRENOM :",
              "le texte « AÃ¯ssata » ressemble à « Aïssata » mal encodé",
              "(enregistrement : élève ELEVE_ID 700101 (D'ALEMBERT-CŒUR AÃ¯ssata, ligne ",
              "Réexportez le fichier depuis SIECLE Base élèves et utilisez-le sans l'ouvrir ni le réenregistrer")


def test_fichier_entier_reenregistre_en_utf8_sans_changer_la_declaration(tmp_path: Path) -> None:
    octets = eleves_xml().encode("utf-8")  # the declaration still says ISO-8859-15
    message = _refus(lire_eleves, _ecrire(tmp_path, "ElevesSansAdresses.xml", octets))
    _contient(message, f"ligne {_ligne(octets, b'<NOM_DE_FAMILLE>')}, champ NOM_DE_FAMILLE :",
              "« D'ALEMBERT-CÅ\x92UR »".replace("\x92", "[U+0092]"), "ressemble à « D'ALEMBERT-CŒUR » mal encodé",
              "élève ELEVE_ID 700101")


def test_octets_windows_1252_0x92_et_0x9c_dans_un_fichier_iso_8859_15(tmp_path: Path) -> None:
    octets = eleves_xml().encode(ISO).replace(b"D'ALEMBERT-C\xbcUR", b"D\x92ALEMBERT-C\x9cUR")
    message = _refus(lire_eleves, _ecrire(tmp_path, "ElevesSansAdresses.xml", octets))
    ligne = _ligne(octets, b"D\x92ALEMBERT")
    _contient(message, f"ligne {ligne}, champ NOM_DE_FAMILLE :",
              "le texte « D[U+0092]ALEMBERT-C[U+009C]UR » contient le caractère U+0092, caractère de contrôle C1",
              "c'est sans doute « D’ALEMBERT-CœUR » (des octets Windows-1252 dans un fichier déclaré ISO-8859-15)",
              "élève ELEVE_ID 700101", "Réexportez le fichier depuis SIECLE Base élèves")


def test_forcage_de_droite_a_gauche_dans_un_code_de_division_sts(tmp_path: Path) -> None:
    octets = sts_xml().encode(ISO).replace(b'<DIVISION CODE="5E2">', b'<DIVISION CODE="5E&#x202E;2">')
    message = _refus(lire_sts, _ecrire(tmp_path, "sts_emp_0999001X_2025.xml", octets))
    _contient(message, f"ligne {_ligne(octets, b'&#x202E;')}, attribut CODE de <DIVISION> :",
              "le texte « 5E[U+202E]2 » contient le caractère U+202E, forçage de droite à gauche",
              "sans ce caractère il se lit « 5E2 »", "(enregistrement : division 5E[U+202E]2 (ligne ",
              "Corrigez ce champ dans STS-web en le retapant")
    assert "\u202e" not in message


def test_forcage_de_droite_a_gauche_dans_une_division_siecle(tmp_path: Path) -> None:
    texte = structures_xml().replace('<DIVISION CODE_STRUCTURE="5E2">', '<DIVISION CODE_STRUCTURE="5E\u202e2">')
    octets = texte.encode(ISO, "xmlcharrefreplace")
    message = _refus(lire_structures, _ecrire(tmp_path, "Structures.xml", octets))
    _contient(message, "attribut CODE_STRUCTURE de <DIVISION>", "U+202E, forçage de droite à gauche",
              "division 5E[U+202E]2", "Corrigez ce champ dans SIECLE Base élèves")
    eleves = eleves_xml(structures=STRUCTURES_UN_CODE).encode(ISO, "xmlcharrefreplace")
    message = _refus(lire_eleves, _ecrire(tmp_path, "ElevesSansAdresses.xml", eleves))
    _contient(message, f"ligne {_ligne(eleves, b'&#8238;')}, champ CODE_STRUCTURE :",
              "divisions et groupes de l'élève ELEVE_ID 700101")


STRUCTURES_UN_CODE = """
    <STRUCTURES_ELEVE ELEVE_ID="700101" ELENOET="3101">
      <STRUCTURE><CODE_STRUCTURE>4\u202eA</CODE_STRUCTURE><TYPE_STRUCTURE>D</TYPE_STRUCTURE></STRUCTURE>
    </STRUCTURES_ELEVE>
"""


def test_espace_sans_chasse_dans_un_nom(tmp_path: Path) -> None:
    octets = sts_xml().replace("<PRENOM>PAUL</PRENOM>", "<PRENOM>PA\u200bUL</PRENOM>").encode(ISO, "xmlcharrefreplace")
    message = _refus(lire_sts, _ecrire(tmp_path, "sts_emp_0999001X_2025.xml", octets))
    _contient(message, f"ligne {_ligne(octets, b'&#8203;')}, champ PRENOM :",
              "le texte « PA[U+200B]UL » contient le caractère U+200B, espace sans chasse (invisible)",
              "sans ce caractère il se lit « PAUL »", "(enregistrement : INDIVIDU epp 48214 (RICHARD PA[U+200B]UL, ligne ")
    utf8 = eleves_xml(ELEVES.replace("MODÈLE  </NOM", "MO\u200bDÈLE  </NOM"), encodage="UTF-8").encode()
    message = _refus(lire_eleves, _ecrire(tmp_path, "ElevesSansAdresses.xml", utf8))
    _contient(message, "champ NOM_DE_FAMILLE", "MO[U+200B]DÈLE", "« MODÈLE »", "élève ELEVE_ID 700102")


def test_caractere_de_remplacement_et_controle(tmp_path: Path) -> None:
    octets = responsables_xml().replace("<PRENOM>Jean</PRENOM>", "<PRENOM>J\ufffdan</PRENOM>").encode(
        ISO, "xmlcharrefreplace")
    message = _refus(lire_responsables, _ecrire(tmp_path, "ResponsablesAvecAdresses.xml", octets))
    _contient(message, "champ PRENOM", "U+FFFD, caractère de remplacement", "ne peut pas être retrouvé",
              "responsable PERSONNE_ID 9002 (MODÈLE J[U+FFFD]an, ligne ")
    octets = eleves_xml(ELEVES.replace("LONDRES", "LON\x7fDRES")).encode(ISO)
    _contient(_refus(lire_eleves, _ecrire(tmp_path, "ElevesSansAdresses.xml", octets)), "champ VILLE_NAISS",
              "U+007F, caractère de contrôle « suppression » (DEL)", "« LONDRES »", "élève ELEVE_ID 700102")


def test_le_document_s3e_dit_de_relancer_la_synchronisation() -> None:
    contenu = eleves_xml(ELEVES.replace("Zoé", "Zo\u200bé")).encode(ISO, "xmlcharrefreplace")
    document = Document(nom="http://127.0.0.1:8081/0999001X/bee/eleves", ouvrir=lambda: io.BytesIO(contenu))
    message = _refus(lire_eleves, document)
    _contient(message, "Fichier « http://127.0.0.1:8081/0999001X/bee/eleves » : ligne ",
              "Corrigez ce champ dans SIECLE Base élèves en le retapant", "puis relancez la synchronisation")


@pytest.mark.parametrize(("eleve_id", "montre"), [("E1", "E1"), ("12A", "12A"), ("9" * 21, "9" * 21),
                                                  ("１２", "１２"), ("12 34", "12 34")])
def test_eleve_id_qui_n_est_pas_fait_de_1_a_20_chiffres(tmp_path: Path, eleve_id: str, montre: str) -> None:
    octets = eleves_xml(eleve(eleve_id, "DUPONT", "Léa"), options="", structures="").encode(ISO, "xmlcharrefreplace")
    message = _refus(lire_eleves, _ecrire(tmp_path, "ElevesSansAdresses.xml", octets))
    _contient(message, f"l'identifiant ELEVE_ID « {montre} » n'est pas un identifiant d'élève SIECLE (1 à 20 chiffres)",
              "(enregistrement : 1er élève du fichier (ligne ", "DUPONT Léa")


def test_eleve_id_des_structures_options_et_responsables(tmp_path: Path) -> None:
    structures = '<STRUCTURES_ELEVE ELEVE_ID="70010I"><STRUCTURE/></STRUCTURES_ELEVE>'
    octets = eleves_xml(structures=structures).encode(ISO)
    _contient(_refus(lire_eleves, _ecrire(tmp_path, "ElevesSansAdresses.xml", octets)),
              "l'identifiant ELEVE_ID « 70010I »", "STRUCTURES_ELEVE (ligne ")
    octets = responsables_xml().replace("<ELEVE_ID>700102</ELEVE_ID>", "<ELEVE_ID>7OO1O2</ELEVE_ID>", 1).encode(ISO)
    _contient(_refus(lire_responsables, _ecrire(tmp_path, "ResponsablesAvecAdresses.xml", octets)),
              "l'identifiant ELEVE_ID « 7OO1O2 »", "RESPONSABLE_ELEVE (ligne ")


@pytest.mark.parametrize("uai", ["123ABC", "0999001", "09990010", "0999001XY"])
def test_uai_qui_n_est_pas_7_chiffres_et_une_lettre(tmp_path: Path, uai: str) -> None:
    message = _refus(lire_eleves, _ecrire(tmp_path, "ElevesSansAdresses.xml", eleves_xml(uai=uai).encode(ISO)))
    _contient(message, f"le code de l'établissement (PARAMETRES/UAJ) « {uai.upper()} » n'est pas un UAI (7 chiffres et "
                       "une lettre, par exemple 0999001X)", "(enregistrement : PARAMETRES (ligne 3))")
    message = _refus(lire_sts, _ecrire(tmp_path, "sts_emp_0999001X_2025.xml", sts_xml(uai=uai).encode(ISO)))
    _contient(message, f"le code de l'établissement (PARAMETRES/UAJ@CODE) « {uai.upper()} » n'est pas un UAI",
              "(enregistrement : UAJ (ligne 4))", "STS-web")


def test_noms_de_plus_de_100_caracteres(tmp_path: Path) -> None:
    cent, cent_un = "A" * 100, "B" * 101
    lu = lire_eleves(_ecrire(tmp_path, "ElevesSansAdresses.xml", eleves_xml(
        eleve("1", cent, cent, NOM_USAGE=cent, PRENOM2=cent), options="", structures="").encode(ISO)))
    assert lu.eleves[0].nom_de_famille == cent
    for balise, libelle in (("NOM_DE_FAMILLE", "le nom de famille"), ("NOM_USAGE", "le nom d'usage"),
                            ("PRENOM", "le prénom"), ("PRENOM3", "le troisième prénom")):
        xml = eleve("1", "DUPONT", "Léa", **{"PRENOM2": "Zoé", "NOM_USAGE": "MARTIN", balise: cent_un})
        if balise in ("NOM_DE_FAMILLE", "PRENOM"):
            xml = xml.replace(f"<{balise}>{'DUPONT' if balise == 'NOM_DE_FAMILLE' else 'Léa'}</{balise}>", "", 1)
        message = _refus(lire_eleves, _ecrire(tmp_path, "ElevesSansAdresses.xml", eleves_xml(
            xml, options="", structures="").encode(ISO)))
        _contient(message, f"{libelle} ({balise}) a 101 caractères, plus que les 100 qu'un nom peut avoir : "
                           f"« {'B' * 40}… »", "(enregistrement : élève ELEVE_ID 1 (", "Corrigez la fiche de l'élève")
        assert "B" * 61 not in message  # the record names the pupil with a shortened name
    octets = responsables_xml().replace("<NOM>MODÈLE</NOM>", f"<NOM>{cent_un}</NOM>").encode(ISO)
    _contient(_refus(lire_responsables, _ecrire(tmp_path, "ResponsablesAvecAdresses.xml", octets)),
              "le nom (NOM) a 101 caractères", "responsable PERSONNE_ID 9002 (ligne ",
              "Corrigez la fiche du responsable dans SIECLE Base élèves")
    octets = sts_xml().replace("<NOM_USAGE>RICHARD</NOM_USAGE>", f"<NOM_USAGE>{cent_un}</NOM_USAGE>").encode(ISO)
    _contient(_refus(lire_sts, _ecrire(tmp_path, "sts_emp_0999001X_2025.xml", octets)),
              "le nom d'usage (NOM_USAGE) a 101 caractères", "INDIVIDU epp 48214 (",
              "Corrigez la fiche de cette personne dans STS-web")


def test_dates_de_naissance_invraisemblables(tmp_path: Path) -> None:
    l_an_prochain = date.today().year + 1
    for naissance, raison in (("31/12/1899", "est antérieure à 1900"),
                              (f"01/01/{l_an_prochain}", "est dans le futur (nous sommes le ")):
        octets = eleves_xml(eleve("5", "DUPONT", "Léa", DATE_NAISS=naissance), options="", structures="").encode(ISO)
        _contient(_refus(lire_eleves, _ecrire(tmp_path, "ElevesSansAdresses.xml", octets)),
                  f"la date de naissance (DATE_NAISS) « {naissance} » {raison}", "élève ELEVE_ID 5 (DUPONT Léa, ligne ")
    for naissance, raison in (("1899-12-31", "est antérieure à 1900"),
                              (f"{l_an_prochain}-01-01", "est dans le futur")):
        octets = sts_xml().replace("1975-01-02", naissance).encode(ISO)
        _contient(_refus(lire_sts, _ecrire(tmp_path, "sts_emp_0999001X_2025.xml", octets)),
                  f"la date de naissance (DATE_NAISSANCE) « {naissance} » {raison}", "INDIVIDU epp 48214 (RICHARD PAUL")
    octets = eleves_xml(eleve("5", DATE_NAISS="01/01/1900"), options="", structures="").encode(ISO)
    assert lire_eleves(_ecrire(tmp_path, "ElevesSansAdresses.xml", octets)).eleves[0].date_naissance == date(1900, 1, 1)


# --- where and when -----------------------------------------------------------------------------------------------


def test_un_element_qu_aucun_lecteur_ne_lit_n_est_pas_examine(tmp_path: Path) -> None:
    octets = eleves_xml().replace("<CODE_BOURSE>1</CODE_BOURSE>", "<CODE_BOURSE>1\u200b</CODE_BOURSE>").encode(
        ISO, "xmlcharrefreplace")
    assert len(lire_eleves(_ecrire(tmp_path, "ElevesSansAdresses.xml", octets)).eleves) == 4


def test_un_xml_mal_forme_plus_loin_est_signale_avant_le_texte_endommage(tmp_path: Path) -> None:
    octets = eleves_xml(ELEVES.replace("Zoé", "Zo\u200bé")).encode(ISO, "xmlcharrefreplace").replace(
        b"</BOURSES>", b"</BOURSE>")
    assert "le XML est mal formé" in _refus(lire_eleves, _ecrire(tmp_path, "ElevesSansAdresses.xml", octets))


def test_un_export_du_generateur_endommage_loin_dans_le_fichier(tmp_path: Path) -> None:
    """The generator's exports, in every encoding it writes, are read; damage far in a big file is found on
    its line."""
    ecole = generer("petit")
    for encodage in ("ISO-8859-15", "UTF-8", "UTF-8-BOM"):
        ecrits = ecrire_exports(ecole, tmp_path / encodage, encodage=encodage)
        assert len(charger_exports(ecrits.siecle_dossier, ecrits.sts).eleves) == len(ecole.eleves)
    octets = ecrire_document(ecole, FICHIER_ELEVES, tmp_path / "e.xml").read_bytes()
    assert len(octets) > 4 * 65536
    debut = octets.rindex(b"<PRENOM>") + len(b"<PRENOM>")
    prenom = octets[debut:octets.index(b"<", debut)].decode(ISO)
    abime = f"É{prenom}".encode()  # UTF-8 É: C3 89, read as ISO-8859-15 « Ã » and U+0089
    octets = octets[:debut] + abime + octets[debut + len(prenom.encode(ISO)):]
    message = _refus(lire_eleves, _ecrire(tmp_path, "ElevesSansAdresses.xml", octets))
    _contient(message, f"ligne {_ligne(octets, abime)}, champ PRENOM :", f"« {c.montrer(abime.decode(ISO))} »",
              f"ressemble à « É{prenom} » mal encodé")
