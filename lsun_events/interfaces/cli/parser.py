"""The command line's grammar (SPEC §8): every command, its options and their types, and where its
implementation lives — a reference ``"module:fonction"`` inside this package, imported by ``main`` only when the
command runs. Built at every start, ``--help`` included: this module imports argparse and the light modules of
the package only (``arguments``, ``sortie``, ``francais``), never the application, the stores or the drivers;
``tests/test_cli_demarrage.py`` checks it.

The few values the grammar shares with the product (the accounts' roles, the views' names, the audit's page
size) are written here and compared with the product's by that test."""

from __future__ import annotations

import argparse
import os
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn, TypeAlias

from lsun_events.interfaces.cli.arguments import (
    adresse_s3e,
    enseignant_cle,
    entier,
    entier_positif,
    hote,
    jeton,
    jour_iso,
    mois_jour,
    nom_lisible,
    periode,
    port,
    reel,
    uai,
)
from lsun_events.interfaces.cli.francais import traduire_argparse
from lsun_events.interfaces.cli.sortie import echapper

traduire_argparse()

ROLES = ("chef", "enseignant", "admin")  # lsun_events.application.comptes.ROLES
PROJECTIONS = ("rapports", "courante", "audit")  # the views of lsun_events.systeme.MODELES
CLE_CHIFFREMENT = "LSUN_CLE_CHIFFREMENT"  # lsun_events.storage.config.CLE_CHIFFREMENT
LIMITE_AUDIT = 50  # lsun_events.projections.requetes_audit.LIMITE
LIMITE_MAX = 1000  # as the API's audit
PAGE_MAX = 1_000_000  # (PAGE_MAX - 1) × LIMITE_MAX stays far below the stores' 64-bit offsets
INTERVALLE_MAX = 7 * 24 * 60  # a week, in minutes
AIDE_UAI = "UAI de l'établissement, par exemple 0999001X"
AIDE_STORE = "sqlite:///CHEMIN ou postgresql://… (défaut : $LSUN_STORE, sinon ./lsun-data/)"
AIDE_JSON = "un document JSON sur la sortie standard"
METRIQUES_PORT = "LSUN_METRIQUES_PORT"  # the default of --metriques-port (worker, projections suivre)
RETARD_MAX = "LSUN_SANTE_RETARD_MAX"  # lsun_events.exploitation.sante.RETARD_MAX

if TYPE_CHECKING:
    Groupe: TypeAlias = argparse._SubParsersAction[argparse.ArgumentParser]  # a group of sub-commands


class Parser(argparse.ArgumentParser):
    """argparse, whose error messages (which echo the arguments) cannot drive the terminal."""

    def error(self, message: str) -> NoReturn:
        super().error(echapper(message))


def _commun() -> argparse.ArgumentParser:
    p = Parser(add_help=False)
    p.add_argument("--store", help=AIDE_STORE)
    p.add_argument("--json", action="store_true", help=AIDE_JSON)
    p.add_argument("--acteur", type=nom_lisible, default=os.environ.get("LSUN_ACTEUR") or None,
                   help="qui agit (défaut : $LSUN_ACTEUR, sinon l'utilisateur du système) ; une ligne imprimable")
    return p


class Commandes:
    """Adds the commands: each with the common options (``--store``, ``--json``, ``--acteur``) and the reference
    of its implementation in ``fonction``."""

    def __init__(self) -> None:
        self.commun = _commun()

    def ajouter(self, groupe: Groupe, nom: str, aide: str, fonction: str) -> argparse.ArgumentParser:
        """``fonction``: ``"module:fonction"``, a module of this package."""
        p = groupe.add_parser(nom, help=aide, description=aide, parents=[self.commun])
        p.set_defaults(fonction=fonction)
        return p


def _sous_groupe(groupe: Groupe, nom: str, aide: str) -> Groupe:
    return groupe.add_parser(nom, help=aide).add_subparsers(dest="action", required=True, metavar="ACTION")


def _uai(p: argparse.ArgumentParser) -> None:
    p.add_argument("--uai", type=uai, required=True, help=AIDE_UAI)


def _requis(p: argparse.ArgumentParser, *options: str) -> None:
    for option in options:
        if option == "--uai":
            _uai(p)
        else:
            p.add_argument(option, required=True)


