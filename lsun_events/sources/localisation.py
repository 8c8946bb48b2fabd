"""Find the export files: a SIECLE folder or zip, and the STS-web file, into a ``JeuDocuments``.

As exported, SIECLE gives one zip per file (``ElevesSansAdresses.zip`` holding
``ElevesSansAdresses.xml``…); schools also unzip them into a folder, or zip the folder again. So a
SIECLE path may be a folder of XML files and/or zips, or a zip of XML files and/or zips. Files are
recognised by name (case-insensitive), zips by content (magic number). Zip members whose path starts
with ``.`` or ``__MACOSX`` are ignored. A zip bomb (a member over ``taille_max`` once uncompressed, or
with an absurd compression ratio) and a corrupt zip are refused. Nothing is extracted to disk: every
``Document`` re-opens its file or member when read.
"""

from __future__ import annotations

import io
import re
import zipfile
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO, cast

from lsun_events.sources.documents import Document, JeuDocuments
from lsun_events.sources.erreurs import SourceInvalideError

TAILLE_MAX_MEMBRE = 200 * 1024 * 1024  # uncompressed bytes per zip member
RATIO_MAX = 1000  # uncompressed / compressed, above which a member is a bomb
_RATIO_SEUIL = 1024 * 1024  # members smaller than this are never judged on their ratio
_MAGIES_ZIP = (b"PK\x03\x04", b"PK\x05\x06")
_PROFONDEUR_MAX = 2  # a zip inside a zip is read; deeper nesting is ignored

NOMS_ELEVES = "ElevesSansAdresses.xml ou ElevesAvecAdresses.xml"
_MOTIFS: dict[str, re.Pattern[str]] = {
    "eleves": re.compile(r"eleves(sans|avec)adresses"),
    "responsables": re.compile(r"responsables(sans|avec)adresses"),
    "nomenclature": re.compile(r"nomenclature"),
    "structures": re.compile(r"structures"),
    "communs": re.compile(r"commun"),
    "sts": re.compile(r"^sts_emp_"),
}
_DESCRIPTIONS = {
    "eleves": f"fichier élèves ({NOMS_ELEVES})",
    "responsables": "fichier des responsables (ResponsablesAvecAdresses.xml)",
    "nomenclature": "fichier des nomenclatures (Nomenclature.xml)",
    "structures": "fichier des structures (Structures.xml)",
    "communs": "fichier des données communes (Communs.xml)",
    "sts": "fichier STS-web (sts_emp_<UAI>_<année>.xml)",
}


@dataclass(frozen=True)
class LimitesZip:
    """How much a zip member may weigh once uncompressed (tests lower it)."""

    taille_max: int = TAILLE_MAX_MEMBRE
    ratio_max: float = RATIO_MAX


@dataclass(frozen=True)
class _Entree:
    """A file found in a folder or an archive, not yet read."""

    nom: str  # shown to the user: path or "archive.zip!member.xml"
    base: str  # file name, lower case, for recognition
    ouvrir: Callable[[], BinaryIO]
    taille: int | None = None  # uncompressed size when known without reading
    crc: int | None = None  # CRC-32 as stored in the zip, when a zip member


def localiser_exports(siecle: Path, sts: Path, *, limites: LimitesZip | None = None) -> JeuDocuments:
    """The documents of one snapshot: SIECLE folder or zip, and STS-web file or zip."""
    documents = localiser_siecle(siecle, limites=limites)
    return JeuDocuments(sts=localiser_sts(sts, limites=limites), **documents)


