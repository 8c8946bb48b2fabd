"""Hostile and random input (hypothesis): valid SIECLE and STS-web exports of the generator, mutated — elements
dropped, duplicated, reordered, emptied, renamed, their text replaced; the bytes truncated, overwritten,
inserted; written in another encoding than declared, or declaring an unknown one; plain random bytes. Each
reader, and the whole snapshot, either returns valid records or raises ``SourceInvalideError`` with a French
message naming the file — never another exception, and never for long (each example is bounded)."""

from __future__ import annotations

import copy
import io
import signal
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import fields, is_dataclass
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lxml import etree
from pydantic import BaseModel

from lsun_events.generateur.ecriture import COMMUNS, ELEVES, NOMENCLATURE, RESPONSABLES, STRUCTURES, ecrire_document
from lsun_events.generateur.generation import generer
from lsun_events.sources.documents import Document, JeuDocuments
from lsun_events.sources.erreurs import SourceInvalideError
from lsun_events.sources.siecle import lire_communs, lire_eleves, lire_nomenclature, lire_responsables, lire_structures
from lsun_events.sources.snapshot import lire_snapshot
from lsun_events.sources.sts import lire_sts

ECOLE = generer("mini")
STS = ECOLE.nom_fichier_sts
LECTEURS: dict[str, Callable[[Document], Any]] = {
    ELEVES: lire_eleves, RESPONSABLES: lire_responsables, NOMENCLATURE: lire_nomenclature,
    STRUCTURES: lire_structures, COMMUNS: lire_communs, STS: lire_sts,
}
LIMITE_S = 10.0  # per example: the real bound is far lower (milliseconds), this one survives a loaded machine
ENCODAGES = ("UTF-8", "ISO-8859-15", "ISO-8859-1", "windows-1252", "UTF-16", "UTF-16-LE", "ascii", "cp850",
             "UTF-32", "utf-7", "EBCDIC-CP-US", "klingon", "")
LENT: list[tuple[float, str]] = []  # the slowest examples seen (for the report)
ISSUES: Counter[str] = Counter()  # "ok" / "refus", for the report


def _exports() -> dict[str, bytes]:
    import tempfile  # noqa: PLC0415

    with tempfile.TemporaryDirectory() as dossier:
        return {nom: ecrire_document(ECOLE, nom, Path(dossier) / nom).read_bytes() for nom in LECTEURS}


VALIDES = _exports()


class TropLong(BaseException):
    """Not an ``Exception``: no reader may catch it and turn a hang into a refusal."""


@contextmanager
def borne(secondes: float = LIMITE_S) -> Iterator[None]:
    """Interrupt the example (SIGALRM) if it runs longer than ``secondes``."""
    def sonner(*_: object) -> None:
        raise TropLong(f"plus de {secondes} s")

    ancien = signal.signal(signal.SIGALRM, sonner)
    signal.setitimer(signal.ITIMER_REAL, secondes)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, ancien)


class Entree(bytes):
    """Bytes whose repr stays short in hypothesis' report: length, start, and where it differs."""

    def __repr__(self) -> str:
        return f"Entree({len(self)} octets, début {bytes(self[:160])!r})"


def document(nom: str, contenu: bytes) -> Document:
    return Document(nom=nom, ouvrir=lambda: io.BytesIO(contenu))


# --- mutations --------------------------------------------------------------------------------------------------


