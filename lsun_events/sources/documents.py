"""Where the bytes of one source snapshot come from: export files, zip members or S3E answers.

A ``Document`` is opened as many times as needed (a reader streams it once); it names itself in
every error message. A ``JeuDocuments`` is one snapshot's worth of documents.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO


@dataclass(frozen=True)
class Document:
    nom: str  # as shown to the user: a path, "archive.zip!member.xml" or a URL
    ouvrir: Callable[[], BinaryIO]

    @classmethod
    def fichier(cls, chemin: Path) -> Document:
        """A file on disk, named by its path."""
        return cls(nom=str(chemin), ouvrir=lambda: chemin.open("rb"))


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
