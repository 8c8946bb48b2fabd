"""SPEC R13, issue 13 point 6: the class of re-exports is closed. The same data exported again in another form
(another encoding, NFD, CRLF, self-closing or absent empty elements, extra spaces, every list shuffled, optional
files absent, zipped or not, served by S3E) is synchronised, every division, into a school already up to date
with that data: the run writes its own events only, never an entity event — on SQLite and on PostgreSQL.

Three safeguards make a failure mean a product problem: each re-export is first read by the real readers and
must say the same data as the generator's exports (modulo order and normalisation, ``reexport.differences``);
each transformation is checked to really change the form it claims to; and a real change (a pupil renamed)
sent through the same re-exports is still written, in the same shape, so that the suite cannot pass by
ignoring everything. The school is the ``etablissement`` fixture's, made realistic (``reexport.ecole_realiste``:
two guardians per pupil, teachers with several services, a service with two teachers, two PP, é ë ç œ and
apostrophes)."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from lsun_events.aggregates.eleve import Eleve
from lsun_events.generateur import variantes as v
from lsun_events.generateur.ecriture import COMMUNS, ELEVES, NOMENCLATURE, RESPONSABLES, STRUCTURES, ecrire_exports
from lsun_events.storage.config import Store
from tests.reexport import (
    ECOLE,
    FACULTATIFS,
    HUET,
    Reexport,
    Transformation,
    crlf,
    decrire,
    differences,
    encodage,
    entites_ecrites,
    espaces,
    espaces_insecables,
    exporter,
    installer,
    melanger_elements,
    melanger_listes,
    nfd,
    s3e,
    sans,
    siecle_en,
    sts_zippe,
    synchroniser,
    texte_a_la_ligne,
    vides,
)
from tests.scenarios.conftest import Etablissement

VARIANTES: dict[str, tuple[Transformation, ...]] = {
    "dossier_tel_quel": (),
    "siecle_zip": (siecle_en("zip"),),
    "siecle_un_zip_par_fichier": (siecle_en("zips"),),
    "sts_zip": (sts_zippe(),),
    "utf8": (encodage("UTF-8"),),
    "utf8_bom": (encodage("UTF-8-BOM"),),
    "utf8_sans_declaration": (encodage("UTF-8-sans-declaration"),),
    "windows_1252": (encodage("windows-1252"),),
    "iso_8859_1_references": (encodage("ISO-8859-1"),),
    "nfd_utf8": (nfd(), encodage("UTF-8")),
    "nfd_iso_8859_15": (nfd(),),
    "crlf": (crlf(),),
    "vides_courts": (vides("courts"),),
    "vides_longs": (vides("longs"),),
    "vides_absents": (vides("absents"),),
    "espaces": (espaces(),),
    "espaces_insecables": (espaces_insecables(),),
    "texte_a_la_ligne": (texte_a_la_ligne(),),
    "listes_melangees": (melanger_listes(1),),
    "listes_melangees_graine_7": (melanger_listes(7),),
    "elements_melanges": (melanger_elements(1),),
    "sans_responsables": (sans(RESPONSABLES),),
    "sans_communs": (sans(COMMUNS),),
    "sans_nomenclature": (sans(NOMENCLATURE),),
    "sans_structures": (sans(STRUCTURES),),
    "sans_facultatifs": (sans(*FACULTATIFS),),
    "s3e": (s3e(),),
    "s3e_zips_windows_1252": (s3e(), siecle_en("zips"), sts_zippe(), encodage("windows-1252")),
    "s3e_sans_responsables_404": (s3e(), sans(RESPONSABLES)),
    "s3e_sans_facultatifs_404": (s3e(), sans(*FACULTATIFS)),
    "tout_a_la_fois": (nfd(), encodage("UTF-8-BOM"), crlf(), vides("courts"), espaces(), melanger_listes(3),
                       melanger_elements(3), siecle_en("zips"), sts_zippe()),
    "tout_a_la_fois_s3e": (nfd(), encodage("windows-1252"), vides("absents"), espaces_insecables(),
                           melanger_listes(5), s3e()),
}

VRAI_CHANGEMENT: dict[str, tuple[Transformation, ...]] = {
    "nfd_listes_melangees_utf8": (nfd(), melanger_listes(2), encodage("UTF-8")),
    "iso_8859_15_crlf_vides_courts_espaces": (crlf(), vides("courts"), espaces()),
    "windows_1252_elements_melanges_zips": (encodage("windows-1252"), melanger_elements(2), siecle_en("zips"),
                                            sts_zippe()),
    "s3e_utf8_bom_listes_melangees": (s3e(), encodage("UTF-8-BOM"), melanger_listes(4)),
}


pytestmark = pytest.mark.usefixtures("sans_proxy")  # the S3E client talks to 127.0.0.1 directly


@pytest.fixture
def college(store: Store, tmp_path: Path) -> Iterator[Etablissement]:
    """The ``etablissement`` fixture's school made realistic (``reexport.ecole_realiste``), on both stores."""
    etab = installer(store, tmp_path)
    yield etab
    etab.systeme.fermer()


