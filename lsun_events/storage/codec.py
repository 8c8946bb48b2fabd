"""The compiled codec of stored events (issue 18): MessagePack decoded by msgspec straight into typed values.

Stored format « lsun-mp1 »: the event's state (its fields but ``originator_id`` and ``originator_version``, which
the store's row holds) as one MessagePack map keyed by field name, preceded by the two bytes ``0xC1 0x01``. 0xC1
is the one byte MessagePack never uses and JSON never starts with: a state starting with it is this codec's, the
second byte its version; any other state is the JSON of earlier versions (``TranscodeurLsun``, envelopes
``{"_type_": …, "_data_": …}``), read as before. Compression and encryption apply to these bytes as to the JSON.

Decoding: one msgspec decoder per event class, built from the class's field annotations (a ``TypedDict`` of its
fields, none required: a field missing from an older event keeps its class default, as with the JSON); the frozen
values (``Acquis``, ``Periode``, ``IdentiteEleve``…) are built by msgspec as the dataclasses they are. The meaning of
a stored field never changes with the format: the same names, the same values.

Two details:

- a field typed ``Any`` (``Changement.ancien`` / ``nouveau``: a name, a date, a tuple of guardians…) has no type to
  decode into: its value is written in the JSON codec's tagged form (``_type_`` / ``_data_``) inside the
  MessagePack, and read back by that codec — the same values, typed, whatever the field;
- msgspec calls a dataclass's ``__post_init__`` after building it; the values' one (``Valeur.__post_init__``)
  turns lists into tuples, which msgspec already does from the annotations: the decoders are built with it
  hidden, so that msgspec's type cache skips it (twice faster; if a msgspec version no longer cached it, the
  values would still be right, only slower)."""

from __future__ import annotations

import json
import threading
import typing
from collections.abc import Hashable
from dataclasses import fields
from typing import Any, TypedDict, cast

import msgspec
from eventsourcing.domain import DomainEventProtocol
from eventsourcing.persistence import (
    Mapper,
    MapperDeserialisationError,
    StoredEvent,
    Transcoder,
    find_id_convertor,
)
from eventsourcing.utils import get_topic, resolve_topic

from lsun_events.aggregates.evenements import EVENEMENTS
from lsun_events.aggregates.valeurs import Changement, Valeur

MARQUE = b"\xc1"  # never a MessagePack byte, never the start of JSON
VERSION = 1
ENTETE = MARQUE + bytes([VERSION])
NOM_DU_FORMAT = "lsun-mp1"
_TECHNIQUES = ("originator_id", "originator_version")


class _ChangementStocke(TypedDict):
    champ: str
    ancien: Any  # the JSON codec's tagged form
    nouveau: Any


def _champs_changements(hints: dict[str, Any]) -> tuple[str, ...]:
    return tuple(nom for nom, t in hints.items() if typing.get_args(t) == (Changement,))


class Schema:
    """How one event class is written and read."""

    def __init__(self, classe: type[Any], decodeur: msgspec.msgpack.Decoder[Any], changements: tuple[str, ...]):
        self.classe = classe
        self.decodeur = decodeur
        self.changements = changements  # fields holding ``Changement`` values (their ``Any`` parts tagged)


_verrou = threading.Lock()
_typeddict: Any = TypedDict  # called with computed fields (the type checker wants literal ones)


def _construire(classes: tuple[type[Any], ...]) -> dict[type[Any], Schema]:
    schemas: dict[type[Any], Schema] = {}
    for classe in classes:
        hints = typing.get_type_hints(classe)
        noms = [f.name for f in fields(classe) if f.name not in _TECHNIQUES]
        changements = _champs_changements({n: hints[n] for n in noms})
        types = {n: (list[_ChangementStocke] if n in changements else hints[n]) for n in noms}
        forme = _typeddict(f"Etat{classe.__name__}", types, total=False)
        decodeur = msgspec.msgpack.Decoder(forme)
        decodeur.decode(msgspec.msgpack.encode({}))  # builds (and caches) the type information now
        schemas[classe] = Schema(classe, decodeur, changements)
    return schemas


def _prechauffer() -> dict[type[Any], Schema]:
    """Once, when this module is imported (before the process starts any thread): the decoders of every event
    class built with ``Valeur.__post_init__`` hidden, so that msgspec caches the values' type information without
    it. Never later: a value built by another thread while the method is hidden would fail."""
    with _verrou:
        post_init = Valeur.__dict__.get("__post_init__")
        if post_init is not None:
            delattr(Valeur, "__post_init__")
        try:
            return _construire(EVENEMENTS)
        finally:
            if post_init is not None:
                Valeur.__post_init__ = post_init  # type: ignore[method-assign]


_SCHEMAS = _prechauffer()


def _schemas(classes: tuple[type[Any], ...]) -> dict[type[Any], Schema]:
    """The schemas of ``classes``: those built at import (decoders are shared: they keep no state), others built
    now, the class left as it is."""
    if all(c in _SCHEMAS for c in classes):
        return {c: _SCHEMAS[c] for c in classes}
    return _construire(classes)


