"""The school calendar: a school year is named by its first calendar year (2025 for 2025-2026)."""

from __future__ import annotations

from datetime import date


def annee_scolaire(jour: date) -> int:
    """The school year containing ``jour``: it switches on 1 August."""
    return jour.year if jour.month >= 8 else jour.year - 1
