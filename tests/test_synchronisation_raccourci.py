"""« A resync costs what changed » (issue 18, part 3): what a process keeps between the runs of a school (the
aggregates' states, the decisions proved to change nothing) gives the same events as a run that reads and decides
everything, on both stores. ``LSUN_SYNCHRO_CONTROLE=1`` computes every run both ways and raises on the least
difference (event class, aggregate, version, data, order): the sequences below run under it, and so does every
rule scenario (``tests/scenarios``, ``tests/test_synchronisation_regles.py``) in the heavy variant."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from lsun_events.application import synchronisation as synchro
from lsun_events.application.synchronisation import DemandeSynchronisation
from lsun_events.generateur import variantes as v
from lsun_events.generateur.generation import generer
from lsun_events.regles import conversion
from lsun_events.regles.erreurs import SourceEndommageeError
from lsun_events.sources.records import SourceSnapshot
from lsun_events.sources.snapshot import charger_exports
from lsun_events.storage import chargement
from lsun_events.storage.config import Store
from lsun_events.systeme import Systeme
from tests.scenarios.conftest import CHEF, JOUR, Etablissement, installer

RACINE = Path(__file__).resolve().parents[1]


@pytest.fixture
def controle(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(synchro.CONTROLE, "1")
    monkeypatch.delenv(synchro.RACCOURCI, raising=False)


@pytest.fixture
def etablissement(store: Store, tmp_path: Path, controle: None) -> Iterator[Etablissement]:
    etab = installer(store, tmp_path, generer("mini"))
    yield etab
    etab.systeme.fermer()


class Compteurs:
    """Aggregates read from the store, pupils' data converted (what the shortcut saves)."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.lus = 0
        self.conversions = 0
        lire, identite = chargement._lire, conversion.identite_eleve

        def compter_lus(app: Any, lot: list[Any]) -> Any:
            self.lus += len(lot)
            return lire(app, lot)

        def compter_conversions(e: Any) -> Any:
            self.conversions += 1
            return identite(e)

        monkeypatch.setattr(chargement, "_lire", compter_lus)
        monkeypatch.setattr(conversion, "identite_eleve", compter_conversions)

    def remettre(self) -> None:
        self.lus = self.conversions = 0


