"""Guards of the domain: a run ends once, a too-long appreciation has its own error, a teacher's key read back."""

from __future__ import annotations

from datetime import date

import pytest
from eventsourcing.domain import Aggregate

from lsun_events.aggregates.base import contexte
from lsun_events.aggregates.bilan import APPRECIATION_MAX, Bilan
from lsun_events.aggregates.erreurs import (
    AppreciationTropLongueError,
    PositionnementInvalideError,
    SynchronisationCloseError,
)
from lsun_events.aggregates.synchronisation import StatutSynchronisation, Synchronisation
from lsun_events.aggregates.valeurs import Acquis, DescriptionSource, Periode, RefEnseignant

PERIODE = Periode("T1", date(2025, 9, 1), date(2025, 11, 30))


def _run() -> Synchronisation:
    run_id = Synchronisation.nouvel_id()
    with contexte("M. Test", run_id):
        return Synchronisation(run_id, "0999001X", ["4A"], False, DescriptionSource("fichiers", "e"),
                               date(2025, 10, 1), False)


def _rejouer(run: Synchronisation) -> Synchronisation:
    """The run rebuilt from its events, as the store does."""
    etat: Aggregate | None = None
    for e in run.collect_events():
        etat = e.mutate(etat)
    assert isinstance(etat, Synchronisation)
    return etat


@pytest.mark.parametrize("issue", ["terminer", "echouer", "retenir"])
def test_une_synchronisation_close_ne_change_plus_d_issue(issue: str) -> None:
    for premiere in ("terminer", "echouer", "retenir"):
        run = _run()
        with contexte("M. Test", run.id):
            getattr(run, premiere)({} if premiere == "terminer" else "raison")
            with pytest.raises(SynchronisationCloseError, match="déjà close"):
                getattr(run, issue)({} if issue == "terminer" else "autre raison")


def test_le_statut_d_un_run_rejoue_est_celui_enregistre() -> None:
    run = _run()
    assert run.statut is StatutSynchronisation.EN_COURS
    with contexte("M. Test", run.id):
        run.retenir("trop d'élèves sortants")
        run.abandonner()
    rejoue = _rejouer(run)
    assert rejoue.statut is StatutSynchronisation.ABANDONNEE
    assert rejoue.statut == "abandonnee"  # the text the views and pages show


def test_une_appreciation_trop_longue_a_sa_propre_erreur() -> None:
    with contexte("M. Test"):
        bilan = Bilan("0999001X", "1001", "d", "4A", PERIODE, [], [Acquis("061300", "MATHEMATIQUES")])
        with pytest.raises(AppreciationTropLongueError, match=f"{APPRECIATION_MAX} caractères"):
            bilan.saisir_acquis("061300", None, "x" * (APPRECIATION_MAX + 1))
        with pytest.raises(PositionnementInvalideError):
            bilan.saisir_acquis("061300", 5, None)
        bilan.saisir_acquis("061300", 2, "x" * APPRECIATION_MAX)
    assert bilan.acquis["061300"].positionnement == 2


def test_la_cle_d_un_enseignant_se_relit() -> None:
    ref = RefEnseignant("epp", "48:213")
    assert RefEnseignant.depuis_cle(ref.cle) == ref
    with pytest.raises(ValueError, match="TYPE:ID"):
        RefEnseignant.depuis_cle("48213")
