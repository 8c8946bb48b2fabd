"""The heavier variants (marker ``lourd``) of this folder run only when asked: ``make test-lourd``
(``pytest -m lourd``); the default suite stays fast."""

from __future__ import annotations

from pathlib import Path

import pytest

ICI = Path(__file__).parent


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if "lourd" in (config.getoption("markexpr") or ""):
        return
    ignorer = pytest.mark.skip(reason="variante lourde : make test-lourd")
    for item in items:
        if "lourd" in item.keywords and ICI in Path(str(item.path)).parents:
            item.add_marker(ignorer)