def localiser_siecle(chemin: Path, *, limites: LimitesZip | None = None) -> dict[str, Document]:
    """The SIECLE documents by role (``eleves`` always, the others when found)."""
    limites = limites or LimitesZip()
    chemin = Path(chemin)
    _verifier_existe(chemin, "SIECLE")
    if chemin.is_file() and not _est_zip_fichier(chemin):
        return {"eleves": Document.fichier(chemin)}  # the pupils file given directly
    entrees = _entrees(chemin, limites)
    trouves: dict[str, Document] = {}
    for role in ("eleves", "responsables", "nomenclature", "structures", "communs"):
        document = _choisir(chemin, role, entrees)
        if document is not None:
            trouves[role] = document
    if "eleves" not in trouves:
        raise SourceInvalideError(
            str(chemin),
            f"aucun fichier élèves ({NOMS_ELEVES}) n'a été trouvé ; "
            f"{_lister(entrees)}",
            correction=(
                "Dans SIECLE Base élèves, menu « Exploitation › Exports standard › Exports XML "
                "génériques », exportez « Élèves sans adresses » et joignez le fichier obtenu"
            ),
        )
    return trouves


def localiser_sts(chemin: Path, *, limites: LimitesZip | None = None) -> Document:
    """The STS-web export: the file itself, or the ``sts_emp_…xml`` held by a zip or a folder."""
    limites = limites or LimitesZip()
    chemin = Path(chemin)
    _verifier_existe(chemin, "STS-web")
    if chemin.is_file() and not _est_zip_fichier(chemin):
        return Document.fichier(chemin)
    entrees = _entrees(chemin, limites)
    document = _choisir(chemin, "sts", entrees)
    if document is None:
        edt = [e.nom for e in entrees if e.base.startswith("emp_sts_")]
        probleme = f"aucun fichier STS-web sts_emp_<UAI>_<année>.xml n'a été trouvé ; {_lister(entrees)}"
        if edt:
            probleme += (" (un fichier emp_sts_… est l'export de votre logiciel d'emploi du temps "
                         "vers STS, pas l'export STS-web)")
        raise SourceInvalideError(
            str(chemin), probleme,
            correction=("Dans STS-web, menu « Exports › Emplois du temps », téléchargez le fichier "
                        "sts_emp_<UAI>_<année>.xml"),
        )
    return document


# --- recognition ------------------------------------------------------------------------------


def role_du_fichier(nom: str) -> str | None:
    """The role of an export from its file name (``eleves``, ``sts``…), ``None`` if not one."""
    base = nom.rsplit("/", 1)[-1].lower()
    if not base.endswith(".xml"):
        return None
    for role, motif in _MOTIFS.items():
        if motif.search(base):
            return role
    return None


def _choisir(chemin: Path, role: str, entrees: list[_Entree]) -> Document | None:
    candidats = _sans_doublons([e for e in entrees if role_du_fichier(e.base) == role])
    if not candidats:
        return None
    if len(candidats) > 1:
        noms = ", ".join(f"« {e.nom} »" for e in candidats)
        raise SourceInvalideError(
            str(chemin),
            f"plusieurs fichiers peuvent être le {_DESCRIPTIONS[role]} : {noms}",
            correction="Ne laissez qu'un seul de ces fichiers (le plus récent) et recommencez",
        )
    entree = candidats[0]
    return Document(nom=entree.nom, ouvrir=entree.ouvrir)


def _sans_doublons(candidats: list[_Entree]) -> list[_Entree]:
    """A file unzipped next to its zip is one file, not two: same name, same size, same CRC."""
    if len(candidats) < 2:
        return candidats
    premier = candidats[0]
    if all(e.base == premier.base for e in candidats) and len({_taille(e) for e in candidats}) == 1 \
            and len({_crc(e) for e in candidats}) == 1:
        return [min(candidats, key=lambda e: e.crc is not None)]  # prefer the plain file
    return candidats


def _taille(entree: _Entree) -> int:
    if entree.taille is not None:
        return entree.taille
    flux = entree.ouvrir()
    try:
        return flux.seek(0, io.SEEK_END)
    finally:
        flux.close()


