"""Each variante changes exactly what it says, on a copy: the expected school is built by hand and compared."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import date

import pytest

from lsun_events.generateur import nomenclatures as nom
from lsun_events.generateur import variantes as v
from lsun_events.generateur.generation import generer
from lsun_events.generateur.modele import INACTIFS, Division, Ecole, ProfPrincipal
from tests.generateur.coherence import verifier_coherence


@pytest.fixture
def ecole(mini: Ecole) -> Iterator[Ecole]:
    """The mini school, checked unchanged after the test (variantes never mutate their input)."""
    avant = v.copier(mini)
    yield mini
    assert mini == avant, "une variante a modifié l'école reçue"


def premier_de(ecole: Ecole, division: str) -> str:
    return ecole.eleves_de(division)[0].eleve_id


def test_renommer_eleve(ecole: Ecole) -> None:
    eleve_id = premier_de(ecole, "4A")
    resultat = v.renommer_eleve(ecole, eleve_id, prenoms=["Marie-claire", "Yvete"], nom_usage="DUPONT")
    attendu = v.copier(ecole)
    attendu.eleve(eleve_id).prenoms = ["Marie-claire", "Yvete"]
    attendu.eleve(eleve_id).nom_usage = "DUPONT"
    assert resultat == attendu
    resultat = v.renommer_eleve(ecole, eleve_id, nom_de_famille="D'ALMEIDA")
    assert resultat.eleve(eleve_id).nom_de_famille == "D'ALMEIDA"
    with pytest.raises(ValueError, match="rien à changer"):
        v.renommer_eleve(ecole, eleve_id)
    with pytest.raises(ValueError, match="1 à 3"):
        v.renommer_eleve(ecole, eleve_id, prenoms=["A", "B", "C", "D"])


@pytest.mark.parametrize("taille", ["mini", "grand"])
def test_renommer_eleves_une_part(taille: str) -> None:
    ecole = generer(taille)
    resultat = v.renommer_eleves(ecole, 0.1, graine=5)
    actifs = [e for e in ecole.eleves if e.division != INACTIFS]
    changes = [(a, b) for a, b in zip(ecole.eleves, resultat.eleves, strict=True) if a != b]
    assert len(changes) == round(0.1 * len(actifs))
    for avant, apres in changes:
        assert (avant.prenoms, avant.nom_de_famille) != (apres.prenoms, apres.nom_de_famille)
        apres_sans_noms = v.copier(apres)
        apres_sans_noms.prenoms, apres_sans_noms.nom_de_famille = avant.prenoms, avant.nom_de_famille
        assert apres_sans_noms == avant  # only names changed
    assert v.renommer_eleves(ecole, 0.1, graine=5) == resultat
    assert resultat.enseignants == ecole.enseignants and resultat.divisions == ecole.divisions


def test_retirer_eleve(ecole: Ecole) -> None:
    eleve_id = premier_de(ecole, "4A")
    resultat = v.retirer_eleve(ecole, eleve_id)
    attendu = v.copier(ecole)
    attendu.eleves = [e for e in attendu.eleves if e.eleve_id != eleve_id]
    assert resultat == attendu


def test_faire_partir(ecole: Ecole) -> None:
    eleve_id = premier_de(ecole, "4A")
    resultat = v.faire_partir(ecole, eleve_id, date(2025, 11, 3))
    attendu = v.copier(ecole)
    attendu.eleve(eleve_id).date_sortie = date(2025, 11, 3)
    attendu.eleve(eleve_id).code_motif_sortie = "99"
    assert resultat == attendu


def test_changer_division_dans_le_meme_niveau(ecole: Ecole) -> None:
    eleve_id = premier_de(ecole, "4A")
    resultat = v.changer_division(ecole, eleve_id, "4B")
    attendu = v.copier(ecole)
    attendu.eleve(eleve_id).division = "4B"  # 4ESP spans 4A and 4B: groups kept
    assert resultat == attendu


def test_changer_division_de_niveau(ecole: Ecole) -> None:
    [latiniste] = [e for e in ecole.eleves_de("4A") if "4LAT" in e.groupes]
    resultat = v.changer_division(ecole, latiniste.eleve_id, "3B")
    attendu = v.copier(ecole)
    eleve = attendu.eleve(latiniste.eleve_id)
    eleve.division, eleve.groupes, eleve.code_mef = "3B", ["3ESP"], nom.mef("3")  # no Latin group in 3B
    assert resultat == attendu
    verifier_coherence(resultat)


def test_mettre_inactif(ecole: Ecole) -> None:
    eleve_id = premier_de(ecole, "4A")
    resultat = v.mettre_inactif(ecole, eleve_id)
    attendu = v.copier(ecole)
    attendu.eleve(eleve_id).division, attendu.eleve(eleve_id).groupes = INACTIFS, []
    assert resultat == attendu


def test_retirer_services_eleve(ecole: Ecole) -> None:
    eleve_id = premier_de(ecole, "4A")
    resultat = v.retirer_services_eleve(ecole, eleve_id)
    attendu = v.copier(ecole)
    attendu.divisions.append(Division("UPE2A", "UPE2A"))
    attendu.eleve(eleve_id).division, attendu.eleve(eleve_id).groupes = "UPE2A", []
    assert resultat == attendu
    eleve = resultat.eleve(eleve_id)
    assert not resultat.division(eleve.division).services and not eleve.groupes
    verifier_coherence(resultat)
    # into a division of the caller's choice, whose services are emptied
    resultat = v.retirer_services_eleve(ecole, eleve_id, division="4B")
    assert resultat.eleve(eleve_id).division == "4B" and resultat.division("4B").services == []


def test_vider_services_division(ecole: Ecole) -> None:
    resultat = v.vider_services_division(ecole, "4A")
    attendu = v.copier(ecole)
    attendu.division("4A").services = []
    assert resultat == attendu


def test_ajouter_eleve(ecole: Ecole) -> None:
    resultat, nouveau = v.ajouter_eleve(ecole, "4A")
    assert resultat.eleves[:-1] == ecole.eleves and resultat.eleves[-1] == nouveau
    assert nouveau.division == "4A" and nouveau.eleve_id not in {e.eleve_id for e in ecole.eleves}
    assert nouveau.date_entree == ecole.date_export.date()
    assert nouveau.groupes and nouveau.responsables
    assert {r.personne_id for r in nouveau.responsables}.isdisjoint(
        {r.personne_id for e in ecole.eleves for r in e.responsables})
    attendu = v.copier(ecole)
    attendu.eleves.append(nouveau)
    assert resultat == attendu
    verifier_coherence(resultat)
    assert v.ajouter_eleve(ecole, "4A")[1] == nouveau  # deterministic


def maths_4a(ecole: Ecole) -> list:
    return ecole.division("4A").service(nom.MATHEMATIQUES).enseignants


def test_retirer_enseignant_nettoie_ses_services(ecole: Ecole) -> None:
    [ref] = maths_4a(ecole)
    resultat = v.retirer_enseignant(ecole, ref)
    attendu = v.copier(ecole)
    attendu.enseignants = [e for e in attendu.enseignants if e.ref != ref]
    for _, _, service in attendu.services():
        service.enseignants = [r for r in service.enseignants if r != ref]
    assert resultat == attendu
    assert maths_4a(resultat) == [] and not resultat.services_de(ref)
    verifier_coherence(resultat)
    with pytest.raises(KeyError):
        resultat.enseignant(ref)


def test_renommer_enseignant(ecole: Ecole) -> None:
    [ref] = maths_4a(ecole)
    resultat = v.renommer_enseignant(ecole, ref.id, nom_usage="RICHARD", prenom="PAUL")
    attendu = v.copier(ecole)
    attendu.enseignant(ref).nom_usage, attendu.enseignant(ref).prenom = "RICHARD", "PAUL"
    assert resultat == attendu
    with pytest.raises(ValueError, match="rien à changer"):
        v.renommer_enseignant(ecole, ref)


def test_remplacer_enseignant(ecole: Ecole) -> None:
    [ancien] = maths_4a(ecole)
    resultat, nouveau = v.remplacer_enseignant(ecole, ancien, nom_usage="REMPLAÇANTE", prenom="HÉLÈNE")
    assert (nouveau.nom_usage, nouveau.prenom, nouveau.sexe) == ("REMPLAÇANTE", "HÉLÈNE", "F")
    assert nouveau.ref not in {e.ref for e in ecole.enseignants}
    attendu = v.copier(ecole)
    attendu.enseignants.append(nouveau)
    for _, _, service in attendu.services():
        service.enseignants = [nouveau.ref if r == ancien else r for r in service.enseignants]
    assert resultat == attendu
    assert not resultat.services_de(ancien) and resultat.enseignant(ancien)  # still in STS, no service
    verifier_coherence(resultat)
    sans_ancien, _ = v.remplacer_enseignant(ecole, ancien, retirer_ancien=True)
    with pytest.raises(KeyError):
        sans_ancien.enseignant(ancien)
    verifier_coherence(sans_ancien)


def test_ajouter_enseignant_au_service_maths_de_4a(ecole: Ecole) -> None:
    resultat, nouveau = v.ajouter_enseignant_au_service(ecole, "4A", nom.MATHEMATIQUES)
    assert nouveau.fonction == "ENS" and nouveau.ref not in {e.ref for e in ecole.enseignants}
    attendu = v.copier(ecole)
    attendu.enseignants.append(nouveau)
    maths_4a(attendu).append(nouveau.ref)
    assert resultat == attendu
    assert len(maths_4a(resultat)) == 2
    verifier_coherence(resultat)
    # an existing teacher, on a group service
    [prof_espagnol] = ecole.groupe("4ESP").services[0].enseignants
    resultat, existant = v.ajouter_enseignant_au_service(ecole, "4LAT", nom.LATIN, enseignant=maths_4a(ecole)[0])
    assert existant.ref == maths_4a(ecole)[0] and len(resultat.enseignants) == len(ecole.enseignants)
    assert resultat.groupe("4LAT").services[0].enseignants == [prof_espagnol, existant.ref]


def test_changer_pp(ecole: Ecole) -> None:
    [ancien] = ecole.profs_principaux("4A")
    resultat = v.changer_pp(ecole, "4A")
    [nouveau] = resultat.profs_principaux("4A")
    assert nouveau.ref != ancien.ref
    attendu = v.copier(ecole)
    attendu.enseignant(ancien.ref).profs_princ = [pp for pp in ancien.profs_princ if pp.division != "4A"]
    attendu.enseignant(nouveau.ref).profs_princ.append(ProfPrincipal("4A", ecole.date_debut, ecole.date_fin))
    assert resultat == attendu
    # the chosen one; the old PROF_PRINC kept but ended
    [prof_espagnol] = ecole.groupe("4ESP").services[0].enseignants
    resultat = v.changer_pp(ecole, "4A", prof_espagnol, fin_ancien=date(2025, 11, 30))
    assert [e.ref for e in resultat.profs_principaux("4A", le=date(2025, 12, 1))] == [prof_espagnol]
    assert [e.ref for e in resultat.profs_principaux("4A", le=date(2025, 11, 30))] == [ancien.ref]
    # a division with two PP loses both
    assert len(v.changer_pp(ecole, "4B").profs_principaux("4B")) == 1


def test_renommer_division(ecole: Ecole) -> None:
    resultat = v.renommer_division(ecole, "4A", "4E1")
    assert resultat.division("4E1").libelle == "4EME 1"
    attendu = v.copier(ecole)
    division = attendu.division("4A")
    division.code, division.libelle = "4E1", "4EME 1"
    for eleve in attendu.eleves_de("4A"):
        eleve.division = "4E1"
    for groupe in attendu.groupes:
        groupe.divisions = ["4E1" if d == "4A" else d for d in groupe.divisions]
    for pp in (pp for e in attendu.enseignants for pp in e.profs_princ if pp.division == "4A"):
        pp.division = "4E1"
    assert resultat == attendu
    verifier_coherence(resultat)
    with pytest.raises(ValueError, match="existe déjà"):
        v.renommer_division(ecole, "4A", "4B")


def test_changer_etablissement(ecole: Ecole) -> None:
    resultat = v.changer_etablissement(ecole, nom="COLLEGE JEAN ZAY", telephone="0556000000")
    attendu = v.copier(ecole)
    attendu.etablissement.denom_compl, attendu.etablissement.telephone = "JEAN ZAY", "0556000000"
    assert resultat == attendu and resultat.etablissement.nom == "COLLEGE JEAN ZAY"
    assert v.changer_etablissement(ecole, nom="LYCEE X").etablissement.nom == "LYCEE X"
    # a new head of school: Communs NOM_RESP/QUAL_RESP and a new DIR INDIVIDU in STS
    resultat = v.changer_etablissement(ecole, chef_nom="Mireille CŒURDEROY")
    directeur = resultat.directeur()
    assert (directeur.prenom, directeur.nom_usage, directeur.sexe) == ("MIREILLE", "CŒURDEROY", "F")
    assert directeur.ref != ecole.directeur().ref
    assert resultat.etablissement.chef_nom == "Mireille CŒURDEROY"
    assert resultat.etablissement.chef_qualite == "PRINCIPALE"
    assert resultat.etablissement.uai == ecole.uai
    assert [e for e in resultat.enseignants if e.fonction != "DIR"] == \
        [e for e in ecole.enseignants if e.fonction != "DIR"]


def test_modifier_pour_les_bancs(grand: Ecole) -> None:
    avant = v.copier(grand)
    resultat = v.modifier(grand, part_eleves_renommes=0.1, enseignants_changes=5, graine=2)
    assert grand == avant
    assert resultat == v.modifier(grand, graine=2)
    actifs = [e for e in grand.eleves if e.division != INACTIFS]
    assert sum(a != b for a, b in zip(grand.eleves, resultat.eleves, strict=True)) == round(0.1 * len(actifs))
    anciens = {e.ref: e for e in grand.enseignants}
    renommes = [e for e in resultat.enseignants if e.ref in anciens and e.nom_usage != anciens[e.ref].nom_usage]
    nouveaux = [e for e in resultat.enseignants if e.ref not in anciens]
    sans_service = [e for e in resultat.enseignants if e.fonction == "ENS" and not resultat.services_de(e)
                    and grand.services_de(e)]
    assert (len(renommes), len(nouveaux), len(sans_service)) == (3, 2, 2)
    verifier_coherence(resultat)


@pytest.mark.parametrize("variante", [
    lambda e: v.retirer_enseignant(e, e.enseignants[0]),
    lambda e: v.changer_pp(e, "3B"),
    lambda e: v.renommer_division(e, "3B", "3 B"),
    lambda e: v.retirer_services_eleve(e, e.eleves[0].eleve_id),
    lambda e: v.ajouter_enseignant_au_service(e, "3B", nom.LATIN)[0],
])
def test_les_variantes_gardent_l_ecole_coherente(ecole: Ecole, variante: Callable[[Ecole], Ecole]) -> None:
    verifier_coherence(variante(ecole))
