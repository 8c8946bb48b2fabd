"""Hand-written exports in the real SIECLE/BEE and STS-web formats (formats.md §2–§8), for the readers'
tests. All data is invented. ``ecrire_jeu`` writes a complete, consistent set (ISO-8859-15, as SIECLE
exports) for the Collège des Exemples, UAI 0999001X, school year 2025-2026; each builder takes the
pieces a test wants to change.
"""

from __future__ import annotations

from pathlib import Path

UAI = "0999001X"
ANNEE = "2025"
ISO = "ISO-8859-15"


def parametres(uai: str = UAI, annee: str | None = ANNEE, date_export: str = "08/09/2025",
               horodatage: str = "08/09/2025 07:42:10") -> str:
    annee_xml = f"<ANNEE_SCOLAIRE>{annee}</ANNEE_SCOLAIRE>" if annee is not None else ""
    return (f"<PARAMETRES><UAJ>{uai}</UAJ>{annee_xml}<DATE_EXPORT>{date_export}</DATE_EXPORT>"
            f"<HORODATAGE>{horodatage}</HORODATAGE></PARAMETRES>")


def declaration(encodage: str = ISO) -> str:
    return f'<?xml version="1.0" encoding="{encodage}"?>\n'


# --- BEE_ELEVES -------------------------------------------------------------------------------------

ELEVES = """
    <ELEVE ELEVE_ID="700101" ELENOET="3101">
      <ID_NATIONAL>0123456789X</ID_NATIONAL>
      <NOM_DE_FAMILLE>D'ALEMBERT-CŒUR</NOM_DE_FAMILLE><NOM_USAGE></NOM_USAGE>
      <PRENOM>Zoé</PRENOM><PRENOM2>Anaïs-Œnone</PRENOM2><PRENOM3/>
      <CODE_SEXE>2</CODE_SEXE><DATE_NAISS>14/03/2012</DATE_NAISS>
      <CODE_PAYS>100</CODE_PAYS><CODE_COMMUNE_INSEE_NAISS>99999</CODE_COMMUNE_INSEE_NAISS>
      <MEL>zoe@example.invalid</MEL><TEL_PORTABLE>0600000000</TEL_PORTABLE>
      <CODE_MEF>10110001110</CODE_MEF><DATE_ENTREE>01/09/2024</DATE_ENTREE>
      <SCOLARITE_AN_DERNIER><CODE_MEF>10010012110</CODE_MEF><CODE_STRUCTURE>6E3</CODE_STRUCTURE>
        <CODE_RNE>0999002Y</CODE_RNE></SCOLARITE_AN_DERNIER>
    </ELEVE>
    <ELEVE ELEVE_ID="700102" ELENOET="3102">
      <ID_NATIONAL>0123456780Y</ID_NATIONAL>
      <NOM_DE_FAMILLE>  MODÈLE  </NOM_DE_FAMILLE><NOM_USAGE>DUPONT-MODÈLE</NOM_USAGE><PRENOM>Léon</PRENOM>
      <CODE_SEXE>1</CODE_SEXE><DATE_NAISS>02/11/2011</DATE_NAISS>
      <CODE_PAYS>132</CODE_PAYS><VILLE_NAISS>LONDRES</VILLE_NAISS>
      <DATE_ENTREE>01/09/2022</DATE_ENTREE><DATE_SORTIE>19/12/2025</DATE_SORTIE>
      <CODE_MOTIF_SORTIE>99</CODE_MOTIF_SORTIE>
    </ELEVE>
    <ELEVE ELEVE_ID="700103" ELENOET="3103">
      <NOM>ANCIEN</NOM><PRENOM>Maëlle</PRENOM><CODE_SEXE>2</CODE_SEXE><DATE_NAISS>05/06/2012</DATE_NAISS>
    </ELEVE>
    <ELEVE ELEVE_ID="700104" ELENOET="3104">
      <ID_NATIONAL></ID_NATIONAL><NOM_DE_FAMILLE>PARQUÉ</NOM_DE_FAMILLE><PRENOM>Noé</PRENOM>
    </ELEVE>
"""

OPTIONS = """
    <OPTION ELEVE_ID="700101" ELENOET="3101">
      <OPTIONS_ELEVE><NUM_OPTION>1</NUM_OPTION><CODE_MODALITE_ELECT>O</CODE_MODALITE_ELECT>
        <CODE_MATIERE>030201</CODE_MATIERE></OPTIONS_ELEVE>
      <OPTIONS_ELEVE><NUM_OPTION>2</NUM_OPTION><CODE_MODALITE_ELECT>F</CODE_MODALITE_ELECT>
        <CODE_MATIERE>020300</CODE_MATIERE></OPTIONS_ELEVE>
    </OPTION>
"""

