"""What a page of the current LSUN view reads: an établissement's divisions, the bilans of a division for a
period (état, PP), a pupil, a teacher, a bilan. Plain functions over a ``Curseur`` of the ``courante`` view
(``with systeme.lire("courante") as c: divisions(c, uai)``); rows come back as plain dicts."""

from __future__ import annotations

import json
from typing import Any

from lsun_events.projections.base import Curseur
from lsun_events.projections.vue_courante import TABLES


def _t(c: Curseur, nom: str) -> str:
    return c.dialecte.table(TABLES[nom].nom)


def _sans_technique(ligne: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in ligne.items() if k not in ("agregat", "rang")}


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


def etablissement(c: Curseur, uai: str) -> dict[str, Any] | None:
    lignes = c.lignes(f"SELECT * FROM {_t(c, 'etablissements')} WHERE uai = ?", (uai.upper(),))
    if not lignes:
        return None
    groupes = c.lignes(f"SELECT code, divisions FROM {_t(c, 'groupes')} WHERE agregat = ? ORDER BY code",
                       (lignes[0]["agregat"],))
    return {**_sans_technique(lignes[0]),
            "groupes": [{"code": g["code"], "divisions": json.loads(g["divisions"])} for g in groupes]}


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


def bilan(c: Curseur, uai: str, eleve_id: str, periode: str) -> dict[str, Any] | None:
    """One bilan with its acquis (teachers named), PP, état and number of archives."""
    lignes = c.lignes(f"SELECT * FROM {_t(c, 'bilans')} WHERE uai = ? AND eleve_id = ? AND periode = ?",
                      (uai.upper(), eleve_id, periode))
    if not lignes:
        return None
    b = lignes[0]
    pp = [x["enseignant"] for x in c.lignes(
        f"SELECT enseignant FROM {_t(c, 'bilans_pp')} WHERE agregat = ? ORDER BY rang", (b["agregat"],))]
    acquis = c.lignes(f"SELECT * FROM {_t(c, 'acquis')} WHERE agregat = ? ORDER BY rang", (b["agregat"],))
    par_matiere: dict[str, list[str]] = {a["matiere_code"]: [] for a in acquis}
    for x in c.lignes(f"SELECT matiere_code, enseignant FROM {_t(c, 'acquis_enseignants')} WHERE agregat = ? "
                      "ORDER BY rang", (b["agregat"],)):
        par_matiere.setdefault(x["matiere_code"], []).append(x["enseignant"])
    noms = _noms_enseignants(c, uai, sorted({*pp, *(cle for x in par_matiere.values() for cle in x)}))
    return {**_sans_technique(b), "profs_principaux": _personnes(pp, noms), "acquis": [
        {"matiere": a["matiere_code"], "libelle": a["matiere_libelle"],
         "enseignants": _personnes(par_matiere[a["matiere_code"]], noms), "positionnement": a["positionnement"],
         "appreciation": a["appreciation"], "elements_programme": json.loads(a["elements_programme"])}
        for a in acquis]}


def eleve(c: Curseur, uai: str, eleve_id: str) -> dict[str, Any] | None:
    """A pupil: administrative data, guardians, its LSUN division (current code), its bilans."""
    lignes = c.lignes(
        f"SELECT e.*, d.code AS division FROM {_t(c, 'eleves')} e LEFT JOIN {_t(c, 'divisions')} d "
        "ON d.agregat = e.division_id WHERE e.uai = ? AND e.eleve_id = ?", (uai.upper(), eleve_id))
    if not lignes:
        return None
    e = lignes[0]
    responsables = c.lignes(f"SELECT * FROM {_t(c, 'responsables')} WHERE agregat = ? ORDER BY rang",
                            (e["agregat"],))
    bilans = c.lignes(f"SELECT periode, division, etat, archives, version FROM {_t(c, 'bilans')} "
                      "WHERE uai = ? AND eleve_id = ? ORDER BY periode_debut", (uai.upper(), eleve_id))
    return {**_sans_technique(e), "groupes": json.loads(e["groupes"]), "options": json.loads(e["options"]),
            "prenoms": [p for p in (e["prenom"], e["prenom2"], e["prenom3"]) if p],
            "responsables": [{**_sans_technique(r), "legal": bool(r["legal"])} for r in responsables],
            "bilans": bilans}


def enseignant(c: Curseur, uai: str, cle: str) -> dict[str, Any] | None:
    """A teacher (``type:id``) and its services."""
    lignes = c.lignes(f"SELECT * FROM {_t(c, 'enseignants')} WHERE uai = ? AND cle = ?", (uai.upper(), cle))
    if not lignes:
        return None
    services = c.lignes(f"SELECT * FROM {_t(c, 'services')} WHERE agregat = ? ORDER BY rang",
                        (lignes[0]["agregat"],))
    return {**_sans_technique(lignes[0]), "services": [_sans_technique(s) for s in services]}


def enseignants(c: Curseur, uai: str) -> list[dict[str, Any]]:
    return c.lignes(f"SELECT cle, nom_affiche, nom_usage, prenom, fonction FROM {_t(c, 'enseignants')} "
                    "WHERE uai = ? ORDER BY nom_usage, prenom, cle", (uai.upper(),))
