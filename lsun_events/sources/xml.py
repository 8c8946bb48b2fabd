"""The one safe XML parser of the sources: streaming, no DTD, no entity, no network.

Every export (SIECLE/BEE, STS-web, S3E answer) is read through ``ouvrir_xml``:

* lxml ``iterparse`` with ``resolve_entities=False``, ``no_network=True``, ``load_dtd=False`` and
  ``huge_tree=False``; a document carrying a DOCTYPE is refused outright (an export never has one:
  it is an attack — external entity, entity expansion — or a wrong file);
* the encoding is the one the XML declaration names (ISO-8859-15, ISO-8859-1, UTF-8 with or without
  BOM…); an encoding nobody knows is a clear error;
* elements are handed out one by one at chosen paths and cleared afterwards, so a 50 MB export stays
  small in memory;
* malformed or truncated XML becomes a ``SourceInvalideError`` in French with the line number;
* a record whose text looks damaged (encoding damage, control, bidirectional or invisible characters,
  see ``controles``) is refused, naming the file, the line, the field, the record, the suspicious text and
  its likely reading; the raw bytes are probed as they are read, so that only the records on suspicious
  lines are examined text by text.
"""

from __future__ import annotations

import codecs
import re
import zipfile
from collections.abc import Callable, Collection, Iterator
from contextlib import contextmanager
from datetime import date
from functools import lru_cache
from typing import BinaryIO

from lxml import etree

from lsun_events.aggregates.normalisation import normaliser_texte
from lsun_events.sources.controles import (
    CONTROLE_C1,
    ENCODAGE,
    REMPLACEMENT,
    Constat,
    SondeOctets,
    decrire_enregistrement,
    derniere_ligne,
    examiner,
)
from lsun_events.sources.documents import Document
from lsun_events.sources.erreurs import SourceInvalideError

TAILLE_SONDE = 512  # bytes read ahead to find the XML declaration
AVANCE_MAX = 1024 * 1024  # bytes read ahead to find the root element, at most (else: the element-by-element way)
ELAGAGE = 4 * 1024 * 1024  # bytes read between two prunings of the elements no reader asked for
_DECLARATION = re.compile(rb"^<\?xml\s[^>]*?encoding\s*=\s*[\"']([^\"']*)[\"']")
_BOM_UTF8 = b"\xef\xbb\xbf"
_SUFFIXE_POSITION = re.compile(r",\s*line \d+, column \d+\s*$")
_ENTITE_NON_DECLAREE = re.compile(r"Entity '([^']{1,80})' not defined")
_ERR_TAG_NOT_FINISHED = 77  # libxml2: "Premature end of data in tag …"

CORRECTION_REEXPORTER = (
    "Le fichier a sans doute été modifié ou mal téléchargé : exportez-le de nouveau depuis "
    "l'application d'origine (SIECLE ou STS-web) et utilisez-le sans l'ouvrir ni le réenregistrer"
)


class _Flux:
    """The document's byte stream as lxml reads it: the bytes sniffed for the declaration first,
    then the rest; counts lines and remembers whether the end was reached (to tell a truncated
    file from a malformed one)."""

    def __init__(self, brut: BinaryIO, debut: bytes, sonde: SondeOctets) -> None:
        self._brut = brut
        self._debut = debut
        self.sonde = sonde  # notes the lines where the bytes look suspicious
        self.lignes = 1
        self.octets = 0
        self.vide = True  # nothing but blanks (and a BOM) so far
        self.fin_atteinte = False
        self.elaguer: Callable[[], None] | None = None  # called every ELAGAGE bytes (memory of unread elements)
        self._depuis_elagage = 0

    def lire_en_avance(self, taille: int) -> bytes:
        """``taille`` more bytes read from the source and kept to be read again (by ``read``) from the start:
        what has been read in advance so far, whole."""
        morceau = self._brut.read(taille)
        self._debut += morceau
        return morceau

    def deja_lu(self) -> bytes:
        return self._debut

    def read(self, taille: int = -1) -> bytes:
        if self._debut:
            morceau, self._debut = self._debut, b""
        else:
            morceau = self._brut.read(taille if taille and taille > 0 else 65536)
        if not morceau:
            self.fin_atteinte = True
        if self.elaguer is not None:
            self._depuis_elagage += len(morceau)
            if self._depuis_elagage >= ELAGAGE:
                self._depuis_elagage = 0
                self.elaguer()
        self.sonde.examiner(morceau, self.lignes)
        self.lignes += morceau.count(b"\n")
        self.octets += len(morceau)
        if self.vide and morceau.strip(b" \t\r\n\xef\xbb\xbf"):
            self.vide = False
        return morceau


