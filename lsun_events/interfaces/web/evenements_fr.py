"""A bilan's events told in French for its history: what happened, with the details that matter."""

from __future__ import annotations

from typing import Any

LIBELLES = {
    "BilanOuvert": "Bilan ouvert",
    "AcquisSaisi": "Acquis saisi",
    "AcquisAjoute": "Acquis ajouté",
    "EnseignantsAjoutesAcquis": "Enseignants ajoutés à un acquis",
    "ProfPrincipalAjoute": "Professeur principal ajouté",
    "ProfPrincipalRetire": "Professeur principal retiré",
    "BilanVerrouille": "Bilan verrouillé",
    "BilanDeverrouille": "Bilan déverrouillé",
    "BilanArchive": "Bilan archivé",
}


def libelle(e: Any) -> str:
    nom = type(e).__name__
    return LIBELLES.get(nom, nom)


def detail(e: Any) -> str:
    """The event's details in one line."""
    nom = type(e).__name__
    if nom == "BilanOuvert":
        return (f"division {e.division}, période {e.periode.code} ({e.periode.debut:%d/%m/%Y} – "
                f"{e.periode.fin:%d/%m/%Y}), {len(e.acquis)} acquis")
    if nom == "AcquisSaisi":
        morceaux = [f"matière {e.matiere_code}"]
        if e.positionnement is not None:
            morceaux.append(f"positionnement {e.positionnement}")
        if e.appreciation:
            morceaux.append(f"« {e.appreciation} »")
        return ", ".join(morceaux)
    if nom == "AcquisAjoute":
        return f"{e.acquis.matiere_libelle} ({e.acquis.matiere_code})"
    if nom == "EnseignantsAjoutesAcquis":
        return f"{', '.join(x.nom for x in e.enseignants)} → {e.acquis}"
    if nom in ("ProfPrincipalAjoute", "ProfPrincipalRetire"):
        return e.enseignant.nom
    if nom == "BilanArchive":
        return f"données de l'élève telles qu'elles étaient : {e.archive.identite_eleve.nom_affiche}"
    return ""
