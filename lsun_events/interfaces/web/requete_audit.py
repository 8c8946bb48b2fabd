"""The audit log with any combination of filters at once (pupil, teacher, run, acteur, days), as the page's
form asks it; ``requetes_audit`` has one function per key. Same rows and pages as ``requetes_audit``."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from lsun_events.projections.audit import JOURNAL
from lsun_events.projections.base import Curseur
from lsun_events.projections.requetes_audit import LigneAudit, PageAudit
from lsun_events.projections.vue_courante import TABLES

LIMITE = 100


@dataclass(frozen=True)
class FiltresAudit:
    eleve: str | None = None
    enseignant: str | None = None
    synchronisation: str | None = None
    acteur: str | None = None
    du: date | None = None
    au: date | None = None

    def conditions(self, uai: str) -> list[tuple[str, Any]]:
        conditions: list[tuple[str, Any]] = [("uai = ?", uai.upper())]
        for colonne, valeur in (("eleve_id", self.eleve), ("enseignant", self.enseignant),
                                ("synchronisation", self.synchronisation), ("acteur", self.acteur)):
            if valeur:
                conditions.append((f"{colonne} = ?", valeur))
        if self.du is not None:
            conditions.append(("horodatage >= ?", self.du.isoformat()))
        if self.au is not None:
            conditions.append(("horodatage < ?", (self.au + timedelta(days=1)).isoformat()))
        return conditions

    def en_dict(self) -> dict[str, Any]:
        return {k: (v.isoformat() if isinstance(v, date) else v) for k, v in self.__dict__.items() if v}


def _valeur(texte: str | None) -> Any:
    return None if texte is None else json.loads(texte)


def _ligne(x: dict[str, Any]) -> LigneAudit:
    return LigneAudit(
        position=x["position"], date=x["horodatage"], acteur=x["acteur"], synchronisation=x["synchronisation"],
        agregat=x["agregat_type"], agregat_id=x["agregat"], version=x["version"], nom=x["nom"],
        evenement=x["evenement"], champ=x["champ"], ancien=_valeur(x["ancien"]), nouveau=_valeur(x["nouveau"]),
        uai=x["uai"], eleve_id=x["eleve_id"], enseignant=x["enseignant"], division=x["division"])


def journal(c: Curseur, uai: str, filtres: FiltresAudit, *, limite: int = LIMITE, decalage: int = 0) -> PageAudit:
    """Newest first."""
    conditions = filtres.conditions(uai)
    where = " AND ".join(f"({sql})" for sql, _ in conditions)
    parametres = [v for _, v in conditions]
    table = c.dialecte.table(JOURNAL)
    total = c.lignes(f"SELECT COUNT(*) AS n FROM {table} WHERE {where}", parametres)[0]["n"]
    lignes = c.lignes(f"SELECT * FROM {table} WHERE {where} ORDER BY position DESC, rang LIMIT ? OFFSET ?",
                      [*parametres, limite, decalage])
    return PageAudit([_ligne(x) for x in lignes], total, limite, decalage)


def acteurs(c: Curseur, uai: str) -> list[str]:
    table = c.dialecte.table(JOURNAL)
    return [x["acteur"] for x in c.lignes(f"SELECT DISTINCT acteur FROM {table} WHERE uai = ? ORDER BY acteur",
                                          (uai.upper(),))]


def enseignants(c: Curseur, uai: str) -> list[dict[str, Any]]:
    """The school's teachers (``cle``, ``nom_affiche``) from the current view, for the filter's list."""
    table = c.dialecte.table(TABLES["enseignants"].nom)
    return c.lignes(f"SELECT cle, nom_affiche FROM {table} WHERE uai = ? ORDER BY nom_usage, prenom", (uai.upper(),))
