"""Hostile export paths through the command line, each in a child process under a timeout (issue 14): a device
(``/dev/zero``), a FIFO without a writer, a pipe holding a valid zip, a folder where a file is expected, and a zip
bomb (a 1 GB member of zeros, about 1 MB compressed, built here by streaming). Each is refused quickly, in French,
without a traceback, nothing saved, and the child's peak memory stays bounded."""

from __future__ import annotations

import os
import struct
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import pytest

from lsun_events.generateur.ecriture import Exports, ecrire_exports
from lsun_events.generateur.generation import generer
from tests.fiabilite.outils import ANNEE, RACINE, env_cli

DELAI = 60  # seconds before the child is killed: a read without end would hit it
DUREE_MAX = 20.0  # seconds a refusal may take, imports included, on a loaded machine
RSS_MAX_MO = 250  # the child's peak memory: a 1 GB member read whole would be far above
GIGA = 1024 * 1024 * 1024
_MESURER = ("import resource, sys\n"
            "from lsun_events.interfaces.cli import main\n"
            "code = main(sys.argv[1:])\n"
            "sys.stderr.write(f'\\nRSS_MAX_KO={resource.getrusage(resource.RUSAGE_SELF).ru_maxrss}\\n')\n"
            "sys.exit(code)\n")


@pytest.fixture(scope="module")
def exports(tmp_path_factory: pytest.TempPathFactory) -> Exports:
    return ecrire_exports(generer("mini", annee=ANNEE), tmp_path_factory.mktemp("exports"))


def importer(siecle: str, sts: str, store: Path, *, pass_fds: tuple[int, ...] = ()) -> tuple[int, str, float, float]:
    """``lsun-events importer`` in a child: exit code, stderr, seconds, peak RSS (MB)."""
    debut = time.monotonic()
    fini = subprocess.run([sys.executable, "-c", _MESURER, "importer", "--siecle", siecle, "--sts", sts,
                           "--store", f"sqlite:///{store}", "--acteur", "test"],
                          cwd=RACINE, env=env_cli(), capture_output=True, text=True, timeout=DELAI, check=False,
                          pass_fds=pass_fds)
    duree = time.monotonic() - debut
    erreur, _, rss = fini.stderr.rpartition("RSS_MAX_KO=")
    assert fini.stdout == "" and "Traceback" not in fini.stderr, fini.stderr
    return fini.returncode, erreur.strip(), duree, int(rss) / 1024


def _refus(erreur: str, fichier: str, probleme: str) -> None:
    [ligne] = erreur.splitlines()
    assert ligne.startswith(f"Erreur : Fichier « {fichier} » : {probleme}"), ligne


def test_a_device_is_refused_before_it_is_read(exports: Exports, tmp_path: Path) -> None:
    for siecle, sts in ((str(exports.siecle_zip), "/dev/zero"), ("/dev/zero", str(exports.sts))):
        code, erreur, duree, _ = importer(siecle, sts, tmp_path / "lsun.sqlite")
        assert code == 1
        _refus(erreur, "/dev/zero", "ce n'est pas un fichier ordinaire mais un périphérique (comme /dev/zero), dont "
                                    "la lecture peut ne jamais finir : il n'est pas lu. Enregistrez d'abord l'export "
                                    "dans un fichier")
        assert duree < DUREE_MAX


def test_a_fifo_without_a_writer_is_refused_without_waiting(exports: Exports, tmp_path: Path) -> None:
    fifo = tmp_path / "siecle.zip"
    os.mkfifo(fifo)
    for siecle, sts in ((str(fifo), str(exports.sts)), (str(exports.siecle_zip), str(fifo))):
        code, erreur, duree, _ = importer(siecle, sts, tmp_path / "lsun.sqlite")
        assert code == 1
        _refus(erreur, str(fifo), "ce n'est pas un fichier ordinaire mais un tube (pipe ou FIFO)")
        assert duree < DUREE_MAX


def test_a_valid_zip_through_a_pipe_is_refused_as_a_pipe_not_as_a_damaged_archive(
        exports: Exports, tmp_path: Path) -> None:
    assert exports.siecle_zip is not None
    lecture, ecriture = os.pipe()
    try:
        contenu = exports.siecle_zip.read_bytes()
        assert len(contenu) < 60_000  # fits in the pipe: written whole before the child starts
        os.write(ecriture, contenu)
        os.close(ecriture)
        code, erreur, duree, _ = importer(f"/dev/fd/{lecture}", str(exports.sts), tmp_path / "lsun.sqlite",
                                          pass_fds=(lecture,))
    finally:
        os.close(lecture)
    assert code == 1
    _refus(erreur, f"/dev/fd/{lecture}", "ce n'est pas un fichier ordinaire mais un tube (pipe ou FIFO)")
    assert "endommagée" not in erreur and duree < DUREE_MAX


def test_a_folder_where_the_sts_file_is_expected(exports: Exports, tmp_path: Path) -> None:
    vide = tmp_path / "sts"
    vide.mkdir()
    code, erreur, duree, _ = importer(str(exports.siecle_zip), str(vide), tmp_path / "lsun.sqlite")
    assert code == 1
    _refus(erreur, str(vide), "aucun fichier STS-web sts_emp_<UAI>_<année>.xml n'a été trouvé ; le dossier ou "
                              "l'archive ne contient aucun fichier XML")
    assert duree < DUREE_MAX


# --- a zip bomb -------------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def bombe(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """``ElevesSansAdresses.xml``: 1 GB of zeros, compressed by streaming (never in memory) to about 1 MB."""
    chemin = tmp_path_factory.mktemp("bombe") / "siecle.zip"
    bloc = bytes(1024 * 1024)
    with zipfile.ZipFile(chemin, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive, \
            archive.open("ElevesSansAdresses.xml", "w") as membre:
        for _ in range(GIGA // len(bloc)):
            membre.write(bloc)
    assert chemin.stat().st_size < 2 * 1024 * 1024
    return chemin


def test_a_zip_bomb_is_refused_from_its_declared_size(exports: Exports, bombe: Path, tmp_path: Path) -> None:
    code, erreur, duree, rss = importer(str(bombe), str(exports.sts), tmp_path / "lsun.sqlite")
    assert code == 1
    _refus(erreur, f"{bombe}!ElevesSansAdresses.xml", "une fois décompressé, ce fichier ferait 1024.0 Mo, plus que "
                                                      "la limite de 200.0 Mo : l'archive est refusée")
    assert duree < DUREE_MAX and rss < RSS_MAX_MO, (duree, rss)


def test_a_zip_bomb_that_lies_about_its_size_is_refused_with_bounded_memory(
        exports: Exports, bombe: Path, tmp_path: Path) -> None:
    octets = bytearray(bombe.read_bytes())
    central = octets.rfind(b"PK\x01\x02")
    assert struct.unpack_from("<I", octets, central + 24)[0] == GIGA
    struct.pack_into("<I", octets, central + 24, 150 * 1024 * 1024)  # under the limit, and a ratio under 1000
    menteuse = tmp_path / "siecle.zip"
    menteuse.write_bytes(bytes(octets))
    code, erreur, duree, rss = importer(str(menteuse), str(exports.sts), tmp_path / "lsun.sqlite")
    assert code == 1
    _refus(erreur, f"{menteuse}!ElevesSansAdresses.xml", "")
    assert duree < DUREE_MAX and rss < RSS_MAX_MO, (duree, rss)
