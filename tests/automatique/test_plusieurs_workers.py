"""Two workers sharing the work through PostgreSQL never run one school twice at once, over many cycles:
each change of a school's source is applied exactly once, and the runs of a school never overlap."""

from __future__ import annotations

import threading
from datetime import UTC, date, datetime, timedelta
from itertools import pairwise
from pathlib import Path

from lsun_events.automatique import service
from lsun_events.automatique.planification import Planification
from lsun_events.automatique.worker import Worker
from lsun_events.generateur import variantes as v
from lsun_events.generateur.ecriture import ecrire_exports, ecrire_s3e
from lsun_events.generateur.generation import generer
from lsun_events.projections import rapports
from lsun_events.sources.snapshot import charger_exports
from lsun_events.storage.config import Store
from lsun_events.systeme import Systeme
from tests.s3e_local import JETON_TEST, demarrer_serveur_s3e

UAIS = ("0999001X", "0999002Y", "0999003Z")
JOUR = date(2025, 11, 17)
TOURS = 8


def test_deux_workers_ne_synchronisent_jamais_le_meme_etablissement_en_meme_temps(store_postgresql: Store,
                                                                                  tmp_path: Path) -> None:
    store = store_postgresql
    ecoles = {uai: generer("mini", uai=uai) for uai in UAIS}
    principal = Systeme(store)
    planification = Planification(store)
    dossier = tmp_path / "s3e"
    for uai, ecole in ecoles.items():
        exports = ecrire_exports(ecole, tmp_path / uai)
        principal.app.importer(charger_exports(exports.siecle_zip, exports.sts), "import", JOUR)
        ecrire_s3e(ecole, dossier)
    horloge = [datetime.now(UTC)]
    with demarrer_serveur_s3e(dossier) as serveur:
        for uai in UAIS:
            service.parametrer(principal.app, planification, uai, "chef", active=True, adresse_s3e=serveur.url,
                               intervalle_minutes=15)
        systemes = [Systeme(store) for _ in range(2)]
        workers = [Worker(s.app, Planification(store), jeton=JETON_TEST, jour=JOUR, nom=f"w{i}",
                          horloge=lambda: horloge[0]) for i, s in enumerate(systemes)]
        faits: list[tuple[str, str, str]] = []
        erreurs: list[BaseException] = []

        def tourner(w: Worker, depart: threading.Barrier) -> None:
            try:
                depart.wait(timeout=30)
                faits.extend((w.nom, uai, resultat) for uai, resultat in w.cycle())
            except BaseException as e:  # reported below
                erreurs.append(e)

        for tour in range(TOURS):
            for ecole in ecoles.values():  # every school's source changes every tour
                ecrire_s3e(v.renommer_eleve(ecole, ecole.eleves[0].eleve_id, prenoms=[f"Prénom{tour}"]), dossier)
            horloge[0] += timedelta(minutes=16)
            depart = threading.Barrier(2)
            fils = [threading.Thread(target=tourner, args=(w, depart)) for w in workers]
            for f in fils:
                f.start()
            for f in fils:
                f.join(timeout=120)
            assert not erreurs, erreurs

        for w, s in zip(workers, systemes, strict=True):
            w.planification.fermer()
            s.fermer()
    principal.rattraper()
    with principal.lire("rapports") as c:
        for uai in UAIS:
            runs = sorted(rapports.runs(c, uai, limite=1000), key=lambda r: r["position"])
            assert len(runs) == TOURS  # each change applied exactly once
            assert all(r["statut"] == "terminee" for r in runs)
            for avant, apres in pairwise(runs):
                assert avant["fin"] <= apres["debut"]  # never two runs of a school at once
    assert {nom for nom, _, _ in faits} == {"w0", "w1"}  # both workers did work
    assert sorted(r for _, _, r in faits) == ["synchronisee"] * (TOURS * len(UAIS))
    planification.fermer()
    principal.fermer()
