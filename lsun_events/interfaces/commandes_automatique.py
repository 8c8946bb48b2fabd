"""Commands of automatic synchronisation: ``automatique activer|desactiver|etat|appliquer|abandonner`` and
``worker``."""

from __future__ import annotations

import argparse
import os
import signal
import threading
from datetime import date
from typing import Any

from lsun_events.automatique import service
from lsun_events.automatique.garde import Garde
from lsun_events.automatique.planification import Planification
from lsun_events.automatique.worker import Worker
from lsun_events.interfaces.presentation import messages_en_lignes
from lsun_events.interfaces.sortie import Resultat
from lsun_events.storage.config import jour_de_reference, jour_fixe
from lsun_events.systeme import Systeme


def _mois_jour(texte: str) -> tuple[tuple[int, int], tuple[int, int]]:
    try:
        debut, fin = (date.fromisoformat(f"2000-{x.strip()}") for x in texte.split(":"))  # 2000: 02-29 exists
    except ValueError:
        court = texte if len(texte) <= 40 else texte[:40] + "…"
        message = f"« {court} » invalide : attendu MM-JJ:MM-JJ (deux jours de l'année), par exemple 08-20:09-30"
        raise argparse.ArgumentTypeError(message) from None
    return (debut.month, debut.day), (fin.month, fin.day)


INTERVALLE_MAX = 7 * 24 * 60  # a week, in minutes


def activer(args: argparse.Namespace) -> Resultat:
    with Systeme(args.store) as s:
        p = Planification(s.store)
        service.parametrer(s, p, args.uai, args.acteur, active=True, adresse_s3e=args.s3e,
                           intervalle_minutes=args.intervalle)
        e = service.etat(s, p, args.uai)
        p.fermer()
    return Resultat(e, [f"Synchronisation automatique activée pour {e['uai']} : source {e['adresse_s3e']}, "
                        f"vérification toutes les {e['intervalle_minutes']} minutes."])


def desactiver(args: argparse.Namespace) -> Resultat:
    with Systeme(args.store) as s:
        p = Planification(s.store)
        actuel = s.app.etablissement(args.uai).automatique
        service.parametrer(s, p, args.uai, args.acteur, active=False,
                           intervalle_minutes=actuel.intervalle_minutes if actuel else 15)
        e = service.etat(s, p, args.uai)
        p.fermer()
    return Resultat(e, [f"Synchronisation automatique désactivée pour {e['uai']}."])


def etat(args: argparse.Namespace) -> Resultat:
    with Systeme(args.store) as s:
        p = Planification(s.store)
        e = service.etat(s, p, args.uai)
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
        resultat = service.appliquer_retenue(s, p, args.synchronisation, args.acteur, jour_de_reference())
        p.fermer()
    return Resultat(resultat.en_dict(), [f"Synchronisation retenue appliquée : {resultat.synchronisation}.",
                                         *messages_en_lignes(resultat.messages)])


def abandonner(args: argparse.Namespace) -> Resultat:
    with Systeme(args.store) as s:
        p = Planification(s.store)
        service.abandonner_retenue(s, p, args.synchronisation, args.acteur)
        p.fermer()
    return Resultat({"synchronisation": args.synchronisation, "statut": "abandonnee"},
                    [f"Synchronisation retenue {args.synchronisation} abandonnée."])


def worker(args: argparse.Namespace) -> Resultat:
    garde = Garde(seuil_eleves=args.seuil_eleves, seuil_enseignants=args.seuil_enseignants,
                  rentree_debut=args.rentree[0], rentree_fin=args.rentree[1])
    with Systeme(args.store) as s:
        p = Planification(s.store)
        w = Worker(s, p, garde=garde, jeton=args.jeton or os.environ.get("LSUN_S3E_JETON"), jour=jour_fixe())
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


def enregistrer(sous: argparse._SubParsersAction, ajouter: Any) -> None:
    from lsun_events.interfaces.cli import adresse_s3e, entier, jeton, reel, uai  # noqa: PLC0415  (cli imports this)

    groupe = sous.add_parser("automatique", help="synchronisation automatique en arrière-plan").add_subparsers(
        dest="action", required=True, metavar="ACTION")
    p = ajouter(groupe, "activer", "active la synchronisation automatique d'un établissement", activer)
    p.add_argument("--uai", type=uai, required=True, help="UAI de l'établissement, par exemple 0999001X")
    p.add_argument("--s3e", type=adresse_s3e, help="adresse http(s):// du service S3E")
    p.add_argument("--intervalle", type=entier(1, INTERVALLE_MAX), default=15,
                   help=f"minutes entre deux vérifications (1 à {INTERVALLE_MAX} ; défaut 15)")
    p = ajouter(groupe, "desactiver", "désactive la synchronisation automatique", desactiver)
    p.add_argument("--uai", type=uai, required=True, help="UAI de l'établissement, par exemple 0999001X")
    p = ajouter(groupe, "etat", "état de la synchronisation automatique", etat)
    p.add_argument("--uai", type=uai, required=True, help="UAI de l'établissement, par exemple 0999001X")
    for nom, aide, fonction in (("appliquer", "applique une synchronisation retenue", appliquer),
                                ("abandonner", "abandonne une synchronisation retenue", abandonner)):
        p = ajouter(groupe, nom, aide, fonction)
        p.add_argument("--synchronisation", required=True)

    p = ajouter(sous, "worker", "vérifie les sources S3E et synchronise en arrière-plan", worker)
    p.add_argument("--une-fois", action="store_true", help="un seul passage, puis s'arrête")
    p.add_argument("--pause", type=reel(0.1, 86400), default=30.0,
                   help="secondes entre deux passages (0,1 à 86400 ; défaut 30)")
    p.add_argument("--jeton", type=jeton, help="jeton du service S3E (défaut : $LSUN_S3E_JETON)")
    p.add_argument("--seuil-eleves", type=reel(0, 1), default=0.3,
                   help="part des élèves d'une division « plus dans la division » au-delà de laquelle la "
                   "synchronisation est retenue (0 à 1 ; défaut 0,3)")
    p.add_argument("--seuil-enseignants", type=reel(0, 1), default=0.5,
                   help="part des enseignants liés introuvables au-delà de laquelle la synchronisation est retenue "
                   "(0 à 1 ; défaut 0,5)")
    p.add_argument("--rentree", type=_mois_jour, default=((8, 20), (9, 30)),
                   help="période MM-JJ:MM-JJ où la garde est relâchée (défaut 08-20:09-30)")
