"""The views are caught up after every save by construction (``LsunApp._notify``, the library's hook after
``save()``): what a use case saved is readable from the views at once, without ``rattraper()``; a simulation
saves nothing and catches nothing up; a failed catch-up leaves the save a success and the next save resumes;
with ``LSUN_PROJECTIONS=processus`` (PostgreSQL) the views are left to their own processes. The automatic
synchronisation's use cases go through the application: a concurrent change is the French ``ConflitError``."""

from __future__ import annotations

import logging
from datetime import date
from typing import Any
from uuid import UUID

import pytest
from eventsourcing.persistence import OperationalError

from lsun_events.aggregates.valeurs import Periode
from lsun_events.application.erreurs import ConflitError, RetenueInconnueError
from lsun_events.application.synchronisation import DemandeSynchronisation, RunInconnuError
from lsun_events.projections import rapports, requetes_audit, requetes_vue
from lsun_events.sources import records as r
from lsun_events.storage.config import Store
from lsun_events.systeme import Systeme
from tests import fabriques as f

CHEF = "Mme Principale (chef)"
T1 = Periode("T1", date(2025, 9, 1), date(2025, 11, 30))


def _positions(s: Systeme) -> dict[str, int]:
    return {nom: p.position(s.app) for nom, p in s.projecteurs.items()}


def _a_jour(s: Systeme) -> bool:
    derniere = s.app.recorder.max_notification_id() or 0
    return set(_positions(s).values()) == {derniere}


def _source_renommee() -> r.SourceSnapshot:
    source = f.snapshot()
    eleves = tuple(e.model_copy(update={"prenoms": ("Marie-Claire",)}) if e.eleve_id == "1001" else e
                   for e in source.eleves)
    return source.model_copy(update={"eleves": eleves})


def test_ce_qu_un_cas_d_usage_enregistre_se_lit_aussitot_dans_les_vues(store: Store) -> None:
    with Systeme(store) as s:
        s.app.importer(f.snapshot(), CHEF, f.JOUR)
        assert _a_jour(s)
        with s.lire("courante") as c:
            assert [(d["code"], d["eleves"]) for d in requetes_vue.divisions(c, f.UAI)] == [
                ("3B", 1), ("4A", 3), ("4B", 2)]

        s.app.parametrer_periodes(f.UAI, "4A", [T1], CHEF)
        s.app.ouvrir_bilans(f.UAI, "4A", "T1", CHEF)
        with s.lire("courante") as c:
            [division] = [d for d in requetes_vue.divisions(c, f.UAI) if d["code"] == "4A"]
            assert division["periodes"][0]["ouverte"]
            assert {b["etat"] for b in requetes_vue.bilans_de_division(c, f.UAI, "4A", "T1")} == {"en cours de saisie"}

        s.app.saisir_acquis(f.UAI, "1001", "T1", "061300", CHEF, positionnement=3)
        s.app.verrouiller(f.UAI, "4A", "T1", CHEF)
        with s.lire("courante") as c:
            [bilan] = [b for b in requetes_vue.bilans_de_division(c, f.UAI, "4A", "T1") if b["eleve_id"] == "1001"]
            assert bilan["etat"] == "verrouillé"
            assert bilan["version"] == s.app.bilan(f.UAI, "1001", "T1").version  # the acquis entered: a new version

        # A simulation saves nothing: nothing to catch up, no run in the reports.
        avant = s.app.recorder.max_notification_id()
        demande = DemandeSynchronisation(uai=f.UAI, acteur=CHEF, jour=f.JOUR, divisions=("4A",))
        simulation = s.app.synchroniser(
            DemandeSynchronisation(uai=f.UAI, acteur=CHEF, jour=f.JOUR, divisions=("4A",), simulation=True),
            _source_renommee())
        assert s.app.recorder.max_notification_id() == avant
        with s.lire("rapports") as c:
            assert rapports.run(c, str(simulation.synchronisation)) is None

        # A run: its report, its audit lines and the pupil's new name, read at once.
        resultat = s.app.synchroniser(demande, _source_renommee())
        assert _a_jour(s)
        with s.lire("rapports") as c:
            run = rapports.run(c, str(resultat.synchronisation))
            assert run is not None
            assert run["statut"] == "terminee"
            assert [m.texte for m in rapports.messages_du_run(c, str(resultat.synchronisation))] == [
                m.texte for m in resultat.messages]
        with s.lire("courante") as c:
            [bilan] = [b for b in requetes_vue.bilans_de_division(c, f.UAI, "4A", "T1") if b["eleve_id"] == "1001"]
            assert bilan["eleve"].startswith("Marie-Claire ")
        with s.lire("audit") as c:
            page = requetes_audit.par_synchronisation(c, str(resultat.synchronisation), uai=f.UAI, limite=100)
            assert "EleveMisAJour" in {x.evenement for x in page.lignes}


