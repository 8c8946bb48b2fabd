"""The core scenario on a real SQLite file and on PostgreSQL: build a school, configure periods,
open bilans, enter acquis, lock, and try to change a locked bilan."""

from __future__ import annotations

from datetime import date

import pytest

from lsun_events.aggregates.bilan import Bilan
from lsun_events.aggregates.erreurs import BilanVerrouilleError, PeriodeInvalideError
from lsun_events.aggregates.etablissement import Etablissement
from lsun_events.aggregates.valeurs import EtatBilan, Periode, RefEnseignant
from lsun_events.application.app import LsunApp
from lsun_events.application.erreurs import (
    DivisionInconnueError,
    EtablissementDejaImporteError,
    PeriodeNonParametreeError,
)
from tests import fabriques as f

T1 = Periode("T1", date(2025, 9, 1), date(2025, 11, 30))
T2 = Periode("T2", date(2025, 12, 1), date(2026, 3, 1))
T3 = Periode("T3", date(2026, 3, 2), date(2026, 7, 4))


def _ecole(app: LsunApp) -> None:
    app.importer(f.snapshot(), "Mme Principale", f.JOUR)
    app.parametrer_periodes(f.UAI, "4A", [T1, T2, T3], "Mme Principale")


def test_importer_un_etablissement(app: LsunApp) -> None:
    compte = app.importer(f.snapshot(), "Mme Principale", f.JOUR)

    assert compte == {"divisions": 3, "groupes": 1, "eleves": 6, "enseignants": 4}
    etab = app.etablissement(f.UAI)
    assert etab.infos.nom == "COLLEGE DES EXEMPLES"
    assert sorted(etab.divisions) == ["3B", "4A", "4B"]
    quatre_a = app.division(etab, "4A")
    assert quatre_a.eleves == ["1001", "1002", "1003"]
    assert quatre_a.profs_principaux == (RefEnseignant("epp", "102"),)
    eleve = app.eleve(f.UAI, "1002")
    assert eleve.identite.prenoms == ("Léon", "Noël")
    assert eleve.identite.nom_affiche == "Léon N'DIAYE"
    assert eleve.identite.responsables[0].adresse.lignes == ("1 rue de l'Exemple",)
    assert eleve.scolarite.division == "4A"

    # A second import of the same school is refused, nothing saved.
    avant = app.recorder.max_notification_id()
    with pytest.raises(EtablissementDejaImporteError):
        app.importer(f.snapshot(), "Mme Principale", f.JOUR)
    assert app.recorder.max_notification_id() == avant


def test_parcours_complet_des_bilans(app: LsunApp) -> None:
    _ecole(app)

    # Open the T1 bilans of 4A: one per pupil, acquis from the division's and groups' services.
    assert app.ouvrir_bilans(f.UAI, "4A", "T1", "Mme Principale") == {"bilans": 3}
    bilan = app.bilan(f.UAI, "1001", "T1")
    assert bilan.etat == EtatBilan.EN_COURS
    assert bilan.division == "4A"
    assert bilan.profs_principaux == (RefEnseignant("epp", "102"),)
    assert sorted(bilan.acquis) == ["020300", "020700", "061300"]  # latin through the 4LAT group
    assert bilan.acquis["061300"].enseignants == (RefEnseignant("epp", "101"),)
    assert "020300" not in app.bilan(f.UAI, "1002", "T1").acquis  # not in the Latin group

    # Opening again changes nothing.
    assert app.ouvrir_bilans(f.UAI, "4A", "T1", "Mme Principale") == {"bilans": 0}

    # Enter an acquis, lock, and a locked bilan refuses any change.
    app.saisir_acquis(f.UAI, "1001", "T1", "061300", "M. Richard", positionnement=3, appreciation="Bon travail.")
    assert app.verrouiller(f.UAI, "4A", "T1", "Mme Principale", eleve_id="1001") == {"bilans": 1}
    avant = app.recorder.max_notification_id()
    with pytest.raises(BilanVerrouilleError):
        app.saisir_acquis(f.UAI, "1001", "T1", "061300", "M. Richard", positionnement=1)
    assert app.recorder.max_notification_id() == avant
    verrouille = app.bilan(f.UAI, "1001", "T1")
    assert verrouille.verrouille
    assert verrouille.acquis["061300"].positionnement == 3
    assert verrouille.acquis["061300"].appreciation == "Bon travail."

    # Unlock, change, the history holds every version.
    app.verrouiller(f.UAI, "4A", "T1", "Mme Principale", eleve_id="1001", verrouiller=False)
    app.saisir_acquis(f.UAI, "1001", "T1", "061300", "M. Richard", positionnement=4)
    actuel = app.bilan(f.UAI, "1001", "T1")
    assert actuel.acquis["061300"].positionnement == 4
    v2 = app.repository.get(actuel.id, version=2)
    assert v2.acquis["061300"].positionnement == 3
    assert not v2.verrouille
    v3 = app.repository.get(actuel.id, version=3)
    assert v3.verrouille
    evenements = app.historique(actuel.id)
    assert [type(e).__name__ for e in evenements] == [
        "BilanOuvert", "AcquisSaisi", "BilanVerrouille", "BilanDeverrouille", "AcquisSaisi"]
    assert [e.acteur for e in evenements] == [
        "Mme Principale", "M. Richard", "Mme Principale", "Mme Principale", "M. Richard"]


def test_chaque_evenement_stocke_nomme_son_acteur(app: LsunApp) -> None:
    _ecole(app)
    app.ouvrir_bilans(f.UAI, "4A", "T1", "Mme Principale")
    app.verrouiller(f.UAI, "4A", "T1", "Mme Principale")

    notifications = app.recorder.select_notifications(start=None, limit=10_000)
    assert len(notifications) > 20
    for n in notifications:
        evenement = app.mapper.to_domain_event(n)
        assert evenement.acteur, n.topic
        assert n.topic.startswith("lsun:"), n.topic


def test_erreurs_des_cas_d_usage_rien_n_est_enregistre(app: LsunApp) -> None:
    _ecole(app)
    avant = app.recorder.max_notification_id()

    with pytest.raises(DivisionInconnueError, match="« 5Z » n'existe pas"):
        app.ouvrir_bilans(f.UAI, "5Z", "T1", "Mme Principale")
    with pytest.raises(PeriodeNonParametreeError, match="« S1 » n'est pas paramétrée pour la division 4A"):
        app.ouvrir_bilans(f.UAI, "4A", "S1", "Mme Principale")
    with pytest.raises(PeriodeNonParametreeError, match="aucune période n'est paramétrée"):
        app.ouvrir_bilans(f.UAI, "3B", "T1", "Mme Principale")
    with pytest.raises(PeriodeInvalideError, match="se chevauchent"):
        app.parametrer_periodes(f.UAI, "4B", [T1, Periode("T2", date(2025, 11, 1), date(2026, 2, 1))], "Mme P")
    assert app.recorder.max_notification_id() == avant


def test_identifiants_deterministes_depuis_les_cles_naturelles(app: LsunApp) -> None:
    _ecole(app)
    etab = app.etablissement(f.UAI)
    assert etab.id == Etablissement.id_pour("0999001x")
    division = app.division(etab, "4A")
    bilan_id = Bilan.id_pour(f.UAI, "1001", division.id, "T1")
    app.ouvrir_bilans(f.UAI, "4A", "T1", "Mme Principale")
    assert bilan_id in app.repository
