"""Writers of the real export files (formats.md §2–§8) from an ``Ecole``.

SIECLE/BEE: ``ElevesSansAdresses.xml`` (BEE_ELEVES), ``ResponsablesAvecAdresses.xml`` (BEE_RESPONSABLES),
``Nomenclature.xml`` (BEE_NOMENCLATURES), ``Structures.xml`` (BEE_STRUCTURES), ``Communs.xml`` (BEE_COMMUN):
dates DD/MM/YYYY, UAI as ``PARAMETRES/UAJ`` text. STS-web: ``sts_emp_<UAI>_<année>.xml`` (STS_EDT): ISO dates,
UAI as ``PARAMETRES/UAJ@CODE``. ISO-8859-15 by default; never a DOCTYPE. Everything is streamed.
"""

from __future__ import annotations

import shutil
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from lsun_events.generateur import nomenclatures as nom
from lsun_events.generateur.ecrivain import EcrivainXml, encodage_connu
from lsun_events.generateur.modele import INACTIFS, Adresse, Ecole, Responsable, Service
from lsun_events.generateur.noms import PROFESSIONS

ELEVES = "ElevesSansAdresses.xml"
RESPONSABLES = "ResponsablesAvecAdresses.xml"
NOMENCLATURE = "Nomenclature.xml"
STRUCTURES = "Structures.xml"
COMMUNS = "Communs.xml"
FICHIERS_SIECLE = (ELEVES, RESPONSABLES, NOMENCLATURE, STRUCTURES, COMMUNS)


@dataclass(frozen=True)
class Exports:
    """Where ``ecrire_exports`` put the files."""

    siecle_dossier: Path  # the five BEE files, plain
    siecle_zip: Path | None  # the same five files in one zip
    sts: Path  # sts_emp_<UAI>_<année>.xml

    @property
    def siecle_fichiers(self) -> dict[str, Path]:
        return {nom_fichier: self.siecle_dossier / nom_fichier for nom_fichier in FICHIERS_SIECLE}


def ecrire_exports(ecole: Ecole, dossier: Path | str, *, encodage: str = "ISO-8859-15",
                   zip_siecle: bool = True) -> Exports:
    """Write ``dossier/siecle/*.xml``, ``dossier/siecle.zip`` and ``dossier/sts_emp_<UAI>_<année>.xml``."""
    encodage_connu(encodage)
    dossier = Path(dossier)
    siecle = dossier / "siecle"
    siecle.mkdir(parents=True, exist_ok=True)
    for nom_fichier in FICHIERS_SIECLE:
        ecrire_document(ecole, nom_fichier, siecle / nom_fichier, encodage=encodage)
    archive = None
    if zip_siecle:
        archive = dossier / "siecle.zip"
        _zipper(ecole, siecle, FICHIERS_SIECLE, archive)
    sts = dossier / ecole.nom_fichier_sts
    ecrire_document(ecole, ecole.nom_fichier_sts, sts, encodage=encodage)
    return Exports(siecle, archive, sts)


def ecrire_s3e(ecole: Ecole, racine: Path | str, *, encodage: str = "ISO-8859-15") -> Path:
    """The six documents, plain, in ``racine/<UAI>/`` (the folder layout the local S3E server serves)."""
    dossier = Path(racine) / ecole.uai
    dossier.mkdir(parents=True, exist_ok=True)
    for nom_fichier in (*FICHIERS_SIECLE, ecole.nom_fichier_sts):
        ecrire_document(ecole, nom_fichier, dossier / nom_fichier, encodage=encodage)
    return dossier


def ecrire_document(ecole: Ecole, nom_fichier: str, chemin: Path | str, *, encodage: str = "ISO-8859-15") -> Path:
    """One export, chosen by its file name (a ``sts_emp_*`` name is the STS export)."""
    if nom_fichier.startswith("sts_emp_"):
        ecrivain, vide_court = _sts, True
    else:
        try:
            ecrivain, vide_court = _ECRIVAINS[nom_fichier], False
        except KeyError:
            raise ValueError(f"document inconnu : {nom_fichier}") from None
    chemin = Path(chemin)
    with chemin.open("wb") as flux:
        xml = EcrivainXml(flux, encodage, vide_court=vide_court)
        ecrivain(ecole, xml)
        xml.terminer()
    return chemin


