"""R13 and the R9/R10 paragraph of SPEC §3 on real exports, on SQLite and PostgreSQL: absent optional exports keep
what they alone carry (and the run says so), R9/R10 reach the unlocked bilans of pupils who left the division, a
change that is the old value mis-decoded is refused with nothing saved."""

from __future__ import annotations

import zipfile

import pytest

from lsun_events.aggregates.valeurs import RefEnseignant
from lsun_events.application.synchronisation import DemandeSynchronisation, ResultatSynchronisation
from lsun_events.generateur import variantes as v
from lsun_events.generateur.ecriture import ecrire_exports
from lsun_events.generateur.modele import Ecole
from lsun_events.regles.erreurs import SourceEndommageeError
from lsun_events.sources.snapshot import charger_exports
from tests.scenarios.conftest import CHEF, JOUR, Etablissement

HUET = "2400102"  # Timothée Arthur HUET, 4A, with a locked T1 bilan
RUN = {"SynchronisationDemarree", "SynchronisationTerminee", "AvertissementEmis"}


def noms(evenements: list) -> set[str]:
    return {type(e).__name__ for e in evenements}


def synchroniser_sans(e: Etablissement, ecole: Ecole, absents: tuple[str, ...], *divisions: str,
                      simulation: bool = False) -> ResultatSynchronisation:
    """A delivery whose SIECLE zip lacks the optional files ``absents``."""
    e.n += 1
    ecrits = ecrire_exports(ecole, e.dossier / f"exports-{e.n}")
    assert ecrits.siecle_zip is not None
    archive = e.dossier / f"exports-{e.n}" / "livraison.zip"
    with zipfile.ZipFile(ecrits.siecle_zip) as complet, zipfile.ZipFile(archive, "w") as partiel:
        for nom in complet.namelist():
            if nom not in absents:
                partiel.writestr(nom, complet.read(nom))
    source = charger_exports(archive, ecrits.sts, uai_attendu=e.uai)
    demande = DemandeSynchronisation(uai=e.uai, acteur=CHEF, jour=JOUR, divisions=divisions or None,
                                     simulation=simulation)
    resultat = e.app.synchroniser(demande, source)
    e.systeme.rattraper()
    return resultat


def fichiers_absents(resultat: ResultatSynchronisation) -> list[str]:
    return [x["fichier"] for x in resultat.en_dict()["exports_absents"]]


def test_sans_responsables_les_responsables_restent_et_rien_n_est_archive(etablissement: Etablissement) -> None:
    e = etablissement
    responsables = e.app.eleve(e.uai, HUET).identite.responsables
    assert responsables  # the school has guardians to lose
    avant = e.position()

    resultat = synchroniser_sans(e, e.ecole, ("ResponsablesAvecAdresses.xml",), "4A", "4B")

    assert noms(e.evenements_depuis(avant)) <= RUN
    assert resultat.messages == [] or {m.code for m in resultat.messages} <= {"M1", "M3", "M5", "M7", "M10"}
    assert fichiers_absents(resultat) == ["ResponsablesAvecAdresses.xml"]
    assert "responsables légaux" in resultat.en_dict()["exports_absents"][0]["garde"]
    assert e.app.eleve(e.uai, HUET).identite.responsables == responsables
    assert e.app.bilan(e.uai, HUET, "T1").archives == []


def test_sans_responsables_un_vrai_changement_de_nom_passe_seul(etablissement: Etablissement) -> None:
    e = etablissement
    responsables = e.app.eleve(e.uai, HUET).identite.responsables
    avant = e.position()

    resultat = synchroniser_sans(e, v.renommer_eleve(e.ecole, HUET, nom_de_famille="HUET-MARTIN"),
                                 ("ResponsablesAvecAdresses.xml",), "4A")

    mis_a_jour = [x for x in e.evenements_depuis(avant) if type(x).__name__ == "EleveMisAJour"]
    assert [[c.champ for c in x.changements] for x in mis_a_jour] == [["nom_de_famille"]]
    assert [m.code for m in resultat.messages] == ["M12", "M2"]
    assert e.app.eleve(e.uai, HUET).identite.responsables == responsables
    assert e.app.bilan(e.uai, HUET, "T1").archives[0].identite_eleve.responsables == responsables


def test_sans_communs_le_chef_et_le_nom_restent(etablissement: Etablissement) -> None:
    e = etablissement
    infos = e.app.etablissement(e.uai).infos
    assert infos.chef_nom and infos.mel
    change = v.changer_etablissement(e.ecole, chef_nom="Paul NOUVEAU", mel="autre@ac-exemple.fr")
    avant = e.position()

    resultat = synchroniser_sans(e, change, ("Communs.xml",), "4A")

    assert noms(e.evenements_depuis(avant)) <= RUN | {"EnseignantCree", "EnseignantRattache"}
    assert e.app.etablissement(e.uai).infos == infos
    assert fichiers_absents(resultat) == ["Communs.xml"]

    # With Communs.xml, the same change is a real one.
    avant = e.position()
    e.synchroniser(change, "4A")
    maj = [x for x in e.evenements_depuis(avant) if type(x).__name__ == "EtablissementMisAJour"]
    assert {c.champ for x in maj for c in x.changements} == {"chef_nom", "mel"}


