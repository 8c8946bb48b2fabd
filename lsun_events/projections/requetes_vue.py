"""What a page of the current LSUN view reads: an établissement's divisions, the bilans of a division for a
period (état, PP), its teachers. Plain functions over a ``Curseur`` of the ``courante`` view
(``with systeme.lire("courante") as c: divisions(c, uai)``); rows come back as plain dicts. (A bilan itself, a pupil,
a teacher's record are read from the event store: ``LsunApp`` and ``interfaces/web/lecture.py``.)"""

from __future__ import annotations

from typing import Any

from lsun_events.projections.base import Curseur
from lsun_events.projections.vue_courante import TABLES


def _t(c: Curseur, nom: str) -> str:
    return c.dialecte.table(TABLES[nom].nom)


def _noms_enseignants(c: Curseur, uai: str, cles: list[str]) -> dict[str, str]:
    """``type:id`` → "PRÉNOM NOM" for the teachers the view knows."""
    if not cles:
        return {}
    marques = ", ".join("?" * len(cles))
    lignes = c.lignes(f"SELECT cle, nom_affiche FROM {_t(c, 'enseignants')} WHERE uai = ? AND cle IN ({marques})",
                      (uai.upper(), *cles))
    return {x["cle"]: x["nom_affiche"] for x in lignes}


def _personnes(cles: list[str], noms: dict[str, str]) -> list[dict[str, Any]]:
    return [{"enseignant": cle, "nom": noms.get(cle)} for cle in cles]


def divisions(c: Curseur, uai: str) -> list[dict[str, Any]]:
    """The school's divisions by code: libellé, periods (and whether their bilans are open), PP, pupils."""
    lignes = c.lignes(
        f"SELECT d.*, (SELECT COUNT(*) FROM {_t(c, 'eleves')} e WHERE e.division_id = d.agregat) AS eleves "
        f"FROM {_t(c, 'divisions')} d WHERE d.uai = ? ORDER BY d.code", (uai.upper(),))
    ids = [x["agregat"] for x in lignes]
    periodes: dict[str, list[dict[str, Any]]] = {i: [] for i in ids}
    pp: dict[str, list[str]] = {i: [] for i in ids}
    if ids:
        marques = ", ".join("?" * len(ids))
        for p in c.lignes(f"SELECT * FROM {_t(c, 'periodes')} WHERE agregat IN ({marques}) ORDER BY agregat, rang",
                          ids):
            periodes[p["agregat"]].append({"code": p["code"], "debut": p["debut"], "fin": p["fin"],
                                           "ouverte": bool(p["ouverte"])})
        for p in c.lignes(f"SELECT * FROM {_t(c, 'divisions_pp')} WHERE agregat IN ({marques}) "
                          "ORDER BY agregat, rang", ids):
            pp[p["agregat"]].append(p["enseignant"])
    noms = _noms_enseignants(c, uai, sorted({cle for x in pp.values() for cle in x}))
    return [{"code": x["code"], "libelle": x["libelle"], "eleves": x["eleves"], "periodes": periodes[x["agregat"]],
             "profs_principaux": _personnes(pp[x["agregat"]], noms), "version": x["version"],
             "modifie_le": x["modifie_le"]} for x in lignes]


def _division_id(c: Curseur, uai: str, code: str) -> str | None:
    lignes = c.lignes(f"SELECT agregat FROM {_t(c, 'divisions')} WHERE uai = ? AND code = ?", (uai.upper(), code))
    return lignes[0]["agregat"] if lignes else None


def bilans_de_division(c: Curseur, uai: str, division: str, periode: str) -> list[dict[str, Any]]:
    """The bilans of a division (its current code) for a period, by pupil name: état, PP, archives."""
    division_id = _division_id(c, uai, division)
    if division_id is None:
        return []
    lignes = c.lignes(
        f"SELECT b.*, e.nom_affiche AS eleve FROM {_t(c, 'bilans')} b LEFT JOIN {_t(c, 'eleves')} e "
        "ON e.uai = b.uai AND e.eleve_id = b.eleve_id WHERE b.division_id = ? AND b.periode = ? "
        "ORDER BY e.nom_de_famille, e.prenom, b.eleve_id", (division_id, periode))
    pp: dict[str, list[str]] = {x["agregat"]: [] for x in lignes}
    if lignes:
        ids = list(pp)
        marques = ", ".join("?" * len(ids))
        for p in c.lignes(f"SELECT * FROM {_t(c, 'bilans_pp')} WHERE agregat IN ({marques}) ORDER BY agregat, rang",
                          ids):
            pp[p["agregat"]].append(p["enseignant"])
    noms = _noms_enseignants(c, uai, sorted({cle for x in pp.values() for cle in x}))
    return [{"eleve_id": x["eleve_id"], "eleve": x["eleve"], "division": x["division"], "periode": x["periode"],
             "etat": x["etat"], "profs_principaux": _personnes(pp[x["agregat"]], noms), "archives": x["archives"],
             "version": x["version"], "modifie_le": x["modifie_le"]} for x in lignes]


def enseignants(c: Curseur, uai: str) -> list[dict[str, Any]]:
    return c.lignes(f"SELECT cle, nom_affiche, nom_usage, prenom, fonction FROM {_t(c, 'enseignants')} "
                    "WHERE uai = ? ORDER BY nom_usage, prenom, cle", (uai.upper(),))
