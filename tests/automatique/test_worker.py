"""Automatic background synchronisation against the real local S3E server, on both stores."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from lsun_events.aggregates.valeurs import Periode
from lsun_events.automatique import service
from lsun_events.automatique.garde import Garde
from lsun_events.automatique.planification import Planification
from lsun_events.automatique.worker import Worker
from lsun_events.generateur import variantes as v
from lsun_events.generateur.ecriture import ecrire_exports, ecrire_s3e
from lsun_events.generateur.generation import generer
from lsun_events.generateur.modele import Ecole
from lsun_events.projections import rapports
from lsun_events.sources.snapshot import charger_exports
from lsun_events.storage.config import Store
from lsun_events.systeme import Systeme
from tests.s3e_local import JETON_TEST, demarrer_serveur_s3e

CHEF = "Mme la Principale"
JOUR = date(2025, 11, 17)
MINI = generer("mini")


class Horloge:
    def __init__(self) -> None:
        self.t = datetime.now(UTC)

    def __call__(self) -> datetime:
        return self.t

    def avancer(self, minutes: int = 16) -> None:
        self.t += timedelta(minutes=minutes)


@dataclass
class Banc:
    systeme: Systeme
    planification: Planification
    worker: Worker
    horloge: Horloge
    dossier: Path
    serveur: Any

    def publier(self, ecole: Ecole) -> None:
        ecrire_s3e(ecole, self.dossier)

    def cycle(self) -> list[tuple[str, str]]:
        self.horloge.avancer()
        return self.worker.cycle()

    def position(self) -> int:
        return self.systeme.app.recorder.max_notification_id() or 0

    def runs(self) -> list[dict[str, Any]]:
        with self.systeme.lire("rapports") as c:
            return rapports.runs(c, MINI.uai)


@pytest.fixture
def banc(store: Store, tmp_path: Path) -> Iterator[Banc]:
    systeme = Systeme(store)
    exports = ecrire_exports(MINI, tmp_path / "import")
    systeme.app.importer(charger_exports(exports.siecle_zip, exports.sts), CHEF, JOUR)
    for division in ("4A", "4B"):
        systeme.app.parametrer_periodes(MINI.uai, division, [Periode("T1", date(2025, 9, 1), date(2025, 11, 30)),
                                                             Periode("T2", date(2025, 12, 1), date(2026, 3, 1))], CHEF)
        systeme.app.ouvrir_bilans(MINI.uai, division, "T1", CHEF)
    systeme.app.verrouiller(MINI.uai, "4A", "T1", CHEF, eleve_id="2400102")
    planification = Planification(store)
    dossier = tmp_path / "s3e"
    ecrire_s3e(MINI, dossier)
    with demarrer_serveur_s3e(dossier) as serveur:
        horloge = Horloge()
        worker = Worker(systeme.app, planification, garde=Garde(), jeton=JETON_TEST, jour=JOUR, horloge=horloge,
                        timeout=(2, 5))
        service.parametrer(systeme.app, planification, MINI.uai, CHEF, active=True, adresse_s3e=serveur.url,
                           intervalle_minutes=15)
        yield Banc(systeme, planification, worker, horloge, dossier, serveur)
    planification.fermer()
    systeme.fermer()


def test_une_source_modifiee_est_synchronisee_automatiquement(banc: Banc) -> None:
    assert banc.cycle() == [(MINI.uai, "synchronisee")]  # first look: the source is read once
    banc.publier(v.renommer_eleve(MINI, "2400102", prenoms=["Timothée-Arthur"]))
    assert banc.cycle() == [(MINI.uai, "synchronisee")]

    dernier = banc.runs()[0]
    assert (dernier["acteur"], dernier["automatique"], dernier["statut"]) == ("synchronisation automatique", True,
                                                                             "terminee")
    with banc.systeme.lire("rapports") as c:
        textes = [m.texte for m in rapports.messages_du_run(c, dernier["synchronisation"])]
    assert textes == [
        "Les informations LSUN de l'élève Timothée-Arthur HUET ont été archivées (1 bilan(s) verrouillé(s)).",
        "L'élève Timothée-Arthur HUET (4A) a été mis à jour.",
        "Aucune période n'est paramétrée pour la division 3B."]  # every division: 3B has no period
    etat = service.etat(banc.systeme.app, banc.planification, MINI.uai)
    assert etat["dernier_etat"] == "synchronisee"
    assert etat["derniere_synchronisation"] == dernier["synchronisation"]
    assert etat["active"]


def test_une_source_inchangee_coute_une_requete_conditionnelle_et_n_ajoute_rien(banc: Banc) -> None:
    banc.cycle()
    avant = banc.position()
    banc.serveur.vider_journal()
    assert banc.cycle() == [(MINI.uai, "inchangee")]
    requetes = banc.serveur.requetes()
    assert len(requetes) == 6  # one per resource…
    assert all(r.conditionnelle and r.statut == 304 for r in requetes)  # …each answered 304
    assert banc.position() == avant

    # Not due yet: nothing is even asked.
    banc.serveur.vider_journal()
    assert banc.worker.cycle() == []
    assert banc.serveur.requetes() == []


def test_une_source_tronquee_est_retenue_puis_appliquee_ou_abandonnee(banc: Banc) -> None:
    banc.cycle()
    tronquee = MINI
    for eleve_id in ("2400115", "2400111", "2400134", "2400179", "2400154"):  # 5 of the 7 pupils of 4A
        tronquee = v.retirer_eleve(tronquee, eleve_id)
    banc.publier(tronquee)
    avant = banc.position()
    assert banc.cycle() == [(MINI.uai, "retenue")]

    [retenue] = service.etat(banc.systeme.app, banc.planification, MINI.uai)["retenues"]
    assert retenue["raison"].startswith("Source suspecte, rien n'a été appliqué : la division 4A perdrait 71 % de ses élèves")
    assert "L'élève Noémie HADDAD n'est plus scolarisé dans la division 4A." in [m["texte"] for m in retenue["messages"]]
    nouveaux = banc.systeme.app.recorder.select_notifications(start=avant, limit=100, inclusive_of_start=False)
    assert sorted(n.topic for n in nouveaux) == ["lsun:SynchronisationDemarree", "lsun:SynchronisationRetenue"]
    assert banc.runs()[0]["statut"] == "retenue"
    # The same source is not held again at the next check.
    assert banc.cycle() == [(MINI.uai, "inchangee")]

    resultat = service.appliquer_retenue(banc.systeme.app, banc.planification, retenue["synchronisation"], CHEF, JOUR)
    assert [m.code for m in resultat.messages].count("M1") == 5
    statuts = {r["synchronisation"]: r["statut"] for r in banc.runs()}
    assert statuts[retenue["synchronisation"]] == "appliquee"
    assert statuts[str(resultat.synchronisation)] == "terminee"
    assert service.etat(banc.systeme.app, banc.planification, MINI.uai)["retenues"] == []

    # Another suspicious source, abandoned by the chef: nothing applied.
    banc.publier(v.renommer_division(tronquee, "4B", "4 B"))
    for eleve_id in ("2400153", "2400196", "2400151", "2400171", "2400158"):
        banc.publier(tronquee := v.retirer_eleve(tronquee, eleve_id))
    assert banc.cycle() == [(MINI.uai, "retenue")]
    [retenue] = service.etat(banc.systeme.app, banc.planification, MINI.uai)["retenues"]
    avant = banc.position()
    service.abandonner_retenue(banc.systeme.app, banc.planification, retenue["synchronisation"], CHEF)
    assert banc.position() == avant + 1
    assert {r["synchronisation"]: r["statut"] for r in banc.runs()}[retenue["synchronisation"]] == "abandonnee"


def test_la_garde_est_relachee_a_la_rentree(banc: Banc) -> None:
    banc.cycle()
    tronquee = MINI
    for eleve_id in ("2400115", "2400111", "2400134", "2400179", "2400154"):
        tronquee = v.retirer_eleve(tronquee, eleve_id)
    banc.publier(tronquee)
    banc.worker.jour = date(2025, 9, 5)
    assert banc.cycle() == [(MINI.uai, "synchronisee")]


def test_s3e_injoignable_echec_note_reessai_plus_tard_rien_d_enregistre(banc: Banc) -> None:
    banc.cycle()
    avant = banc.position()
    banc.serveur.shutdown()
    banc.serveur.server_close()
    banc.publier(v.renommer_eleve(MINI, "2400102", prenoms=["Timothée-Arthur"]))
    assert banc.cycle() == [(MINI.uai, "echec")]
    etat = service.etat(banc.systeme.app, banc.planification, MINI.uai)
    assert etat["echecs"] == 1
    assert "impossible de joindre le service S3E" in etat["message"]
    assert banc.position() == avant
    # Back-off: the next check waits one interval, the one after two.
    banc.horloge.avancer(14)
    assert banc.worker.cycle() == []
    banc.horloge.avancer(2)
    assert banc.worker.cycle() == [(MINI.uai, "echec")]
    banc.horloge.avancer(16)
    assert banc.worker.cycle() == []
    assert service.etat(banc.systeme.app, banc.planification, MINI.uai)["echecs"] == 2


def test_desactivee_plus_rien_n_est_verifie(banc: Banc) -> None:
    service.parametrer(banc.systeme.app, banc.planification, MINI.uai, CHEF, active=False)
    assert banc.cycle() == []
    etab = banc.systeme.app.etablissement(MINI.uai)
    assert etab.automatique is not None
    assert not etab.automatique.active
    historique = [type(e).__name__ for e in banc.systeme.app.historique(etab.id)]
    assert historique.count("SynchronisationAutomatiqueParametree") == 2


def test_la_source_retenue_est_chiffree_quand_une_cle_est_configuree(store: Store, tmp_path: Path,
                                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    from eventsourcing.cryptography import AESCipher  # noqa: PLC0415

    monkeypatch.setenv("LSUN_CLE_CHIFFREMENT", AESCipher.create_key(32))
    plan = Planification(store)
    source = '{"eleves": [{"nom_de_famille": "HADDAD", "prenoms": ["Noémie"]}]}'
    messages = [{"niveau": "avertissement", "division": "4A", "code": "M1",
                 "texte": "L'élève Noémie HADDAD n'est plus scolarisé dans la division 4A."}]
    plan.retenir("00000000-0000-4000-8000-000000000001", MINI.uai, "raison", messages, source)
    with plan.transaction() as c:
        [brut] = c.lignes(f"SELECT messages, snapshot FROM {plan.t_ret}")
    assert "HADDAD" not in brut["messages"] + brut["snapshot"]
    assert plan.source_retenue("00000000-0000-4000-8000-000000000001") == (MINI.uai, source)
    assert plan.retenues(MINI.uai)[0]["messages"] == messages
    # The last check's message too (a refused export may name a pupil).
    plan.parametrer(MINI.uai, active=True, adresse_s3e="http://127.0.0.1:1", intervalle_minutes=15)
    erreur = "Fichier « ElevesSansAdresses.xml », élève 2400102 (Noémie HADDAD) : date de naissance invalide."
    plan.noter(MINI.uai, etat="echec", message=erreur, prochaine=datetime.now(UTC), echec=True)
    with plan.transaction() as c:
        [ligne] = c.lignes(f"SELECT message FROM {plan.t_plan}")
    assert "HADDAD" not in ligne["message"]
    assert plan.etat(MINI.uai)["message"] == erreur  # type: ignore[index]
    plan.fermer()


def test_une_synchronisation_automatique_annulee_n_est_pas_reappliquee(banc: Banc) -> None:
    """SPEC §9: the chef undoes an automatic run; the worker does not apply the same delivery again (its content
    is known), and applies the next one that changes."""
    from lsun_events.application.annulation import DemandeAnnulation  # noqa: PLC0415

    banc.cycle()
    banc.publier(v.renommer_eleve(MINI, "2400102", prenoms=["Timothée-Arthur"]))
    assert banc.cycle() == [(MINI.uai, "synchronisee")]
    run = banc.runs()[0]["synchronisation"]
    banc.systeme.app.annuler(DemandeAnnulation(MINI.uai, run, CHEF, JOUR))
    assert banc.systeme.app.eleve(MINI.uai, "2400102").identite.prenoms == ("Timothée", "Arthur")

    avant = banc.position()
    assert banc.cycle() == [(MINI.uai, "inchangee")]
    assert banc.position() == avant
    banc.publier(v.renommer_eleve(MINI, "2400102", prenoms=["Tim"]))
    assert banc.cycle() == [(MINI.uai, "synchronisee")]
    assert banc.systeme.app.eleve(MINI.uai, "2400102").identite.prenoms == ("Tim",)