def _zipper(ecole: Ecole, dossier: Path, noms: tuple[str, ...], archive: Path) -> None:
    horodatage = ecole.date_export.timetuple()[:6]  # fixed: same school, same bytes
    with zipfile.ZipFile(archive, "w") as zf:
        for nom_fichier in noms:
            info = zipfile.ZipInfo(nom_fichier, date_time=horodatage)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            with (dossier / nom_fichier).open("rb") as source, zf.open(info, "w") as cible:
                shutil.copyfileobj(source, cible, 1 << 20)


# --- common pieces ----------------------------------------------------------------------------------------

def _bee(d: date | None) -> str:
    return d.strftime("%d/%m/%Y") if d else ""


def _iso(d: date | None) -> str:
    return d.isoformat() if d else ""


def _parametres_bee(ecole: Ecole, xml: EcrivainXml) -> None:
    xml.ouvrir("PARAMETRES")
    xml.feuilles(("UAJ", ecole.uai), ("ANNEE_SCOLAIRE", str(ecole.annee)),
                 ("DATE_EXPORT", _bee(ecole.date_export.date())),
                 ("HORODATAGE", ecole.date_export.strftime("%d/%m/%Y %H:%M:%S")))
    xml.fermer()


def _racine_bee(racine: str, version: str | None) -> Callable[[Callable[[Ecole, EcrivainXml], None]],
                                                                 Callable[[Ecole, EcrivainXml], None]]:
    def decorateur(donnees: Callable[[Ecole, EcrivainXml], None]) -> Callable[[Ecole, EcrivainXml], None]:
        def ecrire(ecole: Ecole, xml: EcrivainXml) -> None:
            xml.ouvrir(racine, {"VERSION": version} if version else None)
            _parametres_bee(ecole, xml)
            xml.ouvrir("DONNEES")
            donnees(ecole, xml)
            xml.fermer()
            xml.fermer()
        return ecrire
    return decorateur


# --- ElevesSansAdresses.xml -------------------------------------------------------------------------------

@_racine_bee("BEE_ELEVES", "3.0")
def _eleves(ecole: Ecole, xml: EcrivainXml) -> None:
    xml.ouvrir("ELEVES")
    for e in ecole.eleves:
        xml.ouvrir("ELEVE", {"ELEVE_ID": e.eleve_id, "ELENOET": e.elenoet})
        prenoms = [*e.prenoms, "", ""]
        xml.feuilles(("ID_NATIONAL", e.ine), ("NOM_DE_FAMILLE", e.nom_de_famille), ("NOM_USAGE", e.nom_usage),
                     ("PRENOM", prenoms[0]), ("PRENOM2", prenoms[1]), ("PRENOM3", prenoms[2]),
                     ("CODE_SEXE", {"M": "1", "F": "2"}.get(e.sexe, "")),
                     ("DATE_NAISS", _bee(e.date_naissance)), ("CODE_PAYS", e.code_pays))
        xml.feuilles(("CODE_DEPARTEMENT_NAISS", e.code_departement_naiss),
                     ("CODE_COMMUNE_INSEE_NAISS", e.commune_naiss_insee), ("VILLE_NAISS", e.ville_naiss),
                     omettre_vides=True)
        xml.feuilles(("DOUBLEMENT", "1" if e.doublement else "0"), ("CODE_REGIME", e.code_regime),
                     ("CODE_MEF", e.code_mef), ("CODE_STATUT", e.code_statut),
                     ("DATE_ENTREE", _bee(e.date_entree)))
        xml.feuilles(("DATE_SORTIE", _bee(e.date_sortie)), ("CODE_MOTIF_SORTIE", e.code_motif_sortie),
                     ("MEL", e.mel), ("TEL_PERSONNEL", e.tel_personnel), ("TEL_PORTABLE", e.tel_portable),
                     ("TEL_PROFESSIONNEL", e.tel_professionnel), omettre_vides=True)
        if e.scolarite_an_dernier:
            s = e.scolarite_an_dernier
            xml.ouvrir("SCOLARITE_AN_DERNIER")
            xml.feuilles(("CODE_MEF", s.code_mef), ("CODE_STRUCTURE", s.code_structure),
                         ("CODE_RNE", s.code_rne), ("DENOM_PRINC", s.denom_princ), omettre_vides=True)
            xml.fermer()
        xml.fermer()
    xml.fermer()
    xml.ouvrir("OPTIONS")
    for e in ecole.eleves:
        if not e.options:
            continue
        xml.ouvrir("OPTION", {"ELEVE_ID": e.eleve_id, "ELENOET": e.elenoet})
        for option in e.options:
            xml.ouvrir("OPTIONS_ELEVE")
            xml.feuilles(("NUM_OPTION", str(option.rang)), ("CODE_MODALITE_ELECT", option.modalite),
                         ("CODE_MATIERE", option.matiere_code))
            xml.fermer()
        xml.fermer()
    xml.fermer()
    xml.ouvrir("STRUCTURES")
    for e in ecole.eleves:
        structures = [(e.division, "D")] if e.division else []
        structures += [(g, "G") for g in e.groupes]
        if not structures:
            continue
        xml.ouvrir("STRUCTURES_ELEVE", {"ELEVE_ID": e.eleve_id, "ELENOET": e.elenoet})
        for code, nature in structures:
            xml.ouvrir("STRUCTURE")
            xml.feuilles(("CODE_STRUCTURE", code), ("TYPE_STRUCTURE", nature))
            xml.fermer()
        xml.fermer()
    xml.fermer()


