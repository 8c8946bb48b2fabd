"""The message list: every run (who, when, divisions, source, outcome, counts) and the elements of its
report, from which the ordered messages of SPEC §4 are assembled."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from lsun_events.aggregates import evenements as ev
from lsun_events.projections.base import Curseur, Dialecte, Modele
from lsun_events.regles.details import Detail
from lsun_events.regles.messages import ELEMENTS, Element, Message, assembler, elements, exports_absents

# A run's row, from the run's own events (its warnings are report elements): (cursor, runs table, position, event).
LigneDuRun = Callable[[Curseur, str, int, Any], None]


def _demarree(c: Curseur, runs: str, position: int, e: ev.SynchronisationDemarree) -> None:
    source = {"origine": e.source.origine, "empreinte": e.source.empreinte,
              "exports": [x.en_dict() for x in e.source.exports], "absents": exports_absents(e.source.absents)}
    c.executer(
        f"INSERT INTO {runs} (synchronisation, uai, acteur, debut, statut, divisions, toutes, automatique,"
        " jour, source, compteurs, position) VALUES (?,?,?,?,?,?,?,?,?,?,?,?)",
        (e.synchronisation, e.uai, e.acteur, e.timestamp.isoformat(), "en cours", json.dumps(list(e.divisions)),
         int(e.toutes), int(e.automatique), e.jour.isoformat(), json.dumps(source), "{}", position))


def _terminee(c: Curseur, runs: str, _: int, e: ev.SynchronisationTerminee) -> None:
    c.executer(f"UPDATE {runs} SET statut = ?, fin = ?, compteurs = ? WHERE synchronisation = ?",
               ("terminee", e.timestamp.isoformat(), json.dumps(e.compteurs), e.synchronisation))


def _fin_avec_raison(statut: str) -> LigneDuRun:
    def fin(c: Curseur, runs: str, _: int, e: ev.SynchronisationEchouee | ev.SynchronisationRetenue) -> None:
        c.executer(f"UPDATE {runs} SET statut = ?, fin = ?, raison = ? WHERE synchronisation = ?",
                   (statut, e.timestamp.isoformat(), e.raison, e.synchronisation))
    return fin


def _decision(statut: str) -> LigneDuRun:
    """A held run abandoned or applied: its own row changes (the event may come from another run)."""
    def decidee(c: Curseur, runs: str, _: int,
                e: ev.SynchronisationAbandonnee | ev.SynchronisationRetenueAppliquee) -> None:
        c.executer(f"UPDATE {runs} SET statut = ? WHERE synchronisation = ?", (statut, str(e.originator_id)))
    return decidee


def _annulation(c: Curseur, runs: str, _: int, e: ev.AnnulationDemarree) -> None:
    c.executer(f"UPDATE {runs} SET annule = ? WHERE synchronisation = ?", (e.annulee, e.synchronisation))


def _annulee(c: Curseur, runs: str, _: int, e: ev.SynchronisationAnnulee) -> None:
    """The undone run's own row: by which run, when and by whom (the event comes from the undo)."""
    c.executer(f"UPDATE {runs} SET annulee_par = ?, annulee_le = ?, annulee_acteur = ? WHERE synchronisation = ?",
               (e.par, e.timestamp.isoformat(), e.acteur, str(e.originator_id)))


RUNS: dict[type[Any], LigneDuRun] = {
    ev.SynchronisationDemarree: _demarree, ev.SynchronisationTerminee: _terminee,
    ev.SynchronisationEchouee: _fin_avec_raison("echouee"), ev.SynchronisationRetenue: _fin_avec_raison("retenue"),
    ev.SynchronisationAbandonnee: _decision("abandonnee"), ev.SynchronisationRetenueAppliquee: _decision("appliquee"),
    ev.AnnulationDemarree: _annulation, ev.SynchronisationAnnulee: _annulee,
}

# The events this view reads: the run's own, and those that give a report element.
TOPICS = tuple(dict.fromkeys(classe.TOPIC for classe in (*ev.EVENEMENTS_DU_RUN, *ELEMENTS)))


