"""The guard of automatic runs: computed from the simulation, it holds a source that looks truncated or
wrong instead of applying it. Relaxed at the rentrée, when everything legitimately changes."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date

from lsun_events.application.synchronisation import ResultatSynchronisation


@dataclass(frozen=True)
class Garde:
    seuil_eleves: float = 0.3  # share of a division's pupils "no longer in the division" (M1)
    effectif_minimal: int = 5  # the share is judged only for divisions at least this big
    seuil_enseignants: float = 0.5  # share of the linked teachers not found in STS (M3)
    rentree_debut: tuple[int, int] = (8, 20)  # (month, day): relaxed from…
    rentree_fin: tuple[int, int] = (9, 30)  # …to (inclusive)

    def relachee(self, jour: date) -> bool:
        return self.rentree_debut <= (jour.month, jour.day) <= self.rentree_fin

    def evaluer(self, simulation: ResultatSynchronisation, effectifs: dict[str, int], jour: date) -> str | None:
        """The French reason to hold this source, or None to apply it. ``effectifs``: pupils per
        selected division in LSUN."""
        if self.relachee(jour):
            return None
        raisons = []
        disparues = [m.division for m in simulation.messages if m.code == "M10"]
        if disparues:
            raisons.append(f"{_pluriel(len(disparues), 'division')} n'existe(nt) plus dans la source "
                           f"({', '.join(disparues)})")
        partis = Counter(m.division for m in simulation.messages if m.code == "M1")
        for division, n in partis.items():
            effectif = effectifs.get(division, 0)
            if effectif >= self.effectif_minimal and n / effectif > self.seuil_eleves:
                raisons.append(f"la division {division} perdrait {round(100 * n / effectif)} % de ses élèves "
                               f"({n} sur {effectif} ne seraient plus dans la division)")
        absents = {dict(m.valeurs).get("enseignant") for m in simulation.messages if m.code == "M3"}
        lies = simulation.compteurs.get("enseignants_lies", 0)
        if lies and len(absents) / lies > self.seuil_enseignants:
            raisons.append(f"{len(absents)} des {lies} enseignants liés aux bilans sont introuvables dans STS")
        if not raisons:
            return None
        return ("Source suspecte, rien n'a été appliqué : " + " ; ".join(raisons)
                + ". Vérifiez l'export, puis appliquez ou abandonnez cette synchronisation.")


def _pluriel(n: int, mot: str) -> str:
    return f"{n} {mot}{'s' if n > 1 else ''}"
