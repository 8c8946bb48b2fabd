""""Qui a modifié quoi": the audit log by pupil, by teacher, by run, by acteur — newest first, a page at a time
(``limite``/``decalage``), optionally between two days (UTC, both included). Plain functions over a
``Curseur`` of the ``audit`` view: ``with systeme.lire("audit") as c: par_eleve(c, uai, "1001")``; a search
form's criteria (the audit page, the API) as one value, ``FiltresAudit``, for ``par_filtres``."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from datetime import date, timedelta
from typing import Any

from lsun_events.projections.audit import JOURNAL
from lsun_events.projections.base import Curseur
from lsun_events.regles.audit_fr import libelle_champ, libelle_evenement, valeur_audit

LIMITE = 50


@dataclass(frozen=True)
class LigneAudit:
    position: int
    date: str  # ISO 8601, UTC
    acteur: str
    synchronisation: str | None
    agregat: str  # "eleve" | "enseignant" | "bilan" | "division" | "etablissement" | "synchronisation"
    agregat_id: str
    version: int
    nom: str
    evenement: str
    champ: str
    ancien: Any  # the JSON value, None when absent
    nouveau: Any
    uai: str
    eleve_id: str | None
    enseignant: str | None
    division: str | None

    @property
    def evenement_libelle(self) -> str:
        """« Élève mis à jour » for ``EleveMisAJour``."""
        return libelle_evenement(self.evenement)

    @property
    def champ_libelle(self) -> str:
        """« Prénoms » for ``prenoms``."""
        return libelle_champ(self.champ)

    @property
    def ancien_texte(self) -> str:
        """The old value in readable French (empty: no value)."""
        return valeur_audit(self.champ, self.ancien, self.division)

    @property
    def nouveau_texte(self) -> str:
        return valeur_audit(self.champ, self.nouveau, self.division)

    def en_dict(self) -> dict[str, Any]:
        """The row with its stable technical names, and their French labels beside them."""
        return {**asdict(self), "evenement_libelle": self.evenement_libelle, "champ_libelle": self.champ_libelle}


@dataclass(frozen=True)
class PageAudit:
    lignes: list[LigneAudit]
    total: int
    limite: int
    decalage: int

    def en_dict(self) -> dict[str, Any]:
        return {"total": self.total, "limite": self.limite, "decalage": self.decalage,
                "lignes": [x.en_dict() for x in self.lignes]}


def _valeur(texte: str | None) -> Any:
    return None if texte is None else json.loads(texte)


def _ligne(x: dict[str, Any]) -> LigneAudit:
    return LigneAudit(
        position=x["position"], date=x["horodatage"], acteur=x["acteur"], synchronisation=x["synchronisation"],
        agregat=x["agregat_type"], agregat_id=x["agregat"], version=x["version"], nom=x["nom"],
        evenement=x["evenement"], champ=x["champ"], ancien=_valeur(x["ancien"]), nouveau=_valeur(x["nouveau"]),
        uai=x["uai"], eleve_id=x["eleve_id"], enseignant=x["enseignant"], division=x["division"])


def _page(c: Curseur, conditions: list[tuple[str, Any]], *, limite: int, decalage: int,
          depuis: date | None, jusqu_au: date | None) -> PageAudit:
    if depuis is not None:
        conditions.append(("horodatage >= ?", depuis.isoformat()))
    if jusqu_au is not None and jusqu_au < date.max:  # the last day has no end to compare with
        conditions.append(("horodatage < ?", (jusqu_au + timedelta(days=1)).isoformat()))
    where = " AND ".join(f"({sql})" for sql, _ in conditions)
    parametres = [v for _, v in conditions]
    table = c.dialecte.table(JOURNAL)
    total = c.lignes(f"SELECT COUNT(*) AS n FROM {table} WHERE {where}", parametres)[0]["n"]
    lignes = c.lignes(f"SELECT * FROM {table} WHERE {where} ORDER BY position DESC, rang LIMIT ? OFFSET ?",
                      [*parametres, limite, decalage])
    return PageAudit([_ligne(x) for x in lignes], total, limite, decalage)


def rechercher(c: Curseur, uai: str, *, eleve: str | None = None, enseignant: str | None = None,
               synchronisation: str | None = None, acteur: str | None = None, limite: int = LIMITE,
               decalage: int = 0, depuis: date | None = None, jusqu_au: date | None = None) -> PageAudit:
    """The school's log with any combination of keys at once (a search form); none: everything."""
    conditions: list[tuple[str, Any]] = [("uai = ?", uai.upper())]
    for colonne, valeur in (("eleve_id", eleve), ("enseignant", enseignant), ("synchronisation", synchronisation),
                            ("acteur", acteur)):
        if valeur:
            conditions.append((f"{colonne} = ?", str(valeur)))
    return _page(c, conditions, limite=limite, decalage=decalage, depuis=depuis, jusqu_au=jusqu_au)


