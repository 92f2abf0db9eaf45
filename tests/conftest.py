"""Shared fixtures, and the rule that every test belongs to exactly one tier.

Tiers (markers, declared in ``pyproject.toml``): ``unit`` (a rule or function against values
computed by hand), ``property`` (hypothesis), ``regression`` (goldens and honesty), ``e2e`` (the
README commands and the CLI), ``fuzz`` and ``fault``. ``slow`` marks what starts processes, Dask,
a browser or a calibration; ``make test-fast`` runs the unit and property tiers without it.
"""

from __future__ import annotations

import pytest

from cstosim.inputs.scenario import Scenario, load_scenario
from tests.support import MINI

TIERS = ("unit", "property", "regression", "e2e", "fuzz", "fault")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Refuse a test that belongs to no tier, or to more than one."""
    for item in items:
        tiers = [t for t in TIERS if item.get_closest_marker(t)]
        if len(tiers) != 1:
            raise pytest.UsageError(f"{item.nodeid}: give it exactly one tier of {TIERS}")


@pytest.fixture(scope="session")
def mini() -> Scenario:
    """The mini fixture scenario (``tests/fixtures/mini.toml``)."""
    return load_scenario(MINI)
