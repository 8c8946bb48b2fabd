"""Slowing down password guessing on the login form. After ``echecs_max`` failures for one identifiant (or
``echecs_max_par_adresse`` from one address) within ``fenetre`` seconds, that identifiant (or address) is refused
until the oldest failure leaves the window, without the password being checked at all. A success clears the
identifiant's failures. The failures are kept in a table of the store (``Registre`` « web »), so every process
serving the page counts the same attempts; the clock is the wall clock, which those processes share."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field

from lsun_events.storage.registre import Registre

TABLE = "web_echecs_connexion"


def creer_table(registre: Registre) -> None:
    """The table (``lsun-events migrer`` creates it too, and the server when it starts)."""
    table = registre.table(TABLE)
    with registre.transaction() as c:
        c.executer(f"CREATE TABLE IF NOT EXISTS {table} (cle TEXT, horodatage DOUBLE PRECISION)")
        c.executer(f"CREATE INDEX IF NOT EXISTS {TABLE}_cle ON {table} (cle, horodatage)")


@dataclass
class LimiteConnexions:
    registre: Registre
    echecs_max: int = 5
    echecs_max_par_adresse: int = 20
    fenetre: float = 900.0
    horloge: Callable[[], float] = time.time
    table: str = field(init=False)

    def __post_init__(self) -> None:
        self.table = self.registre.table(TABLE)
        creer_table(self.registre)

    def attente(self, identifiant: str, adresse: str | None) -> float:
        """Seconds before this identifiant (and address) may try again; 0: now."""
        maintenant = self.horloge()
        cles = {_cle_identifiant(identifiant): self.echecs_max, _cle_adresse(adresse): self.echecs_max_par_adresse}
        with self.registre.transaction() as c:
            lignes = c.lignes(f"SELECT cle, horodatage FROM {self.table} WHERE cle IN (?, ?) AND horodatage > ? "
                              "ORDER BY horodatage", (*cles, maintenant - self.fenetre))
        attente = 0.0
        for cle, maximum in cles.items():
            echecs = [x["horodatage"] for x in lignes if x["cle"] == cle]
            if len(echecs) >= maximum:
                attente = max(attente, echecs[-maximum] + self.fenetre - maintenant)
        return attente

    def echec(self, identifiant: str, adresse: str | None) -> None:
        maintenant = self.horloge()
        with self.registre.transaction() as c:
            c.executer(f"DELETE FROM {self.table} WHERE horodatage <= ?", (maintenant - self.fenetre,))
            c.executer_plusieurs(f"INSERT INTO {self.table} (cle, horodatage) VALUES (?, ?)",
                                 [(_cle_identifiant(identifiant), maintenant), (_cle_adresse(adresse), maintenant)])

    def succes(self, identifiant: str) -> None:
        with self.registre.transaction() as c:
            c.executer(f"DELETE FROM {self.table} WHERE cle = ?", (_cle_identifiant(identifiant),))


def _cle_identifiant(identifiant: str) -> str:
    return f"identifiant:{identifiant.strip().lower()}"


def _cle_adresse(adresse: str | None) -> str:
    return f"adresse:{adresse or 'inconnue'}"
