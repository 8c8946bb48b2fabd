"""Benchmark of the source readers: prints one JSON document.

1. ``synthetique``: writes a large ``ElevesSansAdresses.xml`` (about 50 MB, ISO-8859-15, streamed) in a
   temporary folder, then reads it with ``lire_eleves`` in a child process: seconds, pupils per second and
   the child's peak RSS (``ru_maxrss``). Target: under 200 MB RSS for 50 MB.
2. ``generateur_grand``: when the generator (``lsun_events.generateur``) is there, its "grand" set read
   whole with ``charger_exports`` (SIECLE zip + STS), in a child process too: ``secondes`` is the first read
   with the imports it needs, ``lecture_s`` the best of ``--repetitions`` reads once imported (what a
   server or worker pays; target ≤ 0.25 s, issue 18).

Usage: ``python bench/bench_sources.py [--mo 50] [--sans-generateur]``.
"""

from __future__ import annotations

import argparse
import json
import platform
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

RACINE_PROJET = Path(__file__).resolve().parents[1]
if str(RACINE_PROJET) not in sys.path:
    sys.path.insert(0, str(RACINE_PROJET))

CIBLE_RSS_MO = 200
CIBLE_LECTURE_GRAND_S = 0.25
PRENOMS = ["Zoé", "Léon", "Maëlle", "Noé", "Chloé", "Jérôme", "Anaïs", "Gaël", "Hélène", "Œnone", "Loïc", "Inès"]
NOMS = ["D'ALEMBERT-CŒUR", "MODÈLE", "LEFÈVRE", "N'GUESSAN", "DUPONT-MOREAU", "BŒUF", "GRÉGOIRE", "PÉRIER"]


# --- the synthetic export ----------------------------------------------------------------------------------

def _eleve(i: int) -> str:
    nom, prenom = NOMS[i % len(NOMS)], PRENOMS[i % len(PRENOMS)]
    return (
        f'    <ELEVE ELEVE_ID="{1_000_000 + i}" ELENOET="{i}">\n'
        f"      <ID_NATIONAL>{i:09d}AB</ID_NATIONAL>\n"
        f"      <ELENOET>{i}</ELENOET>\n"
        f"      <NOM_DE_FAMILLE>{nom}</NOM_DE_FAMILLE>\n"
        f"      <NOM_USAGE></NOM_USAGE>\n"
        f"      <PRENOM>{prenom}</PRENOM>\n"
        f"      <PRENOM2>{PRENOMS[(i + 3) % len(PRENOMS)]}</PRENOM2>\n"
        f"      <PRENOM3></PRENOM3>\n"
        f"      <CODE_SEXE>{1 + i % 2}</CODE_SEXE>\n"
        f"      <DATE_NAISS>{1 + i % 28:02d}/{1 + i % 12:02d}/2012</DATE_NAISS>\n"
        f"      <CODE_PAYS>100</CODE_PAYS>\n"
        f"      <CODE_DEPARTEMENT_NAISS>033</CODE_DEPARTEMENT_NAISS>\n"
        f"      <CODE_COMMUNE_INSEE_NAISS>33318</CODE_COMMUNE_INSEE_NAISS>\n"
        f"      <VILLE_NAISS></VILLE_NAISS>\n"
        f"      <DOUBLEMENT>0</DOUBLEMENT>\n"
        f"      <CODE_REGIME>2</CODE_REGIME>\n"
        f"      <CODE_MEF>10110001110</CODE_MEF>\n"
        f"      <CODE_STATUT>ST</CODE_STATUT>\n"
        f"      <DATE_ENTREE>01/09/2024</DATE_ENTREE>\n"
        f"      <MEL>eleve{i}@example.invalid</MEL>\n"
        f"      <TEL_PORTABLE>06{i:08d}</TEL_PORTABLE>\n"
        f"      <SCOLARITE_AN_DERNIER>\n"
        f"        <CODE_MEF>10010012110</CODE_MEF><CODE_STRUCTURE>6E{i % 9}</CODE_STRUCTURE>\n"
        f"        <CODE_RNE>0999002Y</CODE_RNE><SIGLE>CLG</SIGLE><DENOM_PRINC>COLLÈGE</DENOM_PRINC>\n"
        f"        <LIGNE1_ADRESSE>1 RUE DE L'ÉCOLE</LIGNE1_ADRESSE><CODE_COMMUNE_INSEE>33318</CODE_COMMUNE_INSEE>\n"
        f"      </SCOLARITE_AN_DERNIER>\n"
        f"    </ELEVE>\n")


