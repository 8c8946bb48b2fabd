"""The audit log, "qui a modifié quoi": one row per changed field per event — position, date, acteur, run,
the aggregate (kind, id, version, name as it was then), the event, the field, old → new (JSON text, NULL when
absent), and the natural keys to filter on (UAI, ELEVE_ID, teacher ``type:id``, division code).

A creation gives one row per initial field (old NULL). Since 2026-12-03 the events that change a value carry the
value before them (``avant``, ``pp_avant``, ``etat_avant``, ``periodes_avant``, ``ouvertes_avant``: an acquis
entered, a PP, a lock, periods…): the log takes the old value from the event itself. Events stored before, which
carry only the new value, get it from a small per-aggregate state kept beside the log (``audit_etats``: a card —
kind, UAI, name, keys — read for every row, and a mirror of those values, written at creation and changed only by
such older events), so the log reads the same whatever the pages' boundaries and whichever events carry what."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass, fields
from datetime import date
from enum import Enum
from functools import lru_cache
from typing import Any

import msgspec

from lsun_events.aggregates import evenements as ev
from lsun_events.aggregates.eleve import Eleve
from lsun_events.aggregates.valeurs import Acquis, Valeur
from lsun_events.projections.base import Curseur, Dialecte, Modele
from lsun_events.projections.lignes import Page, Table, inserer

NOM = "audit"
JOURNAL = f"{NOM}_journal"
# The per-aggregate state: a card (plain columns, read for every row) and the rest as JSON, decoded only by the
# events that need it (an acquis entered, a PP added, periods…).
FICHE = ("type", "uai", "nom", "eleve_id", "cle", "division", "periode")
ETATS = Table(f"{NOM}_etats", (*FICHE, "donnees"), parent=True)
COLONNES = ("position", "rang", "horodatage", "acteur", "synchronisation", "uai", "agregat_type", "agregat",
            "version", "nom", "evenement", "champ", "ancien", "nouveau", "eleve_id", "enseignant", "division")
# name → (columns, condition). Only a tenth of the rows name a teacher or come from a run: those two indexes are
# partial (``enseignant = ?`` implies ``IS NOT NULL``, so both SQLite and PostgreSQL still use them), which spares
# most rows two index entries.
INDEX: dict[str, tuple[tuple[str, ...], str | None]] = {
    "eleve": (("uai", "eleve_id", "position"), None),
    "enseignant_partiel": (("uai", "enseignant", "position"), "enseignant IS NOT NULL"),
    "synchronisation_partiel": (("synchronisation", "position"), "synchronisation IS NOT NULL"),
    "acteur": (("uai", "acteur", "position"), None)}
INDEX_REMPLACES = ("enseignant", "synchronisation")  # the full indexes of earlier versions: dropped


def _defaut(o: Any) -> Any:
    if isinstance(o, Valeur):
        return o.__dict__  # the fields, in their order (frozen dataclasses without slots)
    if isinstance(o, date):
        return o.isoformat()
    if isinstance(o, Enum):
        return o.value
    raise TypeError(type(o).__name__)


# The values of the log's rows, compiled (msgspec): the same JSON values as the stdlib encoder with ``_defaut`` wrote
# until 2026-12-03 (a value's fields in their order, dates in ISO, enumerations by value), without spaces, several
# times faster; the readers parse them (``requetes_audit``), old rows and new alike.
_ENCODEUR_COMPILE = msgspec.json.Encoder(enc_hook=_defaut)


def en_json(valeur: Any) -> str | None:
    """A field's value as JSON text; None (absent) is NULL."""
    if valeur is None:
        return None
    if type(valeur) is str:
        return _chaine(valeur)
    return _ENCODEUR_COMPILE.encode(valeur).decode()


_chaine = json.JSONEncoder(ensure_ascii=False).encode  # a text alone: as written before (most rows)


@dataclass(frozen=True)
class Champ:
    """One changed field of an event, with the keys it concerns when they differ from the aggregate's."""

    champ: str
    ancien: Any
    nouveau: Any
    eleve_id: str | None = None
    enseignant: str | None = None
    division: str | None = None


