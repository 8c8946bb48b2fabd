"""Readers of the SIECLE "Base élèves" (BEE) exports, each streamed once into source records.

* ``lire_eleves``: ``BEE_ELEVES`` (ElevesSansAdresses.xml / ElevesAvecAdresses.xml): ELEVES,
  STRUCTURES and OPTIONS joined on ELEVE_ID;
* ``lire_responsables``: ``BEE_RESPONSABLES``: PERSONNES, RESPONSABLES and ADRESSES joined, by pupil;
* ``lire_nomenclature``: ``BEE_NOMENCLATURES``: matières, MEF, modalités d'élection;
* ``lire_structures``: ``BEE_STRUCTURES``: divisions and groups with their libellés;
* ``lire_communs``: ``BEE_COMMUN``: the établissement and its chef.

Every BEE file is ``ROOT/PARAMETRES`` (UAJ, ANNEE_SCOLAIRE, DATE_EXPORT, HORODATAGE) plus
``ROOT/DONNEES``; a reader may be given ``verifier``, called with the ``Parametres`` as soon as they
are read, so that a file of another school or year stops before its data is read.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date

from lxml import etree
from pydantic import ValidationError

from lsun_events.sources.controles import (
    LONGUEUR_MAX_NOM,
    NAISSANCE_MIN,
    eleve_id_valide,
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
    EleveSource,
    EtablissementSource,
    ExportDescription,
    GroupeSource,
    MatiereSource,
    OptionSource,
    ResponsableSource,
)
from lsun_events.sources.xml import (
    attribut,
    date_fr,
    decrire_position,
    enfants,
    ouvrir_xml,
    premiers,
    texte,
    verifier_racine,
)

LONGUEUR_AFFICHEE = 60  # of a name in an error
DIVISION_INACTIFS = "Inactifs"  # SIECLE's pseudo-division of pupils parked outside any class
CORRECTION_FICHE_ELEVE = "Corrigez la fiche de l'élève dans SIECLE Base élèves, puis exportez de nouveau le fichier"
CORRECTION_REEXPORT = ("Le fichier a sans doute été modifié après l'export : exportez-le de nouveau depuis "
                       "SIECLE Base élèves et utilisez-le tel quel")


@dataclass(frozen=True)
class Parametres:
    """The ``PARAMETRES`` envelope of an export (``UAJ`` is text in BEE, ``UAJ@CODE`` in STS)."""

    fichier: str
    racine: str
    uai: str
    annee_scolaire: str | None = None
    date_export: str | None = None
    horodatage: str | None = None
    version: str | None = None

    def description(self) -> ExportDescription:
        return ExportDescription(fichier=nom_court(self.fichier), racine=self.racine,
                                 date_export=self.horodatage or self.date_export)


Verification = Callable[[Parametres], None]


def nom_court(nom: str) -> str:
    """``/a/b/Eleves.zip!ElevesSansAdresses.xml`` → ``Eleves.zip!ElevesSansAdresses.xml`` (URLs kept)."""
    if "://" in nom:
        return nom
    tete, separateur, reste = nom.partition("!")
    return tete.replace("\\", "/").rsplit("/", 1)[-1] + separateur + reste


def lire_parametres(fichier: str, racine: str, element: etree._Element | None,
                    attributs_racine: dict[str, str]) -> Parametres:
    """The BEE envelope; a file without ``PARAMETRES/UAJ`` cannot be trusted to be the school's."""
    uai = texte(element, "UAJ")
    if not uai:
        raise SourceInvalideError(
            fichier, "le code de l'établissement (PARAMETRES/UAJ) est absent : impossible de vérifier "
                     "que ce fichier concerne votre établissement",
            correction=CORRECTION_REEXPORT)
    if not uai_valide(uai):
        raise SourceInvalideError(
            fichier, f"le code de l'établissement (PARAMETRES/UAJ) « {montrer(uai, limite=40)} » n'est pas un UAI "
                     "(7 chiffres et une lettre, par exemple 0999001X)",
            enregistrement=f"PARAMETRES (ligne {element.sourceline})" if element is not None and element.sourceline
            else None,
            correction=CORRECTION_REEXPORT)
    return Parametres(
        fichier=fichier, racine=racine, uai=uai.upper(), annee_scolaire=texte(element, "ANNEE_SCOLAIRE"),
        date_export=texte(element, "DATE_EXPORT"), horodatage=texte(element, "HORODATAGE"),
        version=attributs_racine.get("VERSION"))


