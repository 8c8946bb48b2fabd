"""Synchronisation on the "grand collège" set (1,000 pupils, 36 divisions, 80 teachers): the first run after
import, a no-op resync, and a resync with 10 % of pupils renamed and 5 teachers changed — seconds, events
appended, events/s, and the ratios measured in the same run (issue 18): the no-op resync to parsing the same
sources (target ≤ 1.2), the 10 %-change resync to the no-op (target ≤ 2).

The resyncs run in the process that ran the previous ones, as a worker or the web page does: it keeps what
they proved (``application.synchronisation``). ``resynchronisation_sans_changement_processus_neuf`` is the
same no-op resync once the process has forgotten it (a new process, such as one command line run).

    .venv/bin/python -m bench.bench_synchronisation [--store sqlite|postgresql|tous] [--repetitions N]
"""

from __future__ import annotations

import statistics
import tempfile
import time
from datetime import date
from pathlib import Path
from typing import Any

from bench.commun import imprimer, parser_de_bench, store_de_bench, stores_choisis
from lsun_events.aggregates.valeurs import Periode
from lsun_events.application import synchronisation as synchro
from lsun_events.application.app import LsunApp, ouvrir_application
from lsun_events.application.synchronisation import DemandeSynchronisation
from lsun_events.generateur import variantes as v
from lsun_events.generateur.ecriture import ecrire_exports
from lsun_events.generateur.generation import generer
from lsun_events.sources.snapshot import charger_exports

CHEF = "bench"
JOUR = date(2025, 11, 17)
CIBLE_NULLE_SUR_LECTURE = 1.2
CIBLE_10PC_SUR_NULLE = 2.0
PERIODES = [Periode("T1", date(2025, 9, 1), date(2025, 11, 30)), Periode("T2", date(2025, 12, 1), date(2026, 3, 1)),
            Periode("T3", date(2026, 3, 2), date(2026, 7, 4))]


def _mesurer(app: LsunApp, source: Any, uai: str) -> dict[str, Any]:
    avant = app.recorder.max_notification_id() or 0
    debut = time.perf_counter()
    resultat = app.synchroniser(DemandeSynchronisation(uai=uai, acteur=CHEF, jour=JOUR), source)
    secondes = time.perf_counter() - debut
    apres = app.recorder.max_notification_id() or 0
    evenements = apres - avant
    return {"secondes": round(secondes, 3), "evenements": evenements,
            "evenements_par_seconde": round(evenements / secondes) if secondes else None,
            "messages": len(resultat.messages)}


def mesurer(kind: str, repetitions: int) -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as tmp:
        dossier = Path(tmp)
        ecole = generer("grand")
        exports = ecrire_exports(ecole, dossier / "avant")
        modifiee = v.modifier(ecole, part_eleves_renommes=0.1, enseignants_changes=5, graine=7)
        exports_modifies = ecrire_exports(modifiee, dossier / "apres")

        lectures = []
        for _ in range(repetitions):
            debut = time.perf_counter()
            source = charger_exports(exports.siecle_zip, exports.sts)
            lectures.append(time.perf_counter() - debut)
        lecture = statistics.median(lectures)
        source_modifiee = charger_exports(exports_modifies.siecle_zip, exports_modifies.sts)

        store, nettoyer = store_de_bench(kind, dossier)
        try:
            # The use case alone, without views: their catch-up after each save is bench_projections' figure.
            app = ouvrir_application(store)
            debut = time.perf_counter()
            app.importer(source, CHEF, JOUR)
            import_s = time.perf_counter() - debut
            divisions = [d.code for d in source.divisions]
            for i, code in enumerate(divisions):
                app.parametrer_periodes(source.uai, code, PERIODES, CHEF)
                app.ouvrir_bilans(source.uai, code, "T1", CHEF)
                app.ouvrir_bilans(source.uai, code, "T2", CHEF)
                if i % 2 == 0:
                    app.verrouiller(source.uai, code, "T1", CHEF)
            bilans = sum(len(app.division(app.etablissement(source.uai), c).eleves) * 2 for c in divisions)

            premiere = _mesurer(app, source, source.uai)
            neuves = []
            for _ in range(repetitions):
                oublier = getattr(synchro, "oublier", None)  # what a new process knows: nothing
                if oublier is not None:
                    oublier(app)
                neuves.append(_mesurer(app, source, source.uai))
            neuve = min(neuves, key=lambda m: m["secondes"])
            sans_changement = [_mesurer(app, source, source.uai) for _ in range(repetitions)]
            nulle = min(sans_changement, key=lambda m: m["secondes"])
            modifiee_m = _mesurer(app, source_modifiee, source.uai)
            app.close()
        finally:
            if nettoyer:
                nettoyer()
        return {
            "store": kind,
            "eleves": len(source.eleves), "divisions": len(divisions), "enseignants": len(source.enseignants),
            "bilans": bilans,
            "lecture_des_sources_s": round(lecture, 3),
            "import_s": round(import_s, 3),
            "premiere_synchronisation": premiere,
            "resynchronisation_sans_changement": nulle,
            "resynchronisation_sans_changement_processus_neuf": neuve,
            "resynchronisation_10pc_eleves_5_enseignants": modifiee_m,
            "ratio_resync_nulle_sur_lecture": round(nulle["secondes"] / lecture, 2),
            "cible_ratio": CIBLE_NULLE_SUR_LECTURE,
            "ratio_resync_10pc_sur_nulle": round(modifiee_m["secondes"] / nulle["secondes"], 2),
            "cible_ratio_10pc": CIBLE_10PC_SUR_NULLE,
        }


def main() -> None:
    parser = parser_de_bench()
    parser.add_argument("--repetitions", type=int, default=3)
    args = parser.parse_args()
    imprimer("synchronisation", [mesurer(k, args.repetitions) for k in stores_choisis(args)])


if __name__ == "__main__":
    main()