class Etat(dict[str, Any]):
    """An aggregate's state: the card's values, and its other data decoded from JSON on first use."""

    def __init__(self, valeurs: dict[str, Any] | None = None, donnees: str | None = None, *,
                 nouveau: bool = True) -> None:
        super().__init__(valeurs or {})
        self._donnees = donnees
        self.modifie = nouveau

    def _decoder(self) -> None:
        if self._donnees is not None:
            texte, self._donnees = self._donnees, None
            super().update(json.loads(texte))
            self.modifie = True  # its lists and dicts may be changed in place from now on

    def __missing__(self, cle: str) -> Any:
        self._decoder()
        if dict.__contains__(self, cle):
            return dict.__getitem__(self, cle)
        raise KeyError(cle)

    def get(self, cle: str, defaut: Any = None) -> Any:  # type: ignore[override]
        if cle not in FICHE:
            self._decoder()
        return super().get(cle, defaut)

    def __setitem__(self, cle: str, valeur: Any) -> None:
        if cle not in FICHE:
            self._decoder()
        self.modifie = True
        super().__setitem__(cle, valeur)

    def en_ligne(self, agregat: str) -> dict[str, Any]:
        donnees = self._donnees if self._donnees is not None else _ENCODEUR_COMPILE.encode(
            {k: v for k, v in self.items() if k not in FICHE}).decode()
        return {"agregat": agregat, **{k: dict.get(self, k) for k in FICHE}, "donnees": donnees}


# By event class: every class has one (``tests/projections/test_chaque_evenement.py``).
Gestionnaire = Callable[[Any, Etat, "Etats"], Iterator[Champ]]
GESTIONNAIRES: dict[type[Any], Gestionnaire] = {}


def gere(*evenements: type[Any]) -> Callable[[Gestionnaire], Gestionnaire]:
    def enregistrer(fonction: Gestionnaire) -> Gestionnaire:
        for classe in evenements:
            GESTIONNAIRES[classe] = fonction
        return fonction
    return enregistrer


class Etats:
    """The per-aggregate states a page needs, read in one query, written back (those changed) at the end."""

    def __init__(self, c: Curseur) -> None:
        self.page = Page(c, {"etats": ETATS})
        self.cache: dict[str, Etat] = {}

    def charger(self, ids: set[str]) -> None:
        manquants = {i for i in ids if i not in self.cache}
        self.page.charger({"etats": manquants})
        for i in manquants:
            lignes = self.page.lire("etats", i)
            if lignes:
                ligne = lignes[0]
                self.cache[i] = Etat({k: ligne[k] for k in FICHE if ligne[k] is not None}, ligne["donnees"],
                                     nouveau=False)

    def get(self, agregat: str) -> Etat | None:
        return self.cache.get(agregat)

    def creer(self, agregat: str, valeurs: dict[str, Any]) -> Etat:
        self.cache[agregat] = etat = Etat(valeurs)
        self.page.creer(agregat, "etats")
        return etat

    def ecrire(self) -> None:
        for i, etat in self.cache.items():
            if etat.modifie:
                self.page.remplacer("etats", i, [etat.en_ligne(i)])
        self.page.ecrire()


@lru_cache(maxsize=100_000)
def eleve_de(uai: str, eleve_id: str) -> str:
    """The pupil's aggregate id (a pure function of its key: cached)."""
    return str(Eleve.id_pour(uai, eleve_id))


def nom_de(etat: Etat, etats: Etats) -> str:
    """The aggregate's name as the audit shows it: pupil "Prénom NOM", teacher, division code, run…"""
    if etat["type"] == "bilan":
        eleve = etats.get(eleve_de(etat["uai"], etat["eleve_id"]))
        return f"{eleve['nom'] if eleve else etat['eleve_id']}, bilan {etat['periode']}"
    return etat["nom"]


def nom_archive(e: ev.BilanArchive, etat: Etat) -> str:
    """An archive's row names the pupil as archived, from the archive itself: runs recorded before
    2026-11-24 saved the pupil's new data before the archives of the locked bilans, so the pupil's state
    already held the new name there (events are forever: the view reads both orders alike)."""
    return f"{e.archive.identite_eleve.nom_affiche}, bilan {etat['periode']}"