class _Enveloppe:
    """Reads PARAMETRES when it comes, calls the verification once, and insists it was there."""

    def __init__(self, document: Document, racine: str, attributs: dict[str, str],
                 verifier: Verification | None) -> None:
        self._document = document
        self._racine = racine
        self._attributs = attributs
        self._verifier = verifier
        self.parametres: Parametres | None = None

    def lire(self, element: etree._Element | None) -> Parametres:
        if self.parametres is None:
            self.parametres = lire_parametres(self._document.nom, self._racine, element, self._attributs)
            if self._verifier is not None:
                self._verifier(self.parametres)
        return self.parametres

    def fin(self) -> Parametres:
        return self.parametres or self.lire(None)


def _interner(valeur: str | None) -> str | None:
    return sys.intern(valeur) if valeur is not None else None


# --- BEE_ELEVES ---------------------------------------------------------------------------------

_ELEVE = "DONNEES/ELEVES/ELEVE"
_OPTION = "DONNEES/OPTIONS/OPTION"
_STRUCTURES_ELEVE = "DONNEES/STRUCTURES/STRUCTURES_ELEVE"
_SEXES = {"1": "M", "2": "F"}
_CHAMPS_DATES = {"DATE_NAISS": "date de naissance", "DATE_ENTREE": "date d'entrée",
                 "DATE_SORTIE": "date de sortie"}
_NOMS_ELEVE = {"NOM_DE_FAMILLE": "le nom de famille", "NOM": "le nom de famille", "NOM_USAGE": "le nom d'usage",
               "PRENOM": "le prénom", "PRENOM2": "le deuxième prénom", "PRENOM3": "le troisième prénom"}
_NOMS_RESPONSABLE = {"NOM_USAGE": "le nom d'usage", "NOM_DE_FAMILLE": "le nom de famille", "NOM": "le nom",
                     "PRENOM": "le prénom"}
CORRECTION_FICHE_RESPONSABLE = ("Corrigez la fiche du responsable dans SIECLE Base élèves, puis exportez de nouveau "
                                "le fichier")


@dataclass(frozen=True)
class LectureEleves:
    parametres: Parametres
    eleves: tuple[EleveSource, ...]
    anomalies: tuple[str, ...] = ()


@dataclass(slots=True)
class _Eleve:
    """A pupil as read from ELEVE, waiting for its structures and options."""

    champs: dict[str, object]
    qui: str  # how errors and anomalies name it
    structures: list[tuple[str, str]] | None = None
    options: list[OptionSource] = field(default_factory=list)


def lire_eleves(document: Document, *, verifier: Verification | None = None) -> LectureEleves:
    """Read a ``BEE_ELEVES`` export: every pupil with its divisions, groups and options."""
    with ouvrir_xml(document) as flux:
        verifier_racine(flux, "BEE_ELEVES")
        enveloppe = _Enveloppe(document, flux.racine, flux.attributs_racine, verifier)
        lecteur = _LecteurEleves(document.nom)
        erreur: SourceInvalideError | None = None  # a bad record; the XML is still read to its end
        for chemin, element in flux.elements(("PARAMETRES", _ELEVE, _OPTION, _STRUCTURES_ELEVE)):
            if chemin == "PARAMETRES":
                enveloppe.lire(element)
            elif erreur is None:
                try:
                    lecteur.lire(chemin, element)
                except SourceInvalideError as e:
                    erreur = e
        parametres = enveloppe.fin()
        if erreur is not None:
            raise erreur
    return LectureEleves(parametres, lecteur.resultat(), tuple(lecteur.anomalies))


