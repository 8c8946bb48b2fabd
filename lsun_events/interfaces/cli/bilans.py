"""``lsun-events periodes parametrer`` and ``lsun-events bilans ouvrir|saisir|verrouiller|deverrouiller``."""

from __future__ import annotations

from typing import TYPE_CHECKING

from lsun_events.application.documents import bilan_en_dict
from lsun_events.interfaces.cli.presentation import bilan_en_lignes
from lsun_events.interfaces.cli.sortie import Resultat
from lsun_events.systeme import Systeme

if TYPE_CHECKING:
    import argparse


def parametrer_periodes(args: argparse.Namespace) -> Resultat:
    with Systeme(args.store) as s:
        s.app.parametrer_periodes(args.uai, args.division, args.periode, args.acteur)
    codes = ", ".join(p.code for p in args.periode)
    return Resultat({"division": args.division, "periodes": [p.en_dict() for p in args.periode]},
                    [f"Périodes de la division {args.division} : {codes}."])


def ouvrir_bilans(args: argparse.Namespace) -> Resultat:
    with Systeme(args.store) as s:
        compte = s.app.ouvrir_bilans(args.uai, args.division, args.periode, args.acteur)
    texte = f"{compte['bilans']} bilan(s) ouvert(s) pour la division {args.division}, période {args.periode}."
    return Resultat({"division": args.division, "periode": args.periode, **compte}, [texte])


def saisir_acquis(args: argparse.Namespace) -> Resultat:
    with Systeme(args.store) as s:
        s.app.saisir_acquis(args.uai, args.eleve, args.periode, args.matiere, args.acteur,
                            positionnement=args.positionnement, appreciation=args.appreciation)
        bilan = s.app.bilan(args.uai, args.eleve, args.periode)
    return Resultat(bilan_en_dict(bilan), [f"Acquis {args.matiere} saisi.", *bilan_en_lignes(bilan)])


def verrouiller(args: argparse.Namespace) -> Resultat:
    with Systeme(args.store) as s:
        compte = s.app.verrouiller(args.uai, args.division, args.periode, args.acteur, eleve_id=args.eleve,
                                   verrouiller=args.verrouiller)
    verbe = "verrouillé(s)" if args.verrouiller else "déverrouillé(s)"
    return Resultat({"division": args.division, "periode": args.periode, **compte},
                    [f"{compte['bilans']} bilan(s) {verbe}."])
