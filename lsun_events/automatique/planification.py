"""The worker's operational state, per school: schedule, last check and outcome, ETags and source hash,
failures and back-off, the lease of the worker handling it; and the sources of held runs. Not events:
this is bookkeeping that can be lost without losing history (a lost row only means one more check).

SQLite: its own file beside the store (one worker). PostgreSQL: tables in the store's schema; workers on
several machines claim due schools with ``FOR UPDATE SKIP LOCKED`` and a lease, and a run still takes the
per-school lock (``lsun_events.storage.verrous``), so one school is never synchronised twice at once."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

from lsun_events.storage.config import Store
from lsun_events.storage.registre import Registre, chiffrer, dechiffrer

COLONNES = ("uai", "active", "adresse_s3e", "intervalle_minutes", "prochaine", "derniere_verification",
            "derniere_synchronisation", "dernier_etat", "message", "etags", "empreinte", "echecs", "bail_jusqu_a",
            "bail_par")


def maintenant() -> datetime:
    return datetime.now(UTC)


def _iso(d: datetime | None) -> str | None:
    return d.astimezone(UTC).isoformat() if d else None


class Planification:
    def __init__(self, store: Store) -> None:
        self.store = store
        self.registre = Registre(store, "automatique")
        self.transaction = self.registre.transaction
        self.t_plan = self.registre.table("automatique_planification")
        self.t_ret = self.registre.table("automatique_retenues")
        self.creer()

    def creer(self) -> None:
        with self.transaction() as c:
            c.executer(f"CREATE TABLE IF NOT EXISTS {self.t_plan} (uai TEXT PRIMARY KEY, active INTEGER, "
                       "adresse_s3e TEXT, intervalle_minutes INTEGER, prochaine TEXT, derniere_verification TEXT, "
                       "derniere_synchronisation TEXT, dernier_etat TEXT, message TEXT, etags TEXT, empreinte TEXT, "
                       "echecs INTEGER, bail_jusqu_a TEXT, bail_par TEXT)")
            c.executer(f"CREATE TABLE IF NOT EXISTS {self.t_ret} (synchronisation TEXT PRIMARY KEY, uai TEXT, "
                       "cree_le TEXT, raison TEXT, messages TEXT, snapshot TEXT)")

    def fermer(self) -> None:
        self.registre.fermer()

    # Configuration ----------------------------------------------------------------------------------
    def parametrer(self, uai: str, *, active: bool, adresse_s3e: str | None, intervalle_minutes: int) -> None:
        with self.transaction() as c:
            existe = c.lignes(f"SELECT uai FROM {self.t_plan} WHERE uai = ?", (uai,))
            if existe:
                c.executer(f"UPDATE {self.t_plan} SET active = ?, adresse_s3e = ?, intervalle_minutes = ?, "
                           "prochaine = ?, echecs = 0 WHERE uai = ?",
                           (int(active), adresse_s3e, intervalle_minutes, _iso(maintenant()), uai))
            else:
                c.executer(f"INSERT INTO {self.t_plan} (uai, active, adresse_s3e, intervalle_minutes, prochaine, "
                           "echecs, etags) VALUES (?,?,?,?,?,?,?)",
                           (uai, int(active), adresse_s3e, intervalle_minutes, _iso(maintenant()), 0, "{}"))

    def etat(self, uai: str) -> dict[str, Any] | None:
        with self.transaction() as c:
            lignes = c.lignes(f"SELECT * FROM {self.t_plan} WHERE uai = ?", (uai,))
        if not lignes:
            return None
        ligne = dict(lignes[0])
        ligne["etags"] = json.loads(ligne["etags"] or "{}")
        ligne["active"] = bool(ligne["active"])
        if ligne["message"] is not None:
            ligne["message"] = dechiffrer(ligne["message"])
        return ligne

    # The worker -------------------------------------------------------------------------------------
    def reclamer(self, worker: str, *, bail: timedelta, limite: int = 10, quand: datetime | None = None) -> list[str]:
        """The due schools this worker takes for ``bail`` (others skip them meanwhile)."""
        quand = quand or maintenant()
        verrou = " FOR UPDATE SKIP LOCKED" if self.store.kind == "postgresql" else ""
        with self.transaction() as c:
            dues = c.lignes(
                f"SELECT uai FROM {self.t_plan} WHERE active = 1 AND prochaine <= ? "
                f"AND (bail_jusqu_a IS NULL OR bail_jusqu_a < ?) ORDER BY prochaine LIMIT ?{verrou}",
                (_iso(quand), _iso(quand), limite))
            uais = [x["uai"] for x in dues]
            for uai in uais:
                c.executer(f"UPDATE {self.t_plan} SET bail_jusqu_a = ?, bail_par = ? WHERE uai = ?",
                           (_iso(quand + bail), worker, uai))
        return uais

    def noter(self, uai: str, *, etat: str, message: str, prochaine: datetime, etags: dict[str, str] | None = None,
              empreinte: str | None = None, synchronisation: str | None = None, echec: bool = False) -> None:
        """The outcome of one check; releases the lease."""
        with self.transaction() as c:
            # The message may name a pupil (a refused export's record): encrypted like the events when a key is set.
            valeurs: dict[str, Any] = {"dernier_etat": etat, "message": chiffrer(message),
                                       "prochaine": _iso(prochaine), "derniere_verification": _iso(maintenant()),
                                       "bail_jusqu_a": None, "bail_par": None}
            if etags is not None:
                valeurs["etags"] = json.dumps(etags)
            if empreinte is not None:
                valeurs["empreinte"] = empreinte
            if synchronisation is not None:
                valeurs["derniere_synchronisation"] = synchronisation
            ensemble = ", ".join(f"{k} = ?" for k in valeurs)
            echecs = "echecs + 1" if echec else "0"
            c.executer(f"UPDATE {self.t_plan} SET {ensemble}, echecs = {echecs} WHERE uai = ?",
                       (*valeurs.values(), uai))

    # Held runs --------------------------------------------------------------------------------------
    # The held source and its previewed messages name pupils: encrypted like the events when a key is set.
    def retenir(self, synchronisation: str, uai: str, raison: str, messages: list[dict[str, str]],
                snapshot_json: str) -> None:
        with self.transaction() as c:
            c.executer(f"INSERT INTO {self.t_ret} VALUES (?,?,?,?,?,?)",
                       (synchronisation, uai, _iso(maintenant()), raison,
                        chiffrer(json.dumps(messages, ensure_ascii=False)), chiffrer(snapshot_json)))

    def retenues(self, uai: str) -> list[dict[str, Any]]:
        with self.transaction() as c:
            lignes = c.lignes(f"SELECT synchronisation, uai, cree_le, raison, messages FROM {self.t_ret} "
                              "WHERE uai = ? ORDER BY cree_le DESC", (uai,))
        return [{**x, "messages": json.loads(dechiffrer(x["messages"]))} for x in lignes]

    def source_retenue(self, synchronisation: str) -> tuple[str, str] | None:
        """(uai, snapshot JSON) of a held run."""
        with self.transaction() as c:
            lignes = c.lignes(f"SELECT uai, snapshot FROM {self.t_ret} WHERE synchronisation = ?", (synchronisation,))
        return (lignes[0]["uai"], dechiffrer(lignes[0]["snapshot"])) if lignes else None

    def oublier_retenue(self, synchronisation: str) -> None:
        with self.transaction() as c:
            c.executer(f"DELETE FROM {self.t_ret} WHERE synchronisation = ?", (synchronisation,))
