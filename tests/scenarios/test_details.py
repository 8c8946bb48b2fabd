"""Issue 16, « what changed, in every report »: the details of each message about a change (field, French label,
old → new), from the events, on an SQLite file and on PostgreSQL — the run, its simulation, the stored report and
the report regenerated from the events give the same; the CSV has one row per field."""

from __future__ import annotations

import csv
import io
from typing import Any

from lsun_events.application.synchronisation import evenements_du_run
from lsun_events.generateur import variantes as v
from lsun_events.generateur.variantes import copier
from lsun_events.interfaces.web.rapport_web import en_csv
from lsun_events.projections import rapports
from lsun_events.regles.messages import Message, rapport
from tests.scenarios.conftest import Etablissement

HUET = "2400102"  # Timothée Arthur HUET, 4A, T1 locked


def en_json(messages: list[Message]) -> list[dict[str, Any]]:
    return [m.en_dict() for m in messages]


def stocke_et_regenere(e: Etablissement, run: Any) -> tuple[list[Message], list[Message]]:
    with e.systeme.lire("rapports") as c:
        stocke = rapports.messages_du_run(c, str(run))
    return stocke, rapport(evenements_du_run(e.app, run))


def test_scenario_1_les_details_champ_par_champ_en_json_et_en_csv(etablissement: Etablissement) -> None:
    e = etablissement
    corrige = v.renommer_eleve(e.ecole, HUET, prenoms=["Timothée-Arthur", "Yves"], nom_de_famille="HUET-LEROY")
    simulation = e.synchroniser(corrige, "4A", simulation=True)
    resultat = e.synchroniser(corrige, "4A")

    attendu = [
        {"niveau": "info", "division": "4A", "code": "M12",
         "texte": "Les informations LSUN de l'élève Timothée-Arthur HUET-LEROY ont été archivées "
                  "(1 bilan(s) verrouillé(s)).",
         "details": [{"champ": "archive[T1]", "libelle": "Bilan T1 archivé", "ancien": None,
                      "nouveau": "Timothée Arthur HUET, division 4A, période T1, verrouillé, 11 acquis"}]},
        {"niveau": "info", "division": "4A", "code": "M2",
         "texte": "L'élève Timothée-Arthur HUET-LEROY (4A) a été mis à jour.",
         "details": [{"champ": "nom_de_famille", "libelle": "Nom de famille", "ancien": "HUET",
                      "nouveau": "HUET-LEROY"},
                     {"champ": "prenoms", "libelle": "Prénoms", "ancien": "Timothée, Arthur",
                      "nouveau": "Timothée-Arthur, Yves"}]},
    ]
    assert en_json(resultat.messages) == attendu
    # The preview shows exactly what the run writes; the stored and the regenerated reports say the same.
    assert simulation.messages == resultat.messages
    stocke, regenere = stocke_et_regenere(e, resultat.synchronisation)
    assert stocke == regenere == resultat.messages

    lignes = list(csv.reader(io.StringIO(en_csv(stocke).lstrip("\ufeff")), delimiter=";"))
    assert lignes == [
        ["division", "niveau", "code", "message", "champ", "ancien", "nouveau"],
        ["4A", "info", "M12", attendu[0]["texte"], "Bilan T1 archivé", "",
         "Timothée Arthur HUET, division 4A, période T1, verrouillé, 11 acquis"],
        ["4A", "info", "M2", attendu[1]["texte"], "Nom de famille", "HUET", "HUET-LEROY"],
        ["4A", "info", "M2", attendu[1]["texte"], "Prénoms", "Timothée, Arthur", "Timothée-Arthur, Yves"],
    ]

    # Rerun: nothing changed, no message, no detail.
    assert e.synchroniser(corrige, "4A").messages == []


def test_un_responsable_legal_dont_l_adresse_change(etablissement: Etablissement) -> None:
    e = etablissement
    ecole = copier(e.ecole)
    eleve = next(x for x in ecole.eleves if x.eleve_id == HUET)
    responsable = eleve.responsables[0]
    assert responsable.adresse is not None
    ancienne = list(responsable.adresse.lignes)
    responsable.adresse.lignes = ["12 rue des Lilas"]
    responsable.tel_portable = "0611223344"
    resultat = e.synchroniser(ecole, "4A")
    [m2] = [m for m in resultat.messages if m.code == "M2"]
    par_champ = {d["champ"]: d for d in m2.en_dict()["details"]}
    pid = responsable.personne_id
    rang = next(i for i, d in enumerate(m2.details, start=1) if d.champ.startswith(f"responsables[{pid}]"))
    adresse = par_champ[f"responsables[{pid}].adresse"]
    assert adresse["libelle"].startswith("Responsable légal ") and adresse["libelle"].endswith(" — adresse")
    assert rang >= 1
    assert adresse["ancien"].startswith(", ".join(ancienne))
    assert adresse["nouveau"].startswith("12 rue des Lilas, ")
    assert "{" not in adresse["nouveau"] and "Adresse(" not in adresse["nouveau"]  # readable French, not JSON
    portable = par_champ[f"responsables[{pid}].tel_portable"]
    assert portable["libelle"].endswith(" — téléphone portable") and portable["nouveau"] == "0611223344"
    stocke, regenere = stocke_et_regenere(e, resultat.synchronisation)
    assert stocke == regenere == resultat.messages


def test_enseignant_renomme_pp_change_division_renommee(etablissement: Etablissement) -> None:
    e = etablissement
    # M4, once per division where the teacher is linked, each with the same details.
    resultat = e.synchroniser(v.renommer_enseignant(e.ecole, "29380", nom_usage="PÉRIER-LEGRAND"), "4A", "4B")
    assert [(m.code, m.division, m.en_dict()["details"]) for m in resultat.messages] == [
        ("M4", d, [{"champ": "nom_usage", "libelle": "Nom d'usage", "ancien": "PÉRIER", "nouveau": "PÉRIER-LEGRAND"}])
        for d in ("4A", "4B")]

    # M8 / M11: the PP added has no old value, the one removed no new value.
    resultat = e.synchroniser(v.changer_pp(e.ecole, "4A", "86704"), "4A")
    m8 = next(m for m in resultat.messages if m.code == "M8")
    m11 = next(m for m in resultat.messages if m.code == "M11")
    assert m8.en_dict()["details"] == [{"champ": "profs_principaux", "libelle": "Professeur principal",
                                        "ancien": None, "nouveau": "LAËTITIA DURAND"}]
    assert m11.en_dict()["details"] == [{"champ": "profs_principaux", "libelle": "Professeur principal",
                                         "ancien": "STÉPHANIE ANDRÉ", "nouveau": None}]
    stocke, regenere = stocke_et_regenere(e, resultat.synchronisation)
    assert stocke == regenere == resultat.messages

    # M9: the code, and the libellé changed with it.
    resultat = e.synchroniser(v.renommer_division(e.ecole, "4A", "4E", libelle="4EME E"), "4A")
    [m9] = [m for m in resultat.messages if m.code == "M9"]
    details = m9.en_dict()["details"]
    assert details[0] == {"champ": "code", "libelle": "Code", "ancien": "4A", "nouveau": "4E"}
    assert details[1]["champ"] == "libelle" and details[1]["nouveau"] == "4EME E"
    stocke, regenere = stocke_et_regenere(e, resultat.synchronisation)
    assert stocke == regenere == resultat.messages
