"""Small hand-built source snapshots for the core's tests (the readers have their own tests)."""

from __future__ import annotations

from datetime import date

from lsun_events.sources import records as r

UAI = "0999001X"
JOUR = date(2025, 10, 6)


def ref(id_sts: str, type_: str = "epp") -> r.EnseignantRef:
    return r.EnseignantRef(type=type_, id_sts=id_sts)


def eleve(eleve_id: str, nom: str, prenoms: tuple[str, ...], division: str, groupes: tuple[str, ...] = (),
          **autres: object) -> r.EleveSource:
    return r.EleveSource(
        eleve_id=eleve_id, ine=f"0{eleve_id}00000X"[:11], nom_de_famille=nom, prenoms=prenoms, sexe="F",
        date_naissance=date(2012, 3, 14), division=division, divisions=(division,), groupes=groupes,
        date_entree=date(2024, 9, 2),
        responsables=(r.ResponsableSource(
            personne_id=f"P{eleve_id}", civilite="MME", nom=nom, prenom="Anne", lien="MERE",
            adresse=r.Adresse(lignes=("1 rue de l'Exemple",), code_postal="99999", commune="EXEMPLEVILLE")),),
        **autres)


def enseignant(id_sts: str, nom: str, prenom: str, **autres: object) -> r.EnseignantSource:
    return r.EnseignantSource(type="epp", id_sts=id_sts, civilite="MME", nom_usage=nom, prenom=prenom,
                              date_naissance=date(1980, 5, 17), grade="CERT. CL N", fonction="ENS", **autres)


def snapshot(**remplacements: object) -> r.SourceSnapshot:
    """Collège des Exemples: 4A (3 pupils), 4B (2 pupils), 3B (1 pupil), a Latin group across 4A/4B."""
    valeurs: dict[str, object] = {
        "uai": UAI,
        "annee_scolaire": "2025",
        "etablissement": r.EtablissementSource(
            uai=UAI, nom="COLLEGE DES EXEMPLES", sigle="CLG", adresse=r.Adresse(lignes=("1 RUE DU MODELE",),
                                                                                code_postal="99999"),
            telephone="0100000000", chef_nom="Jeanne MODELE", chef_qualite="PRINCIPALE"),
        "divisions": (r.DivisionSource(code="4A", libelle="4EME A"), r.DivisionSource(code="4B", libelle="4EME B"),
                      r.DivisionSource(code="3B", libelle="3EME B")),
        "groupes": (r.GroupeSource(code="4LAT", libelle="LATIN 4E", divisions=("4A", "4B")),),
        "eleves": (
            eleve("1001", "DUPONT", ("Marie claire",), "4A", ("4LAT",)),
            eleve("1002", "N'DIAYE", ("Léon", "Noël"), "4A"),
            eleve("1003", "LE GALL", ("Zoé",), "4A"),
            eleve("1004", "MARTIN", ("Chloé",), "4B", ("4LAT",)),
            eleve("1005", "D'ALMEIDA", ("Hélène",), "4B"),
            eleve("1006", "SAINT-JUST", ("Bérénice",), "3B"),
        ),
        "enseignants": (
            enseignant("101", "RICHARD", "PAUL"),
            enseignant("102", "BERNARD", "SOPHIE"),
            enseignant("103", "PETIT", "LUC"),
            enseignant("104", "ROUX", "CLAIRE"),
        ),
        "services": (
            r.ServiceSource(structure_code="4A", structure_type="D", matiere_code="061300",
                            matiere_libelle="MATHEMATIQUES", modalite="CG", enseignants=(ref("101"),)),
            r.ServiceSource(structure_code="4A", structure_type="D", matiere_code="020700",
                            matiere_libelle="FRANCAIS", modalite="CG", enseignants=(ref("102"),)),
            r.ServiceSource(structure_code="4B", structure_type="D", matiere_code="061300",
                            matiere_libelle="MATHEMATIQUES", modalite="CG", enseignants=(ref("101"),)),
            r.ServiceSource(structure_code="3B", structure_type="D", matiere_code="061300",
                            matiere_libelle="MATHEMATIQUES", modalite="CG", enseignants=(ref("103"),)),
            r.ServiceSource(structure_code="4LAT", structure_type="G", matiere_code="020300",
                            matiere_libelle="LCA LATIN", modalite="CG", enseignants=(ref("104"),)),
        ),
        "profs_principaux": (
            r.ProfPrincipalSource(division="4A", enseignant=ref("102"), date_debut=date(2025, 9, 1),
                                  date_fin=date(2026, 7, 4)),
            r.ProfPrincipalSource(division="4B", enseignant=ref("101"), date_debut=date(2025, 9, 1),
                                  date_fin=date(2026, 7, 4)),
        ),
    }
    valeurs.update(remplacements)
    return r.SourceSnapshot(**valeurs)  # type: ignore[arg-type]
