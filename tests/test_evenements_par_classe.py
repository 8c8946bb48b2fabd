"""Events are read by class, never by their Python name: every event class of the aggregates is listed under its
stable name, has an explicit « lsun: » topic equal to that name, and has its handler wherever one is required (the
report, the run's counts and row, the audit, the current view, a bilan's history). A class renamed in Python still
gives the same messages, counts and stored names."""

from __future__ import annotations

import inspect
from collections.abc import Callable
from typing import Any

import pytest
from eventsourcing.utils import get_topic

from lsun_events.aggregates import evenements
from lsun_events.aggregates.bilan import Bilan
from lsun_events.aggregates.evenements import EVENEMENTS, EVENEMENTS_DU_RUN, NOMS
from lsun_events.aggregates.synchronisation import Synchronisation
from lsun_events.application.app import ouvrir_application
from lsun_events.interfaces.web import evenements_fr
from lsun_events.projections import audit, rapports, vue_courante
from lsun_events.regles import messages
from lsun_events.regles.synchronisation import COMPTEURS, compter
from lsun_events.storage.config import Store
from tests.test_evenements import _tout_declencher, classes_d_evenements

CLASSES = set(EVENEMENTS)


def test_le_module_des_evenements_liste_chaque_classe_des_agregats_sous_son_nom_stable() -> None:
    assert len(EVENEMENTS) == len(CLASSES)
    assert {c for c in classes_d_evenements() if c.__name__ != "Created"} == CLASSES
    for classe in EVENEMENTS:
        assert getattr(evenements, NOMS[classe]) is classe
    assert set(EVENEMENTS_DU_RUN) == {c for c in EVENEMENTS if issubclass(c, Synchronisation.Event)}


def test_chaque_classe_a_un_topic_lsun_explicite_egal_a_son_nom_stocke(tmp_path) -> None:
    for classe in EVENEMENTS:
        topic = classe.__dict__.get("TOPIC")  # on the class itself, not inherited
        assert topic == f"lsun:{NOMS[classe]}", classe
        assert get_topic(classe) == topic
        assert classe.__module__ not in topic  # moving code never renames history
    assert len(set(NOMS.values())) == len(NOMS)
    # What the store really records: « lsun: » + the stored name, for every event.
    app = ouvrir_application(Store.depuis_url(f"sqlite:///{tmp_path / 'e.sqlite'}"))
    try:
        agregats = _tout_declencher()
        app.save(*agregats)
        notes = app.recorder.select_notifications(start=None, limit=1000)
        assert {n.topic for n in notes} == {f"lsun:{nom}" for nom in NOMS.values()}
        assert all(n.topic == f"lsun:{evenements.nom(app.mapper.to_domain_event(n))}" for n in notes)
    finally:
        app.close()


def test_chaque_evenement_a_son_traitement_la_ou_il_en_faut_un() -> None:
    # The report (M1–M12): every event gives its elements or is listed as giving none.
    assert set(messages.ELEMENTS) | set(messages.SANS_ELEMENT) == CLASSES
    assert not set(messages.ELEMENTS) & set(messages.SANS_ELEMENT)
    assert len(messages.SANS_ELEMENT) == len(set(messages.SANS_ELEMENT))
    # The message list: the run's own events change its row, its warnings are report elements; it reads them all.
    assert set(rapports.RUNS) | {evenements.AvertissementEmis} == set(EVENEMENTS_DU_RUN)
    assert evenements.AvertissementEmis in messages.ELEMENTS
    assert set(rapports.TOPICS) == {c.TOPIC for c in (*EVENEMENTS_DU_RUN, *messages.ELEMENTS)}
    # The audit lists every event; the current view handles or deliberately ignores each.
    assert set(audit.GESTIONNAIRES) == CLASSES
    assert set(vue_courante.GESTIONNAIRES) | set(vue_courante.IGNORES) == CLASSES
    # A bilan's history names every event of a bilan in French (the labels of all events), with its details.
    du_bilan = {c for c in EVENEMENTS if issubclass(c, Bilan.Event)}
    assert set(evenements_fr.DETAILS) == du_bilan - {evenements.BilanVerrouille, evenements.BilanDeverrouille}
    assert all(evenements_fr.libelle(object.__new__(c)) != NOMS[c] for c in du_bilan)
    # The run's counts name classes of events.
    assert set(COMPTEURS.values()) <= CLASSES


def _classes_annoncees(fonction: Callable[..., Any]) -> set[type] | None:
    """The classes a handler's ``e`` parameter is annotated with (None: ``Any``, a handler shared on purpose)."""
    annotation = inspect.signature(fonction).parameters["e"].annotation
    valeur = eval(annotation, fonction.__globals__) if isinstance(annotation, str) else annotation
    if valeur is Any:
        return None
    return set(getattr(valeur, "__args__", (valeur,)))


@pytest.mark.parametrize("registre", [
    {c: g[2] for c, g in vue_courante.GESTIONNAIRES.items() if g[2] is not None},
    audit.GESTIONNAIRES, messages.ELEMENTS, rapports.RUNS, evenements_fr.DETAILS,
], ids=["courante", "audit", "messages", "rapports", "historique"])
def test_chaque_traitement_est_annote_de_la_classe_qui_le_declenche(registre: dict[type, Callable[..., Any]]) -> None:
    for classe, fonction in registre.items():
        annoncees = _classes_annoncees(fonction)
        assert annoncees is None or classe in annoncees, (classe, fonction)


def test_une_classe_renommee_en_python_garde_ses_messages_ses_comptes_et_son_nom_stocke() -> None:
    [eleve] = [a for a in _tout_declencher() if type(a).__name__ == "Eleve"]
    [mise_a_jour] = [e for e in eleve.pending_events if isinstance(e, evenements.EleveMisAJour)]
    classe = evenements.EleveMisAJour
    noms = classe.__name__, classe.__qualname__
    classe.__name__, classe.__qualname__ = "EleveModifie", "Eleve.EleveModifie"
    try:
        assert [el.code for el in messages.elements(mise_a_jour)] == ["M2"]
        assert compter([mise_a_jour])["eleves_mis_a_jour"] == 1
        assert evenements.nom(mise_a_jour) == "EleveMisAJour"
    finally:
        classe.__name__, classe.__qualname__ = noms
