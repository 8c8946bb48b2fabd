"""``make bench``: every benchmark, one after the other (each in its own process, so none measures in the memory
or the caches another left), printed as one JSON document. The projections are measured on a store of
200,000 events written within 5 minutes (``bench_projections`` alone takes the full million:
``--evenements 1000000``, about 10 minutes to write and 25 to measure on both stores).

    .venv/bin/python -m bench.tout
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

RACINE = Path(__file__).resolve().parents[1]
BENCHS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("bench_codec", ()),
    ("bench_sources", ()),
    ("bench_localisation", ()),
    ("bench_synchronisation", ()),
    ("bench_worker", ()),
    ("bench_projections", ("--evenements", "200000", "--budget", "300")),
)


def lancer(nom: str, arguments: tuple[str, ...]) -> dict[str, Any]:
    debut = time.monotonic()
    fini = subprocess.run([sys.executable, "-m", f"bench.{nom}", *arguments], cwd=RACINE, capture_output=True,
                          text=True, check=False)
    resultat: dict[str, Any] = {"secondes": round(time.monotonic() - debut, 1), "code": fini.returncode}
    try:
        resultat["mesures"] = json.loads(fini.stdout)
    except json.JSONDecodeError:
        resultat["erreur"] = (fini.stderr or fini.stdout)[-2000:]
    return resultat


def main() -> int:
    resultats = {}
    for nom, arguments in BENCHS:
        sys.stderr.write(f"{nom}…\n")
        sys.stderr.flush()
        resultats[nom] = lancer(nom, arguments)
    print(json.dumps(resultats, ensure_ascii=False, indent=2))
    return 0 if all(r["code"] == 0 for r in resultats.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