class _LecteurEleves:
    def __init__(self, fichier: str) -> None:
        self.fichier = fichier
        self.eleves: dict[str, _Eleve] = {}
        self.anomalies: list[str] = []
        self._rang = 0
        self._ines: dict[str, str] = {}
        self._structures_orphelines: dict[str, list[tuple[str, str]]] = {}
        self._options_orphelines: dict[str, list[OptionSource]] = {}
        self._options: dict[tuple[int, str, str | None], OptionSource] = {}
        self._aujourd_hui = date.today()

    def lire(self, chemin: str, element: etree._Element) -> None:
        if chemin == _ELEVE:
            self.eleve(element)
        elif chemin == _STRUCTURES_ELEVE:
            self.structures(element)
        else:
            self.option(element)

    def _erreur(self, probleme: str, qui: str, correction: str = CORRECTION_FICHE_ELEVE) -> SourceInvalideError:
        return SourceInvalideError(self.fichier, probleme, enregistrement=qui, correction=correction)

    def eleve(self, element: etree._Element) -> None:
        self._rang += 1
        lu = enfants(element).get
        eleve_id = attribut(element, "ELEVE_ID") or lu("ELEVE_ID")
        nom = lu("NOM_DE_FAMILLE") or lu("NOM")
        prenom = lu("PRENOM")
        nom_usage, prenom2, prenom3 = lu("NOM_USAGE"), lu("PRENOM2"), lu("PRENOM3")
        ligne = f"ligne {element.sourceline}"
        maxi = LONGUEUR_MAX_NOM  # no loop, no iterator: this runs for every pupil
        trop_long = (len(nom or "") > maxi or len(prenom or "") > maxi or len(nom_usage or "") > maxi
                     or len(prenom2 or "") > maxi or len(prenom3 or "") > maxi or len(lu("NOM") or "") > maxi)
        identite = " ".join(v for v in (nom, prenom) if v)
        if trop_long:  # a name too long is refused below: the message stays short
            identite = " ".join(montrer(v, limite=LONGUEUR_AFFICHEE) for v in (nom, prenom) if v)
        if not eleve_id:
            position = decrire_position(element, self._rang, "élève du fichier")
            raise self._erreur(
                "un élève n'a pas d'identifiant ELEVE_ID",
                f"{position}{', ' + identite if identite else ''}", CORRECTION_REEXPORT)
        if not (len(eleve_id) <= 20 and eleve_id.isdigit() and eleve_id.isascii()):  # eleve_id_valide, inlined
            position = decrire_position(element, self._rang, "élève du fichier")
            raise self._erreur(
                f"l'identifiant ELEVE_ID « {montrer(eleve_id, limite=40)} » n'est pas un identifiant d'élève "
                "SIECLE (1 à 20 chiffres)", f"{position}{', ' + identite if identite else ''}", CORRECTION_REEXPORT)
        qui = f"élève ELEVE_ID {eleve_id} ({identite + ', ' if identite else ''}{ligne})"
        for balise, libelle in _NOMS_ELEVE.items() if trop_long else ():
            valeur = lu(balise)
            if valeur is not None and nom_trop_long(valeur):
                raise self._erreur(probleme_nom_trop_long(libelle, balise, valeur), qui)
        if not nom:
            raise self._erreur("le nom de famille de l'élève est absent (ni NOM_DE_FAMILLE ni NOM)", qui)
        if not prenom:
            raise self._erreur("le prénom de l'élève est absent (PRENOM)", qui)
        if eleve_id in self.eleves:
            premier = self.eleves[eleve_id]
            raise self._erreur(
                f"l'identifiant ELEVE_ID {eleve_id} est porté par deux élèves : {premier.qui} et {qui}",
                qui, CORRECTION_REEXPORT)
        ine = lu("ID_NATIONAL") or lu("INE_RNIE") or lu("INE_BEA")
        if ine:
            if ine in self._ines:
                raise self._erreur(
                    f"l'INE (identifiant national élève) {ine} est porté par deux élèves : "
                    f"{self._ines[ine]} et {qui}", qui,
                    "Corrigez l'INE de l'un des deux élèves dans SIECLE Base élèves, puis exportez de "
                    "nouveau le fichier")
            self._ines[ine] = qui
        champs: dict[str, object] = {
            "eleve_id": eleve_id,
            "ine": ine,
            "nom_de_famille": nom,
            "nom_usage": nom_usage,
            "prenoms": tuple(p for p in (prenom, prenom2, prenom3) if p),
            "sexe": self._sexe(lu("CODE_SEXE"), qui),
            "commune_naissance_insee": _interner(lu("CODE_COMMUNE_INSEE_NAISS")),
            "ville_naissance": lu("VILLE_NAISS"),
            "pays_naissance": _interner(lu("CODE_PAYS")),
            "mel": lu("MEL"),
            "tel_personnel": lu("TEL_PERSONNEL"),
            "tel_portable": lu("TEL_PORTABLE"),
            "tel_professionnel": lu("TEL_PROFESSIONNEL"),
            "code_mef": _interner(lu("CODE_MEF")),
            "code_motif_sortie": _interner(lu("CODE_MOTIF_SORTIE")),
        }
        for balise, nom_champ in (("DATE_NAISS", "date_naissance"), ("DATE_ENTREE", "date_entree"),
                                  ("DATE_SORTIE", "date_sortie")):
            valeur = lu(balise)
            if valeur is None:
                continue
            try:
                champs[nom_champ] = date_fr(valeur)
            except ValueError:
                raise self._erreur(
                    f"la {_CHAMPS_DATES[balise]} ({balise}) « {valeur} » n'est pas une date au format "
                    "JJ/MM/AAAA", qui) from None
        naissance = champs.get("date_naissance")
        if isinstance(naissance, date) and not NAISSANCE_MIN <= naissance <= self._aujourd_hui:
            raise self._erreur(probleme_date_naissance(naissance, "DATE_NAISS", lu("DATE_NAISS") or "",
                                                       self._aujourd_hui) or "", qui)
        self.eleves[eleve_id] = _Eleve({k: v for k, v in champs.items() if v is not None}, qui,
                                       self._structures_orphelines.pop(eleve_id, None),
                                       self._options_orphelines.pop(eleve_id, []))

    def _sexe(self, code: str | None, qui: str) -> str | None:
        if code is None:
            return None
        if code not in _SEXES:
            self.anomalies.append(f"Le code sexe « {code} » de l'{qui} est inconnu (1 ou 2 attendu) : ignoré.")
            return None
        return _SEXES[code]

    def _identifiant_invalide(self, eleve_id: str, element: etree._Element) -> SourceInvalideError:
        """The error for the ``ELEVE_ID`` of an OPTION or STRUCTURES_ELEVE that is not an ELEVE_ID."""
        return self._erreur(
            f"l'identifiant ELEVE_ID « {montrer(eleve_id, limite=40)} » n'est pas un identifiant d'élève "
            "SIECLE (1 à 20 chiffres)", f"{element.tag} (ligne {element.sourceline})", CORRECTION_REEXPORT)

    def structures(self, element: etree._Element) -> None:
        eleve_id = attribut(element, "ELEVE_ID")
        if not eleve_id:
            return
        if not eleve_id_valide(eleve_id):
            raise self._identifiant_invalide(eleve_id, element)
        lues = []
        for structure in element:  # the STRUCTURE children (``iterfind`` walks a path in Python)
            if structure.tag != "STRUCTURE":
                continue
            lu = premiers(structure)
            code = lu.get("CODE_STRUCTURE")
            type_structure = (lu.get("TYPE_STRUCTURE") or "").upper()
            if code and type_structure in ("D", "G"):
                lues.append((sys.intern(code), type_structure))
        eleve = self.eleves.get(eleve_id)
        deja = eleve.structures if eleve is not None else self._structures_orphelines.get(eleve_id)
        if deja is not None:
            qui = eleve.qui if eleve is not None else f"élève ELEVE_ID {eleve_id}"
            self.anomalies.append(
                f"L'{qui} a plusieurs blocs STRUCTURES_ELEVE dans SIECLE : seul le premier est retenu.")
            return
        if eleve is not None:
            eleve.structures = lues
        else:
            self._structures_orphelines[eleve_id] = lues

    def option(self, element: etree._Element) -> None:
        eleve_id = attribut(element, "ELEVE_ID")
        if not eleve_id:
            return
        if not eleve_id_valide(eleve_id):
            raise self._identifiant_invalide(eleve_id, element)
        options = []
        for rang, option in enumerate((e for e in element if e.tag == "OPTIONS_ELEVE"), start=1):
            lu = premiers(option)
            matiere = lu.get("CODE_MATIERE")
            if not matiere:
                continue
            numero = lu.get("NUM_OPTION")
            cle = (int(numero) if numero and numero.isdigit() else rang, matiere, lu.get("CODE_MODALITE_ELECT"))
            if cle not in self._options:  # a few distinct options shared by thousands of pupils
                self._options[cle] = OptionSource(rang=cle[0], matiere_code=cle[1], modalite=cle[2])
            options.append(self._options[cle])
        eleve = self.eleves.get(eleve_id)
        if eleve is not None:
            eleve.options.extend(options)
        else:
            self._options_orphelines.setdefault(eleve_id, []).extend(options)

    def resultat(self) -> tuple[EleveSource, ...]:
        """The records, built pupil by pupil while the raw data is dropped (peak memory)."""
        eleves = []
        for eleve_id in list(self.eleves):
            eleve = self.eleves.pop(eleve_id)
            structures = eleve.structures or []
            divisions = tuple(dict.fromkeys(code for code, type_ in structures if type_ == "D"))
            groupes = tuple(dict.fromkeys(code for code, type_ in structures if type_ == "G"))
            if len(divisions) > 1:
                self.anomalies.append(
                    f"L'{eleve.qui} est dans plusieurs divisions dans SIECLE ({', '.join(divisions)}) : "
                    f"la première, {divisions[0]}, est retenue.")
            try:
                eleves.append(EleveSource(
                    **eleve.champs, division=divisions[0] if divisions else None, divisions=divisions,
                    groupes=groupes, options=tuple(eleve.options)))
            except ValidationError as erreur:
                raise self._erreur(f"les données de l'élève {eleve_id} sont invalides ({erreur})",
                                   eleve.qui) from None
        return tuple(eleves)


