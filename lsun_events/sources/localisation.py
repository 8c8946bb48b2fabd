"""Find the export files: a SIECLE folder or zip, and the STS-web file, into a ``JeuDocuments``.

As exported, SIECLE gives one zip per file (``ElevesSansAdresses.zip`` holding
``ElevesSansAdresses.xml``…); schools also unzip them into a folder, or zip the folder again. So a
SIECLE path may be a folder of XML files and/or zips, or a zip of XML files and/or zips. Files are
recognised by name (case-insensitive), zips by content (magic number). Zip members whose path starts
with ``.`` or ``__MACOSX`` are ignored. Nothing is extracted to disk: every ``Document`` re-opens its
file or member when read.

Bounded work (``LimitesZip``), linear in the size of what is given:

* each archive is opened once and its directory read once while looking for the exports (a zip inside
  a zip is copied once, bounded, into a temporary spool, then read from there); opening a document
  later re-opens only the archives on its own path;
* at most ``entrees_max`` files in all (the folder's and every archive's, nested ones included), counted
  from the archive's end record before its directory is parsed; at most ``profondeur_max`` levels of
  archives; at most ``taille_totale_max`` bytes uncompressed to look into nested archives;
* a document (plain file or member once uncompressed) over ``taille_max`` bytes, or a member with an
  absurd compression ratio, is refused from its declared size, and its reading stops past
  ``taille_max`` whatever it declared;
* only regular files are read: a device (``/dev/zero``), a pipe, a FIFO or a socket is refused before
  anything is read from it.

Every refusal is a ``SourceInvalideError`` in French naming the file or archive, the figure and the limit.
"""

from __future__ import annotations

import io
import os
import re
import struct
import tempfile
import zipfile
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import IO, BinaryIO, cast

from lsun_events.sources.documents import (
    TAILLE_MAX_DOCUMENT,
    Document,
    JeuDocuments,
    LectureBornee,
    erreur_non_ordinaire,
    erreur_systeme,
    erreur_trop_gros,
    nature_non_ordinaire,
    ouvrir_fichier,
    ouvrir_ordinaire,
    taille_lisible,
)
from lsun_events.sources.erreurs import SourceInvalideError

TAILLE_MAX_MEMBRE = TAILLE_MAX_DOCUMENT  # uncompressed bytes per document (plain file or zip member)
RATIO_MAX = 1000  # uncompressed / compressed, above which a member is a bomb
ENTREES_MAX = 10_000  # files in a folder and all its archives together
PROFONDEUR_MAX = 3  # a zip (1) in a zip (2) in a zip (3); deeper is refused
TAILLE_TOTALE_MAX = 1024 * 1024 * 1024  # bytes uncompressed, in all, to look into nested archives
_RATIO_SEUIL = 1024 * 1024  # members smaller than this are never judged on their ratio
_OCTETS_PAR_ENTREE = 1024  # a central directory larger than this per allowed entry is refused unparsed
_SEUIL_MEMOIRE = 4 * 1024 * 1024  # a nested archive is copied to disk past this size
_BLOC = 1024 * 1024
_MAGIES_ZIP = (b"PK\x03\x04", b"PK\x05\x06")
CORRECTION_EXPORT = "Joignez l'export tel que SIECLE ou STS-web le produit"
CORRECTION_ARCHIVE = "Téléchargez de nouveau l'export, sans l'ouvrir ni le modifier"

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
    """How much reading the exports may cost (tests lower the limits)."""

    taille_max: int = TAILLE_MAX_MEMBRE  # bytes of one document: plain file, or zip member once uncompressed
    ratio_max: float = RATIO_MAX
    entrees_max: int = ENTREES_MAX  # files of the folder and of all its archives, nested ones included
    profondeur_max: int = PROFONDEUR_MAX  # levels of archives: 1 a zip, 2 a zip in a zip…
    taille_totale_max: int = TAILLE_TOTALE_MAX  # bytes uncompressed in all to look into nested archives


@dataclass(frozen=True)
class _Entree:
    """A file found in a folder or an archive, not yet read."""

    nom: str  # shown to the user: path or "archive.zip!member.xml"
    base: str  # file name, lower case, for recognition
    ouvrir: Callable[[], BinaryIO]
    taille: int | None = None  # uncompressed size when known without reading
    crc: int | None = None  # CRC-32 as stored in the zip, when a zip member


