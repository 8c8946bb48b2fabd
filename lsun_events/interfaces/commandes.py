"""One function per command: arguments in, a ``Resultat`` out."""

from __future__ import annotations

import argparse
import re
import sqlite3
import sys
import time
from datetime import date
from functools import partial
from uuid import UUID

import psycopg
from eventsourcing.persistence import OperationalError, PersistenceError, ProgrammingError

from lsun_events.aggregates.eleve import Eleve
from lsun_events.application.app import LsunApp
from lsun_events.application.erreurs import ErreurLsun
from lsun_events.application.synchronisation import DemandeSynchronisation, RunInconnuError, evenements_du_run
from lsun_events.interfaces.presentation import bilan_en_dict, bilan_en_lignes, messages_en_lignes
from lsun_events.interfaces.sortie import Resultat
from lsun_events.interfaces.sources_cli import lire_source
from lsun_events.projections import rapports
from lsun_events.regles.conversion import est_scolarise
from lsun_events.regles.messages import exports_absents_en_lignes, rapport
from lsun_events.sources.records import SourceSnapshot
from lsun_events.storage.config import Store, jour_de_reference
from lsun_events.systeme import Systeme, reconstruire_en_parallele
from lsun_events.systeme import migrer as migrer_tout

ERREURS_STOCKAGE = (PersistenceError, psycopg.Error, sqlite3.Error)

# The drivers' messages (SQLite's and libpq's are in English), by a fragment of their text.
_MESSAGES_PILOTE = (
    ("file is not a database", "ce fichier n'est pas une base SQLite, ou elle est chiffrée ou endommagée"),
    ("database disk image is malformed", "la base SQLite est endommagée"),
    ("unable to open database file", "le fichier de la base SQLite ne peut pas être ouvert (dossier, droits ?)"),
    ("disk i/o error", "erreur d'entrée-sortie sur le fichier de la base SQLite"),
    ("database is locked", "la base SQLite est verrouillée par un autre processus"),
    ("readonly database", "la base SQLite est en lecture seule"),
    ("database or disk is full", "le disque est plein"),
    ("connection refused", "connexion refusée : aucun serveur PostgreSQL n'écoute à cette adresse"),
    ("password authentication failed", "identifiant ou mot de passe PostgreSQL refusé"),
    ("no password supplied", "mot de passe PostgreSQL manquant"),
    ("could not translate host name", "nom de machine PostgreSQL inconnu"),
    ("timeout expired", "délai de connexion dépassé"),
    ("too many clients", "trop de connexions ouvertes sur le serveur PostgreSQL"),
    ("permission denied", "droits insuffisants sur la base PostgreSQL"),
)


def _texte_pilote(e: Exception) -> str:
    texte = str(e).strip().splitlines()[0] if str(e).strip() else ""
    bas = texte.lower()
    for fragment, francais in _MESSAGES_PILOTE:
        if fragment in bas:
            return francais
    if "does not exist" in bas and ("database" in bas or "role" in bas):
        quoi = "la base" if "database" in bas else "l'utilisateur"
        return f"{quoi} PostgreSQL indiqué{'e' if quoi == 'la base' else ''} n'existe pas"
    return f"détail du pilote : {texte}" if texte else "sans détail du pilote"


def diagnostiquer_postgres(url: str | None) -> str | None:
    """After the library's pool gave up (« couldn't get a connection »), why: one direct connection attempt,
    told in French; None when it succeeds or the store is not PostgreSQL."""
    try:
        store = Store.depuis_url(url)
    except ValueError:
        return None
    if store.kind != "postgresql":
        return None
    try:
        with psycopg.connect(host=store.pg_host, port=store.pg_port, dbname=store.pg_dbname, user=store.pg_user,
                             password=store.pg_password, connect_timeout=5):
            return None
    except psycopg.Error as e:
        return _texte_pilote(e)


def expliquer_erreur_stockage(e: Exception, url: str | None = None) -> str:
    texte = str(e).strip().splitlines()[0] if str(e).strip() else ""
    if "couldn't get a connection" in texte and (cause := diagnostiquer_postgres(url)):
        return f"le stockage est injoignable ({cause}) : vérifiez --store ou LSUN_STORE."
    if isinstance(e, ProgrammingError | psycopg.errors.UndefinedTable) and "does not exist" in texte \
            and "database" not in texte:
        table = re.search(r'relation "([^"]+)"', texte)
        quoi = f" (table {table.group(1)} absente)" if table else ""
        return f"le schéma du stockage n'existe pas{quoi} : lancez « lsun-events migrer » une fois."
    if isinstance(e, OperationalError | psycopg.OperationalError | sqlite3.OperationalError):
        return f"le stockage est injoignable ou occupé ({_texte_pilote(e)}) : vérifiez --store ou LSUN_STORE."
    return f"erreur du stockage ({_texte_pilote(e)}) : vérifiez --store ou LSUN_STORE."


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


def importer(args: argparse.Namespace) -> Resultat:
    jour = jour_de_reference()
    snapshot = lire_source(args.uai, siecle=args.siecle, sts=args.sts)
    with Systeme(args.store) as s:
        compte = s.app.importer(snapshot, args.acteur, jour)
        s.rattraper()
    return Resultat({"uai": snapshot.uai, **compte}, [
        f"Établissement {snapshot.uai} importé : {compte['divisions']} divisions, {compte['groupes']} groupes, "
        f"{compte['eleves']} élèves, {compte['enseignants']} enseignants."])


