"""Concurrency between processes, on PostgreSQL (production): runs of one school are serialised by an advisory
lock (``lsun_events.storage.verrous``), a bilan locked by the chef while a run computes stays frozen, and ten schools
synchronised at once by ten processes each end as if alone. Every run is a real ``lsun-events`` process."""

from __future__ import annotations

import json
import re
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pytest

from lsun_events.application.synchronisation import DemandeSynchronisation
from lsun_events.generateur.ecriture import Exports
from lsun_events.generateur.modele import Ecole
from lsun_events.sources.snapshot import charger_exports
from lsun_events.storage.config import Store
from lsun_events.systeme import Systeme
from tests.fiabilite import outils as o

pytestmark = pytest.mark.postgres


@dataclass
class College:
    store: Store
    ecole: Ecole
    exports: Exports
    depart: int
    reference: o.Etat  # one clean run, on a copy


@pytest.fixture(scope="module")
def fourche(tmp_path_factory: pytest.TempPathFactory) -> Iterator[o.Fourche]:
    with o.fourche(tmp_path_factory.mktemp("fourche")) as f:
        yield f


@pytest.fixture
def college(store_postgresql: Store, tmp_path: Path, fourche: o.Fourche) -> Iterator[College]:
    ecole, variante = o.ecole_et_variante("mini")
    o.preparer(store_postgresql, ecole, tmp_path / "rentree")
    exports = o.ecrire(variante, tmp_path / "novembre")
    depart = o.position(store_postgresql)
    with o.stores_temporaires() as stores:
        copie = o.copier(store_postgresql, tmp_path / "copie")
        stores.append(copie)
        fait = fourche.lancer(*o.args_synchroniser(copie, ecole.uai, exports))
        assert fait.code == 0, fait.erreur
        reference = o.etat(copie, depart)
    yield College(store_postgresql, ecole, exports, depart, reference)


def vivant(pid: int) -> bool:
    try:
        etat = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except FileNotFoundError:
        return False
    return etat != "Z"


def attendre_fichier(chemin: Path, pid: int, limite: float = 30) -> None:
    fin = time.monotonic() + limite
    while not chemin.exists():
        assert vivant(pid), f"process {pid} ended before creating {chemin}"
        assert time.monotonic() < fin, f"{chemin} never created"
        time.sleep(0.02)


def verifier_une_seule_application(college: College, final: o.Etat) -> None:
    """The entity events of exactly one run (none lost, none twice), and a second run that changed nothing."""
    assert final.evenements == college.reference.evenements
    assert final.vues == college.reference.vues
    premier, second = final.runs
    assert premier.messages == college.reference.runs[0].messages
    assert second.messages == o.sans_infos(college.reference.runs[0].messages)


def test_deux_synchronisations_lancees_ensemble_l_une_attend_l_autre(college: College, fourche: o.Fourche) -> None:
    args = o.args_synchroniser(college.store, college.ecole.uai, college.exports)
    debut = time.monotonic()
    a, b = fourche.demarrer(*args), fourche.demarrer(*args)
    a, b = fourche.attendre(a), fourche.attendre(b)
    assert (a.code, b.code) == (0, 0), a.erreur + b.erreur
    final = o.etat(college.store, college.depart)
    verifier_une_seule_application(college, final)
    # Serialised: the second run started (its first event) after the first one was saved (its last event).
    with Systeme(college.store) as s:
        notes = s.app.recorder.select_notifications(start=college.depart, limit=10_000, inclusive_of_start=False)
        evenements = [s.app.mapper.to_domain_event(n) for n in notes]
    demarrees = [e for e in evenements if type(e).__name__ == "SynchronisationDemarree"]
    terminees = [e for e in evenements if type(e).__name__ == "SynchronisationTerminee"]
    assert terminees[0].timestamp <= demarrees[1].timestamp
    print(f"\ndeux synchronisations du même collège lancées ensemble : {time.monotonic() - debut:.2f} s, "
          f"{len(final.evenements)} événements d'entités une seule fois")


def test_la_seconde_attend_le_verrou_puis_s_applique_ou_echoue_en_francais(college: College, fourche: o.Fourche,
                                                                              tmp_path: Path) -> None:
    args = o.args_synchroniser(college.store, college.ecole.uai, college.exports)
    pause = tmp_path / "pause"
    a = fourche.demarrer(*args, LSUN_TEST_PAUSE=str(pause))  # holds the school's lock, paused before its save
    attendre_fichier(pause.with_name("pause.attente"), a)

    # A second run with a short wait fails with the French message, saving nothing.
    fait = fourche.lancer(*args, LSUN_TEST_ATTENTE_S="0.5")
    assert fait.code == 1
    assert (f"Erreur : Une synchronisation de l'établissement {college.ecole.uai} est déjà en cours "
            "(attente de 0.5 s dépassée) : rien n'a été fait.") in fait.erreur
    assert "Traceback" not in fait.erreur
    assert o.position(college.store) == college.depart

    # A second run with the default wait waits for the first one, then applies nothing twice.
    b = fourche.demarrer(*args)
    time.sleep(2.0)
    assert vivant(b), "the second run must be waiting for the lock"
    assert o.position(college.store) == college.depart
    libere = time.monotonic()
    pause.with_name("pause.reprise").touch()
    a, b = fourche.attendre(a), fourche.attendre(b)
    assert (a.code, b.code) == (0, 0), a.erreur + b.erreur
    assert json.loads(b.sortie)["statut"] == "terminee"
    verifier_une_seule_application(college, o.etat(college.store, college.depart))
    print(f"\nverrou : seconde synchronisation bloquée 2 s puis terminée {time.monotonic() - libere:.2f} s "
          "après la libération")