class _Budget:
    """What one search for exports has used so far: files seen, bytes uncompressed."""

    def __init__(self, limites: LimitesZip) -> None:
        self.limites = limites
        self.entrees = 0
        self.octets = 0

    def compter(self, nom: str, nombre: int, *, dossier: bool = False) -> None:
        self.entrees += nombre
        if self.entrees > self.limites.entrees_max:
            raise _erreur_entrees(nom, nombre, self.entrees, self.limites.entrees_max, dossier=dossier)

    def reserver(self, nom: str, octets: int) -> None:
        """Bytes about to be uncompressed to look into a nested archive."""
        self.octets += octets
        if self.octets > self.limites.taille_totale_max:
            raise SourceInvalideError(
                nom,
                f"les archives imbriquées feraient en tout plus de {taille_lisible(self.limites.taille_totale_max)} "
                "une fois décompressées, la limite : l'archive est refusée (archive piégée ou mauvais fichier)",
                correction=CORRECTION_EXPORT,
            )


def localiser_exports(siecle: Path, sts: Path, *, limites: LimitesZip | None = None) -> JeuDocuments:
    """The documents of one snapshot: SIECLE folder or zip, and STS-web file or zip."""
    documents = localiser_siecle(siecle, limites=limites)
    return JeuDocuments(sts=localiser_sts(sts, limites=limites), **documents)


def localiser_siecle(chemin: Path, *, limites: LimitesZip | None = None) -> dict[str, Document]:
    """The SIECLE documents by role (``eleves`` always, the others when found)."""
    limites = limites or LimitesZip()
    chemin = Path(chemin)
    if not _est_dossier(chemin, "SIECLE") and not _est_zip_fichier(chemin):
        return {"eleves": Document.fichier(chemin, taille_max=limites.taille_max)}  # the pupils file given directly
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
    if not _est_dossier(chemin, "STS-web") and not _est_zip_fichier(chemin):
        return Document.fichier(chemin, taille_max=limites.taille_max)
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


def _est_dossier(chemin: Path, quoi: str) -> bool:
    """True for a folder, False for a regular file; anything else (missing, device, pipe…) is refused
    before it is opened."""
    try:
        mode = chemin.stat().st_mode
    except FileNotFoundError:
        raise SourceInvalideError(str(chemin), f"le chemin des exports {quoi} n'existe pas",
                                  correction="Vérifiez le chemin indiqué") from None
    except OSError as erreur:
        raise erreur_systeme(str(chemin), erreur) from None
    nature = nature_non_ordinaire(mode)
    if nature == "un dossier":
        return True
    if nature is not None:
        raise erreur_non_ordinaire(str(chemin), nature)
    return False


def _est_zip_fichier(chemin: Path) -> bool:
    with ouvrir_ordinaire(chemin) as flux:
        return flux.read(4) in _MAGIES_ZIP


def _entrees(chemin: Path, limites: LimitesZip) -> list[_Entree]:
    """The XML files of a folder or zip, and those of the zips inside them, each archive read once."""
    budget = _Budget(limites)
    if not chemin.is_dir():
        return _entrees_zip(str(chemin), _ouvreur_fichier(chemin), budget, 1)
    entrees: list[_Entree] = []
    for fichier in _fichiers_du_dossier(chemin, budget):
        if _est_zip_fichier(fichier):
            entrees += _entrees_zip(str(fichier), _ouvreur_fichier(fichier), budget, 1)
        elif fichier.name.lower().endswith(".xml"):
            entrees.append(_Entree(str(fichier), fichier.name.lower(),
                                   _ouvreur_document(fichier, limites.taille_max),
                                   taille=fichier.stat().st_size))
    return entrees


def _fichiers_du_dossier(dossier: Path, budget: _Budget) -> list[Path]:
    """The regular files of a folder (not hidden), sorted; counted, so a huge folder is refused early."""
    fichiers: list[Path] = []
    with os.scandir(dossier) as contenu:
        for numero, element in enumerate(contenu, start=1):
            if numero > budget.limites.entrees_max:  # stop counting: the folder is refused anyway
                raise _erreur_entrees(str(dossier), None, numero, budget.limites.entrees_max, dossier=True)
            if not element.name.startswith(".") and element.is_file():  # follows links; no device, no pipe
                fichiers.append(Path(element.path))
    budget.compter(str(dossier), len(fichiers), dossier=True)
    return sorted(fichiers)


def _ouvreur_fichier(chemin: Path) -> Callable[[], BinaryIO]:
    return lambda: ouvrir_ordinaire(chemin)


