"""Slowing down password guessing on the login form. After ``echecs_max`` failures for one identifiant (or
``echecs_max_par_adresse`` from one address) within ``fenetre`` seconds, that identifiant (or address) is refused
until the oldest failure leaves the window, without the password being checked at all. A success clears the
identifiant's failures. Kept in memory: the page is served by a single process (see README)."""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field

CLES_MAX = 10_000  # above this many keys, those without a recent failure are forgotten


@dataclass
class LimiteConnexions:
    echecs_max: int = 5
    echecs_max_par_adresse: int = 20
    fenetre: float = 900.0
    horloge: Callable[[], float] = time.monotonic
    _echecs: dict[str, deque[float]] = field(default_factory=dict)
    _verrou: threading.Lock = field(default_factory=threading.Lock)

    def attente(self, identifiant: str, adresse: str | None) -> float:
        """Seconds before this identifiant (and address) may try again; 0: now."""
        maintenant = self.horloge()
        with self._verrou:
            return max(self._attente(_cle_identifiant(identifiant), self.echecs_max, maintenant),
                       self._attente(_cle_adresse(adresse), self.echecs_max_par_adresse, maintenant))

    def echec(self, identifiant: str, adresse: str | None) -> None:
        maintenant = self.horloge()
        with self._verrou:
            if len(self._echecs) >= CLES_MAX:
                self._oublier(maintenant)
            for cle in (_cle_identifiant(identifiant), _cle_adresse(adresse)):
                self._echecs.setdefault(cle, deque()).append(maintenant)

    def succes(self, identifiant: str) -> None:
        with self._verrou:
            self._echecs.pop(_cle_identifiant(identifiant), None)

    def _attente(self, cle: str, maximum: int, maintenant: float) -> float:
        echecs = self._echecs.get(cle)
        if not echecs:
            return 0.0
        while echecs and echecs[0] <= maintenant - self.fenetre:
            echecs.popleft()
        if len(echecs) < maximum:
            return 0.0
        return echecs[-maximum] + self.fenetre - maintenant

    def _oublier(self, maintenant: float) -> None:
        for cle in [c for c, e in self._echecs.items() if not e or e[-1] <= maintenant - self.fenetre]:
            del self._echecs[cle]


def _cle_identifiant(identifiant: str) -> str:
    return f"identifiant:{identifiant.strip().lower()}"


def _cle_adresse(adresse: str | None) -> str:
    return f"adresse:{adresse or 'inconnue'}"
