"""How events are stored: transcodings for dates and the domain's frozen values."""

from __future__ import annotations

from dataclasses import fields
from datetime import date
from typing import Any

from eventsourcing.persistence import JSONTranscoder, Transcoding

from lsun_events.aggregates.valeurs import VALEURS, Valeur


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
        return self.type(**data)


def enregistrer_transcodings(transcoder: JSONTranscoder) -> None:
    transcoder.register(DateAsISO())
    for cls in VALEURS:
        transcoder.register(ValeurAsDict(cls))