@st.composite
def arbre_mute(draw: st.DrawFn, contenu: bytes) -> bytes:
    """One to five changes of elements, then written in an encoding (not always the declared one)."""
    racine = etree.fromstring(contenu)
    for _ in range(draw(st.integers(1, 5))):
        elements = [e for e in racine.iter() if e is not racine and isinstance(e.tag, str)]
        if not elements:
            break
        e = draw(st.sampled_from(elements))
        parent = e.getparent()
        operation = draw(st.sampled_from(["supprimer", "dupliquer", "permuter", "vider", "texte", "renommer",
                                          "attribut", "inverser"]))
        if operation == "supprimer":
            parent.remove(e)
        elif operation == "dupliquer":
            for _ in range(draw(st.integers(1, 3))):
                e.addnext(copy.deepcopy(e))
        elif operation == "permuter" and len(parent) > 1:
            autre = parent[draw(st.integers(0, len(parent) - 1))]
            i, j = parent.index(e), parent.index(autre)
            parent[i], parent[j] = copy.deepcopy(autre), copy.deepcopy(e)
        elif operation == "inverser":
            enfants = list(parent)
            for enfant in enfants:
                parent.remove(enfant)
            for enfant in reversed(enfants):
                parent.append(enfant)
        elif operation == "vider":
            for enfant in list(e):
                e.remove(enfant)
            e.text = draw(st.sampled_from([None, "", " "]))
        elif operation == "texte":
            e.text = draw(st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"),
                                  max_size=40).map(lambda t: "".join(c for c in t if _xml_ok(c))))
        elif operation == "renommer":
            e.tag = draw(st.sampled_from(["X", "ELEVE", "DIVISION", "INDIVIDU", "SERVICE", "PARAMETRES", "UAJ",
                                          "ANNEE_SCOLAIRE", "DATE_NAISS", "NOM_DE_FAMILLE", "CODE_STRUCTURE"]))
        elif operation == "attribut":
            nom = draw(st.sampled_from([*e.attrib.keys(), "ID", "ELEVE_ID", "CODE", "TYPE", "X"]))
            e.set(nom, draw(st.sampled_from(["", "0", "-1", "A" * 300, "é", "1 2", "2400101"])))
    encodage = draw(st.sampled_from(["ISO-8859-15", "UTF-8", "UTF-16", "windows-1252"]))
    ecrit = etree.tostring(racine, xml_declaration=True, encoding=encodage)
    if draw(st.booleans()):  # sometimes the declaration lies about the encoding
        declare = draw(st.sampled_from(ENCODAGES))
        ecrit = ecrit.replace(f"encoding='{encodage}'".encode(), f"encoding='{declare}'".encode(), 1)
    return ecrit


def _xml_ok(c: str) -> bool:
    n = ord(c)
    return n in (0x9, 0xA, 0xD) or 0x20 <= n <= 0xD7FF or 0xE000 <= n <= 0xFFFD or n >= 0x10000


@st.composite
def octets_mutes(draw: st.DrawFn, contenu: bytes) -> bytes:
    """Truncated, overwritten or with bytes inserted (one to five times), or re-encoded under a wrong name."""
    donnees = bytearray(contenu)
    for _ in range(draw(st.integers(1, 5))):
        operation = draw(st.sampled_from(["tronquer", "ecraser", "inserer", "encodage", "nul"]))
        position = draw(st.integers(0, max(0, len(donnees) - 1)))
        if operation == "tronquer":
            del donnees[position:]
        elif operation == "ecraser":
            bloc = draw(st.binary(min_size=1, max_size=16))
            donnees[position:position + len(bloc)] = bloc
        elif operation == "inserer":
            donnees[position:position] = draw(st.binary(min_size=1, max_size=64))
        elif operation == "nul":
            donnees[position:position] = b"\x00"
        else:
            declare = draw(st.sampled_from(ENCODAGES)).encode()
            debut = bytes(donnees[:200])
            for ancien in (b"ISO-8859-15", b"UTF-8", b"utf-8"):
                if ancien in debut:
                    donnees[:200] = debut.replace(ancien, declare, 1)
                    break
    return bytes(donnees)