def ajouter_eleves(args: argparse.Namespace) -> Resultat:
    from lsun_events.sources.snapshot import charger_eleves  # noqa: PLC0415

    jour = jour_de_reference()
    snapshot = charger_eleves(args.siecle, uai_attendu=args.uai)
    with Systeme(args.store) as s:
        ignores = eleves_de_divisions_inconnues(s.app, snapshot, jour)
        compte = s.app.ajouter_eleves(snapshot, args.acteur, jour)
        s.rattraper()
    lignes = [f"{compte['eleves']} élève(s) ajouté(s)."]
    if ignores:
        detail = ", ".join(f"{code} ({n} élève{'s' if n > 1 else ''})" for code, n in ignores.items())
        lignes += [f"{sum(ignores.values())} élève(s) non ajouté(s) : leur division n'existe pas dans LSUN — "
                   f"{detail}.",
                   "  LSUN ne crée pas de division après l'import. Si une division a été renommée dans SIECLE, "
                   "synchronisez l'ancienne division (« lsun-events synchroniser --division ANCIEN_CODE … ») : elle "
                   "prend le nouveau code ; relancez ensuite « lsun-events eleves ajouter »."]
    return Resultat({"uai": args.uai, **compte, "divisions_inconnues": ignores}, lignes)


def eleves_de_divisions_inconnues(app: LsunApp, snapshot: SourceSnapshot, jour: date) -> dict[str, int]:
    """The pupils that ``ajouter_eleves`` leaves out because LSUN has no division of their code (new in the BEE,
    schooled on ``jour``), counted by division code, in the export's order."""
    etab = app.etablissement(snapshot.uai)
    ignores: dict[str, int] = {}
    for e in snapshot.eleves:
        if not est_scolarise(e, jour) or e.division in etab.divisions:
            continue
        if Eleve.id_pour(etab.uai, e.eleve_id) in app.repository:
            continue
        ignores[str(e.division)] = ignores.get(str(e.division), 0) + 1
    return ignores


def parametrer_periodes(args: argparse.Namespace) -> Resultat:
    with Systeme(args.store) as s:
        s.app.parametrer_periodes(args.uai, args.division, args.periode, args.acteur)
        s.rattraper()
    codes = ", ".join(p.code for p in args.periode)
    return Resultat({"division": args.division, "periodes": [p.en_dict() for p in args.periode]},
                    [f"Périodes de la division {args.division} : {codes}."])


def ouvrir_bilans(args: argparse.Namespace) -> Resultat:
    with Systeme(args.store) as s:
        compte = s.app.ouvrir_bilans(args.uai, args.division, args.periode, args.acteur)
        s.rattraper()
    texte = f"{compte['bilans']} bilan(s) ouvert(s) pour la division {args.division}, période {args.periode}."
    return Resultat({"division": args.division, "periode": args.periode, **compte}, [texte])


def saisir_acquis(args: argparse.Namespace) -> Resultat:
    with Systeme(args.store) as s:
        s.app.saisir_acquis(args.uai, args.eleve, args.periode, args.matiere, args.acteur,
                            positionnement=args.positionnement, appreciation=args.appreciation)
        s.rattraper()
        bilan = s.app.bilan(args.uai, args.eleve, args.periode)
    return Resultat(bilan_en_dict(bilan), [f"Acquis {args.matiere} saisi.", *bilan_en_lignes(bilan)])


def verrouiller(args: argparse.Namespace) -> Resultat:
    with Systeme(args.store) as s:
        compte = s.app.verrouiller(args.uai, args.division, args.periode, args.acteur, eleve_id=args.eleve,
                                   verrouiller=args.verrouiller)
        s.rattraper()
    verbe = "verrouillé(s)" if args.verrouiller else "déverrouillé(s)"
    return Resultat({"division": args.division, "periode": args.periode, **compte},
                    [f"{compte['bilans']} bilan(s) {verbe}."])


def bilan(args: argparse.Namespace) -> Resultat:
    with Systeme(args.store) as s:
        b = s.app.bilan_tel_que(args.uai, args.eleve, args.periode, version=args.version, au=args.au)
    return Resultat(bilan_en_dict(b), bilan_en_lignes(b))


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
        s.rattraper()
    entete = ("Simulation (rien n'a été enregistré)" if args.simulation
              else f"Synchronisation {resultat.synchronisation} terminée")
    return Resultat(resultat.en_dict(), [f"{entete} : {len(resultat.messages)} message(s).",
                                         *exports_absents_en_lignes(resultat.absents),
                                         *messages_en_lignes(resultat.messages)])


def _uuid(texte: str) -> UUID:
    try:
        return UUID(texte)
    except ValueError:
        raise RunInconnuError(texte) from None


def messages(args: argparse.Namespace) -> Resultat:
    run_id = _uuid(args.synchronisation)
    with Systeme(args.store) as s:
        if args.regenerer:
            liste = rapport(evenements_du_run(s.app, run_id))
        else:
            s.rattraper()
            with s.lire("rapports") as c:
                if rapports.run(c, str(run_id)) is None:
                    raise RunInconnuError(run_id)
                liste = rapports.messages_du_run(c, str(run_id))
    return Resultat({"synchronisation": str(run_id), "messages": [m.en_dict() for m in liste]},
                    messages_en_lignes(liste))


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


def s3e(args: argparse.Namespace) -> Resultat:
    from lsun_events.sources.s3e_server import servir  # noqa: PLC0415

    if not args.exports.is_dir():
        quoi = "n'existe pas" if not args.exports.exists() else "n'est pas un dossier"
        raise ErreurLsun(f"Le dossier des exports « {args.exports} » {quoi} : indiquez un dossier contenant un "
                         "sous-dossier par UAI (par exemple DIR/0999001X/ElevesSansAdresses.xml).")
    servir(args.exports, args.port, args.jeton)
    return Resultat({"statut": "arrete"}, ["Serveur S3E arrêté."])