def encodage_declare(debut: bytes) -> str | None:
    """The encoding named by the XML declaration at the start of ``debut`` (BOM allowed), if any."""
    if debut.startswith(_BOM_UTF8):
        debut = debut[len(_BOM_UTF8):]
    trouve = _DECLARATION.match(debut)
    return trouve.group(1).decode("ascii", "replace").strip() if trouve else None


def _verifier_encodage(nom_fichier: str, debut: bytes) -> None:
    encodage = encodage_declare(debut)
    if encodage is None:
        return  # no declaration: UTF-8, as XML says
    try:
        codecs.lookup(encodage)
    except (LookupError, ValueError):  # ValueError: a NUL byte in the name
        raise _erreur_encodage_inconnue(nom_fichier, encodage.replace("\x00", "\\x00")) from None


def _erreur_encodage_inconnue(nom_fichier: str, encodage: str) -> SourceInvalideError:
    return SourceInvalideError(
        nom_fichier,
        f"l'encodage « {encodage} » déclaré en tête du fichier est inconnu",
        correction=(
            "Les exports SIECLE et STS-web sont en ISO-8859-15 (ou UTF-8) : exportez de nouveau "
            "le fichier et utilisez-le sans le convertir"
        ),
    )


def _traduire(nom_fichier: str, erreur: etree.XMLSyntaxError, flux: _Flux) -> SourceInvalideError:
    """A libxml2 error, told in French with its line; the technical detail stays at the end."""
    message = _SUFFIXE_POSITION.sub("", erreur.msg or str(erreur))
    ligne = erreur.lineno or flux.lignes
    nature = ""  # libxml2 error name, when lxml lost the message
    derniere = erreur.error_log.last_error if erreur.error_log else None
    if message == "no element found" and derniere is not None and flux.octets:
        message, ligne = derniere.message, derniere.line or ligne  # lxml lost libxml2's own message
        nature = derniere.type_name
    if "Unsupported encoding" in message:
        encodage = message.split(":", 1)[1].split(",")[0].strip() if ":" in message else "?"
        return _erreur_encodage_inconnue(nom_fichier, encodage)
    if flux.vide:
        return SourceInvalideError(nom_fichier, "le fichier est vide",
                                   correction=CORRECTION_REEXPORTER)
    if "Invalid bytes in character encoding" in message or "not proper UTF-8" in message:
        return SourceInvalideError(
            nom_fichier,
            f"ligne {ligne}, des caractères ne correspondent pas à l'encodage déclaré par le fichier",
            correction=(
                "Le fichier a sans doute été réenregistré avec un autre encodage : exportez-le de "
                "nouveau et utilisez-le sans le modifier"
            ),
        )
    if "Start tag expected" in message and ligne <= 1:
        return SourceInvalideError(nom_fichier, "ce n'est pas un fichier XML",
                                   correction=CORRECTION_REEXPORTER)
    entite = _ENTITE_NON_DECLAREE.search(message)
    if entite:
        return SourceInvalideError(
            nom_fichier,
            f"ligne {ligne}, l'entité « &{entite.group(1)}; » n'est pas déclarée : un export SIECLE ou STS-web "
            "n'utilise que les entités prédéfinies (&amp; &lt; &gt; &quot; &apos;) et les références numériques",
            correction=CORRECTION_REEXPORTER)
    if "Resource limit exceeded" in message or "XML_PARSE_HUGE" in message or "Huge input lookup" in message:
        return SourceInvalideError(
            nom_fichier,
            f"ligne {ligne}, un texte ou une imbrication dépasse les limites de lecture (plus de 10 millions de "
            "caractères dans un même texte, ou plus de 256 niveaux d'éléments) : ce n'est pas un export SIECLE ou "
            "STS-web tel qu'exporté",
            correction=CORRECTION_REEXPORTER)
    message = message.replace(", try XML_PARSE_HUGE", "")
    tronque = erreur.code == _ERR_TAG_NOT_FINISHED or "Premature end" in message or (
        flux.fin_atteinte and ligne >= flux.lignes and "ENTITY" not in nature)
    if tronque:
        return SourceInvalideError(
            nom_fichier,
            f"le fichier est incomplet : il s'arrête ligne {ligne} avant la fin du document XML "
            f"(fichier tronqué ; détail : {message})",
            correction=CORRECTION_REEXPORTER,
        )
    return SourceInvalideError(
        nom_fichier,
        f"le XML est mal formé ligne {ligne} (détail : {message})",
        correction=CORRECTION_REEXPORTER,
    )


