"""Re-exports of the same data in another form (SPEC R13, issue 13 point 6).

The exports written by the generator (``ecrire_exports``) are read into a ``Reexport``: one lxml tree per
document and how each is written (encoding, BOM, XML declaration, line endings, empty elements), the optional
SIECLE files present, the layout (SIECLE as a folder, one zip, or one zip per file; STS plain or zipped; or
served by the local S3E server). Each ``Transformation`` changes the form, never the data; they combine:

    reexport = Reexport.lire(ecrire_exports(ecole, dossier))
    for t in (nfd(), melanger_listes(3), encodage("windows-1252"), s3e()):
        t(reexport)
    with reexport.ecrire(dossier / "variante") as livraison:
        snapshot = livraison.snapshot(ecole.uai)

Trees are parsed with ``resolve_entities=False, no_network=True`` and serialised once, at the end, so that
the transformations commute (CRLF is applied to the bytes, after the tree transformations).

``differences(attendu, lu)`` compares two snapshots' data modulo order and normalisation: empty for every
re-export, it checks the transformations themselves. ``ecole_realiste`` / ``installer`` build the school the tests
synchronise again and again (the ``etablissement`` fixture's, made realistic), ``exporter`` / ``synchroniser``
run it on a re-export, and ``entites_ecrites`` / ``decrire`` tell which events a run should not have written.
"""

from __future__ import annotations

import copy
import json
import random
import re
import unicodedata
import zipfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from lxml import etree

from lsun_events.application.synchronisation import DemandeSynchronisation, ResultatSynchronisation
from lsun_events.generateur.ecriture import COMMUNS, NOMENCLATURE, RESPONSABLES, STRUCTURES, Exports, ecrire_exports
from lsun_events.generateur.generation import generer
from lsun_events.generateur.modele import Adresse, Ecole, ProfPrincipal, RefEnseignant, Responsable
from lsun_events.sources.records import SourceSnapshot
from lsun_events.sources.snapshot import charger_exports, lire_snapshot
from lsun_events.storage.config import Store
from tests.scenarios.conftest import CHEF, JOUR, Etablissement
from tests.scenarios.conftest import installer as installer_ecole

PARSEUR = etree.XMLParser(resolve_entities=False, no_network=True, remove_blank_text=False)
FACULTATIFS = (RESPONSABLES, COMMUNS, NOMENCLATURE, STRUCTURES)
"""The optional SIECLE exports (SPEC §5, R13): ``ElevesSansAdresses.xml`` and the STS file are required."""

# --- one document -------------------------------------------------------------------------------------------

_VIDE_LONG = re.compile(rb"<([A-Za-z_][\w.-]*)(\s[^<>]*)?></\1>")


@dataclass
class DocumentXml:
    """One export: its tree and how it is written."""

    arbre: etree._ElementTree
    encodage: str = "ISO-8859-15"  # used and declared
    bom: bool = False  # UTF-8 only
    declaration: bool = True  # without it the file must be UTF-8
    fin_de_ligne: str = "\n"
    vides: str = "longs"  # empty elements: "longs" <X></X> | "courts" <X/>

    @classmethod
    def lire(cls, octets: bytes) -> DocumentXml:
        arbre = etree.ElementTree(etree.fromstring(octets, PARSEUR))
        encodage = arbre.docinfo.encoding or "UTF-8"
        return cls(arbre, encodage=encodage, bom=octets.startswith(b"\xef\xbb\xbf"),
                   vides="longs" if _VIDE_LONG.search(octets) else "courts")

    @property
    def racine(self) -> etree._Element:
        return self.arbre.getroot()

    def elements(self) -> Iterator[etree._Element]:
        return (e for e in self.racine.iter() if isinstance(e.tag, str))

    def octets(self) -> bytes:
        racine = copy.deepcopy(self.racine)
        for e in racine.iter():
            if isinstance(e.tag, str) and len(e) == 0 and not e.text:
                e.text = "" if self.vides == "longs" else None  # lxml writes "" as <X></X>, None as <X/>
        corps = etree.tostring(racine, encoding=self.encodage, xml_declaration=False)
        tete = f'<?xml version="1.0" encoding="{self.encodage}"?>\n'.encode("ascii") if self.declaration else b""
        octets = (b"\xef\xbb\xbf" if self.bom else b"") + tete + corps + b"\n"
        return octets.replace(b"\n", self.fin_de_ligne.encode("ascii")) if self.fin_de_ligne != "\n" else octets


