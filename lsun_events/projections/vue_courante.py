"""The current LSUN view as SQL tables — what the pages, the API and the commands read, nothing more: the schools
(list of établissements), the divisions (periods, PP, number of pupils), the bilans of a division for a period
(état, PP, archives, the pupil's name), the teachers (names, function). A bilan's content (acquis, teachers,
archives) is read from the event store, now or at a version (``interfaces/web/lecture.py``): the one read path for
"a bilan now"; the audit log keeps every past value.

Every row is keyed by its aggregate's id (``agregat``) and keeps the aggregate's natural key (UAI, code,
ELEVE_ID, ``type:id`` of a teacher); parent rows carry the aggregate's version and last change.

Version 2 (issue 18): the tables no page read (groups, guardians, services, acquis and their teachers) and the
personal columns no page read (birth date and place, INE, telephones, e-mails, options…) are gone — a view of
version 1 is rebuilt when opened (``Modele.version``)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from lsun_events.aggregates import evenements as ev
from lsun_events.aggregates.valeurs import EtatBilan, IdentiteEleve, IdentiteEnseignant
from lsun_events.projections.base import Curseur, Dialecte, Modele
from lsun_events.projections.lignes import Page, Table

NOM = "courante"
VERSION = 2

TABLES = {t.nom.removeprefix(f"{NOM}_"): t for t in (
    Table(f"{NOM}_etablissements", ("uai", "annee_scolaire", "nom", "commune", "version#", "modifie_le"),
          parent=True, index=(("uai",),)),
    Table(f"{NOM}_divisions", ("uai", "code", "libelle", "version#", "modifie_le"), parent=True,
          index=(("uai", "code"),)),
    Table(f"{NOM}_periodes", ("code", "debut", "fin", "ouverte#")),
    Table(f"{NOM}_divisions_pp", ("enseignant",)),
    Table(f"{NOM}_eleves", ("uai", "eleve_id", "division_id", "nom_de_famille", "nom_usage", "prenom", "nom_affiche",
                            "version#", "modifie_le"), parent=True,
          index=(("uai", "eleve_id"), ("division_id",))),
    Table(f"{NOM}_enseignants", ("uai", "cle", "nom_usage", "prenom", "nom_affiche", "fonction", "version#",
                                 "modifie_le"), parent=True, index=(("uai", "cle"),)),
    Table(f"{NOM}_bilans", ("uai", "eleve_id", "division_id", "division", "periode", "etat", "archives#", "version#",
                            "modifie_le"), parent=True, index=(("uai", "eleve_id"), ("division_id", "periode"))),
    Table(f"{NOM}_bilans_pp", ("enseignant",)),
)}
# The tables of version 1 that no page read: dropped when a view of version 1 is rebuilt.
ANCIENNES_TABLES = tuple(f"{NOM}_{t}" for t in ("groupes", "responsables", "services", "acquis", "acquis_enseignants"))

# Each aggregate's parent table and its child tables.
ENFANTS: dict[str, tuple[str, ...]] = {"etablissements": (), "divisions": ("periodes", "divisions_pp"), "eleves": (),
                                       "enseignants": (), "bilans": ("bilans_pp",)}

# Which aggregate an event belongs to (its parent table) and the other tables it changes, by event class
# (``tests/projections/test_chaque_evenement.py``: every class is here or in IGNORES).
Gestionnaire = Callable[[Page, str, Any], None]
GESTIONNAIRES: dict[type[Any], tuple[str, tuple[str, ...], Gestionnaire | None]] = {}

# Run events: the message list (``rapports``) and the audit log read them, this view does not.
IGNORES = ev.EVENEMENTS_DU_RUN


def gere(evenement: type[Any], parent: str, *tables: str) -> Callable[[Gestionnaire], Gestionnaire]:
    def enregistrer(fonction: Gestionnaire) -> Gestionnaire:
        GESTIONNAIRES[evenement] = (parent, tables, fonction)
        return fonction
    return enregistrer


def touche(evenement: type[Any], parent: str) -> None:
    """An event that changes nothing this view shows but the aggregate's version."""
    GESTIONNAIRES[evenement] = (parent, (), None)


def _texte(v: Any) -> Any:
    return v.isoformat() if v is not None else None


def _identite_eleve(i: IdentiteEleve) -> dict[str, Any]:
    return {"nom_de_famille": i.nom_de_famille, "nom_usage": i.nom_usage, "prenom": i.prenoms[0] if i.prenoms else None,
            "nom_affiche": i.nom_affiche}


def _identite_enseignant(i: IdentiteEnseignant) -> dict[str, Any]:
    return {"nom_usage": i.nom_usage, "prenom": i.prenom, "nom_affiche": i.nom_affiche, "fonction": i.fonction}


