"""The current LSUN view as SQL tables: établissements and their groups, divisions (periods, PP), élèves
(administrative data flattened, guardians), enseignants (services), bilans (PP, acquis and their teachers).

Every row is keyed by its aggregate's id (``agregat``) and keeps the aggregate's natural key (UAI, code,
ELEVE_ID, ``type:id`` of a teacher); parent rows carry the aggregate's version and last change."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import replace
from datetime import date
from typing import Any

from lsun_events.aggregates import evenements as ev
from lsun_events.aggregates.valeurs import (
    Acquis,
    Adresse,
    EtatBilan,
    IdentiteEleve,
    IdentiteEnseignant,
    InfosEtablissement,
    Responsable,
)
from lsun_events.projections.base import Curseur, Dialecte, Modele
from lsun_events.projections.lignes import Page, Table

NOM = "courante"

TABLES = {t.nom.removeprefix(f"{NOM}_"): t for t in (
    Table(f"{NOM}_etablissements", ("uai", "annee_scolaire", "nom", "sigle", "adresse_lignes", "code_postal",
                                    "commune", "pays", "telephone", "mel", "chef_nom", "chef_qualite", "academie",
                                    "version#", "modifie_le"), parent=True, index=(("uai",),)),
    Table(f"{NOM}_groupes", ("code", "divisions")),
    Table(f"{NOM}_divisions", ("uai", "code", "libelle", "version#", "modifie_le"), parent=True,
          index=(("uai", "code"),)),
    Table(f"{NOM}_periodes", ("code", "debut", "fin", "ouverte#")),
    Table(f"{NOM}_divisions_pp", ("enseignant",)),
    Table(f"{NOM}_eleves", ("uai", "eleve_id", "division_id", "nom_de_famille", "nom_usage", "prenom", "prenom2",
                            "prenom3", "nom_affiche", "sexe", "date_naissance", "commune_naissance_insee",
                            "ville_naissance", "pays_naissance", "ine", "mel", "tel_personnel", "tel_portable",
                            "tel_professionnel", "division_source", "groupes", "code_mef", "options", "date_entree",
                            "date_sortie", "version#", "modifie_le"), parent=True,
          index=(("uai", "eleve_id"), ("division_id",))),
    Table(f"{NOM}_responsables", ("personne_id", "civilite", "nom", "prenom", "lien", "legal#", "adresse_lignes",
                                  "code_postal", "commune", "pays", "tel_personnel", "tel_portable",
                                  "tel_professionnel", "mel")),
    Table(f"{NOM}_enseignants", ("uai", "type", "id_sts", "cle", "civilite", "nom_usage", "prenom", "nom_affiche",
                                 "sexe", "nom_patronymique", "date_naissance", "grade", "fonction", "version#",
                                 "modifie_le"), parent=True, index=(("uai", "cle"),)),
    Table(f"{NOM}_services", ("structure_code", "structure_type", "matiere_code", "matiere_libelle", "modalite")),
    Table(f"{NOM}_bilans", ("uai", "eleve_id", "division_id", "division", "periode", "periode_debut", "periode_fin",
                            "etat", "archives#", "version#", "modifie_le"), parent=True,
          index=(("uai", "eleve_id"), ("division_id", "periode"))),
    Table(f"{NOM}_bilans_pp", ("enseignant",)),
    Table(f"{NOM}_acquis", ("matiere_code", "matiere_libelle", "positionnement#", "appreciation",
                            "elements_programme")),
    Table(f"{NOM}_acquis_enseignants", ("matiere_code", "enseignant")),
)}

# Each aggregate's parent table and its child tables.
ENFANTS = {"etablissements": ("groupes",), "divisions": ("periodes", "divisions_pp"),
           "eleves": ("responsables",), "enseignants": ("services",),
           "bilans": ("bilans_pp", "acquis", "acquis_enseignants")}

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


# --- values → columns ----------------------------------------------------------------------------------------

def _texte(v: Any) -> Any:
    if isinstance(v, date):
        return v.isoformat()
    return v


def _json(v: Any) -> str:
    if not v:
        return "[]" if isinstance(v, list | tuple) else json.dumps(v)
    return json.dumps(v, ensure_ascii=False, default=lambda o: o.en_dict() if hasattr(o, "en_dict") else str(o))


def _lignes_adresse(lignes: tuple[str, ...]) -> str | None:
    return "\n".join(lignes) if lignes else None


def _infos(infos: InfosEtablissement) -> dict[str, Any]:
    a = infos.adresse
    return {"nom": infos.nom, "sigle": infos.sigle, "adresse_lignes": _lignes_adresse(a.lignes),
            "code_postal": a.code_postal, "commune": a.commune, "pays": a.pays, "telephone": infos.telephone,
            "mel": infos.mel, "chef_nom": infos.chef_nom, "chef_qualite": infos.chef_qualite,
            "academie": infos.academie}


def _identite_eleve(i: IdentiteEleve) -> dict[str, Any]:
    prenoms = [*i.prenoms, None, None, None]
    return {"nom_de_famille": i.nom_de_famille, "nom_usage": i.nom_usage, "prenom": prenoms[0],
            "prenom2": prenoms[1], "prenom3": prenoms[2], "nom_affiche": i.nom_affiche, "sexe": i.sexe,
            "date_naissance": _texte(i.date_naissance), "commune_naissance_insee": i.commune_naissance_insee,
            "ville_naissance": i.ville_naissance, "pays_naissance": i.pays_naissance, "ine": i.ine, "mel": i.mel,
            "tel_personnel": i.tel_personnel, "tel_portable": i.tel_portable,
            "tel_professionnel": i.tel_professionnel}


def _responsable(r: Responsable) -> dict[str, Any]:
    a = r.adresse
    return {"personne_id": r.personne_id, "civilite": r.civilite, "nom": r.nom, "prenom": r.prenom, "lien": r.lien,
            "legal": int(r.legal), "adresse_lignes": _lignes_adresse(a.lignes) if a else None,
            "code_postal": a.code_postal if a else None, "commune": a.commune if a else None,
            "pays": a.pays if a else None, "tel_personnel": r.tel_personnel, "tel_portable": r.tel_portable,
            "tel_professionnel": r.tel_professionnel, "mel": r.mel}


def _identite_enseignant(i: IdentiteEnseignant) -> dict[str, Any]:
    return {"civilite": i.civilite, "nom_usage": i.nom_usage, "prenom": i.prenom, "nom_affiche": i.nom_affiche,
            "sexe": i.sexe, "nom_patronymique": i.nom_patronymique, "date_naissance": _texte(i.date_naissance),
            "grade": i.grade, "fonction": i.fonction}


def _acquis(a: Acquis) -> dict[str, Any]:
    return {"matiere_code": a.matiere_code, "matiere_libelle": a.matiere_libelle,
            "positionnement": a.positionnement, "appreciation": a.appreciation,
            "elements_programme": _json(list(a.elements_programme))}


def _enseignants_acquis(a: Acquis) -> list[dict[str, Any]]:
    return [{"matiere_code": a.matiere_code, "enseignant": r.cle} for r in a.enseignants]


# --- établissement ---------------------------------------------------------------------------------------------

@gere(ev.EtablissementImporte, "etablissements")
def _etablissement_importe(p: Page, agregat: str, e: ev.EtablissementImporte) -> None:
    p.remplacer("etablissements", agregat, [{"agregat": agregat, "uai": e.uai.upper(),
                                             "annee_scolaire": e.annee_scolaire, **_infos(e.infos)}])


@gere(ev.EtablissementMisAJour, "etablissements")
def _etablissement_mis_a_jour(p: Page, agregat: str, e: ev.EtablissementMisAJour) -> None:
    ligne = p.ligne("etablissements", agregat)
    if ligne is not None:
        lignes = tuple(ligne["adresse_lignes"].split("\n")) if ligne["adresse_lignes"] else ()
        actuelles = InfosEtablissement(
            **{k: ligne[k] for k in ("nom", "sigle", "telephone", "mel", "chef_nom", "chef_qualite", "academie")},
            adresse=Adresse(lignes, ligne["code_postal"], ligne["commune"], ligne["pays"]))
        ligne.update(_infos(replace(actuelles, **{c.champ: c.nouveau for c in e.changements})))


@gere(ev.GroupeDefini, "etablissements", "groupes")
def _groupe_defini(p: Page, agregat: str, e: ev.GroupeDefini) -> None:
    groupes = [g for g in p.lire("groupes", agregat) if g["code"] != e.code]
    groupes.append({"agregat": agregat, "code": e.code, "divisions": _json(list(e.divisions))})
    p.remplacer("groupes", agregat, groupes)


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

@gere(ev.EleveInscrit, "eleves", "responsables")
def _eleve_inscrit(p: Page, agregat: str, e: ev.EleveInscrit) -> None:
    s = e.scolarite
    p.remplacer("eleves", agregat, [{
        "agregat": agregat, "uai": e.uai.upper(), "eleve_id": e.eleve_id, "division_id": e.division_id,
        **_identite_eleve(e.identite), "division_source": s.division, "groupes": _json(list(s.groupes)),
        "code_mef": s.code_mef, "options": _json(list(s.options)), "date_entree": _texte(s.date_entree),
        "date_sortie": _texte(s.date_sortie)}])
    p.remplacer("responsables", agregat, [{"agregat": agregat, **_responsable(r)} for r in e.identite.responsables])


@gere(ev.EleveMisAJour, "eleves", "responsables")
def _eleve_mis_a_jour(p: Page, agregat: str, e: ev.EleveMisAJour) -> None:
    ligne = p.ligne("eleves", agregat)
    if ligne is None:
        return
    prenoms = tuple(x for x in (ligne["prenom"], ligne["prenom2"], ligne["prenom3"]) if x is not None)
    actuelle = IdentiteEleve(**{k: ligne[k] for k in ("nom_de_famille", "nom_usage", "sexe",
                                                      "commune_naissance_insee", "ville_naissance",
                                                      "pays_naissance", "ine", "mel", "tel_personnel",
                                                      "tel_portable", "tel_professionnel")},
                             prenoms=prenoms,
                             date_naissance=date.fromisoformat(ligne["date_naissance"])
                             if ligne["date_naissance"] else None)
    nouvelle = replace(actuelle, **{c.champ: c.nouveau for c in e.changements})
    ligne.update(_identite_eleve(nouvelle))
    if any(c.champ == "responsables" for c in e.changements):
        p.remplacer("responsables", agregat, [{"agregat": agregat, **_responsable(r)} for r in nouvelle.responsables])


# --- enseignants -----------------------------------------------------------------------------------------------

def _services(agregat: str, services: Any) -> list[dict[str, Any]]:
    return [{"agregat": agregat, "structure_code": s.structure_code, "structure_type": s.structure_type,
             "matiere_code": s.matiere_code, "matiere_libelle": s.matiere_libelle, "modalite": s.modalite}
            for s in services]


@gere(ev.EnseignantCree, "enseignants", "services")
def _enseignant_cree(p: Page, agregat: str, e: ev.EnseignantCree) -> None:
    p.remplacer("enseignants", agregat, [{"agregat": agregat, "uai": e.uai.upper(), "type": e.ref.type,
                                          "id_sts": e.ref.id_sts, "cle": e.ref.cle,
                                          **_identite_enseignant(e.identite)}])
    p.remplacer("services", agregat, _services(agregat, e.services))


@gere(ev.EnseignantMisAJour, "enseignants", "services")
def _enseignant_mis_a_jour(p: Page, agregat: str, e: ev.EnseignantMisAJour) -> None:
    ligne = p.ligne("enseignants", agregat)
    if ligne is None:
        return
    champs = {c.champ: c.nouveau for c in e.changements}
    if "services" in champs:
        p.remplacer("services", agregat, _services(agregat, champs.pop("services")))
    if champs:
        actuelle = IdentiteEnseignant(**{k: ligne[k] for k in ("nom_usage", "prenom", "civilite", "sexe",
                                                                "nom_patronymique", "grade", "fonction")},
                                      date_naissance=date.fromisoformat(ligne["date_naissance"])
                                      if ligne["date_naissance"] else None)
        ligne.update(_identite_enseignant(replace(actuelle, **champs)))


# --- bilans ----------------------------------------------------------------------------------------------------

@gere(ev.BilanOuvert, "bilans", "bilans_pp", "acquis", "acquis_enseignants")
def _bilan_ouvert(p: Page, agregat: str, e: ev.BilanOuvert) -> None:
    p.remplacer("bilans", agregat, [{
        "agregat": agregat, "uai": e.uai.upper(), "eleve_id": e.eleve_id, "division_id": e.division_id,
        "division": e.division, "periode": e.periode.code, "periode_debut": _texte(e.periode.debut),
        "periode_fin": _texte(e.periode.fin), "etat": str(EtatBilan.EN_COURS), "archives": 0}])
    p.remplacer("bilans_pp", agregat, [{"agregat": agregat, "enseignant": r.cle} for r in e.profs_principaux])
    p.remplacer("acquis", agregat, [{"agregat": agregat, **_acquis(a)} for a in e.acquis])
    p.remplacer("acquis_enseignants", agregat,
                [{"agregat": agregat, **x} for a in e.acquis for x in _enseignants_acquis(a)])


@gere(ev.AcquisSaisi, "bilans", "acquis")
def _acquis_saisi(p: Page, agregat: str, e: ev.AcquisSaisi) -> None:
    for a in p.lignes("acquis", agregat):
        if a["matiere_code"] == e.matiere_code:
            a.update(positionnement=e.positionnement, appreciation=e.appreciation)


@gere(ev.AcquisAjoute, "bilans")
def _acquis_ajoute(p: Page, agregat: str, e: ev.AcquisAjoute) -> None:
    p.ajouter("acquis", agregat, [{"agregat": agregat, **_acquis(e.acquis)}])
    p.ajouter("acquis_enseignants", agregat, [{"agregat": agregat, **x} for x in _enseignants_acquis(e.acquis)])


@gere(ev.EnseignantsAjoutesAcquis, "bilans")
def _enseignants_ajoutes(p: Page, agregat: str, e: ev.EnseignantsAjoutesAcquis) -> None:
    p.ajouter("acquis_enseignants", agregat, [{"agregat": agregat, "matiere_code": e.matiere_code,
                                               "enseignant": n.ref.cle} for n in e.enseignants])


@gere(ev.EnseignantsRetiresAcquis, "bilans", "acquis_enseignants")
def _enseignants_retires(p: Page, agregat: str, e: ev.EnseignantsRetiresAcquis) -> None:
    retires = {n.ref.cle for n in e.enseignants}
    p.remplacer("acquis_enseignants", agregat, [
        x for x in p.lire("acquis_enseignants", agregat)
        if x["matiere_code"] != e.matiere_code or x["enseignant"] not in retires])


@gere(ev.AcquisRetire, "bilans", "acquis", "acquis_enseignants")
def _acquis_retire(p: Page, agregat: str, e: ev.AcquisRetire) -> None:
    for table in ("acquis", "acquis_enseignants"):
        p.remplacer(table, agregat, [x for x in p.lire(table, agregat) if x["matiere_code"] != e.matiere_code])


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

    topics = tuple(classe.TOPIC for classe in GESTIONNAIRES)

    def tables(self, d: Dialecte) -> list[str]:
        return [d.table(t.nom) for t in TABLES.values()]

    def creations(self, d: Dialecte) -> list[str]:
        return [s for t in TABLES.values() for s in t.creations(d)]

    def traiter(self, c: Curseur, page: list[tuple[int, Any]]) -> None:
        lot = Page(c, TABLES)
        gestionnaires = GESTIONNAIRES
        evenements = [(position, e, g) for position, e in page if (g := gestionnaires.get(type(e))) is not None]
        besoins: dict[str, set[str]] = {}
        crees: set[str] = set()
        for _, e, (parent, tables, _) in evenements:
            agregat = str(e.originator_id)
            if e.originator_version == 1:
                crees.add(agregat)
                lot.creer(agregat, parent, *ENFANTS[parent])
            elif agregat not in crees:
                for t in (parent, *tables):
                    besoins.setdefault(t, set()).add(agregat)
        lot.charger(besoins)
        for position, e, (parent, _, fonction) in evenements:
            agregat = str(e.originator_id)
            lot.position = position
            if fonction is not None:
                fonction(lot, agregat, e)
            ligne = lot.ligne(parent, agregat)
            if ligne is not None:
                ligne["version"] = e.originator_version
                ligne["modifie_le"] = e.timestamp.isoformat()
        lot.ecrire()