def _generateur(dossier: Path) -> Reexport:
    return Reexport.lire(ecrire_exports(ECOLE, dossier, zip_siecle=False))


def _message(variante: str, ecrits: list[Any]) -> str:
    return (f"La réexportation « {variante} » des mêmes données a écrit {len(ecrits)} événement(s) d'entité "
            "(seuls ceux du run sont permis) :\n" + "\n".join(decrire(e) for e in ecrits))


# --- 1. The re-exports say the same data (checks the transformations; no store) -----------------------------


@pytest.mark.parametrize("variante", VARIANTES)
def test_la_reexportation_dit_les_memes_donnees(variante: str, tmp_path: Path) -> None:
    generateur = _generateur(tmp_path / "generateur")
    reexport = generateur.copie().transformer(*VARIANTES[variante])
    reference = generateur.copie()
    reference.documents = {nom: d for nom, d in reference.documents.items() if nom in reexport.documents}
    with reference.ecrire(tmp_path / "reference") as livraison:
        attendu = livraison.snapshot(ECOLE.uai)
    with reexport.ecrire(tmp_path / "reexport") as livraison:
        lu = livraison.snapshot(ECOLE.uai)  # the real readers accept it

    assert differences(attendu, lu) == []
    if variante != "dossier_tel_quel":  # and it is another form of the data
        octets, origine = reexport.octets(), generateur.octets()
        assert (any(octets[nom] != origine[nom] for nom in octets) or reexport.siecle != "dossier"
                or reexport.sts_zip or reexport.s3e or reexport.absents)


def _eleves(octets: bytes) -> list[bytes]:
    return re.findall(rb'<ELEVE ELEVE_ID="(\d+)"', octets)


FORMES: dict[str, tuple[tuple[Transformation, ...], str, Callable[[bytes], bool]]] = {
    # name: (transformations, document, what its bytes must show)
    "nfd": ((nfd(), encodage("UTF-8")), ELEVES,
            lambda o: "é".encode() not in o and "e\u0301".encode() in o),
    "utf8_bom": ((encodage("UTF-8-BOM"),), ELEVES,
                 lambda o: o.startswith(b'\xef\xbb\xbf<?xml version="1.0" encoding="UTF-8"?>') and "é".encode() in o),
    "windows_1252": ((encodage("windows-1252"),), RESPONSABLES,
                     lambda o: b'encoding="windows-1252"' in o and b"C\x8cURDEROY" in o),
    "iso_8859_1": ((encodage("ISO-8859-1"),), RESPONSABLES, lambda o: b"C&#338;URDEROY" in o),
    "sans_declaration": ((encodage("UTF-8-sans-declaration"),), ELEVES, lambda o: o.startswith(b"<BEE_ELEVES")),
    "crlf": ((crlf(),), ELEVES, lambda o: o.count(b"\r\n") == o.count(b"\n") > 100),
    "vides_courts": ((vides("courts"),), ELEVES, lambda o: b"<NOM_USAGE/>" in o and b"></NOM_USAGE>" not in o),
    "vides_longs": ((vides("longs"),), "sts", lambda o: b"/>" not in o and b"></MEF_APPARTENANCE>" in o),
    "vides_absents": ((vides("absents"),), ELEVES,
                      lambda o: b"<NOM_USAGE>MOREL-MARTINEZ</NOM_USAGE>" in o and b"></NOM_USAGE>" not in o
                      and b"<NOM_USAGE/>" not in o),
    "espaces": ((espaces(),), ELEVES, lambda o: b"<NOM_DE_FAMILLE>  LE  BRIS </NOM_DE_FAMILLE>" in o),
    "espaces_insecables": ((espaces_insecables(),), ELEVES,
                           lambda o: b"<NOM_DE_FAMILLE>\xa0LE\xa0BRIS\xa0</NOM_DE_FAMILLE>" in o),
    "listes_melangees": ((melanger_listes(1),), ELEVES,
                         lambda o: _eleves(o) != _ORDRE_ELEVES and re.search(rb"<PRENOM>Ma\xebll?e</PRENOM>\s*<PRENOM2>Fran\xe7oise</PRENOM2>\s*"
                                       rb"<PRENOM3>Zo\xeb</PRENOM3>", o) is not None),
    "elements_melanges": ((melanger_elements(1),), ELEVES,
                          lambda o: o.index(b"<DONNEES>") < o.index(b"<PARAMETRES>")
                          or o.index(b"<OPTIONS>") < o.index(b"<ELEVES>")),
}
_ORDRE_ELEVES = [e.eleve_id.encode() for e in ECOLE.eleves]