# --- a whole delivery -----------------------------------------------------------------------------------------


@dataclass
class Reexport:
    """The exports of one établissement, by file name, and how they are delivered."""

    documents: dict[str, DocumentXml]
    nom_sts: str
    siecle: str = "dossier"  # "dossier" (plain XML files) | "zip" (one zip) | "zips" (one zip per file)
    sts_zip: bool = False
    s3e: bool = False  # served by the local S3E server (DIR/<UAI>/…), read with the S3E client
    appliquees: list[str] = field(default_factory=list)

    @classmethod
    def lire(cls, exports: Exports) -> Reexport:
        """The generator's files (the plain SIECLE folder and the STS file)."""
        documents = {nom: DocumentXml.lire(chemin.read_bytes()) for nom, chemin in exports.siecle_fichiers.items()}
        documents[exports.sts.name] = DocumentXml.lire(exports.sts.read_bytes())
        return cls(documents, exports.sts.name)

    def copie(self) -> Reexport:
        return copy.deepcopy(self)

    def transformer(self, *transformations: Transformation) -> Reexport:
        for t in transformations:
            t(self)
        return self

    @property
    def nom(self) -> str:
        return "+".join(self.appliquees) or "tel_quel"

    @property
    def absents(self) -> list[str]:
        """The optional SIECLE files this delivery lacks, in the order of ``FACULTATIFS``."""
        return [nom for nom in FACULTATIFS if nom not in self.documents]

    def octets(self) -> dict[str, bytes]:
        return {nom: d.octets() for nom, d in self.documents.items()}

    @contextmanager
    def ecrire(self, dossier: Path) -> Iterator[Livraison]:
        """Write the delivery under ``dossier`` (and serve it, for S3E, while the block lasts)."""
        dossier.mkdir(parents=True, exist_ok=True)
        octets = self.octets()
        sts = {self.nom_sts: octets.pop(self.nom_sts)}
        if self.s3e:
            from tests.s3e_local import serveur_s3e  # noqa: PLC0415

            uai = self.documents[self.nom_sts].racine.find("PARAMETRES/UAJ").get("CODE")
            racine = dossier / "s3e"
            ici = racine / uai
            ici.mkdir(parents=True)
            _deposer(octets, ici, self.siecle, "siecle.zip")
            _deposer(sts, ici, "zips" if self.sts_zip else "dossier", "")
            with serveur_s3e(racine) as url:
                yield Livraison(s3e=url)
            return
        siecle = dossier / "siecle"
        siecle.mkdir()
        _deposer(octets, siecle, self.siecle, "siecle.zip")
        if self.siecle == "zip":
            siecle = siecle / "siecle.zip"
        _deposer(sts, dossier, "zips" if self.sts_zip else "dossier", "")
        chemin_sts = dossier / (Path(self.nom_sts).stem + ".zip" if self.sts_zip else self.nom_sts)
        yield Livraison(siecle=siecle, sts=chemin_sts)


def _deposer(octets: dict[str, bytes], dossier: Path, forme: str, nom_zip: str) -> None:
    if forme == "zip":
        with zipfile.ZipFile(dossier / nom_zip, "w", zipfile.ZIP_DEFLATED) as zf:
            for nom, contenu in octets.items():
                zf.writestr(nom, contenu)
    elif forme == "zips":  # as SIECLE delivers them: ElevesSansAdresses.zip holding ElevesSansAdresses.xml…
        for nom, contenu in octets.items():
            with zipfile.ZipFile(dossier / (Path(nom).stem + ".zip"), "w", zipfile.ZIP_DEFLATED) as zf:
                zf.writestr(nom, contenu)
    else:
        for nom, contenu in octets.items():
            (dossier / nom).write_bytes(contenu)


@dataclass(frozen=True)
class Livraison:
    """Where a written re-export can be read: files, or the URL of a local S3E server."""

    siecle: Path | None = None
    sts: Path | None = None
    s3e: str | None = None

    def snapshot(self, uai: str) -> SourceSnapshot:
        """Read as ``synchroniser`` does: ``charger_exports`` for files, the real S3E client for S3E."""
        if self.s3e is None:
            assert self.siecle is not None and self.sts is not None
            return charger_exports(self.siecle, self.sts, uai_attendu=uai)
        from lsun_events.sources.s3e_client import ClientS3E  # noqa: PLC0415
        from tests.s3e_local import JETON_TEST  # noqa: PLC0415

        with ClientS3E(self.s3e, jeton=JETON_TEST, timeout=(5, 30), tentatives=1) as client, \
                client.telecharger(uai) as resultat:
            assert resultat.documents is not None
            return lire_snapshot(resultat.documents, uai_attendu=uai)


