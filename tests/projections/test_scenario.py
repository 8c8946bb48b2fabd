"""The scenario (import, periods, bilans, entries, locks, four synchronisations) on an SQLite file and on
PostgreSQL, then every query of the current view and of the audit log checked against expected values — and
the whole current view against the aggregates themselves."""

from __future__ import annotations

from datetime import date, timedelta
from uuid import UUID

from lsun_events.aggregates.bilan import Bilan
from lsun_events.aggregates.valeurs import Acquis
from lsun_events.projections import requetes_audit as ra
from lsun_events.projections import requetes_vue as rv
from lsun_events.systeme import Systeme
from tests.projections import scenario as sc
from tests.projections.scenario import ANDRE, AUTO, CHEF, DURAND, MATHS, PERIER, PROF, TIMOTHEE, UAI


def cles(personnes: list[dict[str, str]]) -> list[str]:
    return [p["enseignant"] for p in personnes]


def test_vue_courante_apres_le_scenario(histoire: sc.Scenario) -> None:
    with histoire.systeme() as s, s.lire("courante") as c:
        [etab] = c.lignes(f"SELECT * FROM {c.dialecte.table('courante_etablissements')} WHERE uai = ?", (UAI,))
        assert (etab["uai"], etab["annee_scolaire"]) == (UAI, "2025")
        assert s.app.etablissement(UAI).groupes["4LAT"] == ("4A", "4B")  # groups: read from the store, not the view

        divisions = {d["code"]: d for d in rv.divisions(c, UAI)}
        assert list(divisions) == ["3B", "4A", "4B"]
        assert divisions["3B"]["periodes"] == []
        assert [(p["code"], p["debut"], p["ouverte"]) for p in divisions["4A"]["periodes"]] == [
            ("T1", "2025-09-01", True), ("T2", "2025-12-01", True)]
        assert divisions["4A"]["profs_principaux"] == [{"enseignant": PERIER, "nom": "BENOÎT PÉRIER"}]  # run 2
        assert divisions["4A"]["eleves"] == 7

        # 4A T1 was locked before run 2: its PP did not change; Timothée's bilan was archived twice.
        t1 = {b["eleve_id"]: b for b in rv.bilans_de_division(c, UAI, "4A", "T1")}
        assert len(t1) == 7
        assert {b["etat"] for b in t1.values()} == {"verrouillé"}
        assert {tuple(cles(b["profs_principaux"])) for b in t1.values()} == {(ANDRE,)}
        assert {i: b["archives"] for i, b in t1.items() if b["archives"]} == {TIMOTHEE: 2}
        assert t1[TIMOTHEE]["eleve"] == "Timothée-Arthur HUET-ROBIN"
        t2 = rv.bilans_de_division(c, UAI, "4A", "T2")
        assert {b["etat"] for b in t2} == {"en cours de saisie"}
        assert {tuple(cles(b["profs_principaux"])) for b in t2} == {(PERIER,)}
        assert [b["eleve"] for b in t2] == sorted((b["eleve"] for b in t2), key=lambda n: n.split(" ", 1)[1])
        assert rv.bilans_de_division(c, UAI, "4B", "T1")[0]["etat"] == "verrouillé"
        assert rv.bilans_de_division(c, UAI, "5Z", "T1") == []

        [timothee] = c.lignes(f"SELECT * FROM {c.dialecte.table('courante_eleves')} WHERE uai = ? AND eleve_id = ?",
                              (UAI, TIMOTHEE))
        assert (timothee["prenom"], timothee["nom_de_famille"], timothee["nom_affiche"]) == (
            "Timothée-Arthur", "HUET-ROBIN", "Timothée-Arthur HUET-ROBIN")
        assert {e["cle"]: e["nom_affiche"] for e in rv.enseignants(c, UAI)}[DURAND] == "LAËTITIA DURAND-LEROY"

        # A bilan now is read from the event store (the one read path): the new teacher of the maths service is
        # on the unlocked T2 acquis, not on the locked T1 one.
        def maths(periode: str) -> Acquis:
            return s.app.bilan(UAI, TIMOTHEE, periode).acquis[MATHS]
        assert [r.cle for r in maths("T2").enseignants] == [DURAND, histoire.nouvel_enseignant]
        assert [r.cle for r in maths("T1").enseignants] == [DURAND]
        assert (maths("T1").positionnement, maths("T1").appreciation) == (4, "Bon trimestre.")
        assert [e["cle"] for e in rv.enseignants(c, UAI)].count(histoire.nouvel_enseignant) == 1


