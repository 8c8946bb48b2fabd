"""A bilan or a pupil changed by someone else while a run computes: the run recomputes once (and the
newly locked bilan stays frozen), then fails cleanly with a French message and a "failed" record."""

from __future__ import annotations

from datetime import date

import pytest

from lsun_events.aggregates.valeurs import Periode, RefEnseignant
from lsun_events.application.erreurs import ConflitError
from lsun_events.application.synchronisation import DemandeSynchronisation
from lsun_events.projections import rapports
from lsun_events.sources import records as r
from lsun_events.storage.config import Store
from lsun_events.storage.verrous import SynchronisationEnCoursError, verrou_etablissement
from lsun_events.systeme import Systeme
from tests import fabriques as f

CHEF = "Mme Principale"


@pytest.fixture
def systeme(store: Store) -> Systeme:
    s = Systeme(store)
    s.app.importer(f.snapshot(), CHEF, f.JOUR)
    s.app.parametrer_periodes(f.UAI, "4A", [Periode("T1", date(2025, 9, 1), date(2025, 11, 30))], CHEF)
    s.app.ouvrir_bilans(f.UAI, "4A", "T1", CHEF)
    yield s
    s.fermer()


def nouveau_pp() -> r.SourceSnapshot:
    source = f.snapshot()
    return source.model_copy(update={"profs_principaux": (
        r.ProfPrincipalSource(division="4A", enseignant=f.ref("103")), source.profs_principaux[1])})


def test_bilan_verrouille_pendant_le_calcul_la_synchronisation_recalcule(systeme: Systeme, store: Store) -> None:
    autre = Systeme(store)  # the chef, in another process, locks a bilan while the run computes
    appels = []

    def progression(fait: int, total: int) -> None:
        if not appels:
            autre.app.verrouiller(f.UAI, "4A", "T1", "M. le Principal adjoint", eleve_id="1002")
        appels.append(fait)

    demande = DemandeSynchronisation(uai=f.UAI, acteur=CHEF, jour=f.JOUR, divisions=("4A",))
    resultat = systeme.app.synchroniser(demande, nouveau_pp(), progression)
    autre.fermer()

    assert resultat.statut == "terminee"
    assert len(appels) == 2  # computed twice
    assert "Léon N'DIAYE" not in " ".join(m.texte for m in resultat.messages)
    assert systeme.app.bilan(f.UAI, "1002", "T1").profs_principaux == (RefEnseignant("epp", "102"),)
    assert systeme.app.bilan(f.UAI, "1001", "T1").profs_principaux == (RefEnseignant("epp", "103"),)


def test_conflits_repetes_echec_propre_et_trace(systeme: Systeme, store: Store) -> None:
    autre = Systeme(store)
    notes_saisies = iter([2, 3])

    def progression(fait: int, total: int) -> None:  # a teacher keeps typing in the same bilan
        autre.app.saisir_acquis(f.UAI, "1001", "T1", "061300", "M. Richard", positionnement=next(notes_saisies))

    avant = systeme.app.recorder.max_notification_id()
    demande = DemandeSynchronisation(uai=f.UAI, acteur=CHEF, jour=f.JOUR, divisions=("4A",))
    with pytest.raises(ConflitError, match="modifiés pendant la synchronisation, deux fois de suite"):
        systeme.app.synchroniser(demande, nouveau_pp(), progression)
    autre.fermer()

    # Only the two changes of the other user and the failed-run record were appended.
    notes = systeme.app.recorder.select_notifications(start=avant, limit=100, inclusive_of_start=False)
    evenements = [systeme.app.mapper.to_domain_event(n) for n in notes]
    assert sorted(type(e).__name__ for e in evenements) == [
        "AcquisSaisi", "AcquisSaisi", "SynchronisationDemarree", "SynchronisationEchouee"]
    assert systeme.app.bilan(f.UAI, "1002", "T1").profs_principaux == (RefEnseignant("epp", "102"),)
    systeme.rattraper()
    with systeme.lire("rapports") as c:
        [dernier, *_] = rapports.runs(c, f.UAI)
    assert dernier["statut"] == "echouee"
    assert "deux fois de suite" in dernier["raison"]


def test_une_seule_synchronisation_a_la_fois_par_etablissement(systeme: Systeme, store: Store) -> None:
    demande = DemandeSynchronisation(uai=f.UAI, acteur=CHEF, jour=f.JOUR, divisions=("4A",))
    avant = systeme.app.recorder.max_notification_id()
    with verrou_etablissement(store, f.UAI):  # another run of the same school is under way
        with pytest.raises(SynchronisationEnCoursError, match="Une synchronisation de l'établissement 0999001X est déjà en cours"):
            systeme.app.synchroniser(demande, nouveau_pp(), attente=0.3)
        assert systeme.app.recorder.max_notification_id() == avant
        # A simulation is read-only: it does not wait.
        assert systeme.app.synchroniser(DemandeSynchronisation(uai=f.UAI, acteur=CHEF, jour=f.JOUR, divisions=("4A",),
                                                               simulation=True), nouveau_pp()).statut == "simulation"
        # Another school is not blocked.
        with verrou_etablissement(store, "0999002Y", attente=0.3):
            pass
    assert systeme.app.synchroniser(demande, nouveau_pp(), attente=0.3).statut == "terminee"
