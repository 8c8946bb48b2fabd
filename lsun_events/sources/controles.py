"""Damaged or implausible texts of an export (SPEC §5 « Damaged or implausible sources are refused », R13).

Events are forever: a name read as « AÃ¯ssata » instead of « Aïssata » would be written, archived and sent
to LSU as a true change. So every text of an export is looked at before anything is saved, and a text that
looks damaged makes the whole source refused with a French message (see ``xml.FluxXml.elements``).

What is suspicious in one text (``examiner``, pure functions, each returns a ``Constat`` or ``None``):

* ``texte_mal_encode``: text that is valid UTF-8 once re-encoded in a single-byte encoding (Windows-1252,
  ISO-8859-15 or Latin-1: the one that explains the most characters, the file's declared one on a tie):
  UTF-8 bytes read as ISO-8859-15 give « AÃ¯ssata » for « Aïssata ». Only decodings that give a letter or
  sign names really use count
  (Latin, Greek, Cyrillic, Vietnamese letters, combining accents, punctuation, €…): « JOSÉ » followed by a
  non-breaking space is, byte for byte, the UTF-8 of the IPA letter « ɠ », and is not refused.
* ``controle_c1``: C1 control characters U+0080–U+009F, which no name contains: Windows-1252 bytes in a
  file declared ISO-8859-15 (byte 0x92 « ’ » becomes U+0092); the likely reading decodes them as
  Windows-1252.
* ``caractere_suspect``: other control characters (C0 but tab, line feed and carriage return — which XML
  refuses anyway — and DEL), U+FFFD (a conversion already lost the original character), bidirectional
  controls (U+202A–U+202E, U+2066–U+2069, marks U+200E, U+200F, U+061C), zero-width and other invisible
  format characters (U+200B–U+200D, U+2060–U+2064, U+FEFF, tag characters…).
  The soft hyphen U+00AD is refused too: it is invisible, so « DU\\u00adPONT » shows as « DUPONT » but
  differs from it (a false change for R13, a pupil nobody finds by name); a name never needs a hyphenation
  hint, and it comes from a copy-paste out of a word processor that the school can correct in SIECLE.

Reading stays fast: ``SondeOctets`` looks at the raw bytes as the parser reads them (a translation table,
one ``bytes.find`` and, for single-byte encodings, one UTF-8 decoding per 64 KB chunk) and notes the lines
where something might be wrong; only the records on those lines are examined text by text.

Identifiers and values (SPEC §5): ``ELEVE_ID`` is 1–20 ASCII digits, a UAI 7 digits and a letter, a name at
most 100 characters, a birth date from 1900 to today (checked by the readers, ``siecle.py`` and ``sts.py``).
"""

from __future__ import annotations

import codecs
import re
import unicodedata
from collections import deque
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING

from lsun_events.aggregates.normalisation import normaliser_texte

if TYPE_CHECKING:
    from lxml import etree

# --- what is suspicious ------------------------------------------------------------------------------------

_BIDI = frozenset((0x061C, 0x200E, 0x200F, *range(0x202A, 0x202F), *range(0x2066, 0x206A)))
_INVISIBLES = ("\u00ad\u180e\u200b-\u200d\u2060-\u2064\u206a-\u206f\ufeff\ufff9-\ufffb"
               "\U0001bca0-\U0001bca3\U0001d173-\U0001d17a\U000e0001\U000e0020-\U000e007f")
_CONTROLES_C0 = "\x00-\x08\x0b\x0c\x0e-\x1f\x7f"
_SUSPECTS = f"{_CONTROLES_C0}\x80-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069{_INVISIBLES}\ufffd"
_SUSPECT = re.compile(f"[{_SUSPECTS}]")
_SUSPECT_NON_C1 = re.compile(f"[{_CONTROLES_C0}\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069{_INVISIBLES}\ufffd]")
_C1 = re.compile("[\x80-\x9f]")

