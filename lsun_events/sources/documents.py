"""Where the bytes of one source snapshot come from: export files, zip members or S3E answers.

A ``Document`` is opened as many times as needed (a reader streams it once); it names itself in
every error message. A ``JeuDocuments`` is one snapshot's worth of documents.

Every read is bounded: a file on disk is opened only if it is a regular file (a device such as
``/dev/zero``, a pipe, a FIFO or a socket would be read without end, or block), its size is checked
when opened, and the stream stops with a French error past ``taille_max`` bytes, whatever the file
claims (``LectureBornee``; zip members are read through it too).
"""

from __future__ import annotations

import errno
import io
import os
import stat
import zipfile
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO, cast

from lsun_events.sources.erreurs import SourceInvalideError

TAILLE_MAX_DOCUMENT = 200 * 1024 * 1024  # bytes of one export document (plain file or zip member, uncompressed)
CORRECTION_FICHIER_ORDINAIRE = (
    "Enregistrez d'abord l'export dans un fichier (tel que SIECLE ou STS-web le produit) et indiquez ce "
    "fichier"
)


@dataclass(frozen=True)
class Document:
    nom: str  # as shown to the user: a path, "archive.zip!member.xml" or a URL
    ouvrir: Callable[[], BinaryIO]

    @classmethod
    def fichier(cls, chemin: Path, *, taille_max: int = TAILLE_MAX_DOCUMENT) -> Document:
        """A regular file on disk, named by its path, read at most ``taille_max`` bytes."""
        chemin = Path(chemin)
        return cls(nom=str(chemin), ouvrir=lambda: ouvrir_fichier(chemin, taille_max=taille_max))


@dataclass(frozen=True)
class JeuDocuments:
    """The SIECLE/BEE documents and the STS-web document of one établissement."""

    eleves: Document  # ElevesSansAdresses.xml or ElevesAvecAdresses.xml (required)
    sts: Document  # sts_emp_<UAI>_<année>.xml (required)
    responsables: Document | None = None
    nomenclature: Document | None = None
    structures: Document | None = None
    communs: Document | None = None
    origine: str = "fichiers"  # "fichiers" | "s3e"


# --- regular files only ---------------------------------------------------------------------------


def nature_non_ordinaire(mode: int) -> str | None:
    """What a non-regular file is, in French (``None`` for a regular file)."""
    if stat.S_ISREG(mode):
        return None
    if stat.S_ISDIR(mode):
        return "un dossier"
    if stat.S_ISFIFO(mode):
        return "un tube (pipe ou FIFO), qui ne peut être lu qu'une fois ou peut attendre sans fin"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "un périphérique (comme /dev/zero), dont la lecture peut ne jamais finir"
    if stat.S_ISSOCK(mode):
        return "une socket"
    return "un fichier spécial"


def erreur_non_ordinaire(nom: str, nature: str) -> SourceInvalideError:
    return SourceInvalideError(nom, f"ce n'est pas un fichier ordinaire mais {nature} : il n'est pas lu",
                               correction=CORRECTION_FICHIER_ORDINAIRE)


def erreur_systeme(nom: str, erreur: OSError) -> SourceInvalideError:
    """An ``OSError`` on opening a file, told in French (the system's own text is English)."""
    if isinstance(erreur, FileNotFoundError):
        return SourceInvalideError(nom, "le fichier n'existe pas (ou plus)", correction="Vérifiez le chemin indiqué")
    if isinstance(erreur, PermissionError):
        return SourceInvalideError(nom, "le fichier ne peut pas être lu : accès refusé",
                                   correction="Vérifiez les droits du fichier et du dossier qui le contient")
    if isinstance(erreur, IsADirectoryError):
        return erreur_non_ordinaire(nom, "un dossier")
    code = errno.errorcode.get(erreur.errno or 0, "inconnue")
    return SourceInvalideError(nom, f"le fichier n'a pas pu être lu (erreur système {code})",
                               correction="Vérifiez le fichier et le disque, puis réessayez")


