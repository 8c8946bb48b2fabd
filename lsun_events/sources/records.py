"""Validated records read from the national sources (SIECLE/BEE, STS-web, S3E).

These pydantic models are the only thing the sources hand to the rest of the product: the
import and the synchronisation work on them, never on XML. They know nothing of aggregates.
Every string is already trimmed; an empty element is ``None`` (or an empty tuple).
"""

from __future__ import annotations

import hashlib
from datetime import date
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field


class Record(BaseModel):
    """Base of every source record: immutable, no unknown field."""

    model_config = ConfigDict(frozen=True, extra="forbid")


class Adresse(Record):
    lignes: tuple[str, ...] = ()
    code_postal: str | None = None
    commune: str | None = None
    pays: str | None = None


class EtablissementSource(Record):
    """Communs.xml ``DONNEES/UAJ`` completed by the STS ``PARAMETRES/UAJ`` block."""

    uai: str
    nom: str | None = None  # DENOM_PRINC (+ " " + DENOM_COMPL)
    sigle: str | None = None
    adresse: Adresse = Adresse()
    telephone: str | None = None
    mel: str | None = None
    chef_nom: str | None = None  # Communs NOM_RESP, "Prénom NOM"
    chef_qualite: str | None = None  # Communs QUAL_RESP, e.g. "PRINCIPALE"
    academie: str | None = None  # STS ACADEMIE/CODE


class DivisionSource(Record):
    code: str
    libelle: str | None = None
    mefs: tuple[str, ...] = ()


class GroupeSource(Record):
    code: str
    libelle: str | None = None
    divisions: tuple[str, ...] = ()  # DIVISIONS_APPARTENANCE codes


class ResponsableSource(Record):
    """A legal guardian of a pupil (ResponsablesAvecAdresses.xml)."""

    personne_id: str
    civilite: str | None = None  # LC_CIVILITE, e.g. "M.", "MME"
    nom: str | None = None  # NOM_USAGE if set, else NOM_DE_FAMILLE / NOM
    prenom: str | None = None
    lien: str | None = None  # CODE_PARENTE (or RESP_LEGAL for pre-2018 files)
    legal: bool = True  # RESP_LEGAL 1/2 or NIVEAU_RESPONSABILITE 1
    adresse: Adresse | None = None
    tel_personnel: str | None = None
    tel_portable: str | None = None
    tel_professionnel: str | None = None
    mel: str | None = None


class OptionSource(Record):
    rang: int
    matiere_code: str
    modalite: str | None = None  # CODE_MODALITE_ELECT


class EleveSource(Record):
    """A pupil of ElevesSansAdresses.xml / ElevesAvecAdresses.xml, joined with its structures,
    options and guardians."""

    eleve_id: str  # ELEVE_ID, LSU id-be
    ine: str | None = None  # ID_NATIONAL (or INE_RNIE / INE_BEA)
    nom_de_famille: str  # NOM_DE_FAMILLE, or NOM in pre-2016 files
    nom_usage: str | None = None
    prenoms: tuple[str, ...] = Field(min_length=1, max_length=3)  # PRENOM, PRENOM2, PRENOM3
    sexe: Literal["M", "F"] | None = None  # CODE_SEXE 1 / 2
    date_naissance: date | None = None
    commune_naissance_insee: str | None = None
    ville_naissance: str | None = None
    pays_naissance: str | None = None
    mel: str | None = None
    tel_personnel: str | None = None
    tel_portable: str | None = None
    tel_professionnel: str | None = None
    responsables: tuple[ResponsableSource, ...] = ()
    # Scolarité
    division: str | None = None  # the D structure (the first one if several: see divisions)
    divisions: tuple[str, ...] = ()  # every D structure, to report pupils with several
    groupes: tuple[str, ...] = ()  # G structures
    code_mef: str | None = None
    options: tuple[OptionSource, ...] = ()
    date_entree: date | None = None
    date_sortie: date | None = None
    code_motif_sortie: str | None = None


