"""A school year in a few commands: the generator's "mini" collège imported from its real export files, periods,
bilans, entries, locks, then four synchronisations of modified exports (a pupil renamed twice, a teacher renamed,
a new PP, a new teacher on a service, a second pupil renamed after its bilans were locked, a run that changes
nothing). Used by the projections' tests on both stores."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from lsun_events.aggregates.valeurs import Periode
from lsun_events.application.synchronisation import DemandeSynchronisation, ResultatSynchronisation
from lsun_events.generateur import ecrire_exports, generer
from lsun_events.generateur import variantes as v
from lsun_events.generateur.modele import Ecole
from lsun_events.projections.base import Curseur
from lsun_events.sources.records import SourceSnapshot
from lsun_events.sources.snapshot import charger_exports
from lsun_events.storage.config import Store
from lsun_events.systeme import Systeme

UAI = "0999001X"
JOUR = date(2025, 10, 6)
CHEF = "Mme Principale"
AUTO = "synchronisation automatique"
PROF = "M. Durand"
T1 = Periode("T1", date(2025, 9, 1), date(2025, 11, 30))
T2 = Periode("T2", date(2025, 12, 1), date(2026, 3, 1))

# The generated "mini" school (deterministic): pupils, teachers and services used below.
TIMOTHEE = "2400102"  # Timothée Arthur HUET, 4A
CLEMENT = "2400153"  # Clément Joël BÉNARD, 4B
DURAND = "epp:86704"  # LAËTITIA DURAND, maths in 4A, 4B, 3B
ANDRE = "epp:98951"  # STÉPHANIE ANDRÉ, PP of 4A
PERIER = "epp:29380"  # BENOÎT PÉRIER, the new PP of 4A
MATHS = "061300"


@dataclass
class Scenario:
    store: Store
    dossier: Path
    ecole: Ecole
    runs: list[ResultatSynchronisation] = field(default_factory=list)
    nouvel_enseignant: str = ""  # "type:id" of the teacher added to the maths service of 4A (run 2)
    sources: list[SourceSnapshot] = field(default_factory=list)

    def systeme(self) -> Systeme:
        return Systeme(self.store)

    def run(self, i: int) -> str:
        return str(self.runs[i].synchronisation)


def lire(ecole: Ecole, dossier: Path) -> SourceSnapshot:
    exports = ecrire_exports(ecole, dossier, zip_siecle=False)
    return charger_exports(exports.siecle_dossier, exports.sts, uai_attendu=UAI)


def construire(store: Store, dossier: Path, *, rattraper: bool = True) -> Scenario:
    """The whole story. Each save catches the views up (the application's hook), unless the views are left to
    their processes (PostgreSQL, ``LSUN_PROJECTIONS=processus``); ``rattraper`` adds explicit barriers."""
    ecole = generer("mini")
    sc = Scenario(store, dossier, ecole)
    with Systeme(store) as s:
        app = s.app
        suivre = s.rattraper if rattraper else (lambda: None)
        source = lire(ecole, dossier / "import")
        sc.sources.append(source)
        app.importer(source, "Import initial", JOUR)
        suivre()
        for division in ("4A", "4B"):
            app.parametrer_periodes(UAI, division, [T1, T2], CHEF)
            app.ouvrir_bilans(UAI, division, "T1", CHEF)
            app.ouvrir_bilans(UAI, division, "T2", CHEF)
        suivre()
        app.saisir_acquis(UAI, TIMOTHEE, "T1", MATHS, PROF, positionnement=3, appreciation="Bon trimestre.")
        app.saisir_acquis(UAI, TIMOTHEE, "T1", MATHS, PROF, positionnement=4)
        app.verrouiller(UAI, "4A", "T1", CHEF)
        suivre()

        # Run 1: Timothée's prénoms corrected (his locked T1 is archived first), Mme Durand's nom d'usage.
        v1 = v.renommer_eleve(ecole, TIMOTHEE, prenoms=["Timothée-Arthur"])
        v1 = v.renommer_enseignant(v1, DURAND.split(":")[1], nom_usage="DURAND-LEROY")
        sc.sources.append(lire(v1, dossier / "run1"))
        sc.runs.append(_sync(s, sc.sources[-1], rattraper, "4A", "4B"))

        # Unlocked then locked again by hand: the bilan is locked during the next runs.
        app.verrouiller(UAI, "4A", "T1", CHEF, eleve_id=TIMOTHEE, verrouiller=False)
        app.verrouiller(UAI, "4A", "T1", CHEF, eleve_id=TIMOTHEE)
        suivre()

        # Run 2 (automatic): a new PP for 4A, a new teacher on the maths service of 4A.
        v2 = v.changer_pp(v1, "4A", PERIER.split(":")[1])
        v2, nouveau = v.ajouter_enseignant_au_service(v2, "4A", MATHS, nom_usage="GIRAUD", prenom="HUGO", graine=7)
        sc.nouvel_enseignant = f"{nouveau.type}:{nouveau.id}"
        sc.sources.append(lire(v2, dossier / "run2"))
        sc.runs.append(_sync(s, sc.sources[-1], rattraper, acteur=AUTO, automatique=True))

        # Run 3: 4B's T1 locked first; Timothée's nom de famille and Clément's prénoms corrected.
        app.verrouiller(UAI, "4B", "T1", CHEF)
        v3 = v.renommer_eleve(v2, TIMOTHEE, nom_de_famille="HUET-ROBIN")
        v3 = v.renommer_eleve(v3, CLEMENT, prenoms=["Clément-Joël"])
        sc.sources.append(lire(v3, dossier / "run3"))
        sc.runs.append(_sync(s, sc.sources[-1], rattraper, "4A", "4B"))

        # Run 4: the same source again changes nothing.
        sc.runs.append(_sync(s, sc.sources[-1], rattraper, "4A", "4B"))
    return sc


def _sync(s: Systeme, source: SourceSnapshot, rattraper: bool, *divisions: str, acteur: str = CHEF,
          automatique: bool = False) -> ResultatSynchronisation:
    demande = DemandeSynchronisation(uai=UAI, acteur=acteur, jour=JOUR, divisions=divisions or None,
                                     automatique=automatique)
    resultat = s.app.synchroniser(demande, source)
    if rattraper:
        s.rattraper()
    return resultat


def vider_tables(s: Systeme) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every view table, in a stable order (what "equal views" means)."""
    contenu: dict[str, list[tuple[Any, ...]]] = {}
    for nom, projecteur in s.projecteurs.items():
        with s.lire(nom) as c:
            contenu.update(_dump(c, projecteur.modele.tables(c.dialecte)))
    return contenu


def _dump(c: Curseur, tables: list[str]) -> dict[str, list[tuple[Any, ...]]]:
    resultat = {}
    for table in tables:
        lignes = c.lignes(f"SELECT * FROM {table}")
        resultat[table.split(".")[-1].strip('"')] = sorted((tuple(x.values()) for x in lignes), key=repr)
    return resultat
