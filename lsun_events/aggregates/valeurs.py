"""Frozen values carried by events. JSON turns tuples into lists: ``__post_init__`` turns them back,
so a value reloaded from the store equals the one saved."""

from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import date
from enum import StrEnum
from typing import Any


class Valeur:
    """Base of values: lists given (or decoded) for tuple fields become tuples."""

    _noms_des_champs: tuple[str, ...] | None = None

    def __post_init__(self) -> None:
        noms = type(self).__dict__.get("_noms_des_champs")
        if noms is None:  # computed once per class (this runs for every value read from the store)
            noms = tuple(f.name for f in fields(self))  # type: ignore[arg-type]
            type(self)._noms_des_champs = noms
        for nom in noms:
            v = getattr(self, nom)
            if type(v) is list:
                object.__setattr__(self, nom, tuple(v))

    def en_dict(self) -> dict[str, Any]:
        return {f.name: getattr(self, f.name) for f in fields(self)}  # type: ignore[arg-type]


class EtatBilan(StrEnum):
    EN_COURS = "en cours de saisie"
    VERROUILLE = "verrouillé"


@dataclass(frozen=True)
class Adresse(Valeur):
    lignes: tuple[str, ...] = ()
    code_postal: str | None = None
    commune: str | None = None
    pays: str | None = None


@dataclass(frozen=True)
class Responsable(Valeur):
    personne_id: str
    civilite: str | None = None
    nom: str | None = None
    prenom: str | None = None
    lien: str | None = None
    legal: bool = True
    adresse: Adresse | None = None
    tel_personnel: str | None = None
    tel_portable: str | None = None
    tel_professionnel: str | None = None
    mel: str | None = None


@dataclass(frozen=True)
class IdentiteEleve(Valeur):
    """A pupil's administrative data: what synchronisation updates."""

    nom_de_famille: str
    prenoms: tuple[str, ...]
    nom_usage: str | None = None
    sexe: str | None = None
    date_naissance: date | None = None
    commune_naissance_insee: str | None = None
    ville_naissance: str | None = None
    pays_naissance: str | None = None
    ine: str | None = None
    mel: str | None = None
    tel_personnel: str | None = None
    tel_portable: str | None = None
    tel_professionnel: str | None = None
    responsables: tuple[Responsable, ...] = ()

    @property
    def nom_affiche(self) -> str:
        """SPEC §4 {eleve}: first prénom, a space, nom d'usage if not empty else nom de famille."""
        return f"{self.prenoms[0]} {self.nom_usage or self.nom_de_famille}"


@dataclass(frozen=True)
class Option(Valeur):
    rang: int
    matiere_code: str
    modalite: str | None = None


@dataclass(frozen=True)
class Scolarite(Valeur):
    """A pupil's scolarité: never changed by synchronisation."""

    division: str | None = None
    groupes: tuple[str, ...] = ()
    code_mef: str | None = None
    options: tuple[Option, ...] = ()
    date_entree: date | None = None
    date_sortie: date | None = None


@dataclass(frozen=True)
class RefEnseignant(Valeur):
    """STS key of a teacher: (type, id-sts)."""

    type: str
    id_sts: str

    @property
    def cle(self) -> str:
        return f"{self.type}:{self.id_sts}"


@dataclass(frozen=True)
class IdentiteEnseignant(Valeur):
    nom_usage: str
    prenom: str
    civilite: str | None = None
    sexe: str | None = None
    nom_patronymique: str | None = None
    date_naissance: date | None = None
    grade: str | None = None
    fonction: str | None = None

    @property
    def nom_affiche(self) -> str:
        """SPEC §4 {enseignant}: STS PRENOM, a space, NOM_USAGE."""
        return f"{self.prenom} {self.nom_usage}"


@dataclass(frozen=True)
class ServiceEnseignement(Valeur):
    structure_code: str
    structure_type: str  # "D" | "G"
    matiere_code: str
    matiere_libelle: str
    modalite: str | None = None


@dataclass(frozen=True)
class Periode(Valeur):
    code: str
    debut: date
    fin: date


@dataclass(frozen=True)
class Acquis(Valeur):
    matiere_code: str
    matiere_libelle: str
    enseignants: tuple[RefEnseignant, ...] = ()
    positionnement: int | None = None
    appreciation: str | None = None
    elements_programme: tuple[str, ...] = ()


@dataclass(frozen=True)
class EnseignantNomme(Valeur):
    ref: RefEnseignant
    nom: str


@dataclass(frozen=True)
class ArchiveBilan(Valeur):
    """A locked bilan exactly as it was, with the pupil's data as they were (R6)."""

    identite_eleve: IdentiteEleve
    division: str
    periode: Periode
    etat: str
    profs_principaux: tuple[RefEnseignant, ...]
    acquis: tuple[Acquis, ...]
    enseignants: tuple[EnseignantNomme, ...] = ()


@dataclass(frozen=True)
class Changement(Valeur):
    """One changed field: old and new value."""

    champ: str
    ancien: Any
    nouveau: Any


@dataclass(frozen=True)
class InfosEtablissement(Valeur):
    nom: str | None = None
    sigle: str | None = None
    adresse: Adresse = Adresse()
    telephone: str | None = None
    mel: str | None = None
    chef_nom: str | None = None
    chef_qualite: str | None = None
    academie: str | None = None


def changements(ancien: Valeur, nouveau: Valeur) -> list[Changement]:
    """The fields that differ between two values of the same class, in declaration order."""
    return [
        Changement(f.name, getattr(ancien, f.name), getattr(nouveau, f.name))
        for f in fields(ancien)  # type: ignore[arg-type]
        if getattr(ancien, f.name) != getattr(nouveau, f.name)
    ]


VALEURS: tuple[type[Valeur], ...] = (
    Adresse, Responsable, IdentiteEleve, Option, Scolarite, RefEnseignant, IdentiteEnseignant,
    ServiceEnseignement, Periode, Acquis, EnseignantNomme, ArchiveBilan, Changement, InfosEtablissement,
)


@dataclass(frozen=True)
class ExportLu(Valeur):
    fichier: str
    racine: str
    date_export: str | None = None


@dataclass(frozen=True)
class DescriptionSource(Valeur):
    """The source snapshot a run read: kind, files and export dates, content hash."""

    origine: str  # "fichiers" | "s3e"
    empreinte: str
    exports: tuple[ExportLu, ...] = ()


@dataclass(frozen=True)
class ParametresAutomatiques(Valeur):
    """Background synchronisation of a school: on or off, its S3E source, how often it is checked."""

    active: bool
    adresse_s3e: str | None = None
    intervalle_minutes: int = 15


VALEURS = (*VALEURS, ExportLu, DescriptionSource, ParametresAutomatiques)
