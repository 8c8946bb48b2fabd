"""A school imported from the generator's "mini" exports, read by the real readers, on both stores:
4A and 4B with periods T1–T3, bilans T1 and T2 open, T1 of 4A locked; 3B without period."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from lsun_events.aggregates.valeurs import Periode
from lsun_events.application.synchronisation import DemandeSynchronisation, ResultatSynchronisation
from lsun_events.generateur.ecriture import ecrire_exports
from lsun_events.generateur.generation import generer
from lsun_events.generateur.modele import Ecole
from lsun_events.generateur.variantes import copier
from lsun_events.sources.snapshot import charger_exports
from lsun_events.storage.config import Store
from lsun_events.systeme import Systeme

CHEF = "Mme la Principale"
JOUR = date(2025, 11, 17)
PERIODES = [Periode("T1", date(2025, 9, 1), date(2025, 11, 30)), Periode("T2", date(2025, 12, 1), date(2026, 3, 1)),
            Periode("T3", date(2026, 3, 2), date(2026, 7, 4))]
_MINI = generer("mini")


@dataclass
class Etablissement:
    systeme: Systeme
    ecole: Ecole
    dossier: Path
    n: int = 0

    @property
    def app(self) -> Any:
        return self.systeme.app

    @property
    def uai(self) -> str:
        return self.ecole.uai

    def exports(self, ecole: Ecole) -> tuple[Path, Path]:
        self.n += 1
        ecrits = ecrire_exports(ecole, self.dossier / f"exports-{self.n}")
        assert ecrits.siecle_zip is not None
        return ecrits.siecle_zip, ecrits.sts

    def synchroniser(self, ecole: Ecole, *divisions: str, simulation: bool = False,
                     acteur: str = CHEF) -> ResultatSynchronisation:
        siecle, sts = self.exports(ecole)
        source = charger_exports(siecle, sts, uai_attendu=self.uai)
        demande = DemandeSynchronisation(uai=self.uai, acteur=acteur, jour=JOUR, divisions=divisions or None,
                                         simulation=simulation)
        resultat = self.app.synchroniser(demande, source)
        self.systeme.rattraper()
        return resultat

    def position(self) -> int:
        return self.app.recorder.max_notification_id() or 0

    def evenements_depuis(self, position: int) -> list[Any]:
        notes = self.app.recorder.select_notifications(start=position, limit=100_000, inclusive_of_start=False)
        return [self.app.mapper.to_domain_event(n) for n in notes]

    def contenu(self) -> list[tuple[Any, ...]]:
        """Every stored event, as stored (for "the store is unchanged in content")."""
        notes = self.app.recorder.select_notifications(start=None, limit=1_000_000)
        return [(n.id, n.originator_id, n.originator_version, n.topic, bytes(n.state)) for n in notes]


def installer(store: Store, dossier: Path, ecole: Ecole) -> Etablissement:
    """``ecole`` imported from its exports, periods T1–T3 for 4A and 4B, bilans T1 and T2 open, T1 of 4A locked.
    The caller closes ``etablissement.systeme``."""
    ecole = copier(ecole)
    systeme = Systeme(store)
    etab = Etablissement(systeme, ecole, dossier)
    siecle, sts = etab.exports(ecole)
    systeme.app.importer(charger_exports(siecle, sts), CHEF, JOUR)
    for division in ("4A", "4B"):
        systeme.app.parametrer_periodes(ecole.uai, division, PERIODES, CHEF)
        for periode in ("T1", "T2"):
            systeme.app.ouvrir_bilans(ecole.uai, division, periode, CHEF)
    systeme.app.verrouiller(ecole.uai, "4A", "T1", CHEF)
    systeme.rattraper()
    return etab


@pytest.fixture
def etablissement(store: Store, tmp_path: Path) -> Iterator[Etablissement]:
    etab = installer(store, tmp_path, _MINI)
    yield etab
    etab.systeme.fermer()