# --- BEE_RESPONSABLES -----------------------------------------------------------------------------

_PERSONNE = "DONNEES/PERSONNES/PERSONNE"
_RESPONSABLE_ELEVE = "DONNEES/RESPONSABLES/RESPONSABLE_ELEVE"
_ADRESSE = "DONNEES/ADRESSES/ADRESSE"


@dataclass(frozen=True)
class LectureResponsables:
    parametres: Parametres
    par_eleve: dict[str, tuple[ResponsableSource, ...]]  # ELEVE_ID → its responsables, in file order
    anomalies: tuple[str, ...] = ()


def lire_responsables(document: Document, *, verifier: Verification | None = None) -> LectureResponsables:
    """Read a ``BEE_RESPONSABLES`` export: the responsables of each pupil, with their address."""
    personnes: dict[str, dict[str, object]] = {}
    adresses: dict[str, Adresse] = {}
    liens: list[dict[str, str | None]] = []
    with ouvrir_xml(document) as flux:
        verifier_racine(flux, "BEE_RESPONSABLES")
        enveloppe = _Enveloppe(document, flux.racine, flux.attributs_racine, verifier)
        erreur: SourceInvalideError | None = None  # a bad record; the XML is still read to its end
        for chemin, element in flux.elements(("PARAMETRES", _PERSONNE, _RESPONSABLE_ELEVE, _ADRESSE)):
            if chemin == _PERSONNE:
                lu = premiers(element)
                personne_id = attribut(element, "PERSONNE_ID") or lu.get("PERSONNE_ID")
                if personne_id and personne_id not in personnes:
                    personne = personnes[personne_id] = _personne(lu)
                    if erreur is None and _nom_trop_long(personne):
                        erreur = _personne_trop_longue(document.nom, personne_id, element)
            elif chemin == _RESPONSABLE_ELEVE:
                lu = premiers(element)
                lien = {balise: lu.get(balise) for balise in (
                    "ELEVE_ID", "PERSONNE_ID", "RESP_LEGAL", "NIVEAU_RESPONSABILITE", "CODE_PARENTE")}
                liens.append(lien)
                eleve_id = lien["ELEVE_ID"]
                if erreur is None and eleve_id and not eleve_id_valide(eleve_id):
                    erreur = SourceInvalideError(
                        document.nom, f"l'identifiant ELEVE_ID « {montrer(eleve_id, limite=40)} » n'est pas un "
                                      "identifiant d'élève SIECLE (1 à 20 chiffres)",
                        enregistrement=f"RESPONSABLE_ELEVE (ligne {element.sourceline})",
                        correction=CORRECTION_REEXPORT)
            elif chemin == _ADRESSE:
                lu = premiers(element)
                adresse_id = attribut(element, "ADRESSE_ID") or lu.get("ADRESSE_ID")
                if adresse_id:
                    adresses[adresse_id] = _adresse(lu)
            else:
                enveloppe.lire(element)
        parametres = enveloppe.fin()
        if erreur is not None:
            raise erreur
    anomalies: list[str] = []
    par_eleve: dict[str, list[ResponsableSource]] = {}
    for lien in liens:
        eleve_id, personne_id = lien["ELEVE_ID"], lien["PERSONNE_ID"]
        if not eleve_id or not personne_id:
            continue
        personne = personnes.get(personne_id)
        if personne is None:
            anomalies.append(f"Le responsable PERSONNE_ID {personne_id} de l'élève ELEVE_ID {eleve_id} est "
                             "absent de la liste des personnes de SIECLE : ignoré.")
            continue
        champs = {k: v for k, v in personne.items() if k != "_adresse_id"}
        adresse_id = personne["_adresse_id"]
        if isinstance(adresse_id, str):
            champs["adresse"] = adresses.get(adresse_id)
        resp_legal, niveau = lien["RESP_LEGAL"], lien["NIVEAU_RESPONSABILITE"]
        legal = resp_legal in ("1", "2") if resp_legal else (niveau == "1" if niveau else True)
        par_eleve.setdefault(eleve_id, []).append(ResponsableSource(
            personne_id=personne_id, lien=lien["CODE_PARENTE"] or resp_legal, legal=legal, **champs))
    return LectureResponsables(parametres, {k: tuple(v) for k, v in par_eleve.items()}, tuple(anomalies))