# --- ResponsablesAvecAdresses.xml -------------------------------------------------------------------------

@_racine_bee("BEE_RESPONSABLES", None)
def _responsables(ecole: Ecole, xml: EcrivainXml) -> None:
    personnes: dict[str, Responsable] = {}
    adresses: dict[str, Adresse] = {}
    for eleve in ecole.eleves:
        for r in eleve.responsables:
            personnes.setdefault(r.personne_id, r)
            if r.adresse:
                adresses.setdefault(r.adresse.adresse_id, r.adresse)
    xml.ouvrir("PERSONNES")
    for r in personnes.values():
        xml.ouvrir("PERSONNE", {"PERSONNE_ID": r.personne_id})
        xml.feuilles(("NOM_DE_FAMILLE", r.nom_de_famille), ("NOM_USAGE", r.nom_usage), ("PRENOM", r.prenom),
                     ("LC_CIVILITE", r.civilite))
        xml.feuilles(("TEL_PERSONNEL", r.tel_personnel), ("TEL_PORTABLE", r.tel_portable),
                     ("TEL_PROFESSIONNEL", r.tel_professionnel), ("MEL", r.mel), omettre_vides=True)
        xml.feuilles(("ACCEPTE_SMS", "1" if r.tel_portable else "0"),
                     ("ADRESSE_ID", r.adresse.adresse_id if r.adresse else ""),
                     ("CODE_PROFESSION", r.code_profession), ("COMMUNICATION_ADRESSE", "1" if r.adresse else "0"))
        xml.fermer()
    xml.fermer()
    xml.ouvrir("RESPONSABLES")
    for eleve in ecole.eleves:
        for r in eleve.responsables:
            xml.ouvrir("RESPONSABLE_ELEVE")
            xml.feuilles(("ELEVE_ID", eleve.eleve_id), ("PERSONNE_ID", r.personne_id),
                         ("NIVEAU_RESPONSABILITE", r.niveau_responsabilite), ("CODE_PARENTE", r.code_parente),
                         ("PAIE_FRAIS_SCOLAIRES", "1" if r.paie_frais else "0"), ("PERS_CONTACT", "1"))
            xml.fermer()
    xml.fermer()
    xml.ouvrir("ADRESSES")
    for a in adresses.values():
        xml.ouvrir("ADRESSE", {"ADRESSE_ID": a.adresse_id})
        lignes = [*a.lignes, "", "", "", ""]
        xml.feuilles(*((f"LIGNE{i}_ADRESSE", lignes[i - 1]) for i in range(1, 5)))
        xml.feuilles(("CODE_POSTAL", a.code_postal), ("LIBELLE_POSTAL", a.libelle_postal),
                     ("CODE_DEPARTEMENT", a.code_departement), ("LL_PAYS", a.pays))
        xml.feuilles(("COMMUNE_ETRANGERE", a.commune_etrangere), omettre_vides=True)
        xml.fermer()
    xml.fermer()


# --- Nomenclature.xml -------------------------------------------------------------------------------------

