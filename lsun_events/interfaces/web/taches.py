"""Synchronisations started from the web page or the API run in a background thread; their progress
(pupils done / total, the run's ``progression`` callback) and outcome are kept in memory and polled as JSON.
One run at a time per school: a second one is a conflict."""

from __future__ import annotations

import logging
import threading
import uuid
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from lsun_events.aggregates.erreurs import ErreurDomaine
from lsun_events.application_synchronisation import DemandeSynchronisation, ResultatSynchronisation
from lsun_events.erreurs import ErreurLsun
from lsun_events.interfaces.web.erreurs import ConflitWebError
from lsun_events.sources.erreurs import SourceInvalideError
from lsun_events.sources.records import SourceSnapshot
from lsun_events.systeme import Systeme

journal = logging.getLogger("lsun_events.web")
GARDEES = 200  # finished tasks kept in memory

LECTURE, CALCUL, TERMINEE, ECHOUEE = "lecture de la source", "en cours", "terminee", "echouee"


@dataclass
class Tache:
    id: str
    uai: str
    demandeur: str  # the account's identifiant
    demande: DemandeSynchronisation
    source: str  # what the source is, in French
    etat: str = LECTURE
    fait: int = 0
    total: int = 0
    resultat: ResultatSynchronisation | None = None
    erreur: str | None = None
    debut: datetime = field(default_factory=lambda: datetime.now(UTC))
    fin: datetime | None = None

    @property
    def finie(self) -> bool:
        return self.etat in (TERMINEE, ECHOUEE)

    @property
    def simulation(self) -> bool:
        return self.demande.simulation

    def progression(self, fait: int, total: int) -> None:
        self.etat, self.fait, self.total = CALCUL, fait, total

    def en_dict(self) -> dict[str, Any]:
        d: dict[str, Any] = {
            "tache": self.id, "uai": self.uai, "etat": self.etat, "simulation": self.simulation,
            "divisions": list(self.demande.divisions) if self.demande.divisions else None,
            "source": self.source, "fait": self.fait, "total": self.total, "debut": self.debut.isoformat(),
            "fin": self.fin.isoformat() if self.fin else None, "erreur": self.erreur,
            "synchronisation": None, "resultat": None}
        if self.finie and self.resultat is not None:
            d["synchronisation"] = None if self.simulation else str(self.resultat.synchronisation)
            d["resultat"] = self.resultat.en_dict()
        return d


class Taches:
    def __init__(self, systeme: Systeme) -> None:
        self.systeme = systeme
        self._taches: OrderedDict[str, Tache] = OrderedDict()
        self._verrou = threading.Lock()
        self._fils: list[threading.Thread] = []

    def get(self, tache_id: str) -> Tache | None:
        with self._verrou:
            return self._taches.get(tache_id)

    def en_cours(self, uai: str) -> Tache | None:
        with self._verrou:
            return next((t for t in self._taches.values() if t.uai == uai and not t.finie), None)

    def lancer(self, demande: DemandeSynchronisation, demandeur: str, source: str,
               lire_source: Callable[[], SourceSnapshot]) -> Tache:
        """Start the run in a thread; refused while another run of the same school is under way."""
        uai = demande.uai.upper()
        with self._verrou:
            if any(t.uai == uai and not t.finie for t in self._taches.values()):
                raise ConflitWebError(f"Une synchronisation de l'établissement {uai} est déjà en cours : "
                                      "attendez qu'elle se termine.")
            tache = Tache(uuid.uuid4().hex, uai, demandeur, demande, source)
            self._taches[tache.id] = tache
            while len(self._taches) > GARDEES:
                ancienne = next(iter(self._taches.values()))
                if not ancienne.finie:
                    break
                self._taches.popitem(last=False)
        fil = threading.Thread(target=self._executer, args=(tache, lire_source), name=f"synchro-{uai}", daemon=True)
        self._fils = [f for f in self._fils if f.is_alive()] + [fil]
        fil.start()
        return tache

    def _executer(self, tache: Tache, lire_source: Callable[[], SourceSnapshot]) -> None:
        try:
            source = lire_source()
            tache.etat = CALCUL
            resultat = self.systeme.app.synchroniser(tache.demande, source, tache.progression)
            self.systeme.rattraper()
        except (ErreurLsun, ErreurDomaine, SourceInvalideError) as e:
            tache.erreur = str(e)
        except Exception:  # a thread must not die silently: the page and the log say so
            journal.exception("Synchronisation %s de %s", tache.id, tache.uai)
            tache.erreur = "Erreur interne pendant la synchronisation : rien n'a été enregistré."
        else:
            tache.resultat = resultat
        tache.fin = datetime.now(UTC)
        tache.etat = ECHOUEE if tache.erreur else TERMINEE  # last: a finished task is complete when seen as such

    def attendre(self, delai: float = 30.0) -> None:
        """Wait for the running threads (shutdown, tests)."""
        for fil in list(self._fils):
            fil.join(delai)