def _nom_trop_long(personne: dict[str, object]) -> bool:
    """Whether the name or first name read for a responsable is longer than a name can be."""
    nom, prenom = personne["nom"], personne["prenom"]
    return (isinstance(nom, str) and nom_trop_long(nom)) or (isinstance(prenom, str) and nom_trop_long(prenom))


def _personne_trop_longue(fichier: str, personne_id: str, element: etree._Element) -> SourceInvalideError | None:
    """The error for a responsable's name or first name longer than a name can be."""
    for balise, libelle in _NOMS_RESPONSABLE.items():
        valeur = texte(element, balise)
        if valeur is not None and nom_trop_long(valeur):
            qui = f"responsable PERSONNE_ID {montrer(personne_id, limite=40)} (ligne {element.sourceline})"
            return SourceInvalideError(fichier, probleme_nom_trop_long(libelle, balise, valeur), enregistrement=qui,
                                       correction=CORRECTION_FICHE_RESPONSABLE)
    return None


def _personne(lu: dict[str, str | None]) -> dict[str, object]:
    """A PERSONNE from its children's texts (``premiers``)."""
    return {
        "civilite": lu.get("LC_CIVILITE"),
        "nom": lu.get("NOM_USAGE") or lu.get("NOM_DE_FAMILLE") or lu.get("NOM"),
        "prenom": lu.get("PRENOM"),
        "tel_personnel": lu.get("TEL_PERSONNEL"),
        "tel_portable": lu.get("TEL_PORTABLE"),
        "tel_professionnel": lu.get("TEL_PROFESSIONNEL"),
        "mel": lu.get("MEL"),
        "_adresse_id": lu.get("ADRESSE_ID"),
    }


