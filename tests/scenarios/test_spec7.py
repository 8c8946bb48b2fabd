"""SPEC §7: the acceptance scenarios, on exports written by the generator and read by the real readers,
on an SQLite file and on PostgreSQL."""

from __future__ import annotations

from lsun_events.aggregates.valeurs import RefEnseignant
from lsun_events.application.synchronisation import evenements_du_run
from lsun_events.generateur import variantes as v
from lsun_events.projections import rapports
from lsun_events.regles.messages import rapport
from tests.scenarios.conftest import CHEF, Etablissement

HUET = "2400102"  # Timothée Arthur HUET, 4A
QUATRE_A = ["2400115", "2400111", "2400102", "2400156", "2400134", "2400179", "2400154"]
RUN = {"SynchronisationDemarree", "SynchronisationTerminee"}


def noms(evenements: list) -> list[str]:
    return sorted(type(e).__name__ for e in evenements)


def textes(resultat) -> list[str]:
    return [m.texte for m in resultat.messages]


def test_1_nom_corrige_bilan_verrouille_archive_puis_eleve_mis_a_jour(etablissement: Etablissement) -> None:
    e = etablissement
    corrige = v.renommer_eleve(e.ecole, HUET, prenoms=["Timothée-Arthur", "Yves"])
    avant = e.position()

    resultat = e.synchroniser(corrige, "4A")

    assert textes(resultat) == [
        "Les informations LSUN de l'élève Timothée-Arthur HUET ont été archivées (1 bilan(s) verrouillé(s)).",
        "L'élève Timothée-Arthur HUET (4A) a été mis à jour.",
    ]
    assert [(m.niveau, m.code, m.division) for m in resultat.messages] == [("info", "M12", "4A"), ("info", "M2", "4A")]
    evenements = e.evenements_depuis(avant)
    assert noms(evenements) == ["BilanArchive", "EleveMisAJour", "SynchronisationDemarree", "SynchronisationTerminee"]
    t1 = e.app.bilan(e.uai, HUET, "T1")
    assert t1.verrouille
    assert t1.archives[0].identite_eleve.prenoms == ("Timothée", "Arthur")
    assert e.app.bilan(e.uai, HUET, "T2").archives == []
    assert e.app.eleve(e.uai, HUET).identite.prenoms == ("Timothée-Arthur", "Yves")

    # Rerun: no new entity event, no message.
    avant = e.position()
    assert textes(e.synchroniser(corrige, "4A")) == []
    assert set(noms(e.evenements_depuis(avant))) == RUN


def test_2_eleve_absent_de_la_bee(etablissement: Etablissement) -> None:
    e = etablissement
    avant = e.position()
    resultat = e.synchroniser(v.retirer_eleve(e.ecole, "2400111"), "4A")
    assert textes(resultat) == ["L'élève Noémie HADDAD n'est plus scolarisé dans la division 4A."]
    assert resultat.messages[0].niveau == "avertissement"
    assert set(noms(e.evenements_depuis(avant))) == {*RUN, "AvertissementEmis"}
    assert e.app.eleve(e.uai, "2400111").identite.prenoms == ("Noémie", "Élodie")


def test_3_enseignant_absent_de_sts_puis_enseignant_renomme(etablissement: Etablissement) -> None:
    e = etablissement
    resultat = e.synchroniser(v.retirer_enseignant(e.ecole, "86704"), "4A", "4B")
    assert textes(resultat) == [
        "L'enseignant LAËTITIA DURAND n'a pas été retrouvé pour la division 4A dans les données SIECLE.",
        "L'enseignant LAËTITIA DURAND n'a pas été retrouvé pour la division 4B dans les données SIECLE.",
    ]
    # The teacher stays on every acquis (never removed).
    assert RefEnseignant("epp", "86704") in e.app.bilan(e.uai, HUET, "T2").acquis["061300"].enseignants

    avant = e.position()
    resultat = e.synchroniser(v.renommer_enseignant(e.ecole, "29380", nom_usage="PÉRIER-LEGRAND"), "4A", "4B")
    assert textes(resultat) == ["L'enseignant BENOÎT PÉRIER-LEGRAND (4A) a été mis à jour.",
                                "L'enseignant BENOÎT PÉRIER-LEGRAND (4B) a été mis à jour."]
    assert noms(e.evenements_depuis(avant)).count("EnseignantMisAJour") == 1


