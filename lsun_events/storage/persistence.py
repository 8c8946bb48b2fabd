"""How events are stored: transcodings for dates and the domain's frozen values."""

from __future__ import annotations

import json
from collections.abc import Callable
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
        self._champs = tuple(f.name for f in fields(cls))

    def encode(self, obj: Valeur) -> dict[str, Any]:
        return {nom: getattr(obj, nom) for nom in self._champs}

    def decode(self, data: dict[str, Any]) -> Valeur:
        if len(data) != len(self._champs):  # an older value without a newer field: its default applies
            return self.type(**data)
        # Fast path (values are read by the thousand when a run loads its aggregates or a view catches up):
        # the fields as stored, lists back to tuples, without running the dataclass machinery. ``data`` is
        # the decoder's own fresh dict: changing its values in place is safe.
        for nom, v in data.items():
            if type(v) is list:
                data[nom] = tuple(v)
        valeur: Valeur = object.__new__(self.type)
        valeur.__dict__.update(data)
        return valeur


class RefEnseignantAsText(Transcoding):
    """A teacher's key as "type:id-sts" (bilans carry many of them: a compact form reads faster)."""

    type = RefEnseignant
    name = "lsun:RefEnseignant"

    def encode(self, obj: RefEnseignant) -> str:
        return obj.cle

    def __init__(self) -> None:
        self._connues: dict[str, RefEnseignant] = {}  # frozen values: one object per key is shared

    def decode(self, data: str) -> RefEnseignant:
        ref = self._connues.get(data)
        if ref is None:
            if len(self._connues) >= 100_000:
                self._connues.clear()
            ref = self._connues[data] = RefEnseignant.depuis_cle(data)
        return ref


class TranscodeurLsun(JSONTranscoder):
    """The library's JSON transcoder (same stored format), with a leaner decoding hook: the JSON parser calls
    it for every object of every event read (some twenty-five per event), so it goes straight from the
    ``_type_`` name to the decoding function. An unknown name still gets the library's error."""

    def __init__(self) -> None:
        super().__init__()
        self._decodeurs: dict[str, Callable[[Any], Any]] = {}
        self.decoder = json.JSONDecoder(object_hook=self._crochet())

    def register(self, transcoding: Transcoding) -> None:
        super().register(transcoding)
        self._decodeurs[transcoding.name] = transcoding.decode

    def _crochet(self) -> Callable[[dict[str, Any]], Any]:
        decodeurs = self._decodeurs
        par_defaut = self._decode_obj

        def crochet(d: dict[str, Any]) -> Any:
            if len(d) == 2 and "_type_" in d and "_data_" in d:
                decodeur = decodeurs.get(d["_type_"])
                return par_defaut(d) if decodeur is None else decodeur(d["_data_"])
            return d

        return crochet


def enregistrer_transcodings(transcoder: JSONTranscoder) -> None:
    transcoder.register(DateAsISO())
    for cls in VALEURS:
        transcoder.register(RefEnseignantAsText() if cls is RefEnseignant else ValeurAsDict(cls))