def adresse_bee(element: etree._Element) -> Adresse:
    """A SIECLE address (LIGNE1_ADRESSE…LIGNE4_ADRESSE, CODE_POSTAL, LIBELLE_POSTAL…)."""
    return _adresse(premiers(element))


_LIGNES_ADRESSE = ("LIGNE1_ADRESSE", "LIGNE2_ADRESSE", "LIGNE3_ADRESSE", "LIGNE4_ADRESSE")


def _adresse(lu: dict[str, str | None]) -> Adresse:
    lignes = tuple(v for v in (lu.get(balise) for balise in _LIGNES_ADRESSE) if v)
    boite = lu.get("BOITE_POST") or lu.get("BOITE_POSTALE")
    return Adresse(
        lignes=lignes + ((boite,) if boite else ()),
        code_postal=lu.get("CODE_POSTAL"),
        commune=lu.get("LIBELLE_POSTAL") or lu.get("LL_COMMUNE_INSEE") or lu.get("COMMUNE_ETRANGERE"),
        pays=lu.get("LL_PAYS"))


# --- BEE_NOMENCLATURES --------------------------------------------------------------------------

_MEF = "DONNEES/MEFS/MEF"
_MATIERE = "DONNEES/MATIERES/MATIERE"
_MODALITE = "DONNEES/MODALITES_ELECTION/MODALITE_ELECTION"


