"""``lsun-events``: the command line of SPEC §8. Thin: parse, call the application, present.
Errors go to stderr in French with a non-zero exit code, and nothing is saved."""

from __future__ import annotations

import argparse
import getpass
import os
import sys
from collections.abc import Callable, Sequence
from datetime import date
from pathlib import Path
from typing import Any

from eventsourcing.persistence import MapperDeserialisationError

from lsun_events.aggregates.erreurs import ErreurDomaine
from lsun_events.aggregates.valeurs import Periode
from lsun_events.config import StoreInvalideError
from lsun_events.erreurs import ErreurLsun
from lsun_events.interfaces import (
    commandes,
    commandes_audit,
    commandes_automatique,
    commandes_fiabilite,
    commandes_web,
    demo,
)
from lsun_events.interfaces.francais import traduire_argparse
from lsun_events.interfaces.sortie import Resultat, afficher, erreur
from lsun_events.sources.erreurs import SourceInvalideError

traduire_argparse()

# Modules that add their own commands: each has ``enregistrer(sous_parsers, ajouter)``.
MODULES_DE_COMMANDES: list[Any] = [demo, commandes_audit, commandes_automatique, commandes_web, commandes_fiabilite]

Commande = Callable[[argparse.Namespace], Resultat]


def periode(texte: str) -> Periode:
    """CODE:AAAA-MM-JJ:AAAA-MM-JJ"""
    try:
        code, debut, fin = texte.split(":")
        return Periode(code.strip(), date.fromisoformat(debut), date.fromisoformat(fin))
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"période « {texte} » invalide : attendu CODE:AAAA-MM-JJ:AAAA-MM-JJ, par exemple T1:2025-09-01:2025-11-30"
        ) from None


def jour_iso(texte: str) -> date:
    try:
        return date.fromisoformat(texte)
    except ValueError:
        raise argparse.ArgumentTypeError(f"date « {texte} » invalide : attendu AAAA-MM-JJ") from None


def entier_positif(texte: str) -> int:
    try:
        n = int(texte)
    except ValueError:
        n = 0
    if n < 1:
        raise argparse.ArgumentTypeError(f"« {texte} » n'est pas un entier positif")
    return n


def _commun() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(add_help=False)
    p.add_argument("--store", help="sqlite:///CHEMIN ou postgresql://… (défaut : $LSUN_STORE, sinon ./lsun-data/)")
    p.add_argument("--json", action="store_true", help="un document JSON sur la sortie standard")
    p.add_argument("--acteur", default=os.environ.get("LSUN_ACTEUR") or None,
                   help="qui agit (défaut : $LSUN_ACTEUR, sinon l'utilisateur du système)")
    return p