def _traduire_lecture(nom_fichier: str, erreur: Exception) -> SourceInvalideError:
    if isinstance(erreur, zipfile.BadZipFile):
        return SourceInvalideError(nom_fichier, f"l'archive zip est endommagée ({erreur})",
                                   correction=CORRECTION_REEXPORTER)
    return SourceInvalideError(nom_fichier, f"le fichier n'a pas pu être lu ({erreur})",
                               correction=CORRECTION_REEXPORTER)


_ERREURS_LECTURE = (etree.XMLSyntaxError, zipfile.BadZipFile, OSError, EOFError)


_OPTIONS_ANALYSE = {"resolve_entities": False, "no_network": True, "load_dtd": False, "dtd_validation": False,
                   "attribute_defaults": False, "huge_tree": False, "remove_comments": True, "remove_pis": True}


def _refus_doctype(nom: str) -> SourceInvalideError:
    return SourceInvalideError(
        nom,
        "le fichier contient une déclaration DOCTYPE, refusée par sécurité (un export SIECLE "
        "ou STS-web n'en contient jamais : ce fichier a été modifié ou n'est pas un export)",
        correction="Utilisez le fichier tel qu'exporté par SIECLE ou STS-web",
    )


_DOCTYPES = tuple("<!DOCTYPE".encode(codage) for codage in ("ascii", "utf-16-le", "utf-16-be", "utf-32-le",
                                                             "utf-32-be"))


def _declare_un_doctype(debut: bytes) -> bool:
    """The first bytes of a document declare a DOCTYPE (in an ASCII-compatible encoding, UTF-16 or UTF-32)."""
    return any(d in debut for d in _DOCTYPES)