def _option(i: int) -> str:
    return (f'    <OPTION ELEVE_ID="{1_000_000 + i}" ELENOET="{i}">\n'
            "      <OPTIONS_ELEVE><NUM_OPTION>1</NUM_OPTION><CODE_MODALITE_ELECT>O</CODE_MODALITE_ELECT>"
            "<CODE_MATIERE>030201</CODE_MATIERE></OPTIONS_ELEVE>\n"
            "      <OPTIONS_ELEVE><NUM_OPTION>2</NUM_OPTION><CODE_MODALITE_ELECT>O</CODE_MODALITE_ELECT>"
            "<CODE_MATIERE>030602</CODE_MATIERE></OPTIONS_ELEVE>\n"
            "    </OPTION>\n")


def _structures(i: int) -> str:
    return (f'    <STRUCTURES_ELEVE ELEVE_ID="{1_000_000 + i}" ELENOET="{i}">\n'
            f"      <STRUCTURE><CODE_STRUCTURE>{3 + i % 4}E{i % 9}</CODE_STRUCTURE>"
            "<TYPE_STRUCTURE>D</TYPE_STRUCTURE></STRUCTURE>\n"
            f"      <STRUCTURE><CODE_STRUCTURE>{3 + i % 4}LAT</CODE_STRUCTURE>"
            "<TYPE_STRUCTURE>G</TYPE_STRUCTURE></STRUCTURE>\n"
            "    </STRUCTURES_ELEVE>\n")


