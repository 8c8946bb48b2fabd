"""Commands of the audit and of the projections' processes (SPEC §8): ``audit``, ``archives``,
``projections suivre``. Registered by ``cli.py`` through ``enregistrer(sous, ajouter)``."""

from __future__ import annotations

import argparse
import json
import math
import signal
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any
from uuid import UUID

from lsun_events.aggregates.enseignant import Enseignant
from lsun_events.aggregates.valeurs import RefEnseignant
from lsun_events.application.erreurs import ErreurLsun
from lsun_events.application.historique import ArchiveConsultee
from lsun_events.application.historique import archives as lire_archives
from lsun_events.application.synchronisation import RunInconnuError
from lsun_events.interfaces.sortie import Resultat, echapper
from lsun_events.projections import requetes_audit
from lsun_events.projections.requetes_audit import LigneAudit, PageAudit
from lsun_events.projections.suivi import suivre
from lsun_events.systeme import MODELES, Systeme

LIMITE_MAX = 1000  # as the API's audit
PAGE_MAX = 1_000_000  # (PAGE_MAX - 1) × LIMITE_MAX stays far below the stores' 64-bit offsets


class EnseignantInconnuError(ErreurLsun):
    def __init__(self, uai: str, cle: str) -> None:
        super().__init__(f"Aucun enseignant « {cle} » dans l'établissement {uai}.")


def enseignant_cle(texte: str) -> str:
    """TYPE:ID, as in STS (``epp:48213``, ``local:900``)."""
    type_, _, id_sts = texte.partition(":")
    if not type_ or not id_sts:
        raise argparse.ArgumentTypeError(f"enseignant « {texte} » invalide : attendu TYPE:ID, par exemple epp:48213")
    return texte


def enregistrer(sous: argparse._SubParsersAction, ajouter: Callable[..., argparse.ArgumentParser]) -> None:
    from lsun_events.interfaces.cli import entier, jour_iso, reel, uai  # noqa: PLC0415  (cli imports this module)

    # ``--acteur`` is the filter here, not who acts: this parser does not take the common options' one.
    p = sous.add_parser("audit", help="qui a modifié quoi : date, acteur, synchronisation, champ, ancien → nouveau",
                        description="Le journal d'audit, du plus récent au plus ancien.")
    p.set_defaults(fonction=audit, acteur=None)
    p.add_argument("--store", help="sqlite:///CHEMIN ou postgresql://… (défaut : $LSUN_STORE, sinon ./lsun-data/)")
    p.add_argument("--json", action="store_true", help="un document JSON sur la sortie standard")
    p.add_argument("--uai", type=uai, required=True, help="UAI de l'établissement, par exemple 0999001X")
    qui = p.add_mutually_exclusive_group(required=True)
    qui.add_argument("--eleve", help="ELEVE_ID de la base élèves")
    qui.add_argument("--enseignant", type=enseignant_cle, help="TYPE:ID de STS, par exemple epp:48213")
    qui.add_argument("--synchronisation", help="identifiant d'une synchronisation")
    qui.add_argument("--acteur", dest="filtre_acteur", metavar="NOM", help="ce qu'une personne a modifié")
    p.add_argument("--depuis", type=jour_iso, help="AAAA-MM-JJ (inclus)")
    p.add_argument("--jusqu-au", dest="jusqu_au", type=jour_iso, help="AAAA-MM-JJ (inclus)")
    p.add_argument("--limite", type=entier(1, LIMITE_MAX), default=requetes_audit.LIMITE,
                   help=f"lignes par page (1 à {LIMITE_MAX} ; défaut : {requetes_audit.LIMITE})")
    p.add_argument("--page", type=entier(1, PAGE_MAX), default=1, help=f"numéro de page (1 à {PAGE_MAX})")

    p = ajouter(sous, "archives", "les bilans archivés d'un élève, chacun exactement tel qu'archivé", archives)
    p.add_argument("--uai", type=uai, required=True, help="UAI de l'établissement, par exemple 0999001X")
    p.add_argument("--eleve", required=True)

    projections = _sous_groupe(sous, "projections")
    p = ajouter(projections, "suivre", "PostgreSQL : suit le stockage et tient les vues à jour (chaque page "
                "d'événements lue une fois pour les vues suivies)", projections_suivre)
    p.add_argument("--projection", action="append", choices=[m().nom for m in MODELES],
                   help="la vue à suivre (répéter ; défaut : toutes, dans ce processus)")
    p.add_argument("--attente", type=reel(0.01, 3600), default=1.0,
                   help="secondes entre deux lectures sans notification (0,01 à 3600 ; défaut : 1)")