def _crc(entree: _Entree) -> int:
    if entree.crc is not None:
        return entree.crc
    valeur = 0
    flux = entree.ouvrir()
    try:
        while morceau := flux.read(1024 * 1024):
            valeur = zlib.crc32(morceau, valeur)
    finally:
        flux.close()
    return valeur


def _lister(entrees: list[_Entree]) -> str:
    if not entrees:
        return "le dossier ou l'archive ne contient aucun fichier XML"
    noms = [e.nom.replace("\\", "/").rsplit("/", 1)[-1] for e in entrees]
    return "fichiers présents : " + ", ".join(noms[:20]) + (" …" if len(noms) > 20 else "")


# --- folders and zips ---------------------------------------------------------------------------


def _verifier_existe(chemin: Path, quoi: str) -> None:
    if not chemin.exists():
        raise SourceInvalideError(str(chemin), f"le chemin des exports {quoi} n'existe pas",
                                  correction="Vérifiez le chemin indiqué")


def _est_zip_fichier(chemin: Path) -> bool:
    with chemin.open("rb") as flux:
        return flux.read(4) in _MAGIES_ZIP


def _entrees(chemin: Path, limites: LimitesZip) -> list[_Entree]:
    """The XML files of a folder or zip, zips inside them opened one level down."""
    if chemin.is_dir():
        entrees: list[_Entree] = []
        for fichier in sorted(chemin.iterdir()):
            if fichier.name.startswith(".") or not fichier.is_file():
                continue
            if _est_zip_fichier(fichier):
                entrees += _entrees_zip(str(fichier), _ouvreur_fichier(fichier), limites, 1)
            elif fichier.name.lower().endswith(".xml"):
                entrees.append(_Entree(str(fichier), fichier.name.lower(), _ouvreur_fichier(fichier),
                                       taille=fichier.stat().st_size))
        return entrees
    return _entrees_zip(str(chemin), _ouvreur_fichier(chemin), limites, 1)


def _ouvreur_fichier(chemin: Path) -> Callable[[], BinaryIO]:
    return lambda: chemin.open("rb")


def _ouvrir_archive(nom: str, ouvrir: Callable[[], BinaryIO]) -> tuple[zipfile.ZipFile, BinaryIO]:
    """The archive and its byte stream (a ``ZipFile`` never closes a stream it was given)."""
    flux = ouvrir()
    try:
        return zipfile.ZipFile(flux), flux
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError, ValueError) as erreur:
        flux.close()
        raise SourceInvalideError(
            nom, f"l'archive zip est illisible ou endommagée ({erreur})",
            correction="Téléchargez de nouveau l'export, sans l'ouvrir ni le modifier",
        ) from None


def _membre_ignore(nom: str) -> bool:
    parties = [p for p in nom.replace("\\", "/").split("/") if p]
    return not parties or parties[0] == "__MACOSX" or any(p.startswith(".") for p in parties)


def _entrees_zip(nom: str, ouvrir: Callable[[], BinaryIO], limites: LimitesZip,
                 profondeur: int) -> list[_Entree]:
    archive, flux = _ouvrir_archive(nom, ouvrir)
    try:
        infos = [i for i in archive.infolist() if not i.is_dir() and not _membre_ignore(i.filename)]
        entrees: list[_Entree] = []
        for info in infos:
            nom_membre = f"{nom}!{info.filename}"
            base = info.filename.replace("\\", "/").rsplit("/", 1)[-1].lower()
            est_xml = base.endswith(".xml")
            est_zip = base.endswith(".zip")
            if not est_xml and not est_zip:
                continue
            if est_zip or role_du_fichier(base):  # a member that will be read (others are only listed)
                _verifier_bombe(nom_membre, info, limites)
            ouvrir_membre = _ouvreur_membre(nom, ouvrir, info.filename, nom_membre, limites)
            if est_zip:
                if profondeur < _PROFONDEUR_MAX:
                    entrees += _entrees_zip(nom_membre, _ouvreur_en_memoire(ouvrir_membre), limites,
                                            profondeur + 1)
                continue
            entrees.append(_Entree(nom_membre, base, ouvrir_membre, taille=info.file_size, crc=info.CRC))
        return entrees
    finally:
        archive.close()
        flux.close()


