"""Paths and small helpers shared by the test modules (fixtures live in ``conftest.py``)."""

from __future__ import annotations

import inspect
from collections.abc import Callable, Mapping
from pathlib import Path

#: The repository root.
ROOT = Path(__file__).resolve().parents[1]
#: The shipped scenario files.
SCENARIOS = ROOT / "scenarios"
#: A small two-year scenario with one crisis of each kind that matters, for tests; not history.
MINI = ROOT / "tests" / "fixtures" / "mini.toml"
#: The golden outputs of the regression tier.
GOLDEN_DIR = ROOT / "tests" / "golden"


def weights(p: Mapping, rule: Callable) -> dict:
    """The parameters ``rule`` takes as keyword arguments, read from the resolved set ``p``."""
    return {k: p[k] for k in inspect.signature(rule).parameters if k in p}
