"""Projections at scale: prints one JSON document.

1. A store of about 1,000,000 events made by running the application: "grand collège" schools (1,000 pupils,
   36 divisions) under distinct UAIs, each imported, given three periods (bilans opened, T1 locked), then
   synchronised several times with modified exports (10 % of pupils renamed and 5 teachers changed per run,
   ``generateur.variantes.modifier``). Two processes write into one SQLite store. If the time budget runs out
   first, the figures are measured at the size reached and the 1,000,000-event rebuild is extrapolated
   linearly — the JSON says so (``extrapole``).
2. For SQLite, then PostgreSQL (the same events copied into a fresh schema): the read+decode rate alone, which
   bounds any projection; each view rebuilt alone from zero (a rebuild *is* a catch-up from position 0: same
   code, pages of 1,000 events, one transaction per page and view) — events of the store gone over per second,
   and events applied per second; then ``projections reconstruire``, all views together, each page read and
   decoded once: the full rebuild time; and ``--processus 2`` (two processes, each with its group of views).
3. "Who changed this pupil" (``requetes_audit.par_eleve``, first page of 50 rows and the total): median and
   p95 of 100 queries on random pupils, each in its own read transaction.

    .venv/bin/python bench/bench_projections.py [--evenements 1000000] [--budget 600] [--stores sqlite,postgresql]
        [--dossier DIR [--reutiliser]]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import resource
import statistics
import sys
import tempfile
import time
import uuid
from concurrent.futures import ProcessPoolExecutor
from datetime import date
from pathlib import Path
from typing import Any

RACINE_PROJET = Path(__file__).resolve().parents[1]
if str(RACINE_PROJET) not in sys.path:
    sys.path.insert(0, str(RACINE_PROJET))

from eventsourcing.persistence import StoredEvent  # noqa: E402

from lsun_events.aggregates.valeurs import Periode  # noqa: E402
from lsun_events.application.app import ouvrir_application  # noqa: E402
from lsun_events.application.synchronisation import DemandeSynchronisation  # noqa: E402
from lsun_events.projections import requetes_audit  # noqa: E402
from lsun_events.storage.config import Store  # noqa: E402
from lsun_events.systeme import Systeme, groupes_de_vues, migrer  # noqa: E402

CIBLE_EVENEMENTS_PAR_SECONDE = 20_000
PART_MINIMALE_DE_LA_LECTURE = 0.5  # each view at least half the read+decode rate measured in the same run
CIBLE_LATENCE_MS = 5  # « qui a modifié cet élève » at 1,000,000 events (issue 18; 50 ms before)
CIBLE_RECONSTRUCTION_2_PROCESSUS_S = 100  # 1,000,000 events, --processus 2
PLAFOND_MEMOIRE_MO = 161  # peak of the 1,000,000-event rebuild on SQLite before issue 18
POSTGRES = os.environ.get("LSUN_BENCH_POSTGRES", "postgresql://postgres@127.0.0.1:5432/test")
JOUR = date(2025, 11, 17)
PERIODES = [Periode("T1", date(2025, 9, 1), date(2025, 11, 30)), Periode("T2", date(2025, 12, 1), date(2026, 3, 1)),
            Periode("T3", date(2026, 3, 2), date(2026, 7, 4))]
VARIANTES = 4  # modified export sets, applied in turn (each run undoes part of the previous one)


# --- the store --------------------------------------------------------------------------------------------------

def _sources(dossier: Path) -> tuple[Any, list[Any]]:
    from lsun_events.generateur import ecrire_exports, generer  # noqa: PLC0415
    from lsun_events.generateur import variantes as v  # noqa: PLC0415
    from lsun_events.sources.snapshot import charger_exports  # noqa: PLC0415

    ecole = generer("grand")

    def lire(e: Any, nom: str) -> Any:
        exports = ecrire_exports(e, dossier / nom, zip_siecle=False)
        return charger_exports(exports.siecle_dossier, exports.sts)

    return lire(ecole, "base"), [lire(v.modifier(ecole, graine=i), f"v{i}") for i in range(VARIANTES)]


def _pour(source: Any, uai: str) -> Any:
    """The same exports under another UAI (another school, another set of aggregates)."""
    return source.model_copy(update={"uai": uai, "etablissement": source.etablissement.model_copy(update={"uai": uai})})


def _uai(i: int) -> str:
    return f"09{i:05d}X"


def _ecrire_ecoles(url: str, premier: int, pas: int, cible: int, fin: float, synchronisations: int,
                   dossier: str) -> list[str]:
    """One writer process: schools premier, premier+pas, … until the store holds ``cible`` events or time is up."""
    base, variantes = _sources(Path(dossier) / f"sources{premier}")
    app = ouvrir_application(url)
    faites = []
    i = premier
    while time.monotonic() < fin and (app.recorder.max_notification_id() or 0) < cible:
        uai = _uai(i)
        app.importer(_pour(base, uai), "Import initial", JOUR)
        for division in base.divisions:
            app.parametrer_periodes(uai, division.code, PERIODES, "Mme Principale")
            for periode in PERIODES:
                app.ouvrir_bilans(uai, division.code, periode.code, "Mme Principale")
            app.verrouiller(uai, division.code, "T1", "Mme Principale")
        for k in range(synchronisations):
            if time.monotonic() >= fin:
                break
            source = _pour(variantes[(i + k) % len(variantes)], uai)
            app.synchroniser(DemandeSynchronisation(uai=uai, acteur="Mme Principale", jour=JOUR), source)
        faites.append(uai)
        i += pas
    app.close()
    return faites


def generer_store(url: str, cible: int, budget: float, processus: int, synchronisations: int,
                  dossier: Path) -> dict[str, Any]:
    ouvrir_application(url).close()  # creates the schema once
    debut = time.monotonic()
    fin = debut + budget
    with ProcessPoolExecutor(processus) as pool:
        travaux = [pool.submit(_ecrire_ecoles, url, p, processus, cible, fin, synchronisations, str(dossier))
                   for p in range(processus)]
        ecoles = sorted(u for t in travaux for u in t.result())
    app = ouvrir_application(url)
    evenements = app.recorder.max_notification_id() or 0
    app.close()
    return {"ecoles": ecoles, "evenements": evenements, "secondes": round(time.monotonic() - debut, 1)}


def copier_vers(source: str, cible: Store, lot: int = 500) -> dict[str, Any]:
    """The same events, in the same order, into another store."""
    de, vers = ouvrir_application(source), ouvrir_application(cible)
    debut = time.perf_counter()
    position, copies = 0, 0
    while notes := de.recorder.select_notifications(start=position, limit=lot, inclusive_of_start=False):
        vers.recorder.insert_events([StoredEvent(n.originator_id, n.originator_version, n.topic, n.state)
                                     for n in notes])
        position, copies = notes[-1].id, copies + len(notes)
    secondes = time.perf_counter() - debut
    de.close()
    vers.close()
    return {"evenements": copies, "secondes": round(secondes, 1)}


# --- the measures -----------------------------------------------------------------------------------------------

def lecture_seule(s: Systeme, n: int = 200_000) -> float:
    """Events/s read and decoded, nothing applied: the ceiling of any projection."""
    debut = time.perf_counter()
    position, lus = 0, 0
    while lus < n and (notes := s.app.recorder.select_notifications(start=position, limit=1000,
                                                                      inclusive_of_start=False)):
        for note in notes:
            s.app.mapper.to_domain_event(note)
        position, lus = notes[-1].id, lus + len(notes)
    return lus / (time.perf_counter() - debut)


def chaque_vue_seule(s: Systeme, evenements: int) -> dict[str, Any]:
    """Each view rebuilt alone from position 0 (as ``projections suivre --projection NOM`` catches up a
    backlog in its own process): the events of the store it goes over per second, and those it applies (its
    topics) per second; beside the floors of issue 18: 20,000 events/s, and half the read+decode rate measured
    just before it (the load of a shared machine drifts: each ratio compares two neighbouring measures)."""
    vues = {}
    for nom, projecteur in s.projecteurs.items():
        decodage = lecture_seule(s, 100_000)
        debut = time.perf_counter()
        appliques = projecteur.reconstruire(s.app)
        secondes = time.perf_counter() - debut
        par_seconde = evenements / secondes
        vues[nom] = {"secondes": round(secondes, 1), "evenements_appliques": appliques,
                     "evenements_du_stockage_par_seconde": round(par_seconde),
                     "evenements_appliques_par_seconde": round(appliques / secondes),
                     "lecture_et_decodage_juste_avant_evenements_par_seconde": round(decodage),
                     "part_de_la_lecture_et_decodage": round(par_seconde / decodage, 2),
                     "plancher_evenements_par_seconde": CIBLE_EVENEMENTS_PAR_SECONDE,
                     "plancher_part_de_la_lecture_et_decodage": PART_MINIMALE_DE_LA_LECTURE}
    return vues


def toutes_les_vues(s: Systeme, evenements: int) -> dict[str, Any]:
    """``projections reconstruire``: every view together, each page of the store read and decoded once."""
    debut = time.perf_counter()
    appliques = s.reconstruire()
    secondes = time.perf_counter() - debut
    return {"secondes": round(secondes, 1), "evenements_appliques": appliques,
            "evenements_du_stockage_par_seconde": round(evenements / secondes)}


def latence(s: Systeme, ecoles: list[str], eleves: list[str], n: int = 100) -> dict[str, Any]:
    hasard = random.Random(0)
    durees, lignes = [], []
    for _ in range(n):
        uai, eleve_id = hasard.choice(ecoles), hasard.choice(eleves)
        debut = time.perf_counter()
        with s.lire("audit") as c:
            page = requetes_audit.par_eleve(c, uai, eleve_id, limite=50)
        durees.append((time.perf_counter() - debut) * 1000)
        lignes.append(page.total)
    durees.sort()
    return {"requetes": n, "mediane_ms": round(statistics.median(durees), 2),
            "p95_ms": round(durees[int(0.95 * n) - 1], 2), "max_ms": round(durees[-1], 2),
            "lignes_par_eleve_mediane": statistics.median(lignes), "cible_ms": CIBLE_LATENCE_MS}


def _groupe_mesure(url: str, noms: list[str]) -> tuple[dict[str, int], int]:
    """One process of ``reconstruire_en_parallele`` (the same: ``Systeme.reconstruire`` of its group), with its
    memory peak."""
    with Systeme(url) as s:
        relus = s.reconstruire(noms=noms)
    return relus, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024


def en_deux_processus(store: Store, evenements: int, cible: int) -> dict[str, Any]:
    """``projections reconstruire --processus 2`` (``reconstruire_en_parallele``): audit in one process, courante
    and rapports in the other, each started fresh ("spawn"); the memory peak of each."""
    import multiprocessing  # noqa: PLC0415

    groupes = groupes_de_vues(2)
    debut = time.perf_counter()
    with ProcessPoolExecutor(len(groupes), mp_context=multiprocessing.get_context("spawn")) as pool:
        memoires = [t.result()[1] for t in [pool.submit(_groupe_mesure, store.url, g) for g in groupes]]
    secondes = time.perf_counter() - debut
    resultat: dict[str, Any] = {
        "secondes": round(secondes, 1), "groupes": groupes,
        "evenements_du_stockage_par_seconde": round(evenements / secondes),
        "memoire_max_par_processus_mo": memoires, "plafond_memoire_mo": PLAFOND_MEMOIRE_MO,
        "cible_secondes_pour_1000000": CIBLE_RECONSTRUCTION_2_PROCESSUS_S}
    if evenements < cible:
        resultat["secondes_extrapolees_pour"] = {str(cible): round(secondes * cible / evenements, 1)}
    return resultat


MESURES = ("lecture", "vues", "ensemble", "deux_processus", "latence")


def mesurer(store: Store, ecoles: list[str], eleves: list[str], evenements: int, cible: int,
            mesures: tuple[str, ...] = MESURES) -> dict[str, Any]:
    resultat: dict[str, Any] = {}
    with Systeme(store) as s:
        if "lecture" in mesures:
            resultat["lecture_et_decodage_seuls_evenements_par_seconde"] = round(lecture_seule(s))
        if "vues" in mesures:
            resultat["rattrapage_chaque_vue_seule"] = chaque_vue_seule(s, evenements)
        if "ensemble" in mesures:
            ensemble = resultat["reconstruction_toutes_les_vues_ensemble"] = toutes_les_vues(s, evenements)
            if evenements < cible:
                ensemble["secondes_extrapolees_pour"] = {str(cible): round(ensemble["secondes"] * cible / evenements,
                                                                           1)}
        if "deux_processus" in mesures:
            resultat["reconstruction_en_deux_processus"] = en_deux_processus(store, evenements, cible)
        if "latence" in mesures:
            resultat["qui_a_modifie_cet_eleve"] = latence(s, ecoles, eleves)
        resultat["memoire_max_mo"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024
    return resultat


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--evenements", type=int, default=1_000_000)
    parser.add_argument("--budget", type=float, default=600, help="secondes pour écrire le stockage")
    parser.add_argument("--processus", type=int, default=2)
    parser.add_argument("--synchronisations", type=int, default=8, help="synchronisations par établissement")
    parser.add_argument("--stores", default="sqlite,postgresql")
    parser.add_argument("--mesures", default=",".join(MESURES), help=f"parmi {', '.join(MESURES)}")
    parser.add_argument("--dossier", type=Path, help="dossier de travail (défaut : temporaire)")
    parser.add_argument("--reutiliser", action="store_true", help="reprendre le stockage déjà écrit dans --dossier")
    args = parser.parse_args()

    dossier = args.dossier or Path(tempfile.mkdtemp(prefix="bench_projections_"))
    dossier.mkdir(parents=True, exist_ok=True)
    sqlite = Store.depuis_url(f"sqlite:///{dossier / 'bench.sqlite'}")
    deja = dossier / "generation.json"
    if args.reutiliser and deja.exists():
        generation = json.loads(deja.read_text())
    else:
        generation = generer_store(sqlite.url, args.evenements, args.budget, args.processus, args.synchronisations,
                                   dossier)
        deja.write_text(json.dumps(generation))
    n = generation["evenements"]
    base, _ = _sources(dossier / "eleves")
    eleves = [e.eleve_id for e in base.eleves if e.division != "Inactifs" and e.date_sortie is None]
    resultat: dict[str, Any] = {
        "machine": {"processeurs": os.cpu_count(), "python": platform.python_version(),
                    "charge_moyenne_1min_au_debut": round(os.getloadavg()[0], 2)},
        "stockage": {"evenements": n, "etablissements": len(generation["ecoles"]),
                     "ecriture_secondes": generation["secondes"], "processus_d_ecriture": args.processus,
                     "synchronisations_par_etablissement": args.synchronisations,
                     "cible_evenements": args.evenements},
        "extrapole": n < args.evenements,
        "cible_rattrapage_evenements_par_seconde": CIBLE_EVENEMENTS_PAR_SECONDE,
    }
    if n < args.evenements:
        resultat["note"] = (f"Le budget d'écriture ({args.budget:.0f} s) a permis {n} événements : toutes les "
                            f"mesures sont faites à cette taille ; la durée de reconstruction pour {args.evenements} "
                            "événements est extrapolée linéairement (secondes_extrapolees_pour).")
    stores = args.stores.split(",")
    if "sqlite" in stores:
        resultat["sqlite"] = mesurer(sqlite, generation["ecoles"], eleves, n, args.evenements,
                                     tuple(args.mesures.split(",")))
    if "postgresql" in stores:
        schema = f"bench_{uuid.uuid4().hex[:8]}"
        postgres = Store.depuis_url(f"{POSTGRES}?schema={schema}")
        migrer(postgres)
        try:
            copie = copier_vers(sqlite.url, postgres)
            resultat["postgresql"] = {"copie_des_evenements": copie,
                                      **mesurer(postgres, generation["ecoles"], eleves, n, args.evenements,
                                                 tuple(args.mesures.split(",")))}
        finally:
            import psycopg  # noqa: PLC0415

            with psycopg.connect(POSTGRES, autocommit=True) as c:
                c.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')
    print(json.dumps(resultat, ensure_ascii=False, indent=2))


if __name__ == "__main__":
    main()
