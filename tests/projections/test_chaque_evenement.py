"""Every event type is handled by the views (or deliberately ignored): a new event type cannot be silently
missed, and one event of each type goes through both views on both stores."""

from __future__ import annotations

from lsun_events.aggregates import evenements
from lsun_events.projections import audit, requetes_audit, requetes_vue, vue_courante
from lsun_events.storage.config import Store
from lsun_events.systeme import Systeme
from tests.test_evenements import _tout_declencher, classes_d_evenements

CLASSES = {c for c in classes_d_evenements() if c.__name__ != "Created"}
NOMS = {evenements.NOMS[c] for c in CLASSES}  # the stored names, as the audit log shows them


def test_chaque_type_d_evenement_a_sa_place_dans_chaque_vue() -> None:
    assert set(audit.GESTIONNAIRES) == CLASSES
    assert set(vue_courante.GESTIONNAIRES) | set(vue_courante.IGNORES) == CLASSES
    assert not set(vue_courante.GESTIONNAIRES) & set(vue_courante.IGNORES)
    assert set(vue_courante.VueCourante.topics) == {f"lsun:{evenements.NOMS[c]}" for c in vue_courante.GESTIONNAIRES}


def test_un_evenement_de_chaque_type_traverse_les_vues(store: Store) -> None:
    with Systeme(store) as s:
        s.app.save(*_tout_declencher())
        s.rattraper()
        evenements = s.app.recorder.max_notification_id()
        with s.lire("audit") as c:
            journal = requetes_audit.par_acteur(c, "0999001X", "Mme Principale", limite=1000)
            vus = {x.evenement for x in journal.lignes}
            assert vus == NOMS
            assert {x.position for x in journal.lignes} == set(range(1, evenements + 1))
            [maj] = [x for x in journal.lignes if x.evenement == "EleveMisAJour" and x.champ == "prenoms"]
            assert (maj.ancien, maj.nouveau, maj.eleve_id) == (["Marie claire"], ["Marie-claire", "Yvete"], "1001")
            [recode] = [x for x in journal.lignes if x.evenement == "DivisionRecodee"]
            assert (recode.ancien, recode.nouveau) == ("4A", "4 A")
            [avert] = [x for x in journal.lignes if x.evenement == "AvertissementEmis"]
            assert (avert.division, avert.nouveau) == ("4A", {"code": "M1", "eleve": "Léon N'DIAYE"})
            raisons = {x.evenement: x.nouveau for x in journal.lignes if x.champ == "raison"}
            assert raisons["SynchronisationEchouee"] == "Le service S3E n'a pas répondu."
            assert raisons["SynchronisationRetenue"] == "La division 4A a perdu 80 % de ses élèves."
            statuts = [(x.ancien, x.nouveau) for x in reversed(journal.lignes) if x.champ == "statut"]
            assert ("retenue", "appliquee") in statuts
            assert ("retenue", "abandonnee") in statuts
            [automatique] = [x for x in journal.lignes if x.evenement == "SynchronisationAutomatiqueParametree"]
            assert automatique.nouveau == {"active": True, "adresse_s3e": "https://s3e.example.invalid",
                                           "intervalle_minutes": 15}
        with s.lire("courante") as c:
            [division] = requetes_vue.divisions(c, "0999001X")
            assert (division["code"], division["profs_principaux"]) == (
                "4 A", [{"enseignant": "local:900", "nom": None}])
            [etab] = c.lignes(f"SELECT nom, commune FROM {c.dialecte.table('courante_etablissements')}")
            assert etab["nom"] == "COLLEGE JEAN EXEMPLE"
            [eleve] = c.lignes(f"SELECT prenom, nom_affiche FROM {c.dialecte.table('courante_eleves')} "
                               "WHERE eleve_id = ?", ("1001",))
            assert eleve["prenom"] == "Marie-claire"
            [enseignant] = [x for x in requetes_vue.enseignants(c, "0999001X") if x["cle"] == "epp:48213"]
            assert enseignant["nom_usage"] == "RICHARD-DURAND"
            [bilan] = [b for b in requetes_vue.bilans_de_division(c, "0999001X", "4 A", "T1") if b["eleve_id"] == "1001"]
            assert (bilan["etat"], bilan["archives"]) == ("en cours de saisie", 1)
            assert [p["enseignant"] for p in bilan["profs_principaux"]] == ["epp:7"]
