"""Issue 16: the details of the messages and the French labels, as pure rules (no store): labels of every event
class, values in readable French, merging of identical messages, reports stored before details existed, the page's
fragment (folded details, the group of no division)."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime

from lsun_events.aggregates.evenements import EVENEMENTS, NOMS
from lsun_events.aggregates.valeurs import Adresse, Changement, Responsable, ServiceEnseignement
from lsun_events.interfaces.web.rapport_web import en_csv, grouper
from lsun_events.interfaces.web.rendu import TEMPLATES
from lsun_events.projections.rapports import element_de_ligne, valeurs_en_texte
from lsun_events.regles import libelles
from lsun_events.regles.audit_fr import valeur_audit
from lsun_events.regles.details import Detail, de_changements, detail
from lsun_events.regles.messages import Element, Message, assembler, date_locale, ordonner
from lsun_events.regles.valeurs_fr import texte


def test_chaque_classe_d_evenement_a_son_libelle_francais() -> None:
    assert set(libelles.EVENEMENTS) == set(EVENEMENTS)
    assert {NOMS[c] for c in EVENEMENTS} == set(libelles.EVENEMENTS_PAR_NOM)
    assert libelles.libelle_evenement("EleveMisAJour") == "Élève mis à jour"
    assert libelles.libelle_evenement("InconnuDuCode") == "InconnuDuCode"
    assert len(set(libelles.EVENEMENTS.values())) == len(libelles.EVENEMENTS)


def test_libelles_des_champs_y_compris_ceux_composes_de_l_audit() -> None:
    assert libelles.libelle_champ("prenoms") == "Prénoms"
    assert libelles.libelle_champ("nom_de_famille") == "Nom de famille"
    assert libelles.libelle_champ("acquis 061300 : positionnement") == "Acquis 061300 — positionnement"
    assert libelles.libelle_champ("acquis 4/B #1") == "Acquis 4/B #1"
    assert libelles.libelle_champ("groupe 4A1") == "Groupe 4A1"
    assert libelles.libelle_champ("inconnu") == "inconnu"
    assert libelles.libelle_sous_champ("Responsable légal 1", "adresse") == "Responsable légal 1 — adresse"
    assert libelles.libelle_sous_champ("Responsable légal 1", "ine") == "Responsable légal 1 — INE"


def test_valeurs_en_francais_lisible_jamais_en_json() -> None:
    adresse = Adresse(("3 rue Haute", "Bât. B"), "75011", "PARIS", "FRANCE")
    assert texte(adresse) == "3 rue Haute, Bât. B, 75011 PARIS, FRANCE"
    assert texte(json.loads(json.dumps(adresse.en_dict()))) == texte(adresse)  # the stored form reads the same
    resp = Responsable("41", "MME", "MARTIN", "Claire", "10", True, adresse, tel_portable="0611")
    assert texte(resp) == "MME Claire MARTIN (mère) — 3 rue Haute, Bât. B, 75011 PARIS, FRANCE — tél. portable 0611"
    service = ServiceEnseignement("4A", "D", "061300", "MATHEMATIQUES", "S")
    assert texte(service) == "MATHEMATIQUES (061300) — division 4A (modalité S)"
    assert texte(date(2011, 3, 4), "date_naissance") == "04/03/2011"
    assert texte("2011-03-04", "date_naissance") == "04/03/2011"
    assert texte(("Timothée", "Arthur")) == "Timothée, Arthur"
    assert texte(None) == "" and texte(True) == "oui"
    assert texte({"code": "T1", "debut": "2025-09-01", "fin": "2025-11-30"}) == "T1 (du 01/09/2025 au 30/11/2025)"
    assert valeur_audit("avertissement", {"code": "M1", "eleve": "Léa MARTIN"}, "4A") == (
        "M1 : L'élève Léa MARTIN n'est plus scolarisé dans la division 4A.")


def test_services_et_responsables_champ_par_champ() -> None:
    maths = ServiceEnseignement("4A", "D", "061300", "MATHEMATIQUES")
    svt = ServiceEnseignement("4A1", "G", "062900", "SVT")
    details = de_changements([Changement("services", (maths,), (maths, svt)),
                              Changement("date_naissance", date(2011, 3, 4), date(2011, 4, 3))])
    assert [d.en_dict() for d in details] == [
        {"champ": "services", "libelle": "Service d'enseignement ajouté", "ancien": None,
         "nouveau": "SVT (062900) — groupe 4A1"},
        {"champ": "date_naissance", "libelle": "Date de naissance", "ancien": "04/03/2011", "nouveau": "03/04/2011"}]
    mere = Responsable("41", "MME", "MARTIN", "Claire", "10")
    pere = Responsable("42", "M.", "MARTIN", "Paul", "20")
    details = de_changements([Changement("responsables", (mere,), (Responsable("41", "MME", "DURAND", "Claire", "10"),
                                                                    pere))])
    assert [(d.champ, d.libelle, d.ancien_texte, d.nouveau_texte) for d in details] == [
        ("responsables[41].nom", "Responsable légal 1 — nom", "MARTIN", "DURAND"),
        ("responsables[42]", "Responsable légal 2", "", "M. Paul MARTIN (père)")]


def m2(division: str, *details: Detail) -> Message:
    return Message.de("M2", division, details, eleve="Léa MARTIN")


def test_deux_messages_identiques_une_fois_leurs_details_fusionnes() -> None:
    nom = detail("nom_de_famille", "Nom de famille", "MARTIN", "MARTIN-DUPONT")
    mel = detail("mel", "Mél", None, "lea@exemple.fr")
    [seul] = ordonner([m2("4A", nom), m2("4A", nom, mel)], ["4A"])
    assert seul.details == (nom, mel)
    assert len(ordonner([m2("4A", nom), m2("4B", mel)], ["4A", "4B"])) == 2


def test_un_rapport_stocke_avant_les_details_se_relit_sans_details() -> None:
    # A row of the ``rapports`` view written before issue 16: the plain list of values.
    ancien = element_de_ligne("M2", "4A", json.dumps([["eleve", "Léa MARTIN"]]))
    assert ancien.details == ()
    [m] = assembler([Element("S", "", (("divisions", "4A"),)), ancien])
    assert (m.texte, m.details, m.en_dict()["details"]) == ("L'élève Léa MARTIN (4A) a été mis à jour.", (), [])
    # Today's rows keep the details beside the values, in the same column.
    nom = detail("nom_de_famille", "Nom de famille", "MARTIN", "MARTIN-DUPONT")
    el = Element("M2", "4A", (("eleve", "Léa MARTIN"),), (nom,))
    assert element_de_ligne("M2", "4A", valeurs_en_texte(el)) == el
    # A web task's result kept before details existed (three items per message).
    assert Message.de_liste(["M2", "4A", [["division", "4A"], ["eleve", "Léa MARTIN"]]]).details == ()
    message = m2("4A", nom)
    assert Message.de_liste(json.loads(json.dumps(message.en_liste()))) == message


def test_csv_une_ligne_par_champ_et_une_pour_un_message_sans_detail() -> None:
    nom = detail("nom_de_famille", "Nom de famille", "MARTIN", "=MARTIN")
    m1 = Message.de("M1", "4A", eleve="Noé ROUX")
    lignes = en_csv([m1, m2("4A", nom)]).lstrip("\ufeff").splitlines()
    assert lignes == ["division;niveau;code;message;champ;ancien;nouveau",
                      "4A;avertissement;M1;L'élève Noé ROUX n'est plus scolarisé dans la division 4A.;;;",
                      "4A;info;M2;L'élève Léa MARTIN (4A) a été mis à jour.;Nom de famille;MARTIN;'=MARTIN"]


def test_la_page_plie_les_details_et_titre_annulation_le_groupe_sans_division() -> None:
    m13 = Message.de("M13", "", (detail("synchronisation_annulee", "Synchronisation annulée", None, "abc"),),
                     date=date_locale(datetime(2025, 11, 17, 9, 30, tzinfo=UTC)), acteur="Mme Dupont (chef)")
    nom = detail("nom_de_famille", "Nom de famille", "MARTIN", "MARTIN-DUPONT")
    messages = [m13, m2("4A", nom), Message.de("M1", "4A", eleve="Noé ROUX")]
    groupes = grouper(messages)
    assert [g.titre for g in groupes] == ["Annulation", "Division 4A"]
    html = TEMPLATES.env.get_template("_messages.html").render(groupes=groupes, messages=messages)
    assert "<h3>Annulation" in html and "Division  " not in html
    assert html.count("<details class=\"details-message\">") == 2  # M13 and M2; the warning has none
    assert "<summary>Ce qui a changé (1 champ)</summary>" in html
    assert '<th scope="row" class="champ">Nom de famille</th>' in html
    assert '<td class="ancien">MARTIN</td>' in html and '<td class="nouveau">MARTIN-DUPONT</td>' in html
