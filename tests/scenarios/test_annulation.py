"""SPEC §9: undoing a run, on an SQLite file and on PostgreSQL — what it puts back (U3), what it leaves (archives,
teachers created), when it is refused (U1, U2), its report (M13, M14, and the messages it reuses)."""

from __future__ import annotations

from datetime import date
from uuid import UUID

import pytest

from lsun_events.aggregates.valeurs import RefEnseignant
from lsun_events.application.annulation import AnnulationRefuseeError, DemandeAnnulation
from lsun_events.application.synchronisation import DemandeSynchronisation, RunInconnuError, evenements_du_run
from lsun_events.generateur import variantes as v
from lsun_events.projections import rapports, requetes_audit
from lsun_events.regles.messages import date_locale, rapport
from lsun_events.sources.snapshot import charger_exports
from tests.scenarios.conftest import CHEF, JOUR, Etablissement

HUET = "2400102"  # Timothée Arthur HUET, 4A
QUATRE_A = ["2400115", "2400111", "2400102", "2400156", "2400134", "2400179", "2400154"]
PROVISEUR = "M. le Proviseur adjoint"


def annuler(e: Etablissement, synchronisation: UUID, *, simulation: bool = False, acteur: str = PROVISEUR):
    resultat = e.app.annuler(DemandeAnnulation(e.uai, str(synchronisation), acteur, date(2025, 11, 18), simulation))
    e.systeme.rattraper()
    return resultat


def etat(e: Etablissement) -> dict:
    """What a run may change, as LSUN has it now (pupils, teachers, bilans of 4A, the division)."""
    div = e.app.division(e.app.etablissement(e.uai), "4A")
    bilans = {(b.eleve_id, b.periode.code): (b.etat, b.profs_principaux,
                                              {m: (a.enseignants, a.positionnement) for m, a in b.acquis.items()})
              for b in e.app.bilans_de_division(e.uai, div)}
    return {"eleves": {i: e.app.eleve(e.uai, i).identite for i in QUATRE_A},
            "division": (div.code, div.libelle, div.profs_principaux),
            "enseignants": {x.ref: (x.identite, x.services) for x in e.app.enseignants(e.app.etablissement(e.uai))},
            "bilans": bilans}


def _run_a_defaire(e: Etablissement):
    """One run that renames a pupil (archiving his locked T1), changes the PP of 4A and adds a new maths teacher."""
    ecole = v.renommer_eleve(e.ecole, HUET, prenoms=["Timothée-Arthur", "Yves"])
    ecole = v.changer_pp(ecole, "4A", "86704")
    ecole, nouveau = v.ajouter_enseignant_au_service(ecole, "4A", "061300", nom_usage="FAURE-NOËL", prenom="ALICE")
    return ecole, RefEnseignant(nouveau.type, nouveau.id)