def _metriques(p: argparse.ArgumentParser) -> None:
    """A long-running process's own metrics (Prometheus text format), served on a port of their own."""
    p.add_argument("--metriques-port", type=port, default=os.environ.get(METRIQUES_PORT) or None,
                   help="port où servir les mesures de ce processus au format Prometheus (défaut : "
                   f"${METRIQUES_PORT}, sinon aucun)")
    p.add_argument("--metriques-hote", type=hote, default="127.0.0.1",
                   help="adresse d'écoute des mesures (défaut : 127.0.0.1 ; 0.0.0.0 : toutes)")


# --- one function per group of commands, in the order of ``--help`` ------------------------------------------

def _stockage(c: Commandes, sous: Groupe) -> None:
    c.ajouter(sous, "migrer", "crée le schéma du stockage (PostgreSQL : une fois, avant tout processus)",
              "projections:migrer")


def _eleves(c: Commandes, sous: Groupe) -> None:
    p = c.ajouter(sous, "importer", "premier import d'un établissement depuis les exports SIECLE et STS",
                  "eleves:importer")
    p.add_argument("--siecle", type=Path, required=True, help="dossier ou zip des exports SIECLE/BEE")
    p.add_argument("--sts", type=Path, required=True, help="fichier sts_emp_<UAI>_<année>.xml (ou zip)")
    p.add_argument("--uai", type=uai, help="UAI attendu (contrôlé dans chaque fichier)")

    eleves = _sous_groupe(sous, "eleves", "élèves")
    p = c.ajouter(eleves, "ajouter", "ajoute les élèves arrivés dans la BEE depuis l'import", "eleves:ajouter_eleves")
    _requis(p, "--uai")
    p.add_argument("--siecle", type=Path, required=True)
    p.add_argument("--sts", type=Path, help=argparse.SUPPRESS)  # refused: only SIECLE's pupils are read


def _bilans(c: Commandes, sous: Groupe) -> None:
    periodes = _sous_groupe(sous, "periodes", "périodes")
    p = c.ajouter(periodes, "parametrer", "paramètre les périodes d'une division", "bilans:parametrer_periodes")
    _requis(p, "--uai")
    p.add_argument("--division", required=True)
    p.add_argument("--periode", type=periode, action="append", required=True,
                   help="CODE:AAAA-MM-JJ:AAAA-MM-JJ (répéter pour chaque période)")

    bilans = _sous_groupe(sous, "bilans", "bilans périodiques")
    p = c.ajouter(bilans, "ouvrir", "ouvre les bilans d'une division pour une période", "bilans:ouvrir_bilans")
    _requis(p, "--uai", "--division", "--periode")
    p = c.ajouter(bilans, "saisir", "saisit un acquis", "bilans:saisir_acquis")
    _requis(p, "--uai", "--eleve", "--periode", "--matiere")
    p.add_argument("--positionnement", type=int, choices=[1, 2, 3, 4])
    p.add_argument("--appreciation")
    for nom, aide, verrou in (("verrouiller", "verrouille des bilans", True),
                              ("deverrouiller", "déverrouille des bilans", False)):
        p = c.ajouter(bilans, nom, aide, "bilans:verrouiller")
        p.set_defaults(verrouiller=verrou)
        _requis(p, "--uai", "--division", "--periode")
        p.add_argument("--eleve")

    p = c.ajouter(sous, "bilan", "un bilan maintenant, ou tel qu'il était", "audit:bilan")
    _requis(p, "--uai", "--eleve", "--periode")
    quand = p.add_mutually_exclusive_group()
    quand.add_argument("--version", type=entier_positif)
    quand.add_argument("--au", type=jour_iso, help="AAAA-MM-JJ : le bilan tel qu'il était ce jour-là (fin de journée)")


