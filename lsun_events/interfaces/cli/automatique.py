"""Commands of automatic synchronisation: ``automatique activer|desactiver|etat|appliquer|abandonner`` and
``worker``."""

from __future__ import annotations

import os
import signal
import threading
from typing import TYPE_CHECKING

from lsun_events.automatique import service
from lsun_events.automatique.garde import Garde
from lsun_events.automatique.planification import Planification
from lsun_events.automatique.worker import Worker
from lsun_events.exploitation import metriques
from lsun_events.interfaces.cli.presentation import messages_en_lignes
from lsun_events.interfaces.cli.sortie import Resultat
from lsun_events.storage.config import jour_de_reference, jour_fixe
from lsun_events.systeme import Systeme

if TYPE_CHECKING:
    import argparse


def activer(args: argparse.Namespace) -> Resultat:
    with Systeme(args.store) as s:
        p = Planification(s.store)
        service.parametrer(s.app, p, args.uai, args.acteur, active=True, adresse_s3e=args.s3e,
                           intervalle_minutes=args.intervalle)
        e = service.etat(s.app, p, args.uai)
        p.fermer()
    return Resultat(e, [f"Synchronisation automatique activée pour {e['uai']} : source {e['adresse_s3e']}, "
                        f"vérification toutes les {e['intervalle_minutes']} minutes."])


def desactiver(args: argparse.Namespace) -> Resultat:
    with Systeme(args.store) as s:
        p = Planification(s.store)
        actuel = s.app.etablissement(args.uai).automatique
        service.parametrer(s.app, p, args.uai, args.acteur, active=False,
                           intervalle_minutes=actuel.intervalle_minutes if actuel else 15)
        e = service.etat(s.app, p, args.uai)
        p.fermer()
    return Resultat(e, [f"Synchronisation automatique désactivée pour {e['uai']}."])


def etat(args: argparse.Namespace) -> Resultat:
    with Systeme(args.store) as s:
        p = Planification(s.store)
        e = service.etat(s.app, p, args.uai)
        p.fermer()
    lignes = [f"Synchronisation automatique de {e['uai']} : {'activée' if e['active'] else 'désactivée'}",
              f"  dernière vérification : {e['derniere_verification'] or 'aucune'} ({e['dernier_etat'] or '—'})",
              f"  dernière synchronisation : {e['derniere_synchronisation'] or 'aucune'}",
              f"  prochaine vérification : {e['prochaine_verification'] or '—'}"]
    if e["message"]:
        lignes.append(f"  {e['message']}")
    for r in e["retenues"]:
        lignes.append(f"  Retenue {r['synchronisation']} du {r['cree_le']} : {r['raison']}")
    return Resultat(e, lignes)


def appliquer(args: argparse.Namespace) -> Resultat:
    with Systeme(args.store) as s:
        p = Planification(s.store)
        resultat = service.appliquer_retenue(s.app, p, args.synchronisation, args.acteur, jour_de_reference())
        p.fermer()
    return Resultat(resultat.en_dict(), [f"Synchronisation retenue appliquée : {resultat.synchronisation}.",
                                         *messages_en_lignes(resultat.messages)])


def abandonner(args: argparse.Namespace) -> Resultat:
    with Systeme(args.store) as s:
        p = Planification(s.store)
        service.abandonner_retenue(s.app, p, args.synchronisation, args.acteur)
        p.fermer()
    return Resultat({"synchronisation": args.synchronisation, "statut": "abandonnee"},
                    [f"Synchronisation retenue {args.synchronisation} abandonnée."])


def worker(args: argparse.Namespace) -> Resultat:
    garde = Garde(seuil_eleves=args.seuil_eleves, seuil_enseignants=args.seuil_enseignants,
                  rentree_debut=args.rentree[0], rentree_fin=args.rentree[1])
    if args.metriques_port:
        metriques.servir(args.metriques_port, args.metriques_hote)  # this process's counters
    with Systeme(args.store) as s:
        p = Planification(s.store)
        w = Worker(s.app, p, garde=garde, jeton=args.jeton or os.environ.get("LSUN_S3E_JETON"), jour=jour_fixe())
        if args.une_fois:
            faits = w.cycle()
        else:
            arret = threading.Event()
            for sig in (signal.SIGINT, signal.SIGTERM):
                signal.signal(sig, lambda *_: arret.set())
            w.executer(arret, pause=args.pause)
            faits = []
        p.fermer()
    return Resultat({"cycle": [{"uai": u, "resultat": r} for u, r in faits]},
                    [f"{u} : {r}" for u, r in faits] or ["Worker arrêté."])
