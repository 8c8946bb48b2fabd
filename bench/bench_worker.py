"""How many "petit collège" schools one worker keeps in sync on this machine.

N schools (200 pupils each) are imported and scheduled on the local S3E server; one worker then runs
cycles where every source is unchanged (a conditional request per resource, 304) and cycles where every
source changed (download, parse, simulation, guard, run). Prints one JSON document.

    .venv/bin/python -m bench.bench_worker [--ecoles 10] [--store sqlite|postgresql]
"""

from __future__ import annotations

import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from bench.commun import imprimer, parser_de_bench, store_de_bench, stores_choisis
from lsun_events.automatique import service
from lsun_events.automatique.planification import Planification
from lsun_events.automatique.worker import Worker
from lsun_events.generateur import variantes as v
from lsun_events.generateur.ecriture import ecrire_exports, ecrire_s3e
from lsun_events.generateur.generation import generer
from lsun_events.sources.s3e_server import creer_serveur
from lsun_events.sources.snapshot import charger_exports
from lsun_events.systeme import Systeme

JOUR = date(2025, 11, 17)


def mesurer(kind: str, n: int) -> dict[str, Any]:
    import threading  # noqa: PLC0415

    with tempfile.TemporaryDirectory() as tmp:
        dossier = Path(tmp)
        store, nettoyer = store_de_bench(kind, dossier)
        try:
            systeme = Systeme(store)
            planification = Planification(store)
            ecoles = {f"09{i:05d}A": generer("petit", uai=f"09{i:05d}A", graine=i) for i in range(n)}
            for uai, ecole in ecoles.items():
                exports = ecrire_exports(ecole, dossier / uai)
                systeme.app.importer(charger_exports(exports.siecle_zip, exports.sts), "import", JOUR)
                ecrire_s3e(ecole, dossier / "s3e")
            serveur = creer_serveur(dossier / "s3e", port=0, jeton="j")
            fil = threading.Thread(target=serveur.serve_forever, daemon=True)
            fil.start()
            horloge = [datetime.now(UTC)]
            for uai in ecoles:
                service.parametrer(systeme.app, planification, uai, "bench", active=True, adresse_s3e=serveur.url)
            worker = Worker(systeme.app, planification, jeton="j", jour=JOUR, horloge=lambda: horloge[0])

            def cycle() -> tuple[float, list[tuple[str, str]]]:
                horloge[0] += timedelta(minutes=16)
                debut = time.perf_counter()
                faits = worker.cycle()
                return time.perf_counter() - debut, faits

            cycle()  # first look at every source
            t_inchange, faits_inchanges = cycle()
            for i, (_uai, ecole) in enumerate(ecoles.items()):
                ecrire_s3e(v.renommer_eleves(ecole, 0.05, graine=i), dossier / "s3e")
            t_change, faits_changes = cycle()
            serveur.shutdown()
            serveur.server_close()
            planification.fermer()
            systeme.fermer()
        finally:
            if nettoyer:
                nettoyer()
    par_ecole_inchangee = t_inchange / n
    par_ecole_changee = t_change / n
    return {
        "store": kind, "ecoles": n, "eleves_par_ecole": 200,
        "cycle_inchange_s": round(t_inchange, 3), "resultats_inchanges": sorted({r for _, r in faits_inchanges}),
        "cycle_tout_change_s": round(t_change, 3), "resultats_changes": sorted({r for _, r in faits_changes}),
        "s_par_ecole_inchangee": round(par_ecole_inchangee, 4),
        "s_par_ecole_changee": round(par_ecole_changee, 4),
        "ecoles_par_heure_si_tout_change": round(3600 / par_ecole_changee),
        "verifications_par_heure_sources_inchangees": round(3600 / par_ecole_inchangee),
        "ecoles_suivies_toutes_les_15_min_si_1_sur_10_change": round(
            900 / (0.9 * par_ecole_inchangee + 0.1 * par_ecole_changee)),
    }


def main() -> None:
    parser = parser_de_bench()
    parser.add_argument("--ecoles", type=int, default=10)
    args = parser.parse_args()
    imprimer("worker", [mesurer(k, args.ecoles) for k in stores_choisis(args)])


if __name__ == "__main__":
    main()