STRUCTURES_ELEVES = """
    <STRUCTURES_ELEVE ELEVE_ID="700101" ELENOET="3101">
      <STRUCTURE><CODE_STRUCTURE>5E2</CODE_STRUCTURE><TYPE_STRUCTURE>D</TYPE_STRUCTURE></STRUCTURE>
      <STRUCTURE><CODE_STRUCTURE>5LAT</CODE_STRUCTURE><TYPE_STRUCTURE>G</TYPE_STRUCTURE></STRUCTURE>
    </STRUCTURES_ELEVE>
    <STRUCTURES_ELEVE ELEVE_ID="700102" ELENOET="3102">
      <STRUCTURE><CODE_STRUCTURE>4E 1</CODE_STRUCTURE><TYPE_STRUCTURE>D</TYPE_STRUCTURE></STRUCTURE>
    </STRUCTURES_ELEVE>
    <STRUCTURES_ELEVE ELEVE_ID="700103" ELENOET="3103">
      <STRUCTURE><CODE_STRUCTURE>5E2</CODE_STRUCTURE><TYPE_STRUCTURE>D</TYPE_STRUCTURE></STRUCTURE>
      <STRUCTURE><CODE_STRUCTURE>5E1</CODE_STRUCTURE><TYPE_STRUCTURE>D</TYPE_STRUCTURE></STRUCTURE>
      <STRUCTURE><CODE_STRUCTURE>5LAT</CODE_STRUCTURE><TYPE_STRUCTURE>G</TYPE_STRUCTURE></STRUCTURE>
    </STRUCTURES_ELEVE>
    <STRUCTURES_ELEVE ELEVE_ID="700104" ELENOET="3104">
      <STRUCTURE><CODE_STRUCTURE>Inactifs</CODE_STRUCTURE><TYPE_STRUCTURE>D</TYPE_STRUCTURE></STRUCTURE>
    </STRUCTURES_ELEVE>
"""


def eleves_xml(eleves: str = ELEVES, *, uai: str = UAI, annee: str | None = ANNEE, options: str = OPTIONS,
               structures: str = STRUCTURES_ELEVES, encodage: str = ISO, racine: str = "BEE_ELEVES") -> str:
    return (f'{declaration(encodage)}<{racine} VERSION="3.0">\n  {parametres(uai, annee)}\n  <DONNEES>\n'
            f"  <ELEVES>{eleves}</ELEVES>\n  <OPTIONS>{options}</OPTIONS>\n"
            f"  <STRUCTURES>{structures}</STRUCTURES>\n"
            f'  <BOURSES><BOURSE ELEVE_ID="700101"><CODE_BOURSE>1</CODE_BOURSE></BOURSE></BOURSES>\n'
            f"  </DONNEES>\n</{racine}>\n")


def eleve(eleve_id: str, nom: str = "EXEMPLE", prenom: str = "Alix", **enfants: str) -> str:
    """One ELEVE element; ``enfants`` adds children (``DATE_NAISS="…"``)."""
    autres = "".join(f"<{balise}>{valeur}</{balise}>" for balise, valeur in enfants.items())
    return (f'<ELEVE ELEVE_ID="{eleve_id}"><NOM_DE_FAMILLE>{nom}</NOM_DE_FAMILLE>'
            f"<PRENOM>{prenom}</PRENOM>{autres}</ELEVE>")


# --- BEE_RESPONSABLES ---------------------------------------------------------------------------------