# --- établissement ---------------------------------------------------------------------------------------------

@gere(ev.EtablissementImporte, "etablissements")
def _etablissement_importe(p: Page, agregat: str, e: ev.EtablissementImporte) -> None:
    p.remplacer("etablissements", agregat, [{"agregat": agregat, "uai": e.uai.upper(),
                                             "annee_scolaire": e.annee_scolaire, "nom": e.infos.nom,
                                             "commune": e.infos.adresse.commune}])


@gere(ev.EtablissementMisAJour, "etablissements")
def _etablissement_mis_a_jour(p: Page, agregat: str, e: ev.EtablissementMisAJour) -> None:
    ligne = p.ligne("etablissements", agregat)
    if ligne is not None:
        for c in e.changements:
            if c.champ == "nom":
                ligne["nom"] = c.nouveau
            elif c.champ == "adresse":
                ligne["commune"] = c.nouveau.commune if c.nouveau is not None else None


touche(ev.GroupeDefini, "etablissements")
touche(ev.DivisionRattachee, "etablissements")
touche(ev.DivisionRecodee, "etablissements")
touche(ev.EnseignantRattache, "etablissements")
touche(ev.SynchronisationAutomatiqueParametree, "etablissements")  # the worker's settings: not LSUN data


# --- divisions -------------------------------------------------------------------------------------------------

@gere(ev.DivisionCreee, "divisions", "divisions_pp")
def _division_creee(p: Page, agregat: str, e: ev.DivisionCreee) -> None:
    p.remplacer("divisions", agregat, [{"agregat": agregat, "uai": e.uai.upper(), "code": e.code,
                                        "libelle": e.libelle}])
    p.remplacer("divisions_pp", agregat, [{"agregat": agregat, "enseignant": r.cle} for r in e.profs_principaux])


@gere(ev.PeriodesParametrees, "divisions", "periodes")
def _periodes_parametrees(p: Page, agregat: str, e: ev.PeriodesParametrees) -> None:
    ouvertes = {x["code"] for x in p.lire("periodes", agregat) if x["ouverte"]}
    p.remplacer("periodes", agregat, [{"agregat": agregat, "code": x.code, "debut": _texte(x.debut),
                                       "fin": _texte(x.fin), "ouverte": int(x.code in ouvertes)} for x in e.periodes])


@gere(ev.PeriodeOuverte, "divisions", "periodes")
def _periode_ouverte(p: Page, agregat: str, e: ev.PeriodeOuverte) -> None:
    for x in p.lignes("periodes", agregat):
        if x["code"] == e.periode:
            x["ouverte"] = 1


@gere(ev.DivisionMiseAJour, "divisions")
def _division_mise_a_jour(p: Page, agregat: str, e: ev.DivisionMiseAJour) -> None:
    ligne = p.ligne("divisions", agregat)
    if ligne is not None:
        ligne.update(code=e.code, libelle=e.libelle)


@gere(ev.ProfsPrincipauxDivisionChanges, "divisions")
def _pp_division(p: Page, agregat: str, e: ev.ProfsPrincipauxDivisionChanges) -> None:
    p.remplacer("divisions_pp", agregat, [{"agregat": agregat, "enseignant": r.cle} for r in e.nouveaux])


touche(ev.EleveInscritDansDivision, "divisions")


# --- élèves ----------------------------------------------------------------------------------------------------

@gere(ev.EleveInscrit, "eleves")
def _eleve_inscrit(p: Page, agregat: str, e: ev.EleveInscrit) -> None:
    p.remplacer("eleves", agregat, [{"agregat": agregat, "uai": e.uai.upper(), "eleve_id": e.eleve_id,
                                     "division_id": e.division_id, **_identite_eleve(e.identite)}])


NOMS_ELEVE = ("nom_de_famille", "nom_usage", "prenoms")


@gere(ev.EleveMisAJour, "eleves")
def _eleve_mis_a_jour(p: Page, agregat: str, e: ev.EleveMisAJour) -> None:
    ligne = p.ligne("eleves", agregat)
    changes = {c.champ: c.nouveau for c in e.changements if c.champ in NOMS_ELEVE}
    if ligne is None or not changes:
        return
    prenoms = changes.get("prenoms", (ligne["prenom"],))
    identite = IdentiteEleve(changes.get("nom_de_famille", ligne["nom_de_famille"]), tuple(prenoms),
                             nom_usage=changes.get("nom_usage", ligne["nom_usage"]))
    ligne.update(_identite_eleve(identite))


# --- enseignants -----------------------------------------------------------------------------------------------

@gere(ev.EnseignantCree, "enseignants")
def _enseignant_cree(p: Page, agregat: str, e: ev.EnseignantCree) -> None:
    p.remplacer("enseignants", agregat, [{"agregat": agregat, "uai": e.uai.upper(), "cle": e.ref.cle,
                                          **_identite_enseignant(e.identite)}])