# --- transformations ------------------------------------------------------------------------------------------


class Transformation:
    """A change of form: ``nom`` (a test id) and what it does to a ``Reexport``."""

    __slots__ = ("appliquer", "nom")

    def __init__(self, nom: str, appliquer: Callable[[Reexport], None]) -> None:
        self.nom = nom
        self.appliquer = appliquer

    def __call__(self, reexport: Reexport) -> None:
        self.appliquer(reexport)
        reexport.appliquees.append(self.nom)

    def __repr__(self) -> str:  # short, in hypothesis' reports
        return self.nom


def _chaque_document(nom: str, changer: Callable[[DocumentXml], None]) -> Transformation:
    def appliquer(r: Reexport) -> None:
        for document in r.documents.values():
            changer(document)
    return Transformation(nom, appliquer)


def _textes(document: DocumentXml) -> Iterator[etree._Element]:
    """The elements carrying a value: no child, a text that is not only blanks."""
    return (e for e in document.elements() if len(e) == 0 and e.text and e.text.strip())


ENCODAGES = ("ISO-8859-15", "UTF-8", "UTF-8-BOM", "windows-1252", "ISO-8859-1", "UTF-8-sans-declaration")


def encodage(nom: str) -> Transformation:
    """Every document in another encoding, declared as such (``UTF-8-BOM``: with a BOM;
    ``UTF-8-sans-declaration``: no XML declaration at all; ``ISO-8859-1`` lacks œ/Œ: written ``&#339;``)."""
    def changer(d: DocumentXml) -> None:
        d.encodage = "UTF-8" if nom.startswith("UTF-8") else nom
        d.bom = nom == "UTF-8-BOM"
        d.declaration = nom != "UTF-8-sans-declaration"
    return _chaque_document(nom.lower().replace("-", "_"), changer)


def nfd() -> Transformation:
    """Unicode NFD (decomposed) for every text and attribute value."""
    def changer(d: DocumentXml) -> None:
        for e in d.elements():
            if e.text:
                e.text = unicodedata.normalize("NFD", e.text)
            for cle, valeur in e.attrib.items():
                e.set(cle, unicodedata.normalize("NFD", valeur))
    return _chaque_document("nfd", changer)


def crlf() -> Transformation:
    """Windows line endings."""
    def changer(d: DocumentXml) -> None:
        d.fin_de_ligne = "\r\n"
    return _chaque_document("crlf", changer)


def vides(forme: str) -> Transformation:
    """Empty elements self-closing (``courts``: ``<NOM_USAGE/>``), open-close (``longs``:
    ``<NOM_USAGE></NOM_USAGE>``), or removed when they carry nothing (``absents``: no child, no attribute)."""
    def changer(d: DocumentXml) -> None:
        if forme != "absents":
            d.vides = forme
            return
        while vides_ := [e for e in d.elements() if e is not d.racine and len(e) == 0 and not e.attrib
                         and not (e.text or "").strip()]:
            for e in vides_:
                _retirer(e)
    return _chaque_document(f"vides_{forme}", changer)


def _retirer(e: etree._Element) -> None:
    """Remove an element, keeping the text flow (its tail joins its previous sibling's or its parent's)."""
    parent = e.getparent()
    precedent = e.getprevious()
    if precedent is not None:
        precedent.tail = (precedent.tail or "") if e.tail is None else e.tail
    else:
        parent.text = e.tail if parent.text is None or not parent.text.strip() else parent.text
    parent.remove(e)


def espaces() -> Transformation:
    """Leading and trailing spaces around every value, inner spaces doubled."""
    def changer(d: DocumentXml) -> None:
        for e in _textes(d):
            e.text = "  " + e.text.replace(" ", "  ") + " "
    return _chaque_document("espaces", changer)


def espaces_insecables() -> Transformation:
    """Non-breaking spaces: around every value, and instead of every inner space."""
    def changer(d: DocumentXml) -> None:
        for e in _textes(d):
            e.text = "\u00a0" + e.text.replace(" ", "\u00a0") + "\u00a0"
    return _chaque_document("espaces_insecables", changer)


