"""``lsun-events audit`` (who changed what), ``lsun-events archives`` (the archived bilans, as archived) and
``lsun-events bilan`` (a bilan now, or as it was)."""

from __future__ import annotations

import json
import math
from typing import TYPE_CHECKING, Any
from uuid import UUID

from lsun_events.aggregates.enseignant import Enseignant
from lsun_events.aggregates.valeurs import RefEnseignant
from lsun_events.application.documents import bilan_en_dict
from lsun_events.application.erreurs import ErreurLsun
from lsun_events.application.historique import archives as lire_archives
from lsun_events.application.synchronisation import RunInconnuError
from lsun_events.interfaces.cli.presentation import bilan_en_lignes
from lsun_events.interfaces.cli.sortie import Resultat, echapper
from lsun_events.projections import requetes_audit
from lsun_events.regles.libelles import libelle_champ
from lsun_events.regles.valeurs_fr import texte
from lsun_events.systeme import Systeme

if TYPE_CHECKING:
    import argparse

    from lsun_events.application.historique import ArchiveConsultee
    from lsun_events.projections.requetes_audit import LigneAudit, PageAudit


class EnseignantInconnuError(ErreurLsun):
    def __init__(self, uai: str, cle: str) -> None:
        super().__init__(f"Aucun enseignant « {cle} » dans l'établissement {uai}.")


# --- audit -----------------------------------------------------------------------------------------------------

def ligne_en_texte(x: LigneAudit) -> str:
    """One line; every value in it with its control characters escaped (an old event's acteur, a code read from
    an export may hold a line feed or a terminal escape sequence)."""
    quand = x.date[:16].replace("T", " ")
    run = f"synchronisation {x.synchronisation}" if x.synchronisation else "hors synchronisation"
    return echapper(f"{quand} UTC · {x.acteur} · {run} · {x.nom} ({x.agregat}) · {x.evenement_libelle} · "
                    f"{x.champ_libelle} : {x.ancien_texte or '—'} → {x.nouveau_texte or '—'}")


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
        if Enseignant.id_pour(uai, RefEnseignant.depuis_cle(valeur)) not in s.app.repository:
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
        lignes.extend(f"    {libelle_champ(d.champ)} : {texte(d.ancien, d.champ) or '—'} → "
                      f"{texte(d.nouveau, d.champ) or '—'}" for d in a.differences)
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


# --- bilan -----------------------------------------------------------------------------------------------------

def bilan(args: argparse.Namespace) -> Resultat:
    with Systeme(args.store) as s:
        b = s.app.bilan_tel_que(args.uai, args.eleve, args.periode, version=args.version, au=args.au)
    return Resultat(bilan_en_dict(b), bilan_en_lignes(b))
