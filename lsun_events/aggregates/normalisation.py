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
