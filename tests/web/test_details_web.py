"""Issue 16 on the pages (FastAPI's client, SQLite and PostgreSQL): the simulation's page, the run's report and
their CSV show what each message changed; « qui a modifié quoi » (page and CSV) in French labels, readable values."""

from __future__ import annotations

import csv
import io
from typing import Any

from bs4 import BeautifulSoup
from fastapi.testclient import TestClient

from tests.web.conftest import HUET, UAI, Site, connecter

SYNCHRO = f"/etablissements/{UAI}/synchronisation"
M2 = "L'élève Timothée-Arthur HUET (4A) a été mis à jour."
PRENOMS = ("Prénoms", "Timothée, Arthur", "Timothée-Arthur")
ARCHIVE = ("Bilan T1 archivé", "—", "Timothée Arthur HUET, division 4A, période T1, verrouillé, 11 acquis")


def soupe(html: str) -> BeautifulSoup:
    return BeautifulSoup(html, "html.parser")


def details_affiches(html: str) -> dict[str, list[tuple[str, str, str]]]:
    """Each message's text → its details (label, old, new), as the page folds them under it."""
    resultat = {}
    for li in soupe(html).select("li.message"):
        lignes = [(tr.select_one("th.champ").text, tr.select_one("td.ancien").text, tr.select_one("td.nouveau").text)
                  for tr in li.select("details.details-message tbody tr")]
        resultat[li.select_one(".texte").text] = lignes
    return resultat


def lire_csv(texte: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(texte.lstrip("\ufeff")), delimiter=";"))


def lancer(client: TestClient, csrf: str, action: str) -> str:
    suivi = client.post(SYNCHRO, data={"csrf": csrf, "divisions": ["4A"], "action": action},
                        follow_redirects=False).headers["location"]
    client.app.state.taches.attendre()  # type: ignore[attr-defined]
    return suivi


def verifier(html: str, fichier: Any) -> None:
    details = details_affiches(html)
    assert details[M2] == [PRENOMS]
    assert details["Les informations LSUN de l'élève Timothée-Arthur HUET ont été archivées (1 bilan(s) "
                   "verrouillé(s))."] == [ARCHIVE]
    assert details["L'élève Noémie HADDAD n'est plus scolarisé dans la division 4A."] == []  # a warning: none
    assert soupe(html).select_one("details.details-message").get("open") is None  # folded until asked
    lignes = lire_csv(fichier.text)
    assert lignes[0] == ["division", "niveau", "code", "message", "champ", "ancien", "nouveau"]
    assert ["4A", "info", "M2", M2, *PRENOMS] in lignes
    assert ["4A", "avertissement", "M1", "L'élève Noémie HADDAD n'est plus scolarisé dans la division 4A.",
            "", "", ""] in lignes


def test_simulation_puis_rapport_montrent_les_details_puis_l_audit_en_francais(client: TestClient,
                                                                                site: Site) -> None:
    csrf = connecter(client, "principale")
    avant = site.evenements()
    suivi = lancer(client, csrf, "simuler")
    verifier(client.get(suivi).text, client.get(f"{suivi}/csv"))
    assert site.evenements() == avant  # the preview saves nothing

    suivi = lancer(client, csrf, "synchroniser")
    page = client.get(suivi).text
    verifier(page, client.get(f"{suivi}/csv"))
    rapport = soupe(page).select_one("#lien-rapport")["href"]
    verifier(client.get(rapport).text, client.get(f"{rapport}/csv"))  # the stored report: the same details

    # « Qui a modifié quoi »: labels and readable values, on the page and in its CSV.
    run = rapport.rsplit("/", 1)[1]
    audit = soupe(client.get(f"/etablissements/{UAI}/audit", params={"eleve": HUET, "synchronisation": run}).text)
    lignes = [[td.text.strip() for td in tr.select("td")] for tr in audit.select("table.audit tbody tr")]
    assert ["Élève mis à jour", *PRENOMS] in [x[4:8] for x in lignes]
    assert ["Bilan archivé", "Archive", "—"] in [x[4:7] for x in lignes]
    assert not any("EleveMisAJour" in " ".join(x) or "prenoms" in x for x in lignes)
    technique = audit.select_one("td.evenement[data-evenement=EleveMisAJour]")
    assert technique is not None and technique.text == "Élève mis à jour"
    fichier = lire_csv(client.get(f"/etablissements/{UAI}/audit/csv",
                                  params={"eleve": HUET, "synchronisation": run}).text)
    assert ["Élève mis à jour", *PRENOMS] in [x[4:8] for x in fichier]
    assert "EleveMisAJour" not in {x[4] for x in fichier}