def _sous_groupe(sous: argparse._SubParsersAction, nom: str) -> argparse._SubParsersAction:
    parser = sous.choices[nom]
    return next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))


# --- audit -----------------------------------------------------------------------------------------------------

def _valeur(v: Any) -> str:
    return "—" if v is None else json.dumps(v, ensure_ascii=False)


def ligne_en_texte(x: LigneAudit) -> str:
    """One line; every value in it with its control characters escaped (an old event's acteur, a code read from
    an export may hold a line feed or a terminal escape sequence)."""
    quand = x.date[:16].replace("T", " ")
    run = f"synchronisation {x.synchronisation}" if x.synchronisation else "hors synchronisation"
    return echapper(f"{quand} UTC · {x.acteur} · {run} · {x.nom} ({x.agregat}) · {x.evenement} · "
                    f"{x.champ} : {_valeur(x.ancien)} → {_valeur(x.nouveau)}")


def _filtre(args: argparse.Namespace) -> tuple[str, str]:
    if args.eleve:
        return "eleve", args.eleve
    if args.enseignant:
        return "enseignant", args.enseignant
    if args.synchronisation:
        return "synchronisation", args.synchronisation
    return "acteur", args.filtre_acteur


def _verifier(s: Systeme, uai: str, filtre: str, valeur: str) -> None:
    """An unknown school, pupil, teacher or run is an error, not an empty log."""
    s.app.etablissement(uai)
    if filtre == "eleve":
        s.app.eleve(uai, valeur)
    elif filtre == "enseignant":
        type_, id_sts = valeur.split(":", 1)
        if Enseignant.id_pour(uai, RefEnseignant(type_, id_sts)) not in s.app.repository:
            raise EnseignantInconnuError(uai.upper(), valeur)
    elif filtre == "synchronisation":
        try:
            run = UUID(valeur)
        except ValueError:
            raise RunInconnuError(valeur) from None
        if run not in s.app.repository:
            raise RunInconnuError(valeur)


def audit(args: argparse.Namespace) -> Resultat:
    filtre, valeur = _filtre(args)
    options = {"limite": args.limite, "decalage": (args.page - 1) * args.limite, "depuis": args.depuis,
               "jusqu_au": args.jusqu_au}
    with Systeme(args.store) as s:
        _verifier(s, args.uai, filtre, valeur)
        s.rattraper()
        with s.lire("audit") as c:
            page: PageAudit
            if filtre == "eleve":
                page = requetes_audit.par_eleve(c, args.uai, valeur, **options)
            elif filtre == "enseignant":
                page = requetes_audit.par_enseignant(c, args.uai, valeur, **options)
            elif filtre == "synchronisation":
                page = requetes_audit.par_synchronisation(c, str(UUID(valeur)), uai=args.uai, **options)
            else:
                page = requetes_audit.par_acteur(c, args.uai, valeur, **options)
    pages = max(1, math.ceil(page.total / args.limite))
    quoi = {"eleve": "de l'élève", "enseignant": "de l'enseignant", "synchronisation": "de la synchronisation",
            "acteur": "des modifications faites par"}[filtre]
    entete = (f"Audit {quoi} {valeur} ({args.uai.upper()}) : {page.total} ligne(s), "
              f"page {args.page} sur {pages}, du plus récent au plus ancien.")
    donnees = {"uai": args.uai.upper(), "filtre": {filtre: valeur}, "page": args.page, "pages": pages,
               **page.en_dict()}
    return Resultat(donnees, [entete, *(ligne_en_texte(x) for x in page.lignes)])


# --- archives --------------------------------------------------------------------------------------------------

