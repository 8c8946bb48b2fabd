"""National codes used by the generated collèges: matières (6-char codes), MEF (11 chars), modalités."""

from __future__ import annotations

from lsun_events.generateur.modele import Matiere, Mef

FRANCAIS = "020700"
MATHEMATIQUES = "061300"
ANGLAIS_LV1 = "030201"
HISTOIRE_GEOGRAPHIE = "040600"
PHYSIQUE_CHIMIE = "065400"
SVT = "062900"
EDUCATION_MUSICALE = "080100"
ARTS_PLASTIQUES = "070800"
EPS = "100100"
TECHNOLOGIE = "053300"
ESPAGNOL_LV2 = "030602"
ALLEMAND_LV2 = "030102"
LATIN = "020300"

# code, CODE_GESTION, LIBELLE_COURT, LIBELLE_LONG, LIBELLE_EDITION, STS DISCIPLINE, its LIBELLE_COURT
_MATIERES = (
    (FRANCAIS, "FRANC", "FRANCAIS", "FRANCAIS", "Français", "L0202", "LETTRES MODERNES"),
    (MATHEMATIQUES, "MATHS", "MATHEMATIQUES", "MATHEMATIQUES", "Mathématiques", "L1300", "MATHEMATIQUES"),
    (ANGLAIS_LV1, "AGL1", "ANGLAIS LV1", "ANGLAIS LV1", "Anglais LV1", "L0422", "ANGLAIS"),
    (HISTOIRE_GEOGRAPHIE, "HIGEO", "HIST.-GEO.", "HISTOIRE-GEOGRAPHIE", "Histoire-géographie", "L1000",
     "HISTOIRE GEOGRAPHIE"),
    (PHYSIQUE_CHIMIE, "PH-CH", "PHYSIQUE-CHIMIE", "PHYSIQUE-CHIMIE", "Physique-chimie", "L1500",
     "SC. PHYSIQUES"),
    (SVT, "SVT", "SVT", "SCIENCES VIE ET TERRE", "Sciences de la vie et de la Terre", "L1600",
     "SC. VIE & TERRE"),
    (EDUCATION_MUSICALE, "ED MU", "EDUCATION MUSICALE", "EDUCATION MUSICALE", "Éducation musicale", "L1700",
     "EDUCATION MUSICALE"),
    (ARTS_PLASTIQUES, "A-PLA", "ARTS PLASTIQUES", "ARTS PLASTIQUES", "Arts plastiques", "L1800",
     "ARTS PLASTIQUES"),
    (EPS, "EPS", "ED.PHYSIQUE & SPORT.", "EDUCATION PHYSIQUE ET SPORTIVE", "Éducation physique et sportive",
     "L1900", "EDUCATION PHYSIQUE"),
    (TECHNOLOGIE, "TECHN", "TECHNOLOGIE", "TECHNOLOGIE", "Technologie", "L1400", "TECHNOLOGIE"),
    (ESPAGNOL_LV2, "ESP2", "ESPAGNOL LV2", "ESPAGNOL LV2", "Espagnol LV2", "L0426", "ESPAGNOL"),
    (ALLEMAND_LV2, "ALL2", "ALLEMAND LV2", "ALLEMAND LV2", "Allemand LV2", "L0421", "ALLEMAND"),
    (LATIN, "LCALA", "LCA LATIN", "LANGUES ET CULTURES DE L'ANTIQUITE LATIN",
     "Langues et cultures de l'Antiquité LATIN", "L0201", "LETTRES CLASSIQUES"),
)

TRONC_COMMUN = (FRANCAIS, MATHEMATIQUES, ANGLAIS_LV1, HISTOIRE_GEOGRAPHIE, PHYSIQUE_CHIMIE, SVT,
                EDUCATION_MUSICALE, ARTS_PLASTIQUES, EPS, TECHNOLOGIE)
"""The ten division services of every division."""

# Weekly hours per niveau (6e, 5e, 4e, 3e) — HEURES_STRUCTURE and the weights of the teacher allocation.
HORAIRES = {
    FRANCAIS: (4.5, 4.5, 4.5, 4.0),
    MATHEMATIQUES: (4.5, 3.5, 3.5, 3.5),
    ANGLAIS_LV1: (4.0, 3.0, 3.0, 3.0),
    HISTOIRE_GEOGRAPHIE: (3.0, 3.0, 3.0, 3.5),
    PHYSIQUE_CHIMIE: (1.0, 1.5, 1.5, 1.5),
    SVT: (1.0, 1.5, 1.5, 1.5),
    EDUCATION_MUSICALE: (1.0, 1.0, 1.0, 1.0),
    ARTS_PLASTIQUES: (1.0, 1.0, 1.0, 1.0),
    EPS: (4.0, 3.0, 3.0, 3.0),
    TECHNOLOGIE: (1.0, 1.5, 1.5, 1.5),
    ESPAGNOL_LV2: (0.0, 2.5, 2.5, 2.5),
    ALLEMAND_LV2: (0.0, 2.5, 2.5, 2.5),
    LATIN: (0.0, 1.0, 2.0, 2.0),
}

# Teachers' poles: one matière each in a big collège; grouped when there are few teachers.
POLES_FINS = tuple((code,) for code in (*TRONC_COMMUN, ESPAGNOL_LV2, ALLEMAND_LV2, LATIN))
POLES_GROUPES = (
    (FRANCAIS,), (MATHEMATIQUES,), (ANGLAIS_LV1,), (HISTOIRE_GEOGRAPHIE,),
    (PHYSIQUE_CHIMIE, SVT, TECHNOLOGIE), (EDUCATION_MUSICALE, ARTS_PLASTIQUES), (EPS,),
    (ESPAGNOL_LV2, ALLEMAND_LV2, LATIN),
)

NIVEAUX = ("6", "5", "4", "3")
# niveau → (CODE_MEF, FORMATION, LIBELLE_LONG, LIBELLE_EDITION, MEFSTAT11)
_MEFS = {
    "6": ("10010012110", "6EME", "6EME", "6ème", "21110010001"),
    "5": ("10110001110", "5EME", "5EME", "5ème", "21120010001"),
    "4": ("10210001110", "4EME", "4EME", "4ème", "21130010001"),
    "3": ("10310019110", "3EME", "3EME", "3ème", "21140010001"),
}

MODALITES_ELECTION = (  # CODE_MODALITE_ELECT, LIBELLE_COURT, LIBELLE_LONG
    ("S", "TRONC COMMUN", "MATIERE ENSEIGNEE EN TRONC COMMUN"),
    ("O", "OBLIGATOIRE", "OPTION OBLIGATOIRE"),
    ("F", "FACULTATIVE", "OPTION FACULTATIVE"),
)


def matieres() -> list[Matiere]:
    return [Matiere(code, gestion, court, long_, edition, disc, disc_lib)
            for code, gestion, court, long_, edition, disc, disc_lib in _MATIERES]


def mefs() -> list[Mef]:
    return [Mef(code, formation, long_, edition, stat) for code, formation, long_, edition, stat in _MEFS.values()]


def mef(niveau: str) -> str:
    return _MEFS[niveau][0]


def niveau_du_mef(code_mef: str) -> str | None:
    return next((niveau for niveau, valeurs in _MEFS.items() if valeurs[0] == code_mef), None)


def heures(matiere: str, niveau: str) -> float:
    return HORAIRES[matiere][NIVEAUX.index(niveau)]