def _ouvreur_document(chemin: Path, taille_max: int) -> Callable[[], BinaryIO]:
    return lambda: ouvrir_fichier(chemin, taille_max=taille_max)


def _lire_repertoire(nom: str, flux: BinaryIO, budget: _Budget) -> zipfile.ZipFile:
    """The archive on the seekable ``flux``, its directory parsed once, after its end record said how many
    entries it holds (a ``ZipFile`` never closes a stream it was given)."""
    try:
        fin = zipfile._EndRecData(flux)  # type: ignore[attr-defined]
        if fin is None:
            raise zipfile.BadZipFile("fin d'archive introuvable")
        annoncees, repertoire = int(fin[4]), int(fin[5])  # _ECD_ENTRIES_TOTAL, _ECD_SIZE
        limite = budget.limites.entrees_max
        if budget.entrees + annoncees > limite:
            budget.compter(nom, annoncees)
        if repertoire > limite * _OCTETS_PAR_ENTREE:
            raise SourceInvalideError(
                nom,
                f"le répertoire de l'archive fait {taille_lisible(repertoire)}, plus que ce que "
                f"{limite} fichiers peuvent occuper : l'archive est refusée (archive piégée ou mauvais fichier)",
                correction=CORRECTION_EXPORT,
            )
        archive = zipfile.ZipFile(flux)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError, ValueError, OverflowError,
            struct.error, NotImplementedError) as erreur:  # NotImplementedError: a zip version zipfile cannot read
        raise _erreur_archive(nom, erreur) from None
    try:
        budget.compter(nom, len(archive.filelist))
    except BaseException:
        archive.close()
        raise
    return archive


def _erreur_archive(nom: str, erreur: BaseException) -> SourceInvalideError:
    return SourceInvalideError(nom, f"l'archive zip est illisible ou endommagée ({erreur})",
                               correction=CORRECTION_ARCHIVE)


def _membre_ignore(nom: str) -> bool:
    parties = [p for p in nom.replace("\\", "/").split("/") if p]
    return not parties or parties[0] == "__MACOSX" or any(p.startswith(".") for p in parties)


def _entrees_zip(nom: str, ouvrir: Callable[[], BinaryIO], budget: _Budget, profondeur: int, *,
                 flux: BinaryIO | None = None) -> list[_Entree]:
    """The XML files of the archive ``nom`` (``flux`` when already open, else ``ouvrir()``), and those of the
    archives it holds, each copied once to be looked into."""
    flux = flux if flux is not None else ouvrir()
    try:
        archive = _lire_repertoire(nom, flux, budget)
        with archive:
            return _parcourir(nom, ouvrir, archive, budget, profondeur)
    finally:
        flux.close()


def _parcourir(nom: str, ouvrir: Callable[[], BinaryIO], archive: zipfile.ZipFile, budget: _Budget,
               profondeur: int) -> list[_Entree]:
    limites = budget.limites
    entrees: list[_Entree] = []
    for info in archive.infolist():
        if info.is_dir() or _membre_ignore(info.filename):
            continue
        nom_membre = f"{nom}!{info.filename}"
        base = info.filename.replace("\\", "/").rsplit("/", 1)[-1].lower()
        est_xml = base.endswith(".xml")
        est_zip = base.endswith(".zip")
        if not est_xml and not est_zip:
            continue
        if est_zip or role_du_fichier(base):  # a member that will be read (others are only listed)
            _verifier_bombe(nom_membre, info, limites)
        ouvrir_membre = _ouvreur_membre(nom, ouvrir, info.filename, nom_membre, limites)
        if not est_zip:
            entrees.append(_Entree(nom_membre, base, ouvrir_membre, taille=info.file_size, crc=info.CRC))
            continue
        if profondeur >= limites.profondeur_max:
            raise _erreur_profondeur(nom_membre, profondeur + 1, limites.profondeur_max)
        budget.reserver(nom_membre, info.file_size)
        copie = _copier(nom_membre, lambda info=info: archive.open(info), limites)  # type: ignore[misc]
        entrees += _entrees_zip(nom_membre, _ouvreur_copie(nom_membre, ouvrir_membre, limites), budget,
                                profondeur + 1, flux=copie)
    return entrees


