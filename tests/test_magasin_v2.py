"""Un magasin écrit par le code d'avant le codec compilé (commit 47ac79b, tests/fixtures/magasin_v2/ : JSON à
enveloppes, événements sans leurs anciennes valeurs) se relit, reconstruit des vues identiques et se synchronise
comme l'ancien code l'a fait, sur SQLite et sur PostgreSQL (issue 18).

Les événements de ``evenements.jsonl`` sont réinsérés tels quels (mêmes octets) dans un stockage neuf et les vues
reconstruites depuis eux : le journal d'audit entier, les messages de chaque synchronisation, les divisions et
bilans de la vue courante sont ceux que l'ancien code montrait. Puis la troisième série d'exports est synchronisée
par le code actuel (qui écrit au nouveau format) : les mêmes événements que l'ancien code a écrits (les champs
ajoutés depuis mis à part), et les mêmes lignes d'audit — calculées cette fois depuis les anciennes valeurs que les
nouveaux événements portent, sans le miroir des agrégats."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import date
from enum import Enum
from pathlib import Path
from typing import Any
from uuid import UUID

import pytest

from lsun_events.aggregates.evenements import nom
from lsun_events.aggregates.valeurs import Valeur
from lsun_events.application.synchronisation import DemandeSynchronisation, ResultatSynchronisation
from lsun_events.projections import rapports, requetes_vue
from lsun_events.sources.snapshot import charger_exports
from lsun_events.storage.config import Store
from lsun_events.systeme import Systeme
from tests.magasins import ouvrir_magasin

MAGASIN = Path(__file__).parent / "fixtures" / "magasin_v2"
ATTENDU: dict[str, Any] = json.loads((MAGASIN / "attendu.json").read_text(encoding="utf-8"))
EVENEMENTS: list[dict[str, Any]] = [json.loads(ligne) for ligne in
                                    (MAGASIN / "evenements.jsonl").read_text(encoding="utf-8").splitlines()]
UAI: str = ATTENDU["uai"]
ACTEUR: str = ATTENDU["acteur"]
JOUR = date.fromisoformat(ATTENDU["jour"])
PROPRES_AU_RUN = {"SynchronisationDemarree", "AvertissementEmis", "SynchronisationTerminee"}
# Les champs que les événements ont gagnés depuis 47ac79b (les anciennes valeurs, pour l'audit) : absents du
# magasin v2, écrits par le code actuel.
CHAMPS_AJOUTES = {"avant", "pp_avant", "etat_avant", "ouvertes_avant", "periodes_avant"}


@pytest.fixture
def magasin(store: Store) -> Iterator[Systeme]:
    """Le magasin v2 dans un stockage neuf : événements insérés tels quels, vues rattrapées depuis eux."""
    yield from ouvrir_magasin(store, EVENEMENTS)


def vues(systeme: Systeme) -> dict[str, Any]:
    """Ce que l'ancien code a relevé dans ses vues (fabriquer.py, même requêtes)."""
    with systeme.lire("audit") as c:
        journal = c.lignes(f"SELECT * FROM {c.dialecte.table('audit_journal')} ORDER BY position, rang")
    with systeme.lire("courante") as c:
        divisions = requetes_vue.divisions(c, UAI)
        bilans = {f"{d['code']} {p['code']}": requetes_vue.bilans_de_division(c, UAI, d["code"], p["code"])
                  for d in divisions for p in d["periodes"] if p["ouverte"]}
    vu = json.loads(json.dumps({"audit": journal, "divisions": divisions, "bilans": bilans}, default=str))
    vu["audit"] = _valeurs_json(vu["audit"])
    return vu