class FluxXml:
    """One XML document being streamed. ``racine`` is known as soon as it is opened; then
    ``elements`` hands out, in document order, every element found at one of the paths asked
    (paths relative to the root, e.g. ``"DONNEES/ELEVES/ELEVE"``), complete with its children,
    and clears it once the caller moves on.

    The root is found by a first parser on the first bytes (kept, then read again by the second); the second
    one, in ``elements``, reports only the end of the elements whose name ends a path asked (lxml filters
    them in C: no Python work for the other elements, most of a document). Elements no reader asked for are
    freed as the records after them are, and every ``ELAGAGE`` bytes. A document whose root cannot be found
    that way (malformed, no element, a root after ``AVANCE_MAX`` bytes) is read element by element, which
    reports its errors as before."""

    def __init__(self, document: Document, flux: _Flux, encodage: str | None = None) -> None:
        self.document = document
        self.encodage = encodage  # as declared by the document
        self._flux = flux
        self._evenements: Iterator[tuple[str, etree._Element]] | None = None
        racine = self._trouver_racine()
        if racine is None:  # the element-by-element way: its first event is the root's start, or an error
            debut = self._flux.deja_lu()  # (read again by the parser, then gone from the flux)
            self._evenements = etree.iterparse(flux, events=("start", "end"), **_OPTIONS_ANALYSE)
            try:
                racine = self._suivant()
            except SourceInvalideError:
                # A DOCTYPE that libxml2 refuses before the root (entities nested too deep, a loop: it depends
                # on its version) is still told as what it is.
                if _declare_un_doctype(debut):
                    raise _refus_doctype(document.nom) from None
                raise
        if racine is None:
            raise SourceInvalideError(document.nom, "le fichier ne contient aucun élément XML",
                                      correction=CORRECTION_REEXPORTER)
        if racine.getroottree().docinfo.doctype:
            raise _refus_doctype(document.nom)
        self.racine: str = racine.tag if isinstance(racine.tag, str) else "?"
        self.ligne_racine: int | None = racine.sourceline
        self.attributs_racine: dict[str, str] = dict(racine.attrib)

    def _trouver_racine(self) -> etree._Element | None:
        """The root's start tag, read by a parser of its own on the bytes read in advance (``None`` when it is
        not found that way: the document is then read element by element)."""
        analyseur = etree.XMLPullParser(events=("start",), **_OPTIONS_ANALYSE)
        morceau = self._flux.deja_lu()
        while True:
            try:
                analyseur.feed(morceau)
                for _, element in analyseur.read_events():
                    return element
            except (etree.LxmlError, ValueError, LookupError):
                return None  # told by the second parser, with its line, as any error of the document
            if len(self._flux.deja_lu()) >= AVANCE_MAX:
                return None
            try:
                morceau = self._flux.lire_en_avance(65536)
            except (zipfile.BadZipFile, OSError, EOFError) as erreur:
                raise _traduire_lecture(self.document.nom, erreur) from None
            if not morceau:
                return None

    def _suivant(self) -> etree._Element | None:
        """The first event (the root's start), without a generator that could close the parser."""
        assert self._evenements is not None
        try:
            return next(self._evenements)[1]
        except StopIteration:
            return None
        except _ERREURS_LECTURE as erreur:
            raise self._traduire(erreur) from None

    def _iter(self, evenements: Iterator[tuple[str, etree._Element]]) -> Iterator[tuple[str, etree._Element]]:
        try:
            yield from evenements
        except _ERREURS_LECTURE as erreur:
            raise self._traduire(erreur) from None

    def _traduire(self, erreur: Exception) -> SourceInvalideError:
        if isinstance(erreur, etree.XMLSyntaxError):
            return _traduire(self.document.nom, erreur, self._flux)
        return _traduire_lecture(self.document.nom, erreur)

    def elements(self, chemins: Collection[str]) -> Iterator[tuple[str, etree._Element]]:
        """Yield ``(chemin, element)`` for each element at one of ``chemins``, at its end tag;
        reads the document to its end (so a malformed tail is always reported).

        Each element is checked before it is handed out (its descendants' texts and attribute values, see
        ``controles``): the first damaged one stops the handing out, and once the document has been read to
        its end the damage is raised as a ``SourceInvalideError``."""
        voulus = frozenset(chemins)
        imbriques = any(a != b and b.startswith(a + "/") for a in voulus for b in voulus)
        if self._evenements is not None or imbriques or "" in voulus:
            yield from self._elements_un_par_un(voulus)
            return
        yield from self._elements_filtres(voulus)

    def _elements_filtres(self, voulus: frozenset[str]) -> Iterator[tuple[str, etree._Element]]:
        noms = sorted({self.racine, *(c.rsplit("/", 1)[-1] for c in voulus)})  # the root: to prune from it
        # remove_blank_text: the indentation between elements is not kept (fewer nodes); a field's own text,
        # blank or not, is (libxml2 keeps the text of an element that has no child)
        evenements = etree.iterparse(self._flux, events=("start", "end"), tag=noms, remove_blank_text=True,
                                     chunk_size=65536, **_OPTIONS_ANALYSE)
        sonde = self._flux.sonde
        endommage: SourceInvalideError | None = None
        racine: etree._Element | None = None

        def elaguer() -> None:
            if racine is not None:
                _elaguer(racine, voulus)

        self._flux.elaguer = elaguer
        parent_precedent: etree._Element | None = None  # records come in runs under one parent
        chemin_du_parent = ""
        try:
            for evenement, element in self._iter(evenements):
                if evenement == "start":
                    if racine is None:
                        racine = element.getroottree().getroot()
                    continue
                parent = element.getparent()
                if parent is None:
                    continue  # the root
                if parent is not parent_precedent:
                    chemin_du_parent = _chemin(parent)
                    parent_precedent = parent
                    _oublier(parent, jusqu_a_la_racine=True, vider=False)  # what came before this run
                tag = element.tag
                chemin = f"{chemin_du_parent}/{tag}" if chemin_du_parent else str(tag)
                if chemin not in voulus:
                    continue  # freed with the records after it
                if endommage is None and (sonde.tout or sonde.lignes) and sonde.concerne(derniere_ligne(element)):
                    endommage = self._controler(element)
                if endommage is None:
                    yield chemin, element
                element.clear(keep_tail=False)
                while element.getprevious() is not None:
                    del parent[0]
            if racine is not None:
                del racine[:]  # what no reader asked for after the last record
        finally:
            self._flux.elaguer = None
        if endommage is not None:
            raise endommage

    def _elements_un_par_un(self, voulus: frozenset[str]) -> Iterator[tuple[str, etree._Element]]:
        """Every start and end event looked at in Python: the way of a document whose root was read by the
        element-by-element parser (see the class), or of paths inside one another."""
        if self._evenements is None:
            self._evenements = etree.iterparse(self._flux, events=("start", "end"), **_OPTIONS_ANALYSE)
            self._suivant()  # the root's start, already known
        pile: list[str] = []
        profondeur = 0  # depth below the root of the current element
        capture = 0  # depth of the element being captured, 0 when none
        sonde = self._flux.sonde
        endommage: SourceInvalideError | None = None
        for evenement, element in self._iter(self._evenements):
            if evenement == "start":
                profondeur += 1
                if not capture:
                    pile.append(element.tag if isinstance(element.tag, str) else "")
                    if "/".join(pile) in voulus:
                        capture = profondeur
                continue
            if capture and profondeur > capture:
                profondeur -= 1
                continue
            if capture:
                if endommage is None and (sonde.tout or sonde.lignes) and sonde.concerne(derniere_ligne(element)):
                    endommage = self._controler(element)
                if endommage is None:
                    yield "/".join(pile), element
                capture = 0
            _oublier(element)
            if pile and profondeur > 0:
                pile.pop()
            profondeur -= 1
        if endommage is not None:
            raise endommage

    def _controler(self, enregistrement: etree._Element) -> SourceInvalideError | None:
        """The error for the first damaged text or attribute value of ``enregistrement``, if any."""
        for element in enregistrement.iter():
            tag = element.tag
            if not isinstance(tag, str):
                continue
            for nom, valeur in element.items():
                constat = examiner(valeur, self.encodage)
                if constat is not None:
                    return self._endommage(enregistrement, element, f"attribut {nom_local(nom)} de "
                                           f"<{nom_local(tag)}>", valeur, constat)
            texte_brut = element.text
            if texte_brut:
                constat = examiner(texte_brut, self.encodage)
                if constat is not None:
                    return self._endommage(enregistrement, element, f"champ {nom_local(tag)}", texte_brut, constat)
        return None

    def _endommage(self, enregistrement: etree._Element, element: etree._Element, champ: str, valeur: str,
                   constat: Constat) -> SourceInvalideError:
        ligne = f"ligne {element.sourceline}, " if element.sourceline else ""
        return SourceInvalideError(
            self.document.nom, f"{ligne}{champ} : {constat.decrire(valeur, self.encodage)}",
            enregistrement=decrire_enregistrement(enregistrement),
            correction=_correction_endommage(constat, self.racine, self.document.nom))


