"""Derived export sets: each function returns a modified copy of a school, never touching its input.

They build the acceptance scenarios of SPEC §7 (a name corrected in the BEE, a pupil gone, a teacher missing
from STS or replaced, a new PP…) and the benchmarks' "10 % of pupils renamed and 5 teachers changed".
Functions that create someone return ``(ecole, new person)``.
"""

from __future__ import annotations

import pickle
import random
import unicodedata
from collections.abc import Sequence
from datetime import date, timedelta

from lsun_events.generateur import nomenclatures
from lsun_events.generateur.generation import libelle_division, nouvel_eleve, nouvel_enseignant
from lsun_events.generateur.modele import (
    INACTIFS,
    Division,
    Ecole,
    Eleve,
    Enseignant,
    ProfPrincipal,
    RefEnseignant,
    Service,
    cle_enseignant,
)
from lsun_events.generateur.noms import NOMS, PRENOMS_FILLES, PRENOMS_GARCONS, majuscules

Qui = RefEnseignant | Enseignant | str  # a teacher: its key, itself or its bare STS ID


def copier(ecole: Ecole) -> Ecole:
    """A deep copy (pickle keeps shared guardians shared and is much faster than ``copy.deepcopy``)."""
    return pickle.loads(pickle.dumps(ecole, pickle.HIGHEST_PROTOCOL))


# --- pupils ----------------------------------------------------------------------------------------------

def renommer_eleve(ecole: Ecole, eleve_id: str, *, prenoms: Sequence[str] | None = None,
                   nom_de_famille: str | None = None, nom_usage: str | None = None) -> Ecole:
    """Administrative names corrected in the BEE (``nom_usage=""`` empties the nom d'usage)."""
    if prenoms is None and nom_de_famille is None and nom_usage is None:
        raise ValueError("renommer_eleve : rien à changer")
    if isinstance(prenoms, str) or (prenoms is not None and not 1 <= len(prenoms) <= 3):
        raise ValueError("prenoms : une liste de 1 à 3 prénoms")
    copie = copier(ecole)
    eleve = copie.eleve(eleve_id)
    if prenoms is not None:
        eleve.prenoms = list(prenoms)
    if nom_de_famille is not None:
        eleve.nom_de_famille = nom_de_famille
    if nom_usage is not None:
        eleve.nom_usage = nom_usage
    return copie


def renommer_eleves(ecole: Ecole, part: float, graine: int = 0) -> Ecole:
    """A share of the pupils in a division get a name correction (an accent, a hyphen, a second prénom…)."""
    copie = copier(ecole)
    _renommer_eleves(copie, part, random.Random(graine))
    return copie


def retirer_eleve(ecole: Ecole, eleve_id: str) -> Ecole:
    """The pupil is absent from the BEE (with its structures, options and guardian links)."""
    copie = copier(ecole)
    copie.eleves.remove(copie.eleve(eleve_id))
    return copie


def faire_partir(ecole: Ecole, eleve_id: str, date_sortie: date, *, motif: str = "99") -> Ecole:
    """The pupil left: DATE_SORTIE and CODE_MOTIF_SORTIE set, still attached to its division (as in SIECLE)."""
    copie = copier(ecole)
    eleve = copie.eleve(eleve_id)
    eleve.date_sortie, eleve.code_motif_sortie = date_sortie, motif
    return copie


def changer_division(ecole: Ecole, eleve_id: str, division: str) -> Ecole:
    """The pupil moves to another division: MEF of that division; groups swapped for the same matières."""
    copie = copier(ecole)
    eleve = copie.eleve(eleve_id)
    cible = copie.division(division)
    groupes = []
    for code in eleve.groupes:
        groupe = copie.groupe(code)
        if division in groupe.divisions:
            groupes.append(code)
            continue
        matieres = {s.matiere_code for s in groupe.services}
        remplacant = next((g for g in copie.groupes if division in g.divisions
                           and matieres & {s.matiere_code for s in g.services}), None)
        if remplacant is not None:
            groupes.append(remplacant.code)
    eleve.division, eleve.groupes = division, groupes
    if cible.mefs:
        eleve.code_mef = cible.mefs[0]
    return copie


def mettre_inactif(ecole: Ecole, eleve_id: str) -> Ecole:
    """The pupil is parked in the pseudo-division ``Inactifs`` (no group any more)."""
    copie = copier(ecole)
    eleve = copie.eleve(eleve_id)
    eleve.division, eleve.groupes = INACTIFS, []
    return copie


