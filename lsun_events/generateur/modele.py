"""In-memory model of one school as the national exports describe it (BEE + STS-web).

Plain mutable dataclasses: the generator builds them, the variantes modify deep copies of them and the
writers turn them into the real XML files. Field names follow the export elements (formats.md).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

INACTIFS = "Inactifs"
"""Pseudo-division of the BEE for pupils parked outside any class."""


@dataclass(frozen=True, order=True)
class RefEnseignant:
    """The STS key of an INDIVIDU: (TYPE, ID), e.g. ("epp", "48213")."""

    type: str
    id: str


@dataclass
class Matiere:
    code: str  # 6-char national code, e.g. 061300
    code_gestion: str
    libelle_court: str
    libelle_long: str
    libelle_edition: str
    discipline: str = ""  # STS DISCIPLINE code of the teachers of this matière, e.g. L1300
    discipline_libelle: str = ""


@dataclass
class Mef:
    code: str  # 11 chars, e.g. 10210001110
    formation: str  # e.g. "4EME"
    libelle_long: str
    libelle_edition: str
    mefstat11: str = ""


@dataclass
class Service:
    matiere_code: str
    enseignants: list[RefEnseignant] = field(default_factory=list)
    modalite: str = "CG"
    heures: str = ""  # HEURES_STRUCTURE, e.g. "4.50"


@dataclass
class Division:
    code: str
    libelle: str
    mefs: list[str] = field(default_factory=list)
    services: list[Service] = field(default_factory=list)

    def service(self, matiere_code: str) -> Service | None:
        return next((s for s in self.services if s.matiere_code == matiere_code), None)


@dataclass
class Groupe:
    code: str
    libelle: str  # may be empty (STS <LIBELLE_LONG/>)
    divisions: list[str] = field(default_factory=list)
    services: list[Service] = field(default_factory=list)


@dataclass
class Adresse:
    adresse_id: str
    lignes: list[str] = field(default_factory=list)  # LIGNE1_ADRESSE … LIGNE4_ADRESSE
    code_postal: str = ""
    libelle_postal: str = ""  # commune
    code_departement: str = ""
    pays: str = ""  # LL_PAYS, e.g. "FRANCE"
    commune_etrangere: str = ""


@dataclass
class Responsable:
    """A PERSONNE of ResponsablesAvecAdresses.xml, as seen from one pupil (RESPONSABLE_ELEVE)."""

    personne_id: str
    civilite: str  # LC_CIVILITE: "M." | "MME"
    nom_de_famille: str
    prenom: str
    nom_usage: str = ""
    code_parente: str = ""  # 10 mère, 20 père, 50 tuteur…
    niveau_responsabilite: str = "1"  # 1 = responsable légal
    paie_frais: bool = False
    adresse: Adresse | None = None
    tel_personnel: str = ""
    tel_portable: str = ""
    tel_professionnel: str = ""
    mel: str = ""
    code_profession: str = ""


@dataclass
class OptionEleve:
    rang: int
    matiere_code: str
    modalite: str  # CODE_MODALITE_ELECT: S, O, F…


@dataclass
class ScolariteAnDernier:
    code_rne: str
    denom_princ: str
    code_mef: str = ""
    code_structure: str = ""


@dataclass
class Eleve:
    eleve_id: str  # ELEVE_ID, LSU id-be
    elenoet: str
    ine: str  # ID_NATIONAL, "" for a pupil not yet registered nationally
    nom_de_famille: str
    prenoms: list[str]  # 1 to 3
    sexe: str  # "M" | "F"
    date_naissance: date
    division: str  # code of the D structure (a division, or INACTIFS)
    nom_usage: str = ""
    code_pays: str = "100"
    code_departement_naiss: str = ""
    commune_naiss_insee: str = ""
    ville_naiss: str = ""
    groupes: list[str] = field(default_factory=list)
    code_mef: str = ""
    code_statut: str = "ST"
    code_regime: str = "2"
    doublement: bool = False
    options: list[OptionEleve] = field(default_factory=list)
    date_entree: date | None = None
    date_sortie: date | None = None
    code_motif_sortie: str = ""
    mel: str = ""
    tel_personnel: str = ""
    tel_portable: str = ""
    tel_professionnel: str = ""
    responsables: list[Responsable] = field(default_factory=list)
    scolarite_an_dernier: ScolariteAnDernier | None = None

    def est_sorti(self, jour: date) -> bool:
        return self.date_sortie is not None and self.date_sortie <= jour


@dataclass
class ProfPrincipal:
    division: str
    date_debut: date
    date_fin: date


@dataclass
class Enseignant:
    """An INDIVIDU of STS: a teacher (FONCTION ENS), the principal (DIR), a CPE (EDU)…"""

    id: str
    type: str  # "epp" | "local"
    nom_usage: str
    prenom: str
    sexe: str  # "M" | "F" | "" (locally created people may have none)
    civilite: str = ""  # 1 M., 2 Mme, 3 Mlle
    nom_patronymique: str = ""
    date_naissance: date | None = None
    grade: str = ""
    fonction: str = "ENS"
    profs_princ: list[ProfPrincipal] = field(default_factory=list)
    disciplines: list[tuple[str, str, str]] = field(default_factory=list)  # (CODE, LIBELLE_COURT, NB_HEURES)

    @property
    def ref(self) -> RefEnseignant:
        return RefEnseignant(self.type, self.id)


@dataclass
class Etablissement:
    uai: str
    sigle: str = "CLG"
    denom_princ: str = "COLLEGE"
    denom_compl: str = ""
    code_nature: str = "340"
    code_categorie: str = ""
    adresse_lignes: list[str] = field(default_factory=list)
    code_postal: str = ""
    commune: str = ""
    code_commune_insee: str = ""
    telephone: str = ""
    telecopie: str = ""
    mel: str = ""
    chef_nom: str = ""  # Communs NOM_RESP, "Prénom NOM"
    chef_qualite: str = ""  # Communs QUAL_RESP, e.g. "PRINCIPALE"
    academie_code: str = ""
    academie_libelle: str = ""
    statut: str = "PU"

    @property
    def nom(self) -> str:
        return f"{self.denom_princ} {self.denom_compl}".strip()


@dataclass
class Ecole:
    """Everything the six exports of one établissement say, for one school year."""

    etablissement: Etablissement
    annee: int  # first calendar year of the school year
    date_export: datetime
    date_debut: date  # first day of the year (Communs DATE_DEBUT_ELEVE, STS ANNEE_SCOLAIRE/DATE_DEBUT)
    date_fin: date  # STS ANNEE_SCOLAIRE/DATE_FIN (31 August)
    date_fin_cours: date  # Communs DATE_FIN_ELEVE (early July)
    matieres: list[Matiere] = field(default_factory=list)
    mefs: list[Mef] = field(default_factory=list)
    divisions: list[Division] = field(default_factory=list)
    groupes: list[Groupe] = field(default_factory=list)
    eleves: list[Eleve] = field(default_factory=list)
    enseignants: list[Enseignant] = field(default_factory=list)

    @property
    def uai(self) -> str:
        return self.etablissement.uai

    @property
    def nom_fichier_sts(self) -> str:
        return f"sts_emp_{self.uai}_{self.annee}.xml"

    def eleve(self, eleve_id: str) -> Eleve:
        for eleve in self.eleves:
            if eleve.eleve_id == eleve_id:
                return eleve
        raise KeyError(f"élève {eleve_id} inconnu")

    def division(self, code: str) -> Division:
        for division in self.divisions:
            if division.code == code:
                return division
        raise KeyError(f"division {code} inconnue")

    def groupe(self, code: str) -> Groupe:
        for groupe in self.groupes:
            if groupe.code == code:
                return groupe
        raise KeyError(f"groupe {code} inconnu")

    def matiere(self, code: str) -> Matiere:
        for matiere in self.matieres:
            if matiere.code == code:
                return matiere
        raise KeyError(f"matière {code} inconnue")

    def enseignant(self, ref: RefEnseignant | Enseignant | str) -> Enseignant:
        cle = cle_enseignant(self, ref)
        for enseignant in self.enseignants:
            if enseignant.ref == cle:
                return enseignant
        raise KeyError(f"enseignant {cle.type} {cle.id} inconnu")

    def eleves_de(self, division: str) -> list[Eleve]:
        return [e for e in self.eleves if e.division == division]

    def services(self) -> list[tuple[str, str, Service]]:
        """Every service as (structure code, "D" | "G", service)."""
        resultat = [(d.code, "D", s) for d in self.divisions for s in d.services]
        resultat += [(g.code, "G", s) for g in self.groupes for s in g.services]
        return resultat

    def services_de(self, ref: RefEnseignant | Enseignant | str) -> list[tuple[str, str, Service]]:
        cle = cle_enseignant(self, ref)
        return [(code, nature, s) for code, nature, s in self.services() if cle in s.enseignants]

    def profs_principaux(self, division: str, le: date | None = None) -> list[Enseignant]:
        """The PP of a division (only those whose PROF_PRINC is valid on ``le`` if given)."""
        return [e for e in self.enseignants if any(
            pp.division == division and (le is None or pp.date_debut <= le <= pp.date_fin)
            for pp in e.profs_princ)]

    def directeur(self) -> Enseignant | None:
        return next((e for e in self.enseignants if e.fonction == "DIR"), None)


def cle_enseignant(ecole: Ecole, ref: RefEnseignant | Enseignant | str) -> RefEnseignant:
    """A teacher given as its key, itself, or its bare STS ID (must then be unambiguous)."""
    if isinstance(ref, RefEnseignant):
        return ref
    if isinstance(ref, Enseignant):
        return ref.ref
    trouves = [e.ref for e in ecole.enseignants if e.id == ref]
    if len(trouves) != 1:
        raise KeyError(f"enseignant d'ID {ref} : {len(trouves)} INDIVIDU(s) correspondant(s)")
    return trouves[0]