class MapperLsun(Mapper[Any]):
    """The library's mapper with the compiled codec: writes « lsun-mp1 », reads it and the JSON of earlier
    versions (with their upcasting, as the library does). Events of classes it does not know (none today) are
    written as JSON by ``transcoder``."""

    def __init__(self, transcoder: Transcoder, compressor: Any = None, cipher: Any = None,
                 classes: tuple[type[Any], ...] = EVENEMENTS) -> None:
        super().__init__(transcoder, compressor=compressor, cipher=cipher)
        self.schemas = _schemas(classes)
        self._encodeur = msgspec.msgpack.Encoder()
        self._classes: dict[str, type[Any]] = {}

    # Writing ---------------------------------------------------------------------------------------------------
    def to_stored_event(self, domain_event: DomainEventProtocol[Any]) -> StoredEvent:
        schema = self.schemas.get(type(domain_event))
        if schema is None or getattr(type(domain_event), "class_version", 1) > 1:  # upcast classes: as JSON
            return super().to_stored_event(domain_event)
        etat = dict(vars(domain_event))
        originator_id = etat.pop("originator_id")
        originator_version = etat.pop("originator_version")
        for nom in schema.changements:
            etat[nom] = [{"champ": c.champ, "ancien": self._etiqueter(c.ancien), "nouveau": self._etiqueter(c.nouveau)}
                         for c in etat[nom]]
        stocke = ENTETE + self._encodeur.encode(etat)
        if self.compressor:
            stocke = self.compressor.compress(stocke)
        if self.cipher:
            stocke = self.cipher.encrypt(stocke)
        return StoredEvent(originator_id=originator_id, originator_version=originator_version,
                           topic=get_topic(type(domain_event)), state=stocke)

    def _etiqueter(self, valeur: Any) -> Any:
        """A value of any type in the JSON codec's tagged form (plain data)."""
        if valeur is None or type(valeur) in (str, int, bool, float):
            return valeur
        return json.loads(self.transcoder.encode(valeur))

    def _lire_etiquete(self, donnees: Any) -> Any:
        if donnees is None or type(donnees) in (str, int, bool, float):
            return donnees
        valeur = self.transcoder.decode(msgspec.json.encode(donnees))
        return tuple(valeur) if type(valeur) is list else valeur  # as ``Changement.__post_init__`` stores it

    # Reading ---------------------------------------------------------------------------------------------------
    def _classe(self, topic: str) -> type[Any]:
        classe = self._classes.get(topic)
        if classe is None:
            classe = self._classes[topic] = cast("type[Any]", resolve_topic(topic))
        return classe

    def to_domain_event(self, stored_event: StoredEvent) -> DomainEventProtocol[Any]:
        classe = self._classe(stored_event.topic)
        etat_stocke = stored_event.state
        try:
            if self.cipher:
                etat_stocke = self.cipher.decrypt(etat_stocke)
            if self.compressor:
                etat_stocke = self.compressor.decompress(etat_stocke)
            if etat_stocke[:1] == MARQUE:
                etat = self._decoder(classe, etat_stocke)
            else:
                etat = self.transcoder.decode(etat_stocke)
                self._upcaster(classe, etat)
        except Exception as e:
            raise MapperDeserialisationError(
                f"Failed to deserialise state of stored event with topic '{stored_event.topic}', originator_id "
                f"'{stored_event.originator_id}' and originator_version {stored_event.originator_version}: "
                f"{e}") from e
        originator_id = stored_event.originator_id
        etat["originator_id"] = find_id_convertor(cast("Hashable", classe), cast("Hashable", type(originator_id)))(
            originator_id)
        etat["originator_version"] = stored_event.originator_version
        evenement = object.__new__(classe)
        object.__setattr__(evenement, "__dict__", etat)
        return cast("DomainEventProtocol[Any]", evenement)

    def _decoder(self, classe: type[Any], etat_stocke: bytes) -> dict[str, Any]:
        if etat_stocke[1] != VERSION:
            raise ValueError(f"format d'événement inconnu (version {etat_stocke[1]} ; ce code lit {NOM_DU_FORMAT})")
        schema = self.schemas.get(classe)
        if schema is None:
            raise ValueError(f"{classe.__qualname__} n'a pas de schéma {NOM_DU_FORMAT}")
        etat: dict[str, Any] = schema.decodeur.decode(memoryview(etat_stocke)[2:])
        for nom in schema.changements:
            if nom in etat:
                lire = self._lire_etiquete
                etat[nom] = [Changement(c["champ"], lire(c["ancien"]), lire(c["nouveau"])) for c in etat[nom]]
        return etat

    @staticmethod
    def _upcaster(classe: type[Any], etat: dict[str, Any]) -> None:
        """The library's upcasting of older event versions (``class_version``, ``upcast_vN_vN+1``)."""
        version = getattr(classe, "class_version", 1)
        depuis = etat.pop("class_version", 1)
        while depuis < version:
            getattr(classe, f"upcast_v{depuis}_v{depuis + 1}")(etat)
            depuis += 1