def _synchronisation(c: Commandes, sous: Groupe) -> None:
    p = c.ajouter(sous, "synchroniser", "synchronisation base élèves (R1–R12) des divisions choisies",
                  "synchronisation:synchroniser")
    _requis(p, "--uai")
    choix = p.add_mutually_exclusive_group(required=True)
    choix.add_argument("--division", action="append", help="code de division (répéter pour plusieurs)")
    choix.add_argument("--toutes", action="store_true", help="toutes les divisions")
    p.add_argument("--siecle", type=Path, help="dossier ou zip des exports SIECLE/BEE")
    p.add_argument("--sts", type=Path, help="export STS-web")
    p.add_argument("--s3e", type=adresse_s3e, help="adresse http(s):// du service S3E (au lieu des fichiers)")
    p.add_argument("--jeton", type=jeton, help="jeton d'accès au service S3E")
    p.add_argument("--simulation", action="store_true", help="calcule les messages sans rien enregistrer")

    p = c.ajouter(sous, "annuler", "annule une synchronisation terminée : remet ce qu'elle a changé (SPEC §9)",
                  "synchronisation:annuler")
    _requis(p, "--uai")
    p.add_argument("--synchronisation", required=True, help="identifiant de la synchronisation à annuler")
    p.add_argument("--simulation", action="store_true", help="montre ce que l'annulation ferait, sans rien "
                   "enregistrer")

    p = c.ajouter(sous, "messages", "le rapport d'une synchronisation", "synchronisation:messages")
    p.add_argument("--synchronisation", required=True, help="identifiant de la synchronisation")
    p.add_argument("--regenerer", action="store_true", help="reconstruit le rapport depuis les seuls événements")


def _projections(c: Commandes, sous: Groupe) -> None:
    projections = _sous_groupe(sous, "projections", "vues calculées depuis les événements")
    p = c.ajouter(projections, "reconstruire", "reconstruit toutes les vues depuis le premier événement",
                  "projections:reconstruire")
    p.add_argument("--processus", type=entier(1, 3), default=1, metavar="N",
                   help="processus qui reconstruisent les vues en même temps (1 à 3 ; défaut : 1)")
    p = c.ajouter(projections, "suivre", "PostgreSQL : suit le stockage et tient les vues à jour (chaque page "
                  "d'événements lue une fois pour les vues suivies)", "projections:projections_suivre")
    p.add_argument("--projection", action="append", choices=PROJECTIONS,
                   help="la vue à suivre (répéter ; défaut : toutes, dans ce processus)")
    p.add_argument("--attente", type=reel(0.01, 3600), default=1.0,
                   help="secondes entre deux lectures sans notification (0,01 à 3600 ; défaut : 1)")
    _metriques(p)


def _demo(c: Commandes, sous: Groupe) -> None:
    p = c.ajouter(sous, "demo", "démonstration : un collège importé, une synchronisation, son rapport, puis la "
                  "page web", "demo:demo")
    p.add_argument("--sans-serveur", action="store_true",
                   help="ne démarre pas la page web à la fin (tests, CI ; implicite avec --json)")
    p.add_argument("--port", type=port, default=8000, help="port de la page web, de 1 à 65535 (défaut : 8000)")
    p.add_argument("--hote", type=hote, default="127.0.0.1", help="adresse d'écoute (défaut : 127.0.0.1)")


def _audit(c: Commandes, sous: Groupe) -> None:
    # ``--acteur`` is the filter here, not who acts: this parser does not take the common options' one.
    p = sous.add_parser("audit", help="qui a modifié quoi : date, acteur, synchronisation, champ, ancien → nouveau",
                        description="Le journal d'audit, du plus récent au plus ancien.")
    p.set_defaults(fonction="audit:audit", acteur=None)
    p.add_argument("--store", help=AIDE_STORE)
    p.add_argument("--json", action="store_true", help=AIDE_JSON)
    _uai(p)
    qui = p.add_mutually_exclusive_group(required=True)
    qui.add_argument("--eleve", help="ELEVE_ID de la base élèves")
    qui.add_argument("--enseignant", type=enseignant_cle, help="TYPE:ID de STS, par exemple epp:48213")
    qui.add_argument("--synchronisation", help="identifiant d'une synchronisation")
    qui.add_argument("--acteur", dest="filtre_acteur", metavar="NOM", help="ce qu'une personne a modifié")
    p.add_argument("--depuis", type=jour_iso, help="AAAA-MM-JJ (inclus)")
    p.add_argument("--jusqu-au", dest="jusqu_au", type=jour_iso, help="AAAA-MM-JJ (inclus)")
    p.add_argument("--limite", type=entier(1, LIMITE_MAX), default=LIMITE_AUDIT,
                   help=f"lignes par page (1 à {LIMITE_MAX} ; défaut : {LIMITE_AUDIT})")
    p.add_argument("--page", type=entier(1, PAGE_MAX), default=1, help=f"numéro de page (1 à {PAGE_MAX})")

    p = c.ajouter(sous, "archives", "les bilans archivés d'un élève, chacun exactement tel qu'archivé",
                  "audit:archives")
    _uai(p)
    p.add_argument("--eleve", required=True)


