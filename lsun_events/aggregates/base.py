"""The project's base aggregate: every event says who caused it (acteur) and in which run
(synchronisation), read from a context set by the use case, and has an explicit stable topic."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from uuid import NAMESPACE_URL, UUID, uuid5

from eventsourcing.domain import Aggregate

from lsun_events.aggregates.erreurs import ActeurManquantError

NAMESPACE_LSUN = uuid5(NAMESPACE_URL, "urn:lsun-events:identifiants")


@dataclass(frozen=True)
class Contexte:
    acteur: str
    synchronisation: str | None = None


_contexte: ContextVar[Contexte | None] = ContextVar("lsun_contexte", default=None)


@contextmanager
def contexte(acteur: str, synchronisation: UUID | str | None = None) -> Iterator[Contexte]:
    """Every event triggered inside this block records this acteur and run."""
    if not acteur or not acteur.strip():
        raise ActeurManquantError
    valeur = Contexte(acteur.strip(), str(synchronisation) if synchronisation else None)
    jeton = _contexte.set(valeur)
    try:
        yield valeur
    finally:
        _contexte.reset(jeton)


def _acteur_courant() -> str:
    ctx = _contexte.get()
    if ctx is None:
        raise ActeurManquantError
    return ctx.acteur


def _synchronisation_courante() -> str | None:
    ctx = _contexte.get()
    return ctx.synchronisation if ctx else None


def identifiant(*cle: str) -> UUID:
    """Deterministic aggregate id from a natural key (SPEC §2)."""
    return uuid5(NAMESPACE_LSUN, ":".join(cle))


class LsunAggregate(Aggregate):
    """Base of every LSUN aggregate."""

    class Event(Aggregate.Event):
        acteur: str = field(default_factory=_acteur_courant, kw_only=True)
        synchronisation: str | None = field(default_factory=_synchronisation_courante, kw_only=True)

    class Created(Event, Aggregate.Created):
        pass