NOMS_CARACTERES = {
    0x0000: "caractère nul",
    0x007F: "caractère de contrôle « suppression » (DEL)",
    0x00AD: "trait d'union conditionnel (invisible)",
    0x061C: "marque de lettre arabe (direction du texte, invisible)",
    0x180E: "séparateur de voyelles mongol (invisible)",
    0x200B: "espace sans chasse (invisible)",
    0x200C: "antiliant sans chasse (invisible)",
    0x200D: "liant sans chasse (invisible)",
    0x200E: "marque de gauche à droite (direction du texte, invisible)",
    0x200F: "marque de droite à gauche (direction du texte, invisible)",
    0x202A: "enchâssement de gauche à droite",
    0x202B: "enchâssement de droite à gauche",
    0x202C: "dépilement de formatage directionnel",
    0x202D: "forçage de gauche à droite",
    0x202E: "forçage de droite à gauche",
    0x2060: "gluon de mots (invisible)",
    0x2061: "application de fonction (invisible)",
    0x2062: "multiplication invisible",
    0x2063: "séparateur invisible",
    0x2064: "plus invisible",
    0x2066: "isolat de gauche à droite",
    0x2067: "isolat de droite à gauche",
    0x2068: "isolat à direction du premier caractère",
    0x2069: "fin d'isolat directionnel",
    0xFEFF: "indicateur d'ordre des octets (espace insécable sans chasse, invisible)",
    0xFFFD: "caractère de remplacement",
}


def nom_caractere(caractere: str) -> str:
    """« U+202E, forçage de droite à gauche »: the code point and its French name."""
    code = ord(caractere)
    nom = NOMS_CARACTERES.get(code)
    if nom is None:
        if code < 0x20:
            nom = "caractère de contrôle"
        elif 0x80 <= code <= 0x9F:
            nom = "caractère de contrôle C1"
        elif 0xE0000 <= code <= 0xE007F:
            nom = "étiquette Unicode (invisible)"
        else:
            nom = "caractère de mise en forme invisible"
    return f"U+{code:04X}, {nom}"