@_racine_bee("BEE_NOMENCLATURES", "3.1")
def _nomenclature(ecole: Ecole, xml: EcrivainXml) -> None:
    xml.ouvrir("MEFS")
    for m in ecole.mefs:
        xml.ouvrir("MEF", {"CODE_MEF": m.code})
        xml.feuilles(("FORMATION", m.formation), ("LIBELLE_LONG", m.libelle_long),
                     ("LIBELLE_EDITION", m.libelle_edition), ("STATUT_MEF", "1"), ("MEF_RATTACHEMENT", m.code),
                     ("CODE_MEFSTAT", m.mefstat11), ("NB_OPT_OBLIG", "0" if m.formation == "6EME" else "1"),
                     ("NB_OPT_MINI", "0"), ("RENFORCEMENT_LANGUES", "0"), ("INSCRIPTION_ETAB", "1"),
                     ("DATE_OUVERTURE", "01/09/1992"), ("DATE_FERMETURE", "31/12/9999"))
        xml.fermer()
    xml.fermer()
    xml.ouvrir("MATIERES")
    for m in ecole.matieres:
        xml.ouvrir("MATIERE", {"CODE_MATIERE": m.code})
        # CODE_GESTION is space-padded in real exports: readers trim.
        xml.feuilles(("CODE_GESTION", m.code_gestion.ljust(6)), ("LIBELLE_COURT", m.libelle_court),
                     ("LIBELLE_LONG", m.libelle_long), ("LIBELLE_EDITION", m.libelle_edition),
                     ("MATIERE_ETP", "1"))
        xml.fermer()
    xml.fermer()
    xml.ouvrir("PROGRAMMES")
    for m in ecole.mefs:
        niveau = nom.niveau_du_mef(m.code)
        for matiere in ecole.matieres:
            heures = nom.HORAIRES.get(matiere.code)
            if niveau is None or not heures or not nom.heures(matiere.code, niveau):
                continue
            modalite = "S" if matiere.code in nom.TRONC_COMMUN else "F" if matiere.code == nom.LATIN else "O"
            xml.ouvrir("PROGRAMME")
            xml.feuilles(("CODE_MEF", m.code), ("CODE_MATIERE", matiere.code), ("CODE_MODALITE_ELECT", modalite),
                         ("HORAIRE", f"{nom.heures(matiere.code, niveau):.2f}"))
            xml.fermer()
    xml.fermer()
    xml.ouvrir("MODALITES_ELECTION")
    for code, court, long_ in nom.MODALITES_ELECTION:
        xml.ouvrir("MODALITE_ELECTION", {"CODE_MODALITE_ELECT": code})
        xml.feuilles(("LIBELLE_COURT", court), ("LIBELLE_LONG", long_))
        xml.fermer()
    xml.fermer()
    xml.ouvrir("PROFESSIONS")
    for code, court, long_ in PROFESSIONS:
        xml.ouvrir("PROFESSION", {"CODE_PROFESSION": code})
        xml.feuilles(("LIBELLE_COURT_PCS", court), ("LIBELLE_LONG_PCS", long_))
        xml.fermer()
    xml.fermer()


# --- Structures.xml ---------------------------------------------------------------------------------------

@_racine_bee("BEE_STRUCTURES", "2.0")
def _structures(ecole: Ecole, xml: EcrivainXml) -> None:
    xml.ouvrir("DIVISIONS")
    for d in ecole.divisions:
        xml.ouvrir("DIVISION", {"CODE_STRUCTURE": d.code})
        xml.feuille("LIBELLE_LONG", d.libelle)
        xml.ouvrir("MEFS_APPARTENANCE")
        for code_mef in d.mefs:
            xml.ouvrir("MEF_APPARTENANCE")
            xml.feuille("CODE_MEF", code_mef)
            xml.fermer()
        xml.fermer()
        xml.fermer()
    xml.fermer()
    xml.ouvrir("GROUPES")
    for g in ecole.groupes:
        xml.ouvrir("GROUPE", {"CODE_STRUCTURE": g.code})
        xml.feuille("LIBELLE_LONG", g.libelle)
        xml.ouvrir("DIVISIONS_APPARTENANCE")
        for code in g.divisions:
            xml.ouvrir("DIVISION_APPARTENANCE")
            xml.feuille("CODE_STRUCTURE", code)
            xml.fermer()
        xml.fermer()
        xml.fermer()
    xml.fermer()


