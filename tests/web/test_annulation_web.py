"""SPEC §9 U5 on the web, on both stores: the API's undo (preview, undo, refusals, only the school's chef) and the
page's « Annuler cette synchronisation » (preview, confirmation, the undone run marked in the history)."""

from __future__ import annotations

import html
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient

from lsun_events.application.synchronisation import DemandeSynchronisation
from lsun_events.generateur import variantes as v
from lsun_events.generateur.ecriture import ecrire_exports
from lsun_events.generateur.generation import generer
from lsun_events.sources.snapshot import charger_exports
from lsun_events.systeme import Systeme
from tests.web.conftest import HUET, JOUR, UAI, Site, attendre_tache, connecter


def synchroniser_4a(client: TestClient, site: Site) -> str:
    """A run of 4A from the deposited exports (HUET renamed: an archive and M2; HADDAD gone: M1)."""
    client.cookies.clear()
    lance = client.post(f"/api/etablissements/{UAI}/synchronisations", json={"divisions": ["4A"]},
                        headers=site.entete("principale"))
    assert lance.status_code == 202, lance.text
    tache = attendre_tache(client, lance.json()["suivi"], headers=site.entete("principale"))
    assert tache["etat"] == "terminee", tache
    return str(tache["synchronisation"])


def annuler_api(client: TestClient, site: Site, run: str, *, simulation: bool) -> dict[str, Any]:
    lance = client.post(f"/api/etablissements/{UAI}/synchronisations/{run}/annulation",
                        json={"simulation": simulation}, headers=site.entete("principale"))
    assert lance.status_code == 202, lance.text
    assert lance.headers["location"] == lance.json()["suivi"]
    assert lance.json()["annule"] == run
    return attendre_tache(client, lance.json()["suivi"], headers=site.entete("principale"))


def test_api_apercu_puis_annulation_puis_refus(client: TestClient, site: Site) -> None:
    run = synchroniser_4a(client, site)
    chemin = f"/api/etablissements/{UAI}/synchronisations/{run}/annulation"
    avant = site.evenements()
    for qui in ("prof", "academie", "autre-chef"):
        refus = client.post(chemin, json={"simulation": True}, headers=site.entete(qui))
        assert refus.status_code == 403, (qui, refus.text)
    assert client.post(chemin, json={"simulation": "peut-être"}, headers=site.entete("principale")).status_code == 400
    assert client.post(chemin, json={"tout": True}, headers=site.entete("principale")).status_code == 400

    apercu = annuler_api(client, site, run, simulation=True)
    assert apercu["etat"] == "terminee" and apercu["synchronisation"] is None
    corps = apercu["resultat"]
    assert set(corps) == {"synchronisation", "statut", "messages", "compteurs", "exports_absents"}
    assert corps["statut"] == "simulation"
    assert corps["messages"][0]["code"] == "M13"
    assert corps["messages"][0]["texte"].endswith("(Mme Dupont (chef)) a été annulée.")
    assert "L'élève Timothée HUET (4A) a été mis à jour." in [m["texte"] for m in corps["messages"]]
    assert site.evenements() == avant

    fait = annuler_api(client, site, run, simulation=False)
    assert fait["etat"] == "terminee", fait
    assert fait["total"] >= 1 and fait["fait"] == fait["total"]
    assert fait["resultat"]["statut"] == "terminee"
    assert [m["texte"] for m in fait["resultat"]["messages"]] == [m["texte"] for m in corps["messages"]]
    assert site.evenements() > avant
    undo = fait["synchronisation"]
    runs = {r["synchronisation"]: r for r in client.get(f"/api/etablissements/{UAI}/synchronisations",
                                                        headers=site.entete("principale")).json()["synchronisations"]}
    assert runs[run]["annulee_par"] == undo and runs[run]["annulee_acteur"] == "Mme Dupont (chef)"
    assert runs[undo]["annule"] == run

    avant = site.evenements()
    encore = client.post(chemin, json={}, headers=site.entete("principale"))
    assert encore.status_code == 409
    assert encore.json()["erreur"].startswith("Cette synchronisation a déjà été annulée")
    annuler_l_annulation = client.post(f"/api/etablissements/{UAI}/synchronisations/{undo}/annulation", json={},
                                       headers=site.entete("principale"))
    assert annuler_l_annulation.status_code == 409
    assert "elle-même une annulation" in annuler_l_annulation.json()["erreur"]
    inconnue = client.post(f"/api/etablissements/{UAI}/synchronisations/pas-un-run/annulation", json={},
                           headers=site.entete("principale"))
    assert inconnue.status_code == 404 and "erreur" in inconnue.json()
    assert site.evenements() == avant


