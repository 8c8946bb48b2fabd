"""Events are forever: every event class has an explicit, stable name, and every event type
survives a save and reload through the real transcoder (dates, enums, nested values)."""

from __future__ import annotations

from datetime import UTC, date, datetime

from eventsourcing.domain import CanMutateAggregate

from lsun_events.aggregates.base import LsunAggregate, contexte
from lsun_events.aggregates.bilan import Bilan
from lsun_events.aggregates.division import Division
from lsun_events.aggregates.eleve import Eleve
from lsun_events.aggregates.enseignant import Enseignant
from lsun_events.aggregates.etablissement import Etablissement
from lsun_events.aggregates.synchronisation import Synchronisation
from lsun_events.aggregates.valeurs import (
    Acquis,
    Adresse,
    DescriptionSource,
    EnseignantNomme,
    EtatBilan,
    ExportLu,
    IdentiteEleve,
    IdentiteEnseignant,
    InfosEtablissement,
    Option,
    ParametresAutomatiques,
    Periode,
    RefEnseignant,
    Responsable,
    Scolarite,
    ServiceEnseignement,
)
from lsun_events.application.app import LsunApp, ouvrir_application
from lsun_events.storage.config import Store

AGREGATS = (Etablissement, Division, Eleve, Enseignant, Bilan, Synchronisation)


def classes_d_evenements() -> list[type]:
    classes = []
    for agregat in AGREGATS:
        for nom, valeur in vars(agregat).items():
            if isinstance(valeur, type) and issubclass(valeur, CanMutateAggregate) and nom != "Event":
                classes.append(valeur)
    return classes


def test_chaque_classe_d_evenement_a_un_nom_explicite_et_stable() -> None:
    classes = classes_d_evenements()
    assert len(classes) >= 30
    topics = [getattr(c, "TOPIC", None) for c in classes]
    assert all(t and t.startswith("lsun:") for t in topics), topics
    assert len(set(topics)) == len(topics)
    for c in classes:
        assert issubclass(c, LsunAggregate.Event), c
        # The stored name does not depend on the module path: moving code never renames history.
        assert c.__module__ not in c.TOPIC


PERIODE = Periode("T1", date(2025, 9, 1), date(2025, 11, 30))
PROF = RefEnseignant("epp", "48213")
IDENTITE = IdentiteEleve(
    nom_de_famille="DUPONT", prenoms=("Marie claire",), sexe="F", date_naissance=date(2012, 3, 14), ine="0123456789X",
    responsables=(Responsable("P1", civilite="MME", nom="DUPONT", prenom="Anne",
                              adresse=Adresse(("1 rue de l'Œuvre", "Bât. €"), "99999", "EXEMPLEVILLE")),))