# --- Communs.xml ------------------------------------------------------------------------------------------

@_racine_bee("BEE_COMMUN", None)
def _communs(ecole: Ecole, xml: EcrivainXml) -> None:
    e = ecole.etablissement
    lignes = [*e.adresse_lignes, "", "", "", ""]
    xml.ouvrir("UAJ")
    xml.feuilles(("DENOM_PRINC", e.denom_princ), ("DENOM_COMPL", e.denom_compl), ("NOM_RESP", e.chef_nom),
                 ("QUAL_RESP", e.chef_qualite), *((f"LIGNE{i}_ADRESSE", lignes[i - 1]) for i in range(1, 5)),
                 ("BOITE_POST", ""), ("CODE_POSTAL", e.code_postal), ("CODE_COMMUNE_INSEE", e.code_commune_insee),
                 ("COMMUNE_ETRANGERE", ""), ("CODE_PAYS", "100"), ("TELEPHONE", e.telephone),
                 ("TELECOPIE", e.telecopie), ("MEL_1", e.mel))
    xml.fermer()
    xml.ouvrir("ANNEE_SCOLAIRE")
    xml.feuilles(("DATE_DEBUT_ELEVE", _bee(ecole.date_debut)), ("DATE_FIN_ELEVE", _bee(ecole.date_fin_cours)))
    xml.fermer()


_ECRIVAINS: dict[str, Callable[[Ecole, EcrivainXml], None]] = {
    ELEVES: _eleves,
    RESPONSABLES: _responsables,
    NOMENCLATURE: _nomenclature,
    STRUCTURES: _structures,
    COMMUNS: _communs,
}


# --- sts_emp_<UAI>_<année>.xml ----------------------------------------------------------------------------

