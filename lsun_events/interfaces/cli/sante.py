"""``lsun-events sante``: the health of the store as a worker's or a follower's supervisor sees it (exit code 0:
ready, 1: not ready; ``--json``: the document even when not ready). ``--composant web`` and ``projections``: the
store answers, its schema is migrated, the views (``--projection``) are at most ``--retard-max`` events behind;
``worker``: the store, its schema and the workers' schedule (no active school overdue by more than
``--retard-planification`` minutes); ``tout``: everything."""

from __future__ import annotations

import sys
from datetime import timedelta
from typing import TYPE_CHECKING

from lsun_events.exploitation import sante as controles
from lsun_events.interfaces.cli.erreurs import expliquer, expliquer_erreur_stockage
from lsun_events.interfaces.cli.parser import PROJECTIONS
from lsun_events.interfaces.cli.sortie import Resultat, afficher, erreur
from lsun_events.storage.config import Store
from lsun_events.systeme import Systeme

if TYPE_CHECKING:
    import argparse


def sante(args: argparse.Namespace) -> Resultat:
    store = Store.depuis_url(args.store)
    vues: list[str] = [] if args.composant == "worker" else list(dict.fromkeys(args.projection or PROJECTIONS))
    planification = args.composant in ("tout", "worker")
    try:
        controles.joindre(store)
        systeme = Systeme(store)
    except Exception as e:  # the answer is the state: « pas prêt », and why
        etat = controles.injoignable(expliquer(e, store.url)[0], vues, planification=planification)
    else:
        with systeme:
            etat = controles.controler(
                systeme, vues=vues, retard_max=args.retard_max, planification=planification,
                retard_planification=timedelta(minutes=args.retard_planification),
                registres=controles.TABLES_WEB if args.composant in ("tout", "web") else (),
                expliquer=lambda e: expliquer_erreur_stockage(e, store.url))
    resultat = Resultat(etat.en_dict(), etat.lignes())
    if etat.pret:
        return resultat
    afficher(resultat, en_json=args.json)
    sys.stdout.flush()
    echecs = [f"{c.nom} ({c.message})" for c in etat.controles if not c.ok and not c.message.startswith("non vérifié")]
    erreur(f"pas prêt : {' ; '.join(echecs)}")
    raise SystemExit(1)