def _tout_declencher() -> list[LsunAggregate]:
    with contexte("Mme Principale", "a3f1c2de-0000-4000-8000-000000000001"):
        etab = Etablissement("0999001X", "2025", InfosEtablissement(nom="COLLEGE", adresse=Adresse(("1 RUE",))))
        etab.mettre_a_jour("0999001X", InfosEtablissement(nom="COLLEGE JEAN EXEMPLE", chef_nom="Jeanne MODELE"))
        division = Division("0999001X", "4A", "4EME A", [PROF])
        etab.rattacher_division("4A", division.id)
        etab.renommer_division("4A", "4 A")
        etab.definir_groupe("4LAT", ("4A", "4B"))
        etab.rattacher_enseignant(PROF.cle)
        etab.parametrer_automatique(ParametresAutomatiques(True, "https://s3e.example.invalid", 15))
        division.inscrire_eleve("1001")
        division.parametrer_periodes([PERIODE])
        division.marquer_periode_ouverte("T1")
        division.mettre_a_jour("4 A", "4EME A")
        division.changer_profs_principaux([RefEnseignant("local", "900")])
        eleve = Eleve("0999001X", "1001", IDENTITE,
                      Scolarite("4A", ("4LAT",), "10110001110", (Option(1, "030201", "O"),), date(2024, 9, 2)),
                      str(division.id))
        eleve.mettre_a_jour(IdentiteEleve(nom_de_famille="DUPONT", prenoms=("Marie-claire", "Yvete")), "4A")
        identite = IdentiteEnseignant("RICHARD", "PAUL", date_naissance=date(1980, 5, 17))
        enseignant = Enseignant("0999001X", PROF, identite,
                                [ServiceEnseignement("4A", "D", "061300", "MATHEMATIQUES", "CG")])
        enseignant.mettre_a_jour(IdentiteEnseignant("RICHARD-DURAND", "PAUL"), [], ["4A"])
        bilan = Bilan("0999001X", "1001", str(division.id), "4A", PERIODE, [PROF],
                      [Acquis("061300", "MATHEMATIQUES", (PROF,))])
        bilan.saisir_acquis("061300", 3, "Très bon trimestre, « bravo » !")
        bilan.ajouter_acquis(Acquis("020700", "FRANCAIS"))
        bilan.ajouter_enseignants("020700", [EnseignantNomme(RefEnseignant("epp", "7"), "SOPHIE BERNARD")])
        bilan.ajouter_prof_principal(EnseignantNomme(RefEnseignant("epp", "7"), "SOPHIE BERNARD"), "Marie DUPONT")
        bilan.retirer_prof_principal(EnseignantNomme(PROF, "PAUL RICHARD"), "Marie DUPONT")
        bilan.ajouter_acquis(Acquis("030201", "ANGLAIS LV1"))
        bilan.ajouter_enseignants("030201", [EnseignantNomme(RefEnseignant("epp", "8"), "ANNE PETIT")])
        bilan.retirer_enseignants("030201", [EnseignantNomme(RefEnseignant("epp", "8"), "ANNE PETIT")])
        bilan.retirer_acquis("030201")
        bilan.verrouiller()
        bilan.archiver(IDENTITE, [EnseignantNomme(PROF, "PAUL RICHARD")])
        bilan.deverrouiller()
    # Each run's events carry its own id as their run, as in a real synchronisation.
    run_id, echec_id, retenue_id, abandonnee_id = (Synchronisation.nouvel_id() for _ in range(4))
    with contexte("Mme Principale", run_id):
        run = Synchronisation(run_id, "0999001X", ["4A"], False,
                              DescriptionSource("fichiers", "ab" * 32, (ExportLu("Eleves.zip!ElevesSansAdresses.xml",
                                                                                 "BEE_ELEVES", "08/09/2025"),)),
                              date(2025, 10, 6), False)
        run.avertir("M1", "4A", {"eleve": "Léon N'DIAYE"})
        run.terminer({"eleves": 3, "evenements": 12})
    annulation_id = Synchronisation.nouvel_id()
    with contexte("Mme Principale", annulation_id):
        annulation = Synchronisation(annulation_id, "0999001X", ["4A"], False,
                                     DescriptionSource("annulation", str(run_id)), date(2025, 10, 7), False)
        annulation.annuler_la_synchronisation(run_id, datetime(2025, 10, 6, 8, 30, tzinfo=UTC), "Mme Principale")
        annulation.terminer({"evenements": 2})
        run.marquer_annulee(annulation_id)
    with contexte("Mme Principale", echec_id):
        echec = Synchronisation(echec_id, "0999001X", ["4A"], True,
                                DescriptionSource("s3e", "cd" * 32), date(2025, 10, 6), True)
        echec.echouer("Le service S3E n'a pas répondu.")
    with contexte("Mme Principale", retenue_id):
        retenue = Synchronisation(retenue_id, "0999001X", ["4A"], True,
                                  DescriptionSource("s3e", "ef" * 32), date(2025, 10, 6), True)
        retenue.retenir("La division 4A a perdu 80 % de ses élèves.")
        retenue.marquer_appliquee(run.id)
    with contexte("Mme Principale", abandonnee_id):
        abandonnee = Synchronisation(abandonnee_id, "0999001X", ["4A"], True,
                                     DescriptionSource("s3e", "ef" * 32), date(2025, 10, 6), True)
        abandonnee.retenir("La division 4B n'existe plus.")
        abandonnee.abandonner()
    return [etab, division, eleve, enseignant, bilan, run, echec, retenue, abandonnee, annulation]


def test_chaque_type_d_evenement_survit_a_l_enregistrement(tmp_path) -> None:
    app: LsunApp = ouvrir_application(Store.depuis_url(f"sqlite:///{tmp_path / 'e.sqlite'}"))
    agregats = _tout_declencher()
    originaux = {a.id: list(a.pending_events) for a in agregats}
    app.save(*agregats)

    types_vus = set()
    for agregat_id, evenements in originaux.items():
        relus = list(app.events.get(agregat_id))
        assert relus == evenements
        types_vus |= {type(e) for e in relus}
    attendus = {c for c in classes_d_evenements() if c.__name__ != "Created"}
    assert attendus == types_vus, attendus ^ types_vus

    # Nested values come back as the same types, enums as their value.
    bilan = app.repository.get(agregats[4].id)
    assert bilan.archives[0].identite_eleve == IDENTITE
    assert bilan.archives[0].identite_eleve.responsables[0].adresse.lignes == ("1 rue de l'Œuvre", "Bât. €")
    assert bilan.archives[0].etat == EtatBilan.VERROUILLE
    assert bilan.etat == EtatBilan.EN_COURS
    assert app.repository.get(agregats[2].id).identite.prenoms == ("Marie-claire", "Yvete")
    assert app.repository.get(agregats[0].id).divisions == {"4 A": str(agregats[1].id)}
    app.close()