def texte_a_la_ligne() -> Transformation:
    """Every value on its own indented line (as some pretty-printers write it)."""
    def changer(d: DocumentXml) -> None:
        for e in _textes(d):
            e.text = "\n      " + e.text + "\n    "
    return _chaque_document("texte_a_la_ligne", changer)


def melanger_listes(graine: int) -> Transformation:
    """Every list in another order: the children of each element whose children (two or more) share one tag
    (ELEVES, STRUCTURES of a pupil, OPTIONS, PERSONNES, RESPONSABLES, ADRESSES, INDIVIDUS, PROFS_PRINC,
    DIVISIONS, GROUPES, SERVICES, ENSEIGNANTS of a service, MATIERES…). Fields of a record have distinct tags
    (PRENOM, PRENOM2, PRENOM3; LIGNE1_ADRESSE…LIGNE4_ADRESSE): never moved."""
    def appliquer(r: Reexport) -> None:
        rng = random.Random(graine)
        for nom in sorted(r.documents):
            for e in list(r.documents[nom].elements()):
                if len(e) > 1 and len({c.tag for c in e}) == 1:
                    _permuter(e, rng)
    return Transformation(f"listes_melangees_{graine}", appliquer)


def melanger_elements(graine: int) -> Transformation:
    """Every element's children in another order, the fields of a record and the sections of a file too
    (DONNEES before PARAMETRES, STRUCTURES before ELEVES, PRENOM2 before NOM…): XML readers may assume no
    order of distinct tags. Repeated tags keep their relative order (PRENOM/PRENOM2 are distinct tags)."""
    def appliquer(r: Reexport) -> None:
        rng = random.Random(graine)
        for nom in sorted(r.documents):
            for e in list(r.documents[nom].elements()):
                if len({c.tag for c in e}) > 1:
                    _permuter_balises(e, rng)
    return Transformation(f"elements_melanges_{graine}", appliquer)


def _permuter(e: etree._Element, rng: random.Random) -> None:
    enfants = list(e)
    ordre = enfants[:]
    for _ in range(5):  # another order, when there is one
        rng.shuffle(ordre)
        if ordre != enfants:
            break
    _reposer(e, enfants, ordre)


def _permuter_balises(e: etree._Element, rng: random.Random) -> None:
    """Groups of children by tag shuffled, each group's own order kept (a list stays a list)."""
    enfants = list(e)
    balises = list(dict.fromkeys(c.tag for c in enfants))
    rng.shuffle(balises)
    _reposer(e, enfants, [c for b in balises for c in enfants if c.tag == b])


def _reposer(e: etree._Element, enfants: list[etree._Element], ordre: list[etree._Element]) -> None:
    """Put ``ordre`` in place of ``enfants``, the blanks between them (indentation) staying where they were."""
    queues = [c.tail for c in enfants]
    for c in enfants:
        e.remove(c)
    for c, queue in zip(ordre, queues, strict=True):
        c.tail = queue
        e.append(c)


def sans(*noms: str) -> Transformation:
    """Optional SIECLE exports absent (not delivered; an S3E resource answering 404)."""
    inconnus = [n for n in noms if n not in FACULTATIFS]
    if inconnus:
        raise ValueError(f"seuls les exports facultatifs peuvent manquer : {inconnus}")
    def appliquer(r: Reexport) -> None:
        for nom in noms:
            r.documents.pop(nom, None)
    etiquette = "sans_facultatifs" if set(noms) == set(FACULTATIFS) else "sans_" + "_".join(
        Path(n).stem for n in noms)
    return Transformation(etiquette, appliquer)


def siecle_en(forme: str) -> Transformation:
    """SIECLE delivered as a plain folder (``dossier``), one zip (``zip``) or one zip per file (``zips``)."""
    if forme not in ("dossier", "zip", "zips"):
        raise ValueError(forme)
    def appliquer(r: Reexport) -> None:
        r.siecle = forme
    return Transformation(f"siecle_{forme}", appliquer)


def sts_zippe() -> Transformation:
    def appliquer(r: Reexport) -> None:
        r.sts_zip = True
    return Transformation("sts_zip", appliquer)


def s3e() -> Transformation:
    """Served by the local S3E server, read with the S3E client (an absent file answers 404)."""
    def appliquer(r: Reexport) -> None:
        r.s3e = True
    return Transformation("s3e", appliquer)


# --- the data of a snapshot, modulo order and normalisation -------------------------------------------------