def test_la_vue_courante_egale_les_agregats(histoire: sc.Scenario) -> None:
    """Every pupil, teacher and bilan of the store, read from the view, equals the aggregate (what the view keeps)."""
    with histoire.systeme() as s:
        app = s.app
        etab = app.etablissement(UAI)
        with s.lire("courante") as c:
            eleves = {x["eleve_id"]: x for x in c.lignes(
                f"SELECT * FROM {c.dialecte.table('courante_eleves')} WHERE uai = ?", (UAI,))}
            for code in etab.divisions:
                division = app.division(etab, code)
                for eleve_id in division.eleves:
                    eleve = app.eleve(UAI, eleve_id)
                    vue = eleves[eleve_id]
                    i = eleve.identite
                    assert (vue["nom_de_famille"], vue["prenom"], vue["nom_usage"], vue["nom_affiche"],
                            vue["division_id"], vue["version"]) == (
                        i.nom_de_famille, i.prenoms[0], i.nom_usage, i.nom_affiche, eleve.division_id, eleve.version)
                for periode in division.periodes_ouvertes:
                    vues = {b["eleve_id"]: b for b in rv.bilans_de_division(c, UAI, code, periode)}
                    for bilan in app.bilans_de_division(UAI, division, periode):
                        _meme_bilan(vues[bilan.eleve_id], bilan)
            vues_enseignants = {x["cle"]: x for x in c.lignes(
                f"SELECT * FROM {c.dialecte.table('courante_enseignants')} WHERE uai = ?", (UAI,))}
            for enseignant in app.enseignants(etab):
                vue = vues_enseignants[enseignant.ref.cle]
                assert (vue["nom_usage"], vue["prenom"], vue["nom_affiche"], vue["fonction"], vue["version"]) == (
                    enseignant.identite.nom_usage, enseignant.identite.prenom, enseignant.identite.nom_affiche,
                    enseignant.identite.fonction, enseignant.version)


def _meme_bilan(vue: dict[str, object] | None, bilan: Bilan) -> None:
    assert vue is not None
    assert (vue["etat"], vue["version"], vue["archives"], vue["division"]) == (
        str(bilan.etat), bilan.version, len(bilan.archives), bilan.division)
    assert cles(vue["profs_principaux"]) == [p.cle for p in bilan.profs_principaux]  # type: ignore[arg-type]


def _resume(page: ra.PageAudit, *evenements: str) -> list[tuple[object, ...]]:
    return [(x.evenement, x.nom, x.champ, x.ancien, x.nouveau, x.acteur, x.synchronisation)
            for x in page.lignes if not evenements or x.evenement in evenements]