def _cle_par_defaut(etat: Etat) -> tuple[str | None, str | None, str | None]:
    """(eleve_id, enseignant, division) of the aggregate itself."""
    return etat.get("eleve_id"), etat.get("cle"), etat.get("division")


class Audit(Modele):
    nom = NOM
    cout = 3

    def tables(self, d: Dialecte) -> list[str]:
        return [d.table(JOURNAL), d.table(ETATS.nom)]

    def creations(self, d: Dialecte) -> list[str]:
        types = {"position": d.grand_entier, "rang": d.entier, "version": d.entier}
        colonnes = ", ".join(f"{c} {types.get(c, d.texte)}" for c in COLONNES)
        journal = d.table(JOURNAL)
        return [f"CREATE TABLE IF NOT EXISTS {journal} ({colonnes}, PRIMARY KEY (position, rang))",
                *(f"DROP INDEX IF EXISTS {d.table(f'{JOURNAL}_{nom}')}" for nom in INDEX_REMPLACES),
                *(f"CREATE INDEX IF NOT EXISTS {JOURNAL}_{nom} ON {journal} ({', '.join(cols)})"
                  + (f" WHERE {condition}" if condition else "")
                  for nom, (cols, condition) in INDEX.items()),
                *ETATS.creations(d)]

    def traiter(self, c: Curseur, page: list[tuple[int, Any]]) -> None:
        etats = Etats(c)
        gestionnaires = GESTIONNAIRES
        evenements = [(position, e, g, str(e.originator_id)) for position, e in page
                      if (g := gestionnaires.get(type(e))) is not None]
        crees = {agregat for _, e, _, agregat in evenements if e.originator_version == 1}
        etats.charger({agregat for _, _, _, agregat in evenements} - crees)
        # A bilan's rows name its pupil: read the pupils' states too.
        eleves = {eleve_de(e.uai, e.eleve_id) for _, e, _, _ in evenements if type(e) is ev.BilanOuvert}
        eleves |= {eleve_de(s["uai"], s["eleve_id"]) for s in etats.cache.values() if s["type"] == "bilan"}
        etats.charger(eleves)
        lignes: list[tuple[Any, ...]] = []
        for position, e, gestionnaire, agregat in evenements:
            etat = etats.get(agregat)
            if etat is None and e.originator_version != 1:
                continue  # an aggregate whose creation this view never saw
            champs = list(gestionnaire(e, etat if etat is not None else Etat(), etats))
            etat = etats.get(agregat)
            assert etat is not None
            eleve_id, enseignant, division = _cle_par_defaut(etat)
            nom_evenement = ev.NOMS[type(e)]  # the stored name (data), not the class's Python name
            nom = nom_archive(e, etat) if type(e) is ev.BilanArchive else nom_de(etat, etats)
            # What every row of the event shares, computed once (an import gives some twenty rows per pupil).
            commun = (e.timestamp.isoformat(), e.acteur, e.synchronisation, etat["uai"], etat["type"], agregat,
                      e.originator_version, nom, nom_evenement)
            for rang, ch in enumerate(champs):
                lignes.append((position, rang, *commun, ch.champ, en_json(ch.ancien), en_json(ch.nouveau),
                               ch.eleve_id or eleve_id, ch.enseignant or enseignant, ch.division or division))
        inserer(c, JOURNAL, COLONNES, lignes)
        etats.ecrire()


def _vide(v: Any) -> bool:
    return v is None or v in ((), [], "")


def _initiaux(valeur: Valeur, *sauf: str) -> Iterator[Champ]:
    """A creation: one row per non-empty initial field."""
    for f in fields(valeur):  # type: ignore[arg-type]
        v = getattr(valeur, f.name)
        if f.name not in sauf and not _vide(v) and v != f.default:
            yield Champ(f.name, None, v)


def _changements(e: Any) -> Iterator[Champ]:
    for ch in e.changements:
        yield Champ(ch.champ, ch.ancien, ch.nouveau)


# --- établissement ---------------------------------------------------------------------------------------------

