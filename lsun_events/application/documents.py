"""A bilan as plain JSON values — the one conversion shared by the command line, the API and the history of
archived bilans, for a bilan now (or as it was) and for an archived bilan (``ArchiveBilan``) alike."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from lsun_events.aggregates.bilan import Bilan
from lsun_events.aggregates.valeurs import ArchiveBilan, RefEnseignant

NomEnseignant = Callable[[RefEnseignant], str | None]


def bilan_en_dict(bilan: Bilan | ArchiveBilan, nom: NomEnseignant | None = None) -> dict[str, Any]:
    """Division, period, state, PP and acquis (one per discipline, with its teachers, positionnement,
    appreciation and programme elements); for a stored bilan also its id, version, last change, pupil id and
    number of archives. A teacher is its ``type:id`` key, or ``{"enseignant": key, "nom": …}`` when ``nom``
    names teachers. Callers add what their reader needs (the pupil's name, the history…)."""

    def enseignant(ref: RefEnseignant) -> Any:
        return ref.cle if nom is None else {"enseignant": ref.cle, "nom": nom(ref)}

    periode = bilan.periode
    acquis = bilan.acquis.values() if isinstance(bilan, Bilan) else bilan.acquis
    document: dict[str, Any] = {
        "division": bilan.division,
        "periode": {"code": periode.code, "debut": periode.debut.isoformat(), "fin": periode.fin.isoformat()},
        "etat": str(bilan.etat),
        "profs_principaux": [enseignant(r) for r in bilan.profs_principaux],
        "acquis": [{"matiere": a.matiere_code, "libelle": a.matiere_libelle,
                    "enseignants": [enseignant(r) for r in a.enseignants], "positionnement": a.positionnement,
                    "appreciation": a.appreciation, "elements_programme": list(a.elements_programme)}
                   for a in acquis],
    }
    if isinstance(bilan, Bilan):
        return {"id": str(bilan.id), "version": bilan.version, "modifie_le": bilan.modified_on.isoformat(),
                "eleve": bilan.eleve_id, **document, "archives": len(bilan.archives)}
    return document