def ouvrir_ordinaire(chemin: Path, nom: str | None = None) -> BinaryIO:
    """``chemin`` opened for reading if it is a regular file; a French ``SourceInvalideError`` otherwise.

    Opened without blocking (a FIFO with no writer would block ``open``), then checked on the open file
    itself, so a path swapped between a check and the open cannot get through."""
    nom = nom or str(chemin)
    drapeaux = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0) | getattr(os, "O_CLOEXEC", 0)
    try:
        descripteur = os.open(chemin, drapeaux)
    except OSError as erreur:
        raise erreur_systeme(nom, erreur) from None
    try:
        nature = nature_non_ordinaire(os.fstat(descripteur).st_mode)
        if nature is not None:
            raise erreur_non_ordinaire(nom, nature)
        return cast("BinaryIO", os.fdopen(descripteur, "rb"))
    except BaseException:
        os.close(descripteur)
        raise


def ouvrir_fichier(chemin: Path, *, taille_max: int = TAILLE_MAX_DOCUMENT, nom: str | None = None) -> BinaryIO:
    """A regular file opened for a reader that stops at ``taille_max`` bytes (checked first on its size)."""
    nom = nom or str(chemin)
    flux = ouvrir_ordinaire(chemin, nom)
    try:
        taille = os.fstat(flux.fileno()).st_size
        if taille > taille_max:
            raise erreur_trop_gros(nom, taille_max, taille)
    except BaseException:
        flux.close()
        raise
    return cast("BinaryIO", LectureBornee(flux, nom, taille_max))


# --- bounded reads --------------------------------------------------------------------------------


def taille_lisible(octets: int) -> str:
    if octets < 1024 * 1024:
        return f"{octets} octets"
    return f"{octets / (1024 * 1024):.1f} Mo"


def erreur_trop_gros(nom: str, limite: int, taille: int | None = None, *, decompresse: bool = False
                     ) -> SourceInvalideError:
    """A document over the size limit: ``taille`` when known (declared), else found while reading."""
    if decompresse:
        debut = (f"une fois décompressé, ce fichier ferait {taille_lisible(taille)}, plus que"
                 if taille is not None else "une fois décompressé, ce fichier dépasse")
        fin = "l'archive est refusée (archive piégée ou mauvais fichier)"
    else:
        debut = (f"ce fichier fait {taille_lisible(taille)}, plus que" if taille is not None
                 else "ce fichier dépasse")
        fin = "il est refusé (ce n'est pas un export, ou il est endommagé)"
    return SourceInvalideError(nom, f"{debut} la limite de {taille_lisible(limite)} : {fin}",
                               correction="Joignez l'export tel que SIECLE ou STS-web le produit")


class LectureBornee(io.RawIOBase):
    """A stream that stops with a French error beyond ``limite`` bytes, whatever its source claims, and
    closes ``aussi`` (the archive, the file under it…) when closed. With ``decompresse`` (a zip member), a
    damaged member (bad CRC, bad compressed data) is a French error too."""

    def __init__(self, flux: BinaryIO, nom: str, limite: int, *, decompresse: bool = False,
                 aussi: tuple[object, ...] = ()) -> None:
        super().__init__()
        self._flux = flux
        self._nom = nom
        self._limite = limite
        self._decompresse = decompresse
        self._aussi = aussi
        self.lus = 0

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return False

    def _compter(self, donnees: bytes) -> bytes:
        self.lus += len(donnees)
        if self.lus > self._limite:
            raise erreur_trop_gros(self._nom, self._limite, decompresse=self._decompresse)
        return donnees

    def read(self, taille: int | None = -1) -> bytes:
        if taille is None or taille < 0:
            taille = self._limite - self.lus + 1  # enough to see the limit crossed, never the whole of /dev/zero
        if not self._decompresse:
            return self._compter(self._flux.read(taille))
        try:
            return self._compter(self._flux.read(taille))
        except (zipfile.BadZipFile, zlib.error, EOFError) as erreur:  # a damaged member (bad CRC, bad deflate…)
            raise SourceInvalideError(
                self._nom, f"l'archive zip est endommagée : ce fichier ne se décompresse pas ({erreur})",
                correction="Téléchargez de nouveau l'export, sans l'ouvrir ni le modifier") from None

    def readall(self) -> bytes:
        return self.read(-1)

    def readinto(self, tampon: memoryview) -> int:  # type: ignore[override]
        donnees = self.read(len(tampon))
        tampon[: len(donnees)] = donnees
        return len(donnees)

    def close(self) -> None:
        if not self.closed:
            try:
                self._flux.close()
                for objet in self._aussi:
                    objet.close()  # type: ignore[attr-defined]
            finally:
                super().close()
