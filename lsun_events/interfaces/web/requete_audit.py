"""The audit page's filters (pupil, teacher, run, acteur, days) and the lists its form offers; the search itself
is ``requetes_audit.rechercher``."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from lsun_events.projections.base import Curseur
from lsun_events.projections.requetes_audit import PageAudit, acteurs, rechercher
from lsun_events.projections.vue_courante import TABLES

LIMITE = 100

__all__ = ["LIMITE", "FiltresAudit", "acteurs", "enseignants", "journal"]


@dataclass(frozen=True)
class FiltresAudit:
    eleve: str | None = None
    enseignant: str | None = None
    synchronisation: str | None = None
    acteur: str | None = None
    du: date | None = None
    au: date | None = None

    def en_dict(self) -> dict[str, Any]:
        return {k: (v.isoformat() if isinstance(v, date) else v) for k, v in self.__dict__.items() if v}


def journal(c: Curseur, uai: str, filtres: FiltresAudit, *, limite: int = LIMITE, decalage: int = 0) -> PageAudit:
    """Newest first, every filter given at once (« au » the last day there is: no upper bound)."""
    return rechercher(c, uai, eleve=filtres.eleve, enseignant=filtres.enseignant,
                      synchronisation=filtres.synchronisation, acteur=filtres.acteur, depuis=filtres.du,
                      jusqu_au=filtres.au if filtres.au != date.max else None, limite=limite, decalage=decalage)


def enseignants(c: Curseur, uai: str) -> list[dict[str, Any]]:
    """The school's teachers (``cle``, ``nom_affiche``) from the current view, for the filter's list."""
    table = c.dialecte.table(TABLES["enseignants"].nom)
    return c.lignes(f"SELECT cle, nom_affiche FROM {table} WHERE uai = ? ORDER BY nom_usage, prenom", (uai.upper(),))
