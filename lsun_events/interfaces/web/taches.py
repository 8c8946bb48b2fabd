"""Synchronisations started from the web page or the API run in a background thread of the process that got
the request. Their progress (pupils done / total) and outcome are written to a table that every process serving
the page shares (``Registre`` « web »), so any of them answers the polling and a result outlives a restart.

A process beats a heartbeat for the runs it is doing: a run left unfinished whose heartbeat stopped is shown as
interrupted (its process died; the run itself is all or nothing, the history says which). One run at a time per
school, whichever process gets the request: a second one is a conflict. Messages name pupils: they are
encrypted like the events when a key is set, and finished runs are forgotten after ``CONSERVATION``."""

from __future__ import annotations

import json
import logging
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from lsun_events.aggregates.erreurs import ErreurDomaine
from lsun_events.application.annulation import DemandeAnnulation
from lsun_events.application.erreurs import ErreurLsun
from lsun_events.application.synchronisation import DemandeSynchronisation, ResultatSynchronisation
from lsun_events.interfaces.web.erreurs import ConflitWebError
from lsun_events.projections.base import Curseur
from lsun_events.regles.messages import Message
from lsun_events.regles.synchronisation import Progression
from lsun_events.sources.erreurs import SourceInvalideError
from lsun_events.sources.records import SourceSnapshot
from lsun_events.storage.registre import Registre, chiffrer, dechiffrer
from lsun_events.systeme import Systeme

journal = logging.getLogger("lsun_events.web")

TABLE = "web_taches"
BATTEMENT = 10.0  # seconds between two heartbeats of a process's running tasks
SILENCE_MAX = timedelta(seconds=60)  # an unfinished task without a heartbeat for this long: its process stopped
ECRITURE_PROGRESSION = 0.5  # seconds: at most one progress write per task and per this
CONSERVATION = timedelta(days=7)

LECTURE, CALCUL, TERMINEE, ECHOUEE = "lecture de la source", "en cours", "terminee", "echouee"
INTERROMPUE = ("Synchronisation interrompue : le serveur qui la menait s'est arrêté. Une synchronisation est "
               "enregistrée entière ou pas du tout : l'historique des synchronisations dit si elle l'a été.")


def maintenant() -> datetime:
    return datetime.now(UTC)


@dataclass
class Tache:
    id: str
    uai: str
    demandeur: str  # the account's identifiant
    simulation: bool
    divisions: tuple[str, ...] | None  # None: all
    source: str  # what the source is, in French
    etat: str = LECTURE
    fait: int = 0
    total: int = 0
    resultat: ResultatSynchronisation | None = None
    erreur: str | None = None
    debut: datetime = field(default_factory=maintenant)
    fin: datetime | None = None
    annule: str | None = None  # an undo (SPEC §9): the run it undoes

    @property
    def finie(self) -> bool:
        return self.etat in (TERMINEE, ECHOUEE)

    def en_dict(self) -> dict[str, Any]:
        d: dict[str, Any] = {
            "tache": self.id, "uai": self.uai, "etat": self.etat, "simulation": self.simulation,
            "divisions": list(self.divisions) if self.divisions else None,
            "source": self.source, "fait": self.fait, "total": self.total, "debut": self.debut.isoformat(),
            "fin": self.fin.isoformat() if self.fin else None, "erreur": self.erreur,
            "synchronisation": None, "resultat": None, "annule": self.annule}
        if self.finie and self.resultat is not None:
            d["synchronisation"] = None if self.simulation else str(self.resultat.synchronisation)
            d["resultat"] = self.resultat.en_dict()
        return d


# --- a task as a row ------------------------------------------------------------------------------------------

ETAT = ("etat", "fait", "total", "resultat", "erreur", "fin", "battement")  # what changes while it runs
COLONNES = ("id", "uai", "demandeur", "simulation", "divisions", "source", "debut", "annule", *ETAT)


def _resultat_en_texte(r: ResultatSynchronisation) -> str:
    return json.dumps({"synchronisation": str(r.synchronisation), "statut": r.statut, "compteurs": r.compteurs,
                       "divisions": r.divisions, "absents": r.absents,
                       "messages": [m.en_liste() for m in r.messages]},
                      ensure_ascii=False)


def _resultat_de_texte(texte: str) -> ResultatSynchronisation:
    d = json.loads(texte)
    return ResultatSynchronisation(
        synchronisation=uuid.UUID(d["synchronisation"]), statut=d["statut"], compteurs=d["compteurs"],
        divisions=d["divisions"], absents=d.get("absents", []),
        messages=[Message.de_liste(m) for m in d["messages"]])


def _etat(t: Tache, battement: datetime) -> tuple[Any, ...]:
    """The values of ``ETAT``."""
    return (t.etat, t.fait, t.total, chiffrer(_resultat_en_texte(t.resultat)) if t.resultat else None,
            chiffrer(t.erreur) if t.erreur else None, t.fin.isoformat() if t.fin else None, battement.isoformat())


