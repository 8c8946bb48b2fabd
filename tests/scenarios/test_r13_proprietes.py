"""SPEC R13, issue 13 point 6, property-based (hypothesis): any combination of the re-export transformations of
``tests/reexport.py`` (an encoding, NFD, CRLF, empty elements in one form or another, extra or non-breaking spaces,
values on their own line, every list and every element shuffled with a random seed, zipped or not, served by S3E,
optional files absent) says the same data as the generator's exports, and a run on it writes no entity event — on
SQLite and on PostgreSQL.

One school per test and per store: each example first synchronises the generator's exports as they are (so the
school is up to date with the data, whatever an earlier failing example wrote), then the re-export, whose run
must write its own events only. Examples are derandomised (the same ones on every run, as in CI)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from lsun_events.generateur.ecriture import ecrire_exports
from lsun_events.storage.config import Store
from tests.reexport import (
    ECOLE,
    ENCODAGES,
    FACULTATIFS,
    Reexport,
    Transformation,
    crlf,
    decrire,
    differences,
    encodage,
    entites_ecrites,
    espaces,
    espaces_insecables,
    exporter,
    installer,
    melanger_elements,
    melanger_listes,
    nfd,
    s3e,
    sans,
    siecle_en,
    sts_zippe,
    synchroniser,
    texte_a_la_ligne,
    vides,
)
from tests.scenarios.conftest import Etablissement


def reglages(exemples: int) -> settings:
    """Without shrinking: a failing example is reported as drawn (its message names every transformation
    applied and every event written); shrinking one would rerun the school's synchronisation hundreds of times."""
    return settings(max_examples=exemples, deadline=None, database=None, derandomize=True,
                    phases=(Phase.explicit, Phase.generate), report_multiple_bugs=False,
                    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])


@st.composite
def reexportations(draw: st.DrawFn, *, absents: bool) -> list[Transformation]:
    """A random combination of transformations (``absents``: at least one optional export missing)."""
    graine = st.integers(0, 2**16)
    choix: list[Transformation | None] = [
        encodage(draw(st.sampled_from(ENCODAGES))),
        nfd() if draw(st.booleans()) else None,
        crlf() if draw(st.booleans()) else None,
        draw(st.sampled_from([None, vides("courts"), vides("longs"), vides("absents")])),
        draw(st.sampled_from([None, espaces(), espaces_insecables(), texte_a_la_ligne()])),
        melanger_listes(draw(graine)) if draw(st.booleans()) else None,
        melanger_elements(draw(graine)) if draw(st.booleans()) else None,
        siecle_en(draw(st.sampled_from(["dossier", "zip", "zips"]))),
        sts_zippe() if draw(st.booleans()) else None,
        s3e() if draw(st.booleans()) else None,
    ]
    if absents:
        choix.append(sans(*sorted(draw(st.sets(st.sampled_from(FACULTATIFS), min_size=1)))))
    return [t for t in choix if t is not None]


pytestmark = pytest.mark.usefixtures("sans_proxy")  # the S3E client talks to 127.0.0.1 directly


class College:
    """The school of one test, shared by its examples (a short repr: hypothesis prints its arguments)."""

    def __init__(self, etablissement: Etablissement) -> None:
        self.etablissement = etablissement

    def __repr__(self) -> str:
        return f"College({self.etablissement.systeme.store.kind})"


@pytest.fixture
def college(store: Store, tmp_path: Path) -> Iterator[College]:
    """The ``etablissement`` fixture's school made realistic (``reexport.ecole_realiste``), on both stores."""
    etab = installer(store, tmp_path)
    yield College(etab)
    etab.systeme.fermer()


_GENERATEUR: list[Reexport] = []


def _generateur(dossier: Path) -> Reexport:
    if not _GENERATEUR:
        _GENERATEUR.append(Reexport.lire(ecrire_exports(ECOLE, dossier / "generateur", zip_siecle=False)))
    return _GENERATEUR[0].copie()


# --- the transformations keep the data (no store) ------------------------------------------------------------


@reglages(100)
@given(transformations=reexportations(absents=False) | reexportations(absents=True))
def test_toute_combinaison_dit_les_memes_donnees(tmp_path_factory: pytest.TempPathFactory,
                                                 transformations: list[Transformation]) -> None:
    dossier = tmp_path_factory.mktemp("combinaison")
    reexport = _generateur(dossier).transformer(*transformations)
    reference = _generateur(dossier)
    reference.documents = {nom: d for nom, d in reference.documents.items() if nom in reexport.documents}
    with reference.ecrire(dossier / "reference") as livraison:
        attendu = livraison.snapshot(ECOLE.uai)
    with reexport.ecrire(dossier / "reexport") as livraison:
        lu = livraison.snapshot(ECOLE.uai)
    assert differences(attendu, lu) == []


# --- a run on any of them writes no entity event ------------------------------------------------------------


def _rien_d_ecrit(college: College, transformations: list[Transformation]) -> None:
    etab = college.etablissement
    synchroniser(etab, exporter(etab))  # up to date with the data (whatever an earlier example wrote)
    reexport = exporter(etab).transformer(*transformations)
    resultat, evenements = synchroniser(etab, reexport)
    ecrits = entites_ecrites(evenements)
    assert ecrits == [], (f"La réexportation « {reexport.nom} » des mêmes données a écrit {len(ecrits)} "
                          "événement(s) d'entité :\n" + "\n".join(decrire(e) for e in ecrits))
    assert resultat.statut == "terminee"
    assert sorted(x["fichier"] for x in resultat.en_dict()["exports_absents"]) == sorted(reexport.absents)


@reglages(40)
@given(transformations=reexportations(absents=False))
def test_toute_reexportation_complete_n_ecrit_aucun_evenement_d_entite(
        college: College, transformations: list[Transformation]) -> None:
    _rien_d_ecrit(college, transformations)


@reglages(25)
@given(transformations=reexportations(absents=True))
def test_toute_reexportation_sans_un_export_facultatif_n_ecrit_aucun_evenement_d_entite(
        college: College, transformations: list[Transformation]) -> None:
    _rien_d_ecrit(college, transformations)