@gere(ev.EnseignantMisAJour, "enseignants")
def _enseignant_mis_a_jour(p: Page, agregat: str, e: ev.EnseignantMisAJour) -> None:
    ligne = p.ligne("enseignants", agregat)
    changes = {c.champ: c.nouveau for c in e.changements if c.champ in ("nom_usage", "prenom", "fonction")}
    if ligne is None or not changes:
        return
    identite = IdentiteEnseignant(changes.get("nom_usage", ligne["nom_usage"]), changes.get("prenom", ligne["prenom"]),
                                  fonction=changes.get("fonction", ligne["fonction"]))
    ligne.update(_identite_enseignant(identite))


# --- bilans ----------------------------------------------------------------------------------------------------

@gere(ev.BilanOuvert, "bilans", "bilans_pp")
def _bilan_ouvert(p: Page, agregat: str, e: ev.BilanOuvert) -> None:
    p.remplacer("bilans", agregat, [{
        "agregat": agregat, "uai": e.uai.upper(), "eleve_id": e.eleve_id, "division_id": e.division_id,
        "division": e.division, "periode": e.periode.code, "etat": str(EtatBilan.EN_COURS), "archives": 0}])
    p.remplacer("bilans_pp", agregat, [{"agregat": agregat, "enseignant": r.cle} for r in e.profs_principaux])


# A bilan's acquis are read from the event store (the bilan's page), not from this view: only its version changes.
for _classe in (ev.AcquisSaisi, ev.AcquisAjoute, ev.EnseignantsAjoutesAcquis, ev.EnseignantsRetiresAcquis,
                ev.AcquisRetire):
    touche(_classe, "bilans")


@gere(ev.ProfPrincipalAjoute, "bilans")
def _pp_ajoute(p: Page, agregat: str, e: ev.ProfPrincipalAjoute) -> None:
    p.ajouter("bilans_pp", agregat, [{"agregat": agregat, "enseignant": e.enseignant.ref.cle}])


@gere(ev.ProfPrincipalRetire, "bilans", "bilans_pp")
def _pp_retire(p: Page, agregat: str, e: ev.ProfPrincipalRetire) -> None:
    p.remplacer("bilans_pp", agregat, [x for x in p.lire("bilans_pp", agregat)
                                       if x["enseignant"] != e.enseignant.ref.cle])


def _etat(etat: str) -> Gestionnaire:
    def changer(p: Page, agregat: str, e: Any) -> None:
        ligne = p.ligne("bilans", agregat)
        if ligne is not None:
            ligne["etat"] = etat
    return changer


gere(ev.BilanVerrouille, "bilans")(_etat(str(EtatBilan.VERROUILLE)))
gere(ev.BilanDeverrouille, "bilans")(_etat(str(EtatBilan.EN_COURS)))


@gere(ev.BilanArchive, "bilans")
def _bilan_archive(p: Page, agregat: str, e: ev.BilanArchive) -> None:
    ligne = p.ligne("bilans", agregat)
    if ligne is not None:
        ligne["archives"] += 1


class VueCourante(Modele):
    nom = NOM
    cout = 3
    version = VERSION
    anciennes_tables = ANCIENNES_TABLES

    topics = tuple(classe.TOPIC for classe in GESTIONNAIRES)

    def tables(self, d: Dialecte) -> list[str]:
        return [d.table(t.nom) for t in TABLES.values()]

    def creations(self, d: Dialecte) -> list[str]:
        return [s for t in TABLES.values() for s in t.creations(d)]

    def traiter(self, c: Curseur, page: list[tuple[int, Any]]) -> None:
        lot = Page(c, TABLES)
        gestionnaires = GESTIONNAIRES
        evenements = [(position, e, g, str(e.originator_id)) for position, e in page
                      if (g := gestionnaires.get(type(e))) is not None]
        besoins: dict[str, set[str]] = {}
        crees: set[str] = set()
        for _, e, (parent, tables, _), agregat in evenements:
            if e.originator_version == 1:
                crees.add(agregat)
                lot.creer(agregat, parent, *ENFANTS[parent])
            elif agregat not in crees:
                for t in (parent, *tables):
                    besoins.setdefault(t, set()).add(agregat)
        lot.charger(besoins)
        for position, e, (parent, _, fonction), agregat in evenements:
            lot.position = position
            if fonction is not None:
                fonction(lot, agregat, e)
            ligne = lot.ligne(parent, agregat)
            if ligne is not None:
                ligne["version"] = e.originator_version
                ligne["modifie_le"] = e.timestamp.isoformat()
        lot.ecrire()