def _verifier_bombe(nom: str, info: zipfile.ZipInfo, limites: LimitesZip) -> None:
    taille = info.file_size
    compresse = info.compress_size
    if taille > limites.taille_max:
        raise SourceInvalideError(
            nom,
            f"une fois décompressé, ce fichier ferait {_mo(taille)}, plus que la limite de "
            f"{_mo(limites.taille_max)} : l'archive est refusée (archive piégée ou mauvais fichier)",
            correction="Joignez l'export tel que SIECLE ou STS-web le produit",
        )
    if taille > _RATIO_SEUIL and (compresse <= 0 or taille / compresse > limites.ratio_max):
        raise SourceInvalideError(
            nom,
            f"taux de compression anormal ({_mo(compresse)} compressés pour {_mo(taille)}) : "
            "l'archive est refusée (archive piégée ou endommagée)",
            correction="Joignez l'export tel que SIECLE ou STS-web le produit",
        )


def _mo(octets: int) -> str:
    if octets < 1024 * 1024:
        return f"{octets} octets"
    return f"{octets / (1024 * 1024):.1f} Mo"


def _ouvreur_membre(nom_archive: str, ouvrir: Callable[[], BinaryIO], membre: str, nom_membre: str,
                    limites: LimitesZip) -> Callable[[], BinaryIO]:
    def ouvrir_membre() -> BinaryIO:
        archive, brut = _ouvrir_archive(nom_archive, ouvrir)
        try:
            flux = archive.open(membre)
        except (zipfile.BadZipFile, OSError, NotImplementedError, RuntimeError) as erreur:
            archive.close()
            brut.close()
            raise SourceInvalideError(
                nom_membre, f"ce fichier de l'archive zip ne peut pas être lu ({erreur})",
                correction="Téléchargez de nouveau l'export, sans l'ouvrir ni le modifier",
            ) from None
        return cast("BinaryIO", _MembreBorne(flux, (archive, brut), nom_membre, limites.taille_max))

    return ouvrir_membre


def _ouvreur_en_memoire(ouvrir: Callable[[], BinaryIO]) -> Callable[[], BinaryIO]:
    """A zip inside a zip: read it (bounded) into memory so that it can be seeked."""
    def ouvrir_copie() -> BinaryIO:
        flux = ouvrir()
        try:
            return io.BytesIO(flux.read())
        finally:
            flux.close()

    return ouvrir_copie


class _MembreBorne(io.RawIOBase):
    """A zip member being read, which stops with a clear error beyond ``limite`` bytes whatever
    its header claims, and closes its archive with it."""

    def __init__(self, flux: BinaryIO, archive: tuple[zipfile.ZipFile, BinaryIO], nom: str,
                 limite: int) -> None:
        super().__init__()
        self._flux = flux
        self._archive, self._brut = archive
        self._nom = nom
        self._limite = limite
        self._lus = 0

    def readable(self) -> bool:
        return True

    def readinto(self, tampon: memoryview) -> int:  # type: ignore[override]
        donnees = self._flux.read(len(tampon))
        self._lus += len(donnees)
        if self._lus > self._limite:
            raise SourceInvalideError(
                self._nom,
                f"une fois décompressé, ce fichier dépasse la limite de {_mo(self._limite)} : "
                "l'archive est refusée (archive piégée ou mauvais fichier)",
                correction="Joignez l'export tel que SIECLE ou STS-web le produit",
            )
        tampon[: len(donnees)] = donnees
        return len(donnees)

    def seekable(self) -> bool:
        return False

    def close(self) -> None:
        if not self.closed:
            try:
                self._flux.close()
                self._archive.close()
                self._brut.close()
            finally:
                super().close()
