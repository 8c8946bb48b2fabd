"""Reader of the STS-web export ``sts_emp_<UAI>_<année>.xml`` (root ``STS_EDT``).

It gives the établissement block (``PARAMETRES/UAJ@CODE`` and its children), the school year
(``ANNEE_SCOLAIRE@ANNEE``), the matières of ``NOMENCLATURES``, the people (``INDIVIDUS``) with their
professeur principal periods, the divisions and groups of ``STRUCTURE`` and their services
d'enseignement. Dates are ISO (``AAAA-MM-JJ``) here, unlike SIECLE.

The timetable software's upload file (root ``EDT_STS``, or an ``STS_EDT`` carrying
``PARAMETRES/APPLICATION_SOURCE``) is refused with its own explanation: it is the file users most
often send instead of the STS-web export.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from lxml import etree

from lsun_events.sources.controles import (
    LONGUEUR_MAX_NOM,
    montrer,
    nom_trop_long,
    probleme_date_naissance,
    probleme_nom_trop_long,
    uai_valide,
)
from lsun_events.sources.documents import Document
from lsun_events.sources.erreurs import SourceInvalideError
from lsun_events.sources.records import (
    Adresse,
    DivisionSource,
    EnseignantRef,
    EnseignantSource,
    EtablissementSource,
    GroupeSource,
    MatiereSource,
    ProfPrincipalSource,
    ServiceSource,
)
from lsun_events.sources.siecle import Parametres, Verification, matiere
from lsun_events.sources.xml import (
    CORRECTION_EDT_STS,
    attribut,
    date_iso,
    decrire_position,
    ouvrir_xml,
    texte,
    verifier_racine,
)

CORRECTION_FICHE_STS = "Corrigez la fiche de cette personne dans STS-web, puis exportez de nouveau le fichier"
CORRECTION_REEXPORT_STS = ("Le fichier a sans doute été modifié après l'export : exportez-le de nouveau "
                           "depuis STS-web et utilisez-le tel quel")
CIVILITES = {"1": "M.", "2": "MME", "3": "MLLE"}
_SEXES = {"1": "M", "2": "F"}

_MATIERE = "NOMENCLATURES/MATIERES/MATIERE"
_INDIVIDU = "DONNEES/INDIVIDUS/INDIVIDU"
_SUPPLEANT = "DONNEES/SUPPLEANTS/SUPPLEANT"
_DIVISION = "DONNEES/STRUCTURE/DIVISIONS/DIVISION"
_GROUPE = "DONNEES/STRUCTURE/GROUPES/GROUPE"
_CHEMINS = ("PARAMETRES", _MATIERE, _INDIVIDU, _SUPPLEANT, _DIVISION, _GROUPE)
_NOMS = {"NOM_USAGE": "le nom d'usage", "NOM_PATRONYMIQUE": "le nom patronymique", "PRENOM": "le prénom"}
_LONGUEUR_AFFICHEE = 60  # of a name in an error


@dataclass(frozen=True)
class LectureSts:
    parametres: Parametres
    etablissement: EtablissementSource
    matieres: dict[str, MatiereSource]
    enseignants: tuple[EnseignantSource, ...]
    services: tuple[ServiceSource, ...]
    profs_principaux: tuple[ProfPrincipalSource, ...]
    divisions: tuple[DivisionSource, ...]
    groupes: tuple[GroupeSource, ...]
    anomalies: tuple[str, ...] = ()


@dataclass(frozen=True)
class _ServiceLu:
    """A SERVICE before the matière libellés (anywhere in the file) and the people are known."""

    structure_code: str
    structure_type: str
    matiere_code: str
    modalite: str | None
    enseignants: tuple[tuple[str | None, str], ...]  # (TYPE if given, ID)


def lire_sts(document: Document, *, verifier: Verification | None = None) -> LectureSts:
    """Read an ``STS_EDT`` export into the établissement, people, PP, structures and services."""
    lecteur = _LecteurSts(document.nom)
    with ouvrir_xml(document) as flux:
        verifier_racine(flux, "STS_EDT")
        erreur: SourceInvalideError | None = None  # a bad record; the XML is still read to its end
        for chemin, element in flux.elements(_CHEMINS):
            if chemin == "PARAMETRES":
                lecteur.parametres(element, flux.racine)
                if verifier is not None:
                    verifier(lecteur.lus_parametres())
            elif erreur is None:
                try:
                    lecteur.lire(chemin, element)
                except SourceInvalideError as e:
                    erreur = e
        if lecteur.parametres_lus is None:
            lecteur.parametres(None, flux.racine)
        if erreur is not None:
            raise erreur
    return lecteur.resultat()


class _LecteurSts:
    def __init__(self, fichier: str) -> None:
        self.fichier = fichier
        self.parametres_lus: Parametres | None = None
        self.etablissement: EtablissementSource | None = None
        self.matieres: dict[str, MatiereSource] = {}
        self.enseignants: dict[tuple[str, str], EnseignantSource] = {}
        self.profs_principaux: list[ProfPrincipalSource] = []
        self.divisions: dict[str, DivisionSource] = {}
        self.groupes: dict[str, GroupeSource] = {}
        self.services: list[_ServiceLu] = []
        self.anomalies: list[str] = []
        self._rang_individu = 0

    # PARAMETRES -----------------------------------------------------------------------------

    def parametres(self, element: etree._Element | None, racine: str) -> None:
        uaj = element.find("UAJ") if element is not None else None
        uai = attribut(uaj, "CODE") or texte(uaj, "CODE")
        if not uai:
            raise SourceInvalideError(
                self.fichier, "le code de l'établissement (PARAMETRES/UAJ@CODE) est absent : impossible de "
                              "vérifier que ce fichier concerne votre établissement",
                correction=CORRECTION_REEXPORT_STS)
        if not uai_valide(uai):
            raise SourceInvalideError(
                self.fichier, f"le code de l'établissement (PARAMETRES/UAJ@CODE) « {montrer(uai, limite=40)} » n'est "
                              "pas un UAI (7 chiffres et une lettre, par exemple 0999001X)",
                enregistrement=f"UAJ (ligne {uaj.sourceline})" if uaj is not None and uaj.sourceline else None,
                correction=CORRECTION_REEXPORT_STS)
        application = texte(element, "APPLICATION_SOURCE")
        if application:
            raise SourceInvalideError(
                self.fichier,
                f"ce fichier a été produit par un logiciel d'emploi du temps (PARAMETRES/APPLICATION_SOURCE "
                f"« {application} »), ce n'est pas l'export STS-web `sts_emp_…`",
                correction=CORRECTION_EDT_STS)
        annee = element.find("ANNEE_SCOLAIRE") if element is not None else None
        self.parametres_lus = Parametres(
            fichier=self.fichier, racine=racine, uai=uai.upper(),
            annee_scolaire=attribut(annee, "ANNEE") or texte(element, "ANNEE_SCOLAIRE"),
            date_export=texte(element, "DATE_EXPORT"), horodatage=texte(element, "HORODATAGE"))
        noms = [texte(uaj, "DENOM_PRINC"), texte(uaj, "DENOM_COMPL")]
        lignes = tuple(v for v in (texte(uaj, "ADRESSE"), texte(uaj, "BOITE_POSTALE")) if v)
        commune = " ".join(v for v in (texte(uaj, "COMMUNE"), texte(uaj, "CEDEX")) if v) or None
        champs = {
            "nom": " ".join(n for n in noms if n) or None,
            "sigle": texte(uaj, "SIGLE"),
            "adresse": Adresse(lignes=lignes, code_postal=texte(uaj, "CODE_POSTAL"), commune=commune),
            "telephone": texte(uaj, "TELEPHONE"),
            "academie": texte(uaj, "ACADEMIE/CODE"),
        }
        self.etablissement = EtablissementSource(uai=uai.upper(), **{k: v for k, v in champs.items() if v})

    def lus_parametres(self) -> Parametres:
        assert self.parametres_lus is not None
        return self.parametres_lus

    # DONNEES --------------------------------------------------------------------------------

    def lire(self, chemin: str, element: etree._Element) -> None:
        if chemin == _MATIERE:
            code = attribut(element, "CODE") or attribut(element, "CODE_MATIERE")
            if code:
                self.matieres.setdefault(code, matiere(code, element))
        elif chemin in (_INDIVIDU, _SUPPLEANT):
            self.individu(element, suppleant=chemin == _SUPPLEANT)
        elif chemin == _DIVISION:
            self.division(element)
        else:
            self.groupe(element)

    def _erreur(self, probleme: str, qui: str, correction: str = CORRECTION_FICHE_STS) -> SourceInvalideError:
        return SourceInvalideError(self.fichier, probleme, enregistrement=qui, correction=correction)

    def _date(self, element: etree._Element, balise: str, libelle: str, qui: str) -> date | None:
        valeur = texte(element, balise)
        if valeur is None:
            return None
        try:
            return date_iso(valeur)
        except ValueError:
            raise self._erreur(f"la {libelle} ({balise}) « {valeur} » n'est pas une date au format AAAA-MM-JJ",
                               qui) from None

    def individu(self, element: etree._Element, *, suppleant: bool) -> None:
        self._rang_individu += 1
        id_sts, type_ = attribut(element, "ID"), attribut(element, "TYPE")
        nom = texte(element, "NOM_USAGE") or texte(element, "NOM_PATRONYMIQUE")
        prenom = texte(element, "PRENOM")
        identite = " ".join(v for v in (nom, prenom) if v)
        if any(len(v) > LONGUEUR_MAX_NOM for v in (nom, prenom) if v):  # refused below: keep the message short
            identite = " ".join(montrer(v, limite=_LONGUEUR_AFFICHEE) for v in (nom, prenom) if v)
        if not id_sts or not type_:
            position = decrire_position(element, self._rang_individu, "INDIVIDU du fichier")
            raise self._erreur("une personne n'a pas d'identifiant STS (attributs ID et TYPE)",
                               f"{position}{', ' + identite if identite else ''}", CORRECTION_REEXPORT_STS)
        qui = f"INDIVIDU {type_} {id_sts} ({identite + ', ' if identite else ''}ligne {element.sourceline})"
        if not nom:
            raise self._erreur("le nom de la personne est absent (ni NOM_USAGE ni NOM_PATRONYMIQUE)", qui)
        if not prenom:
            raise self._erreur("le prénom de la personne est absent (PRENOM)", qui)
        cle = (type_, id_sts)
        if cle in self.enseignants:
            if not suppleant:  # a SUPPLEANT is often also an INDIVIDU: nothing to report
                self.anomalies.append(f"L'{qui} apparaît plusieurs fois dans STS-web : seule la première "
                                      "fiche est retenue.")
            return
        for balise, libelle in _NOMS.items():
            valeur = texte(element, balise)
            if valeur is not None and nom_trop_long(valeur):
                raise self._erreur(probleme_nom_trop_long(libelle, balise, valeur), qui)
        naissance = self._date(element, "DATE_NAISSANCE", "date de naissance", qui)
        if naissance is not None:
            probleme = probleme_date_naissance(naissance, "DATE_NAISSANCE", texte(element, "DATE_NAISSANCE") or "")
            if probleme:
                raise self._erreur(probleme, qui)
        ref = EnseignantRef(type=type_, id_sts=id_sts)
        for pp in element.iterfind("PROFS_PRINC/PROF_PRINC"):
            division = texte(pp, "CODE_STRUCTURE")
            if division:
                self.profs_principaux.append(ProfPrincipalSource(
                    division=division, enseignant=ref,
                    date_debut=self._date(pp, "DATE_DEBUT", "date de début de professeur principal", qui),
                    date_fin=self._date(pp, "DATE_FIN", "date de fin de professeur principal", qui)))
        self.enseignants[cle] = EnseignantSource(
            type=type_, id_sts=id_sts, civilite=CIVILITES.get(texte(element, "CIVILITE") or ""),
            sexe=_SEXES.get(texte(element, "SEXE") or ""), nom_usage=nom,
            nom_patronymique=texte(element, "NOM_PATRONYMIQUE"), prenom=prenom,
            date_naissance=naissance,
            grade=texte(element, "GRADE"), fonction=texte(element, "FONCTION"))

    def division(self, element: etree._Element) -> None:
        code = attribut(element, "CODE")
        if not code:
            return
        if code not in self.divisions:
            mefs = _codes(element.iterfind("MEFS_APPARTENANCE/MEF_APPARTENANCE"))
            self.divisions[code] = DivisionSource(code=code, libelle=texte(element, "LIBELLE_LONG"), mefs=mefs)
        self._services(element, code, "D")

    def groupe(self, element: etree._Element) -> None:
        code = attribut(element, "CODE")
        if not code:
            return
        if code not in self.groupes:
            membres = _codes(element.iterfind("DIVISIONS_APPARTENANCE/DIVISION_APPARTENANCE"))
            self.groupes[code] = GroupeSource(code=code, libelle=texte(element, "LIBELLE_LONG"), divisions=membres)
        self._services(element, code, "G")

    def _services(self, element: etree._Element, code: str, type_structure: str) -> None:
        for service in element.iterfind("SERVICES/SERVICE"):
            matiere_code = attribut(service, "CODE_MATIERE")
            if not matiere_code:
                self.anomalies.append(f"Un service de la structure {code} n'a pas de code matière "
                                      f"(ligne {service.sourceline}) : ignoré.")
                continue
            enseignants = tuple(
                (attribut(e, "TYPE"), identifiant)
                for e in service.iterfind("ENSEIGNANTS/ENSEIGNANT")
                if (identifiant := attribut(e, "ID")))
            self.services.append(_ServiceLu(code, type_structure, matiere_code,
                                            attribut(service, "CODE_MOD_COURS"), enseignants))

    # result ---------------------------------------------------------------------------------

    def _ref(self, type_: str | None, id_sts: str, service: _ServiceLu) -> EnseignantRef:
        if type_ is None:  # TYPE is optional in some files: the person with that ID, if only one
            types = [t for (t, i) in self.enseignants if i == id_sts]
            type_ = types[0] if len(types) == 1 else "epp"
        if (type_, id_sts) not in self.enseignants:
            self.anomalies.append(
                f"Le service {service.matiere_code} de la structure {service.structure_code} cite l'enseignant "
                f"{type_} {id_sts}, absent des personnes (INDIVIDUS) de STS-web.")
        return EnseignantRef(type=type_, id_sts=id_sts)

    def resultat(self) -> LectureSts:
        services = []
        for lu in self.services:
            matiere_lue = self.matieres.get(lu.matiere_code)
            services.append(ServiceSource(
                structure_code=lu.structure_code, structure_type=lu.structure_type,  # type: ignore[arg-type]
                matiere_code=lu.matiere_code,
                matiere_libelle=matiere_lue.libelle if matiere_lue else lu.matiere_code,
                modalite=lu.modalite,
                enseignants=tuple(dict.fromkeys(self._ref(t, i, lu) for t, i in lu.enseignants))))
        assert self.parametres_lus is not None and self.etablissement is not None
        return LectureSts(
            parametres=self.parametres_lus, etablissement=self.etablissement, matieres=self.matieres,
            enseignants=tuple(self.enseignants.values()), services=tuple(services),
            profs_principaux=tuple(dict.fromkeys(self.profs_principaux)),
            divisions=tuple(self.divisions.values()), groupes=tuple(self.groupes.values()),
            anomalies=tuple(dict.fromkeys(self.anomalies)))


def _codes(elements: Iterable[etree._Element]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(c for c in (attribut(e, "CODE") for e in elements) if c))