def test_une_synchronisation_rattrape_les_vues_une_fois_apres_son_verrou(store: Store) -> None:
    with Systeme(store) as s:
        s.app.importer(f.snapshot(), CHEF, f.JOUR)
        appels: list[bool] = []
        rattraper = s.app.apres_enregistrement
        assert rattraper is not None

        def compter() -> None:
            appels.append(True)
            rattraper()

        s.app.apres_enregistrement = compter
        s.app.synchroniser(DemandeSynchronisation(uai=f.UAI, acteur=CHEF, jour=f.JOUR, simulation=True),
                           _source_renommee())
        assert appels == []
        s.app.synchroniser(DemandeSynchronisation(uai=f.UAI, acteur=CHEF, jour=f.JOUR), _source_renommee())
        assert appels == [True]
        assert _a_jour(s)


def test_un_rattrapage_en_echec_ne_fait_pas_echouer_l_enregistrement(store: Store, monkeypatch: pytest.MonkeyPatch,
                                                                     caplog: pytest.LogCaptureFixture) -> None:
    with Systeme(store) as s:
        vue = s.projecteurs["courante"].vue

        def panne(*_: Any, **__: Any) -> bool:
            raise OperationalError("database is locked")

        monkeypatch.setattr(vue, "appliquer_page", panne)
        with caplog.at_level(logging.WARNING, logger="lsun_events.projections"):
            compte = s.app.importer(f.snapshot(), CHEF, f.JOUR)  # saved: no error for the user
        assert compte["eleves"] == 6
        assert "Vues non rattrapées après l'enregistrement" in caplog.text
        assert _positions(s)["courante"] == 0
        monkeypatch.undo()

        s.app.parametrer_periodes(f.UAI, "4A", [T1], CHEF)  # the next save resumes from the view's position
        assert _a_jour(s)
        with s.lire("courante") as c:
            assert len(requetes_vue.divisions(c, f.UAI)) == 3


@pytest.mark.postgres
def test_en_processus_les_vues_sont_laissees_a_leurs_processus(store_postgresql: Store,
                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LSUN_PROJECTIONS", "processus")
    with Systeme(store_postgresql) as s:
        s.app.importer(f.snapshot(), CHEF, f.JOUR)
        assert set(_positions(s).values()) == {0}


def test_la_synchronisation_automatique_passe_par_l_application(store: Store, monkeypatch: pytest.MonkeyPatch
                                                               ) -> None:
    """Settings, held runs and the chef's decision are use cases of the application: the views follow them,
    and a concurrent change ends in ``ConflitError`` (French), not in the library's ``IntegrityError``."""
    with Systeme(store) as s:
        s.app.importer(f.snapshot(), CHEF, f.JOUR)
        perimees: dict[UUID, Any] = {}
        lire = s.app._get

        def lire_perime(aggregate_id: UUID, version: int | None = None) -> Any:
            return perimees[aggregate_id] if aggregate_id in perimees else lire(aggregate_id, version)

        etab = s.app.etablissement(f.UAI)
        parametres = s.app.parametrer_automatique(f.UAI, CHEF, active=True, adresse_s3e="https://s3e.invalid")
        assert (parametres.active, parametres.intervalle_minutes) == (True, 15)
        # Turned off: the address is kept.
        assert s.app.parametrer_automatique(f.UAI, CHEF, active=False).adresse_s3e == "https://s3e.invalid"
        assert _a_jour(s)
        perimees[etab.id] = etab  # read before the two changes above
        monkeypatch.setattr(s.app, "_get", lire_perime)
        with pytest.raises(ConflitError):
            s.app.parametrer_automatique(f.UAI, "quelqu'un d'autre", active=True, adresse_s3e="https://s3e.invalid",
                                        intervalle_minutes=30)
        perimees.clear()

        demande = DemandeSynchronisation(uai=f.UAI, acteur="synchronisation automatique", jour=f.JOUR,
                                         automatique=True)
        retenue = s.app.retenir(demande, _source_renommee(), ["4A", "4B", "3B"], "La division 4A perd ses élèves.")
        with s.lire("rapports") as c:
            run = rapports.run(c, str(retenue))
            assert run is not None
            assert run["statut"] == "retenue"
        lue_avant = lire(retenue)
        s.app.abandonner_retenue(str(retenue), CHEF)
        perimees[retenue] = lue_avant
        with pytest.raises(ConflitError):  # a second chef, on the page read before: French, nothing saved
            s.app.abandonner_retenue(str(retenue), "un autre chef")
        perimees.clear()
        with pytest.raises(RetenueInconnueError):  # abandoned: no longer held
            s.app.appliquer_retenue(str(retenue), _source_renommee(), CHEF, f.JOUR)
        with pytest.raises(RunInconnuError):
            s.app.abandonner_retenue("pas-un-identifiant", CHEF)

        autre = s.app.retenir(demande, _source_renommee(), ["4A", "4B", "3B"], "Source suspecte.")
        resultat = s.app.appliquer_retenue(str(autre), _source_renommee(), CHEF, f.JOUR)
        assert _a_jour(s)
        with s.lire("rapports") as c:
            statuts = {x: (rapports.run(c, str(x)) or {}).get("statut") for x in (retenue, autre,
                                                                                    resultat.synchronisation)}
        assert statuts == {retenue: "abandonnee", autre: "appliquee", resultat.synchronisation: "terminee"}