def _ligne(t: Tache, battement: datetime) -> tuple[Any, ...]:
    """The values of ``COLONNES``."""
    return (t.id, t.uai, t.demandeur, int(t.simulation), json.dumps(list(t.divisions)) if t.divisions else None,
            t.source, t.debut.isoformat(), t.annule, *_etat(t, battement))


def _tache(ligne: dict[str, Any], maintenant_: datetime) -> Tache:
    t = Tache(id=ligne["id"], uai=ligne["uai"], demandeur=ligne["demandeur"], simulation=bool(ligne["simulation"]),
              divisions=tuple(json.loads(ligne["divisions"])) if ligne["divisions"] else None,
              source=ligne["source"], etat=ligne["etat"], fait=ligne["fait"], total=ligne["total"],
              resultat=_resultat_de_texte(dechiffrer(ligne["resultat"])) if ligne["resultat"] else None,
              erreur=dechiffrer(ligne["erreur"]) if ligne["erreur"] else None,
              debut=datetime.fromisoformat(ligne["debut"]),
              fin=datetime.fromisoformat(ligne["fin"]) if ligne["fin"] else None, annule=ligne.get("annule"))
    battement = datetime.fromisoformat(ligne["battement"])
    if not t.finie and maintenant_ - battement > SILENCE_MAX:
        t.etat, t.erreur, t.fin = ECHOUEE, INTERROMPUE, battement
    return t


def creer_table(registre: Registre) -> None:
    """The table (``lsun-events migrer`` creates it too, and the server when it starts)."""
    table = registre.table(TABLE)
    with registre.transaction() as c:
        c.executer(f"CREATE TABLE IF NOT EXISTS {table} (id TEXT PRIMARY KEY, uai TEXT, demandeur TEXT, "
                   "simulation INTEGER, divisions TEXT, source TEXT, etat TEXT, fait INTEGER, total INTEGER, "
                   "resultat TEXT, erreur TEXT, debut TEXT, fin TEXT, battement TEXT, annule TEXT)")
        c.executer(f"CREATE INDEX IF NOT EXISTS {TABLE}_uai ON {table} (uai, fin)")
        # Added with the undo (SPEC §9): a table made by an earlier version gets the column.
        if registre.dialecte.nom == "postgresql":
            c.executer(f"ALTER TABLE {table} ADD COLUMN IF NOT EXISTS annule TEXT")
        elif not any(x["name"] == "annule" for x in c.lignes(f"PRAGMA table_info({table})")):
            c.executer(f"ALTER TABLE {table} ADD COLUMN annule TEXT")