def responsables_xml(*, uai: str = UAI, annee: str | None = ANNEE) -> str:
    return f"""{declaration()}<BEE_RESPONSABLES VERSION="1.6">
  {parametres(uai, annee)}
  <DONNEES>
    <PERSONNES>
      <PERSONNE PERSONNE_ID="9001">
        <NOM_DE_FAMILLE>D'ALEMBERT-CŒUR</NOM_DE_FAMILLE><NOM_USAGE></NOM_USAGE><PRENOM>Hélène</PRENOM>
        <LC_CIVILITE>MME</LC_CIVILITE><TEL_PORTABLE>0611111111</TEL_PORTABLE>
        <MEL>helene@example.invalid</MEL><ADRESSE_ID>5001</ADRESSE_ID>
      </PERSONNE>
      <PERSONNE PERSONNE_ID="9002">
        <NOM>MODÈLE</NOM><PRENOM>Jean</PRENOM><LC_CIVILITE>M.</LC_CIVILITE>
      </PERSONNE>
    </PERSONNES>
    <RESPONSABLES>
      <RESPONSABLE_ELEVE><ELEVE_ID>700101</ELEVE_ID><PERSONNE_ID>9001</PERSONNE_ID>
        <NIVEAU_RESPONSABILITE>1</NIVEAU_RESPONSABILITE><CODE_PARENTE>20</CODE_PARENTE></RESPONSABLE_ELEVE>
      <RESPONSABLE_ELEVE><ELEVE_ID>700102</ELEVE_ID><PERSONNE_ID>9002</PERSONNE_ID>
        <RESP_LEGAL>0</RESP_LEGAL></RESPONSABLE_ELEVE>
      <RESPONSABLE_ELEVE><ELEVE_ID>700102</ELEVE_ID><PERSONNE_ID>9999</PERSONNE_ID>
        <RESP_LEGAL>1</RESP_LEGAL></RESPONSABLE_ELEVE>
    </RESPONSABLES>
    <ADRESSES>
      <ADRESSE ADRESSE_ID="5001">
        <LIGNE1_ADRESSE>12 rue de l'Œuvre</LIGNE1_ADRESSE><LIGNE2_ADRESSE></LIGNE2_ADRESSE>
        <CODE_POSTAL>99999</CODE_POSTAL><LIBELLE_POSTAL>EXEMPLEVILLE</LIBELLE_POSTAL><LL_PAYS>FRANCE</LL_PAYS>
      </ADRESSE>
    </ADRESSES>
  </DONNEES>
</BEE_RESPONSABLES>
"""


# --- BEE_NOMENCLATURES, BEE_STRUCTURES, BEE_COMMUN --------------------------------------------------

def nomenclature_xml(*, uai: str = UAI, annee: str | None = ANNEE) -> str:
    return f"""{declaration()}<BEE_NOMENCLATURES VERSION="3.1">
  {parametres(uai, annee)}
  <DONNEES>
    <MEFS><MEF CODE_MEF="10110001110"><FORMATION>5EME</FORMATION><LIBELLE_LONG>5EME</LIBELLE_LONG>
      <LIBELLE_EDITION>5ème</LIBELLE_EDITION></MEF></MEFS>
    <MATIERES>
      <MATIERE CODE_MATIERE="030201"><CODE_GESTION>AGL1  </CODE_GESTION><LIBELLE_COURT>ANGLAIS LV1</LIBELLE_COURT>
        <LIBELLE_LONG>ANGLAIS LV1      </LIBELLE_LONG><LIBELLE_EDITION>Anglais LV1</LIBELLE_EDITION></MATIERE>
      <MATIERE CODE_MATIERE="061300"><CODE_GESTION>SVT</CODE_GESTION>
        <LIBELLE_LONG>SCIENCES VIE ET TERRE</LIBELLE_LONG>
        <LIBELLE_EDITION>Sciences de la vie et de la Terre</LIBELLE_EDITION></MATIERE>
    </MATIERES>
    <MODALITES_ELECTION><MODALITE_ELECTION CODE_MODALITE_ELECT="S"><LIBELLE_COURT>TRONC COMMUN</LIBELLE_COURT>
      <LIBELLE_LONG>MATIERE ENSEIGNEE EN TRONC COMMUN</LIBELLE_LONG></MODALITE_ELECTION></MODALITES_ELECTION>
  </DONNEES>
</BEE_NOMENCLATURES>
"""


def structures_xml(*, uai: str = UAI, annee: str | None = ANNEE) -> str:
    return f"""{declaration()}<BEE_STRUCTURES VERSION="2.0">
  {parametres(uai, annee)}
  <DONNEES>
    <DIVISIONS>
      <DIVISION CODE_STRUCTURE="5E1"><LIBELLE_LONG>5ÈME 1</LIBELLE_LONG></DIVISION>
      <DIVISION CODE_STRUCTURE="5E2"><LIBELLE_LONG></LIBELLE_LONG>
        <MEFS_APPARTENANCE><MEF_APPARTENANCE><CODE_MEF>10110001110</CODE_MEF></MEF_APPARTENANCE></MEFS_APPARTENANCE>
      </DIVISION>
      <DIVISION CODE_STRUCTURE="Inactifs"><LIBELLE_LONG>Élèves inactifs</LIBELLE_LONG></DIVISION>
    </DIVISIONS>
    <GROUPES>
      <GROUPE CODE_STRUCTURE="5LAT"><LIBELLE_LONG>LATIN 5ÈME</LIBELLE_LONG>
        <DIVISIONS_APPARTENANCE><DIVISION_APPARTENANCE><CODE_STRUCTURE>5E1</CODE_STRUCTURE></DIVISION_APPARTENANCE>
          <DIVISION_APPARTENANCE><CODE_STRUCTURE>5E2</CODE_STRUCTURE></DIVISION_APPARTENANCE></DIVISIONS_APPARTENANCE>
      </GROUPE>
    </GROUPES>
  </DONNEES>
</BEE_STRUCTURES>
"""