def test_annuler_remet_tout_et_garde_l_archive(etablissement: Etablissement) -> None:
    e = etablissement
    avant = etat(e)
    ecole, alice = _run_a_defaire(e)
    run = e.synchroniser(ecole, "4A")
    assert {m.code for m in run.messages} >= {"M12", "M2", "M6", "M8", "M11"}
    assert e.app.bilan(e.uai, HUET, "T2").profs_principaux == (RefEnseignant("epp", "86704"),)

    # The preview says what will be done and saves nothing.
    position = e.position()
    apercu = annuler(e, run.synchronisation, simulation=True)
    assert apercu.statut == "simulation"
    assert e.position() == position

    resultat = annuler(e, run.synchronisation)
    assert resultat.statut == "terminee"
    apres = etat(e)
    assert set(apres["enseignants"]) == {*avant["enseignants"], alice}  # the teacher created stays known
    apres["enseignants"].pop(alice)
    assert apres == avant  # everything put back, the pupil's name, the PP, the teachers of the acquis
    # The archive made by the run stays, with the data as they were; no new archive.
    t1 = e.app.bilan(e.uai, HUET, "T1")
    assert len(t1.archives) == 1 and t1.archives[0].identite_eleve.prenoms == ("Timothée", "Arthur")
    # The teacher the run created stays known, off every acquis.
    assert alice.cle in e.app.etablissement(e.uai).enseignants
    assert all(alice not in a.enseignants for i in QUATRE_A for a in e.app.bilan(e.uai, i, "T2").acquis.values())

    debut = evenements_du_run(e.app, run.synchronisation)[0].timestamp
    textes = [m.texte for m in resultat.messages]
    assert textes[0] == f"La synchronisation du {date_locale(debut)} ({CHEF}) a été annulée."
    assert "L'élève Timothée HUET (4A) a été mis à jour." in textes
    assert "Le professeur principal LAËTITIA DURAND a été retiré du bilan de l'élève Timothée HUET." in textes
    assert "Le professeur principal STÉPHANIE ANDRÉ a été ajouté au bilan de l'élève Timothée HUET." in textes
    libelle = e.app.bilan(e.uai, HUET, "T2").acquis["061300"].matiere_libelle
    assert f"Les enseignants ALICE FAURE-NOËL ont été retirés de l'acquis {libelle}." in textes
    assert [m.texte for m in apercu.messages] == textes  # the preview showed exactly this
    assert not any(m.code == "M12" for m in resultat.messages)

    # Every event of the undo says who and which run; the undone run stays, marked.
    evenements = evenements_du_run(e.app, resultat.synchronisation)
    assert {x.acteur for x in evenements} == {PROVISEUR}
    assert {x.synchronisation for x in evenements} == {str(resultat.synchronisation)}
    assert not any(type(x).__name__ == "BilanArchive" for x in evenements)
    with e.systeme.lire("rapports") as c:
        annulee = rapports.run(c, str(run.synchronisation))
        undo = rapports.run(c, str(resultat.synchronisation))
        # Regenerated from the events: the same report.
        assert [m.texte for m in rapports.messages_du_run(c, str(resultat.synchronisation))] == textes
    assert annulee is not None and undo is not None
    assert annulee["statut"] == "terminee" and annulee["annulee_par"] == str(resultat.synchronisation)
    assert annulee["annulee_acteur"] == PROVISEUR and annulee["annulee_le"]
    assert undo["annule"] == str(run.synchronisation) and undo["acteur"] == PROVISEUR
    assert [m.texte for m in rapport(evenements)] == textes
    # « Qui a modifié quoi » for the undo: the pupil's first names back, by the undo's acteur.
    with e.systeme.lire("audit") as c:
        lignes = requetes_audit.rechercher(c, e.uai, synchronisation=str(resultat.synchronisation)).lignes
    prenoms = [x for x in lignes if x.champ == "prenoms"]
    assert [(x.acteur, x.eleve_id, x.ancien, x.nouveau) for x in prenoms] == [
        (PROVISEUR, HUET, ["Timothée-Arthur", "Yves"], ["Timothée", "Arthur"])]

    # A resync of the same exports after the undo applies them again, like any new run.
    again = e.synchroniser(ecole, "4A")
    assert e.app.eleve(e.uai, HUET).identite.prenoms == ("Timothée-Arthur", "Yves")
    assert "L'élève Timothée-Arthur HUET (4A) a été mis à jour." in [m.texte for m in again.messages]


def test_refusee_si_un_bilan_a_ete_verrouille_ou_un_acquis_saisi_depuis(etablissement: Etablissement) -> None:
    e = etablissement
    ecole, _ = _run_a_defaire(e)
    run = e.synchroniser(ecole, "4A")
    e.app.verrouiller(e.uai, "4A", "T2", CHEF, eleve_id=HUET)
    e.app.saisir_acquis(e.uai, "2400111", "T2", "061300", "M. Prof", positionnement=3)
    position = e.position()
    with pytest.raises(AnnulationRefuseeError) as refus:
        annuler(e, run.synchronisation)
    assert e.position() == position  # nothing saved
    texte = str(refus.value)
    assert "ne peut pas être annulée" in texte and "Rien n'a été enregistré" in texte
    assert any("Timothée-Arthur HUET (4A, période T2)" in x and "verrouillé" in x and CHEF in x
               for x in refus.value.depuis)
    assert any("Noémie HADDAD (4A, période T2)" in x and "acquis 061300 saisi" in x and "M. Prof" in x
               for x in refus.value.depuis)
    assert len(refus.value.depuis) == 2
    # Nor as a preview.
    with pytest.raises(AnnulationRefuseeError):
        annuler(e, run.synchronisation, simulation=True)


def test_refusee_apres_un_run_plus_recent_qui_touche_les_memes_donnees(etablissement: Etablissement) -> None:
    e = etablissement
    run = e.synchroniser(v.renommer_eleve(e.ecole, HUET, prenoms=["Timothée-Arthur", "Yves"]), "4A")
    e.synchroniser(v.renommer_eleve(e.ecole, HUET, prenoms=["Tim"]), "4A")
    with pytest.raises(AnnulationRefuseeError) as refus:
        annuler(e, run.synchronisation)
    assert any("l'élève Tim HUET" in x and "par une synchronisation" in x for x in refus.value.depuis)