def _verifier_bombe(nom: str, info: zipfile.ZipInfo, limites: LimitesZip) -> None:
    taille = info.file_size
    compresse = info.compress_size
    if taille > limites.taille_max:
        raise erreur_trop_gros(nom, limites.taille_max, taille, decompresse=True)
    if taille > _RATIO_SEUIL and (compresse <= 0 or taille / compresse > limites.ratio_max):
        raise SourceInvalideError(
            nom,
            f"taux de compression anormal ({taille_lisible(compresse)} compressés pour {taille_lisible(taille)}) : "
            "l'archive est refusée (archive piégée ou endommagée)",
            correction=CORRECTION_EXPORT,
        )


def _erreur_profondeur(nom: str, niveau: int, limite: int) -> SourceInvalideError:
    return SourceInvalideError(
        nom,
        f"cette archive zip est imbriquée au niveau {niveau} (un zip dans un zip…), au-delà de la limite de "
        f"{limite} niveaux : l'archive est refusée",
        correction=("Décompressez les archives et joignez les fichiers XML exportés, ou les zips tels que SIECLE "
                    "les produit"),
    )


def _erreur_entrees(nom: str, nombre: int | None, total: int, limite: int, *, dossier: bool
                    ) -> SourceInvalideError:
    quoi = "le dossier contient" if dossier else "l'archive contient"
    combien = f"plus de {limite}" if nombre is None else str(nombre)
    deja = f" ({total} en tout avec ce qui a déjà été parcouru)" if nombre is not None and total > nombre else ""
    return SourceInvalideError(
        nom,
        f"{quoi} {combien} fichiers{deja}, plus que la limite de {limite} fichiers (archives imbriquées "
        f"comprises) : {'il' if dossier else 'elle'} est refusé{'' if dossier else 'e'}",
        correction=("Joignez seulement les exports SIECLE Base élèves et STS-web, dans un dossier ou un zip "
                    "qui ne contient qu'eux"),
    )


def _ouvrir_membre(nom_archive: str, ouvrir: Callable[[], BinaryIO], membre: str, nom_membre: str,
                   limites: LimitesZip) -> BinaryIO:
    """One member of the archive that ``ouvrir`` gives, read at most ``limites.taille_max`` bytes; closing
    it closes the archive and its file."""
    brut = ouvrir()
    try:
        archive = _lire_repertoire(nom_archive, brut, _Budget(limites))
    except BaseException:
        brut.close()
        raise
    try:
        flux = archive.open(membre)
    except (zipfile.BadZipFile, OSError, NotImplementedError, RuntimeError, KeyError) as erreur:
        archive.close()
        brut.close()
        raise SourceInvalideError(
            nom_membre, f"ce fichier de l'archive zip ne peut pas être lu ({erreur})",
            correction=CORRECTION_ARCHIVE,
        ) from None
    return cast("BinaryIO", LectureBornee(cast("BinaryIO", flux), nom_membre, limites.taille_max,
                                          decompresse=True, aussi=(archive, brut)))


def _ouvreur_membre(nom_archive: str, ouvrir: Callable[[], BinaryIO], membre: str, nom_membre: str,
                    limites: LimitesZip) -> Callable[[], BinaryIO]:
    return lambda: _ouvrir_membre(nom_archive, ouvrir, membre, nom_membre, limites)


def _copier(nom: str, ouvrir: Callable[[], IO[bytes]], limites: LimitesZip) -> BinaryIO:
    """A nested archive copied (at most ``taille_max`` bytes) into a spool that can be seeked: in memory,
    on disk past a few MB, gone once closed."""
    copie = cast("BinaryIO", tempfile.SpooledTemporaryFile(max_size=_SEUIL_MEMOIRE))  # noqa: SIM115
    try:
        try:
            source = ouvrir()
        except (zipfile.BadZipFile, OSError, NotImplementedError, RuntimeError) as erreur:
            raise SourceInvalideError(nom, f"ce fichier de l'archive zip ne peut pas être lu ({erreur})",
                                      correction=CORRECTION_ARCHIVE) from None
        with LectureBornee(cast("BinaryIO", source), nom, limites.taille_max, decompresse=True) as borne:
            try:
                while morceau := borne.read(_BLOC):
                    copie.write(morceau)
            except (zipfile.BadZipFile, OSError, EOFError, zlib.error) as erreur:
                raise _erreur_archive(nom, erreur) from None
        copie.seek(0)
    except BaseException:
        copie.close()
        raise
    return copie


def _ouvreur_copie(nom: str, ouvrir: Callable[[], BinaryIO], limites: LimitesZip) -> Callable[[], BinaryIO]:
    """A zip inside a zip, opened again: the member copied (bounded) into a spool that can be seeked."""
    return lambda: _copier(nom, ouvrir, limites)
