"""A bilan's events told in French for its history: what happened, with the details that matter."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from lsun_events.aggregates import evenements as ev
from lsun_events.regles.libelles import EVENEMENTS


def libelle(e: Any) -> str:
    """« Bilan verrouillé »: every event class has its French label (``regles.libelles.EVENEMENTS``)."""
    return EVENEMENTS.get(type(e)) or ev.nom(e)


def _ouvert(e: ev.BilanOuvert) -> str:
    return (f"division {e.division}, période {e.periode.code} ({e.periode.debut:%d/%m/%Y} – "
            f"{e.periode.fin:%d/%m/%Y}), {len(e.acquis)} acquis")


def _acquis_saisi(e: ev.AcquisSaisi) -> str:
    morceaux = [f"matière {e.matiere_code}"]
    if e.positionnement is not None:
        morceaux.append(f"positionnement {e.positionnement}")
    if e.appreciation:
        morceaux.append(f"« {e.appreciation} »")
    return ", ".join(morceaux)


def _acquis_ajoute(e: ev.AcquisAjoute) -> str:
    return f"{e.acquis.matiere_libelle} ({e.acquis.matiere_code})"


def _enseignants_ajoutes(e: ev.EnseignantsAjoutesAcquis) -> str:
    return f"{', '.join(x.nom for x in e.enseignants)} → {e.acquis}"


def _enseignants_retires(e: ev.EnseignantsRetiresAcquis) -> str:
    return f"{', '.join(x.nom for x in e.enseignants)} retirés de {e.acquis}"


def _acquis_retire(e: ev.AcquisRetire) -> str:
    return f"{e.acquis} ({e.matiere_code})"


def _prof_principal(e: ev.ProfPrincipalAjoute | ev.ProfPrincipalRetire) -> str:
    return e.enseignant.nom


def _archive(e: ev.BilanArchive) -> str:
    return f"données de l'élève telles qu'elles étaient : {e.archive.identite_eleve.nom_affiche}"


# The events with details (a lock or an unlock has none).
DETAILS: dict[type[Any], Callable[[Any], str]] = {
    ev.BilanOuvert: _ouvert, ev.AcquisSaisi: _acquis_saisi, ev.AcquisAjoute: _acquis_ajoute,
    ev.EnseignantsAjoutesAcquis: _enseignants_ajoutes, ev.ProfPrincipalAjoute: _prof_principal,
    ev.ProfPrincipalRetire: _prof_principal, ev.BilanArchive: _archive,
    ev.EnseignantsRetiresAcquis: _enseignants_retires, ev.AcquisRetire: _acquis_retire,
}


def detail(e: Any) -> str:
    """The event's details in one line."""
    decrire = DETAILS.get(type(e))
    return decrire(e) if decrire is not None else ""
