"""French labels of the fields of the domain's values and of the events, as the users name them (messages, their
details, errors, audit). The technical names stay the stable keys (JSON, stored views); these are what is shown."""

from __future__ import annotations

import re
from typing import Any

from lsun_events.aggregates import evenements as ev

CHAMPS: dict[str, str] = {
    # élève
    "nom_de_famille": "Nom de famille",
    "nom_usage": "Nom d'usage",
    "prenoms": "Prénoms",
    "sexe": "Sexe",
    "date_naissance": "Date de naissance",
    "commune_naissance_insee": "Commune de naissance (code INSEE)",
    "ville_naissance": "Ville de naissance",
    "pays_naissance": "Pays de naissance",
    "ine": "INE",
    "mel": "Mél",
    "tel_personnel": "Téléphone personnel",
    "tel_portable": "Téléphone portable",
    "tel_professionnel": "Téléphone professionnel",
    "responsables": "Responsables légaux",
    # scolarité
    "division": "Division",
    "groupes": "Groupes",
    "code_mef": "MEF",
    "options": "Options",
    "date_entree": "Date d'entrée",
    "date_sortie": "Date de sortie",
    # responsable
    "personne_id": "Identifiant",
    "lien": "Lien de parenté",
    "legal": "Responsable légal",
    # adresse
    "lignes": "Lignes d'adresse",
    "code_postal": "Code postal",
    "commune": "Commune",
    "pays": "Pays",
    # enseignant
    "nom": "Nom",
    "prenom": "Prénom",
    "civilite": "Civilité",
    "nom_patronymique": "Nom patronymique",
    "grade": "Grade",
    "fonction": "Fonction",
    "services": "Services d'enseignement",
    "enseignant": "Enseignant",
    "enseignants": "Enseignants",
    # établissement
    "sigle": "Sigle",
    "adresse": "Adresse",
    "telephone": "Téléphone",
    "chef_nom": "Chef d'établissement",
    "chef_qualite": "Qualité du chef d'établissement",
    "academie": "Académie",
    "annee_scolaire": "Année scolaire",
    "synchronisation_automatique": "Synchronisation automatique",
    # division
    "libelle": "Libellé",
    "code": "Code",
    "eleve": "Élève",
    "periodes": "Périodes",
    "periodes_ouvertes": "Périodes ouvertes",
    "profs_principaux": "Professeurs principaux",
    # bilan
    "periode": "Période",
    "etat": "État",
    "acquis": "Acquis",
    "positionnement": "Positionnement",
    "appreciation": "Appréciation",
    "archive": "Archive",
    # synchronisation
    "statut": "Statut",
    "divisions": "Divisions",
    "source": "Source",
    "jour": "Jour de référence",
    "automatique": "Automatique",
    "avertissement": "Avertissement",
    "compteurs": "Compteurs",
    "raison": "Raison",
    "appliquee_par": "Appliquée par la synchronisation",
    "annule": "Synchronisation annulée",
    "annulee_par": "Annulée par la synchronisation",
    "synchronisation_annulee": "Identifiant de la synchronisation annulée",
}

# Detail labels of a message that are not a field's own (one row per service, per guardian).
PROFESSEUR_PRINCIPAL = "Professeur principal"
SERVICE_RETIRE = "Service d'enseignement retiré"
SERVICE_AJOUTE = "Service d'enseignement ajouté"
BILAN_ARCHIVE = "Bilan {periode} archivé"

# The audit's composite field names: « acquis 061300 : positionnement », « acquis 061300 », « groupe 4A1 ».
_ACQUIS_CHAMP = re.compile(r"^acquis (?P<matiere>.+) : (?P<champ>\w+)$")
_ACQUIS = re.compile(r"^acquis (?P<matiere>.+)$")
_GROUPE = re.compile(r"^groupe (?P<groupe>.+)$")


def libelle_champ(nom: str) -> str:
    """« Nom de famille » for ``nom_de_famille``; the audit's « acquis 061300 : positionnement » as « Acquis 061300 —
    positionnement »; an unknown field keeps its technical name."""
    if nom in CHAMPS:
        return CHAMPS[nom]
    if m := _ACQUIS_CHAMP.match(nom):
        return f"Acquis {m['matiere']} — {minuscule(libelle_champ(m['champ']))}"
    if m := _ACQUIS.match(nom):
        return f"Acquis {m['matiere']}"
    if m := _GROUPE.match(nom):
        return f"Groupe {m['groupe']}"
    return nom