def communs_xml(*, uai: str = UAI, annee: str | None = ANNEE) -> str:
    return f"""{declaration()}<BEE_COMMUN VERSION="1.0">
  {parametres(uai, annee)}
  <DONNEES>
    <UAJ>
      <DENOM_PRINC>COLLÈGE</DENOM_PRINC><NOM_RESP>Agnès L'HÔPITAL</NOM_RESP><QUAL_RESP>PRINCIPALE</QUAL_RESP>
      <LIGNE1_ADRESSE>1 rue du Modèle</LIGNE1_ADRESSE><CODE_POSTAL>99999</CODE_POSTAL>
      <CODE_COMMUNE_INSEE>99999</CODE_COMMUNE_INSEE><TELEPHONE></TELEPHONE><MEL_1>ce.0999001x@example.invalid</MEL_1>
    </UAJ>
    <ANNEE_SCOLAIRE><DATE_DEBUT_ELEVE>01/09/2025</DATE_DEBUT_ELEVE><DATE_FIN_ELEVE>04/07/2026</DATE_FIN_ELEVE></ANNEE_SCOLAIRE>
  </DONNEES>
</BEE_COMMUN>
"""


# --- STS_EDT -----------------------------------------------------------------------------------------

INDIVIDUS = """
      <INDIVIDU ID="48213" TYPE="epp">
        <SEXE>2</SEXE><CIVILITE>2</CIVILITE><NOM_USAGE>L'ÉCUYER</NOM_USAGE><NOM_PATRONYMIQUE>MŒLLER</NOM_PATRONYMIQUE>
        <PRENOM>Jeanne-Éloïse</PRENOM><DATE_NAISSANCE>1980-05-17</DATE_NAISSANCE><GRADE>CERT. CL N</GRADE>
        <FONCTION>ENS</FONCTION>
        <PROFS_PRINC><PROF_PRINC><CODE_STRUCTURE>5E2</CODE_STRUCTURE>
          <DATE_DEBUT>2025-09-01</DATE_DEBUT><DATE_FIN>2026-08-31</DATE_FIN></PROF_PRINC></PROFS_PRINC>
        <DISCIPLINES><DISCIPLINE CODE="L0422"><LIBELLE_COURT>ANGLAIS</LIBELLE_COURT>
          <NB_HEURES>18</NB_HEURES></DISCIPLINE></DISCIPLINES>
      </INDIVIDU>
      <INDIVIDU TYPE="local" ID="900">
        <SEXE/><CIVILITE>1</CIVILITE><NOM_USAGE>REMPLAÇANT</NOM_USAGE><NOM_PATRONYMIQUE/><PRENOM>Paul</PRENOM>
      </INDIVIDU>
      <INDIVIDU ID="48214" TYPE="epp">
        <SEXE>1</SEXE><CIVILITE>1</CIVILITE><NOM_USAGE>RICHARD</NOM_USAGE><PRENOM>PAUL</PRENOM>
        <DATE_NAISSANCE>1975-01-02</DATE_NAISSANCE><FONCTION>DIR</FONCTION>
      </INDIVIDU>
"""