@gere(ev.EtablissementImporte)
def _etablissement_importe(e: ev.EtablissementImporte, _: Etat, etats: Etats) -> Iterator[Champ]:
    etats.creer(str(e.originator_id), {"type": "etablissement", "uai": e.uai.upper(), "nom": e.infos.nom or e.uai,
                                       "groupes": {}})
    yield Champ("annee_scolaire", None, e.annee_scolaire)
    yield from _initiaux(e.infos)


@gere(ev.EtablissementMisAJour)
def _etablissement_mis_a_jour(e: ev.EtablissementMisAJour, etat: Etat, _: Etats) -> Iterator[Champ]:
    for ch in e.changements:
        if ch.champ == "nom" and ch.nouveau:
            etat["nom"] = ch.nouveau
    yield from _changements(e)


@gere(ev.DivisionRattachee)
def _division_rattachee(e: ev.DivisionRattachee, _: Etat, __: Etats) -> Iterator[Champ]:
    yield Champ("division", None, e.code)


@gere(ev.DivisionRecodee)
def _division_recodee(e: ev.DivisionRecodee, _: Etat, __: Etats) -> Iterator[Champ]:
    yield Champ("division", e.ancien_code, e.code)


@gere(ev.GroupeDefini)
def _groupe_defini(e: ev.GroupeDefini, etat: Etat, _: Etats) -> Iterator[Champ]:
    ancien = etat["groupes"].get(e.code)
    etat["groupes"][e.code] = list(e.divisions)
    yield Champ(f"groupe {e.code}", ancien, list(e.divisions))


@gere(ev.SynchronisationAutomatiqueParametree)
def _automatique(e: ev.SynchronisationAutomatiqueParametree, etat: Etat, _: Etats) -> Iterator[Champ]:
    nouveau = json.loads(en_json(e.parametres) or "null")
    yield Champ("synchronisation_automatique", etat.get("automatique"), nouveau)
    etat["automatique"] = nouveau


@gere(ev.EnseignantRattache)
def _enseignant_rattache(e: ev.EnseignantRattache, _: Etat, __: Etats) -> Iterator[Champ]:
    yield Champ("enseignant", None, e.cle, enseignant=e.cle)


# --- divisions -------------------------------------------------------------------------------------------------

@gere(ev.DivisionCreee)
def _division_creee(e: ev.DivisionCreee, _: Etat, etats: Etats) -> Iterator[Champ]:
    pp = [r.cle for r in e.profs_principaux]
    etats.creer(str(e.originator_id), {"type": "division", "uai": e.uai.upper(), "nom": e.code, "division": e.code,
                                       "periodes": None, "ouvertes": [], "pp": pp})
    yield Champ("code", None, e.code)
    if e.libelle:
        yield Champ("libelle", None, e.libelle)
    for cle in pp:
        yield Champ("profs_principaux", None, pp, enseignant=cle)


@gere(ev.EleveInscritDansDivision)
def _eleve_inscrit_dans_division(e: ev.EleveInscritDansDivision, _: Etat, __: Etats) -> Iterator[Champ]:
    yield Champ("eleve", None, e.eleve_id, eleve_id=e.eleve_id)


def avant(e: Any, champ: str = "avant") -> Any:
    """The value before the event, which it carries since 2026-12-03; None for an event stored before."""
    return e.__dict__.get(champ)


@gere(ev.PeriodesParametrees)
def _periodes_parametrees(e: ev.PeriodesParametrees, etat: Etat, _: Etats) -> Iterator[Champ]:
    nouvelles = json.loads(en_json(list(e.periodes)) or "[]")
    anciennes = avant(e, "periodes_avant")
    if anciennes is not None:
        yield Champ("periodes", json.loads(en_json(list(anciennes)) or "null") if anciennes else None, nouvelles)
        return
    yield Champ("periodes", etat["periodes"], nouvelles)
    etat["periodes"] = nouvelles


