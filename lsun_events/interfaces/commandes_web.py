"""``lsun-events serveur`` (the web page and the JSON API) and ``lsun-events utilisateurs`` (accounts)."""

from __future__ import annotations

import argparse
import errno
import getpass
import socket
import sys
from collections.abc import Callable
from typing import Any

from lsun_events.application.comptes import ROLES, CompteInvalideError, Comptes
from lsun_events.application.erreurs import ErreurLsun
from lsun_events.interfaces.sortie import Resultat, echapper
from lsun_events.storage.config import Store


def verifier_ecoute(hote: str, port: int) -> None:
    """The address resolves and the port is free, checked before the server starts: uvicorn would otherwise log
    its English error and exit with code 3."""
    try:
        famille, genre, proto, _, adresse = socket.getaddrinfo(hote, port, type=socket.SOCK_STREAM,
                                                               flags=socket.AI_PASSIVE)[0]
    except (socket.gaierror, UnicodeError, OSError):
        raise ErreurLsun(f"Adresse d'écoute « {hote} » inconnue : indiquez une adresse de cette machine, par exemple "
                         "127.0.0.1 (cette machine seule) ou 0.0.0.0 (toutes ses adresses).") from None
    with socket.socket(famille, genre, proto) as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            s.bind(adresse)
        except OSError as e:
            raison = {errno.EADDRINUSE: "le port est déjà pris par un autre programme",
                      errno.EADDRNOTAVAIL: "cette adresse n'est pas celle de cette machine",
                      errno.EACCES: "ce port est réservé (sous 1024 : administrateur seulement)"}.get(
                          e.errno or 0, "le système refuse cette adresse")
            raise ErreurLsun(f"Impossible d'écouter sur {hote}:{port} : {raison}.") from None


def servir(store: Store, *, hote: str, port: int, **options: Any) -> None:
    """Start the web application (blocks until interrupted)."""
    import uvicorn  # noqa: PLC0415

    from lsun_events.interfaces.web import create_app  # noqa: PLC0415

    verifier_ecoute(hote, port)
    application = create_app(store, **options)
    uvicorn.run(application, host=hote, port=port, log_level="warning", workers=1)


def serveur(args: argparse.Namespace) -> Resultat:
    store = Store.depuis_url(args.store)
    verifier_ecoute(args.hote, args.port)
    sys.stderr.write(echapper(f"Page web et API : http://{args.hote}:{args.port}/ (stockage {store.affichage}) — "
                              "Ctrl+C pour arrêter.") + "\n")
    sys.stderr.flush()
    servir(store, hote=args.hote, port=args.port, s3e=args.s3e, jeton_s3e=args.jeton)
    return Resultat({"statut": "arrete"}, ["Serveur arrêté."])


def _mot_de_passe(args: argparse.Namespace) -> str:
    if args.mot_de_passe:
        return args.mot_de_passe
    if not sys.stdin.isatty():  # a script: one line on stdin
        return sys.stdin.readline().rstrip("\n")
    premier = getpass.getpass("Mot de passe : ")
    if getpass.getpass("Confirmez le mot de passe : ") != premier:
        raise CompteInvalideError("Les deux mots de passe diffèrent : aucun compte créé.")
    return premier


def ajouter(args: argparse.Namespace) -> Resultat:
    comptes = Comptes(args.store)
    compte = comptes.ajouter(args.identifiant, args.role, _mot_de_passe(args), uai=args.uai, nom=args.nom)
    portee = f"établissement {compte.uai}" if compte.uai else "tous les établissements"
    return Resultat(compte.en_dict(), [f"Compte « {compte.identifiant} » créé : {compte.acteur}, {portee}."])


def jeton(args: argparse.Namespace) -> Resultat:
    valeur = Comptes(args.store).creer_jeton(args.identifiant)
    return Resultat({"identifiant": args.identifiant, "jeton": valeur}, [
        f"Jeton d'API de « {args.identifiant} » (affiché une seule fois ; le précédent ne vaut plus) :", valeur,
        "Usage : Authorization: Bearer <jeton>"])


def changer_mot_de_passe(args: argparse.Namespace) -> Resultat:
    fermees = Comptes(args.store).changer_mot_de_passe(args.identifiant, _mot_de_passe(args))
    return Resultat({"identifiant": args.identifiant, "sessions_fermees": fermees},
                    [f"Mot de passe de « {args.identifiant} » changé ; {fermees} session(s) ouverte(s) fermée(s)."])


def supprimer(args: argparse.Namespace) -> Resultat:
    Comptes(args.store).supprimer(args.identifiant)
    return Resultat({"identifiant": args.identifiant, "supprime": True},
                    [f"Compte « {args.identifiant} » supprimé, avec ses sessions et son jeton d'API."])


def lister(args: argparse.Namespace) -> Resultat:
    comptes = Comptes(args.store).lister()
    return Resultat({"comptes": [c.en_dict() for c in comptes]},
                    [f"{c.identifiant}\t{c.role}\t{c.uai or '(académie)'}\t{c.nom}" for c in comptes]
                    or ["Aucun compte."])


def enregistrer(sous: argparse._SubParsersAction, ajouter_commande: Callable[..., argparse.ArgumentParser]) -> None:
    from lsun_events.interfaces import cli  # noqa: PLC0415  (cli imports this module)

    p = ajouter_commande(sous, "serveur", "la page web du chef d'établissement et l'API JSON", serveur)
    p.add_argument("--port", type=cli.port, default=8000, help="port d'écoute, de 1 à 65535 (défaut : 8000)")
    p.add_argument("--hote", type=cli.hote, default="127.0.0.1", help="adresse d'écoute (défaut : 127.0.0.1)")
    p.add_argument("--s3e", type=cli.adresse_s3e, help="adresse du service S3E de l'académie (défaut : $LSUN_S3E)")
    p.add_argument("--jeton", type=cli.jeton, help="jeton du service S3E (défaut : $LSUN_S3E_JETON)")

    groupe = sous.add_parser("utilisateurs", help="comptes de la page web et de l'API").add_subparsers(
        dest="action", required=True, metavar="ACTION")
    p = ajouter_commande(groupe, "ajouter", "crée un compte (chef, enseignant ou admin)", ajouter)
    p.add_argument("--identifiant", required=True)
    p.add_argument("--role", required=True, choices=ROLES)
    p.add_argument("--uai", type=cli.uai, help="établissement du compte (obligatoire pour chef et enseignant)")
    p.add_argument("--nom", type=cli.nom_lisible, help="nom affiché et enregistré comme acteur, ex. « Mme Dupont »")
    p.add_argument("--mot-de-passe", dest="mot_de_passe",
                   help="sinon demandé au clavier (ou lu sur l'entrée standard)")
    p = ajouter_commande(groupe, "jeton", "crée le jeton d'API d'un compte (remplace le précédent)", jeton)
    p.add_argument("--identifiant", required=True)
    p = ajouter_commande(groupe, "mot-de-passe", "change le mot de passe d'un compte (ses sessions se ferment)",
                         changer_mot_de_passe)
    p.add_argument("--identifiant", required=True)
    p.add_argument("--mot-de-passe", dest="mot_de_passe",
                   help="sinon demandé au clavier (ou lu sur l'entrée standard)")
    p = ajouter_commande(groupe, "supprimer", "supprime un compte, ses sessions et son jeton d'API", supprimer)
    p.add_argument("--identifiant", required=True)
    ajouter_commande(groupe, "lister", "liste les comptes", lister)
