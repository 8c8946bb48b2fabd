"""A tiny streaming XML writer: exact control of the prolog, indentation and empty elements, little memory.

Text goes through a ``TextIOWrapper`` whose ``xmlcharrefreplace`` turns characters the encoding lacks into
character references, as an XML serialiser must.
"""

from __future__ import annotations

import io
from typing import BinaryIO

ENCODAGES = {  # name accepted by the writers → (Python codec, declared encoding, BOM)
    "ISO-8859-15": ("iso8859_15", "ISO-8859-15", b""),
    "UTF-8": ("utf-8", "UTF-8", b""),
    "UTF-8-BOM": ("utf-8", "UTF-8", b"\xef\xbb\xbf"),
}

_TEXTE = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;"})
_ATTRIBUT = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;"})


def encodage_connu(encodage: str) -> tuple[str, str, bytes]:
    try:
        return ENCODAGES[encodage.upper()]
    except KeyError:
        raise ValueError(f"encodage inconnu : {encodage!r} (attendu {', '.join(ENCODAGES)})") from None


class EcrivainXml:
    """Writes one document: ``ouvrir``/``fermer`` containers, ``feuille`` text elements, ``vide`` elements."""

    def __init__(self, flux: BinaryIO, encodage: str, *, vide_court: bool = False) -> None:
        codec, declare, bom = encodage_connu(encodage)
        flux.write(bom)
        self._texte = io.TextIOWrapper(flux, encoding=codec, errors="xmlcharrefreplace", newline="\n",
                                       write_through=False)
        self._pile: list[str] = []
        self._tampon: list[str] = [f'<?xml version="1.0" encoding="{declare}"?>\n']
        self._vide_court = vide_court  # <X/> (STS style) rather than <X></X> (BEE style)

    def _marge(self) -> str:
        return "  " * len(self._pile)

    @staticmethod
    def _attributs(attributs: dict[str, str] | None) -> str:
        if not attributs:
            return ""
        return "".join(f' {nom}="{valeur.translate(_ATTRIBUT)}"' for nom, valeur in attributs.items())

    def ouvrir(self, balise: str, attributs: dict[str, str] | None = None) -> None:
        self._tampon.append(f"{self._marge()}<{balise}{self._attributs(attributs)}>\n")
        self._pile.append(balise)

    def fermer(self) -> None:
        balise = self._pile.pop()
        self._tampon.append(f"{self._marge()}</{balise}>\n")
        if len(self._tampon) > 2048:
            self.vider()

    def feuille(self, balise: str, texte: str | None, attributs: dict[str, str] | None = None) -> None:
        if not texte:
            self.vide(balise, attributs)
            return
        self._tampon.append(
            f"{self._marge()}<{balise}{self._attributs(attributs)}>{texte.translate(_TEXTE)}</{balise}>\n")

    def feuilles(self, *paires: tuple[str, str | None], omettre_vides: bool = False) -> None:
        for balise, texte in paires:
            if texte or not omettre_vides:
                self.feuille(balise, texte)

    def vide(self, balise: str, attributs: dict[str, str] | None = None) -> None:
        attrs = self._attributs(attributs)
        if self._vide_court:
            self._tampon.append(f"{self._marge()}<{balise}{attrs}/>\n")
        else:
            self._tampon.append(f"{self._marge()}<{balise}{attrs}></{balise}>\n")

    def vider(self) -> None:
        self._texte.write("".join(self._tampon))
        self._tampon.clear()

    def terminer(self) -> None:
        if self._pile:
            raise RuntimeError(f"éléments non fermés : {self._pile}")
        self.vider()
        self._texte.flush()
        self._texte.detach()