def test_qui_a_modifie_cet_eleve(histoire: sc.Scenario) -> None:
    run1, run3 = histoire.run(0), histoire.run(2)
    with histoire.systeme() as s, s.lire("audit") as c:
        page = ra.par_eleve(c, UAI, TIMOTHEE, limite=500)
        assert page.total == len(page.lignes)
        # Newest first: the run, the acteur, the fields, old → new.
        assert _resume(page, "EleveMisAJour") == [
            ("EleveMisAJour", "Timothée-Arthur HUET-ROBIN", "nom_de_famille", "HUET", "HUET-ROBIN", CHEF, run3),
            ("EleveMisAJour", "Timothée-Arthur HUET", "prenoms", ["Timothée", "Arthur"], ["Timothée-Arthur"], CHEF,
             run1)]
        assert [x.position for x in page.lignes] == sorted((x.position for x in page.lignes), reverse=True)
        archives = [x for x in page.lignes if x.evenement == "BilanArchive"]
        assert [(x.nouveau["eleve"], x.nouveau["periode"], x.synchronisation) for x in archives] == [  # type: ignore[index]
            ("Timothée-Arthur HUET", "T1", run3), ("Timothée HUET", "T1", run1)]
        # Each archive's row names the pupil as archived (not as renamed by the same run).
        assert [x.nom for x in archives] == ["Timothée-Arthur HUET, bilan T1", "Timothée HUET, bilan T1"]
        assert _resume(page, "AcquisSaisi") == [
            ("AcquisSaisi", "Timothée HUET, bilan T1", f"acquis {MATHS} : positionnement", 3, 4, PROF, None),
            ("AcquisSaisi", "Timothée HUET, bilan T1", f"acquis {MATHS} : positionnement", None, 3, PROF, None),
            ("AcquisSaisi", "Timothée HUET, bilan T1", f"acquis {MATHS} : appreciation", None, "Bon trimestre.", PROF,
             None)]
        assert [(x.ancien, x.nouveau) for x in page.lignes if x.champ == "etat"][:3] == [
            ("en cours de saisie", "verrouillé"), ("verrouillé", "en cours de saisie"),
            ("en cours de saisie", "verrouillé")]
        # The creation: one row per initial field, old NULL.
        creation = [x for x in page.lignes if x.evenement == "EleveInscrit"]
        assert {x.champ: x.nouveau for x in creation}["prenoms"] == ["Timothée", "Arthur"]
        assert {x.ancien for x in creation} == {None}
        assert {x.acteur for x in creation} == {"Import initial"}

        # Pages of 7, read one after the other, give the same rows.
        lues = []
        for decalage in range(0, page.total, 7):
            lues += ra.par_eleve(c, UAI, TIMOTHEE, limite=7, decalage=decalage).lignes
        assert lues == page.lignes
        # Dates (UTC days, both included).
        aujourd_hui = date.fromisoformat(page.lignes[0].date[:10])
        assert ra.par_eleve(c, UAI, TIMOTHEE, depuis=aujourd_hui, jusqu_au=aujourd_hui, limite=500).total == page.total
        assert ra.par_eleve(c, UAI, TIMOTHEE, jusqu_au=aujourd_hui - timedelta(days=1)).total == 0
        assert ra.par_eleve(c, UAI, TIMOTHEE, depuis=aujourd_hui + timedelta(days=1)).total == 0
        assert ra.par_eleve(c, "0000000A", TIMOTHEE).total == 0


def test_qui_a_modifie_cet_enseignant(histoire: sc.Scenario) -> None:
    run1, run2 = histoire.run(0), histoire.run(1)
    with histoire.systeme() as s, s.lire("audit") as c:
        durand = ra.par_enseignant(c, UAI, DURAND, limite=500)
        assert _resume(durand, "EnseignantMisAJour") == [
            ("EnseignantMisAJour", "LAËTITIA DURAND-LEROY", "nom_usage", "DURAND", "DURAND-LEROY", CHEF, run1)]
        assert {x.evenement for x in durand.lignes} == {"EnseignantCree", "EnseignantRattache", "EnseignantMisAJour"}

        # The new PP: added to the 7 unlocked T2 bilans of 4A, and to the division; the old one removed.
        perier = ra.par_enseignant(c, UAI, PERIER, limite=500)
        ajouts = [x for x in perier.lignes if x.evenement == "ProfPrincipalAjoute"]
        assert len(ajouts) == 7
        assert {(x.acteur, x.synchronisation, x.ancien[-1], x.nouveau[-1]) for x in ajouts} == {  # type: ignore[index]
            (AUTO, run2, ANDRE, PERIER)}
        assert {x.nom.split(", ")[1] for x in ajouts} == {"bilan T2"}
        [division] = [x for x in perier.lignes if x.evenement == "ProfsPrincipauxDivisionChanges"]
        assert (division.nom, division.ancien, division.nouveau) == ("4A", [ANDRE], [PERIER])
        andre = ra.par_enseignant(c, UAI, ANDRE, limite=500)
        assert len([x for x in andre.lignes if x.evenement == "ProfPrincipalRetire"]) == 7

        # The new teacher: created in LSUN, then added to the maths acquis of the 7 T2 bilans of 4A.
        giraud = ra.par_enseignant(c, UAI, histoire.nouvel_enseignant, limite=500)
        ajoute = [x for x in giraud.lignes if x.evenement == "EnseignantsAjoutesAcquis"]
        assert len(ajoute) == 7
        assert {(x.champ, x.synchronisation) for x in ajoute} == {(f"acquis {MATHS} : enseignants", run2)}
        assert {tuple(x.ancien) for x in ajoute} == {(DURAND,)}  # type: ignore[arg-type]
        assert {x.evenement for x in giraud.lignes} >= {"EnseignantCree", "EnseignantRattache"}