class MatiereSource(Record):
    """A matière of the nomenclatures (BEE Nomenclature.xml and/or STS NOMENCLATURES/MATIERES)."""

    code: str  # CODE_MATIERE (6 chars), e.g. "030201"
    code_gestion: str | None = None  # e.g. "AGL1"
    libelle_court: str | None = None
    libelle_long: str | None = None
    libelle_edition: str | None = None

    @property
    def libelle(self) -> str:
        """LIBELLE_EDITION, else LIBELLE_LONG, else LIBELLE_COURT, else the code."""
        return self.libelle_edition or self.libelle_long or self.libelle_court or self.code


class EnseignantRef(Record):
    """The STS key of a person: (TYPE, ID), e.g. ("epp", "48213")."""

    type: str
    id_sts: str


class ServiceSource(Record):
    """One service d'enseignement of STS: a structure (division or group), a matière, a
    modalité de cours and the teachers who deliver it (possibly none)."""

    structure_code: str
    structure_type: Literal["D", "G"]
    matiere_code: str
    matiere_libelle: str  # from NOMENCLATURES/MATIERES (LIBELLE_EDITION, else LONG), else the code
    modalite: str | None = None  # CODE_MOD_COURS, e.g. "CG"
    enseignants: tuple[EnseignantRef, ...] = ()


class EnseignantSource(Record):
    """An INDIVIDU of the STS export."""

    type: str  # "epp" | "local"
    id_sts: str
    civilite: str | None = None  # "M." | "MME" | "MLLE" (from CIVILITE 1/2/3)
    sexe: Literal["M", "F"] | None = None
    nom_usage: str
    nom_patronymique: str | None = None
    prenom: str
    date_naissance: date | None = None
    grade: str | None = None
    fonction: str | None = None  # ENS, DIR, EDU…

    @property
    def ref(self) -> EnseignantRef:
        return EnseignantRef(type=self.type, id_sts=self.id_sts)


class ProfPrincipalSource(Record):
    """One PROF_PRINC of an INDIVIDU: PP of a division for a period of validity."""

    division: str
    enseignant: EnseignantRef
    date_debut: date | None = None
    date_fin: date | None = None

    def valide_le(self, jour: date) -> bool:
        return (self.date_debut is None or self.date_debut <= jour) and (
            self.date_fin is None or jour <= self.date_fin
        )


class ExportDescription(Record):
    """Which file (or S3E resource) a part of the snapshot came from."""

    fichier: str  # file name, zip member ("Eleves.zip!ElevesSansAdresses.xml") or URL
    racine: str  # root element, e.g. BEE_ELEVES
    date_export: str | None = None  # as written (DD/MM/YYYY HH:MM:SS or ISO)


class SourceSnapshot(Record):
    """Everything the BEE and STS say about one établissement, read once."""

    uai: str
    annee_scolaire: str  # first calendar year, e.g. "2025"
    origine: Literal["fichiers", "s3e"] = "fichiers"
    etablissement: EtablissementSource
    divisions: tuple[DivisionSource, ...] = ()
    groupes: tuple[GroupeSource, ...] = ()
    eleves: tuple[EleveSource, ...] = ()
    enseignants: tuple[EnseignantSource, ...] = ()
    services: tuple[ServiceSource, ...] = ()
    profs_principaux: tuple[ProfPrincipalSource, ...] = ()
    matieres: tuple[MatiereSource, ...] = ()  # STS MATIERES completed by Nomenclature.xml
    exports: tuple[ExportDescription, ...] = ()
    anomalies: tuple[str, ...] = ()  # French warnings found while reading (e.g. several D)
    # Optional exports absent from the delivery (a missing file, or an S3E resource answering 404), by role:
    # "responsables", "nomenclature", "structures", "communs". What they alone carry is kept as LSUN has it (R13).
    absents: tuple[str, ...] = ()

    def empreinte(self) -> str:
        """Content hash of the data (not of where it came from): equal data, equal hash."""
        canonique = self.model_copy(update={"divisions": tuple(sorted(self.divisions, key=lambda d: d.code)),
                                            "groupes": tuple(sorted(self.groupes, key=lambda g: g.code))})
        data = canonique.model_dump_json(exclude={"exports", "origine", "anomalies"})  # the other lists are sorted
        return hashlib.sha256(data.encode("utf-8")).hexdigest()
