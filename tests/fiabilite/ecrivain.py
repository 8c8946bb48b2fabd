"""A writer process for the load tests: ``python -m tests.fiabilite.ecrivain STORE UAI PARTAGE N GRAINE DOSSIER``.

Imports its own "mini" school (one transaction of ~150 events), opens its bilans, then enters ``N`` acquis, a
third of them on the bilans of the last division of the shared school ``PARTAGE`` that the other writers change
(concurrent changes of the same bilan: one wins, the other is refused, its transaction rolled back). No view is
caught up here: the follower process does it. Prints ``{"ecrits": …, "conflits": …}``."""

from __future__ import annotations

import json
import random
import sys
from pathlib import Path

from lsun_events.application.app import ouvrir_application
from lsun_events.application.erreurs import ConflitError
from lsun_events.interfaces.cli.demo import periodes
from lsun_events.sources.snapshot import charger_exports
from tests.fiabilite import outils as o


def main(store: str, uai: str, partage: str, n: int, graine: int, dossier: Path) -> dict[str, int]:
    rng = random.Random(graine)
    app = ouvrir_application(store)
    ecole, _ = o.ecole_et_variante("mini", uai=uai)
    exports = o.ecrire(ecole, dossier)
    app.importer(charger_exports(exports.siecle_dossier, exports.sts), o.CHEF, o.JOUR)
    for d in ecole.divisions:
        app.parametrer_periodes(uai, d.code, periodes(o.ANNEE), o.CHEF)
        app.ouvrir_bilans(uai, d.code, "T1", o.CHEF)
    cibles = []
    for cible in (uai, partage):
        etab = app.etablissement(cible)
        # The shared school's last division: the others are synchronised meanwhile (their T1 partly locked).
        codes = list(etab.divisions)[-1:] if cible == partage else list(etab.divisions)
        for code in codes:
            for eleve_id in sorted(app.division(etab, code).eleves):
                bilan = app.bilan(cible, eleve_id, "T1")
                cibles += [(cible, eleve_id, code_matiere) for code_matiere in bilan.acquis]
    ecrits = conflits = 0
    for i in range(n):
        propres = [c for c in cibles if c[0] == uai]
        partagees = [c for c in cibles if c[0] == partage]
        cible, eleve_id, matiere = rng.choice(partagees if i % 3 == 0 else propres)
        try:
            app.saisir_acquis(cible, eleve_id, "T1", matiere, f"Professeur {graine}",
                              appreciation=f"Appréciation {i} de l'écrivain {graine}.")
            ecrits += 1
        except ConflitError:
            conflits += 1
    app.close()
    return {"ecrits": ecrits, "conflits": conflits}


if __name__ == "__main__":
    store, uai, partage, n, graine, dossier = sys.argv[1:]
    print(json.dumps(main(store, uai, partage, int(n), int(graine), Path(dossier))))