@pytest.mark.parametrize("forme", FORMES)
def test_chaque_transformation_change_la_forme_qu_elle_dit(forme: str, tmp_path: Path) -> None:
    transformations, document, montre = FORMES[forme]
    reexport = _generateur(tmp_path).transformer(*transformations)
    assert montre(reexport.octets()[reexport.nom_sts if document == "sts" else document])


# --- 2. A re-export of the same data writes no entity event -------------------------------------------------


@pytest.mark.parametrize("variante", VARIANTES)
def test_une_reexportation_n_ecrit_aucun_evenement_d_entite(college: Etablissement, variante: str) -> None:
    # The school is up to date with the generator's exports as they are: a run on them writes nothing.
    resultat, evenements = synchroniser(college, exporter(college))
    assert entites_ecrites(evenements) == [], _message("témoin (exports du générateur)", entites_ecrites(evenements))

    reexport = exporter(college).transformer(*VARIANTES[variante])
    resultat, evenements = synchroniser(college, reexport)

    assert resultat.statut == "terminee"
    assert sorted(resultat.divisions) == ["3B", "4A", "4B"]
    ecrits = entites_ecrites(evenements)
    assert ecrits == [], _message(variante, ecrits)
    assert [m.code for m in resultat.messages] == ["M5"]  # 3B has no period: the only message
    # The summary says which optional exports were absent (and only those).
    assert sorted(x["fichier"] for x in resultat.en_dict()["exports_absents"]) == sorted(reexport.absents)


# --- 3. A real change sent through the same re-exports is still written, in the same shape -----------------


@pytest.mark.parametrize("variante", VRAI_CHANGEMENT)
def test_un_vrai_changement_reste_ecrit_a_travers_la_reexportation(college: Etablissement, variante: str) -> None:
    renomme = v.renommer_eleve(college.ecole, HUET, prenoms=["Timothée-Arthur", "Yves"])

    resultat, evenements = synchroniser(college, exporter(college, renomme).transformer(*VRAI_CHANGEMENT[variante]))

    ecrits = entites_ecrites(evenements)
    assert sorted(type(e).__name__ for e in ecrits) == ["BilanArchive", "EleveMisAJour"], \
        "\n".join(decrire(e) for e in ecrits)
    archive = next(e for e in ecrits if type(e).__name__ == "BilanArchive")
    mise_a_jour = next(e for e in ecrits if type(e).__name__ == "EleveMisAJour")
    assert archive.originator_id == college.app.bilan(college.uai, HUET, "T1").id  # the locked T1 bilan of 4A
    assert archive.archive.identite_eleve.prenoms == ("Timothée", "Arthur")
    assert mise_a_jour.originator_id == Eleve.id_pour(college.uai, HUET)
    assert [(c.champ, c.ancien, c.nouveau) for c in mise_a_jour.changements] == [
        ("prenoms", ("Timothée", "Arthur"), ("Timothée-Arthur", "Yves"))]  # NFC, whatever the export's form
    assert [m.texte for m in resultat.messages if m.code != "M5"] == [
        "Les informations LSUN de l'élève Timothée-Arthur HUET ont été archivées (1 bilan(s) verrouillé(s)).",
        "L'élève Timothée-Arthur HUET (4A) a été mis à jour.",
    ]