@pytest.mark.parametrize("absent", ["Nomenclature.xml", "Structures.xml"])
def test_sans_nomenclature_ou_structures_rien_ne_change(etablissement: Etablissement, absent: str) -> None:
    e = etablissement
    avant = e.position()
    resultat = synchroniser_sans(e, e.ecole, (absent,), "4A", "4B", "3B")
    assert noms(e.evenements_depuis(avant)) <= RUN, [
        (type(x).__name__, getattr(x, "changements", None)) for x in e.evenements_depuis(avant)
        if type(x).__name__ not in RUN]
    assert fichiers_absents(resultat) == [absent]


def test_tous_les_facultatifs_absents_dans_la_simulation_et_le_rapport(etablissement: Etablissement) -> None:
    e = etablissement
    absents = ("ResponsablesAvecAdresses.xml", "Nomenclature.xml", "Structures.xml", "Communs.xml")
    simulation = synchroniser_sans(e, e.ecole, absents, "4A", simulation=True)
    assert sorted(fichiers_absents(simulation)) == sorted(absents)
    avant = e.position()
    resultat = synchroniser_sans(e, e.ecole, absents, "4A")
    assert noms(e.evenements_depuis(avant)) <= RUN
    # The run keeps what was absent in its own events: the history's report says it too.
    demarree = next(x for x in e.evenements_depuis(avant) if type(x).__name__ == "SynchronisationDemarree")
    assert set(demarree.source.absents) == {"responsables", "nomenclature", "structures", "communs"}
    assert resultat.en_dict()["exports_absents"] == simulation.en_dict()["exports_absents"]


def test_r10_le_bilan_d_un_eleve_parti_dans_une_autre_division_recoit_le_nouveau_pp(
        etablissement: Etablissement) -> None:
    e = etablissement
    ecole = v.changer_pp(v.changer_division(e.ecole, HUET, "4B"), "4A", "86704")
    resultat = e.synchroniser(ecole, "4A")

    textes = [m.texte for m in resultat.messages]
    assert "L'élève Timothée HUET n'est plus scolarisé dans la division 4A." in textes
    assert "Le professeur principal LAËTITIA DURAND a été ajouté au bilan de l'élève Timothée HUET." in textes
    t2 = e.app.bilan(e.uai, HUET, "T2")
    assert t2.profs_principaux == (RefEnseignant("epp", "86704"),)
    assert t2.division == "4A"  # scolarité never changes
    assert e.app.bilan(e.uai, HUET, "T1").profs_principaux != (RefEnseignant("epp", "86704"),)  # locked


def test_r9_le_bilan_d_un_eleve_absent_de_la_bee_recoit_le_nouvel_enseignant(etablissement: Etablissement) -> None:
    e = etablissement
    ecole, nouveau = v.ajouter_enseignant_au_service(v.retirer_eleve(e.ecole, HUET), "4A", "061300")
    resultat = e.synchroniser(ecole, "4A")

    ref = RefEnseignant(nouveau.type, nouveau.id)
    assert ref in e.app.bilan(e.uai, HUET, "T2").acquis["061300"].enseignants
    assert ref not in e.app.bilan(e.uai, HUET, "T1").acquis["061300"].enseignants  # locked
    assert "L'élève Timothée HUET n'est plus scolarisé dans la division 4A." in [m.texte for m in resultat.messages]


def test_un_changement_qui_est_l_ancienne_valeur_mal_decodee_est_refuse(etablissement: Etablissement) -> None:
    e = etablissement
    e.synchroniser(v.renommer_eleve(e.ecole, HUET, nom_de_famille="CŒURDEROI"), "4A")
    assert e.app.eleve(e.uai, HUET).identite.nom_de_famille == "CŒURDEROI"
    contenu = e.contenu()

    # The same export read as Windows-1252 while written in ISO-8859-15: Œ (0xBC) becomes ¼.
    with pytest.raises(SourceEndommageeError) as erreur:
        e.synchroniser(v.renommer_eleve(e.ecole, HUET, nom_de_famille="C¼URDEROI"), "4A")

    message = str(erreur.value)
    assert "rien n'a été enregistré" in message and "« Nom de famille »" in message
    assert "« CŒURDEROI » à « C¼URDEROI »" in message and "ISO-8859-15 lu comme du Windows-1252" in message
    assert "Réexportez" in message
    assert e.contenu() == contenu  # not a single event, not even a failed run


def test_un_vrai_changement_d_accents_n_est_pas_refuse(etablissement: Etablissement) -> None:
    """Control: an ordinary correction of accents is not taken for a mis-decoding."""
    e = etablissement
    resultat = e.synchroniser(v.renommer_eleve(e.ecole, HUET, prenoms=["Timothé", "Arthur"]), "4A")
    assert [m.code for m in resultat.messages] == ["M12", "M2"]