ORDONNES = frozenset({"prenoms", "lignes"})
"""Lists whose order is data: a pupil's prénoms (1st, 2nd, 3rd), the lines of an address."""
HORS_DONNEES = frozenset({"exports", "origine", "anomalies"})
"""Where the data came from (file names, lines), not what it says."""


def donnees(snapshot: SourceSnapshot) -> Any:
    """The snapshot's data in a canonical form: lists sorted, except ``ORDONNES``; texts in NFC."""
    return _canonique(snapshot.model_dump(mode="json", exclude=set(HORS_DONNEES)), None)


def _canonique(valeur: Any, cle: str | None) -> Any:
    if isinstance(valeur, dict):
        return {k: _canonique(v, k) for k, v in sorted(valeur.items())}
    if isinstance(valeur, list):
        elements = [_canonique(v, None) for v in valeur]
        return elements if cle in ORDONNES else sorted(elements, key=lambda v: json.dumps(v, sort_keys=True))
    if isinstance(valeur, str):
        return unicodedata.normalize("NFC", valeur)
    return valeur


def differences(attendu: SourceSnapshot, lu: SourceSnapshot) -> list[str]:
    """What differs in data between two snapshots (empty when they say the same)."""
    a, b = donnees(attendu), donnees(lu)
    return [f"{cle} : {_court(a.get(cle))} ≠ {_court(b.get(cle))}" for cle in sorted({*a, *b}) if a.get(cle) != b.get(cle)]


def _court(valeur: Any, taille: int = 600) -> str:
    texte = json.dumps(valeur, ensure_ascii=False)
    return texte if len(texte) <= taille else texte[:taille] + "…"


# --- which events a run should not have written ---------------------------------------------------------------

PROPRES_AU_RUN = frozenset({"SynchronisationDemarree", "AvertissementEmis", "SynchronisationTerminee"})
"""The run's own events (lsun_events/aggregates/synchronisation.py): every other one changes an entity."""
_META = frozenset({"originator_id", "originator_version", "timestamp", "acteur", "synchronisation"})


def entites_ecrites(evenements: list[Any]) -> list[Any]:
    return [e for e in evenements if type(e).__name__ not in PROPRES_AU_RUN]


def decrire(evenement: Any) -> str:
    """One event, for an assertion message: class, aggregate, and each changed field (old → new)."""
    attributs = {k: v for k, v in vars(evenement).items() if k not in _META}
    lignes = [f"{type(evenement).__name__} ({evenement.originator_id})"]
    changements = attributs.pop("changements", None)
    for c in changements or ():
        lignes.append(f"    {c.champ} : {_diff(c.ancien, c.nouveau)}")
    if {"ancien_libelle", "libelle"} <= attributs.keys():
        lignes.append(f"    libelle : {_diff(attributs.pop('ancien_libelle'), attributs.pop('libelle'))}")
    if {"anciens", "nouveaux"} <= attributs.keys():
        lignes.append(f"    profs_principaux : {_diff(attributs.pop('anciens'), attributs.pop('nouveaux'))}")
    if "archive" in attributs:
        attributs["archive"] = "(bilan archivé)"
    if attributs:
        lignes.append("    " + ", ".join(f"{k}={_valeur(v)}" for k, v in sorted(attributs.items())))
    return "\n".join(lignes)


def _diff(ancien: Any, nouveau: Any) -> str:
    if isinstance(ancien, tuple | list) and isinstance(nouveau, tuple | list):
        avant, apres = [_valeur(v) for v in ancien], [_valeur(v) for v in nouveau]
        retires = [v for v in avant if v not in apres]
        ajoutes = [v for v in apres if v not in avant]
        if not retires and not ajoutes:
            return f"les mêmes {len(avant)} élément(s), dans un autre ordre"
        return f"retirés {retires} ; ajoutés {ajoutes}"
    return f"{_valeur(ancien)} → {_valeur(nouveau)}"


def _valeur(v: Any, taille: int = 300) -> str:
    texte = repr(v)
    return texte if len(texte) <= taille else texte[:taille] + "…"


# --- the school these tests synchronise again and again --------------------------------------------------------

HUET = "2400102"  # Timothée Arthur HUET, 4A (T1 locked), two guardians


def _responsable(personne_id: str, civilite: str, nom: str, prenom: str, parente: str, adresse: Adresse,
                 **autres: str) -> Responsable:
    return Responsable(personne_id=personne_id, civilite=civilite, nom_de_famille=nom, prenom=prenom,
                       code_parente=parente, adresse=adresse, tel_portable=autres.pop("tel_portable", "0611223344"),
                       mel=autres.pop("mel", f"{personne_id}@exemple.fr"), code_profession="52", **autres)