def construire_parser() -> argparse.ArgumentParser:
    commun = _commun()
    parser = argparse.ArgumentParser(prog="lsun-events", description="LSUN : synchronisation base élèves")
    sous = parser.add_subparsers(dest="commande", required=True, metavar="COMMANDE")

    def ajouter(groupe: argparse._SubParsersAction, nom: str, aide: str, fonction: Commande) -> argparse.ArgumentParser:
        p = groupe.add_parser(nom, help=aide, description=aide, parents=[commun])
        p.set_defaults(fonction=fonction)
        return p

    ajouter(sous, "migrer", "crée le schéma du stockage (PostgreSQL : une fois, avant tout processus)",
            commandes.migrer)

    p = ajouter(sous, "importer", "premier import d'un établissement depuis les exports SIECLE et STS",
                commandes.importer)
    p.add_argument("--siecle", type=Path, required=True, help="dossier ou zip des exports SIECLE/BEE")
    p.add_argument("--sts", type=Path, required=True, help="fichier sts_emp_<UAI>_<année>.xml (ou zip)")
    p.add_argument("--uai", help="UAI attendu (contrôlé dans chaque fichier)")

    eleves = sous.add_parser("eleves", help="élèves").add_subparsers(dest="action", required=True, metavar="ACTION")
    p = ajouter(eleves, "ajouter", "ajoute les élèves arrivés dans la BEE depuis l'import", commandes.ajouter_eleves)
    p.add_argument("--uai", required=True)
    p.add_argument("--siecle", type=Path, required=True)
    p.add_argument("--sts", type=Path, help="export STS (facultatif)")

    periodes = sous.add_parser("periodes", help="périodes").add_subparsers(dest="action", required=True,
                                                                          metavar="ACTION")
    p = ajouter(periodes, "parametrer", "paramètre les périodes d'une division", commandes.parametrer_periodes)
    p.add_argument("--uai", required=True)
    p.add_argument("--division", required=True)
    p.add_argument("--periode", type=periode, action="append", required=True,
                   help="CODE:AAAA-MM-JJ:AAAA-MM-JJ (répéter pour chaque période)")

    bilans = sous.add_parser("bilans", help="bilans périodiques").add_subparsers(dest="action", required=True,
                                                                                metavar="ACTION")
    p = ajouter(bilans, "ouvrir", "ouvre les bilans d'une division pour une période", commandes.ouvrir_bilans)
    for a in ("--uai", "--division", "--periode"):
        p.add_argument(a, required=True)
    p = ajouter(bilans, "saisir", "saisit un acquis", commandes.saisir_acquis)
    for a in ("--uai", "--eleve", "--periode", "--matiere"):
        p.add_argument(a, required=True)
    p.add_argument("--positionnement", type=int, choices=[1, 2, 3, 4])
    p.add_argument("--appreciation")
    for nom, aide, verrou in (("verrouiller", "verrouille des bilans", True),
                              ("deverrouiller", "déverrouille des bilans", False)):
        p = ajouter(bilans, nom, aide, commandes.verrouiller)
        p.set_defaults(verrouiller=verrou)
        for a in ("--uai", "--division", "--periode"):
            p.add_argument(a, required=True)
        p.add_argument("--eleve")

    p = ajouter(sous, "bilan", "un bilan maintenant, ou tel qu'il était", commandes.bilan)
    for a in ("--uai", "--eleve", "--periode"):
        p.add_argument(a, required=True)
    quand = p.add_mutually_exclusive_group()
    quand.add_argument("--version", type=entier_positif)
    quand.add_argument("--au", type=jour_iso, help="AAAA-MM-JJ : le bilan tel qu'il était ce jour-là (fin de journée)")

    p = ajouter(sous, "synchroniser", "synchronisation base élèves (R1–R12) des divisions choisies",
                commandes.synchroniser)
    p.add_argument("--uai", required=True)
    choix = p.add_mutually_exclusive_group(required=True)
    choix.add_argument("--division", action="append", help="code de division (répéter pour plusieurs)")
    choix.add_argument("--toutes", action="store_true", help="toutes les divisions")
    p.add_argument("--siecle", type=Path, help="dossier ou zip des exports SIECLE/BEE")
    p.add_argument("--sts", type=Path, help="export STS-web")
    p.add_argument("--s3e", help="adresse du service S3E (au lieu des fichiers)")
    p.add_argument("--jeton", help="jeton d'accès au service S3E")
    p.add_argument("--simulation", action="store_true", help="calcule les messages sans rien enregistrer")

    p = ajouter(sous, "messages", "le rapport d'une synchronisation", commandes.messages)
    p.add_argument("--synchronisation", required=True, help="identifiant de la synchronisation")
    p.add_argument("--regenerer", action="store_true", help="reconstruit le rapport depuis les seuls événements")

    projections = sous.add_parser("projections", help="vues calculées depuis les événements").add_subparsers(
        dest="action", required=True, metavar="ACTION")
    p = ajouter(projections, "reconstruire", "reconstruit toutes les vues depuis le premier événement",
                commandes.reconstruire)
    p.add_argument("--processus", type=int, default=1, choices=range(1, 4), metavar="N",
                   help="processus qui reconstruisent les vues en même temps (1 à 3 ; défaut : 1)")

    for module in MODULES_DE_COMMANDES:
        module.enregistrer(sous, ajouter)

    p = ajouter(sous, "s3e", "serveur S3E local sur un dossier d'exports (DIR/<UAI>/…)", commandes.s3e)
    p.add_argument("--exports", type=Path, required=True)
    p.add_argument("--port", type=int, default=8081)
    p.add_argument("--jeton")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    commandes_fiabilite.configurer_journal()
    parser = construire_parser()
    args = parser.parse_args(argv)
    args.acteur = args.acteur or getpass.getuser()
    if args.commande == "synchroniser" and not args.s3e and not (args.siecle and args.sts):
        parser.error("indiquez --siecle et --sts, ou --s3e")
    try:
        resultat = args.fonction(args)
    except (ErreurLsun, ErreurDomaine, SourceInvalideError, StoreInvalideError) as e:
        erreur(str(e))
        return 1
    except commandes.ERREURS_STOCKAGE as e:
        erreur(commandes.expliquer_erreur_stockage(e))
        return 1
    except MapperDeserialisationError as e:
        erreur(commandes_fiabilite.expliquer_dechiffrement(e))
        return 1
    afficher(resultat, en_json=args.json)
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
