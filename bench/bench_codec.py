"""The stored events' codec, old and new side by side in the same run: prints one JSON document.

The events are made by the application itself (the « mini » school imported, periods set, bilans opened, T1
locked, then a synchronisation with 10 % of pupils renamed: ``BilanOuvert``, ``EleveInscrit``, ``BilanArchive``…),
then each is stored both ways:

- « ancien » : the JSON with ``_type_``/``_data_`` envelopes of earlier versions (``TranscodeurLsun`` in the
  library's ``Mapper``), exactly how 47ac79b wrote and read them;
- « nouveau » : « lsun-mp1 », MessagePack read by msgspec into the typed values (``MapperLsun``).

For each class: events decoded per second (``to_domain_event``: bytes → event object, best of several rounds,
both codecs alternated in the same rounds, the cyclic collector suspended as the views and bulk loads do), bytes
per event, and the ratio; also the new mapper reading the old JSON (a store written before keeps its speed), and
encoding.

    .venv/bin/python -m bench.bench_codec [--tours 7]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

RACINE_PROJET = Path(__file__).resolve().parents[1]
if str(RACINE_PROJET) not in sys.path:
    sys.path.insert(0, str(RACINE_PROJET))

from eventsourcing.persistence import Mapper  # noqa: E402

from lsun_events.aggregates import evenements as ev  # noqa: E402
from lsun_events.aggregates.valeurs import Periode  # noqa: E402
from lsun_events.application.app import LsunApp, ouvrir_application  # noqa: E402
from lsun_events.application.synchronisation import DemandeSynchronisation  # noqa: E402
from lsun_events.storage.codec import MapperLsun  # noqa: E402
from lsun_events.storage.memoire import sans_ramasse_miettes  # noqa: E402

CIBLE_RAPPORT = 5.0
CLASSES = (ev.BilanOuvert, ev.BilanArchive, ev.EleveInscrit, ev.AcquisSaisi, ev.EleveMisAJour)
JOUR = date(2025, 11, 17)
PERIODES = [Periode("T1", date(2025, 9, 1), date(2025, 11, 30)), Periode("T2", date(2025, 12, 1), date(2026, 3, 1))]


def evenements(dossier: Path) -> list[Any]:
    from lsun_events.generateur import ecrire_exports, generer  # noqa: PLC0415
    from lsun_events.generateur.variantes import renommer_eleves  # noqa: PLC0415
    from lsun_events.sources.snapshot import charger_exports  # noqa: PLC0415

    ecole = generer("mini")
    lire = [charger_exports(x.siecle_dossier, x.sts) for x in (
        ecrire_exports(e, dossier / n, zip_siecle=False) for e, n in ((ecole, "base"),
                                                                     (renommer_eleves(ecole, 0.5), "renommes")))]
    app: LsunApp = ouvrir_application(f"sqlite:///{dossier / 'lsun.sqlite'}")
    try:
        uai = lire[0].uai
        app.importer(lire[0], "Import initial", JOUR)
        for division in lire[0].divisions:
            app.parametrer_periodes(uai, division.code, PERIODES, "Mme Principale")
            for periode in PERIODES:
                app.ouvrir_bilans(uai, division.code, periode.code, "Mme Principale")
            app.verrouiller(uai, division.code, "T1", "Mme Principale")
        for division in lire[0].divisions[:1]:
            bilan = next(app.bilans_de_division(uai, app.division(app.etablissement(uai), division.code), "T2"))
            for matiere in list(bilan.acquis)[:3]:
                app.saisir_acquis(uai, bilan.eleve_id, "T2", matiere, "M. Prof", positionnement=3,
                                  appreciation="Bon trimestre.")
        app.synchroniser(DemandeSynchronisation(uai=uai, acteur="Mme Principale", jour=JOUR), lire[1])
        notes = app.recorder.select_notifications(start=None, limit=1_000_000)
        return [app.mapper.to_domain_event(n) for n in notes]
    finally:
        app.close()


def _meilleur(fonction: Callable[[Any], Any], donnees: list[Any]) -> float:
    """Events per second, the cyclic collector suspended as wherever events are read in bulk (views, loading)."""
    with sans_ramasse_miettes():
        debut = time.perf_counter()
        for x in donnees:
            fonction(x)
        return len(donnees) / (time.perf_counter() - debut)


def mesurer(tous: list[Any], tours: int) -> dict[str, Any]:
    dossier = Path(tempfile.mkdtemp(prefix="bench_codec_app_"))
    app = ouvrir_application(f"sqlite:///{dossier / 'vide.sqlite'}")
    nouveau: MapperLsun = app.mapper  # type: ignore[assignment]
    ancien: Mapper[Any] = Mapper(transcoder=app.construct_transcoder())
    resultat: dict[str, Any] = {}
    for classe in CLASSES:
        echantillon = [e for e in tous if type(e) is classe]
        if not echantillon:
            continue
        repetitions = max(1, 3000 // len(echantillon))
        en_json = [ancien.to_stored_event(e) for e in echantillon] * repetitions
        en_mp = [nouveau.to_stored_event(e) for e in echantillon] * repetitions
        mesures: dict[str, list[float]] = {"ancien": [], "nouveau": [], "nouveau_lisant_l_ancien": [],
                                           "encodage_ancien": [], "encodage_nouveau": []}
        objets = echantillon * repetitions
        for _ in range(tours):  # alternated: the machine's load weighs on both alike
            mesures["ancien"].append(_meilleur(ancien.to_domain_event, en_json))
            mesures["nouveau"].append(_meilleur(nouveau.to_domain_event, en_mp))
            mesures["nouveau_lisant_l_ancien"].append(_meilleur(nouveau.to_domain_event, en_json))
            mesures["encodage_ancien"].append(_meilleur(ancien.to_stored_event, objets))
            mesures["encodage_nouveau"].append(_meilleur(nouveau.to_stored_event, objets))
        for a, b in zip(en_json[:len(echantillon)], en_mp[:len(echantillon)], strict=True):
            assert vars(ancien.to_domain_event(a)) == vars(nouveau.to_domain_event(b))
        meilleurs = {k: max(v) for k, v in mesures.items()}
        rapports = [b / a for a, b in zip(mesures["ancien"], mesures["nouveau"], strict=True)]
        resultat[ev.NOMS[classe]] = {
            "evenements": len(echantillon),
            "octets_par_evenement": {"ancien": round(statistics.mean(len(s.state) for s in en_json)),
                                     "nouveau": round(statistics.mean(len(s.state) for s in en_mp))},
            "decodage_evenements_par_seconde": {"ancien": round(meilleurs["ancien"]),
                                                "nouveau": round(meilleurs["nouveau"]),
                                                "nouveau_lisant_l_ancien_json": round(
                                                    meilleurs["nouveau_lisant_l_ancien"])},
            "rapport_nouveau_sur_ancien": round(meilleurs["nouveau"] / meilleurs["ancien"], 2),
            "rapport_median_par_tour": round(statistics.median(rapports), 2),
            "encodage_evenements_par_seconde": {"ancien": round(meilleurs["encodage_ancien"]),
                                                "nouveau": round(meilleurs["encodage_nouveau"])},
            "cible_rapport": CIBLE_RAPPORT,
        }
    app.close()
    return resultat


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--tours", type=int, default=7)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        tous = evenements(Path(tmp))
    print(json.dumps({
        "machine": {"processeurs": os.cpu_count(), "python": platform.python_version(),
                    "charge_moyenne_1min_au_debut": round(os.getloadavg()[0], 2)},
        "tours": args.tours,
        "classes": mesurer(tous, args.tours),
    }, ensure_ascii=False, indent=2))


if __name__ == "__main__":
    main()
