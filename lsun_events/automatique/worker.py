"""``lsun-events worker``: checks each scheduled school's S3E source and keeps it in sync.

One cycle: claim the due schools, and for each one — a conditional download (``If-None-Match``: an
unchanged source costs one request per resource and appends nothing), the source hash (an identical
content re-exported appends nothing either), a simulation judged by the guard (a suspicious source is
held for the chef), then the real run with acteur ``synchronisation automatique``. Failures (S3E down, bad
export) are noted with their French reason and retried with back-off; a failed run leaves nothing."""

from __future__ import annotations

import logging
import os
import socket
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Any

from lsun_events.aggregates.erreurs import ErreurDomaine
from lsun_events.application.erreurs import ErreurLsun
from lsun_events.application.synchronisation import DemandeSynchronisation
from lsun_events.automatique.garde import Garde
from lsun_events.automatique.planification import Planification, maintenant
from lsun_events.automatique.service import ACTEUR_AUTOMATIQUE
from lsun_events.exploitation import metriques
from lsun_events.sources.erreurs import SourceInvalideError
from lsun_events.sources.s3e_client import ClientS3E
from lsun_events.sources.snapshot import lire_snapshot
from lsun_events.storage.config import jour_fixe

if TYPE_CHECKING:
    from lsun_events.application.app import LsunApp

journal = logging.getLogger("lsun_events.worker")

REPRISE_MAX = timedelta(hours=6)


@dataclass
class Worker:
    app: LsunApp  # its views follow each save through the hook the composition root set
    planification: Planification
    garde: Garde = field(default_factory=Garde)
    jeton: str | None = None  # the S3E bearer token (académie-wide)
    nom: str = field(default_factory=lambda: f"{socket.gethostname()}:{os.getpid()}")
    bail: timedelta = timedelta(minutes=10)
    jour: date | None = None  # the run date (default: today)
    timeout: tuple[float, float] = (5, 60)
    horloge: Callable[[], datetime] = maintenant  # tests move time forward

    def cycle(self) -> list[tuple[str, str]]:
        """One pass over the due schools, claimed one at a time (so that several workers share them);
        returns (uai, outcome) pairs."""
        resultats: list[tuple[str, str]] = []
        deja: set[str] = set()
        while True:
            uais = [u for u in self.planification.reclamer(self.nom, bail=self.bail, quand=self.horloge(), limite=1)
                    if u not in deja]
            if not uais:
                metriques.cycle_worker((r for _, r in resultats), time.time())
                return resultats
            deja.add(uais[0])
            resultats.append((uais[0], self.traiter(uais[0])))

    def executer(self, arret: threading.Event, pause: float = 30.0) -> None:
        journal.info("worker %s démarré", self.nom, extra={"evenement": "worker.demarre"})
        while not arret.is_set():
            self.cycle()
            arret.wait(pause)
        journal.info("worker %s arrêté", self.nom, extra={"evenement": "worker.arrete"})

    def traiter(self, uai: str) -> str:
        plan = self.planification.etat(uai)
        if plan is None or not plan["active"]:
            return "inactive"
        intervalle = timedelta(minutes=plan["intervalle_minutes"] or 15)
        jour = self.jour or date.today()
        try:
            return self._traiter(uai, plan, intervalle, jour)
        except (SourceInvalideError, ErreurLsun, ErreurDomaine) as e:  # ErreurDomaine: a damaged source (R13)
            echecs = (plan.get("echecs") or 0) + 1
            attente = min(intervalle * (2 ** (echecs - 1)), REPRISE_MAX)
            self.planification.noter(uai, etat="echec", message=str(e), prochaine=self.horloge() + attente, echec=True)
            journal.warning("échec de la synchronisation automatique (établissement %s, essai %d)", uai, echecs,
                            extra={"uai": uai, "evenement": "worker.echec"})
            return "echec"

    def _traiter(self, uai: str, plan: dict[str, Any], intervalle: timedelta, jour: date) -> str:
        app = self.app
        prochaine = self.horloge() + intervalle
        with ClientS3E(plan["adresse_s3e"], jeton=self.jeton, timeout=self.timeout) as client, \
                client.telecharger(uai, etags=plan["etags"]) as telechargement:
            if telechargement.inchange:
                self.planification.noter(uai, etat="inchangee", message="Source inchangée.", prochaine=prochaine)
                return "inchangee"
            assert telechargement.documents is not None
            annee = app.etablissement(uai).annee_scolaire
            source = lire_snapshot(telechargement.documents, uai_attendu=uai, annee_attendue=annee)
            etags = telechargement.etags
        empreinte = source.empreinte()
        if empreinte == plan.get("empreinte"):
            self.planification.noter(uai, etat="inchangee", message="Source réexportée, contenu identique.",
                                     prochaine=prochaine, etags=etags)
            return "inchangee"
        demande = DemandeSynchronisation(uai=uai, acteur=ACTEUR_AUTOMATIQUE, jour=jour, automatique=True)
        simulation = app.synchroniser(DemandeSynchronisation(uai=uai, acteur=ACTEUR_AUTOMATIQUE, jour=jour,
                                                             automatique=True, simulation=True), source)
        etab = app.etablissement(uai)
        effectifs = {code: len(app.division(etab, code).eleves) for code in simulation.divisions}
        raison = self.garde.evaluer(simulation, effectifs, jour)
        if raison:
            retenue = app.retenir(demande, source, simulation.divisions, raison)
            self.planification.retenir(str(retenue), uai, raison, [m.en_dict() for m in simulation.messages],
                                       source.model_dump_json())
            self.planification.noter(uai, etat="retenue", message=raison, prochaine=prochaine, etags=etags,
                                     empreinte=empreinte)
            journal.info("synchronisation automatique retenue (établissement %s)", uai,
                         extra={"uai": uai, "synchronisation": str(retenue), "evenement": "worker.retenue"})
            return "retenue"
        resultat = app.synchroniser(demande, source)
        self.planification.noter(uai, etat="synchronisee", prochaine=prochaine, etags=etags, empreinte=empreinte,
                                 synchronisation=str(resultat.synchronisation),
                                 message=f"Synchronisation faite : {len(resultat.messages)} message(s).")
        journal.info("synchronisation automatique faite (établissement %s)", uai,
                     extra={"uai": uai, "synchronisation": str(resultat.synchronisation),
                            "evenement": "worker.synchronisee"})
        return "synchronisee"


def date_env() -> date | None:
    return jour_fixe()

