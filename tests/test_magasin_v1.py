"""Un magasin écrit avant R13 (commit 3d026f9, tests/fixtures/magasin_v1/) se relit et se synchronise sans faux
changement avec le code actuel, sur SQLite et sur PostgreSQL (issue 13, SPEC §3 R13).

Les événements de ``evenements.jsonl`` sont réinsérés tels quels (mêmes octets) dans un stockage neuf, les vues
reconstruites depuis eux ; puis le code actuel relit tout, régénère les rapports des anciennes synchronisations et
resynchronise sur la seconde série d'exports (telle quelle, dans l'ordre inverse, en Unicode décomposé) : seuls les
événements propres à la synchronisation doivent être écrits, jamais un changement d'élève, de bilan, d'enseignant…
"""

from __future__ import annotations

import json
import shutil
import unicodedata
from collections.abc import Iterator
from dataclasses import fields, is_dataclass
from datetime import date
from pathlib import Path
from typing import Any
from uuid import UUID

import pytest
from lxml import etree

from lsun_events.application.historique import archives
from lsun_events.application.synchronisation import (
    DemandeSynchronisation,
    ResultatSynchronisation,
    evenements_du_run,
)
from lsun_events.projections import rapports
from lsun_events.regles.messages import rapport
from lsun_events.sources.snapshot import charger_exports
from lsun_events.storage.config import Store
from lsun_events.systeme import Systeme
from tests.magasins import ouvrir_magasin

MAGASIN = Path(__file__).parent / "fixtures" / "magasin_v1"
ATTENDU: dict[str, Any] = json.loads((MAGASIN / "attendu.json").read_text(encoding="utf-8"))
EVENEMENTS: list[dict[str, Any]] = [json.loads(ligne) for ligne in
                                    (MAGASIN / "evenements.jsonl").read_text(encoding="utf-8").splitlines()]
UAI: str = ATTENDU["uai"]
ACTEUR: str = ATTENDU["acteur"]
JOUR = date.fromisoformat(ATTENDU["jour"])  # la date des anciennes synchronisations
RUNS: list[dict[str, Any]] = ATTENDU["synchronisations"]
PROPRES_AU_RUN = ("SynchronisationDemarree", "AvertissementEmis", "SynchronisationTerminee")


@pytest.fixture
def magasin(store: Store) -> Iterator[Systeme]:
    """Le magasin v1 dans un stockage neuf : événements insérés tels quels, vues rattrapées depuis eux."""
    yield from ouvrir_magasin(store, EVENEMENTS)


def _normalise(texte: str) -> str:
    return " ".join(unicodedata.normalize("NFC", texte).split())


# --- relire l'ancien magasin ---------------------------------------------------------------------------------

def test_chaque_ancien_evenement_se_decode(magasin: Systeme) -> None:
    app = magasin.app
    notes = app.recorder.select_notifications(start=None, limit=1_000_000)
    assert [(n.id, str(n.originator_id), n.originator_version, n.topic) for n in notes] == [
        (d["id"], d["originator_id"], d["originator_version"], d["topic"]) for d in EVENEMENTS]
    echecs = []
    for n in notes:
        try:
            app.mapper.to_domain_event(n)
        except Exception as e:  # on les veut tous, avec leur raison
            echecs.append(f"n° {n.id} {n.topic} : {type(e).__name__} : {e}")
    assert not echecs, "événements anciens illisibles par le code actuel :\n" + "\n".join(echecs)


def test_etablissement_divisions_eleves_et_bilans_se_chargent(magasin: Systeme) -> None:
    app = magasin.app
    etab = app.etablissement(UAI)
    assert etab.annee_scolaire == ATTENDU["annee_scolaire"]
    assert sorted(etab.enseignants) == ATTENDU["enseignants"]
    assert set(etab.divisions) == set(ATTENDU["divisions"])
    for code, eleves in ATTENDU["divisions"].items():
        division = app.division(etab, code)
        assert sorted(division.eleves) == eleves
        assert sorted(division.periodes_ouvertes) == ATTENDU["periodes_ouvertes"][code]
        for eleve_id in eleves:
            assert app.eleve(UAI, eleve_id).identite.prenoms
        bilans = list(app.bilans_de_division(UAI, division))
        assert len(bilans) == len(eleves) * len(ATTENDU["periodes_ouvertes"][code])
    for enseignant in app.enseignants(etab):
        assert enseignant.identite.nom_usage
    verrou = ATTENDU["verrouille"]
    verrouilles = list(app.bilans_de_division(UAI, app.division(etab, verrou["division"]), verrou["periode"]))
    assert len(verrouilles) == verrou["bilans"] and all(b.verrouille for b in verrouilles)
    for saisie in ATTENDU["saisies"]:
        acquis = app.bilan(UAI, saisie["eleve_id"], saisie["periode"]).acquis[saisie["matiere"]]
        assert acquis.positionnement is not None and acquis.appreciation
    bizarreries = ATTENDU["bizarreries"]
    assert _normalise(app.eleve(UAI, bizarreries["nom_double_espace"]).identite.nom_de_famille) == "LE BRIS"
    assert _normalise(app.eleve(UAI, bizarreries["eleve_nfd"]).identite.nom_affiche) == "Héloïse VALLÉE"
    co = bizarreries["co_enseignement"]
    bilan = next(app.bilans_de_division(UAI, app.division(etab, co["division"]), "T2"))
    assert len(bilan.acquis[co["matiere"]].enseignants) == 2


