"""Hand-made documented files and result tables for the validation tests.

Files are the mini fixture's situation (``tests/fixtures/mini.toml``) with another id, other
dates and an ``[expected]`` block written by the test; tables are the few columns validation reads.
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd

from cstosim.experiments.checks import Check, checks_of
from cstosim.experiments.outcomes import WorldOutcomes
from cstosim.inputs.expected import Documented, load_documented
from tests.support import MINI

#: [expected] entries the tests share: ARM freezes around November 2022 (step 10, window 8..12),
#: KGZ is still active at the end, Belarus backs Russia.
ARM_FREEZES = """[[expected.membership]]
member = "ARM"
status = "frozen"
date = "2022-11"
tolerance_months = 2
"""
KGZ_HOLDS = """[[expected.membership]]
member = "KGZ"
status = "active"
date = "2023-12"
mode = "holds"
"""
BLR_BACKS = """[[expected.support]]
event = "support"
member = "BLR"
backs = true
"""

#: The mini fixture without its [expected] block.
SITUATION = MINI.read_text(encoding="utf-8").split("[expected]")[0]


def write_file(
    folder: Path,
    name: str,
    expected: str,
    start: str = "2022-01",
    end: str = "2023-12",
) -> Path:
    """A documented file: the mini situation as scenario ``name`` over ``start..end``, without
    the events that fall outside it."""
    head, *events = SITUATION.split("[[events]]")
    kept = [e for e in events if start <= re.search(r'date = "([\d-]+)"', e)[1][:7] <= end]
    text = (
        head.replace('id = "mini"', f'id = "{name}"', 1)
        .replace('start = "2022-01"', f'start = "{start}"', 1)
        .replace('end = "2023-12"', f'end = "{end}"', 1)
    ) + "".join(f"[[events]]{e}" for e in kept)
    path = Path(folder) / f"{name}.toml"
    path.write_text(text + "[expected]\n" + expected, encoding="utf-8")
    return path


def documented(folder: Path, name: str, expected: str, **dates: str) -> Documented:
    """:func:`write_file`, loaded."""
    return load_documented(write_file(folder, name, expected, **dates))


def check(doc: Documented, label: str) -> Check:
    """The check of ``doc`` with this label."""
    return next(c for c in checks_of(doc) if c.label == label)


def transitions(rows: list[tuple]) -> pd.DataFrame:
    """A ``transitions`` table from (world, member, step, from, to) rows."""
    frame = pd.DataFrame(rows, columns=["world", "member", "step", "from_status", "to_status"])
    return frame.astype({"world": np.int64, "step": np.int64})


def tables(
    n_worlds: int,
    crises: dict | None = None,
    support: dict | None = None,
    moves: list[tuple] | None = None,
) -> dict[str, pd.DataFrame]:
    """Result tables of ``n_worlds`` worlds: ``crises`` and ``support`` as column dicts (one row
    per world unless they give ``world``), ``moves`` as transitions."""
    worlds = np.arange(n_worlds)
    out = {
        "members": pd.DataFrame(
            {"world": np.repeat(worlds, 2), "member": ["ARM", "KGZ"] * n_worlds}
        ),
        "transitions": transitions(moves or []),
        "crises": pd.DataFrame({"world": worlds, **(crises or {})}),
        "support": pd.DataFrame({"world": worlds, **(support or {})})
        if support
        else pd.DataFrame({"world": [], "event": [], "member": [], "backs": []}),
    }
    return out


def outcomes(n_worlds: int, **given) -> WorldOutcomes:
    """The per-world outcomes of hand-made :func:`tables`, as checks read them."""
    frames = tables(n_worlds, **given)
    if "crisis" not in frames["crises"]:
        frames["crises"] = pd.DataFrame({"world": [], "crisis": []})
    return WorldOutcomes.from_tables(frames)
