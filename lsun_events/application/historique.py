"""History read from the event store itself (not from the views): a bilan as it was at a date or a version,
and the archived bilans of a pupil exactly as archived (R6), with what changed in the pupil's data since."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import TYPE_CHECKING, Any
from uuid import UUID

from lsun_events.aggregates.bilan import Bilan
from lsun_events.aggregates.division import Division
from lsun_events.aggregates.evenements import BilanArchive
from lsun_events.aggregates.valeurs import ArchiveBilan, Changement, changements
from lsun_events.application.documents import bilan_en_dict

if TYPE_CHECKING:
    from lsun_events.application.app import LsunApp


def bilan_tel_qu_il_etait(app: LsunApp, uai: str, eleve_id: str, periode: str, *, au: date | None = None,
                          version: int | None = None) -> Bilan:
    """The bilan at the end of a day (UTC) or at a version; now when neither is given."""
    return app.bilan_tel_que(uai, eleve_id, periode, version=version, au=au)


@dataclass(frozen=True)
class ArchiveConsultee:
    """One ``BilanArchive`` event: the bilan and the pupil's data as they were, when, by whom, in which run."""

    bilan_id: UUID
    version: int  # the bilan's version that recorded the archive
    archive_le: datetime
    acteur: str
    synchronisation: str | None
    archive: ArchiveBilan
    differences: tuple[Changement, ...]  # archived pupil data → today's

    def en_dict(self) -> dict[str, Any]:
        a = self.archive
        noms = {e.ref.cle: e.nom for e in a.enseignants}
        return {
            "bilan": str(self.bilan_id), "version": self.version, "archive_le": self.archive_le.isoformat(),
            "acteur": self.acteur, "synchronisation": self.synchronisation,
            "eleve": a.identite_eleve.nom_affiche, "identite_eleve": a.identite_eleve.en_dict(),
            **bilan_en_dict(a, lambda r: noms.get(r.cle)),
            "differences": [{"champ": d.champ, "archive": d.ancien, "actuel": d.nouveau} for d in self.differences],
        }


def archives(app: LsunApp, uai: str, eleve_id: str) -> list[ArchiveConsultee]:
    """Every archived bilan of the pupil, oldest first, each exactly as the ``BilanArchive`` event recorded it."""
    eleve = app.eleve(uai, eleve_id)
    division: Division = app.repository.get(UUID(eleve.division_id))
    trouvees: list[ArchiveConsultee] = []
    for periode in sorted(division.periodes, key=lambda p: p.debut):
        bilan_id = Bilan.id_pour(uai, eleve_id, eleve.division_id, periode.code)
        # Nothing for a period whose bilans were not opened.
        archivages: list[BilanArchive] = [e for e in app.historique(bilan_id) if type(e) is BilanArchive]
        for e in archivages:
            trouvees.append(ArchiveConsultee(
                bilan_id=bilan_id, version=e.originator_version, archive_le=e.timestamp, acteur=e.acteur,
                synchronisation=e.synchronisation, archive=e.archive,
                differences=tuple(changements(e.archive.identite_eleve, eleve.identite))))
    return sorted(trouvees, key=lambda a: a.archive_le)