def archive_en_lignes(a: ArchiveConsultee) -> list[str]:
    x = a.archive
    noms = {e.ref.cle: e.nom for e in x.enseignants}

    def nommer(cles: Any) -> str:
        return ", ".join(f"{noms.get(r.cle, r.cle)} ({r.cle})" for r in cles) or "aucun"

    run = f"synchronisation {a.synchronisation}" if a.synchronisation else "hors synchronisation"
    lignes = [f"Bilan {x.periode.code} ({x.division}) archivé le {a.archive_le:%d/%m/%Y %H:%M} UTC par {a.acteur}, "
              f"{run} — {x.etat}",
              f"  Élève tel qu'archivé : {x.identite_eleve.nom_affiche} "
              f"(prénoms : {', '.join(x.identite_eleve.prenoms)} ; nom de famille : {x.identite_eleve.nom_de_famille})",
              f"  Professeur(s) principal(aux) : {nommer(x.profs_principaux)}"]
    for acquis in x.acquis:
        pos = f"positionnement {acquis.positionnement}" if acquis.positionnement else "non positionné"
        lignes.append(f"  {acquis.matiere_libelle} ({acquis.matiere_code}) — {nommer(acquis.enseignants)} — {pos}"
                      + (f" — « {acquis.appreciation} »" if acquis.appreciation else ""))
    if a.differences:
        lignes.append("  Différences avec les données actuelles de l'élève :")
        lignes.extend(f"    {d.champ} : {_valeur(_simple(d.ancien))} → {_valeur(_simple(d.nouveau))}"
                      for d in a.differences)
    else:
        lignes.append("  Aucune différence avec les données actuelles de l'élève.")
    return lignes


def _simple(v: Any) -> Any:
    """A value as plain JSON types (tuples, dates, domain values)."""
    from lsun_events.projections.audit import en_json  # noqa: PLC0415

    texte = en_json(v)
    return None if texte is None else json.loads(texte)


def archives(args: argparse.Namespace) -> Resultat:
    with Systeme(args.store) as s:
        trouvees = lire_archives(s.app, args.uai, args.eleve)
        eleve = s.app.eleve(args.uai, args.eleve).identite.nom_affiche
    entete = f"Bilans archivés de l'élève {eleve} ({args.eleve}) : {len(trouvees)}."
    lignes = [entete]
    for a in trouvees:
        lignes.extend(archive_en_lignes(a))
    donnees = {"uai": args.uai.upper(), "eleve_id": args.eleve, "eleve": eleve,
               "archives": [_simple(a.en_dict()) for a in trouvees]}
    return Resultat(donnees, lignes)


# --- projections suivre ----------------------------------------------------------------------------------------

@contextmanager
def arret_sur_signal() -> Iterator[threading.Event]:
    """SIGINT or SIGTERM: stop after the page being written."""
    arret = threading.Event()
    anciens = {sig: signal.signal(sig, lambda *_: arret.set()) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield arret
    finally:
        for sig, ancien in anciens.items():
            signal.signal(sig, ancien)


class _Progression:
    """« Projection audit : N événements » on stderr, at most once a second per view."""

    def __init__(self) -> None:
        self.derniers: dict[str, float] = {}

    def __call__(self, nom: str, n: int) -> None:
        maintenant = time.monotonic()
        if maintenant - self.derniers.get(nom, 0.0) >= 1.0:
            self.derniers[nom] = maintenant
            sys.stderr.write(f"Projection {nom} : {n} événement(s) appliqué(s)\n")
            sys.stderr.flush()


def projections_suivre(args: argparse.Namespace) -> Resultat:
    with Systeme(args.store) as s:
        noms = list(dict.fromkeys(args.projection or s.projecteurs))
        if s.store.kind == "postgresql":
            sys.stderr.write(f"Suivi des projections {', '.join(noms)} (Ctrl-C ou SIGTERM pour arrêter)\n")
            sys.stderr.flush()
        with arret_sur_signal() as arret:
            lus = suivre(s, noms, arret, attente=args.attente, progression=_Progression())
        positions = {nom: s.projecteurs[nom].position(s.app) for nom in noms}
    return Resultat({"statut": "arrete", "projections": {n: {"lus": lus[n], "position": positions[n]} for n in noms}},
                    [f"Suivi arrêté : projection {n} à la position {positions[n]} ({lus[n]} événement(s) lus)."
                     for n in noms])