def _sts(ecole: Ecole, xml: EcrivainXml) -> None:
    e = ecole.etablissement
    xml.ouvrir("STS_EDT")
    xml.ouvrir("PARAMETRES")
    xml.ouvrir("UAJ", {"CODE": e.uai})
    xml.ouvrir("ACADEMIE")
    xml.feuilles(("CODE", e.academie_code), ("LIBELLE", e.academie_libelle))
    xml.fermer()
    xml.feuilles(("SIGLE", e.sigle), ("DENOM_PRINC", e.denom_princ), ("DENOM_COMPL", e.denom_compl),
                 ("CODE_NATURE", e.code_nature), ("CODE_CATEGORIE", e.code_categorie),
                 ("ADRESSE", " ".join(e.adresse_lignes)), ("COMMUNE", e.commune), ("CODE_POSTAL", e.code_postal),
                 ("TELEPHONE", e.telephone), ("STATUT", e.statut), omettre_vides=True)
    xml.fermer()
    xml.ouvrir("ANNEE_SCOLAIRE", {"ANNEE": str(ecole.annee)})
    xml.feuilles(("DATE_DEBUT", _iso(ecole.date_debut)), ("DATE_FIN", _iso(ecole.date_fin)))
    xml.fermer()
    xml.fermer()

    xml.ouvrir("NOMENCLATURES")
    xml.ouvrir("CIVILITES")
    for code, court, long_ in (("1", "M.", "MONSIEUR"), ("2", "MME", "MADAME"), ("3", "MLLE", "MADEMOISELLE")):
        xml.ouvrir("CIVILITE", {"CODE": code})
        xml.feuilles(("LIBELLE_COURT", court), ("LIBELLE_LONG", long_))
        xml.fermer()
    xml.fermer()
    xml.ouvrir("MODS_COURS")
    xml.ouvrir("MOD_COURS", {"CODE": "CG"})
    xml.feuilles(("LIBELLE_COURT", "COURS GENERAL"), ("LIBELLE_LONG", "COURS GENERAL"))
    xml.fermer()
    xml.fermer()
    xml.ouvrir("MATIERES")
    for m in ecole.matieres:
        xml.ouvrir("MATIERE", {"CODE": m.code})
        xml.feuilles(("CODE_GESTION", m.code_gestion), ("LIBELLE_COURT", m.libelle_court),
                     ("LIBELLE_LONG", m.libelle_long), ("LIBELLE_EDITION", m.libelle_edition))
        xml.fermer()
    xml.fermer()
    xml.ouvrir("MEFS")
    for m in ecole.mefs:
        xml.ouvrir("MEF", {"CODE": m.code})
        xml.feuilles(("FORMATION", m.formation), ("LIBELLE_LONG", m.libelle_long),
                     ("LIBELLE_EDITION", m.libelle_edition), ("MEFSTAT11", m.mefstat11), omettre_vides=True)
        xml.fermer()
    xml.fermer()
    xml.fermer()

    xml.ouvrir("DONNEES")
    xml.ouvrir("INDIVIDUS")
    for p in ecole.enseignants:
        xml.ouvrir("INDIVIDU", {"ID": p.id, "TYPE": p.type})
        xml.feuilles(("SEXE", {"M": "1", "F": "2"}.get(p.sexe, "")), ("CIVILITE", p.civilite))
        xml.feuilles(("NOM_USAGE", p.nom_usage), ("NOM_PATRONYMIQUE", p.nom_patronymique), ("PRENOM", p.prenom))
        xml.feuilles(("DATE_NAISSANCE", _iso(p.date_naissance)), ("GRADE", p.grade), ("FONCTION", p.fonction),
                     omettre_vides=True)
        if p.profs_princ:
            xml.ouvrir("PROFS_PRINC")
            for pp in p.profs_princ:
                xml.ouvrir("PROF_PRINC")
                xml.feuilles(("CODE_STRUCTURE", pp.division), ("DATE_DEBUT", _iso(pp.date_debut)),
                             ("DATE_FIN", _iso(pp.date_fin)))
                xml.fermer()
            xml.fermer()
        if p.disciplines:
            xml.ouvrir("DISCIPLINES")
            for code, libelle, heures in p.disciplines:
                xml.ouvrir("DISCIPLINE", {"CODE": code})
                xml.feuilles(("LIBELLE_COURT", libelle), ("NB_HEURES", heures))
                xml.fermer()
            xml.fermer()
        xml.fermer()
    xml.fermer()

    effectifs: dict[str, int] = {}
    for eleve in ecole.eleves:
        if eleve.date_sortie is None and eleve.division != INACTIFS:
            for code in (eleve.division, *eleve.groupes):
                effectifs[code] = effectifs.get(code, 0) + 1
    xml.ouvrir("STRUCTURE")
    xml.ouvrir("DIVISIONS")
    for d in ecole.divisions:
        xml.ouvrir("DIVISION", {"CODE": d.code})
        xml.feuilles(("LIBELLE_LONG", d.libelle), ("EFFECTIF_PREVU", str(effectifs.get(d.code, 0))),
                     ("EFFECTIF_CALCULE", str(effectifs.get(d.code, 0))))
        xml.ouvrir("MEFS_APPARTENANCE")
        for code_mef in d.mefs:
            xml.vide("MEF_APPARTENANCE", {"CODE": code_mef})
        xml.fermer()
        _services_sts(d.services, xml)
        xml.fermer()
    xml.fermer()
    xml.ouvrir("GROUPES")
    for g in ecole.groupes:
        xml.ouvrir("GROUPE", {"CODE": g.code})
        xml.feuilles(("LIBELLE_LONG", g.libelle), ("EFFECTIF_CALCULE", str(effectifs.get(g.code, 0))))
        xml.ouvrir("DIVISIONS_APPARTENANCE")
        for code in g.divisions:
            xml.vide("DIVISION_APPARTENANCE", {"CODE": code})
        xml.fermer()
        _services_sts(g.services, xml)
        xml.fermer()
    xml.fermer()
    xml.fermer()
    xml.fermer()
    xml.fermer()


def _services_sts(services: list[Service], xml: EcrivainXml) -> None:
    if not services:
        xml.vide("SERVICES")  # early-year export: no timetable uploaded yet
        return
    xml.ouvrir("SERVICES")
    for s in services:
        xml.ouvrir("SERVICE", {"CODE_MATIERE": s.matiere_code, "CODE_MOD_COURS": s.modalite})
        xml.feuilles(("HEURES_STRUCTURE", s.heures), omettre_vides=True)
        if s.enseignants:
            xml.ouvrir("ENSEIGNANTS")
            for ref in s.enseignants:
                xml.vide("ENSEIGNANT", {"ID": ref.id, "TYPE": ref.type})
            xml.fermer()
        else:
            xml.vide("ENSEIGNANTS")  # teacher not appointed yet
        xml.fermer()
    xml.fermer()