def minuscule(libelle: str) -> str:
    """« Adresse » → « adresse » inside a longer label (an acronym such as « INE » or « MEF » stays)."""
    return libelle if libelle[:2].isupper() else libelle[:1].lower() + libelle[1:]


def libelle_responsable(rang: int, legal: bool) -> str:
    """« Responsable légal 1 »: the guardians of a pupil numbered in their stored order."""
    return f"Responsable légal {rang}" if legal else f"Autre responsable {rang}"


def libelle_sous_champ(parent: str, champ: str) -> str:
    """« Responsable légal 1 — adresse »."""
    return f"{parent} — {minuscule(libelle_champ(champ))}"


# SIECLE's CODE_PARENTE, as the BEE names them (another code is shown as it is).
LIENS: dict[str, str] = {"10": "mère", "20": "père"}


# Every event class in French (``tests/test_evenements_par_classe.py``: none missing).
EVENEMENTS: dict[type[Any], str] = {
    ev.EtablissementImporte: "Établissement importé",
    ev.EtablissementMisAJour: "Établissement mis à jour",
    ev.SynchronisationAutomatiqueParametree: "Synchronisation automatique paramétrée",
    ev.DivisionRattachee: "Division rattachée à l'établissement",
    ev.DivisionRecodee: "Division renommée dans l'établissement",
    ev.GroupeDefini: "Groupe défini",
    ev.EnseignantRattache: "Enseignant rattaché à l'établissement",
    ev.DivisionCreee: "Division créée",
    ev.EleveInscritDansDivision: "Élève inscrit dans la division",
    ev.PeriodesParametrees: "Périodes paramétrées",
    ev.PeriodeOuverte: "Période ouverte",
    ev.DivisionMiseAJour: "Division mise à jour",
    ev.ProfsPrincipauxDivisionChanges: "Professeurs principaux de la division changés",
    ev.EleveInscrit: "Élève inscrit",
    ev.EleveMisAJour: "Élève mis à jour",
    ev.EnseignantCree: "Enseignant créé",
    ev.EnseignantMisAJour: "Enseignant mis à jour",
    ev.BilanOuvert: "Bilan ouvert",
    ev.AcquisSaisi: "Acquis saisi",
    ev.AcquisAjoute: "Acquis ajouté",
    ev.EnseignantsAjoutesAcquis: "Enseignants ajoutés à un acquis",
    ev.EnseignantsRetiresAcquis: "Enseignants retirés d'un acquis",
    ev.AcquisRetire: "Acquis retiré",
    ev.ProfPrincipalAjoute: "Professeur principal ajouté",
    ev.ProfPrincipalRetire: "Professeur principal retiré",
    ev.BilanVerrouille: "Bilan verrouillé",
    ev.BilanDeverrouille: "Bilan déverrouillé",
    ev.BilanArchive: "Bilan archivé",
    ev.SynchronisationDemarree: "Synchronisation démarrée",
    ev.AvertissementEmis: "Avertissement émis",
    ev.SynchronisationTerminee: "Synchronisation terminée",
    ev.SynchronisationEchouee: "Synchronisation échouée",
    ev.SynchronisationRetenue: "Synchronisation retenue",
    ev.SynchronisationAbandonnee: "Synchronisation retenue abandonnée",
    ev.SynchronisationRetenueAppliquee: "Synchronisation retenue appliquée",
    ev.AnnulationDemarree: "Annulation d'une synchronisation démarrée",
    ev.SynchronisationAnnulee: "Synchronisation annulée",
}

# By stored name (the audit's ``evenement`` column): the stored name is data, the label follows the class.
EVENEMENTS_PAR_NOM: dict[str, str] = {ev.NOMS[classe]: libelle for classe, libelle in EVENEMENTS.items()}


def libelle_evenement(nom: str) -> str:
    """« Élève mis à jour » for the stored name ``EleveMisAJour``; an unknown name stays as it is."""
    return EVENEMENTS_PAR_NOM.get(nom, nom)