@gere(ev.PeriodeOuverte)
def _periode_ouverte(e: ev.PeriodeOuverte, etat: Etat, _: Etats) -> Iterator[Champ]:
    ouvertes = avant(e, "ouvertes_avant")
    if ouvertes is not None:
        yield Champ("periodes_ouvertes", list(ouvertes) or None, [*ouvertes, e.periode])
        return
    ancien = list(etat["ouvertes"])
    etat["ouvertes"].append(e.periode)
    yield Champ("periodes_ouvertes", ancien or None, list(etat["ouvertes"]))


@gere(ev.DivisionMiseAJour)
def _division_mise_a_jour(e: ev.DivisionMiseAJour, etat: Etat, _: Etats) -> Iterator[Champ]:
    if e.code != e.ancien_code:
        yield Champ("code", e.ancien_code, e.code)
    if e.libelle != e.ancien_libelle:
        yield Champ("libelle", e.ancien_libelle, e.libelle)
    etat["nom"] = etat["division"] = e.code


def _pp_changes(anciens: list[str], nouveaux: list[str], **cles: Any) -> Iterator[Champ]:
    """One row per teacher added or removed (so that each teacher's log shows it), with both lists."""
    for cle in [*(a for a in anciens if a not in nouveaux), *(n for n in nouveaux if n not in anciens)]:
        yield Champ("profs_principaux", anciens or None, nouveaux or None, enseignant=cle, **cles)


@gere(ev.ProfsPrincipauxDivisionChanges)
def _pp_division(e: ev.ProfsPrincipauxDivisionChanges, etat: Etat, _: Etats) -> Iterator[Champ]:
    nouveaux = [r.cle for r in e.nouveaux]
    yield from _pp_changes([r.cle for r in e.anciens], nouveaux)
    etat["pp"] = nouveaux


# --- élèves, enseignants ---------------------------------------------------------------------------------------

@gere(ev.EleveInscrit)
def _eleve_inscrit(e: ev.EleveInscrit, _: Etat, etats: Etats) -> Iterator[Champ]:
    etats.creer(str(e.originator_id), {"type": "eleve", "uai": e.uai.upper(), "eleve_id": e.eleve_id,
                                       "nom": e.identite.nom_affiche, "division": e.scolarite.division})
    yield from _initiaux(e.identite)
    yield from _initiaux(e.scolarite)


@gere(ev.EleveMisAJour)
def _eleve_mis_a_jour(e: ev.EleveMisAJour, etat: Etat, _: Etats) -> Iterator[Champ]:
    etat["nom"], etat["division"] = e.eleve, e.division
    yield from _changements(e)


@gere(ev.EnseignantCree)
def _enseignant_cree(e: ev.EnseignantCree, _: Etat, etats: Etats) -> Iterator[Champ]:
    etats.creer(str(e.originator_id), {"type": "enseignant", "uai": e.uai.upper(), "cle": e.ref.cle,
                                       "nom": e.identite.nom_affiche})
    yield from _initiaux(e.identite)
    if e.services:
        yield Champ("services", None, list(e.services))


@gere(ev.EnseignantMisAJour)
def _enseignant_mis_a_jour(e: ev.EnseignantMisAJour, etat: Etat, _: Etats) -> Iterator[Champ]:
    etat["nom"] = e.enseignant
    yield from _changements(e)


# --- bilans ----------------------------------------------------------------------------------------------------

def _acquis(a: Acquis) -> dict[str, Any]:
    return {"libelle": a.matiere_libelle, "enseignants": [r.cle for r in a.enseignants],
            "positionnement": a.positionnement, "appreciation": a.appreciation}


# What the state keeps of an acquis, compact (there is one per discipline of every bilan):
# [positionnement, appréciation, [teachers]].
POSITIONNEMENT, APPRECIATION, ENSEIGNANTS = 0, 1, 2


def _memo_acquis(a: Acquis) -> list[Any]:
    return [a.positionnement, a.appreciation, [r.cle for r in a.enseignants]]