def montrer(texte: str, position: int | None = None, limite: int = 80, *, espaces: bool = True) -> str:
    """``texte`` as a message may show it: suspicious characters written ``[U+202E]`` (a bidi override in an
    error would turn the message itself around), white space collapsed (or, ``espaces=False``, every
    character but the ordinary space written ``[U+00A0]``), at most ``limite`` characters (around
    ``position`` when given)."""
    if len(texte) > limite:
        debut = 0 if position is None else max(0, min(position - limite // 2, len(texte) - limite))
        texte = ("…" if debut else "") + texte[debut:debut + limite] + ("…" if debut + limite < len(texte) else "")
    if not espaces:
        return "".join(f"[U+{ord(c):04X}]" if (c.isspace() and c != " ") or _SUSPECT.match(c) else c for c in texte)
    return " ".join(_SUSPECT.sub(lambda m: f"[U+{ord(m.group()):04X}]", texte).split())


# --- findings -------------------------------------------------------------------------------------------------

ENCODAGE = "encodage"  # UTF-8 read as a single-byte encoding
CONTROLE_C1 = "controle_c1"
CONTROLE = "controle"
REMPLACEMENT = "remplacement"
BIDI = "bidi"
INVISIBLE = "invisible"


@dataclass(frozen=True)
class Constat:
    """What is wrong with one text: ``nature`` (one of the constants above), the suspicious character or
    characters as found, their position in the text, the likely reading of the whole text (``None`` when it
    cannot be known) and, for encoding damage, the encoding the UTF-8 bytes were read in."""

    nature: str
    suspect: str
    position: int
    lecture: str | None
    encodage: str | None = None

    def decrire(self, texte: str, encodage_declare: str | None = None) -> str:
        """The French sentence of the message: the text, what is wrong, its likely reading."""
        montre = montrer(texte, self.position)
        if self.nature == ENCODAGE:
            lu = _NOMS_ENCODAGES.get(self.encodage or "", self.encodage)
            suspect, vrai = montrer(self.suspect, espaces=False), montrer(_utf8(self.suspect, self))
            return (f"le texte « {montre} » ressemble à « {montrer(self.lecture or '')} » mal encodé "
                    f"(« {suspect} » est l'écriture UTF-8 de « {vrai} » lue en {lu}) : le fichier a sans doute "
                    "été converti ou réenregistré")
        caractere = f"le caractère {nom_caractere(self.suspect)}"
        if self.nature == CONTROLE_C1:
            origine = (f"des octets Windows-1252 dans un fichier déclaré {encodage_declare}" if encodage_declare
                       else "des octets Windows-1252 lus dans un autre encodage")
            if self.lecture is None:
                return f"le texte « {montre} » contient {caractere}, qu'aucun nom ne contient ({origine})"
            return (f"le texte « {montre} » contient {caractere} : c'est sans doute « {montrer(self.lecture)} » "
                    f"({origine})")
        if self.nature == REMPLACEMENT:
            return (f"le texte « {montre} » contient {caractere} : une conversion d'encodage a déjà perdu le "
                    "caractère d'origine, qui ne peut pas être retrouvé")
        lecture = f"« {montrer(self.lecture)} »" if self.lecture else "vide"
        genre = {BIDI: "qui change le sens d'affichage du texte",
                 INVISIBLE: "invisible à l'écran mais qui rend le texte différent de ce qu'il paraît",
                 CONTROLE: "qu'aucun nom ni code ne contient"}[self.nature]
        return f"le texte « {montre} » contient {caractere}, {genre} ; sans ce caractère il se lit {lecture}"


def _utf8(suspect: str, constat: Constat) -> str:
    octets = bytes(_VERS_OCTET[constat.encodage or "latin-1"][c] for c in suspect)
    return octets.decode("utf-8", "replace")


def examiner(texte: str, encodage: str | None = None) -> Constat | None:
    """The first thing wrong with ``texte`` (raw, as the parser gives it), or ``None``. ``encodage`` is the
    one the file declares. Ordinary text costs one regular-expression search."""
    if _PREFILTRE.search(texte) is None:
        return None
    return texte_mal_encode(texte, encodage) or controle_c1(texte) or caractere_suspect(texte)


# --- UTF-8 read as a single-byte encoding -------------------------------------------------------------------

_CANDIDATS = ("cp1252", "iso8859-15", "latin-1")
_NOMS_ENCODAGES = {"cp1252": "Windows-1252", "iso8859-15": "ISO-8859-15", "latin-1": "ISO-8859-1"}


def _tables(encodage: str) -> tuple[dict[str, int], dict[int, str]]:
    """Character ↔ byte for the bytes 0x80–0xFF of a single-byte encoding (a byte Windows-1252 leaves
    undefined reads as the C1 character of the same number, as Latin-1 does)."""
    vers_car = {}
    for octet in range(0x80, 0x100):
        try:
            vers_car[octet] = bytes([octet]).decode(encodage)
        except UnicodeDecodeError:
            vers_car[octet] = chr(octet)
    return {c: o for o, c in vers_car.items()}, vers_car


_VERS_OCTET: dict[str, dict[str, int]] = {}
_VERS_CAR: dict[str, dict[int, str]] = {}
_SUITES: dict[str, re.Pattern[str]] = {}  # runs of characters that come from bytes 0x80–0xFF
for _nom in _CANDIDATS:
    _VERS_OCTET[_nom], _VERS_CAR[_nom] = _tables(_nom)
    _SUITES[_nom] = re.compile("[" + re.escape("".join(_VERS_OCTET[_nom])) + "]{2,}")
# a character a UTF-8 continuation byte (0x80–0xBF) becomes in one of the candidates
_CONTINUATIONS = "".join(sorted({_VERS_CAR[n][o] for n in _CANDIDATS for o in range(0x80, 0xC0)}))
_PREFILTRE = re.compile(f"[{_SUSPECTS}]|[\u00c2-\u00f4][{re.escape(_CONTINUATIONS)}]")
_SEQUENCE_UTF8 = re.compile(rb"[\xc2-\xdf][\x80-\xbf]|[\xe0-\xef][\x80-\xbf]{2}|[\xf0-\xf4][\x80-\xbf]{3}")


_LATIN_B = frozenset((0x18F, 0x1A0, 0x1A1, 0x1AF, 0x1B0, *range(0x218, 0x21C), 0x259))
# what UTF-8 damage of French text gives most often: « Ã© », « Å“ », « â€™ »; enough alone, even in a text
# that also holds correct accented letters
_COURANTS = frozenset((*range(0xA0, 0x100), 0x152, 0x153, 0x160, 0x161, 0x178, 0x17D, 0x17E, 0x2013, 0x2014,
                       *range(0x2018, 0x201F), 0x2026, 0x20AC))


def _plausible(caractere: str, precedent: str) -> bool:
    """A character a name, a code or a libellé can hold (after ``precedent``): what UTF-8 damage hides."""
    code = ord(caractere)
    if 0x300 <= code <= 0x36F:  # a combining accent (decomposed text) composes with the letter before it
        return bool(precedent) and len(unicodedata.normalize("NFC", precedent + caractere)) == 1
    return (0xA0 <= code <= 0x17F  # Latin-1 letters and signs, Latin Extended-A (Ł, Ś, Č, Ő…)
            or code in _LATIN_B  # Ơ, Ư (Vietnamese), Ș, Ț (Romanian), Ə
            or 0x386 <= code <= 0x3CE or 0x400 <= code <= 0x45F  # Greek, Cyrillic
            or 0x1E00 <= code <= 0x1EFF  # Latin Extended Additional (Vietnamese)
            or 0x2010 <= code <= 0x2027 or 0x2030 <= code <= 0x205E  # dashes, quotes, …, ‰, ‹ ›
            or 0x20A0 <= code <= 0x20CF or 0x2100 <= code <= 0x214F)  # €, ™, №


def _relire(texte: str, encodage: str) -> tuple[str, str, int, int] | None:
    """``texte`` with its UTF-8 sequences (read as ``encodage``) decoded: (reading, first suspicious
    characters, their position, how many characters were decoded), or ``None`` when there is none or when
    the text does not look damaged.

    A sequence counts when it decodes to a plausible character; one whose continuation byte is 0xA0 (a
    non-breaking space after « Ä », « È »…) only when it decodes to a common one (« Ã\u00a0 » is « à »).
    The text looks damaged when all its non-ASCII characters (but spaces) are in such sequences, or when one
    of them is a common damage (« Ã© », « Å“ », « â€™ »)."""
    vers_octet, vers_car = _VERS_OCTET[encodage], _VERS_CAR[encodage]
    morceaux: list[str] = []
    fin = 0
    premier: tuple[str, int] | None = None
    couverts = 0  # non-space characters inside accepted sequences
    courant = False  # one accepted sequence is a common damage
    for suite in _SUITES[encodage].finditer(texte):
        octets = bytes(vers_octet[c] for c in suite.group())
        relue: list[str] = []
        i = 0
        for sequence in _SEQUENCE_UTF8.finditer(octets):
            try:
                caractere = sequence.group().decode("utf-8")
            except UnicodeDecodeError:  # overlong form, surrogate, beyond U+10FFFF
                continue
            debut = sequence.start()
            if i == debut and relue:
                precedent = relue[-1]
            elif debut:
                precedent = vers_car[octets[debut - 1]]
            else:
                precedent = texte[suite.start() - 1:suite.start()]
            code = ord(caractere)
            nbsp = len(sequence.group()) == 2 and sequence.group()[1] == 0xA0
            if not _plausible(caractere, precedent) or (nbsp and code not in _COURANTS):
                continue
            lus = [vers_car[o] for o in sequence.group()]
            courant = courant or (code in _COURANTS and not nbsp)
            couverts += sum(1 for c in lus if not c.isspace())
            relue += [vers_car[o] for o in octets[i:debut]]
            relue.append(caractere)
            if premier is None:
                premier = ("".join(lus), suite.start() + debut)
            i = sequence.end()
        if i:
            relue += [vers_car[o] for o in octets[i:]]
            morceaux += [texte[fin:suite.start()], "".join(relue)]
            fin = suite.end()
    if premier is None:
        return None
    if not courant and sum(1 for c in texte if not c.isascii() and not c.isspace()) > couverts:
        return None  # other accented letters stand alone: a real text, not UTF-8 read byte by byte
    morceaux.append(texte[fin:])
    return normaliser_texte("".join(morceaux)), premier[0], premier[1], couverts


def _candidats(encodage: str | None) -> tuple[str, ...]:
    if encodage:
        try:
            nom = codecs.lookup(encodage).name
        except LookupError:
            nom = ""
        nom = {"iso8859-1": "latin-1"}.get(nom, nom)
        if nom in _CANDIDATS:
            return (nom, *(c for c in _CANDIDATS if c != nom))
    return _CANDIDATS


# letters and signs names hardly hold: between two readings that explain as many characters (« StraÃŸe » is
# « Straße » read as Windows-1252 and « Straþe » read as ISO-8859-15), the one without them wins
_RARES = frozenset("þ¤¦¨´¸¹²³¼½¾µ¶¬¯±×÷ÌÒ")


def texte_mal_encode(texte: str, encodage: str | None = None) -> Constat | None:
    """UTF-8 bytes read in a single-byte encoding: « AÃ¯ssata » → Constat(lecture « Aïssata »). The
    encoding that explains the most characters wins, then the one whose reading has no rare letter, then the
    declared one: « Ã‰ » is « É » read as Windows-1252, whatever the file declares."""
    meilleur: tuple[str, str, int, int] | None = None
    lu_en = None
    score = (0, 0)
    for candidat in _candidats(encodage):
        relu = _relire(texte, candidat)
        if relu is None:
            continue
        score_candidat = (relu[3], -sum(1 for x in relu[0] if x in _RARES))
        if meilleur is None or score_candidat > score:
            meilleur, lu_en, score = relu, candidat, score_candidat
    if meilleur is None:
        return None
    return Constat(ENCODAGE, meilleur[1], meilleur[2], meilleur[0], lu_en)


# --- control and invisible characters ------------------------------------------------------------------------


def controle_c1(texte: str) -> Constat | None:
    """A C1 control character; the likely reading decodes each as the Windows-1252 byte of the same
    number (U+0092 → ’, U+009C → œ), ``None`` when Windows-1252 leaves that byte undefined."""
    trouve = _C1.search(texte)
    if trouve is None:
        return None
    relu: list[str] = []
    for caractere in texte:
        if "\x80" <= caractere <= "\x9f":
            try:
                relu.append(bytes([ord(caractere)]).decode("cp1252"))
            except UnicodeDecodeError:
                return Constat(CONTROLE_C1, trouve.group(), trouve.start(), None)
        else:
            relu.append(caractere)
    return Constat(CONTROLE_C1, trouve.group(), trouve.start(), normaliser_texte("".join(relu)))


def caractere_suspect(texte: str) -> Constat | None:
    """A control character (but C1), U+FFFD, a bidirectional control or an invisible character; the likely
    reading is the text without them (none for U+FFFD: what it replaced is lost)."""
    trouve = _SUSPECT_NON_C1.search(texte)
    if trouve is None:
        return None
    caractere = trouve.group()
    code = ord(caractere)
    if code == 0xFFFD:
        return Constat(REMPLACEMENT, caractere, trouve.start(), None)
    nature = BIDI if code in _BIDI else CONTROLE if code < 0x20 or code == 0x7F else INVISIBLE
    return Constat(nature, caractere, trouve.start(), normaliser_texte(_SUSPECT_NON_C1.sub("", texte)))


# --- the cheap look at the raw bytes --------------------------------------------------------------------------

_BOM = b"\xef\xbb\xbf"
_FAMILLES = {"iso8859-15": "octet", "iso8859-1": "octet", "latin-1": "octet", "cp1252": "octet",
             "ascii": "octet", "utf-8": "utf8"}


def _table(suspects: bytes) -> bytes:
    """Translation table: each byte of ``suspects`` becomes ``!``, every other byte ``.``."""
    return bytes(0x21 if octet in suspects else 0x2E for octet in range(256))


_AMP = b"&"  # a character reference can write any character
_TABLES = {
    # single-byte: DEL, C1 (ISO-8859-15/Latin-1), soft hyphen; UTF-8 sequences are found by decoding
    "octet": _table(bytes((0x7F, *range(0x80, 0xA0), 0xAD)) + _AMP),
    "cp1252": _table(bytes((0x7F, 0x81, 0x8D, 0x8F, 0x90, 0x9D, 0xAD)) + _AMP),
    # UTF-8: the lead bytes of U+0080–U+00BF (C1, soft hyphen, what continuation bytes read as Latin-1 become),
    # of Œ œ Š š Ž ž Ÿ ƒ ˆ ˜ (continuation bytes read as Windows-1252), U+0600–U+06FF, U+1000–U+1FFF,
    # U+2000–U+2FFF (bidi, zero width), U+F000–U+FFFF (U+FEFF, U+FFFD), the supplementary planes
    "utf8": _table(bytes((0x7F, 0xC2, 0xC5, 0xC6, 0xCB, 0xD8, 0xE1, 0xE2, 0xEF, 0xF0, 0xF3)) + _AMP),
}


class SondeOctets:
    """Looks at the bytes of a document as they are read and keeps, in ``lignes``, the lines where a
    suspicious byte sequence starts (in order). ``tout`` when the encoding is one it cannot read cheaply
    (UTF-16…): then every record is examined."""

    def __init__(self, famille: str) -> None:
        self.tout = famille == "tout"
        self.lignes: deque[int] = deque()
        self._table = _TABLES.get(famille)
        self._decoder = famille in ("octet", "cp1252")  # look for UTF-8 sequences too
        self._reste = b""  # the end of the previous chunk: a sequence may straddle two chunks
        self._premier = True

    @classmethod
    def pour(cls, encodage: str | None, debut: bytes) -> SondeOctets:
        """The probe for a document whose declaration names ``encodage`` and that starts with ``debut``."""
        if debut.startswith((b"\xff\xfe", b"\xfe\xff")) or b"\x00" in debut[:4]:
            return cls("tout")  # UTF-16 or UTF-32
        if encodage is None:
            return cls("utf8")
        try:
            nom = codecs.lookup(encodage).name
        except LookupError:
            return cls("tout")
        return cls("cp1252" if nom == "cp1252" else _FAMILLES.get(nom, "tout"))

    def examiner(self, morceau: bytes, ligne: int) -> None:
        """Note the suspicious lines of ``morceau``, which starts on line ``ligne``."""
        if self._table is None or self.tout or not morceau:
            return
        debut = 0
        if self._premier:
            self._premier = False
            debut = 3 if morceau.startswith(_BOM) else 0
            if b"\r" in morceau and b"\n" not in morceau:  # old Mac line ends: libxml2 counts no line
                self.tout = True
                return
        positions: list[int] = []
        marques = morceau.translate(self._table)
        i = marques.find(b"!", debut)
        while i >= 0:
            if morceau[i] != 0x26 or morceau[i + 1:i + 2] in (b"#", b""):  # "&" counts only as "&#"
                positions.append(i)
            i = marques.find(b"!", i + 1)
        if self._decoder:
            if not morceau.decode("utf-8", "ignore").isascii():
                positions += [m.start() for m in _SEQUENCE_UTF8.finditer(morceau)]
            reste = self._reste
            if reste and any(m.start() < len(reste) < m.end() for m in _SEQUENCE_UTF8.finditer(reste + morceau[:3])):
                positions.append(0)  # a sequence straddles the two chunks (it holds no line feed)
            self._reste = morceau[-3:]
        if positions:
            self.lignes.extend(sorted({ligne + morceau.count(b"\n", 0, p) for p in positions}))

    def concerne(self, fin: int) -> bool:
        """Whether a record that ends on line ``fin`` must be examined; forgets the lines before ``fin``
        (they belong to records already handed out, or to elements no reader asks for)."""
        if self.tout:
            return True
        lignes = self.lignes
        if not lignes or lignes[0] > fin:
            return False
        while lignes and lignes[0] < fin:
            lignes.popleft()
        return True


def derniere_ligne(element: etree._Element) -> int:
    """The last line of the text of ``element`` and its descendants (its last descendant's start tag line,
    plus the lines its text spans)."""
    dernier = element
    while len(dernier):
        dernier = dernier[-1]
    ligne = dernier.sourceline or 0
    texte = dernier.text
    return ligne + texte.count("\n") if texte else ligne


# --- naming the record ------------------------------------------------------------------------------------------


def _valeur(element: etree._Element, nom: str) -> str | None:
    valeur = element.get(nom)
    if valeur is None:
        enfant = element.find(nom)
        valeur = enfant.text if enfant is not None else None
    valeur = normaliser_texte(valeur) if valeur else None
    return montrer(valeur, limite=40) if valeur else None


def _identite(element: etree._Element, *noms: str) -> str:
    nom = next((v for n in noms if (v := _valeur(element, n))), None)
    return " ".join(v for v in (nom, _valeur(element, "PRENOM")) if v)


def decrire_enregistrement(element: etree._Element) -> str:
    """How an error names the record ``element`` (an element handed out by ``FluxXml.elements``), the way
    the readers name theirs: « élève ELEVE_ID 1234 (DUPONT Marie, ligne 12) », « INDIVIDU epp 48213 (…) »."""
    tag = element.tag.rsplit("}", 1)[-1] if isinstance(element.tag, str) else "?"
    ligne = f"ligne {element.sourceline}" if element.sourceline else ""

    def avec(identite: str = "") -> str:
        details = ", ".join(v for v in (identite, ligne) if v)
        return f" ({details})" if details else ""

    def ident(nom: str) -> str:
        valeur = _valeur(element, nom)
        return f" {nom} {valeur}" if valeur else ""

    if tag == "ELEVE":
        return f"élève{ident('ELEVE_ID')}{avec(_identite(element, 'NOM_DE_FAMILLE', 'NOM'))}"
    if tag == "OPTION":
        return f"options de l'élève{ident('ELEVE_ID')}{avec()}"
    if tag == "STRUCTURES_ELEVE":
        return f"divisions et groupes de l'élève{ident('ELEVE_ID')}{avec()}"
    if tag == "PERSONNE":
        return f"responsable{ident('PERSONNE_ID')}{avec(_identite(element, 'NOM_USAGE', 'NOM_DE_FAMILLE', 'NOM'))}"
    if tag == "RESPONSABLE_ELEVE":
        return f"lien entre l'élève{ident('ELEVE_ID')} et le responsable{ident('PERSONNE_ID')}{avec()}"
    if tag == "ADRESSE":
        return f"adresse{ident('ADRESSE_ID')}{avec()}"
    if tag in ("INDIVIDU", "SUPPLEANT"):
        quoi = " ".join(v for v in (_valeur(element, "TYPE"), _valeur(element, "ID")) if v)
        return f"{tag}{' ' + quoi if quoi else ''}{avec(_identite(element, 'NOM_USAGE', 'NOM_PATRONYMIQUE'))}"
    libelles = {"DIVISION": "division", "GROUPE": "groupe", "MATIERE": "matière", "MEF": "MEF",
                "MODALITE_ELECTION": "modalité d'élection"}
    if tag in libelles:
        code = next((v for n in ("CODE", "CODE_STRUCTURE", "CODE_MATIERE", "CODE_MEF", "CODE_MODALITE_ELECT")
                     if (v := _valeur(element, n))), None)
        return f"{libelles[tag]}{' ' + code if code else ''}{avec()}"
    if tag == "PARAMETRES":
        return f"paramètres de l'export (PARAMETRES{', ' + ligne if ligne else ''})"
    if tag == "UAJ":
        return f"établissement (UAJ{', ' + ligne if ligne else ''})"
    attributs = " ".join(f"{n} {v}" for n in list(element.attrib)[:2] if (v := _valeur(element, n)))
    return f"{tag}{' ' + attributs if attributs else ''}{avec()}"


# --- identifiers and values (SPEC §5) ---------------------------------------------------------------------------

LONGUEUR_MAX_NOM = 100
NAISSANCE_MIN = date(1900, 1, 1)
_UAI = re.compile(r"[0-9]{7}[A-Za-z]")


def eleve_id_valide(valeur: str) -> bool:
    """An ``ELEVE_ID`` is 1 to 20 ASCII digits."""
    return len(valeur) <= 20 and valeur.isascii() and valeur.isdigit()


def uai_valide(valeur: str) -> bool:
    """A UAI is 7 digits and a letter (``0999001X``)."""
    return _UAI.fullmatch(valeur) is not None


def nom_trop_long(valeur: str) -> bool:
    """A name (nom, prénom) is at most 100 characters."""
    return len(valeur) > LONGUEUR_MAX_NOM


def probleme_nom_trop_long(libelle: str, balise: str, valeur: str) -> str:
    return (f"{libelle} ({balise}) a {len(valeur)} caractères, plus que les {LONGUEUR_MAX_NOM} qu'un nom peut "
            f"avoir : « {montrer(valeur, limite=40)} »")


def probleme_date_naissance(naissance: date, balise: str, telle_quelle: str,
                            aujourd_hui: date | None = None) -> str | None:
    """Why a birth date cannot be true (before 1900, after today), or ``None``."""
    aujourd_hui = aujourd_hui or date.today()
    if NAISSANCE_MIN <= naissance <= aujourd_hui:
        return None
    if naissance < NAISSANCE_MIN:
        raison = "est antérieure à 1900"
    else:
        raison = f"est dans le futur (nous sommes le {aujourd_hui.strftime('%d/%m/%Y')})"
    return f"la date de naissance ({balise}) « {telle_quelle} » {raison} : elle ne peut pas être juste"