def _automatique(c: Commandes, sous: Groupe) -> None:
    groupe = _sous_groupe(sous, "automatique", "synchronisation automatique en arrière-plan")
    p = c.ajouter(groupe, "activer", "active la synchronisation automatique d'un établissement",
                  "automatique:activer")
    _uai(p)
    p.add_argument("--s3e", type=adresse_s3e, help="adresse http(s):// du service S3E")
    p.add_argument("--intervalle", type=entier(1, INTERVALLE_MAX), default=15,
                   help=f"minutes entre deux vérifications (1 à {INTERVALLE_MAX} ; défaut 15)")
    p = c.ajouter(groupe, "desactiver", "désactive la synchronisation automatique", "automatique:desactiver")
    _uai(p)
    p = c.ajouter(groupe, "etat", "état de la synchronisation automatique", "automatique:etat")
    _uai(p)
    for nom, aide in (("appliquer", "applique une synchronisation retenue"),
                      ("abandonner", "abandonne une synchronisation retenue")):
        p = c.ajouter(groupe, nom, aide, f"automatique:{nom}")
        p.add_argument("--synchronisation", required=True)

    p = c.ajouter(sous, "worker", "vérifie les sources S3E et synchronise en arrière-plan", "automatique:worker")
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
    p.add_argument("--rentree", type=mois_jour, default=((8, 20), (9, 30)),
                   help="période MM-JJ:MM-JJ où la garde est relâchée (défaut 08-20:09-30)")
    _metriques(p)


def _serveur(c: Commandes, sous: Groupe) -> None:
    p = c.ajouter(sous, "serveur", "la page web du chef d'établissement et l'API JSON", "serveur:serveur")
    p.add_argument("--port", type=port, default=8000, help="port d'écoute, de 1 à 65535 (défaut : 8000)")
    p.add_argument("--hote", type=hote, default="127.0.0.1", help="adresse d'écoute (défaut : 127.0.0.1)")
    p.add_argument("--s3e", type=adresse_s3e, help="adresse du service S3E de l'académie (défaut : $LSUN_S3E)")
    p.add_argument("--jeton", type=jeton, help="jeton du service S3E (défaut : $LSUN_S3E_JETON)")

    groupe = _sous_groupe(sous, "utilisateurs", "comptes de la page web et de l'API")
    p = c.ajouter(groupe, "ajouter", "crée un compte (chef, enseignant ou admin)", "serveur:ajouter")
    p.add_argument("--identifiant", required=True)
    p.add_argument("--role", required=True, choices=ROLES)
    p.add_argument("--uai", type=uai, help="établissement du compte (obligatoire pour chef et enseignant)")
    p.add_argument("--nom", type=nom_lisible, help="nom affiché et enregistré comme acteur, ex. « Mme Dupont »")
    p.add_argument("--mot-de-passe", dest="mot_de_passe",
                   help="sinon demandé au clavier (ou lu sur l'entrée standard)")
    p = c.ajouter(groupe, "jeton", "crée le jeton d'API d'un compte (remplace le précédent)", "serveur:jeton")
    p.add_argument("--identifiant", required=True)
    p = c.ajouter(groupe, "mot-de-passe", "change le mot de passe d'un compte (ses sessions se ferment)",
                  "serveur:changer_mot_de_passe")
    p.add_argument("--identifiant", required=True)
    p.add_argument("--mot-de-passe", dest="mot_de_passe",
                   help="sinon demandé au clavier (ou lu sur l'entrée standard)")
    p = c.ajouter(groupe, "supprimer", "supprime un compte, ses sessions et son jeton d'API", "serveur:supprimer")
    p.add_argument("--identifiant", required=True)
    c.ajouter(groupe, "lister", "liste les comptes", "serveur:lister")