def test_refusee_deux_fois_et_pour_une_annulation(etablissement: Etablissement) -> None:
    e = etablissement
    run = e.synchroniser(v.renommer_eleve(e.ecole, HUET, prenoms=["Timothée-Arthur", "Yves"]), "4A")
    undo = annuler(e, run.synchronisation)
    with pytest.raises(AnnulationRefuseeError, match="déjà été annulée"):
        annuler(e, run.synchronisation)
    with pytest.raises(AnnulationRefuseeError, match="elle-même une annulation"):
        annuler(e, undo.synchronisation)
    # A run that changed nothing has nothing to undo.
    rien = e.synchroniser(e.ecole, "4B")
    with pytest.raises(AnnulationRefuseeError, match="n'a rien changé"):
        annuler(e, rien.synchronisation)


def test_annuler_un_run_automatique(etablissement: Etablissement) -> None:
    e = etablissement
    avant = etat(e)
    siecle, sts = e.exports(v.renommer_eleve(e.ecole, HUET, prenoms=["Timothée-Arthur", "Yves"]))
    source = charger_exports(siecle, sts, uai_attendu=e.uai)
    demande = DemandeSynchronisation(uai=e.uai, acteur="synchronisation automatique", jour=JOUR, automatique=True)
    run = e.app.synchroniser(demande, source)
    e.systeme.rattraper()
    resultat = annuler(e, run.synchronisation)
    assert etat(e) == avant
    assert "(synchronisation automatique) a été annulée." in resultat.messages[0].texte


def test_un_run_inconnu_ou_d_une_autre_ecole_est_refuse(etablissement: Etablissement) -> None:
    e = etablissement
    run = e.synchroniser(v.renommer_eleve(e.ecole, HUET, prenoms=["Timothée-Arthur", "Yves"]), "4A")
    with pytest.raises(RunInconnuError):
        e.app.annuler(DemandeAnnulation("0999999Z", str(run.synchronisation), CHEF, JOUR))
    with pytest.raises(RunInconnuError):
        e.app.annuler(DemandeAnnulation(e.uai, "pas-un-identifiant", CHEF, JOUR))
    with pytest.raises(RunInconnuError):
        e.app.annuler(DemandeAnnulation(e.uai, str(UUID(int=7)), CHEF, JOUR))


def test_annuler_remet_la_division_l_etablissement_et_l_enseignant(etablissement: Etablissement) -> None:
    e = etablissement
    etab_avant = e.app.etablissement(e.uai)
    division_avant = e.app.division(etab_avant, "4B")
    enseignants_avant = {x.ref: (x.identite, x.services) for x in e.app.enseignants(etab_avant)}
    ecole = v.renommer_division(e.ecole, "4B", "4C", libelle="QUATRIEME C")
    ecole = v.changer_etablissement(ecole, mel="nouveau@ac-exemple.fr", telephone="0102030405")
    ecole = v.renommer_enseignant(ecole, "29380", nom_usage="PÉRIER-LEGRAND")
    run = e.synchroniser(ecole, "4B")
    assert "La division 4B a été renommée 4C." in [m.texte for m in run.messages]
    assert "4C" in e.app.etablissement(e.uai).divisions

    resultat = annuler(e, run.synchronisation)
    textes = [m.texte for m in resultat.messages]
    assert "La division 4C a été renommée 4B." in textes
    assert "L'enseignant BENOÎT PÉRIER (4B) a été mis à jour." in textes
    etab = e.app.etablissement(e.uai)
    assert etab.infos == etab_avant.infos and etab.divisions == etab_avant.divisions
    division = e.app.division(etab, "4B")
    assert (division.code, division.libelle, division.profs_principaux) == (
        division_avant.code, division_avant.libelle, division_avant.profs_principaux)
    enseignants = {x.ref: (x.identite, x.services) for x in e.app.enseignants(etab)}
    assert {r: enseignants[r] for r in enseignants_avant} == enseignants_avant
    # The same exports again: the rename comes back, under the code LSUN has again.
    again = e.synchroniser(ecole, "4B")
    assert "La division 4B a été renommée 4C." in [m.texte for m in again.messages]