def ecrire_gros_export(chemin: Path, octets_cibles: int) -> int:
    """Write a BEE_ELEVES export of about ``octets_cibles`` bytes, streamed; returns the pupil count."""
    par_eleve = sum(len(f(1).encode("iso-8859-15")) for f in (_eleve, _option, _structures))
    nombre = max(1, octets_cibles // par_eleve)
    with chemin.open("w", encoding="iso-8859-15", newline="\n") as flux:
        flux.write('<?xml version="1.0" encoding="ISO-8859-15"?>\n<BEE_ELEVES VERSION="3.0">\n'
                   "  <PARAMETRES><UAJ>0999001X</UAJ><ANNEE_SCOLAIRE>2025</ANNEE_SCOLAIRE>"
                   "<DATE_EXPORT>08/09/2025</DATE_EXPORT><HORODATAGE>08/09/2025 07:42:10</HORODATAGE></PARAMETRES>\n"
                   "  <DONNEES>\n")
        for section, ecrire in (("ELEVES", _eleve), ("OPTIONS", _option), ("STRUCTURES", _structures)):
            flux.write(f"  <{section}>\n")
            for i in range(nombre):
                flux.write(ecrire(i))
            flux.write(f"  </{section}>\n")
        flux.write("  </DONNEES>\n</BEE_ELEVES>\n")
    return nombre


# --- measuring in a child process --------------------------------------------------------------------------

def _rss_mo() -> float:
    maxrss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return maxrss / (1024 * 1024) if platform.system() == "Darwin" else maxrss / 1024  # bytes on macOS, KiB elsewhere


def _mesurer(quoi: str, chemins: list[str], repetitions: int = 1) -> dict[str, object]:
    """Runs in the child: read (imports included), then report time, counts and this process's peak RSS; for
    the exports, then read again ``repetitions`` times, imports done (``lecture_s``: the best one)."""
    debut = time.perf_counter()
    comptes: dict[str, object]
    if quoi == "eleves":
        from lsun_events.sources.documents import Document  # noqa: PLC0415
        from lsun_events.sources.siecle import lire_eleves  # noqa: PLC0415

        chemin = Path(chemins[0])
        lecture = lire_eleves(Document.fichier(chemin))
        comptes = {"eleves": len(lecture.eleves), "anomalies": len(lecture.anomalies)}
        secondes = time.perf_counter() - debut
    else:
        from lsun_events.sources.snapshot import charger_exports  # noqa: PLC0415

        snapshot = charger_exports(Path(chemins[0]), Path(chemins[1]))
        secondes = time.perf_counter() - debut
        comptes = {"eleves": len(snapshot.eleves), "enseignants": len(snapshot.enseignants),
                   "services": len(snapshot.services), "divisions": len(snapshot.divisions),
                   "anomalies": len(snapshot.anomalies)}
        lectures, processeur = [], []  # wall clock; CPU time of this process (less moved by other processes)
        for _ in range(repetitions):
            debut_lecture, debut_cpu = time.perf_counter(), time.process_time()
            charger_exports(Path(chemins[0]), Path(chemins[1]))
            lectures.append(time.perf_counter() - debut_lecture)
            processeur.append(time.process_time() - debut_cpu)
        comptes |= {"lecture_s": round(min(lectures), 3),
                    "lecture_mediane_s": round(sorted(lectures)[len(lectures) // 2], 3),
                    "lecture_cpu_s": round(min(processeur), 3),
                    "cible_lecture_s": CIBLE_LECTURE_GRAND_S}
    return {"secondes": round(secondes, 3), **comptes,
            "eleves_par_seconde": round(int(str(comptes["eleves"])) / secondes) if secondes else None,
            "rss_max_mo": round(_rss_mo(), 1)}


def _dans_un_enfant(quoi: str, *chemins: Path, repetitions: int = 1) -> dict[str, object]:
    sortie = subprocess.run([sys.executable, __file__, "--enfant", quoi, str(repetitions), *map(str, chemins)],
                            capture_output=True, text=True, check=True, cwd=RACINE_PROJET)
    return json.loads(sortie.stdout)


def _taille_mo(*chemins: Path) -> float:
    return round(sum(p.stat().st_size for p in chemins) / (1024 * 1024), 1)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mo", type=float, default=50, help="taille du gros export synthétique (Mo)")
    parser.add_argument("--sans-generateur", action="store_true", help="ne pas lire le jeu « grand » du générateur")
    parser.add_argument("--repetitions", type=int, default=5, help="lectures du jeu « grand » une fois importé")
    parser.add_argument("--enfant", nargs="+", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.enfant:
        print(json.dumps(_mesurer(args.enfant[0], args.enfant[2:], int(args.enfant[1]))))
        return 0

    resultat: dict[str, object] = {"python": platform.python_version(), "cible_rss_mo": CIBLE_RSS_MO}
    with tempfile.TemporaryDirectory(prefix="bench_sources_") as dossier:
        chemin = Path(dossier) / "ElevesSansAdresses.xml"
        debut = time.perf_counter()
        nombre = ecrire_gros_export(chemin, int(args.mo * 1024 * 1024))
        ecriture = time.perf_counter() - debut
        mesure = _dans_un_enfant("eleves", chemin)
        resultat["synthetique"] = {"fichier_mo": _taille_mo(chemin), "eleves_ecrits": nombre,
                                   "ecriture_secondes": round(ecriture, 2), **mesure,
                                   "sous_la_cible": float(mesure["rss_max_mo"]) < CIBLE_RSS_MO}  # type: ignore[arg-type]
        chemin.unlink()

        if not args.sans_generateur:
            try:
                from lsun_events.generateur import ecrire_exports, generer  # noqa: PLC0415
            except ImportError:
                resultat["generateur_grand"] = None
            else:
                exports = ecrire_exports(generer("grand"), Path(dossier) / "grand")
                siecle = exports.siecle_zip or exports.siecle_dossier
                resultat["generateur_grand"] = {
                    "siecle_xml_mo": _taille_mo(*exports.siecle_fichiers.values()),
                    "sts_mo": _taille_mo(exports.sts), "siecle": siecle.name,
                    **_dans_un_enfant("exports", siecle, exports.sts, repetitions=args.repetitions)}
    print(json.dumps(resultat, ensure_ascii=False, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