def ecole_realiste() -> Ecole:
    """The generator's "mini" school (the one of the ``etablissement`` fixture), made realistic for R13: every
    pupil of 4A and 4B has two guardians (one a nom d'usage, one a three-line address), names carry é, ë, ç, œ
    and apostrophes (pupils, guardians, teachers, addresses), a service of 4A and a group service have two
    teachers, 4A has two professeurs principaux; teachers keep their several services in divisions and groups."""
    ecole = generer("mini")
    eleve = ecole.eleve
    rue = Adresse("8299001", ["RÉSIDENCE LES ŒILLETS", "BÂTIMENT C, ESCALIER 2", "12 RUE DE L'ÉGLISE"], "33130",
                  "BÈGLES", "33", "FRANCE")
    place = Adresse("8299002", ["3 PLACE FRANÇOIS MAURIAC"], "33000", "BORDEAUX", "33", "FRANCE")
    # Pupils: ç, ë, œ, apostrophes; a nom d'usage.
    eleve("2400111").nom_usage = "D'ARÇON-HADDAD"
    durand = eleve("2400115")
    durand.nom_de_famille, durand.prenoms = "FRANÇOIS", ["Maëlle", "Françoise", "Zoë"]
    eleve("2400158").nom_de_famille = "L'HOSTIS-CŒUR"
    # A second guardian for every pupil of 4A/4B who had one.
    eleve("2400111").responsables.append(
        _responsable("4199001", "M.", "D'ARÇON", "François", "20", place))
    durand.responsables.append(
        _responsable("4199002", "MME", "LEFÈVRE", "Noëlle", "10", rue, nom_usage="FRANÇOIS-LEFÈVRE"))
    eleve("2400151").responsables.append(
        _responsable("4199003", "M.", "MARTINEZ", "Joël", "20", place, tel_portable="", tel_personnel="0556000000"))
    eleve("2400158").responsables.append(
        _responsable("4199004", "MME", "LE CŒUR", "Anaïs", "10", rue))
    # Teachers: a ç and an apostrophe; a service and a group service with two teachers; two PP for 4A.
    faure = ecole.enseignant("920")
    faure.nom_usage, faure.prenom = "LEFRANÇOIS", "JOËLLE"
    ecole.enseignant("29380").nom_usage = "PÉRIER-D'ORNANO"
    maths_4a = ecole.division("4A").service("061300")
    assert maths_4a is not None
    maths_4a.enseignants.append(RefEnseignant("epp", "98951"))
    ecole.groupe("4LAT").services[0].enseignants.append(RefEnseignant("epp", "29380"))
    ecole.enseignant("66608").profs_princ.append(ProfPrincipal("4A", ecole.date_debut, ecole.date_fin))
    return ecole


ECOLE = ecole_realiste()


def installer(store: Store, dossier: Path, ecole: Ecole | None = None) -> Etablissement:
    """As the ``etablissement`` fixture (tests/scenarios/conftest.py), with ``ecole`` (default: the realistic
    one): imported from its exports, periods T1–T3 for 4A and 4B, bilans T1 and T2 open, T1 of 4A locked.
    The caller closes ``etablissement.systeme``."""
    return installer_ecole(store, dossier, ecole or ECOLE)


def exporter(etab: Etablissement, ecole: Ecole | None = None) -> Reexport:
    """The generator's exports of ``ecole`` (default: the school's own), ready to be transformed."""
    etab.n += 1
    return Reexport.lire(ecrire_exports(ecole or etab.ecole, etab.dossier / f"r13-{etab.n}", zip_siecle=False))


def synchroniser(etab: Etablissement, reexport: Reexport) -> tuple[ResultatSynchronisation, list[Any]]:
    """Every division synchronised from ``reexport`` as delivered (files or S3E); the result and every event
    written since the run started."""
    etab.n += 1
    with reexport.ecrire(etab.dossier / f"livraison-{etab.n}") as livraison:
        source = livraison.snapshot(etab.uai)
    avant = etab.position()
    resultat = etab.app.synchroniser(DemandeSynchronisation(uai=etab.uai, acteur=CHEF, jour=JOUR), source)
    etab.systeme.rattraper()
    return resultat, etab.evenements_depuis(avant)