def retirer_services_eleve(ecole: Ecole, eleve_id: str, *, division: str | None = None) -> Ecole:
    """The pupil is linked to no service: no group, in a division with empty SERVICES.

    If its division already has no service it stays there; else it moves to ``division`` (whose services are
    emptied), or to the first division without services, or to a new division "UPE2A" without services.
    """
    copie = copier(ecole)
    eleve = copie.eleve(eleve_id)
    eleve.groupes = []
    if eleve.division != INACTIFS and not copie.division(eleve.division).services:
        return copie
    if division is not None:
        cible = copie.division(division)
        cible.services = []
    else:
        cible = next((d for d in copie.divisions if not d.services), None)
        if cible is None:
            cible = Division("UPE2A", "UPE2A")
            copie.divisions.append(cible)
    eleve.division = cible.code
    if cible.mefs:
        eleve.code_mef = cible.mefs[0]
    return copie


def ajouter_eleve(ecole: Ecole, division: str, *, graine: int = 0) -> tuple[Ecole, Eleve]:
    """A pupil who arrived since the export: new ELEVE_ID, guardians, the LV2/Latin groups of its division."""
    copie = copier(ecole)
    copie.division(division)
    eleve = nouvel_eleve(copie, division, graine=graine)
    copie.eleves.append(eleve)
    return copie, eleve


# --- teachers --------------------------------------------------------------------------------------------

def retirer_enseignant(ecole: Ecole, enseignant: Qui) -> Ecole:
    """The INDIVIDU is absent from STS; its services lose it (its PROF_PRINC go with it)."""
    copie = copier(ecole)
    cle = cle_enseignant(copie, enseignant)
    copie.enseignants.remove(copie.enseignant(cle))
    for _, _, service in copie.services():
        service.enseignants = [r for r in service.enseignants if r != cle]
    return copie


def renommer_enseignant(ecole: Ecole, enseignant: Qui, *, nom_usage: str | None = None,
                        prenom: str | None = None, nom_patronymique: str | None = None) -> Ecole:
    """The teacher's administrative names change in STS (e.g. a new nom d'usage after a marriage)."""
    if nom_usage is None and prenom is None and nom_patronymique is None:
        raise ValueError("renommer_enseignant : rien à changer")
    copie = copier(ecole)
    _renommer_enseignant(copie.enseignant(cle_enseignant(copie, enseignant)), nom_usage, prenom,
                         nom_patronymique)
    return copie


def remplacer_enseignant(ecole: Ecole, ancien: Qui, *, nom_usage: str | None = None, prenom: str | None = None,
                         sexe: str | None = None, type: str = "epp", retirer_ancien: bool = False,
                         graine: int = 0) -> tuple[Ecole, Enseignant]:
    """A new teacher takes all the services of ``ancien`` (same place in each service).

    The old INDIVIDU stays in STS (on leave) with its PROF_PRINC, unless ``retirer_ancien``.
    """
    copie = copier(ecole)
    nouveau = _remplacer_enseignant(copie, cle_enseignant(copie, ancien), nom_usage=nom_usage, prenom=prenom,
                                    sexe=sexe, type=type, graine=graine)
    if retirer_ancien:
        copie.enseignants.remove(copie.enseignant(cle_enseignant(ecole, ancien)))
    return copie, nouveau


def ajouter_enseignant_au_service(ecole: Ecole, structure: str, matiere_code: str, *,
                                  enseignant: Qui | None = None, nom_usage: str | None = None,
                                  prenom: str | None = None, sexe: str | None = None, type: str = "epp",
                                  graine: int = 0) -> tuple[Ecole, Enseignant]:
    """A teacher (new unless ``enseignant`` is given) joins the service of a division or group.

    The service is created if the structure has none for that matière.
    """
    copie = copier(ecole)
    try:
        services = copie.division(structure).services
    except KeyError:
        services = copie.groupe(structure).services
    service = next((s for s in services if s.matiere_code == matiere_code), None)
    if service is None:
        service = Service(matiere_code)
        services.append(service)
    if enseignant is not None:
        personne = copie.enseignant(cle_enseignant(copie, enseignant))
    else:
        personne = nouvel_enseignant(copie, matiere_code, graine=graine, type=type, nom_usage=nom_usage,
                                     prenom=prenom, sexe=sexe)
        copie.enseignants.append(personne)
    if personne.ref not in service.enseignants:
        service.enseignants.append(personne.ref)
    return copie, personne