def test_4_division_sans_periode(etablissement: Etablissement) -> None:
    resultat = etablissement.synchroniser(etablissement.ecole, "3B")
    assert textes(resultat) == ["Aucune période n'est paramétrée pour la division 3B."]
    assert resultat.messages[0].niveau == "avertissement"


def test_5_nouvel_enseignant_du_service_de_maths_de_4a(etablissement: Etablissement) -> None:
    e = etablissement
    modifiee, nouveau = v.ajouter_enseignant_au_service(e.ecole, "4A", "061300", nom_usage="FAURE-NOËL",
                                                        prenom="ALICE")
    libelle = e.app.bilan(e.uai, HUET, "T2").acquis["061300"].matiere_libelle
    avant = e.position()
    resultat = e.synchroniser(modifiee, "4A")
    assert textes(resultat) == [f"Les enseignants ALICE FAURE-NOËL ont été ajoutés à l'acquis {libelle}."]
    ref = RefEnseignant(nouveau.type, nouveau.id)
    for eleve in QUATRE_A:
        assert ref in e.app.bilan(e.uai, eleve, "T2").acquis["061300"].enseignants
        assert ref not in e.app.bilan(e.uai, eleve, "T1").acquis["061300"].enseignants
    assert noms(e.evenements_depuis(avant)).count("EnseignantsAjoutesAcquis") == len(QUATRE_A)


def test_6_nouveau_pp_de_4a(etablissement: Etablissement) -> None:
    e = etablissement
    ancien = e.app.bilan(e.uai, HUET, "T1").profs_principaux
    resultat = e.synchroniser(v.changer_pp(e.ecole, "4A", "86704"), "4A")
    assert len(resultat.messages) == 2 * len(QUATRE_A)
    assert ("Le professeur principal LAËTITIA DURAND a été ajouté au bilan de l'élève Timothée HUET."
            in textes(resultat))
    assert ("Le professeur principal STÉPHANIE ANDRÉ a été retiré du bilan de l'élève Timothée HUET."
            in textes(resultat))
    assert {m.code for m in resultat.messages} == {"M8", "M11"}
    for eleve in QUATRE_A:
        assert e.app.bilan(e.uai, eleve, "T2").profs_principaux == (RefEnseignant("epp", "86704"),)
        assert e.app.bilan(e.uai, eleve, "T1").profs_principaux == ancien  # locked: untouched


def test_7_eleve_sans_service(etablissement: Etablissement) -> None:
    e = etablissement
    resultat = e.synchroniser(v.retirer_services_eleve(e.ecole, "2400171", division="4B"), "4B")
    m7 = [m.texte for m in resultat.messages if m.code == "M7"]
    assert m7 == ["Aucun service d'enseignement n'a été trouvé pour l'élève Maël ROUX dans la base de données SIECLE."]


def test_9_rapport_regenere_archive_telle_quelle_qui_a_modifie(etablissement: Etablissement) -> None:
    e = etablissement
    corrige = v.renommer_eleve(e.ecole, HUET, prenoms=["Timothée-Arthur", "Yves"])
    resultat = e.synchroniser(corrige, "4A")

    # The report regenerated from the events alone equals the original and the stored one.
    assert rapport(evenements_du_run(e.app, resultat.synchronisation)) == resultat.messages
    with e.systeme.lire("rapports") as c:
        assert rapports.messages_du_run(c, str(resultat.synchronisation)) == resultat.messages
        run = rapports.run(c, str(resultat.synchronisation))
    assert run is not None
    assert (run["acteur"], run["statut"], run["divisions"]) == (CHEF, "terminee", ["4A"])

    # The archived T1 bilan, exactly as it was at the archive.
    t1 = e.app.bilan(e.uai, HUET, "T1")
    archive = t1.archives[0]
    avant_archive = e.app.bilan_tel_que(e.uai, HUET, "T1", version=t1.version - 1)
    assert archive.acquis == tuple(avant_archive.acquis.values())
    assert archive.profs_principaux == avant_archive.profs_principaux
    assert (archive.division, archive.periode.code, archive.etat) == ("4A", "T1", "verrouillé")

    # Who changed this pupil: the run, the acteur, the fields, old → new.
    [maj] = [x for x in e.app.historique(e.app.eleve(e.uai, HUET).id) if type(x).__name__ == "EleveMisAJour"]
    assert (maj.acteur, maj.synchronisation) == (CHEF, str(resultat.synchronisation))
    assert [(c.champ, c.ancien, c.nouveau) for c in maj.changements] == [
        ("prenoms", ("Timothée", "Arthur"), ("Timothée-Arthur", "Yves"))]
