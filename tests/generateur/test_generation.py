"""The generated schools: deterministic, of the requested size, realistic and coherent."""

from __future__ import annotations

import random
from datetime import date

import pytest

from lsun_events.generateur import nomenclatures as nom
from lsun_events.generateur.generation import generer, plan
from lsun_events.generateur.modele import INACTIFS, Ecole
from lsun_events.generateur.variantes import copier
from tests.generateur.coherence import verifier_coherence


def test_meme_graine_meme_ecole_autre_graine_autre_ecole() -> None:
    assert generer("petit", graine=3) == generer("petit", graine=3)
    assert generer("petit", graine=3) != generer("petit", graine=4)


def test_la_generation_n_utilise_pas_le_hasard_global() -> None:
    random.seed(1)
    premiere = generer("mini")
    random.seed(2)
    assert generer("mini") == premiere


def test_mini_est_l_ecole_des_scenarios(mini: Ecole) -> None:
    assert [d.code for d in mini.divisions] == ["4A", "4B", "3B"]
    assert len(mini.eleves) == 20
    assert len([e for e in mini.enseignants if e.fonction == "ENS"]) == 8
    # a group spanning 4A and 4B, with its service
    [lv2] = [g for g in mini.groupes if g.divisions == ["4A", "4B"] and g.services[0].matiere_code == nom.ESPAGNOL_LV2]
    assert lv2.services[0].enseignants
    # 4A is clean: no leaver, every pupil linked to services, one PP
    quatre_a = mini.eleves_de("4A")
    assert quatre_a and all(e.date_sortie is None for e in quatre_a)
    assert len(mini.division("4A").services) == 10
    assert all(s.enseignants for s in mini.division("4A").services)
    assert len(mini.profs_principaux("4A")) == 1
    assert len(mini.profs_principaux("4B")) == 2  # one division with two PP
    verifier_coherence(mini)


@pytest.mark.parametrize(("taille", "eleves", "divisions", "enseignants"),
                         [("mini", 20, 3, 8), ("petit", 200, 8, 20), ("grand", 1000, 36, 80), (130, 130, 5, 10)])
def test_les_effectifs_suivent_la_taille(taille: str | int, eleves: int, divisions: int, enseignants: int) -> None:
    ecole = generer(taille)
    assert len(ecole.eleves) == eleves
    assert len(ecole.divisions) == divisions
    assert len([e for e in ecole.enseignants if e.fonction == "ENS"]) == enseignants
    assert [e.fonction for e in ecole.enseignants if e.fonction != "ENS"] == ["DIR", "EDU"]
    verifier_coherence(ecole)


def test_taille_inconnue_refusee() -> None:
    for taille in ("moyen", 0, -5, True):
        with pytest.raises(ValueError, match="taille inconnue"):
            plan(taille)  # type: ignore[arg-type]


def test_grand_college_realiste(grand: Ecole) -> None:
    codes = [d.code for d in grand.divisions]
    assert codes[:2] == ["6A", "6B"] and codes[-1] == "3I"
    assert "4 F" in codes  # one code with a space
    assert grand.division("6A").libelle == "6EME A"
    # ~10 services per division, most with one teacher, some co-taught
    avec_services = [d for d in grand.divisions if d.services]
    assert all(len(d.services) == 10 for d in avec_services)
    assert any(len(s.enseignants) == 2 for d in grand.divisions for s in d.services)
    # early-year quirks: a division without SERVICES, a service without ENSEIGNANTS, a group without libellé
    assert [d.code for d in grand.divisions if not d.services] == ["3I"]
    assert sum(1 for d in grand.divisions for s in d.services if not s.enseignants) == 1
    assert any(g.libelle == "" for g in grand.groupes)
    # LV2 and Latin groups spanning divisions, with services
    assert any(len(g.divisions) == 2 and g.services[0].matiere_code == nom.ALLEMAND_LV2 for g in grand.groupes)
    assert any(g.services[0].matiere_code == nom.LATIN for g in grand.groupes)
    # every division has a PP for the whole school year; one has two
    for division in grand.divisions:
        assert grand.profs_principaux(division.code, le=date(2026, 6, 30))
    assert sum(1 for d in grand.divisions if len(grand.profs_principaux(d.code)) == 2) == 1
    # teachers: epp and one local, principal without services
    assert sum(1 for e in grand.enseignants if e.type == "local") == 1
    directeur = grand.directeur()
    assert directeur is not None and not grand.services_de(directeur)
    assert grand.etablissement.chef_nom.endswith(directeur.nom_usage)


def test_eleves_realistes(grand: Ecole) -> None:
    eleves = grand.eleves
    assert {len(e.prenoms) for e in eleves} == {1, 2, 3}
    assert sum(1 for e in eleves if e.nom_usage) < len(eleves) * 0.1  # NOM_USAGE usually empty
    assert sum(1 for e in eleves if e.division == INACTIFS) == 10
    sortis = [e for e in eleves if e.date_sortie]
    assert sortis and all(e.date_sortie < grand.date_export.date() for e in sortis)
    assert sum(1 for e in eleves if not e.ine) == 1  # a newcomer not registered nationally yet
    assert all(1 <= len(e.responsables) <= 2 for e in eleves)
    assert all(r.adresse is not None for e in eleves for r in e.responsables)
    assert all(e.date_entree is not None and e.code_mef for e in eleves)
    assert any(o.modalite == "F" for e in eleves for o in e.options)
    textes = " ".join(f"{e.nom_de_famille} {' '.join(e.prenoms)}" for e in eleves)
    for signe in ("'", "-", "é", "ë", " "):
        assert signe in textes
    assert any("Œ" in e.nom_de_famille or "Œ" in r.nom_de_famille for e in eleves for r in e.responsables) or \
        "Œ" in textes


def test_copier_donne_une_ecole_egale_et_independante(mini: Ecole) -> None:
    copie = copier(mini)
    assert copie == mini
    copie.eleves[0].prenoms.append("Zoé")
    assert copie != mini
