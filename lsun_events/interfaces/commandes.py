"""One function per command: arguments in, a ``Resultat`` out."""

from __future__ import annotations

import argparse
from contextlib import closing
from datetime import date

import psycopg
from eventsourcing.persistence import OperationalError, PersistenceError, ProgrammingError

from lsun_events.application import LsunApp, ouvrir_application
from lsun_events.application import migrer as migrer_store
from lsun_events.config import Store
from lsun_events.interfaces.presentation import bilan_en_dict, bilan_en_lignes
from lsun_events.interfaces.sortie import Resultat

ERREURS_STOCKAGE = (PersistenceError, psycopg.Error)


def expliquer_erreur_stockage(e: Exception) -> str:
    texte = str(e).strip().splitlines()[0] if str(e).strip() else type(e).__name__
    if isinstance(e, ProgrammingError | psycopg.errors.UndefinedTable) and "does not exist" in texte:
        return f"le schéma du stockage n'existe pas ({texte}) : lancez « lsun-events migrer » une fois."
    if isinstance(e, OperationalError | psycopg.OperationalError):
        return f"le stockage est injoignable ou occupé ({texte}) : vérifiez --store ou LSUN_STORE."
    return f"erreur du stockage : {texte}"


def _app(args: argparse.Namespace) -> closing[LsunApp]:
    return closing(ouvrir_application(args.store))


def migrer(args: argparse.Namespace) -> Resultat:
    store = Store.depuis_url(args.store)
    migrer_store(store)
    return Resultat({"store": store.kind, "statut": "ok"}, [f"Schéma du stockage {store.kind} prêt."])


def importer(args: argparse.Namespace) -> Resultat:
    from lsun_events.sources.snapshot import charger_exports  # noqa: PLC0415

    snapshot = charger_exports(args.siecle, args.sts, uai_attendu=args.uai)
    with _app(args) as app:
        compte = app.importer(snapshot, args.acteur, date.today())
    return Resultat({"uai": snapshot.uai, **compte}, [
        f"Établissement {snapshot.uai} importé : {compte['divisions']} divisions, {compte['groupes']} groupes, "
        f"{compte['eleves']} élèves, {compte['enseignants']} enseignants."])


def ajouter_eleves(args: argparse.Namespace) -> Resultat:
    from lsun_events.sources.snapshot import charger_eleves  # noqa: PLC0415

    snapshot = charger_eleves(args.siecle, uai_attendu=args.uai)
    with _app(args) as app:
        compte = app.ajouter_eleves(snapshot, args.acteur, date.today())
    return Resultat({"uai": args.uai, **compte}, [f"{compte['eleves']} élève(s) ajouté(s)."])


def parametrer_periodes(args: argparse.Namespace) -> Resultat:
    with _app(args) as app:
        app.parametrer_periodes(args.uai, args.division, args.periode, args.acteur)
    codes = ", ".join(p.code for p in args.periode)
    return Resultat({"division": args.division, "periodes": [p.en_dict() for p in args.periode]},
                    [f"Périodes de la division {args.division} : {codes}."])


def ouvrir_bilans(args: argparse.Namespace) -> Resultat:
    with _app(args) as app:
        compte = app.ouvrir_bilans(args.uai, args.division, args.periode, args.acteur)
    texte = f"{compte['bilans']} bilan(s) ouvert(s) pour la division {args.division}, période {args.periode}."
    return Resultat({"division": args.division, "periode": args.periode, **compte}, [texte])


def saisir_acquis(args: argparse.Namespace) -> Resultat:
    with _app(args) as app:
        app.saisir_acquis(args.uai, args.eleve, args.periode, args.matiere, args.acteur,
                          positionnement=args.positionnement, appreciation=args.appreciation)
        bilan = app.bilan(args.uai, args.eleve, args.periode)
    return Resultat(bilan_en_dict(bilan), [f"Acquis {args.matiere} saisi.", *bilan_en_lignes(bilan)])


def verrouiller(args: argparse.Namespace) -> Resultat:
    with _app(args) as app:
        compte = app.verrouiller(args.uai, args.division, args.periode, args.acteur, eleve_id=args.eleve,
                                 verrouiller=args.verrouiller)
    verbe = "verrouillé(s)" if args.verrouiller else "déverrouillé(s)"
    return Resultat({"division": args.division, "periode": args.periode, **compte},
                    [f"{compte['bilans']} bilan(s) {verbe}."])


def bilan(args: argparse.Namespace) -> Resultat:
    with _app(args) as app:
        b = app.bilan_tel_que(args.uai, args.eleve, args.periode, version=args.version, au=args.au)
    return Resultat(bilan_en_dict(b), bilan_en_lignes(b))


def s3e(args: argparse.Namespace) -> Resultat:
    from lsun_events.sources.s3e_server import servir  # noqa: PLC0415

    servir(args.exports, args.port, args.jeton)
    return Resultat({"statut": "arrete"}, ["Serveur S3E arrêté."])