def sts_xml(*, uai: str = UAI, annee: str = ANNEE, individus: str = INDIVIDUS, racine: str = "STS_EDT",
            parametres_en_plus: str = "", encodage: str = ISO) -> str:
    return f"""{declaration(encodage)}<{racine}>
  <PARAMETRES>
    <UAJ CODE="{uai}">
      <ACADEMIE><CODE>99</CODE><LIBELLE>EXEMPLE</LIBELLE></ACADEMIE>
      <SIGLE>CLG</SIGLE><DENOM_PRINC>COLLEGE</DENOM_PRINC><DENOM_COMPL>DES EXEMPLES €</DENOM_COMPL>
      <ADRESSE>1 RUE DU MODELE</ADRESSE><COMMUNE>EXEMPLEVILLE</COMMUNE><CODE_POSTAL>99999</CODE_POSTAL>
      <TELEPHONE>0100000000</TELEPHONE><STATUT>PU</STATUT>
    </UAJ>
    <ANNEE_SCOLAIRE ANNEE="{annee}"><DATE_DEBUT>2025-09-01</DATE_DEBUT><DATE_FIN>2026-08-31</DATE_FIN></ANNEE_SCOLAIRE>
    {parametres_en_plus}
  </PARAMETRES>
  <NOMENCLATURES>
    <MATIERES>
      <MATIERE CODE="030201"><CODE_GESTION>AGL1</CODE_GESTION><LIBELLE_COURT>ANGLAIS LV1</LIBELLE_COURT>
        <LIBELLE_LONG>ANGLAIS LV1</LIBELLE_LONG><LIBELLE_EDITION>Anglais LV1</LIBELLE_EDITION></MATIERE>
      <MATIERE CODE="020300"><CODE_GESTION>LCALA</CODE_GESTION><LIBELLE_LONG>LCA LATIN</LIBELLE_LONG></MATIERE>
      <MATIERE CODE="020100"><LIBELLE_COURT>FRANÇAIS</LIBELLE_COURT></MATIERE>
    </MATIERES>
    <MEFS><MEF CODE="10110001110"><FORMATION>5EME</FORMATION><LIBELLE_LONG>5EME</LIBELLE_LONG></MEF></MEFS>
  </NOMENCLATURES>
  <DONNEES>
    <INDIVIDUS>{individus}</INDIVIDUS>
    <STRUCTURE>
      <DIVISIONS>
        <DIVISION CODE="5E2">
          <LIBELLE_LONG>5EME 2 (STS)</LIBELLE_LONG><EFFECTIF_PREVU>28</EFFECTIF_PREVU>
          <MEFS_APPARTENANCE><MEF_APPARTENANCE CODE="10110001110"/></MEFS_APPARTENANCE>
          <SERVICES>
            <SERVICE CODE_MATIERE="030201" CODE_MOD_COURS="CG">
              <ENSEIGNANTS><ENSEIGNANT ID="48213" TYPE="epp"/></ENSEIGNANTS>
            </SERVICE>
            <SERVICE CODE_MATIERE="020100" CODE_MOD_COURS="CG"><ENSEIGNANTS/></SERVICE>
            <SERVICE CODE_MATIERE="061300" CODE_MOD_COURS="CG">
              <ENSEIGNANTS><ENSEIGNANT TYPE="epp" ID="77777"/></ENSEIGNANTS>
            </SERVICE>
          </SERVICES>
        </DIVISION>
        <DIVISION CODE="5E1"><LIBELLE_LONG/><SERVICES/></DIVISION>
        <DIVISION CODE="3A"><LIBELLE_LONG>3EME A</LIBELLE_LONG><SERVICES/></DIVISION>
      </DIVISIONS>
      <GROUPES>
        <GROUPE CODE="5LAT">
          <LIBELLE_LONG/>
          <DIVISIONS_APPARTENANCE>
            <DIVISION_APPARTENANCE CODE="5E1"/><DIVISION_APPARTENANCE CODE="5E2"/>
          </DIVISIONS_APPARTENANCE>
          <SERVICES>
            <SERVICE CODE_MATIERE="020300" CODE_MOD_COURS="CG">
              <ENSEIGNANTS><ENSEIGNANT ID="900" TYPE="local"/><ENSEIGNANT ID="48213" TYPE="epp"/></ENSEIGNANTS>
            </SERVICE>
          </SERVICES>
        </GROUPE>
      </GROUPES>
    </STRUCTURE>
  </DONNEES>
</{racine}>
"""


# --- writing -------------------------------------------------------------------------------------------

def ecrire(chemin: Path, texte: str, encodage: str = ISO) -> Path:
    chemin.parent.mkdir(parents=True, exist_ok=True)
    chemin.write_bytes(texte.encode(encodage))
    return chemin


def ecrire_jeu(dossier: Path, *, eleves: str | None = None, sts: str | None = None,
               responsables: str | None = None, nomenclature: str | None = None, structures: str | None = None,
               communs: str | None = None) -> tuple[Path, Path]:
    """Write the complete set: ``dossier/siecle/*.xml`` and ``dossier/sts_emp_0999001X_2025.xml``."""
    siecle = dossier / "siecle"
    ecrire(siecle / "ElevesSansAdresses.xml", eleves if eleves is not None else eleves_xml())
    ecrire(siecle / "ResponsablesAvecAdresses.xml", responsables if responsables is not None else responsables_xml())
    ecrire(siecle / "Nomenclature.xml", nomenclature if nomenclature is not None else nomenclature_xml())
    ecrire(siecle / "Structures.xml", structures if structures is not None else structures_xml())
    ecrire(siecle / "Communs.xml", communs if communs is not None else communs_xml())
    chemin_sts = ecrire(dossier / f"sts_emp_{UAI}_{ANNEE}.xml", sts if sts is not None else sts_xml())
    return siecle, chemin_sts
