"""The JSON API on both stores: every endpoint, the rights matrix (chef, enseignant, admin, another school's chef,
anonymous), bad requests answered with a clear French error and nothing saved, and a synchronisation started with
the session cookie and its CSRF token, followed to the end, its messages exactly SPEC §4's."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from lsun_events.application.synchronisation import DemandeSynchronisation
from tests.web.conftest import HUET, JOUR, UAI, Site, attendre_tache, connecter, exports_modifies, source_bloquee

BILAN = f"/api/etablissements/{UAI}/bilans/{HUET}/T1"
LECTURES = {  # GET endpoint: roles that may read it
    "/api/moi": {"principale", "prof", "academie", "autre-chef"},
    "/api/etablissements": {"principale", "prof", "academie", "autre-chef"},
    f"/api/etablissements/{UAI}/divisions": {"principale", "prof", "academie"},
    f"/api/etablissements/{UAI}/synchronisations": {"principale", "prof", "academie"},
    f"/api/etablissements/{UAI}/audit": {"principale", "academie"},
    f"/api/etablissements/{UAI}/bilans?division=4A&periode=T1": {"principale", "prof", "academie"},
    BILAN: {"principale", "prof", "academie"},
    f"/api/etablissements/{UAI}/eleves/{HUET}/archives": {"principale", "prof", "academie"},
}
ECRITURES: dict[str, dict[str, Any]] = {  # POST endpoint: a body that a chef may send
    f"/api/etablissements/{UAI}/synchronisations": {"divisions": ["4A"], "simulation": True},
    f"/api/etablissements/{UAI}/verrouillage": {"division": "4B", "periode": "T2", "eleve": "2400151"},
    f"/api/etablissements/{UAI}/divisions/4B/periodes": {"periodes": [
        {"code": "T1", "debut": "2025-09-01", "fin": "2025-11-30"}, {"code": "T2", "debut": "2025-12-01", "fin": "2026-03-01"},
        {"code": "T3", "debut": "2026-03-02", "fin": "2026-07-04"}]},
}
ATTENDUS = [
    {"niveau": "avertissement", "division": "4A", "code": "M1",
     "texte": "L'élève Noémie HADDAD n'est plus scolarisé dans la division 4A.", "details": []},
    {"niveau": "info", "division": "4A", "code": "M12",
     "texte": "Les informations LSUN de l'élève Timothée-Arthur HUET ont été archivées (1 bilan(s) verrouillé(s)).",
     "details": [{"champ": "archive[T1]", "libelle": "Bilan T1 archivé", "ancien": None,
                  "nouveau": "Timothée Arthur HUET, division 4A, période T1, verrouillé, 11 acquis"}]},
    {"niveau": "info", "division": "4A", "code": "M2", "texte": "L'élève Timothée-Arthur HUET (4A) a été mis à jour.",
     "details": [{"champ": "prenoms", "libelle": "Prénoms", "ancien": "Timothée, Arthur",
                  "nouveau": "Timothée-Arthur"}]},
    {"niveau": "avertissement", "division": "3B", "code": "M5",
     "texte": "Aucune période n'est paramétrée pour la division 3B.", "details": []},
]


def test_openapi_et_documentation(client: TestClient) -> None:
    schema = client.get("/api/openapi.json").json()
    assert schema["info"]["title"] == "LSUN — Synchronisation base élèves"
    chemins = set(schema["paths"])
    assert {"/api/etablissements/{uai}/synchronisations", "/api/taches/{tache_id}", "/api/synchronisations/{run_id}",
            "/api/synchronisations/{run_id}/messages", "/api/etablissements/{uai}/audit",
            "/api/etablissements/{uai}/bilans/{eleve_id}/{periode}"} <= chemins
    assert all(c.startswith("/api/") for c in chemins), "les pages ne sont pas dans la description de l'API"
    docs = client.get("/api/docs")
    assert docs.status_code == 200
    assert "/api/etablissements/{uai}/synchronisations" in docs.text


@pytest.mark.parametrize("chemin", [*LECTURES, *ECRITURES, "/api/taches/x", "/api/synchronisations/x"])
def test_anonyme_recoit_401_en_json(client: TestClient, site: Site, chemin: str) -> None:
    client.cookies.clear()
    avant = site.evenements()
    reponse = client.post(chemin, json=ECRITURES[chemin]) if chemin in ECRITURES else client.get(chemin)
    assert reponse.status_code == 401
    assert reponse.json() == {"erreur": "Connexion requise : identifiez-vous."}
    assert site.evenements() == avant


def test_jeton_invalide_401(client: TestClient) -> None:
    reponse = client.get("/api/moi", headers={"Authorization": "Bearer lsun_faux"})
    assert reponse.status_code == 401
    assert reponse.json() == {"erreur": "Jeton d'accès invalide ou révoqué."}


@pytest.mark.parametrize("qui", ["principale", "prof", "academie", "autre-chef"])
def test_matrice_des_droits_en_lecture(client: TestClient, site: Site, qui: str) -> None:
    client.cookies.clear()
    for chemin, autorises in LECTURES.items():
        reponse = client.get(chemin, headers=site.entete(qui))
        if qui in autorises:
            assert reponse.status_code == 200, (chemin, reponse.text)
        else:
            assert reponse.status_code == 403, (chemin, reponse.text)
            assert set(reponse.json()) == {"erreur"}
            assert "0999001X" in reponse.json()["erreur"] or "réservé" in reponse.json()["erreur"]
    visibles = [e["uai"] for e in client.get("/api/etablissements", headers=site.entete(qui)).json()["etablissements"]]
    assert visibles == ([] if qui == "autre-chef" else [UAI])


@pytest.mark.parametrize("qui", ["prof", "academie", "autre-chef"])
def test_seul_le_chef_ecrit_les_autres_recoivent_403_sans_rien_enregistrer(client: TestClient, site: Site,
                                                                            qui: str) -> None:
    client.cookies.clear()
    for chemin, corps in ECRITURES.items():
        avant = site.evenements()
        reponse = client.post(chemin, json=corps, headers=site.entete(qui))
        assert reponse.status_code == 403, (chemin, reponse.text)
        assert site.evenements() == avant
    refus = client.post(f"/api/etablissements/{UAI}/synchronisations", json={"toutes": True},
                        headers=site.entete(qui)).json()
    attendu = ("Accès refusé : votre compte n'a pas accès à l'établissement 0999001X." if qui == "autre-chef"
               else "Seul le chef d'établissement peut lancer une synchronisation.")
    assert refus == {"erreur": attendu}


def test_le_chef_ecrit_avec_son_jeton(client: TestClient, site: Site) -> None:
    client.cookies.clear()
    chef = site.entete("principale")
    chemin_verrou = f"/api/etablissements/{UAI}/verrouillage"
    reponse = client.post(chemin_verrou, json={"division": "4B", "periode": "T2", "eleve": "2400151"}, headers=chef)
    assert reponse.json() == {"division": "4B", "periode": "T2", "verrouiller": True, "bilans": 1}
    assert client.get(f"/api/etablissements/{UAI}/bilans/2400151/T2", headers=chef).json()["etat"] == "verrouillé"
    reponse = client.post(chemin_verrou, json={"division": "4B", "periode": "T2", "eleve": "2400151",
                                               "verrouiller": False}, headers=chef)
    assert reponse.json()["bilans"] == 1
    bilan = client.get(f"/api/etablissements/{UAI}/bilans/2400151/T2", headers=chef).json()
    assert bilan["etat"] == "en cours de saisie"
    assert [h["evenement"] for h in bilan["historique"]][-2:] == ["BilanVerrouille", "BilanDeverrouille"]
    assert {h["acteur"] for h in bilan["historique"][-2:]} == {"Mme Dupont (chef)"}

    avant = site.evenements()
    corps = ECRITURES[f"/api/etablissements/{UAI}/divisions/4B/periodes"]
    reponse = client.post(f"/api/etablissements/{UAI}/divisions/4B/periodes", json=corps, headers=chef)
    assert reponse.status_code == 200
    assert site.evenements() == avant  # the same periods: nothing changes

    simulation = client.post(f"/api/etablissements/{UAI}/synchronisations", json={"divisions": ["4B"],
                                                                                  "simulation": True}, headers=chef)
    assert simulation.status_code == 202
    assert simulation.headers["location"] == simulation.json()["suivi"]
    fini = attendre_tache(client, simulation.json()["suivi"], headers=chef)
    assert fini["etat"] == "terminee"
    assert fini["synchronisation"] is None and fini["resultat"]["statut"] == "simulation"
    assert site.evenements() == avant


@pytest.mark.parametrize(("chemin", "corps", "statut", "erreur"), [
    (f"/api/etablissements/{UAI}/synchronisations", {"divisions": ["4A", "9Z"]}, 400,
     "La division « 9Z » n'existe pas dans l'établissement 0999001X. Divisions connues : 3B, 4A, 4B."),
    (f"/api/etablissements/{UAI}/synchronisations", {"divisions": []}, 400,
     "Choisissez au moins une division, ou « tout sélectionner »."),
    (f"/api/etablissements/{UAI}/synchronisations", {"divisions": ["4A"], "toutes": True}, 400,
     "Indiquez « divisions » ou « toutes », pas les deux."),
    (f"/api/etablissements/{UAI}/synchronisations", {"divisions": "4A"}, 400,
     "Requête invalide : le champ « divisions » doit être une liste."),
    (f"/api/etablissements/{UAI}/synchronisations", {"divisions": ["4A"], "en_plus": 1}, 400,
     "Requête invalide : le champ « en_plus » n'est pas attendu."),
    (f"/api/etablissements/{UAI}/synchronisations", {"divisions": ["4A"], "source": "ftp"}, 400,
     "Requête invalide : le champ « source » est invalide."),
    ("/api/etablissements/XYZ/synchronisations", {"toutes": True}, 400,
     "UAI « XYZ » invalide : attendu 7 chiffres et une lettre (ex. 0999001X)."),
    (f"/api/etablissements/{UAI}/verrouillage", {"division": "4A"}, 400,
     "Requête invalide : le champ « periode » est obligatoire."),
    (f"/api/etablissements/{UAI}/verrouillage", {"division": "4A", "periode": "T9"}, 400,
     "La période « T9 » n'est pas paramétrée pour la division 4A (périodes paramétrées : T1, T2, T3). "
     "Paramétrez d'abord les périodes de la division."),
    (f"/api/etablissements/{UAI}/divisions/4B/periodes", {"periodes": [
        {"code": "T1", "debut": "2025-09-01", "fin": "2025-12-31"}, {"code": "T2", "debut": "2025-12-01", "fin": "2026-03-01"}]},
     400, "Les périodes T1 et T2 se chevauchent."),
    (f"/api/etablissements/{UAI}/divisions/4B/periodes", {"periodes": [{"code": "T1", "debut": "1er septembre",
                                                                        "fin": "2026-03-01"}]},
     400, "Requête invalide : le champ « periodes.0.debut » doit être une date AAAA-MM-JJ."),
])
def test_mauvaises_requetes_erreur_claire_rien_enregistre(client: TestClient, site: Site, chemin: str,
                                                         corps: dict[str, Any], statut: int, erreur: str) -> None:
    client.cookies.clear()
    avant = site.evenements()
    reponse = client.post(chemin, json=corps, headers=site.entete("principale"))
    assert (reponse.status_code, reponse.json()) == (statut, {"erreur": erreur})
    assert site.evenements() == avant


def test_corps_qui_n_est_pas_du_json(client: TestClient, site: Site) -> None:
    client.cookies.clear()
    avant = site.evenements()
    reponse = client.post(f"/api/etablissements/{UAI}/synchronisations", content=b"{divisions: 4A",
                          headers={**site.entete("principale"), "Content-Type": "application/json"})
    assert (reponse.status_code, reponse.json()) == (400, {"erreur": "Requête invalide : le corps n'est pas un JSON valide."})
    assert site.evenements() == avant


@pytest.mark.parametrize(("chemin", "statut", "erreur"), [
    ("/api/synchronisations/pas-un-identifiant", 404, "Aucune synchronisation d'identifiant pas-un-identifiant."),
    ("/api/synchronisations/00000000-0000-0000-0000-000000000000/messages", 404,
     "Aucune synchronisation d'identifiant 00000000-0000-0000-0000-000000000000."),
    ("/api/taches/inconnue", 404, "Aucune synchronisation en cours ou récente d'identifiant inconnue."),
    (f"/api/etablissements/{UAI}/bilans/9999999/T1", 404, "Aucun élève d'identifiant 9999999 dans l'établissement 0999001X."),
    (f"{BILAN}?au=2025-11-01&version=1", 400, "Indiquez « au » ou « version », pas les deux."),
    (f"{BILAN}?au=demain", 400, "Requête invalide : le champ « au » doit être une date AAAA-MM-JJ."),
    (f"{BILAN}?version=999", 404, "La version 999 n'existe pas (versions 1 à 2)."),
    (f"/api/etablissements/{UAI}/bilans?division=9Z&periode=T1", 400,
     "La division « 9Z » n'existe pas dans l'établissement 0999001X. Divisions connues : 3B, 4A, 4B."),
    (f"/api/etablissements/{UAI}/audit?du=hier", 400, "Requête invalide : le champ « du » doit être une date AAAA-MM-JJ."),
])
def test_lectures_invalides(client: TestClient, site: Site, chemin: str, statut: int, erreur: str) -> None:
    client.cookies.clear()
    reponse = client.get(chemin, headers=site.entete("principale"))
    if "version=999" in chemin and reponse.status_code == 404:  # HUET's T1 gets a version per run of the module
        assert reponse.json()["erreur"].startswith("La version 999 n'existe pas (versions 1 à ")
        return
    assert (reponse.status_code, reponse.json()) == (statut, {"erreur": erreur})


def test_l_admin_sur_un_etablissement_inconnu_404(client: TestClient, site: Site) -> None:
    client.cookies.clear()
    reponse = client.get("/api/etablissements/0123456A/divisions", headers=site.entete("academie"))
    assert reponse.status_code == 404
    assert reponse.json()["erreur"].startswith("L'établissement 0123456A n'a pas été importé")


def test_une_synchronisation_a_la_fois_409(client: TestClient, site: Site) -> None:
    client.cookies.clear()
    taches = client.app.state.taches  # type: ignore[attr-defined]
    relache = threading.Event()
    bloquee = taches.lancer(DemandeSynchronisation(uai=UAI, acteur="test", jour=JOUR, divisions=("4A",)),
                            "principale", "source du test", source_bloquee(relache, 10))
    avant = site.evenements()
    reponse = client.post(f"/api/etablissements/{UAI}/synchronisations", json={"toutes": True},
                          headers=site.entete("principale"))
    assert (reponse.status_code, reponse.json()) == (409, {"erreur": "Une synchronisation de l'établissement 0999001X "
                                                                     "est déjà en cours : attendez qu'elle se termine."})
    relache.set()
    fini = attendre_tache(client, f"/api/taches/{bloquee.id}", headers=site.entete("principale"))
    assert fini["etat"] == "echouee"
    assert fini["erreur"] == "Fichier « siecle.zip » : lecture interrompue par le test"
    assert site.evenements() == avant


def test_deposer_les_exports_par_l_api(client: TestClient, site: Site, tmp_path: Path) -> None:
    client.cookies.clear()
    chemin = f"/api/etablissements/{UAI}/exports"
    siecle, sts = exports_modifies(tmp_path)
    fichiers = {"siecle": ("export-siecle.zip", siecle.read_bytes()), "sts": (sts.name, sts.read_bytes())}
    assert client.post(chemin, files=fichiers, headers=site.entete("prof")).status_code == 403
    reponse = client.post(chemin, files=fichiers, headers=site.entete("principale"))
    assert reponse.status_code == 200, reponse.text
    assert reponse.json()["par"] == "Mme Dupont (chef)"
    assert "(export-siecle.zip, sts_emp_0999001X_2025.xml)" in reponse.json()["source"]
    refus = client.post(chemin, files={"siecle": ("vide.zip", b""), "sts": (sts.name, sts.read_bytes())},
                        headers=site.entete("principale"))
    assert (refus.status_code, refus.json()) == (400, {"erreur": "Le fichier SIECLE « vide.zip » est vide ou n'a pas "
                                                                 "été choisi."})
    autre_annee = client.post(chemin, files={**fichiers, "sts": ("sts_emp_0999001X_2024.xml", sts.read_bytes().replace(
        b'ANNEE_SCOLAIRE ANNEE="2025"', b'ANNEE_SCOLAIRE ANNEE="2024"'))}, headers=site.entete("principale"))
    assert autre_annee.status_code == 400
    assert autre_annee.json()["erreur"].startswith("Exports refusés, rien n'a été enregistré. Fichier « sts_emp_0999001X_2024.xml »")


def test_synchronisation_avec_la_session_et_le_jeton_csrf(client: TestClient, site: Site) -> None:
    # Logged in through the page: the cookie alone does not allow a change, the CSRF token is required.
    csrf = connecter(client, "principale")
    avant = site.evenements()
    chemin = f"/api/etablissements/{UAI}/synchronisations"
    sans_jeton = client.post(chemin, json={"divisions": ["4A", "3B"]})
    assert sans_jeton.status_code == 403
    assert sans_jeton.json()["erreur"].startswith("Jeton de sécurité (CSRF) absent ou invalide")
    assert client.post(chemin, json={"divisions": ["4A", "3B"]}, headers={"X-CSRF-Token": "faux"}).status_code == 403
    assert site.evenements() == avant

    # Simulation, then the real run: the same messages, SPEC §4's texts in SPEC §8's shape.
    simulation = client.post(chemin, json={"divisions": ["4A", "3B"], "simulation": True},
                             headers={"X-CSRF-Token": csrf})
    assert simulation.status_code == 202
    fini = attendre_tache(client, simulation.json()["suivi"])
    assert fini["resultat"]["messages"] == ATTENDUS
    assert site.evenements() == avant

    lance = client.post(chemin, json={"divisions": ["4A", "3B"]}, headers={"X-CSRF-Token": csrf})
    assert lance.status_code == 202
    fini = attendre_tache(client, lance.json()["suivi"])
    assert (fini["etat"], fini["fait"], fini["total"]) == ("terminee", 13, 13)  # 7 pupils in 4A, 6 in 3B
    resultat = fini["resultat"]
    assert set(resultat) == {"synchronisation", "statut", "messages", "compteurs", "exports_absents"}
    assert resultat["statut"] == "terminee" and resultat["messages"] == ATTENDUS
    assert resultat["compteurs"]["eleves_mis_a_jour"] == 1 and resultat["compteurs"]["bilans_archives"] == 1
    run = fini["synchronisation"]
    assert site.evenements() > avant

    # The run in the history, its messages from the view and regenerated from the events.
    historique = client.get(f"/api/etablissements/{UAI}/synchronisations").json()["synchronisations"]
    assert historique[0]["synchronisation"] == run
    assert (historique[0]["acteur"], historique[0]["divisions"], historique[0]["automatique"]) == (
        "Mme Dupont (chef)", ["4A", "3B"], False)
    assert client.get(f"/api/synchronisations/{run}/messages").json() == {"synchronisation": run, "messages": ATTENDUS}
    assert client.get(f"/api/synchronisations/{run}/messages?regenerer=true").json()["messages"] == ATTENDUS
    detail = client.get(f"/api/synchronisations/{run}").json()
    assert (detail["statut"], detail["messages"]) == ("terminee", ATTENDUS)

    # Who changed HUET: this run, its acteur, the field, old → new; filters combine.
    audit = client.get(f"/api/etablissements/{UAI}/audit", params={"eleve": HUET, "synchronisation": run}).json()
    prenoms = [x for x in audit["lignes"] if x["evenement"] == "EleveMisAJour" and x["champ"] == "prenoms"]
    assert [(x["acteur"], x["ancien"], x["nouveau"]) for x in prenoms] == [
        ("Mme Dupont (chef)", ["Timothée", "Arthur"], ["Timothée-Arthur"])]
    # The stable technical names stay, the French labels beside them.
    assert [(x["evenement_libelle"], x["champ_libelle"]) for x in prenoms] == [("Élève mis à jour", "Prénoms")]
    par_acteur = client.get(f"/api/etablissements/{UAI}/audit", params={"acteur": "Mme Dupont (chef)"}).json()
    assert par_acteur["total"] >= audit["total"] > 0
    hier = client.get(f"/api/etablissements/{UAI}/audit", params={"synchronisation": run, "au": "2000-01-01"}).json()
    assert hier["total"] == 0

    # The locked T1 bilan: archived as it was, readable at any version.
    archives = client.get(f"/api/etablissements/{UAI}/eleves/{HUET}/archives").json()["archives"]
    assert [(a["eleve"], a["acteur"], a["synchronisation"]) for a in archives] == [("Timothée HUET", "Mme Dupont (chef)", run)]
    bilan = client.get(BILAN).json()
    assert bilan["eleve"]["nom"] == "Timothée-Arthur HUET"
    assert [a["eleve"]["nom"] for a in bilan["archives"]] == ["Timothée HUET"]
    premiere = client.get(f"{BILAN}?version=1").json()
    assert (premiere["version"], premiere["etat"], premiere["archives"]) == (1, "en cours de saisie", [])

    # Another school's chef learns nothing of this run.
    client.cookies.clear()
    for chemin_autre in (f"/api/synchronisations/{run}", lance.json()["suivi"]):
        assert client.get(chemin_autre, headers=site.entete("autre-chef")).status_code == 404