def _correction_endommage(constat: Constat, racine: str, nom_document: str) -> str:
    """What to do about a damaged text: export again untouched (encoding damage), or correct the record
    in the application the export comes from (a character typed or pasted into it)."""
    racine = nom_local(racine)
    application = "STS-web" if racine == "STS_EDT" else "SIECLE Base élèves" if racine.startswith("BEE_") else (
        "SIECLE ou STS-web")
    s3e = "://" in nom_document
    if constat.nature in (ENCODAGE, CONTROLE_C1):
        if s3e:
            debut = (f"Le service S3E a servi ce document endommagé : signalez-le à son administrateur (l'export de "
                     f"{application} a été converti avant d'être servi)")
        else:
            debut = (f"Réexportez le fichier depuis {application} et utilisez-le sans l'ouvrir ni le réenregistrer "
                     "(un tableur ou un éditeur de texte change son encodage)")
        return f"{debut} ; si {application} affiche lui-même ce texte ainsi, corrigez-le dans la fiche"
    ensuite = ("relancez la synchronisation" if s3e else
               "exportez de nouveau le fichier et utilisez-le sans l'ouvrir ni le réenregistrer")
    if constat.nature == REMPLACEMENT:
        return f"Corrigez ce texte dans {application} (un caractère y a été perdu), puis {ensuite}"
    return (f"Corrigez ce champ dans {application} en le retapant (le caractère vient souvent d'un copier-coller), "
            f"puis {ensuite}")


def _oublier(element: etree._Element, *, jusqu_a_la_racine: bool = False, vider: bool = True) -> None:
    """Free an element that has been handled (unless ``vider`` is false), and its already handled previous
    siblings (and, with ``jusqu_a_la_racine``, those of each of its ancestors: elements no reader asked for)."""
    if vider:
        element.clear(keep_tail=False)
    parent = element.getparent()
    while parent is not None:
        while element.getprevious() is not None:
            del parent[0]
        if not jusqu_a_la_racine:
            return
        element, parent = parent, parent.getparent()