def test_api_refus_liste_ce_qui_a_change_depuis(client: TestClient, site: Site, tmp_path: Path) -> None:
    run = synchroniser_4a(client, site)
    # A later run changes HUET again.
    ecrits = ecrire_exports(v.renommer_eleve(generer("mini"), HUET, prenoms=["Tim"]), tmp_path / "plus-tard")
    with Systeme(site.store) as s:
        s.app.synchroniser(DemandeSynchronisation(uai=UAI, acteur="M. Adjoint", jour=JOUR, divisions=("4A",)),
                           charger_exports(ecrits.siecle_dossier, ecrits.sts))
    avant = site.evenements()
    refus = annuler_api(client, site, run, simulation=False)
    assert refus["etat"] == "echouee" and refus["resultat"] is None
    lignes = refus["erreur"].split("\n")
    assert lignes[0].startswith("La synchronisation du ") and "ne peut pas être annulée" in lignes[0]
    assert len(lignes) == 2 and lignes[1].startswith("  – l'élève Tim HUET : mis à jour par une synchronisation le ")
    assert lignes[1].endswith("(M. Adjoint)")
    assert site.evenements() == avant

    # The page says the same, the list as a list.
    csrf = connecter(client, "principale")
    page = client.post(f"/etablissements/{UAI}/synchronisations/{run}/annulation",
                       data={"action": "apercu", "csrf": csrf}, follow_redirects=False)
    assert page.status_code == 303
    attendre_tache(client, page.headers["location"].replace(f"/etablissements/{UAI}/taches/", "/api/taches/"))
    suivi = html.unescape(client.get(page.headers["location"]).text)
    assert "Aperçu de l'annulation impossible : rien n'a été enregistré." in suivi
    assert "<li>l'élève Tim HUET : mis à jour par une synchronisation le " in suivi
    assert "Confirmer l'annulation" not in suivi


def test_page_apercu_confirmation_et_run_marque(client: TestClient, site: Site) -> None:
    run = synchroniser_4a(client, site)
    connecter(client, "principale")
    rapport = client.get(f"/etablissements/{UAI}/synchronisations/{run}")
    assert "Annuler cette synchronisation" in rapport.text
    csrf = rapport.text.split('name="csrf" value="')[1].split('"')[0]
    chemin = f"/etablissements/{UAI}/synchronisations/{run}/annulation"
    avant = site.evenements()
    assert client.post(chemin, data={"action": "apercu"}, follow_redirects=False).status_code == 403  # no CSRF
    lance = client.post(chemin, data={"action": "apercu", "csrf": csrf}, follow_redirects=False)
    assert lance.status_code == 303
    attendre_tache(client, lance.headers["location"].replace(f"/etablissements/{UAI}/taches/", "/api/taches/"))
    apercu = html.unescape(client.get(lance.headers["location"]).text)
    assert "Aperçu terminé : rien n'a été enregistré." in apercu and "Confirmer l'annulation" in apercu
    assert "a été annulée." in apercu
    assert site.evenements() == avant

    fait = client.post(chemin, data={"action": "annuler", "csrf": csrf}, follow_redirects=False)
    assert fait.status_code == 303
    tache = attendre_tache(client, fait.headers["location"].replace(f"/etablissements/{UAI}/taches/", "/api/taches/"))
    suivi = html.unescape(client.get(fait.headers["location"]).text)
    assert "Annulation terminée." in suivi and "Confirmer l'annulation" not in suivi
    undo_page = client.get(f"/etablissements/{UAI}/synchronisations/{tache['synchronisation']}")
    assert f'href="/etablissements/{UAI}/synchronisations/{run}"' in undo_page.text
    assert "Annuler cette synchronisation" not in undo_page.text  # an undo is not undone
    annulee = client.get(f"/etablissements/{UAI}/synchronisations/{run}")
    assert "annulée le" in annulee.text and "par Mme Dupont (chef)" in annulee.text
    assert "Annuler cette synchronisation" not in annulee.text
    assert "annulée le" in client.get(f"/etablissements/{UAI}/synchronisations").text
    # Refused at once, on the page too, once undone.
    refus = client.post(chemin, data={"action": "apercu", "csrf": csrf}, follow_redirects=False)
    assert refus.status_code == 409 and "déjà été annulée" in refus.text

    # A teacher sees the report, not the button, and cannot undo.
    connecter(client, "prof")
    assert "Annuler cette synchronisation" not in client.get(f"/etablissements/{UAI}/synchronisations/{run}").text
