"""The servers and the accounts: ``lsun-events serveur`` (the web page and the JSON API), ``lsun-events
utilisateurs ajouter|jeton|mot-de-passe|supprimer|lister`` and ``lsun-events s3e`` (a local S3E service on a
folder of exports)."""

from __future__ import annotations

import errno
import getpass
import socket
import sys
from typing import TYPE_CHECKING, Any

from lsun_events.application.comptes import CompteInvalideError, Comptes
from lsun_events.application.erreurs import ErreurLsun
from lsun_events.interfaces.cli.journal import annoncer, en_json
from lsun_events.interfaces.cli.sortie import Resultat, echapper
from lsun_events.storage.config import Store

if TYPE_CHECKING:
    import argparse


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
    # LSUN_JOURNAL_FORMAT=json: uvicorn's own lines go through the same JSON log as the product's.
    journal = {"log_config": None} if en_json() else {}
    uvicorn.run(application, host=hote, port=port, log_level="warning", workers=1, **journal)


def serveur(args: argparse.Namespace) -> Resultat:
    store = Store.depuis_url(args.store)
    verifier_ecoute(args.hote, args.port)
    annoncer(echapper(f"Page web et API : http://{args.hote}:{args.port}/ (stockage {store.affichage}) — "
                      "Ctrl+C pour arrêter."), "serveur.demarre")
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


# --- s3e -------------------------------------------------------------------------------------------------------

def s3e(args: argparse.Namespace) -> Resultat:
    from lsun_events.sources.s3e_server import servir  # noqa: PLC0415

    if not args.exports.is_dir():
        quoi = "n'existe pas" if not args.exports.exists() else "n'est pas un dossier"
        raise ErreurLsun(f"Le dossier des exports « {args.exports} » {quoi} : indiquez un dossier contenant un "
                         "sous-dossier par UAI (par exemple DIR/0999001X/ElevesSansAdresses.xml).")
    servir(args.exports, args.port, args.jeton)
    return Resultat({"statut": "arrete"}, ["Serveur S3E arrêté."])