def test_ce_qu_un_run_et_un_acteur_ont_modifie(histoire: sc.Scenario) -> None:
    run1, run4 = histoire.run(0), histoire.run(3)
    with histoire.systeme() as s, s.lire("audit") as c:
        page = ra.par_synchronisation(c, run1, limite=500)
        assert {x.evenement for x in page.lignes} == {
            "SynchronisationDemarree", "BilanArchive", "EleveMisAJour", "EnseignantMisAJour",
            "SynchronisationTerminee"}
        assert {x.acteur for x in page.lignes} == {CHEF}
        [statut] = [x for x in page.lignes if x.evenement == "SynchronisationTerminee" and x.champ == "statut"]
        assert (statut.ancien, statut.nouveau) == ("en cours", "terminee")
        assert ra.par_synchronisation(c, run1, uai=UAI, limite=500).total == page.total
        # The run that changed nothing has only its own rows.
        assert {x.evenement for x in ra.par_synchronisation(c, run4).lignes} == {
            "SynchronisationDemarree", "SynchronisationTerminee"}
        assert ra.par_synchronisation(c, str(UUID(int=0))).total == 0

        prof = ra.par_acteur(c, UAI, PROF)
        assert [(x.champ, x.ancien, x.nouveau) for x in prof.lignes] == [
            (f"acquis {MATHS} : positionnement", 3, 4), (f"acquis {MATHS} : positionnement", None, 3),
            (f"acquis {MATHS} : appreciation", None, "Bon trimestre.")]
        auto = ra.par_acteur(c, UAI, AUTO, limite=1000)
        assert {x.synchronisation for x in auto.lignes} == {histoire.run(1)}
        [automatique] = [x for x in auto.lignes if x.champ == "automatique"]
        assert automatique.nouveau is True


def test_les_vues_suivent_chaque_commande(histoire: sc.Scenario) -> None:
    """Embedded mode: a command's catch-up brings every view to the last event."""
    with Systeme(histoire.store) as s:
        dernier = s.app.recorder.max_notification_id()
        assert s.projecteurs["audit"].position(s.app) == dernier
        for projecteur in s.projecteurs.values():
            assert projecteur.rattraper(s.app) == 0
    assert len(histoire.runs) == 4


def test_recherche_combinee(histoire: sc.Scenario) -> None:
    with histoire.systeme() as s, s.lire("audit") as c:
        tout = ra.rechercher(c, UAI, limite=10_000)
        assert tout.total == len(tout.lignes) > 500
        assert ra.rechercher(c, UAI, eleve=TIMOTHEE, limite=500) == ra.par_eleve(c, UAI, TIMOTHEE, limite=500)
        run1 = ra.rechercher(c, UAI, eleve=TIMOTHEE, synchronisation=histoire.run(0), acteur=CHEF)
        assert {x.evenement for x in run1.lignes} == {"EleveMisAJour", "BilanArchive"}
        assert ra.rechercher(c, UAI, eleve=TIMOTHEE, acteur=PROF).total == 3
        assert ra.acteurs(c, UAI) == sorted([AUTO, "Import initial", PROF, CHEF])
