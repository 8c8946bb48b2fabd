"""What makes two texts the same datum (SPEC R13): Unicode NFC, no leading or trailing space, inner runs of
whitespace collapsed to one space. The sources normalise every text they read with it, and the domain's
values compare with it, so that a value stored before normalisation existed still equals its re-export."""

from __future__ import annotations

import unicodedata


def normaliser_texte(texte: str) -> str:
    """NFC, stripped, inner whitespace runs collapsed (``"  Marie\\u00a0 claire "`` → ``"Marie claire"``)."""
    if texte.isascii():
        return " ".join(texte.split()) if ("  " in texte or not texte.isprintable()
                                            or texte[:1].isspace() or texte[-1:].isspace()) else texte
    return " ".join(unicodedata.normalize("NFC", texte).split())


_UN_OCTET = ("iso-8859-15", "cp1252", "latin-1")  # the single-byte encodings exports are written in
_NOMS_ENCODAGES = {"utf-8": "UTF-8", "cp1252": "Windows-1252", "iso-8859-15": "ISO-8859-15",
                   "latin-1": "ISO-8859-1"}


def lecture_erronee(ancien: str, nouveau: str) -> tuple[str, str] | None:
    """When ``nouveau`` is ``ancien`` mis-decoded — its bytes in one encoding read as a single-byte other one
    (UTF-8 read as ISO-8859-15: « Aïssata » → « AÃ¯ssata »; ISO-8859-15 read as Windows-1252: « Cœur » →
    « C½ur ») — the French names of (written in, read as); else ``None``."""
    if ancien == nouveau or ancien.isascii():
        return None
    for ecrit in ("utf-8", *_UN_OCTET):
        try:
            octets = ancien.encode(ecrit)
        except UnicodeEncodeError:
            continue
        for lu in _UN_OCTET:
            if lu == ecrit:
                continue
            try:
                if octets.decode(lu) == nouveau:
                    return _NOMS_ENCODAGES[ecrit], _NOMS_ENCODAGES[lu]
            except UnicodeDecodeError:
                continue
    return None