@gere(ev.BilanOuvert)
def _bilan_ouvert(e: ev.BilanOuvert, _: Etat, etats: Etats) -> Iterator[Champ]:
    pp = [r.cle for r in e.profs_principaux]
    etats.creer(str(e.originator_id), {
        "type": "bilan", "uai": e.uai.upper(), "eleve_id": e.eleve_id, "periode": e.periode.code,
        "division": e.division, "etat": "en cours de saisie", "pp": pp,
        "acquis": {a.matiere_code: _memo_acquis(a) for a in e.acquis}})
    yield Champ("division", None, e.division)
    yield Champ("periode", None, e.periode)
    yield Champ("etat", None, "en cours de saisie")
    if pp:
        yield Champ("profs_principaux", None, pp)
    if e.acquis:
        yield Champ("acquis", None, {a.matiere_code: _acquis(a) for a in e.acquis})


@gere(ev.AcquisSaisi)
def _acquis_saisi(e: ev.AcquisSaisi, etat: Etat, _: Etats) -> Iterator[Champ]:
    precedent: Acquis | None = avant(e)
    if precedent is not None:
        for champ, ancien in (("positionnement", precedent.positionnement), ("appreciation", precedent.appreciation)):
            nouveau = getattr(e, champ)
            if nouveau != ancien:
                yield Champ(f"acquis {e.matiere_code} : {champ}", ancien, nouveau)
        return
    acquis = etat["acquis"][e.matiere_code]
    for champ, i in (("positionnement", POSITIONNEMENT), ("appreciation", APPRECIATION)):
        nouveau = getattr(e, champ)
        if nouveau != acquis[i]:
            yield Champ(f"acquis {e.matiere_code} : {champ}", acquis[i], nouveau)
            acquis[i] = nouveau


@gere(ev.AcquisAjoute)
def _acquis_ajoute(e: ev.AcquisAjoute, etat: Etat, _: Etats) -> Iterator[Champ]:
    etat["acquis"][e.acquis.matiere_code] = _memo_acquis(e.acquis)
    yield Champ(f"acquis {e.acquis.matiere_code}", None, _acquis(e.acquis))


def _enseignants_avant(e: Any, etat: Etat) -> tuple[list[str], list[Any] | None]:
    """The acquis' teachers before the event: from the event (``avant``), else from the mirror (returned too,
    to be changed)."""
    precedent: Acquis | None = avant(e)
    if precedent is not None:
        return [r.cle for r in precedent.enseignants], None
    acquis = etat["acquis"][e.matiere_code]
    return list(acquis[ENSEIGNANTS]), acquis


@gere(ev.EnseignantsAjoutesAcquis)
def _enseignants_ajoutes(e: ev.EnseignantsAjoutesAcquis, etat: Etat, _: Etats) -> Iterator[Champ]:
    anciens, miroir = _enseignants_avant(e, etat)
    nouveaux = [*anciens, *(n.ref.cle for n in e.enseignants)]
    if miroir is not None:
        miroir[ENSEIGNANTS] = nouveaux
    for n in e.enseignants:
        yield Champ(f"acquis {e.matiere_code} : enseignants", anciens or None, nouveaux, enseignant=n.ref.cle)


@gere(ev.EnseignantsRetiresAcquis)
def _enseignants_retires(e: ev.EnseignantsRetiresAcquis, etat: Etat, _: Etats) -> Iterator[Champ]:
    anciens, miroir = _enseignants_avant(e, etat)
    retires = {n.ref.cle for n in e.enseignants}
    nouveaux = [r for r in anciens if r not in retires]
    if miroir is not None:
        miroir[ENSEIGNANTS] = nouveaux
    for n in e.enseignants:
        yield Champ(f"acquis {e.matiere_code} : enseignants", anciens, nouveaux or None, enseignant=n.ref.cle)


@gere(ev.AcquisRetire)
def _acquis_retire(e: ev.AcquisRetire, etat: Etat, _: Etats) -> Iterator[Champ]:
    precedent: Acquis | None = avant(e)
    if precedent is not None:
        yield Champ(f"acquis {e.matiere_code}", {"libelle": e.acquis,
                                                 "enseignants": [r.cle for r in precedent.enseignants]}, None)
        return
    ancien = etat["acquis"].pop(e.matiere_code, None)
    yield Champ(f"acquis {e.matiere_code}", {"libelle": e.acquis, "enseignants": ancien[ENSEIGNANTS]}
                if ancien is not None else {"libelle": e.acquis}, None)


