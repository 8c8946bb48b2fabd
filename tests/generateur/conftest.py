"""Shared fixtures of the generator tests: the generated schools are built once per session."""

from __future__ import annotations

import pytest

from lsun_events.generateur.generation import generer
from lsun_events.generateur.modele import Ecole


@pytest.fixture(scope="session")
def mini() -> Ecole:
    return generer("mini")


@pytest.fixture(scope="session")
def petit() -> Ecole:
    return generer("petit")


@pytest.fixture(scope="session")
def grand() -> Ecole:
    return generer("grand")