def changer_pp(ecole: Ecole, division: str, nouveau: Qui | None = None, *, fin_ancien: date | None = None,
               date_debut: date | None = None) -> Ecole:
    """A new professeur principal for the division; the old PROF_PRINC are removed.

    ``nouveau`` defaults to the first teacher of the division's services who is not its PP yet.
    With ``fin_ancien`` the old PROF_PRINC stay in STS, ended on that date (a PP who changed during the year).
    """
    copie = copier(ecole)
    anciens = copie.profs_principaux(division)
    debut = date_debut or copie.date_debut
    for enseignant in anciens:
        for pp in [pp for pp in enseignant.profs_princ if pp.division == division]:
            if fin_ancien is None:
                enseignant.profs_princ.remove(pp)
            else:
                pp.date_fin = fin_ancien
    if nouveau is not None:
        choisi = copie.enseignant(cle_enseignant(copie, nouveau))
    else:
        equipe = [r for s in copie.division(division).services for r in s.enseignants]
        candidats = [copie.enseignant(r) for r in equipe]
        candidats += [e for e in copie.enseignants if e.fonction == "ENS"]
        choisi = next(e for e in candidats if e not in anciens)
    if fin_ancien is not None and debut <= fin_ancien:
        debut = fin_ancien + timedelta(days=1)
    choisi.profs_princ.append(ProfPrincipal(division, debut, copie.date_fin))
    return copie


# --- structures and établissement ------------------------------------------------------------------------

def vider_services_division(ecole: Ecole, division: str) -> Ecole:
    """The division's SERVICES are empty (an export taken before the timetable was uploaded)."""
    copie = copier(ecole)
    copie.division(division).services = []
    return copie


def renommer_division(ecole: Ecole, ancien_code: str, nouveau_code: str, *, libelle: str | None = None) -> Ecole:
    """The division gets a new code (and libellé); its pupils, groups and PP follow."""
    copie = copier(ecole)
    if any(d.code == nouveau_code for d in copie.divisions):
        raise ValueError(f"la division {nouveau_code} existe déjà")
    division = copie.division(ancien_code)
    division.code = nouveau_code
    niveau = nouveau_code[:1]
    division.libelle = libelle if libelle is not None else (
        libelle_division(nouveau_code, niveau) if niveau in nomenclatures.NIVEAUX else nouveau_code)
    for eleve in copie.eleves:
        if eleve.division == ancien_code:
            eleve.division = nouveau_code
    for groupe in copie.groupes:
        groupe.divisions = [nouveau_code if code == ancien_code else code for code in groupe.divisions]
    for enseignant in copie.enseignants:
        for pp in enseignant.profs_princ:
            if pp.division == ancien_code:
                pp.division = nouveau_code
    return copie


def changer_etablissement(ecole: Ecole, *, nom: str | None = None, chef_nom: str | None = None,
                          chef_qualite: str | None = None, telephone: str | None = None, mel: str | None = None,
                          adresse_lignes: Sequence[str] | None = None, code_postal: str | None = None,
                          commune: str | None = None) -> Ecole:
    """The établissement's data change in Communs and STS (never its UAI).

    ``nom`` is the full name ("COLLEGE JEAN ZAY"). A new ``chef_nom`` ("Prénom NOM") is a new person: the DIR
    INDIVIDU of STS is replaced by a new one of that name, and QUAL_RESP follows its sex unless given.
    """
    copie = copier(ecole)
    etab = copie.etablissement
    if nom is not None:
        if nom.startswith(f"{etab.denom_princ} "):
            etab.denom_compl = nom[len(etab.denom_princ) + 1:]
        else:
            etab.denom_princ, etab.denom_compl = nom, ""
    for champ, valeur in (("chef_qualite", chef_qualite), ("telephone", telephone), ("mel", mel),
                          ("code_postal", code_postal), ("commune", commune)):
        if valeur is not None:
            setattr(etab, champ, valeur)
    if adresse_lignes is not None:
        etab.adresse_lignes = list(adresse_lignes)
    if chef_nom is not None:
        etab.chef_nom = chef_nom
        prenom, _, nom_chef = chef_nom.partition(" ")
        ancien = copie.directeur()
        chef = nouvel_enseignant(copie, nomenclatures.FRANCAIS, nom_usage=nom_chef or prenom,
                                 prenom=majuscules(prenom))
        chef.fonction, chef.grade, chef.disciplines = "DIR", "PERDIR HCL", []
        if chef_qualite is None:
            etab.chef_qualite = "PRINCIPALE" if chef.sexe == "F" else "PRINCIPAL"
        if ancien is not None:
            copie.enseignants[copie.enseignants.index(ancien)] = chef
        else:
            copie.enseignants.append(chef)
    return copie


