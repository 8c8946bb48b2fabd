"""How events are stored: transcodings for dates and the domain's frozen values."""

from __future__ import annotations

from dataclasses import fields
from datetime import date
from typing import Any

from eventsourcing.persistence import JSONTranscoder, Transcoding

from lsun_events.aggregates.valeurs import VALEURS, RefEnseignant, Valeur


class DateAsISO(Transcoding):
    type = date
    name = "date_iso"

    def encode(self, obj: date) -> str:
        return obj.isoformat()

    def decode(self, data: str) -> date:
        return date.fromisoformat(data)


class ValeurAsDict(Transcoding):
    """A frozen domain value as a dict of its fields; the name is stable ("lsun:" + class name)."""

    def __init__(self, cls: type[Valeur]) -> None:
        self.type = cls
        self.name = f"lsun:{cls.__name__}"
        self._champs = tuple(f.name for f in fields(cls))  # type: ignore[arg-type]

    def encode(self, obj: Valeur) -> dict[str, Any]:
        return {nom: getattr(obj, nom) for nom in self._champs}

    def decode(self, data: dict[str, Any]) -> Valeur:
        if len(data) != len(self._champs):  # an older value without a newer field: its default applies
            return self.type(**data)
        # Fast path (values are read by the thousand when a run loads its aggregates): the fields as
        # stored, lists back to tuples, without running the dataclass machinery.
        valeur = object.__new__(self.type)
        valeur.__dict__.update({k: tuple(v) if type(v) is list else v for k, v in data.items()})
        return valeur


class RefEnseignantAsText(Transcoding):
    """A teacher's key as "type:id-sts" (bilans carry many of them: a compact form reads faster)."""

    type = RefEnseignant
    name = "lsun:RefEnseignant"

    def encode(self, obj: RefEnseignant) -> str:
        return obj.cle

    def decode(self, data: str) -> RefEnseignant:
        type_, id_sts = data.split(":", 1)
        return RefEnseignant(type_, id_sts)


def enregistrer_transcodings(transcoder: JSONTranscoder) -> None:
    transcoder.register(DateAsISO())
    for cls in VALEURS:
        transcoder.register(RefEnseignantAsText() if cls is RefEnseignant else ValeurAsDict(cls))
