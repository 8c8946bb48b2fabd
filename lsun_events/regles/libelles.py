"""French labels of the fields of the domain's values, as the users name them (messages, errors, audit)."""

from __future__ import annotations

CHAMPS: dict[str, str] = {
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
    "nom": "Nom",
    "prenom": "Prénom",
    "civilite": "Civilité",
    "nom_patronymique": "Nom patronymique",
    "grade": "Grade",
    "fonction": "Fonction",
    "services": "Services d'enseignement",
    "sigle": "Sigle",
    "adresse": "Adresse",
    "telephone": "Téléphone",
    "chef_nom": "Chef d'établissement",
    "chef_qualite": "Qualité du chef d'établissement",
    "academie": "Académie",
    "libelle": "Libellé",
    "code": "Code",
}


def libelle_champ(nom: str) -> str:
    """« Nom de famille » for ``nom_de_famille``; an unknown field keeps its technical name."""
    return CHAMPS.get(nom, nom)