@dataclass(frozen=True)
class Mef:
    code: str
    formation: str | None = None
    libelle_long: str | None = None
    libelle_edition: str | None = None


@dataclass(frozen=True)
class LectureNomenclature:
    parametres: Parametres
    matieres: dict[str, MatiereSource]
    mefs: dict[str, Mef]
    modalites: dict[str, str]  # CODE_MODALITE_ELECT → libellé


def lire_nomenclature(document: Document, *, verifier: Verification | None = None) -> LectureNomenclature:
    """Read a ``BEE_NOMENCLATURES`` export: libellés of matières, MEF and modalités d'élection."""
    matieres: dict[str, MatiereSource] = {}
    mefs: dict[str, Mef] = {}
    modalites: dict[str, str] = {}
    with ouvrir_xml(document) as flux:
        verifier_racine(flux, "BEE_NOMENCLATURES")
        enveloppe = _Enveloppe(document, flux.racine, flux.attributs_racine, verifier)
        for chemin, element in flux.elements(("PARAMETRES", _MEF, _MATIERE, _MODALITE)):
            if chemin == _MATIERE:
                code = attribut(element, "CODE_MATIERE") or attribut(element, "CODE")
                if code:
                    matieres.setdefault(code, matiere(code, element))
            elif chemin == _MEF:
                code = attribut(element, "CODE_MEF") or attribut(element, "CODE")
                if code:
                    mefs.setdefault(code, Mef(code, texte(element, "FORMATION"), texte(element, "LIBELLE_LONG"),
                                              texte(element, "LIBELLE_EDITION")))
            elif chemin == _MODALITE:
                code = attribut(element, "CODE_MODALITE_ELECT") or attribut(element, "CODE")
                libelle = texte(element, "LIBELLE_LONG") or texte(element, "LIBELLE_COURT")
                if code and libelle:
                    modalites.setdefault(code, libelle)
            else:
                enveloppe.lire(element)
        parametres = enveloppe.fin()
    return LectureNomenclature(parametres, matieres, mefs, modalites)


def matiere(code: str, element: etree._Element) -> MatiereSource:
    """A MATIERE of a nomenclature (same children in BEE and STS; values may be space-padded)."""
    return MatiereSource(
        code=code, code_gestion=texte(element, "CODE_GESTION"), libelle_court=texte(element, "LIBELLE_COURT"),
        libelle_long=texte(element, "LIBELLE_LONG"), libelle_edition=texte(element, "LIBELLE_EDITION"))