def test_bilan_verrouille_par_un_autre_processus_pendant_le_calcul(college: College, fourche: o.Fourche,
                                                                    tmp_path: Path) -> None:
    division = college.ecole.divisions[1].code  # a new PP in the source; its T1 bilans are not locked
    with Systeme(college.store) as s:
        etab = s.app.etablissement(college.ecole.uai)
        eleves = sorted(s.app.division(etab, division).eleves)
        fige = s.app.bilan(college.ecole.uai, eleves[0], "T1")
        libre = s.app.bilan(college.ecole.uai, eleves[1], "T1")
    pause = tmp_path / "pause"
    run = fourche.demarrer(*o.args_synchroniser(college.store, college.ecole.uai, college.exports),
                           LSUN_TEST_PAUSE=str(pause))
    attendre_fichier(pause.with_name("pause.attente"), run)  # computed, not saved
    chef = fourche.lancer("bilans", "verrouiller", "--uai", college.ecole.uai, "--division", division,
                          "--periode", "T1", "--eleve", eleves[0], "--store", college.store.url)
    assert chef.code == 0, chef.erreur
    pause.with_name("pause.reprise").touch()
    fait = fourche.attendre(run)
    assert fait.code == 0, fait.erreur
    assert json.loads(fait.sortie)["statut"] == "terminee"
    assert len(re.findall(r"Élèves traités : (\d+) / \1\n", fait.erreur)) == 2  # computed twice

    with Systeme(college.store) as s:
        apres_fige = s.app.historique(fige.id)[fige.version:]
        apres_libre = s.app.historique(libre.id)[libre.version:]
        assert [type(e).__name__ for e in apres_fige] == ["BilanVerrouille"]  # the chef's lock, nothing else
        assert s.app.bilan(college.ecole.uai, eleves[0], "T1").profs_principaux == fige.profs_principaux
        assert "ProfPrincipalAjoute" in {type(e).__name__ for e in apres_libre}
        assert s.app.bilan(college.ecole.uai, eleves[1], "T1").profs_principaux != libre.profs_principaux


UAIS = tuple(f"09990{i:02d}{'ABCDEFGHJK'[i]}" for i in range(10))


def test_dix_etablissements_synchronises_par_dix_processus_a_la_fois(store_postgresql: Store, store_sqlite: Store,
                                                                      fourche: o.Fourche, tmp_path: Path) -> None:
    ecoles = {uai: o.ecole_et_variante("mini", uai=uai, graine=i) for i, uai in enumerate(UAIS)}
    exports = {uai: o.ecrire(variante, tmp_path / uai / "novembre") for uai, (_, variante) in ecoles.items()}
    for uai, (ecole, _) in ecoles.items():
        o.preparer(store_postgresql, ecole, tmp_path / uai / "rentree")
        o.preparer(store_sqlite, ecole, tmp_path / uai / "rentree")
    depart = o.position(store_postgresql)

    # Each run alone, one after the other (on SQLite, in this process): the reference.
    seuls: dict[str, dict[str, object]] = {}
    with Systeme(store_sqlite) as s:
        depart_seuls = s.app.recorder.max_notification_id() or 0
        for uai in UAIS:
            source = charger_exports(exports[uai].siecle_zip, exports[uai].sts, uai_attendu=uai)
            resultat = s.app.synchroniser(DemandeSynchronisation(uai=uai, acteur=o.CHEF, jour=date.today()), source)
            seuls[uai] = {k: x for k, x in resultat.en_dict().items() if k != "synchronisation"}
    reference = o.evenements_depuis(store_sqlite, depart_seuls)[0]

    debut = time.monotonic()
    pids = {uai: fourche.demarrer(*o.args_synchroniser(store_postgresql, uai, exports[uai])) for uai in UAIS}
    faits = {uai: fourche.attendre(pid) for uai, pid in pids.items()}
    duree = time.monotonic() - debut
    for uai, fait in faits.items():
        assert fait.code == 0, fait.erreur
        resultat = json.loads(fait.sortie)
        assert resultat["statut"] == "terminee"
        assert {k: x for k, x in resultat.items() if k != "synchronisation"} == seuls[uai], uai

    evenements = o.evenements_depuis(store_postgresql, depart)[0]
    assert sorted(evenements) == sorted(reference)  # the same events, none lost, none twice
    suivies = o.etat(store_postgresql, depart).vues  # caught up by ten processes at once (and what is left)
    with Systeme(store_postgresql) as s:
        for projecteur in s.projecteurs.values():
            projecteur.reconstruire(s.app)
    assert o.etat(store_postgresql, depart, rattraper=False).vues == suivies
    print(f"\ndix établissements par dix processus : {duree:.2f} s, {len(evenements)} événements d'entités")
