"""Errors of the sources: always a French message naming the file, the record and what to fix."""

from __future__ import annotations


class SourceInvalideError(Exception):
    """A source (export file, zip, S3E answer) cannot be used. Nothing is read from it."""

    def __init__(self, fichier: str, probleme: str, *, enregistrement: str | None = None,
                 correction: str | None = None) -> None:
        self.fichier = fichier
        self.probleme = probleme
        self.enregistrement = enregistrement
        self.correction = correction
        super().__init__(self.message)

    @property
    def message(self) -> str:
        texte = f"Fichier « {self.fichier} » : {self.probleme}"
        if self.enregistrement:
            texte += f" (enregistrement : {self.enregistrement})"
        if self.correction:
            texte += f". {self.correction}"
        return texte


class S3EIndisponibleError(SourceInvalideError):
    """The S3E web service cannot be reached, is too slow, or refuses the request."""
