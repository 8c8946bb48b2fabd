"""The source a web synchronisation reads: the académie's S3E service configured for the server, or the
exports a chef uploaded (SIECLE zip + STS-web file), kept under ``<données>/depots/<UAI>/``. An upload is read
and checked in full (UAI, school year, safe XML…) before it replaces the previous one."""

from __future__ import annotations

import json
import shutil
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import BinaryIO

from lsun_events.aggregates.etablissement import Etablissement
from lsun_events.interfaces.sources_cli import lire_source
from lsun_events.interfaces.web.erreurs import RequeteInvalideError
from lsun_events.interfaces.web.reglages import FICHIER_MAX, Reglages
from lsun_events.regles.messages import FUSEAU
from lsun_events.sources.erreurs import SourceInvalideError
from lsun_events.sources.records import SourceSnapshot
from lsun_events.sources.snapshot import charger_exports

TAILLE_MAX = FICHIER_MAX  # per uploaded file
S3E, DEPOT = "s3e", "depot"


@dataclass(frozen=True)
class Depot:
    siecle: Path
    sts: Path
    depose_le: str
    par: str
    noms: dict[str, str]

    @property
    def libelle(self) -> str:
        le = datetime.fromisoformat(self.depose_le).astimezone(FUSEAU).strftime("%d/%m/%Y à %H:%M")
        return (f"exports déposés le {le} par {self.par} "
                f"({self.noms.get('siecle', 'SIECLE')}, {self.noms.get('sts', 'STS-web')})")


def dossier(reglages: Reglages, uai: str) -> Path:
    return reglages.donnees / "depots" / uai.upper()


def depot(reglages: Reglages, uai: str) -> Depot | None:
    d = dossier(reglages, uai)
    try:
        infos = json.loads((d / "depot.json").read_text())
    except (OSError, ValueError):
        return None
    siecle, sts = d / infos["siecle"], d / infos["sts"]
    if not (siecle.exists() and sts.exists()):
        return None
    return Depot(siecle, sts, infos["le"], infos["par"], infos.get("noms", {}))


def _copier(flux: BinaryIO, cible: Path, quoi: str) -> None:
    taille = 0
    with cible.open("wb") as f:
        while bloc := flux.read(1024 * 1024):
            taille += len(bloc)
            if taille > TAILLE_MAX:
                raise RequeteInvalideError(f"Le fichier {quoi} dépasse {TAILLE_MAX // (1024 * 1024)} Mo.")
            f.write(bloc)
    if taille == 0:
        raise RequeteInvalideError(f"Le fichier {quoi} est vide ou n'a pas été choisi.")


def deposer(reglages: Reglages, uai: str, annee: str, par: str, siecle: tuple[str, BinaryIO],
            sts: tuple[str, BinaryIO]) -> Depot:
    """Keep the uploaded exports if, read together, they are this school's of this year."""
    cible = dossier(reglages, uai)
    cible.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=cible, prefix=".envoi-") as tmp:
        brouillon = Path(tmp)
        _copier(siecle[1], brouillon / "siecle.zip", f"SIECLE « {siecle[0]} »")
        _copier(sts[1], brouillon / "sts.tmp", f"STS-web « {sts[0]} »")
        with (brouillon / "sts.tmp").open("rb") as f:
            nom_sts = "sts.zip" if f.read(4) == b"PK\x03\x04" else "sts.xml"
        (brouillon / "sts.tmp").rename(brouillon / nom_sts)
        try:
            charger_exports(brouillon / "siecle.zip", brouillon / nom_sts, uai_attendu=uai, annee_attendue=annee)
        except SourceInvalideError as e:  # name the files as the user knows them
            message = e.message.replace(str(brouillon / "siecle.zip"), siecle[0])
            message = message.replace(str(brouillon / nom_sts), sts[0]).replace(str(brouillon) + "/", "")
            raise RequeteInvalideError(f"Exports refusés, rien n'a été enregistré. {message}") from None
        for ancien in ("siecle.zip", "sts.zip", "sts.xml"):
            (cible / ancien).unlink(missing_ok=True)
        shutil.move(brouillon / "siecle.zip", cible / "siecle.zip")
        shutil.move(brouillon / nom_sts, cible / nom_sts)
    infos = {"siecle": "siecle.zip", "sts": nom_sts, "le": datetime.now(UTC).isoformat(), "par": par,
             "noms": {"siecle": Path(siecle[0]).name, "sts": Path(sts[0]).name}}
    (cible / "depot.json").write_text(json.dumps(infos, ensure_ascii=False))
    resultat = depot(reglages, uai)
    assert resultat is not None
    return resultat


def adresse_s3e(reglages: Reglages, etab: Etablissement) -> str | None:
    """The S3E address configured for the school (``automatique activer --s3e``), else the server's."""
    if etab.automatique is not None and etab.automatique.adresse_s3e:
        return etab.automatique.adresse_s3e
    return reglages.s3e


def sources(reglages: Reglages, etab: Etablissement) -> dict[str, str]:
    """The sources available to this school: code → description in French."""
    disponibles = {}
    uai = etab.uai
    adresse = adresse_s3e(reglages, etab)
    if adresse:
        disponibles[S3E] = f"service S3E de l'académie ({adresse.rstrip('/')}/{uai})"
    d = depot(reglages, uai)
    if d is not None:
        disponibles[DEPOT] = d.libelle
    return disponibles


def choisir(reglages: Reglages, etab: Etablissement, code: str | None) -> tuple[str, Callable[[], SourceSnapshot]]:
    """(description, reader) of the chosen source (default: S3E when configured, else the upload)."""
    uai, annee = etab.uai, etab.annee_scolaire
    disponibles = sources(reglages, etab)
    if not disponibles:
        raise RequeteInvalideError("Aucune source de données : déposez les exports SIECLE et STS-web de "
                                   "l'établissement, ou configurez le service S3E du serveur (LSUN_S3E).")
    code = code or next(iter(disponibles))
    if code not in disponibles:
        raise RequeteInvalideError(f"Source « {code} » indisponible : choisissez parmi {', '.join(disponibles)}.")
    if code == S3E:
        adresse = adresse_s3e(reglages, etab)
        return disponibles[code], lambda: lire_source(uai, s3e=adresse, jeton=reglages.jeton_s3e, annee=annee)
    d = depot(reglages, uai)
    assert d is not None
    return disponibles[code], lambda: lire_source(uai, siecle=d.siecle, sts=d.sts, annee=annee)
