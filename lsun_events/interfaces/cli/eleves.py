"""``lsun-events importer`` and ``lsun-events eleves ajouter``: a school imported from its exports, then the
pupils arrived in the BEE since."""

from __future__ import annotations

from typing import TYPE_CHECKING

from lsun_events.aggregates.eleve import Eleve
from lsun_events.interfaces.cli.sortie import Resultat
from lsun_events.interfaces.sources_cli import lire_source
from lsun_events.regles.conversion import est_scolarise
from lsun_events.storage.config import jour_de_reference
from lsun_events.systeme import Systeme

if TYPE_CHECKING:
    import argparse
    from datetime import date

    from lsun_events.application.app import LsunApp
    from lsun_events.sources.records import SourceSnapshot


def importer(args: argparse.Namespace) -> Resultat:
    jour = jour_de_reference()
    snapshot = lire_source(args.uai, siecle=args.siecle, sts=args.sts)
    with Systeme(args.store) as s:
        compte = s.app.importer(snapshot, args.acteur, jour)
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