def _chemin(element: etree._Element) -> str:
    """The path of ``element`` from the root (``"DONNEES/ELEVES/ELEVE"``), the root's own being ``""``."""
    noms: list[str] = []
    parent = element.getparent()
    while parent is not None:
        tag = element.tag
        noms.append(tag if isinstance(tag, str) else "")
        element, parent = parent, parent.getparent()
    noms.reverse()
    return "/".join(noms)


def _elaguer(racine: etree._Element, voulus: frozenset[str]) -> None:
    """Free what is already read of the elements being built (those on the document's last branch) but their
    last child, down to a record asked for, which stays whole: the elements no reader asked for, when no
    record comes to free them (a long part of a document that no reader reads)."""
    element = racine
    chemin = ""
    while len(element):
        if len(element) > 1:
            del element[:-1]
        element = element[-1]
        tag = element.tag
        chemin = f"{chemin}/{tag}" if chemin else (tag if isinstance(tag, str) else "")
        if chemin in voulus:
            return


@contextmanager
def ouvrir_xml(document: Document) -> Iterator[FluxXml]:
    """Open ``document`` for streaming; refuses unknown encodings and DOCTYPEs before anything else."""
    try:
        brut = document.ouvrir()
    except SourceInvalideError:
        raise
    except (zipfile.BadZipFile, OSError) as erreur:
        raise _traduire_lecture(document.nom, erreur) from None
    try:
        try:
            debut = brut.read(TAILLE_SONDE)
        except (zipfile.BadZipFile, OSError, EOFError) as erreur:
            raise _traduire_lecture(document.nom, erreur) from None
        _verifier_encodage(document.nom, debut)
        encodage = encodage_declare(debut)
        yield FluxXml(document, _Flux(brut, debut, SondeOctets.pour(encodage, debut)), encodage)
    finally:
        brut.close()


# --- reading helpers: trimmed text, empty means absent ---------------------------------------


def texte(element: etree._Element | None, chemin: str) -> str | None:
    """The trimmed text of the first child at ``chemin`` (e.g. ``"NOM"``, ``"ACADEMIE/CODE"``);
    ``None`` when the child is missing or empty."""
    if element is None:
        return None
    enfant = element.find(chemin)
    if enfant is None:
        return None
    return nettoyer(enfant.text)


def enfants(element: etree._Element) -> dict[str, str]:
    """The trimmed, non-empty texts of the direct children, by tag (the first one wins): one pass,
    for records with many fields read at once."""
    valeurs: dict[str, str] = {}
    for enfant in element:
        tag = enfant.tag
        if tag not in valeurs and type(tag) is str:
            texte = enfant.text
            if not texte:
                continue
            if not (texte.isascii() and texte.isprintable() and "  " not in texte and texte[0] != " " != texte[-1]):
                texte = normaliser_texte(texte)  # else already clean: ``nettoyer`` inlined (most texts)
                if not texte:
                    continue
            valeurs[tag] = texte
    return valeurs


def premiers(element: etree._Element | None) -> dict[str, str | None]:
    """``texte(element, tag)`` for every direct child at once, by tag: the first child of each tag wins, even
    when empty (then ``None``), as ``find`` does — one pass instead of one search per field."""
    valeurs: dict[str, str | None] = {}
    if element is None:
        return valeurs
    for enfant in element:
        tag = enfant.tag
        if tag in valeurs or type(tag) is not str:
            continue
        texte = enfant.text
        if not texte:
            valeurs[tag] = None
        elif texte.isascii() and texte.isprintable() and "  " not in texte and texte[0] != " " != texte[-1]:
            valeurs[tag] = texte  # already clean: ``nettoyer`` inlined (most texts)
        else:
            valeurs[tag] = normaliser_texte(texte) or None
    return valeurs


def attribut(element: etree._Element | None, nom: str) -> str | None:
    """The trimmed value of an attribute; ``None`` when missing or empty."""
    if element is None:
        return None
    return nettoyer(element.get(nom))


