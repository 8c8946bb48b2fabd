"""Frozen values carried by events. JSON turns tuples into lists: ``__post_init__`` turns them back,
so a value reloaded from the store equals the one saved.

Values read from the national sources (``ValeurSource``) are equal when they mean the same data (R13): texts
compared once normalised (NFC, trimmed, inner spaces collapsed), and the lists without a meaning of order
(a pupil's guardians, a teacher's services, a pupil's groups) compared as sets. A value stored before this
rule existed (in file order, not normalised) therefore still equals its re-export."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import Field, dataclass, fields
from datetime import date
from enum import StrEnum
from typing import TYPE_CHECKING, Any, ClassVar, TypeVar

from lsun_events.aggregates.normalisation import normaliser_texte

V = TypeVar("V")


class Valeur:
    """Base of values: lists given (or decoded) for tuple fields become tuples."""

    _noms_des_champs: tuple[str, ...] | None = None
    if TYPE_CHECKING:  # every value is a dataclass: ``fields()`` accepts it
        __dataclass_fields__: ClassVar[dict[str, Field[Any]]]

    def __post_init__(self) -> None:
        for nom in _noms(self):
            v = getattr(self, nom)
            if type(v) is list:
                object.__setattr__(self, nom, tuple(v))

    def en_dict(self) -> dict[str, Any]:
        return {f.name: getattr(self, f.name) for f in fields(self)}


class ValeurSource(Valeur):
    """A value read from SIECLE or STS: equality and hash mean "the same data" (see the module's doc).
    ``ENSEMBLES`` names the fields whose order means nothing."""

    ENSEMBLES: ClassVar[frozenset[str]] = frozenset()

    def cle(self) -> tuple[Any, ...]:
        """The canonical form: what equality compares."""
        ensembles = type(self).ENSEMBLES
        return (type(self).__name__, *(canonique(getattr(self, nom), nom in ensembles)
                                       for nom in _noms(self)))

    def __eq__(self, autre: object) -> bool:
        if type(autre) is not type(self):
            return NotImplemented
        # Fast path: the same fields as written (the usual case of a re-read) are the same data.
        if all(getattr(self, nom) == getattr(autre, nom) for nom in _noms(self)):
            return True
        return self.cle() == autre.cle()

    def __hash__(self) -> int:
        return hash(self.cle())


def _noms(valeur: Valeur) -> tuple[str, ...]:
    """The names of a value's fields, computed once per class (this runs for every value read from the store)."""
    noms = type(valeur).__dict__.get("_noms_des_champs")
    if noms is None:
        noms = tuple(f.name for f in fields(valeur))
        type(valeur)._noms_des_champs = noms
    return noms


def canonique(valeur: Any, ensemble: bool = False) -> Any:
    """The canonical form of a field's value: normalised text (empty text is no text), the canonical form of
    source values, a sorted list without duplicates when ``ensemble``."""
    if type(valeur) is str:
        return normaliser_texte(valeur) or None
    if isinstance(valeur, ValeurSource):
        return valeur.cle()
    if isinstance(valeur, tuple | list):
        elements = tuple(canonique(v) for v in valeur)
        return tuple(sorted(set(elements), key=repr)) if ensemble else elements
    return valeur


def ordre_canonique(valeurs: Iterable[V]) -> tuple[V, ...]:
    """A set stored in its canonical order (so that equal data are stored alike), without duplicates."""
    uniques: dict[Any, V] = {}
    for v in valeurs:
        uniques.setdefault(canonique(v), v)
    return tuple(uniques[c] for c in sorted(uniques, key=repr))


def memes_donnees(ancien: Any, nouveau: Any, ensemble: bool = False) -> bool:
    """True when two values of a field mean the same data (R13)."""
    return ancien == nouveau or canonique(ancien, ensemble) == canonique(nouveau, ensemble)


class EtatBilan(StrEnum):
    EN_COURS = "en cours de saisie"
    VERROUILLE = "verrouillé"


@dataclass(frozen=True, eq=False)
class Adresse(ValeurSource):
    lignes: tuple[str, ...] = ()
    code_postal: str | None = None
    commune: str | None = None
    pays: str | None = None


@dataclass(frozen=True, eq=False)
class Responsable(ValeurSource):
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


@dataclass(frozen=True, eq=False)
class IdentiteEleve(ValeurSource):
    """A pupil's administrative data: what synchronisation updates."""

    ENSEMBLES = frozenset({"responsables"})

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


@dataclass(frozen=True, eq=False)
class Option(ValeurSource):
    rang: int
    matiere_code: str
    modalite: str | None = None


@dataclass(frozen=True, eq=False)
class Scolarite(ValeurSource):
    """A pupil's scolarité: never changed by synchronisation."""

    ENSEMBLES = frozenset({"groupes", "options"})

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
        """The teacher's key « type:id-sts » (how a school lists its teachers, and how bilans store them)."""
        return f"{self.type}:{self.id_sts}"

    @classmethod
    def depuis_cle(cls, cle: str) -> RefEnseignant:
        """The reference a key « type:id-sts » names (the inverse of ``cle``: the id may hold « : »)."""
        type_, separateur, id_sts = cle.partition(":")
        if not separateur:
            raise ValueError(f"Clé d'enseignant « {cle} » sans « : » (attendu TYPE:ID, par exemple epp:48213).")
        return cls(type_, id_sts)


@dataclass(frozen=True, eq=False)
class IdentiteEnseignant(ValeurSource):
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


@dataclass(frozen=True, eq=False)
class ServiceEnseignement(ValeurSource):
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


@dataclass(frozen=True, eq=False)
class InfosEtablissement(ValeurSource):
    nom: str | None = None
    sigle: str | None = None
    adresse: Adresse = Adresse()
    telephone: str | None = None
    mel: str | None = None
    chef_nom: str | None = None
    chef_qualite: str | None = None
    academie: str | None = None


def changements(ancien: Valeur, nouveau: Valeur) -> list[Changement]:
    """The fields that differ between two values of the same class, in declaration order; for source
    values, only the fields whose data really differ (R13)."""
    paires = ((nom, getattr(ancien, nom), getattr(nouveau, nom)) for nom in _noms(ancien))
    if not isinstance(ancien, ValeurSource):
        return [Changement(nom, a, n) for nom, a, n in paires if a != n]
    ensembles = type(ancien).ENSEMBLES
    return [Changement(nom, a, n) for nom, a, n in paires if not memes_donnees(a, n, nom in ensembles)]


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
    absents: tuple[str, ...] = ()  # optional exports absent, by role ("responsables", "communs"…): R13


@dataclass(frozen=True)
class ParametresAutomatiques(Valeur):
    """Background synchronisation of a school: on or off, its S3E source, how often it is checked."""

    active: bool
    adresse_s3e: str | None = None
    intervalle_minutes: int = 15


VALEURS = (*VALEURS, ExportLu, DescriptionSource, ParametresAutomatiques)