def test_le_bilan_archive_garde_l_ancien_nom(magasin: Systeme) -> None:
    renomme = ATTENDU["eleve_renomme"]
    trouvees = archives(magasin.app, UAI, renomme["eleve_id"])
    assert len(trouvees) == 1
    archive = trouvees[0]
    assert archive.archive.identite_eleve.nom_affiche == renomme["ancien_nom"]
    assert archive.synchronisation == RUNS[0]["id"]
    assert archive.archive.periode.code == ATTENDU["verrouille"]["periode"]
    assert magasin.app.eleve(UAI, renomme["eleve_id"]).identite.nom_affiche == renomme["nouveau_nom"]
    assert [d.champ for d in archive.differences] == ["nom_de_famille"]


def sans_details(messages: list[Any]) -> list[dict[str, Any]]:
    """Les messages tels que l'ancien code les écrivait : sans leurs détails (issue 16), ajoutés depuis."""
    return [{k: v for k, v in m.en_dict().items() if k != "details"} for m in messages]


def test_le_rapport_de_chaque_ancienne_synchronisation_se_regenere(magasin: Systeme) -> None:
    for run in RUNS:
        regenere = rapport(evenements_du_run(magasin.app, UUID(run["id"])))
        assert sans_details(regenere) == run["messages"], run["id"]
        with magasin.lire("rapports") as c:  # la vue, reconstruite depuis les anciens événements
            relus = rapports.messages_du_run(c, run["id"])
        assert sans_details(relus) == run["messages"], run["id"]
        assert relus == regenere  # les détails aussi, lus des anciens événements
        assert magasin.app.repository.get(UUID(run["id"])).compteurs == run["compteurs"]


# --- resynchroniser avec le code actuel : aucun événement d'entité --------------------------------------------

def _exports_2(dossier: Path | None = None) -> tuple[Path, Path]:
    second = ATTENDU["exports"]["second"]
    racine = MAGASIN if dossier is None else dossier
    return racine / second["siecle"], racine / second["sts"]


def _resynchroniser(systeme: Systeme, siecle: Path, sts: Path) -> tuple[ResultatSynchronisation, list[Any]]:
    app = systeme.app
    position = app.recorder.max_notification_id() or 0
    source = charger_exports(siecle, sts, uai_attendu=UAI)
    resultat = app.synchroniser(DemandeSynchronisation(uai=UAI, acteur=ACTEUR, jour=JOUR), source)
    systeme.rattraper()
    notes = app.recorder.select_notifications(start=position, limit=100_000, inclusive_of_start=False)
    return resultat, [app.mapper.to_domain_event(n) for n in notes]


def _verifier_aucun_changement(resultat: ResultatSynchronisation, evenements: list[Any], quoi: str) -> None:
    noms = [type(e).__name__ for e in evenements]
    inattendus = [e for e in evenements if e.originator_id != resultat.synchronisation]
    assert not inattendus, (
        f"{quoi} : la synchronisation a écrit {len(inattendus)} événement(s) d'entité sur un magasin v1 alors que "
        f"rien n'a changé (R13) ; événements écrits : {noms}\n" + "\n".join(_decrire(e) for e in inattendus))
    assert noms[0] == PROPRES_AU_RUN[0] and noms[-1] == PROPRES_AU_RUN[-1], noms
    assert set(noms) <= set(PROPRES_AU_RUN), noms
    assert sans_details(resultat.messages) == RUNS[1]["messages"]


def test_resynchroniser_le_meme_export_n_ecrit_aucun_changement(magasin: Systeme) -> None:
    resultat, evenements = _resynchroniser(magasin, *_exports_2())
    _verifier_aucun_changement(resultat, evenements, "même export qu'au dernier passage")


def test_resynchroniser_l_export_dans_l_ordre_inverse_n_ecrit_aucun_changement(magasin: Systeme,
                                                                               tmp_path: Path) -> None:
    siecle, sts = _reexporter(tmp_path, _inverser_listes)
    resultat, evenements = _resynchroniser(magasin, siecle, sts)
    _verifier_aucun_changement(resultat, evenements, "réexport dans l'ordre inverse de chaque liste")


def test_resynchroniser_l_export_en_unicode_decompose_n_ecrit_aucun_changement(magasin: Systeme,
                                                                                tmp_path: Path) -> None:
    siecle, sts = _reexporter(tmp_path, _decomposer, encodage="UTF-8")
    resultat, evenements = _resynchroniser(magasin, siecle, sts)
    _verifier_aucun_changement(resultat, evenements, "réexport en Unicode décomposé (NFD), en UTF-8")


# --- réexports ----------------------------------------------------------------------------------------------