class Taches:
    """The web's runs: started here, followed from any process on the same store."""

    def __init__(self, systeme: Systeme, *, horloge: Callable[[], datetime] = maintenant,
                 battement: float = BATTEMENT) -> None:
        self.systeme = systeme
        self.horloge = horloge
        self.registre = Registre(systeme.store, "web")
        self.table = self.registre.table(TABLE)
        self._locales: dict[str, Tache] = {}  # running in this process
        self._verrou = threading.Lock()
        self._fils: list[threading.Thread] = []
        self._arret = threading.Event()
        creer_table(self.registre)
        self._battement = threading.Thread(target=self._battre, args=(battement,), name="taches-battement",
                                           daemon=True)
        self._battement.start()

    # --- reading ------------------------------------------------------------------------------------------------
    def get(self, tache_id: str) -> Tache | None:
        with self._verrou:
            locale = self._locales.get(tache_id)
        if locale is not None:
            return locale  # fresher than its row (progress is written at most every ECRITURE_PROGRESSION)
        with self.registre.transaction() as c:
            lignes = c.lignes(f"SELECT * FROM {self.table} WHERE id = ?", (tache_id,))
        return _tache(lignes[0], self.horloge()) if lignes else None

    def en_cours(self, uai: str) -> Tache | None:
        with self.registre.transaction() as c:
            return self._en_cours(c, uai.upper())

    def _en_cours(self, c: Curseur, uai: str) -> Tache | None:
        lignes = c.lignes(f"SELECT * FROM {self.table} WHERE uai = ? AND fin IS NULL ORDER BY debut DESC", (uai,))
        return next((t for t in (_tache(x, self.horloge()) for x in lignes) if not t.finie), None)

    # --- running ------------------------------------------------------------------------------------------------
    def lancer(self, demande: DemandeSynchronisation, demandeur: str, source: str,
               lire_source: Callable[[], SourceSnapshot]) -> Tache:
        """Start the run in a thread; refused while another run of the same school is under way (here or in
        another process)."""
        tache = Tache(uuid.uuid4().hex, demande.uai.upper(), demandeur, demande.simulation, demande.divisions, source,
                      debut=self.horloge())

        def calculer(progression: Progression) -> ResultatSynchronisation:
            lue = lire_source()
            tache.etat = CALCUL
            self._ecrire(tache)
            return self.systeme.app.synchroniser(demande, lue, progression)

        return self._lancer(tache, calculer)

    def lancer_annulation(self, demande: DemandeAnnulation, demandeur: str, divisions: tuple[str, ...] | None,
                          description: str) -> Tache:
        """Undo a run (or preview the undo) in a thread, like a run: one at a time per school, its progress
        (elements put back / total) and its report followed the same way."""
        tache = Tache(uuid.uuid4().hex, demande.uai.upper(), demandeur, demande.simulation, divisions, description,
                      etat=CALCUL, debut=self.horloge(), annule=demande.synchronisation)
        return self._lancer(tache, lambda progression: self.systeme.app.annuler(demande, progression))

    def _lancer(self, tache: Tache, calculer: Callable[[Progression], ResultatSynchronisation]) -> Tache:
        uai = tache.uai
        with self.registre.transaction() as c:
            if self.registre.dialecte.nom == "postgresql":  # two processes checking the same school queue up
                c.executer("SELECT pg_advisory_xact_lock(hashtext(?))", (f"lsun-web-{uai}",))
            c.executer(f"DELETE FROM {self.table} WHERE debut < ?", ((tache.debut - CONSERVATION).isoformat(),))
            if self._en_cours(c, uai) is not None:
                raise ConflitWebError(f"Une synchronisation de l'établissement {uai} est déjà en cours : "
                                      "attendez qu'elle se termine.")
            c.executer(f"INSERT INTO {self.table} ({', '.join(COLONNES)}) VALUES ({', '.join('?' * len(COLONNES))})",
                       _ligne(tache, tache.debut))
        with self._verrou:
            self._locales[tache.id] = tache
        fil = threading.Thread(target=self._executer, args=(tache, calculer), name=f"synchro-{uai}", daemon=True)
        self._fils = [f for f in self._fils if f.is_alive()] + [fil]
        fil.start()
        return tache

    def _executer(self, tache: Tache, calculer: Callable[[Progression], ResultatSynchronisation]) -> None:
        try:
            resultat = calculer(self._suivre(tache))
        except (ErreurLsun, ErreurDomaine, SourceInvalideError) as e:
            tache.erreur = str(e)
        except Exception:  # a thread must not die silently: the page and the log say so
            journal.exception("Synchronisation %s de %s", tache.id, tache.uai)
            tache.erreur = "Erreur interne pendant la synchronisation : rien n'a été enregistré."
        else:
            tache.resultat = resultat
        tache.fin = self.horloge()
        tache.etat = ECHOUEE if tache.erreur else TERMINEE  # last: a finished task is complete when seen as such
        if self._ecrire(tache):
            with self._verrou:
                self._locales.pop(tache.id, None)

    def _suivre(self, tache: Tache) -> Callable[[int, int], None]:
        """The run's progress callback: in memory at once, in the table at most every ECRITURE_PROGRESSION."""
        derniere = 0.0

        def progression(fait: int, total: int) -> None:
            nonlocal derniere
            tache.etat, tache.fait, tache.total = CALCUL, fait, total
            if time.monotonic() - derniere >= ECRITURE_PROGRESSION or fait >= total:
                derniere = time.monotonic()
                self._ecrire(tache)

        return progression

    def _ecrire(self, tache: Tache) -> bool:
        """The task's state in its row; a failure is logged, never raised (the run goes on; this process still
        answers for it from memory)."""
        try:
            with self.registre.transaction() as c:
                c.executer(f"UPDATE {self.table} SET {', '.join(f'{k} = ?' for k in ETAT)} WHERE id = ?",
                           (*_etat(tache, self.horloge()), tache.id))
        except Exception:
            journal.exception("Suivi de la synchronisation %s de %s non enregistré", tache.id, tache.uai)
            return False
        return True

    def _battre(self, periode: float) -> None:
        while not self._arret.wait(periode):
            with self._verrou:
                ids = [t.id for t in self._locales.values()]
            if not ids:
                continue
            try:
                with self.registre.transaction() as c:
                    c.executer_plusieurs(f"UPDATE {self.table} SET battement = ? WHERE id = ? AND fin IS NULL",
                                         [(self.horloge().isoformat(), i) for i in ids])
            except Exception:
                journal.exception("Battement des synchronisations en cours non enregistré")

    def attendre(self, delai: float = 30.0) -> None:
        """Wait for the running threads (shutdown, tests)."""
        for fil in list(self._fils):
            fil.join(delai)

    def fermer(self) -> None:
        self._arret.set()
        self._battement.join(5)
        self.registre.fermer()
