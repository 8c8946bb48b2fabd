"""Source records (pydantic, edge) → domain values (frozen dataclasses)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import replace
from datetime import date

from lsun_events.aggregates.valeurs import (
    Adresse,
    IdentiteEleve,
    IdentiteEnseignant,
    InfosEtablissement,
    Option,
    RefEnseignant,
    Responsable,
    Scolarite,
    ServiceEnseignement,
    ordre_canonique,
)
from lsun_events.sources import records as r

DIVISION_INACTIFS = "Inactifs"


def adresse(a: r.Adresse) -> Adresse:
    return Adresse(lignes=a.lignes, code_postal=a.code_postal, commune=a.commune, pays=a.pays)


def infos_etablissement(e: r.EtablissementSource) -> InfosEtablissement:
    return InfosEtablissement(nom=e.nom, sigle=e.sigle, adresse=adresse(e.adresse), telephone=e.telephone,
                              mel=e.mel, chef_nom=e.chef_nom, chef_qualite=e.chef_qualite,
                              academie=e.academie)


def sans_communs(nouvelles: InfosEtablissement, actuelles: InfosEtablissement) -> InfosEtablissement:
    """Without Communs.xml (R13): what Communs carries — name, sigle, address lines and postcode, phone, mél,
    chef d'établissement — stays as LSUN has it; only what STS-web alone gives (académie, commune) is taken."""
    adresse = replace(actuelles.adresse, commune=nouvelles.adresse.commune or actuelles.adresse.commune,
                      pays=nouvelles.adresse.pays or actuelles.adresse.pays)
    return replace(actuelles, adresse=adresse, academie=nouvelles.academie or actuelles.academie)


def responsable(x: r.ResponsableSource) -> Responsable:
    return Responsable(
        personne_id=x.personne_id, civilite=x.civilite, nom=x.nom, prenom=x.prenom, lien=x.lien,
        legal=x.legal, adresse=adresse(x.adresse) if x.adresse else None, tel_personnel=x.tel_personnel,
        tel_portable=x.tel_portable, tel_professionnel=x.tel_professionnel, mel=x.mel)


def identite_eleve(e: r.EleveSource) -> IdentiteEleve:
    return IdentiteEleve(
        nom_de_famille=e.nom_de_famille, prenoms=e.prenoms, nom_usage=e.nom_usage, sexe=e.sexe,
        date_naissance=e.date_naissance, commune_naissance_insee=e.commune_naissance_insee,
        ville_naissance=e.ville_naissance, pays_naissance=e.pays_naissance, ine=e.ine, mel=e.mel,
        tel_personnel=e.tel_personnel, tel_portable=e.tel_portable, tel_professionnel=e.tel_professionnel,
        responsables=ordre_canonique(responsable(x) for x in e.responsables))


def scolarite(e: r.EleveSource) -> Scolarite:
    return Scolarite(
        division=e.division, groupes=ordre_canonique(e.groupes), code_mef=e.code_mef,
        options=tuple(Option(o.rang, o.matiere_code, o.modalite) for o in e.options),
        date_entree=e.date_entree, date_sortie=e.date_sortie)


def ref(x: r.EnseignantRef) -> RefEnseignant:
    return RefEnseignant(type=x.type, id_sts=x.id_sts)


def identite_enseignant(e: r.EnseignantSource) -> IdentiteEnseignant:
    return IdentiteEnseignant(
        nom_usage=e.nom_usage, prenom=e.prenom, civilite=e.civilite, sexe=e.sexe,
        nom_patronymique=e.nom_patronymique, date_naissance=e.date_naissance, grade=e.grade,
        fonction=e.fonction)


def services_par_enseignant(snapshot: r.SourceSnapshot) -> dict[RefEnseignant, list[ServiceEnseignement]]:
    """Each teacher's services d'enseignement, in their canonical order (a set: R13)."""
    resultat: dict[RefEnseignant, list[ServiceEnseignement]] = defaultdict(list)
    for s in snapshot.services:
        service = ServiceEnseignement(
            structure_code=s.structure_code, structure_type=s.structure_type, matiere_code=s.matiere_code,
            matiere_libelle=s.matiere_libelle, modalite=s.modalite)
        for e in s.enseignants:
            resultat[ref(e)].append(service)
    return {r: list(ordre_canonique(services)) for r, services in resultat.items()}


def profs_principaux(snapshot: r.SourceSnapshot, division: str, jour: date) -> list[RefEnseignant]:
    """STS PP of a division valid on ``jour``, in export order, without duplicates."""
    refs: list[RefEnseignant] = []
    for pp in snapshot.profs_principaux:
        if pp.division == division and pp.valide_le(jour) and ref(pp.enseignant) not in refs:
            refs.append(ref(pp.enseignant))
    return refs


def est_scolarise(e: r.EleveSource, jour: date) -> bool:
    """In a real division and not left on ``jour`` (R4)."""
    if not e.division or e.division == DIVISION_INACTIFS:
        return False
    return e.date_sortie is None or e.date_sortie > jour
