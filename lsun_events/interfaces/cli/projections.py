"""The store and its views: ``lsun-events migrer`` (the schema, once), ``lsun-events projections reconstruire``
(every view from the first event) and ``lsun-events projections suivre`` (PostgreSQL: the views' processes)."""

from __future__ import annotations

import signal
import sys
import threading
import time
from contextlib import contextmanager
from functools import partial
from typing import TYPE_CHECKING

from lsun_events.exploitation import metriques
from lsun_events.exploitation.collecteur import CollecteurStockage
from lsun_events.interfaces.cli.journal import annoncer
from lsun_events.interfaces.cli.sortie import Resultat
from lsun_events.projections.suivi import suivre
from lsun_events.storage.config import Store
from lsun_events.systeme import Systeme, reconstruire_en_parallele
from lsun_events.systeme import migrer as migrer_tout

if TYPE_CHECKING:
    import argparse
    from collections.abc import Callable, Iterator


def migrer(args: argparse.Namespace) -> Resultat:
    store = Store.depuis_url(args.store)
    migrer_tout(store)
    from lsun_events.interfaces.web import limites, taches  # noqa: PLC0415
    from lsun_events.storage.registre import Registre  # noqa: PLC0415

    registre = Registre(store, "web")
    try:
        taches.creer_table(registre)
        limites.creer_table(registre)
    finally:
        registre.fermer()
    return Resultat({"store": store.kind, "statut": "ok"}, [f"Schéma du stockage {store.kind} prêt."])


def reconstruire(args: argparse.Namespace) -> Resultat:
    store = Store.depuis_url(args.store)
    with Systeme(store) as s:
        dernier = s.app.recorder.max_notification_id() or 0
    total = reconstruire_en_parallele(store, args.processus, progression=partial(_progression_reconstruction,
                                                                                  dernier))
    return Resultat({"projections": total}, [f"Projection {n} reconstruite : {k} événement(s) relu(s)."
                                             for n, k in total.items()])


def _progression_reconstruction(dernier: int, noms: list[str], lus: dict[str, int]) -> None:
    """One line per page (of each process): « Reconstruction : N / M événements relus (vue n, …) »."""
    vues = ", ".join(f"{nom} {n}" for nom, n in lus.items())
    sys.stderr.write(f"Reconstruction : {max(lus.values())} / {dernier} événements relus ({vues})\n")
    sys.stderr.flush()


# --- projections suivre ----------------------------------------------------------------------------------------

@contextmanager
def arret_sur_signal() -> Iterator[threading.Event]:
    """SIGINT or SIGTERM: stop after the page being written."""
    arret = threading.Event()
    anciens = {sig: signal.signal(sig, lambda *_: arret.set()) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield arret
    finally:
        for sig, ancien in anciens.items():
            signal.signal(sig, ancien)


class _Progression:
    """« Projection audit : N événements » on stderr, at most once a second per view (and, after each page, to
    ``compteur``: the metrics)."""

    def __init__(self, compteur: Callable[[str, int], None] | None = None) -> None:
        self.derniers: dict[str, float] = {}
        self.compteur = compteur

    def __call__(self, nom: str, n: int) -> None:
        if self.compteur is not None:
            self.compteur(nom, n)
        maintenant = time.monotonic()
        if maintenant - self.derniers.get(nom, 0.0) >= 1.0:
            self.derniers[nom] = maintenant
            annoncer(f"Projection {nom} : {n} événement(s) appliqué(s)", "projections.progression")


def projections_suivre(args: argparse.Namespace) -> Resultat:
    with Systeme(args.store) as s:
        noms = list(dict.fromkeys(args.projection or s.projecteurs))
        if s.store.kind == "postgresql":
            annoncer(f"Suivi des projections {', '.join(noms)} (Ctrl-C ou SIGTERM pour arrêter)",
                     "projections.suivi")
        progression = _Progression()
        if args.metriques_port:  # the views' positions read when scraped; the events applied counted per page
            metriques.servir(args.metriques_port, args.metriques_hote,
                             metriques.registre_avec(CollecteurStockage(s, planification=False)))
            compteur = metriques.CompteurCumule()
            progression = _Progression(compteur)
        with arret_sur_signal() as arret:
            lus = suivre(s, noms, arret, attente=args.attente, progression=progression)
        positions = {nom: s.projecteurs[nom].position(s.app) for nom in noms}
    return Resultat({"statut": "arrete", "projections": {n: {"lus": lus[n], "position": positions[n]} for n in noms}},
                    [f"Suivi arrêté : projection {n} à la position {positions[n]} ({lus[n]} événement(s) lus)."
                     for n in noms])