def _valeurs_json(journal: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The log's old and new values as JSON values (their text may be written with or without spaces)."""
    return [{**x, **{k: None if x[k] is None else json.loads(x[k]) for k in ("ancien", "nouveau")}} for x in journal]


def en_donnees(v: Any) -> Any:
    if isinstance(v, Valeur):
        return {"classe": type(v).__name__, **{k: en_donnees(x) for k, x in vars(v).items()}}
    if isinstance(v, Enum):
        return v.value
    if isinstance(v, list | tuple):
        return [en_donnees(x) for x in v]
    if isinstance(v, dict):
        return {str(k): en_donnees(x) for k, x in v.items()}
    if isinstance(v, date | UUID):
        return str(v)
    return v


def decrire(e: Any, run: str) -> dict[str, Any]:
    champs = {k: en_donnees(x) for k, x in vars(e).items() if k not in ("timestamp", "originator_topic")}
    texte = json.dumps(champs, ensure_ascii=False, sort_keys=True).replace(run, "<run>")
    return {"evenement": nom(e), **json.loads(texte)}


def synchroniser(systeme: Systeme, quelle: str) -> tuple[ResultatSynchronisation, list[Any]]:
    app = systeme.app
    exports = ATTENDU["exports"][quelle]
    position = app.recorder.max_notification_id() or 0
    source = charger_exports(MAGASIN / exports["siecle"], MAGASIN / exports["sts"], uai_attendu=UAI)
    resultat = app.synchroniser(DemandeSynchronisation(uai=UAI, acteur=ACTEUR, jour=JOUR), source)
    systeme.rattraper()
    notes = app.recorder.select_notifications(start=position, limit=10_000, inclusive_of_start=False)
    return resultat, [app.mapper.to_domain_event(n) for n in notes]


def _memes_messages(messages: list[dict[str, Any]], anciens: list[dict[str, Any]]) -> bool:
    """Les mêmes messages, les clés ajoutées depuis (les détails de l'issue 16) mises à part."""
    return len(messages) == len(anciens) and all({k: m.get(k) for k in a} == a for m, a in zip(messages, anciens, strict=True))


def test_chaque_evenement_se_decode_et_garde_son_sens(magasin: Systeme) -> None:
    notes = magasin.app.recorder.select_notifications(start=None, limit=1_000_000)
    assert [(n.id, n.topic) for n in notes] == [(d["id"], d["topic"]) for d in EVENEMENTS]
    evenements = [magasin.app.mapper.to_domain_event(n) for n in notes]
    # Réécrits par le code actuel (nouveau format) puis relus : les mêmes champs, les mêmes valeurs.
    for e in evenements:
        relu = magasin.app.mapper.to_domain_event(magasin.app.mapper.to_stored_event(e))
        assert type(relu) is type(e) and vars(relu) == vars(e), nom(e)


def test_les_agregats_se_chargent(magasin: Systeme) -> None:
    app = magasin.app
    etab = app.etablissement(UAI)
    assert sorted(etab.enseignants) == ATTENDU["enseignants"]
    for code, eleves in ATTENDU["divisions"].items():
        assert sorted(app.division(etab, code).eleves) == eleves
    for saisie in ATTENDU["saisies"]:
        acquis = app.bilan(UAI, saisie["eleve_id"], saisie["periode"]).acquis[saisie["matiere"]]
        assert acquis.positionnement is not None and acquis.appreciation
    renomme = ATTENDU["eleve_renomme"]
    assert app.eleve(UAI, renomme["eleve_id"]).identite.nom_affiche == renomme["nouveau_nom"]


def test_les_vues_reconstruites_sont_celles_de_l_ancien_code(magasin: Systeme) -> None:
    attendues = {**ATTENDU["vues"], "audit": _valeurs_json(ATTENDU["vues"]["audit"])}
    assert vues(magasin) == attendues
    magasin.reconstruire()
    assert vues(magasin) == attendues
    for run in ATTENDU["synchronisations"]:
        with magasin.lire("rapports") as c:
            relus = [m.en_dict() for m in rapports.messages_du_run(c, run["id"])]
        assert _memes_messages(relus, run["messages_de_la_vue"])


def test_resynchroniser_la_meme_source_n_ecrit_aucun_changement(magasin: Systeme) -> None:
    resultat, evenements = synchroniser(magasin, "second")
    assert {nom(e) for e in evenements} <= PROPRES_AU_RUN
    assert all(e.originator_id == resultat.synchronisation for e in evenements)


def _sans_run(lignes: list[dict[str, Any]], run: str) -> list[dict[str, Any]]:
    """Les lignes sans ce qui change d'une exécution à l'autre : l'identifiant du run et l'horodatage des
    événements écrits par la troisième synchronisation."""
    texte = json.dumps(lignes, ensure_ascii=False).replace(run, "<run>")
    return [{**x, "horodatage": None} if x["position"] > len(EVENEMENTS) else x for x in json.loads(texte)]


def test_la_troisieme_serie_donne_les_memes_evenements_et_le_meme_audit(magasin: Systeme) -> None:
    attendu = ATTENDU["troisieme_synchronisation"]
    resultat, evenements = synchroniser(magasin, "troisieme")
    assert _memes_messages([m.en_dict() for m in resultat.messages], attendu["messages"])
    assert resultat.compteurs == attendu["compteurs"]
    decrits = [decrire(e, str(resultat.synchronisation)) for e in evenements]
    assert len(decrits) == len(attendu["evenements"])
    for ecrit, ancien in zip(decrits, attendu["evenements"], strict=True):
        assert set(ecrit) - set(ancien) <= CHAMPS_AJOUTES, ecrit["evenement"]
        assert {k: ecrit[k] for k in ancien} == ancien
    apres = vues(magasin)
    audit_attendu = _sans_run(_valeurs_json(attendu["vues"]["audit"]), attendu["id"])
    assert _sans_run(apres["audit"], str(resultat.synchronisation)) == audit_attendu
    assert apres["divisions"] == [{**d, "modifie_le": apres["divisions"][i]["modifie_le"]}
                                  for i, d in enumerate(attendu["vues"]["divisions"])]
    # Et la même chose après une reconstruction complète depuis le mélange d'anciens et de nouveaux événements.
    magasin.reconstruire()
    assert _sans_run(vues(magasin)["audit"], str(resultat.synchronisation)) == audit_attendu
