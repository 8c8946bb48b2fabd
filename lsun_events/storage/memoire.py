"""Memory during bulk work: the cyclic garbage collector suspended while a run or a view's catch-up builds and
frees tens of thousands of small objects (events, values, rows) that hold no cycle."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def sans_ramasse_miettes() -> Iterator[None]:
    """Suspend the cyclic garbage collector while a run builds its tens of thousands of small objects
    (measured: loading a 1,000-pupil school's aggregates goes from 0.5 s to 0.2 s). Reference counting still
    frees memory; the collector runs again as soon as the block ends."""
    actif = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if actif:
            gc.enable()
