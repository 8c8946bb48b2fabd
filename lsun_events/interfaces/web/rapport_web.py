"""A run's messages as the page shows them (grouped by division, warnings counted apart) and as CSV."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from dataclasses import dataclass, field

from lsun_events.messages import AVERTISSEMENT, Message


@dataclass
class GroupeDivision:
    division: str
    messages: list[Message] = field(default_factory=list)

    @property
    def avertissements(self) -> int:
        return sum(m.niveau == AVERTISSEMENT for m in self.messages)

    @property
    def infos(self) -> int:
        return len(self.messages) - self.avertissements


def grouper(messages: Iterable[Message]) -> list[GroupeDivision]:
    """By division, in the report's order (SPEC §4: the order selected)."""
    groupes: dict[str, GroupeDivision] = {}
    for m in messages:
        groupes.setdefault(m.division, GroupeDivision(m.division)).messages.append(m)
    return list(groupes.values())


def en_csv(messages: Iterable[Message]) -> str:
    """``;``-separated, with a BOM, as a spreadsheet in French expects it."""
    tampon = io.StringIO()
    ecrivain = csv.writer(tampon, delimiter=";", lineterminator="\r\n")
    ecrivain.writerow(["division", "niveau", "code", "message"])
    for m in messages:
        ecrivain.writerow([m.division, m.niveau, m.code, m.texte])
    return "\ufeff" + tampon.getvalue()
