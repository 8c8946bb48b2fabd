"""One test per rule R1–R12 on a hand-built source (SQLite file and PostgreSQL): exact French texts,
the events appended and those not appended, the state of locked and unlocked bilans afterwards."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from lsun_events.aggregates.valeurs import Periode, RefEnseignant
from lsun_events.application.app import LsunApp
from lsun_events.application.erreurs import DivisionInconnueError
from lsun_events.application.synchronisation import DemandeSynchronisation, UaiDifferentError
from lsun_events.sources import records as r
from tests import fabriques as f

CHEF = "Mme Principale"
T1 = Periode("T1", date(2025, 9, 1), date(2025, 11, 30))
T2 = Periode("T2", date(2025, 12, 1), date(2026, 3, 1))


@pytest.fixture
def ecole(app: LsunApp) -> LsunApp:
    """4A and 4B with T1 (locked in 4A) and T2 (being typed in) open; 3B without period."""
    app.importer(f.snapshot(), CHEF, f.JOUR)
    for division in ("4A", "4B"):
        app.parametrer_periodes(f.UAI, division, [T1, T2], CHEF)
        app.ouvrir_bilans(f.UAI, division, "T1", CHEF)
        app.ouvrir_bilans(f.UAI, division, "T2", CHEF)
    app.saisir_acquis(f.UAI, "1001", "T1", "061300", "M. Richard", positionnement=3)
    app.verrouiller(f.UAI, "4A", "T1", CHEF)
    return app


def sync(app: LsunApp, source: r.SourceSnapshot, *divisions: str, simulation: bool = False) -> Any:
    demande = DemandeSynchronisation(uai=f.UAI, acteur=CHEF, jour=f.JOUR, divisions=divisions or None,
                                     simulation=simulation)
    return app.synchroniser(demande, source)


def textes(resultat: Any) -> list[str]:
    return [m.texte for m in resultat.messages]


def evenements_depuis(app: LsunApp, position: int | None) -> list[Any]:
    notes = app.recorder.select_notifications(start=position, limit=100_000, inclusive_of_start=False)
    return [app.mapper.to_domain_event(n) for n in notes]


def noms(evenements: list[Any]) -> list[str]:
    return [type(e).__name__ for e in evenements]


def remplacer_eleve(source: r.SourceSnapshot, eleve_id: str, **champs: Any) -> r.SourceSnapshot:
    eleves = tuple(e.model_copy(update=champs) if e.eleve_id == eleve_id else e for e in source.eleves)
    return source.model_copy(update={"eleves": eleves})


def sans_eleve(source: r.SourceSnapshot, eleve_id: str) -> r.SourceSnapshot:
    return source.model_copy(update={"eleves": tuple(e for e in source.eleves if e.eleve_id != eleve_id)})


ENTITES = {"SynchronisationDemarree", "AvertissementEmis", "SynchronisationTerminee"}


def test_meme_source_rien_ne_change(ecole: LsunApp) -> None:
    avant = ecole.recorder.max_notification_id()
    resultat = sync(ecole, f.snapshot(), "4A", "4B")
    assert resultat.statut == "terminee"
    assert textes(resultat) == []
    assert set(noms(evenements_depuis(ecole, avant))) == {"SynchronisationDemarree", "SynchronisationTerminee"}


def test_r1_etablissement_mis_a_jour_sauf_l_uai(ecole: LsunApp) -> None:
    source = f.snapshot()
    nouvelle = source.etablissement.model_copy(update={"nom": "COLLEGE JEAN EXEMPLE", "chef_nom": "Paul NOUVEAU"})
    sync(ecole, source.model_copy(update={"etablissement": nouvelle}), "4A")
    etab = ecole.etablissement(f.UAI)
    assert (etab.infos.nom, etab.infos.chef_nom, etab.uai) == ("COLLEGE JEAN EXEMPLE", "Paul NOUVEAU", f.UAI)

    avant = ecole.recorder.max_notification_id()
    autre = source.model_copy(update={"uai": "0999002Y"})
    with pytest.raises(UaiDifferentError, match="La source concerne l'établissement 0999002Y, pas 0999001X"):
        sync(ecole, autre, "4A")
    assert ecole.recorder.max_notification_id() == avant


def test_r2_division_renommee_ou_disparue(ecole: LsunApp) -> None:
    source = f.snapshot()
    renomme = source.model_copy(update={
        "divisions": (r.DivisionSource(code="4 A", libelle="4EME A"), *source.divisions[1:]),
        "eleves": tuple(e.model_copy(update={"division": "4 A", "divisions": ("4 A",)}) if e.division == "4A" else e
                        for e in source.eleves),
        "services": tuple(s.model_copy(update={"structure_code": "4 A"}) if s.structure_code == "4A" else s
                          for s in source.services),
        "profs_principaux": tuple(p.model_copy(update={"division": "4 A"}) if p.division == "4A" else p
                                  for p in source.profs_principaux),
    })
    resultat = sync(ecole, renomme, "4A")
    # The teachers' services now name the structure "4 A": they are updated too (R8).
    assert textes(resultat) == ["La division 4A a été renommée 4 A.",
                                "L'enseignant PAUL RICHARD (4 A) a été mis à jour.",
                                "L'enseignant SOPHIE BERNARD (4 A) a été mis à jour."]
    assert {m.division for m in resultat.messages} == {"4 A"}
    etab = ecole.etablissement(f.UAI)
    assert "4 A" in etab.divisions
    assert "4A" not in etab.divisions
    assert ecole.division(etab, "4 A").code == "4 A"
    assert ecole.bilan(f.UAI, "1002", "T2").division == "4A"  # the bilan keeps the division it was opened for

    disparue = f.snapshot(divisions=f.snapshot().divisions[:2])
    resultat = sync(ecole, sans_eleve(disparue, "1006"), "3B")
    assert "La division 3B n'existe plus dans les données SIECLE." in textes(resultat)


def test_r4_eleve_absent_de_la_bee_rien_ne_lui_arrive(ecole: LsunApp) -> None:
    avant = ecole.recorder.max_notification_id()
    resultat = sync(ecole, sans_eleve(f.snapshot(), "1003"), "4A")
    assert textes(resultat) == ["L'élève Zoé LE GALL n'est plus scolarisé dans la division 4A."]
    assert [m.niveau for m in resultat.messages] == ["avertissement"]
    assert set(noms(evenements_depuis(ecole, avant))) == ENTITES


@pytest.mark.parametrize("changement", [
    {"date_sortie": date(2025, 10, 1)},
    {"division": "Inactifs", "divisions": ("Inactifs",)},
])
def test_r4_eleve_parti_ou_inactif(ecole: LsunApp, changement: dict[str, Any]) -> None:
    resultat = sync(ecole, remplacer_eleve(f.snapshot(), "1003", **changement), "4A")
    assert textes(resultat) == ["L'élève Zoé LE GALL n'est plus scolarisé dans la division 4A."]


def test_r5_eleve_change_de_division_garde_ses_bilans_et_est_mis_a_jour(ecole: LsunApp) -> None:
    source = remplacer_eleve(f.snapshot(), "1002", division="4B", divisions=("4B",), mel="leon@example.invalid")
    resultat = sync(ecole, source, "4A")
    assert textes(resultat) == [
        "L'élève Léon N'DIAYE n'est plus scolarisé dans la division 4A.",
        "Les informations LSUN de l'élève Léon N'DIAYE ont été archivées (1 bilan(s) verrouillé(s)).",
        "L'élève Léon N'DIAYE (4A) a été mis à jour."]
    eleve = ecole.eleve(f.UAI, "1002")
    assert eleve.identite.mel == "leon@example.invalid"
    assert eleve.scolarite.division == "4A"
    assert ecole.bilan(f.UAI, "1002", "T2").division == "4A"


def test_r6_r7_archive_les_bilans_verrouilles_avant_la_mise_a_jour(ecole: LsunApp) -> None:
    source = remplacer_eleve(f.snapshot(), "1001", prenoms=("Marie-claire", "Yvete"))
    avant = ecole.recorder.max_notification_id()
    resultat = sync(ecole, source, "4A")

    assert textes(resultat) == [
        "Les informations LSUN de l'élève Marie-claire DUPONT ont été archivées (1 bilan(s) verrouillé(s)).",
        "L'élève Marie-claire DUPONT (4A) a été mis à jour.",
    ]
    evenements = evenements_depuis(ecole, avant)
    assert noms(evenements).count("BilanArchive") == 1
    [archive] = [e for e in evenements if type(e).__name__ == "BilanArchive"]
    assert archive.archive.identite_eleve.prenoms == ("Marie claire",)  # the name printed on the bilan stays
    assert archive.archive.acquis[[a.matiere_code for a in archive.archive.acquis].index("061300")].positionnement == 3
    [maj] = [e for e in evenements if type(e).__name__ == "EleveMisAJour"]
    assert [(c.champ, c.ancien, c.nouveau) for c in maj.changements] == [
        ("prenoms", ("Marie claire",), ("Marie-claire", "Yvete"))]
    # In the log too, the archive comes before the change it keeps the former values of.
    assert evenements.index(archive) < evenements.index(maj)
    assert all(e.synchronisation == str(resultat.synchronisation) and e.acteur == CHEF for e in evenements)

    t1 = ecole.bilan(f.UAI, "1001", "T1")
    assert t1.verrouille
    assert len(t1.archives) == 1
    assert ecole.bilan(f.UAI, "1001", "T2").archives == []  # not locked: not archived
    # Scolarité never changes.
    assert ecole.eleve(f.UAI, "1001").scolarite.division == "4A"

    # Rerun: no entity event, no message.
    avant = ecole.recorder.max_notification_id()
    assert textes(sync(ecole, source, "4A")) == []
    assert set(noms(evenements_depuis(ecole, avant))) == {"SynchronisationDemarree", "SynchronisationTerminee"}


def test_r8_enseignant_absent_ou_modifie(ecole: LsunApp) -> None:
    source = f.snapshot()
    sans_richard = source.model_copy(update={
        "enseignants": tuple(e for e in source.enseignants if e.id_sts != "101"),
        "services": tuple(s for s in source.services if f.ref("101") not in s.enseignants),
        "profs_principaux": tuple(p for p in source.profs_principaux if p.enseignant != f.ref("101"))})
    resultat = sync(ecole, sans_richard, "4A", "4B")
    for division in ("4A", "4B"):
        attendu = f"L'enseignant PAUL RICHARD n'a pas été retrouvé pour la division {division} dans les données SIECLE."
        assert attendu in textes(resultat)


def test_r8_enseignant_de_deux_divisions_mis_a_jour_une_fois_message_par_division(ecole: LsunApp) -> None:
    source = f.snapshot()
    renomme = source.model_copy(update={"enseignants": tuple(
        e.model_copy(update={"nom_usage": "RICHARD-DURAND"}) if e.id_sts == "101" else e for e in source.enseignants)})
    avant = ecole.recorder.max_notification_id()
    resultat = sync(ecole, renomme, "4A", "4B")
    assert textes(resultat) == ["L'enseignant PAUL RICHARD-DURAND (4A) a été mis à jour.",
                                "L'enseignant PAUL RICHARD-DURAND (4B) a été mis à jour."]
    assert noms(evenements_depuis(ecole, avant)).count("EnseignantMisAJour") == 1
    assert ecole.repository.get(ecole.etablissement(f.UAI).id)  # établissement intact


def test_r8_division_sans_periode(ecole: LsunApp) -> None:
    resultat = sync(ecole, f.snapshot(), "3B")
    assert textes(resultat) == ["Aucune période n'est paramétrée pour la division 3B."]


def test_r9_nouvel_enseignant_ajoute_aux_acquis_non_verrouilles(ecole: LsunApp) -> None:
    source = f.snapshot()
    nouveau = f.enseignant("105", "FAURE", "ALICE")
    services = tuple(s.model_copy(update={"enseignants": (*s.enseignants, f.ref("105"))})
                     if (s.structure_code, s.matiere_code) == ("4A", "061300") else s for s in source.services)
    avant = ecole.recorder.max_notification_id()
    resultat = sync(ecole, source.model_copy(update={"enseignants": (*source.enseignants, nouveau),
                                                     "services": services}), "4A")
    assert textes(resultat) == ["Les enseignants ALICE FAURE ont été ajoutés à l'acquis MATHEMATIQUES."]
    evenements = evenements_depuis(ecole, avant)
    assert noms(evenements).count("EnseignantCree") == 1  # created in LSUN first
    assert noms(evenements).count("EnseignantsAjoutesAcquis") == 3  # the three T2 bilans, not the locked T1
    for eleve in ("1001", "1002", "1003"):
        assert RefEnseignant("epp", "105") in ecole.bilan(f.UAI, eleve, "T2").acquis["061300"].enseignants
        assert RefEnseignant("epp", "105") not in ecole.bilan(f.UAI, eleve, "T1").acquis["061300"].enseignants
    # Never removed: the new teacher leaves STS, stays on the acquis.
    sync(ecole, source, "4A")
    assert RefEnseignant("epp", "105") in ecole.bilan(f.UAI, "1001", "T2").acquis["061300"].enseignants


def test_r9_eleve_sans_service(ecole: LsunApp) -> None:
    source = remplacer_eleve(f.snapshot(), "1004", groupes=())
    sans_service = source.model_copy(update={"services": tuple(s for s in source.services if s.structure_code != "4B")})
    resultat = sync(ecole, sans_service, "4B")
    assert ("Aucun service d'enseignement n'a été trouvé pour l'élève Chloé MARTIN dans la base de données SIECLE."
            in textes(resultat))


def test_r10_nouveau_pp_ajoute_ancien_retire_bilans_verrouilles_intacts(ecole: LsunApp) -> None:
    source = f.snapshot()
    nouveaux_pp = (r.ProfPrincipalSource(division="4A", enseignant=f.ref("103"), date_debut=date(2025, 9, 1),
                                         date_fin=date(2026, 7, 4)), source.profs_principaux[1])
    resultat = sync(ecole, source.model_copy(update={"profs_principaux": nouveaux_pp}), "4A")
    assert textes(resultat) == [
        "Le professeur principal LUC PETIT a été ajouté au bilan de l'élève Léon N'DIAYE.",
        "Le professeur principal SOPHIE BERNARD a été retiré du bilan de l'élève Léon N'DIAYE.",
        "Le professeur principal LUC PETIT a été ajouté au bilan de l'élève Marie claire DUPONT.",
        "Le professeur principal SOPHIE BERNARD a été retiré du bilan de l'élève Marie claire DUPONT.",
        "Le professeur principal LUC PETIT a été ajouté au bilan de l'élève Zoé LE GALL.",
        "Le professeur principal SOPHIE BERNARD a été retiré du bilan de l'élève Zoé LE GALL.",
    ]
    assert ecole.bilan(f.UAI, "1001", "T2").profs_principaux == (RefEnseignant("epp", "103"),)
    assert ecole.bilan(f.UAI, "1001", "T1").profs_principaux == (RefEnseignant("epp", "102"),)


def test_r10_pp_dont_la_validite_est_passee_n_est_pas_ajoute(ecole: LsunApp) -> None:
    source = f.snapshot()
    passe = r.ProfPrincipalSource(division="4A", enseignant=f.ref("103"), date_debut=date(2024, 9, 1),
                                  date_fin=date(2025, 7, 4))
    resultat = sync(ecole, source.model_copy(update={"profs_principaux": (*source.profs_principaux, passe)}), "4A")
    assert textes(resultat) == []


def test_r11_bilan_verrouille_entre_simulation_et_synchronisation(ecole: LsunApp) -> None:
    source = f.snapshot()
    nouveaux_pp = (r.ProfPrincipalSource(division="4A", enseignant=f.ref("103")), source.profs_principaux[1])
    source = source.model_copy(update={"profs_principaux": nouveaux_pp})
    simulation = sync(ecole, source, "4A", simulation=True)
    assert len(simulation.messages) == 6
    ecole.verrouiller(f.UAI, "4A", "T2", CHEF, eleve_id="1002")
    reel = sync(ecole, source, "4A")
    assert len(reel.messages) == 4
    assert "Léon N'DIAYE" not in " ".join(textes(reel))
    assert ecole.bilan(f.UAI, "1002", "T2").profs_principaux == (RefEnseignant("epp", "102"),)


def test_r12_rien_hors_des_divisions_selectionnees(ecole: LsunApp) -> None:
    source = remplacer_eleve(f.snapshot(), "1004", prenoms=("Chloé", "Anaïs"))
    source = remplacer_eleve(source, "1001", prenoms=("Marie-claire",))
    resultat = sync(ecole, source, "4A")
    assert {m.division for m in resultat.messages} == {"4A"}
    assert ecole.eleve(f.UAI, "1004").identite.prenoms == ("Chloé",)


def test_simulation_meme_messages_rien_d_enregistre(ecole: LsunApp) -> None:
    source = remplacer_eleve(sans_eleve(f.snapshot(), "1003"), "1001", prenoms=("Marie-claire", "Yvete"))
    avant = ecole.recorder.max_notification_id()
    simulation = sync(ecole, source, "4A", "3B", simulation=True)
    assert simulation.statut == "simulation"
    assert ecole.recorder.max_notification_id() == avant
    reel = sync(ecole, source, "4A", "3B")
    assert [m.en_dict() for m in simulation.messages] == [m.en_dict() for m in reel.messages]
    assert [m.division for m in reel.messages] == ["4A", "4A", "4A", "3B"]


def test_division_inconnue_refusee(ecole: LsunApp) -> None:
    avant = ecole.recorder.max_notification_id()
    with pytest.raises(DivisionInconnueError):
        sync(ecole, f.snapshot(), "5Z")
    assert ecole.recorder.max_notification_id() == avant


def test_une_synchronisation_ne_laisse_rien_en_memoire(ecole: LsunApp) -> None:
    """A worker runs thousands of synchronisations in one process: once a run is over, its rules and the
    aggregates it loaded are freed (a method cache once kept every run's rules, ~100 MB per large school)."""
    import gc  # noqa: PLC0415

    from lsun_events.aggregates.bilan import Bilan  # noqa: PLC0415
    from lsun_events.regles.synchronisation import Regles  # noqa: PLC0415

    def vivants() -> tuple[int, int]:
        gc.collect()
        objets = gc.get_objects()
        return sum(isinstance(o, Regles) for o in objets), sum(isinstance(o, Bilan) for o in objets)

    source = remplacer_eleve(f.snapshot(), "1001", nom_de_famille="NOUVEAU-NOM")
    for _ in range(3):
        assert sync(ecole, source, "4A", "4B").statut == "terminee"
        source = remplacer_eleve(source, "1001", nom_de_famille="AUTRE-NOM")
    assert vivants() == (0, 0)