def entree(nom: str) -> st.SearchStrategy[bytes]:
    contenu = VALIDES[nom]
    return st.one_of(arbre_mute(contenu), octets_mutes(contenu), st.binary(max_size=2000),
                     st.just(contenu[: len(contenu) // 2]), st.just(b""),
                     st.just(b"<?xml version='1.0'?>")).map(Entree)


# --- what a reader may do ---------------------------------------------------------------------------------------


def verifier_records(valeur: Any) -> int:
    """Every pydantic record in ``valeur`` is valid (validated again from its own data); how many."""
    if isinstance(valeur, BaseModel):
        assert type(valeur).model_validate(valeur.model_dump()) == valeur
        return 1
    if is_dataclass(valeur) and not isinstance(valeur, type):
        return sum(verifier_records(getattr(valeur, f.name)) for f in fields(valeur))
    if isinstance(valeur, dict):
        return sum(verifier_records(x) for x in valeur.values())
    if isinstance(valeur, tuple | list):
        return sum(verifier_records(x) for x in valeur)
    return 0


def lire_borne(nom: str, lire: Callable[[], Any]) -> str:
    """Read with the time bound; "ok" or "refus"; anything else fails the example."""
    debut = time.perf_counter()
    try:
        with borne():
            resultat = lire()
    except SourceInvalideError as e:
        assert e.message.startswith(f"Fichier « {e.fichier} » : ") and e.probleme.strip(), e.message
        issue = "refus"
    else:
        verifier_records(resultat)
        issue = "ok"
    finally:
        duree = time.perf_counter() - debut
        LENT.append((duree, nom))
        LENT.sort(reverse=True)
        del LENT[5:]
    ISSUES[issue] += 1
    return issue


def reglages(exemples: int) -> settings:
    return settings(max_examples=exemples, deadline=None, database=None, derandomize=exemples <= 100,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                           HealthCheck.filter_too_much])


def test_les_exports_valides_sont_lus() -> None:
    for nom, lire in LECTEURS.items():
        assert lire_borne(nom, lambda lire=lire, nom=nom: lire(document(nom, VALIDES[nom]))) == "ok"


def _lecteur(nom: str, exemples: int) -> Callable[[], None]:
    @reglages(exemples)
    @given(contenu=entree(nom))
    def tester(contenu: bytes) -> None:
        lire_borne(nom, lambda: LECTEURS[nom](document(nom, contenu)))

    return tester


@pytest.mark.parametrize("nom", list(LECTEURS))
def test_chaque_lecteur_sur_des_exports_mutes(nom: str) -> None:
    _lecteur(nom, 60)()


@st.composite
def jeu_mute(draw: st.DrawFn) -> tuple[str, JeuDocuments]:
    """The six documents, one or two of them mutated: the cross-file checks see the damage too."""
    contenus = dict(VALIDES)
    for nom in draw(st.lists(st.sampled_from(list(LECTEURS)), min_size=1, max_size=2, unique=True)):
        contenus[nom] = draw(entree(nom))
    docs = {nom: document(nom, x) for nom, x in contenus.items()}
    return ",".join(sorted(n for n in contenus if contenus[n] != VALIDES[n])), JeuDocuments(
        eleves=docs[ELEVES], sts=docs[STS], responsables=docs[RESPONSABLES], nomenclature=docs[NOMENCLATURE],
        structures=docs[STRUCTURES], communs=docs[COMMUNS])


def _snapshot(exemples: int) -> Callable[[], None]:
    @reglages(exemples)
    @given(jeu=jeu_mute())
    def tester(jeu: tuple[str, JeuDocuments]) -> None:
        lire_borne(f"snapshot ({jeu[0]})", lambda: lire_snapshot(jeu[1], uai_attendu=ECOLE.uai))

    return tester


def test_le_snapshot_entier_avec_un_ou_deux_exports_mutes() -> None:
    _snapshot(80)()
    print(f"\nentrées hostiles : {dict(ISSUES)} ; exemples les plus lents : {[(round(d, 3), n) for d, n in LENT]}")


@pytest.mark.lourd
@pytest.mark.parametrize("nom", list(LECTEURS))
def test_chaque_lecteur_sur_beaucoup_d_exports_mutes(nom: str) -> None:
    _lecteur(nom, 1500)()


@pytest.mark.lourd
def test_le_snapshot_entier_sur_beaucoup_de_jeux_mutes() -> None:
    _snapshot(1500)()
    print(f"\nentrées hostiles : {dict(ISSUES)} ; exemples les plus lents : {[(round(d, 3), n) for d, n in LENT]}")


def test_un_octet_nul_dans_l_encodage_declare_est_refuse_en_francais() -> None:
    """Found by the mutations: ``codecs.lookup`` raised ``ValueError`` (not ``LookupError``) on a NUL byte."""
    contenu = VALIDES[ELEVES].replace(b"ISO-8859-15", b"\x00SO-8859-15", 1)
    with pytest.raises(SourceInvalideError, match=r"l'encodage « \\x00SO-8859-15 » déclaré en tête du fichier est "
                                                  "inconnu"):
        lire_eleves(document(ELEVES, contenu))