# --- BEE_STRUCTURES -------------------------------------------------------------------------------

_DIVISION = "DONNEES/DIVISIONS/DIVISION"
_GROUPE = "DONNEES/GROUPES/GROUPE"


@dataclass(frozen=True)
class LectureStructures:
    parametres: Parametres
    divisions: tuple[DivisionSource, ...]  # without the pseudo-division Inactifs
    groupes: tuple[GroupeSource, ...]


def lire_structures(document: Document, *, verifier: Verification | None = None) -> LectureStructures:
    """Read a ``BEE_STRUCTURES`` export: divisions (with MEF) and groups (with their divisions)."""
    divisions: dict[str, DivisionSource] = {}
    groupes: dict[str, GroupeSource] = {}
    with ouvrir_xml(document) as flux:
        verifier_racine(flux, "BEE_STRUCTURES")
        enveloppe = _Enveloppe(document, flux.racine, flux.attributs_racine, verifier)
        for chemin, element in flux.elements(("PARAMETRES", _DIVISION, _GROUPE)):
            if chemin == "PARAMETRES":
                enveloppe.lire(element)
                continue
            code = attribut(element, "CODE_STRUCTURE") or attribut(element, "CODE")
            if not code:
                continue
            libelle = texte(element, "LIBELLE_LONG")
            if chemin == _DIVISION:
                if code != DIVISION_INACTIFS and code not in divisions:
                    mefs = _codes(element, "MEFS_APPARTENANCE/MEF_APPARTENANCE", "CODE_MEF")
                    divisions[code] = DivisionSource(code=code, libelle=libelle, mefs=mefs)
            elif code not in groupes:
                membres = _codes(element, "DIVISIONS_APPARTENANCE/DIVISION_APPARTENANCE", "CODE_STRUCTURE")
                groupes[code] = GroupeSource(code=code, libelle=libelle, divisions=membres)
        parametres = enveloppe.fin()
    return LectureStructures(parametres, tuple(divisions.values()), tuple(groupes.values()))


def _codes(element: etree._Element, chemin: str, enfant: str) -> tuple[str, ...]:
    """Codes given as a child (SIECLE: ``<CODE_MEF>``) or as ``@CODE`` (STS), in order, once each."""
    codes = [texte(e, enfant) or attribut(e, "CODE") for e in element.iterfind(chemin)]
    return tuple(dict.fromkeys(c for c in codes if c))


# --- BEE_COMMUN -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class LectureCommuns:
    parametres: Parametres
    etablissement: EtablissementSource
    nom_complet: bool = False  # DENOM_COMPL given: the name is not just "COLLEGE"


def lire_communs(document: Document, *, verifier: Verification | None = None) -> LectureCommuns:
    """Read a ``BEE_COMMUN`` export: the établissement's identity and its chef d'établissement."""
    champs: dict[str, object] = {}
    nom_complet = False
    with ouvrir_xml(document) as flux:
        verifier_racine(flux, "BEE_COMMUN")
        enveloppe = _Enveloppe(document, flux.racine, flux.attributs_racine, verifier)
        for chemin, element in flux.elements(("PARAMETRES", "DONNEES/UAJ")):
            if chemin == "PARAMETRES":
                enveloppe.lire(element)
            elif not champs:
                noms = [texte(element, "DENOM_PRINC"), texte(element, "DENOM_COMPL")]
                nom_complet = noms[1] is not None
                adresse = adresse_bee(element)
                champs = {
                    "nom": " ".join(n for n in noms if n) or None,
                    "sigle": texte(element, "SIGLE"),
                    "adresse": adresse,
                    "telephone": texte(element, "TELEPHONE"),
                    "mel": texte(element, "MEL_1") or texte(element, "MEL"),
                    "chef_nom": texte(element, "NOM_RESP"),
                    "chef_qualite": texte(element, "QUAL_RESP"),
                }
        parametres = enveloppe.fin()
    valeurs = {k: v for k, v in champs.items() if v is not None}
    return LectureCommuns(parametres, EtablissementSource(uai=parametres.uai, **valeurs), nom_complet)