@gere(ev.ProfPrincipalAjoute, ev.ProfPrincipalRetire)
def _pp_bilan(e: ev.ProfPrincipalAjoute | ev.ProfPrincipalRetire, etat: Etat, _: Etats) -> Iterator[Champ]:
    cle = e.enseignant.ref.cle
    pp_avant = avant(e, "pp_avant")
    anciens = [r.cle for r in pp_avant] if pp_avant is not None else list(etat["pp"])
    nouveaux = [*anciens, cle] if type(e) is ev.ProfPrincipalAjoute else [p for p in anciens if p != cle]
    if pp_avant is None:
        etat["pp"] = nouveaux
    yield from _pp_changes(anciens, nouveaux)


@gere(ev.BilanVerrouille, ev.BilanDeverrouille)
def _verrou(e: ev.BilanVerrouille | ev.BilanDeverrouille, etat: Etat, _: Etats) -> Iterator[Champ]:
    nouveau = "verrouillé" if type(e) is ev.BilanVerrouille else "en cours de saisie"
    ancien = avant(e, "etat_avant")
    if ancien is None:
        ancien, etat["etat"] = etat["etat"], nouveau
    yield Champ("etat", ancien, nouveau)


@gere(ev.BilanArchive)
def _bilan_archive(e: ev.BilanArchive, _: Etat, __: Etats) -> Iterator[Champ]:
    a = e.archive
    yield Champ("archive", None, {"eleve": a.identite_eleve.nom_affiche, "division": a.division,
                                  "periode": a.periode.code, "etat": a.etat, "acquis": len(a.acquis)})


# --- runs ------------------------------------------------------------------------------------------------------

@gere(ev.SynchronisationDemarree)
def _run_demarre(e: ev.SynchronisationDemarree, _: Etat, etats: Etats) -> Iterator[Champ]:
    divisions = "toutes" if e.toutes else ", ".join(e.divisions)
    etats.creer(str(e.originator_id), {"type": "synchronisation", "uai": e.uai.upper(), "statut": "en cours",
                                       "nom": f"synchronisation du {e.jour.isoformat()} ({divisions})"})
    yield Champ("statut", None, "en cours")
    yield Champ("divisions", None, "toutes" if e.toutes else list(e.divisions))
    yield Champ("source", None, {"origine": e.source.origine, "empreinte": e.source.empreinte})
    yield Champ("jour", None, e.jour)
    if e.automatique:
        yield Champ("automatique", None, True)


@gere(ev.AvertissementEmis)
def _avertissement(e: ev.AvertissementEmis, _: Etat, __: Etats) -> Iterator[Champ]:
    yield Champ("avertissement", None, {"code": e.code, **e.valeurs}, division=e.division)


@gere(ev.AnnulationDemarree)
def _annulation(e: ev.AnnulationDemarree, _: Etat, __: Etats) -> Iterator[Champ]:
    yield Champ("annule", None, e.annulee)


@gere(ev.SynchronisationAnnulee)
def _annulee(e: ev.SynchronisationAnnulee, _: Etat, __: Etats) -> Iterator[Champ]:
    yield Champ("annulee_par", None, e.par)


STATUTS: dict[type[Any], str] = {
    ev.SynchronisationTerminee: "terminee", ev.SynchronisationEchouee: "echouee", ev.SynchronisationRetenue: "retenue",
    ev.SynchronisationAbandonnee: "abandonnee", ev.SynchronisationRetenueAppliquee: "appliquee"}


@gere(*STATUTS)
def _run_statut(e: Any, etat: Etat, _: Etats) -> Iterator[Champ]:
    """The run's outcome; a held run (``retenue``) is later abandoned or applied by another run."""
    ancien, etat["statut"] = etat["statut"], STATUTS[type(e)]
    yield Champ("statut", ancien, etat["statut"])
    if hasattr(e, "compteurs"):
        yield Champ("compteurs", None, e.compteurs)
    if hasattr(e, "raison"):
        yield Champ("raison", None, e.raison)
    if hasattr(e, "par"):
        yield Champ("appliquee_par", None, e.par)