def _reexporter(tmp_path: Path, transformer: Any, *, encodage: str | None = None) -> tuple[Path, Path]:
    """Une copie de la seconde série où chaque fichier XML est relu par lxml, transformé et réécrit (dans son
    encodage déclaré, sauf ``encodage``)."""
    dossier = tmp_path / "reexport"
    siecle, sts = _exports_2(dossier)
    shutil.copytree(_exports_2()[0], siecle)
    shutil.copy2(_exports_2()[1], sts)
    for chemin in [*sorted(siecle.glob("*.xml")), sts]:
        reecrire_xml(chemin, transformer, encodage=encodage)
    return siecle, sts


def reecrire_xml(chemin: Path, transformer: Any, *, encodage: str | None = None) -> None:
    parseur = etree.XMLParser(resolve_entities=False, no_network=True)
    arbre = etree.parse(str(chemin), parseur)
    transformer(arbre.getroot())
    arbre.write(str(chemin), encoding=encodage or arbre.docinfo.encoding, xml_declaration=True)


def _inverser_listes(element: Any) -> None:
    """Chaque liste (des enfants qui ont tous la même balise) dans l'ordre inverse, à toute profondeur ; les
    indentations restent à leur place."""
    for enfant in element:
        _inverser_listes(enfant)
    enfants = list(element)
    if len(enfants) < 2 or len({e.tag for e in enfants}) != 1:
        return
    queues = [e.tail for e in enfants]
    for enfant in enfants:
        element.remove(enfant)
    for enfant, queue in zip(reversed(enfants), queues, strict=True):
        enfant.tail = queue
        element.append(enfant)


def _decomposer(element: Any) -> None:
    """Chaque texte en Unicode décomposé (NFD)."""
    for e in element.iter():
        if e.text:
            e.text = unicodedata.normalize("NFD", e.text)


# --- description des événements inattendus ------------------------------------------------------------------

_TECHNIQUES = {"originator_id", "originator_version", "timestamp", "originator_topic"}


def _decrire(evenement: Any) -> str:
    lignes = [f"- {type(evenement).__name__} (agrégat {evenement.originator_id}, version "
              f"{evenement.originator_version}, acteur {getattr(evenement, 'acteur', '?')})"]
    for nom, valeur in vars(evenement).items():
        if nom in _TECHNIQUES or nom in ("acteur", "synchronisation"):
            continue
        if nom in ("changements", "anciens") and isinstance(valeur, list | tuple) and valeur \
                and hasattr(valeur[0], "champ"):
            for c in valeur:
                lignes.extend(f"    {ligne}" for ligne in _differences(c.ancien, c.nouveau, c.champ))
        elif nom == "archive":
            lignes.append(f"    archive : bilan {valeur.periode.code} ({valeur.division}) de "
                          f"{valeur.identite_eleve.nom_affiche!r}, état {valeur.etat!r}")
        else:
            lignes.append(f"    {nom} = {valeur!r}")
    return "\n".join(lignes)


def _differences(ancien: Any, nouveau: Any, chemin: str) -> list[str]:
    """Ce qui diffère entre deux valeurs, champ par champ : « chemin : ancien → nouveau »."""
    if is_dataclass(ancien) and type(ancien) is type(nouveau):
        resultat = []
        for f in fields(ancien):
            a, n = getattr(ancien, f.name), getattr(nouveau, f.name)
            if a != n or repr(a) != repr(n):
                resultat.extend(_differences(a, n, f"{chemin}.{f.name}"))
        return resultat or [f"{chemin} : égaux champ à champ ({ancien!r})"]
    if isinstance(ancien, list | tuple) and isinstance(nouveau, list | tuple):
        cles_a, cles_n = [_court(x) for x in ancien], [_court(x) for x in nouveau]
        if sorted(cles_a) == sorted(cles_n) and len(set(cles_a)) == len(cles_a):  # mêmes éléments : par clé
            resultat = [f"{chemin} : mêmes {len(ancien)} éléments, autre ordre : {cles_a} → {cles_n}"] \
                if cles_a != cles_n else []
            par_cle = dict(zip(cles_n, nouveau, strict=True))
            for cle, a in zip(cles_a, ancien, strict=True):
                n = par_cle[cle]
                if a != n or repr(a) != repr(n):
                    resultat.extend(_differences(a, n, f"{chemin}[{cle}]"))
            return resultat
        if len(ancien) == len(nouveau):
            resultat = []
            for i, (a, n) in enumerate(zip(ancien, nouveau, strict=True)):
                if a != n or repr(a) != repr(n):
                    resultat.extend(_differences(a, n, f"{chemin}[{i}]"))
            return resultat
    if isinstance(ancien, str) and isinstance(nouveau, str) and _normalise(ancien) == _normalise(nouveau):
        return [f"{chemin} : {ancien!a} → {nouveau!a} (même texte une fois normalisé : NFC, espaces)"]
    return [f"{chemin} : {ancien!r} → {nouveau!r}"]


def _court(valeur: Any) -> str:
    for nom in ("personne_id", "cle", "matiere_code"):
        if hasattr(valeur, nom):
            return str(getattr(valeur, nom)) if nom != "matiere_code" else \
                f"{getattr(valeur, 'structure_code', '')} {valeur.matiere_code}".strip()
    return repr(valeur)