class Rapports(Modele):
    nom = "rapports"
    topics = TOPICS
    version = 2  # 2: runs' columns annule, annulee_par, annulee_le, annulee_acteur (undoing a run, SPEC §9)

    def tables(self, d: Dialecte) -> list[str]:
        return [d.table("rapports_runs"), d.table("rapports_elements")]

    def creations(self, d: Dialecte) -> list[str]:
        runs, elts = self.tables(d)
        return [
            f"CREATE TABLE IF NOT EXISTS {runs} (synchronisation {d.texte} PRIMARY KEY, uai {d.texte}, "
            f"acteur {d.texte}, debut {d.texte}, fin {d.texte}, statut {d.texte}, divisions {d.texte}, "
            f"toutes {d.entier}, automatique {d.entier}, jour {d.texte}, source {d.texte}, compteurs {d.texte}, "
            f"raison {d.texte}, position {d.grand_entier}, annule {d.texte}, annulee_par {d.texte}, "
            f"annulee_le {d.texte}, annulee_acteur {d.texte})",
            f"CREATE INDEX IF NOT EXISTS rapports_runs_uai ON {runs} (uai, debut)",
            f"CREATE TABLE IF NOT EXISTS {elts} (synchronisation {d.texte}, position {d.grand_entier}, "
            f"code {d.texte}, division {d.texte}, valeurs {d.texte})",
            f"CREATE INDEX IF NOT EXISTS rapports_elements_run ON {elts} (synchronisation, position)",
        ]

    def traiter(self, c: Curseur, page: list[tuple[int, Any]]) -> None:
        runs, elts = self.tables(c.dialecte)
        lignes: list[tuple[Any, ...]] = []
        for position, e in page:
            run = getattr(e, "synchronisation", None)
            if run is None:
                continue
            ligne_du_run = RUNS.get(type(e))
            if ligne_du_run is not None:
                ligne_du_run(c, runs, position, e)
            lignes.extend((run, position, el.code, el.division, valeurs_en_texte(el)) for el in elements(e))
        c.executer_plusieurs(f"INSERT INTO {elts} VALUES (?,?,?,?,?)", lignes)


def valeurs_en_texte(el: Element) -> str:
    """The ``valeurs`` column: the message's values ([[clé, valeur]…]) and, when it has any, its details beside them
    ({"valeurs": …, "details": [[champ, libellé, ancien, nouveau]…]}) — no new column, so a view built before
    details existed still reads (its rows are the plain list: no details)."""
    if not el.details:
        return json.dumps(el.valeurs, ensure_ascii=False)
    return json.dumps({"valeurs": el.valeurs, "details": [x.en_liste() for x in el.details]}, ensure_ascii=False)


def element_de_ligne(code: str, division: str, texte: str) -> Element:
    """The inverse of ``valeurs_en_texte``."""
    donnees = json.loads(texte)
    valeurs, details = (donnees, []) if isinstance(donnees, list) else (donnees["valeurs"], donnees["details"])
    return Element(code, division, tuple((k, v) for k, v in valeurs), tuple(Detail.de_liste(x) for x in details))


def messages_du_run(c: Curseur, synchronisation: str) -> list[Message]:
    _, elts = Rapports().tables(c.dialecte)
    lignes = c.lignes(f"SELECT code, division, valeurs FROM {elts} WHERE synchronisation = ? ORDER BY position",
                      (synchronisation,))
    return assembler(element_de_ligne(x["code"], x["division"], x["valeurs"]) for x in lignes)


def _run_en_dict(x: dict[str, Any]) -> dict[str, Any]:
    return {**x, "divisions": json.loads(x["divisions"]), "toutes": bool(x["toutes"]),
            "automatique": bool(x["automatique"]), "source": json.loads(x["source"]),
            "compteurs": json.loads(x["compteurs"] or "{}")}


def run(c: Curseur, synchronisation: str) -> dict[str, Any] | None:
    runs, _ = Rapports().tables(c.dialecte)
    lignes = c.lignes(f"SELECT * FROM {runs} WHERE synchronisation = ?", (synchronisation,))
    return _run_en_dict(lignes[0]) if lignes else None


def runs(c: Curseur, uai: str, *, limite: int = 50, decalage: int = 0) -> list[dict[str, Any]]:
    """The runs of a school, newest first."""
    table, _ = Rapports().tables(c.dialecte)
    lignes = c.lignes(f"SELECT * FROM {table} WHERE uai = ? ORDER BY position DESC LIMIT ? OFFSET ?",
                      (uai, limite, decalage))
    return [_run_en_dict(x) for x in lignes]