def _cle(c: Commandes, sous: Groupe) -> None:
    cle = _sous_groupe(sous, "cle", "clé de chiffrement des données personnelles")
    c.ajouter(cle, "generer", f"affiche une nouvelle clé de chiffrement pour {CLE_CHIFFREMENT}", "cle:generer_cle")


def _s3e(c: Commandes, sous: Groupe) -> None:
    p = c.ajouter(sous, "s3e", "serveur S3E local sur un dossier d'exports (DIR/<UAI>/…)", "serveur:s3e")
    p.add_argument("--exports", type=Path, required=True)
    p.add_argument("--port", type=port, default=8081, help="port d'écoute, de 1 à 65535 (défaut : 8081)")
    p.add_argument("--jeton", type=jeton, help="jeton exigé des clients (défaut : aucun)")


def _sante(c: Commandes, sous: Groupe) -> None:
    p = c.ajouter(sous, "sante", "l'état de santé pour un superviseur : le stockage répond, son schéma est migré, "
                  "les vues suivent, les workers aussi (code de sortie 0 : prêt, 1 : pas prêt)", "sante:sante")
    p.add_argument("--composant", choices=("tout", "web", "worker", "projections"), default="tout",
                   help="ce qui est contrôlé : web et projections, le stockage et les vues ; worker, le stockage et "
                   "la planification ; tout (défaut), l'ensemble")
    p.add_argument("--projection", action="append", choices=PROJECTIONS,
                   help="la vue à contrôler (répéter ; défaut : toutes)")
    p.add_argument("--retard-max", dest="retard_max", type=entier(0, 10**12),
                   default=os.environ.get(RETARD_MAX) or None,
                   help=f"événements de retard permis à une vue (défaut : ${RETARD_MAX}, sinon 5000)")
    p.add_argument("--retard-planification", dest="retard_planification", type=entier(1, INTERVALLE_MAX),
                   default=30, help="minutes de retard permises à la vérification d'un établissement suivi "
                   "automatiquement (défaut : 30)")


GROUPES = (_stockage, _eleves, _bilans, _synchronisation, _projections, _demo, _audit, _automatique, _serveur, _cle,
           _s3e, _sante)


def construire_parser() -> argparse.ArgumentParser:
    parser = Parser(prog="lsun-events", description="LSUN : synchronisation base élèves")
    sous = parser.add_subparsers(dest="commande", required=True, metavar="COMMANDE")
    commandes = Commandes()
    for groupe in GROUPES:
        groupe(commandes, sous)
    return parser


def verifier_combinaisons(parser: argparse.ArgumentParser, args: argparse.Namespace) -> None:
    """What argparse cannot say alone; ``parser.error`` exits with code 2, as argparse does."""
    if args.commande == "eleves" and getattr(args, "sts", None) is not None:
        parser.error("--sts ne sert pas à « eleves ajouter », qui ne lit que les élèves de SIECLE : les enseignants "
                     "et les services se mettent à jour par « lsun-events synchroniser »")
    if args.commande != "synchroniser":
        return
    fichiers = [nom for nom, valeur in (("--siecle", args.siecle), ("--sts", args.sts)) if valeur is not None]
    if args.s3e is not None and fichiers:
        parser.error(f"{' et '.join(fichiers)} et --s3e sont incompatibles : la source est soit les fichiers "
                     "(--siecle et --sts), soit le service S3E (--s3e), pas les deux")
    if args.s3e is None and len(fichiers) < 2:
        parser.error("indiquez --siecle et --sts, ou --s3e")
    if args.jeton is not None and args.s3e is None:
        parser.error("--jeton ne sert qu'avec --s3e (le jeton d'accès au service S3E)")
    if args.division is not None:
        # Each division once, in the order given (as the web page does): a repeated code would double the
        # warnings and the counters.
        args.division = list(dict.fromkeys(d.strip() for d in args.division if d.strip()))
        if not args.division:
            parser.error("--division : indiquez au moins un code de division (ou --toutes)")
