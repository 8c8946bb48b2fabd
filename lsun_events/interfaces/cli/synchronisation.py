"""``lsun-events synchroniser`` (R1–R12 on the chosen divisions, from the export files or the S3E service),
``lsun-events annuler`` (undo a run, SPEC §9) and ``lsun-events messages`` (a run's report, from the view or
regenerated from its events alone)."""

from __future__ import annotations

import sys
import time
from datetime import datetime
from typing import TYPE_CHECKING, Any
from uuid import UUID

from lsun_events.application.annulation import DemandeAnnulation
from lsun_events.application.synchronisation import DemandeSynchronisation, RunInconnuError, evenements_du_run
from lsun_events.interfaces.cli.presentation import messages_en_lignes
from lsun_events.interfaces.cli.sortie import Resultat
from lsun_events.interfaces.sources_cli import lire_source
from lsun_events.projections import rapports
from lsun_events.regles.messages import date_locale, exports_absents_en_lignes, rapport
from lsun_events.storage.config import jour_de_reference
from lsun_events.systeme import Systeme

if TYPE_CHECKING:
    import argparse


class Progression:
    """« Élèves traités : N / TOTAL » on stderr, at most a few times a second."""

    def __init__(self) -> None:
        self.dernier = 0.0

    def __call__(self, fait: int, total: int) -> None:
        maintenant = time.monotonic()
        if fait == total or maintenant - self.dernier > 0.5:
            self.dernier = maintenant
            sys.stderr.write(f"Élèves traités : {fait} / {total}\n")
            sys.stderr.flush()


def synchroniser(args: argparse.Namespace) -> Resultat:
    demande = DemandeSynchronisation(uai=args.uai, acteur=args.acteur, jour=jour_de_reference(),
                                     divisions=None if args.toutes else tuple(args.division),
                                     simulation=args.simulation)
    with Systeme(args.store) as s:
        annee = s.app.etablissement(args.uai).annee_scolaire
        source = lire_source(args.uai, siecle=args.siecle, sts=args.sts, s3e=args.s3e, jeton=args.jeton, annee=annee)
        resultat = s.app.synchroniser(demande, source, Progression())
    entete = ("Simulation (rien n'a été enregistré)" if args.simulation
              else f"Synchronisation {resultat.synchronisation} terminée")
    return Resultat(resultat.en_dict(), [f"{entete} : {len(resultat.messages)} message(s).",
                                         *exports_absents_en_lignes(resultat.absents),
                                         *messages_en_lignes(resultat.messages)])


def annuler(args: argparse.Namespace) -> Resultat:
    """SPEC §9 U5: the same JSON as ``synchroniser``."""
    demande = DemandeAnnulation(uai=args.uai, synchronisation=args.synchronisation, acteur=args.acteur,
                                jour=jour_de_reference(), simulation=args.simulation)
    with Systeme(args.store) as s:
        resultat = s.app.annuler(demande)
    entete = ("Simulation de l'annulation (rien n'a été enregistré)" if args.simulation
              else f"Annulation {resultat.synchronisation} terminée")
    return Resultat(resultat.en_dict(), [f"{entete} : {len(resultat.messages)} message(s).",
                                         *messages_en_lignes(resultat.messages)])


def _uuid(texte: str) -> UUID:
    try:
        return UUID(texte)
    except ValueError:
        raise RunInconnuError(texte) from None


def messages(args: argparse.Namespace) -> Resultat:
    """A run's report; an undone run says by which run, when and by whom (SPEC §9)."""
    run_id = _uuid(args.synchronisation)
    with Systeme(args.store) as s:
        with s.lire("rapports") as c:
            run = rapports.run(c, str(run_id))
            if run is None and not args.regenerer:
                raise RunInconnuError(run_id)
            liste = rapports.messages_du_run(c, str(run_id)) if not args.regenerer else []
        if args.regenerer:
            liste = rapport(evenements_du_run(s.app, run_id))
    donnees: dict[str, Any] = {"synchronisation": str(run_id), "messages": [m.en_dict() for m in liste]}
    lignes = messages_en_lignes(liste)
    if run is not None and run.get("annulee_par"):
        donnees["annulee"] = {"par": run["annulee_par"], "le": run["annulee_le"], "acteur": run["annulee_acteur"]}
        lignes = [f"Synchronisation annulée le {_date(run['annulee_le'])} par {run['annulee_acteur']} "
                  f"(annulation {run['annulee_par']}).", *lignes]
    return Resultat(donnees, lignes)


def _date(iso: str) -> str:
    return date_locale(datetime.fromisoformat(iso))