def nettoyer(valeur: str | None) -> str | None:
    """The one normalisation of every text read from a source (R13): Unicode NFC, trimmed, inner runs of
    whitespace collapsed to one space; an empty value is ``None`` (exports write empty elements for absent
    data). A short ASCII text that is already clean (most of them) is returned as it is."""
    if valeur is None:
        return None
    if valeur.isascii() and valeur.isprintable() and "  " not in valeur and valeur[:1] != " " != valeur[-1:]:
        return valeur or None
    return normaliser_texte(valeur) or None


def decrire_position(element: etree._Element, rang: int, nature: str) -> str:
    """How to name a record in an error when its id is unknown: ``"3e ELEVE (ligne 42)"``."""
    ligne = f" (ligne {element.sourceline})" if element.sourceline else ""
    ordinal = "1er" if rang == 1 else f"{rang}e"
    return f"{ordinal} {nature}{ligne}"


# --- dates as the exports write them ---------------------------------------------------------

_DATE_FR = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})$")
_DATE_ISO = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")


@lru_cache(maxsize=8192)  # a school's pupils share a few hundred birth dates and a few entry dates
def date_fr(valeur: str) -> date:
    """``JJ/MM/AAAA`` (SIECLE) → date; ``ValueError`` when the text is not such a date."""
    trouve = _DATE_FR.match(valeur)
    if not trouve:
        raise ValueError(valeur)
    jour, mois, annee = trouve.groups()
    return date(int(annee), int(mois), int(jour))


def date_iso(valeur: str) -> date:
    """``AAAA-MM-JJ`` (STS-web) → date; ``ValueError`` when the text is not such a date."""
    trouve = _DATE_ISO.match(valeur)
    if not trouve:
        raise ValueError(valeur)
    annee, mois, jour = (int(g) for g in trouve.groups())
    return date(annee, mois, jour)


# --- roots: which export is this? -----------------------------------------------------------

EDT_STS = "EDT_STS"
RACINES_CONNUES: dict[str, str] = {
    "BEE_ELEVES": "l'export des élèves de SIECLE Base élèves (ElevesSansAdresses.xml ou ElevesAvecAdresses.xml)",
    "BEE_RESPONSABLES": "l'export des responsables de SIECLE Base élèves (ResponsablesAvecAdresses.xml)",
    "BEE_NOMENCLATURES": "l'export des nomenclatures de SIECLE Base élèves (Nomenclature.xml)",
    "BEE_STRUCTURES": "l'export des structures de SIECLE Base élèves (Structures.xml)",
    "BEE_COMMUN": "l'export des données communes de SIECLE Base élèves (Communs.xml)",
    "STS_EDT": "l'export STS-web pour les emplois du temps (sts_emp_<UAI>_<année>.xml)",
    "lsun-bilans": "un fichier d'import de bilans dans LSU",
}
CORRECTION_EDT_STS = (
    "Dans STS-web, menu « Exports › Emplois du temps », téléchargez le fichier "
    "sts_emp_<UAI>_<année>.xml et utilisez-le à sa place"
)


def nom_local(tag: str) -> str:
    """``{namespace}name`` → ``name``."""
    return tag.rsplit("}", 1)[-1]


def verifier_racine(flux: FluxXml, attendue: str) -> None:
    """Refuse a document whose root is not ``attendue``, saying what it is and what was expected."""
    trouvee = nom_local(flux.racine)
    if trouvee == attendue:
        return
    voulu = RACINES_CONNUES.get(attendue, f"un document <{attendue}>")
    if trouvee == EDT_STS:
        if attendue == "STS_EDT":
            probleme = ("ce fichier est l'export de votre logiciel d'emploi du temps vers STS, "
                        "pas l'export STS-web `sts_emp_…`")
        else:
            probleme = (f"ce fichier est l'export de votre logiciel d'emploi du temps vers STS "
                        f"(racine <EDT_STS>), pas {voulu}")
        raise SourceInvalideError(flux.document.nom, probleme, correction=CORRECTION_EDT_STS)
    connue = RACINES_CONNUES.get(trouvee)
    if connue:
        probleme = f"ce fichier est {connue} (racine <{trouvee}>) ; il fallait {voulu} (racine <{attendue}>)"
    else:
        probleme = (f"la racine du document est <{trouvee}> : ce n'est pas {voulu} "
                    f"(racine <{attendue}> attendue)")
    raise SourceInvalideError(flux.document.nom, probleme,
                              correction="Vérifiez que vous avez choisi le bon fichier")