@dataclass(frozen=True)
class FiltresAudit:
    """A search's criteria, any combination (none: everything); ``du`` and ``au`` are days, both included."""

    eleve: str | None = None
    enseignant: str | None = None  # type:id
    synchronisation: str | None = None
    acteur: str | None = None
    du: date | None = None
    au: date | None = None

    def en_dict(self) -> dict[str, Any]:
        """The criteria given (days as AAAA-MM-JJ)."""
        return {k: (v.isoformat() if isinstance(v, date) else v) for k, v in asdict(self).items() if v}


def par_filtres(c: Curseur, uai: str, filtres: FiltresAudit, *, limite: int = LIMITE,
                decalage: int = 0) -> PageAudit:
    """``rechercher`` with a form's criteria."""
    return rechercher(c, uai, eleve=filtres.eleve, enseignant=filtres.enseignant,
                      synchronisation=filtres.synchronisation, acteur=filtres.acteur, depuis=filtres.du,
                      jusqu_au=filtres.au, limite=limite, decalage=decalage)


def acteurs(c: Curseur, uai: str) -> list[str]:
    """Everyone who changed something in the school (for a filter's list)."""
    return [x["acteur"] for x in c.lignes(f"SELECT DISTINCT acteur FROM {c.dialecte.table(JOURNAL)} WHERE uai = ? "
                                          "ORDER BY acteur", (uai.upper(),))]


def par_eleve(c: Curseur, uai: str, eleve_id: str, *, limite: int = LIMITE, decalage: int = 0,
              depuis: date | None = None, jusqu_au: date | None = None) -> PageAudit:
    """Every change of a pupil: its data, its registration in a division, its bilans."""
    return _page(c, [("uai = ?", uai.upper()), ("eleve_id = ?", eleve_id)], limite=limite, decalage=decalage,
                 depuis=depuis, jusqu_au=jusqu_au)


def par_enseignant(c: Curseur, uai: str, enseignant: str, *, limite: int = LIMITE, decalage: int = 0,
                   depuis: date | None = None, jusqu_au: date | None = None) -> PageAudit:
    """Every change of a teacher (``type:id``): its data and services, the acquis and bilans it was added to,
    the PP changes that concern it."""
    return _page(c, [("uai = ?", uai.upper()), ("enseignant = ?", enseignant)], limite=limite,
                 decalage=decalage, depuis=depuis, jusqu_au=jusqu_au)


def par_synchronisation(c: Curseur, synchronisation: str, *, uai: str | None = None, limite: int = LIMITE,
                        decalage: int = 0, depuis: date | None = None, jusqu_au: date | None = None) -> PageAudit:
    """Everything one run changed, with the run's own rows (start, warnings, end)."""
    conditions: list[tuple[str, Any]] = [("synchronisation = ?", str(synchronisation))]
    if uai is not None:
        conditions.append(("uai = ?", uai.upper()))
    return _page(c, conditions, limite=limite, decalage=decalage, depuis=depuis, jusqu_au=jusqu_au)


def par_acteur(c: Curseur, uai: str, acteur: str, *, limite: int = LIMITE, decalage: int = 0,
               depuis: date | None = None, jusqu_au: date | None = None) -> PageAudit:
    """Everything one person (or ``synchronisation automatique``) changed in a school."""
    return _page(c, [("uai = ?", uai.upper()), ("acteur = ?", acteur)], limite=limite, decalage=decalage,
                 depuis=depuis, jusqu_au=jusqu_au)
