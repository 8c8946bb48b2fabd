"""Benchmark of finding the exports in nested zips (issue 14): prints one JSON document.

For each size, a zip of N small zips (the pupils file in one more zip among them), as an attacker or a careless
user would upload; ``localiser_siecle`` then the pupils file read whole. Reported: seconds, archives opened
(``zipfile.ZipFile`` constructions, each parsing one central directory) and directory entries parsed. Linear work
means twice the entries, twice the archives and entries parsed (before the fix: 1,000 → 4.9 s, 2,000 → 21.8 s,
4,000 → 75 s, the outer directory re-read for every inner zip).

Usage: ``python -m bench.bench_localisation [--tailles 1000 2000 4000]``.
"""

from __future__ import annotations

import argparse
import io
import json
import sys
import tempfile
import time
import zipfile
from pathlib import Path
from typing import Any

RACINE_PROJET = Path(__file__).resolve().parents[1]
if str(RACINE_PROJET) not in sys.path:
    sys.path.insert(0, str(RACINE_PROJET))

ELEVES = (b'<?xml version="1.0" encoding="ISO-8859-15"?>\n<BEE_ELEVES VERSION="3.0"><PARAMETRES><UAJ>0999001X</UAJ>'
          b"</PARAMETRES><DONNEES/></BEE_ELEVES>\n")


def _zip(membres: dict[str, bytes]) -> bytes:
    tampon = io.BytesIO()
    with zipfile.ZipFile(tampon, "w", zipfile.ZIP_DEFLATED) as archive:
        for nom, contenu in membres.items():
            archive.writestr(nom, contenu)
    return tampon.getvalue()


def ecrire_zip_de_zips(chemin: Path, nombre: int) -> None:
    petit = _zip({"lisez-moi.xml": b"<a/>"})
    with zipfile.ZipFile(chemin, "w", zipfile.ZIP_DEFLATED) as archive:
        for i in range(nombre):
            archive.writestr(f"exports/d{i}.zip", petit)
        archive.writestr("exports/ElevesSansAdresses.zip", _zip({"ElevesSansAdresses.xml": ELEVES}))


class _Compteur:
    archives = 0
    entrees = 0
    installe = False


def _compter() -> type[_Compteur]:
    """Count ``zipfile.ZipFile`` constructions (reading) from now on; once."""
    if _Compteur.installe:
        return _Compteur
    origine = zipfile.ZipFile

    class ZipCompte(origine):  # type: ignore[misc, valid-type]
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            if self.mode == "r":
                _Compteur.archives += 1
                _Compteur.entrees += len(self.filelist)

    zipfile.ZipFile = ZipCompte  # type: ignore[misc]
    _Compteur.installe = True
    return _Compteur


def mesurer(chemin: Path) -> dict[str, Any]:
    from lsun_events.sources.localisation import localiser_siecle  # noqa: PLC0415

    compteur = _compter()
    compteur.archives = compteur.entrees = 0
    debut = time.perf_counter()
    document = localiser_siecle(chemin)["eleves"]
    with document.ouvrir() as flux:
        assert flux.read() == ELEVES
    return {"secondes": round(time.perf_counter() - debut, 3), "archives_ouvertes": compteur.archives,
            "entrees_lues": compteur.entrees}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tailles", type=int, nargs="+", default=[1000, 2000, 4000])
    args = parser.parse_args(argv)
    resultats = []
    with tempfile.TemporaryDirectory(prefix="bench_localisation_") as dossier:
        for nombre in args.tailles:
            chemin = Path(dossier) / f"zips-{nombre}.zip"
            ecrire_zip_de_zips(chemin, nombre)
            resultats.append({"zips_imbriques": nombre, "octets": chemin.stat().st_size, **mesurer(chemin)})
    print(json.dumps({"bench": "localisation", "resultats": resultats}, ensure_ascii=False, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
