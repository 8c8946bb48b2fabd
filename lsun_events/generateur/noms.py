"""French names and places for the generated schools (all invented combinations).

Every character is in ISO-8859-15 (accents, "œ", "Œ", apostrophes, hyphens): the exports are written in it.
"""

from __future__ import annotations

import unicodedata

PRENOMS_FILLES = (
    "Chloé", "Maëlys", "Bérénice", "Zoé", "Léa", "Manon", "Camille", "Inès", "Jade", "Louise", "Emma",
    "Lina", "Anaïs", "Élodie", "Hélène", "Noémie", "Clémence", "Agathe", "Romane", "Maëlle", "Léonie",
    "Héloïse", "Océane", "Éléonore", "Solène", "Gaëlle", "Aïcha", "Fatoumata", "Yasmine", "Salomé",
    "Anne-Sophie", "Marie-Claire", "Lou", "Capucine", "Sarah", "Nour", "Mélissa", "Justine", "Margaux",
    "Célia", "Ambre", "Juliette", "Clara", "Eva", "Alice", "Rose", "Zélie", "Thaïs", "Ophélie", "Noëlie",
)
PRENOMS_GARCONS = (
    "Noël", "Jean-Noël", "Théo", "Lucas", "Mathéo", "Hugo", "Nathan", "Raphaël", "Gaël", "Loïc", "Mehdi",
    "Yanis", "Adam", "Louis", "Gabriel", "Arthur", "Jules", "Léo", "Maël", "Noé", "Éloi", "Timothée",
    "Clément", "Benoît", "François", "Jérôme", "Joël", "Mamadou", "Kévin", "Jean-Baptiste", "Pierre-Louis",
    "Aurélien", "Baptiste", "Évan", "Anaël", "Ismaël", "Côme", "Enzo", "Rémi", "Gaëtan", "Yaël", "Matéo",
    "Sacha", "Tom", "Nolan", "Aymeric", "Quentin", "Hippolyte", "Ilyès", "Joachim",
)
PRENOMS_FEMMES = (
    "Hélène", "Nathalie", "Sandrine", "Isabelle", "Véronique", "Sophie", "Céline", "Valérie", "Karine",
    "Stéphanie", "Aurélie", "Émilie", "Marie-Hélène", "Françoise", "Béatrice", "Frédérique", "Anne-Laure",
    "Géraldine", "Mireille", "Noëlle", "Laëtitia", "Agnès", "Cécile", "Séverine", "Josiane", "Zoë",
)
PRENOMS_HOMMES = (
    "Jean-Noël", "Stéphane", "Frédéric", "Laurent", "Éric", "Thierry", "Jérôme", "Cédric", "Hervé", "Joël",
    "Jean-François", "Benoît", "François", "Grégory", "Sébastien", "Olivier", "Pascal", "Rémi", "Loïc",
    "Noël", "Gaël", "André", "Yannick", "Mickaël", "Jean-Michel", "Abdoulaye",
)
NOMS = (
    "MARTIN", "BERNARD", "DUBOIS", "THOMAS", "ROBERT", "RICHARD", "PETIT", "DURAND", "LEROY", "MOREAU",
    "SIMON", "LAURENT", "LEFÈVRE", "MICHEL", "GARCIA", "DAVID", "BERTRAND", "ROUX", "VINCENT", "FOURNIER",
    "MOREL", "GIRARD", "ANDRÉ", "MERCIER", "DUPONT", "LAMBERT", "BONNET", "FRANÇOIS", "MARTINEZ", "LEGRAND",
    "GARNIER", "FAURE", "ROUSSEAU", "BLANC", "GUÉRIN", "MULLER", "HENRY", "ROUSSEL", "NICOLAS", "PERRIN",
    "MORIN", "MATHIEU", "CLÉMENT", "GAUTHIER", "DUMONT", "LOPEZ", "FONTAINE", "CHEVALIER", "ROBIN",
    "N'DIAYE", "N'GUESSAN", "D'ALMEIDA", "D'ANGELO", "LE GALL", "LE GOFF", "LE BRIS", "DE LA FONTAINE",
    "SAINT-JUST", "SAINT-MARTIN", "MARTIN-DUPONT", "DIALLO", "TRAORÉ", "NGUYEN", "DA SILVA", "DOS SANTOS",
    "FERREIRA", "LEMAÎTRE", "BOURGEOIS", "LECŒUR", "CŒURDEROY", "KERGOAT", "QUÉMÉNEUR", "ÖZTÜRK", "YILMAZ",
    "BENALI", "HADDAD", "MEZIANE", "CHÉRIF", "KONÉ", "COULIBALY", "CISSÉ", "SYLLA", "BÉNARD", "JOLLIVET",
    "PÉRIER", "L'HUILLIER", "DE SOUSA", "VALLÉE", "BRUNEAU", "CARRÉ", "LEBŒUF", "MÜLLER", "TESSIER", "HUET",
)
RUES = (
    "RUE DES ÉCOLES", "AVENUE JEAN JAURÈS", "IMPASSE DES LILAS", "CHEMIN DE L'ÉGLISE", "ALLÉE DES CHÊNES",
    "BOULEVARD VICTOR HUGO", "PLACE DE LA MAIRIE", "RUE DU 8 MAI 1945", "RUE PASTEUR", "RUE DE LA GARE",
    "AVENUE DE LA RÉPUBLIQUE", "RUE DES TANNEURS", "COURS GAMBETTA", "RUE SAINT-EXUPÉRY",
    "ROUTE DE L'ŒUVRE", "RUE D'AQUITAINE", "ALLÉE DES PINS", "RUE ÉMILE ZOLA",
)
COMPLEMENTS = ("RÉSIDENCE LES TILLEULS", "BÂTIMENT B", "APPARTEMENT 12", "LE CLOS FLEURI", "ESCALIER C")
COMMUNES = (  # (code postal, libellé postal, INSEE, département)
    ("33600", "PESSAC", "33318", "033"),
    ("33400", "TALENCE", "33522", "033"),
    ("33700", "MÉRIGNAC", "33281", "033"),
    ("33130", "BÈGLES", "33039", "033"),
    ("33170", "GRADIGNAN", "33192", "033"),
    ("33000", "BORDEAUX", "33063", "033"),
)
NAISSANCES_FRANCE = (  # (INSEE, département)
    ("33063", "033"), ("33318", "033"), ("33281", "033"), ("75056", "075"), ("69123", "069"),
    ("13055", "013"), ("31555", "031"), ("44109", "044"), ("35238", "035"), ("59350", "059"),
    ("67482", "067"), ("2A004", "02A"), ("97411", "974"), ("64445", "064"), ("40192", "040"),
)
NAISSANCES_ETRANGER = (  # (CODE_PAYS, VILLE_NAISS)
    ("350", "CASABLANCA"), ("352", "ALGER"), ("351", "TUNIS"), ("341", "DAKAR"), ("139", "LISBONNE"),
    ("134", "SÉVILLE"), ("109", "MÜNCHEN"), ("132", "LONDRES"), ("127", "NAPOLI"),
)
PROFESSIONS = (  # PCS (CODE_PROFESSION, LIBELLE_COURT_PCS, LIBELLE_LONG_PCS)
    ("10", "AGRICULTEUR", "AGRICULTEUR EXPLOITANT"),
    ("21", "ARTISAN", "ARTISAN"),
    ("22", "COMMERÇANT", "COMMERÇANT ET ASSIMILÉ"),
    ("33", "CADRE FP", "CADRE DE LA FONCTION PUBLIQUE"),
    ("34", "PROFESSEUR", "PROFESSEUR, PROFESSION SCIENTIFIQUE"),
    ("37", "CADRE ENTREPRISE", "CADRE ADMINISTRATIF ET COMMERCIAL D'ENTREPRISE"),
    ("38", "INGÉNIEUR", "INGÉNIEUR, CADRE TECHNIQUE D'ENTREPRISE"),
    ("43", "PROF. INTERM. SANTÉ", "PROFESSION INTERMÉDIAIRE DE LA SANTÉ ET DU TRAVAIL SOCIAL"),
    ("52", "EMPLOYÉ FP", "EMPLOYÉ CIVIL ET AGENT DE SERVICE DE LA FONCTION PUBLIQUE"),
    ("54", "EMPLOYÉ ADMIN.", "EMPLOYÉ ADMINISTRATIF D'ENTREPRISE"),
    ("55", "EMPLOYÉ COMMERCE", "EMPLOYÉ DE COMMERCE"),
    ("62", "OUVRIER QUALIFIÉ", "OUVRIER QUALIFIÉ DE TYPE INDUSTRIEL"),
    ("85", "SANS ACTIVITÉ", "PERSONNE DIVERSE SANS ACTIVITÉ PROFESSIONNELLE"),
    ("99", "NON RENSEIGNÉE", "NON RENSEIGNÉE (INCONNUE OU SANS OBJET)"),
)


def sans_accents(texte: str) -> str:
    """"Hélène LECŒUR" → "Helene LECOEUR" (for mail addresses)."""
    texte = texte.replace("œ", "oe").replace("Œ", "OE")
    return "".join(c for c in unicodedata.normalize("NFD", texte) if not unicodedata.combining(c))


def mel(prenom: str, nom: str, domaine: str) -> str:
    local = f"{prenom}.{nom}".lower()
    local = "".join(c for c in sans_accents(local) if c.isalnum() or c in ".-")
    return f"{local}@{domaine}"


def majuscules(texte: str) -> str:
    """Uppercase as STS writes names, keeping accents ("Hélène" → "HÉLÈNE")."""
    return texte.upper()


def sexe_du_prenom(prenom: str) -> str | None:
    """"M" or "F" when the prénom is in the lists (any case), else None."""
    cle = prenom.strip().upper()
    if cle in {p.upper() for p in (*PRENOMS_FEMMES, *PRENOMS_FILLES)}:
        return "F"
    if cle in {p.upper() for p in (*PRENOMS_HOMMES, *PRENOMS_GARCONS)}:
        return "M"
    return None