def test_a_no_op_resync_reads_and_decides_nothing_again(etablissement: Etablissement,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    ecole = etablissement.ecole
    assert etablissement.synchroniser(ecole).statut == "terminee"
    monkeypatch.delenv(synchro.CONTROLE)  # the control itself reads everything
    compteurs = Compteurs(monkeypatch)
    premiere = etablissement.synchroniser(ecole)
    assert compteurs.lus == 0 and compteurs.conversions == 0
    seconde = etablissement.synchroniser(ecole)
    assert compteurs.lus == 0 and compteurs.conversions == 0
    assert [m.en_dict() for m in premiere.messages] == [m.en_dict() for m in seconde.messages]
    assert premiere.compteurs == seconde.compteurs


def test_only_what_changed_is_read_again(etablissement: Etablissement, monkeypatch: pytest.MonkeyPatch) -> None:
    ecole = etablissement.ecole
    etablissement.synchroniser(ecole)
    eleve = next(e for e in ecole.eleves if e.division == "4A")
    renommee = v.renommer_eleve(ecole, eleve.eleve_id, prenoms=["Marie-claire", "Yvete"])
    monkeypatch.delenv(synchro.CONTROLE)
    compteurs = Compteurs(monkeypatch)
    resultat = etablissement.synchroniser(renommee)
    assert compteurs.conversions == 1  # the one pupil whose record changed
    assert compteurs.lus == 0
    assert resultat.compteurs["eleves_mis_a_jour"] == 1 and resultat.compteurs["bilans_archives"] == 1
    compteurs.remettre()
    etablissement.synchroniser(renommee)
    assert compteurs.conversions == 0 and compteurs.lus == 0  # its new state was kept after the save


def test_sequences_of_changes_give_the_same_events_with_and_without_the_shortcut(
        etablissement: Etablissement) -> None:
    """Every run below is computed twice (``LSUN_SYNCHRO_CONTROLE``): one difference raises."""
    ecole = etablissement.ecole
    app = etablissement.app
    uai = etablissement.uai
    par_division = {d: [e for e in ecole.eleves if e.division == d] for d in ("4A", "4B")}
    etapes = [ecole]
    etapes.append(v.renommer_eleve(etapes[-1], par_division["4A"][0].eleve_id, prenoms=["Zoé"]))
    etapes.append(v.renommer_eleves(etapes[-1], 0.3, graine=3))
    etapes.append(v.modifier(etapes[-1], part_eleves_renommes=0.2, enseignants_changes=2, graine=5))
    etapes.append(v.faire_partir(etapes[-1], par_division["4B"][1].eleve_id, date(2025, 10, 1)))
    etapes.append(v.changer_division(etapes[-1], par_division["4A"][2].eleve_id, "4B"))
    etapes.append(v.retirer_eleve(etapes[-1], par_division["4B"][3].eleve_id))
    etapes.append(v.vider_services_division(etapes[-1], "4B"))
    for i, etape in enumerate(etapes):
        assert etablissement.synchroniser(etape, simulation=True).statut == "simulation"
        assert etablissement.synchroniser(etape).statut == "terminee"
        assert etablissement.synchroniser(etape, "4B").statut == "terminee"
        if i == 2:  # the school changes bilans between runs: those are read again
            app.verrouiller(uai, "4B", "T2", CHEF)
        if i == 4:
            app.verrouiller(uai, "4B", "T2", CHEF, verrouiller=False)
        assert etablissement.synchroniser(etape).statut == "terminee"
    assert etablissement.synchroniser(etapes[0]).statut == "terminee"


def test_a_change_made_by_another_process_is_seen(etablissement: Etablissement, store: Store) -> None:
    """Another process (another application on the same store) locks the bilans of 4B meanwhile: the stored
    versions moved, so this process reads those bilans again and leaves them alone (R11)."""
    ecole = etablissement.ecole
    etablissement.synchroniser(ecole)
    with Systeme(store) as autre:
        autre.app.verrouiller(etablissement.uai, "4B", "T2", CHEF)
        autre.app.verrouiller(etablissement.uai, "4B", "T1", CHEF)
    changee = v.changer_pp(ecole, "4B")
    resultat = etablissement.synchroniser(changee)
    assert resultat.statut == "terminee"
    assert resultat.compteurs["profs_principaux_ajoutes"] == 0  # every bilan of 4B is locked now


def test_a_refused_run_leaves_what_is_kept_true(etablissement: Etablissement) -> None:
    """A run refused in the middle (a name mis-decoded, SPEC §5) has changed aggregates in memory: nothing of
    them is kept, and the next runs still give the events of a run read from the store."""
    ecole = etablissement.ecole
    premier = next(e for e in ecole.eleves if e.division == "4A")
    accentuee = v.renommer_eleve(ecole, premier.eleve_id, prenoms=["Aïssata"])
    assert etablissement.synchroniser(accentuee).statut == "terminee"
    source = _source(etablissement, v.renommer_eleves(accentuee, 0.5, graine=11))
    abimee = source.model_copy(update={"eleves": tuple(
        e.model_copy(update={"prenoms": ("AÃ¯ssata",)}) if e.eleve_id == premier.eleve_id else e
        for e in source.eleves)})
    demande = DemandeSynchronisation(uai=etablissement.uai, acteur=CHEF, jour=JOUR)
    with pytest.raises(SourceEndommageeError):
        etablissement.app.synchroniser(demande, abimee)
    assert etablissement.app.synchroniser(demande, source).statut == "terminee"
    assert etablissement.synchroniser(accentuee).statut == "terminee"


def _source(etablissement: Etablissement, ecole: Any) -> SourceSnapshot:
    siecle, sts = etablissement.exports(ecole)
    return charger_exports(siecle, sts, uai_attendu=etablissement.uai)


@pytest.mark.lourd
def test_every_rule_scenario_gives_the_same_events_with_and_without_the_shortcut() -> None:
    """The rule scenarios, both stores, every run computed both ways (``LSUN_SYNCHRO_CONTROLE=1``)."""
    env = {**os.environ, synchro.CONTROLE: "1"}
    env.pop(synchro.RACCOURCI, None)
    fini = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-x", "-p", "no:cacheprovider", "tests/scenarios",
         "tests/test_synchronisation_regles.py", "tests/test_synchronisation_concurrence.py"],
        cwd=RACINE, env=env, capture_output=True, text=True, check=False)
    assert fini.returncode == 0, fini.stdout[-4000:] + fini.stderr[-2000:]