# --- benchmarks ------------------------------------------------------------------------------------------

def modifier(ecole: Ecole, *, part_eleves_renommes: float = 0.1, enseignants_changes: int = 5,
             graine: int = 0) -> Ecole:
    """A realistic next export: a share of pupils renamed; teachers changed, alternately a new nom d'usage
    and a replacement by a new teacher who takes all the services."""
    rng = random.Random(graine)
    copie = copier(ecole)
    _renommer_eleves(copie, part_eleves_renommes, rng)
    avec_services = {r for _, _, service in copie.services() for r in service.enseignants}
    enseignants = sorted((e for e in copie.enseignants if e.fonction == "ENS" and e.ref in avec_services),
                         key=lambda e: e.ref)
    for i, enseignant in enumerate(rng.sample(enseignants, min(enseignants_changes, len(enseignants)))):
        if i % 2 == 0:
            autres = [n for n in NOMS if n != enseignant.nom_usage]
            _renommer_enseignant(enseignant, rng.choice(autres), None, None)
        else:
            _remplacer_enseignant(copie, enseignant.ref, graine=rng.randrange(1 << 30))
    return copie


# --- in-place helpers ------------------------------------------------------------------------------------

def _renommer_eleves(ecole: Ecole, part: float, rng: random.Random) -> None:
    if not 0 <= part <= 1:
        raise ValueError("part : entre 0 et 1")
    candidats = [e for e in ecole.eleves if e.division != INACTIFS]
    for eleve in rng.sample(candidats, round(part * len(candidats))):
        _corriger(eleve, rng)


def _corriger(eleve: Eleve, rng: random.Random) -> None:
    """One plausible correction of the pupil's names; always a real change."""
    premier = eleve.prenoms[0]
    corrections = []
    if _sans_accent(premier) != premier:
        corrections.append(("prenom", _sans_accent(premier)))
    if "-" in premier:
        corrections.append(("prenom", premier.replace("-", " ")))
    elif " " in premier:
        corrections.append(("prenom", premier.replace(" ", "-")))
    if _sans_accent(eleve.nom_de_famille) != eleve.nom_de_famille:
        corrections.append(("nom", _sans_accent(eleve.nom_de_famille)))
    if len(eleve.prenoms) < 3:
        possibles = PRENOMS_GARCONS if eleve.sexe == "M" else PRENOMS_FILLES
        corrections.append(("ajout", rng.choice([p for p in possibles if p not in eleve.prenoms])))
    else:
        corrections.append(("retrait", ""))  # the third prénom was entered by mistake
    quoi, valeur = rng.choice(corrections)
    if quoi == "prenom":
        eleve.prenoms[0] = valeur
    elif quoi == "nom":
        eleve.nom_de_famille = valeur
    elif quoi == "ajout":
        eleve.prenoms.append(valeur)
    else:
        eleve.prenoms.pop()


def _sans_accent(texte: str) -> str:
    """Drops the accents of the first accented letter ("Zoé" → "Zoe", "LEFÈVRE" → "LEFEVRE")."""
    for i, lettre in enumerate(texte):
        base = unicodedata.normalize("NFD", lettre)[0]
        if base != lettre and base.isascii():
            return texte[:i] + base + texte[i + 1:]
    return texte


def _renommer_enseignant(enseignant: Enseignant, nom_usage: str | None, prenom: str | None,
                         nom_patronymique: str | None) -> None:
    if nom_usage is not None:
        enseignant.nom_usage = nom_usage
    if prenom is not None:
        enseignant.prenom = prenom
    if nom_patronymique is not None:
        enseignant.nom_patronymique = nom_patronymique


def _remplacer_enseignant(ecole: Ecole, ancien: RefEnseignant, *, nom_usage: str | None = None,
                          prenom: str | None = None, sexe: str | None = None, type: str = "epp",
                          graine: int = 0) -> Enseignant:
    services = ecole.services_de(ancien)
    matiere = services[0][2].matiere_code if services else nomenclatures.FRANCAIS
    nouveau = nouvel_enseignant(ecole, matiere, graine=graine, type=type, nom_usage=nom_usage, prenom=prenom,
                                sexe=sexe)
    ecole.enseignants.append(nouveau)
    for _, _, service in services:
        service.enseignants = [nouveau.ref if r == ancien else r for r in service.enseignants]
    return nouveau
