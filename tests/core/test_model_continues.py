"""Runs that continue another run: each world starts where the same world of the other ended."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from cstosim.core.model import AllianceModel
from cstosim.experiments.evaluate import evaluate
from cstosim.inputs.errors import UserError
from cstosim.inputs.scenario import load_scenario
from tests.support import SCENARIOS

pytestmark = [pytest.mark.regression]

FIRST = "ukraine_war_2022"
#: A scenario that picks up where the Ukraine-war file ends, with one crisis of its own.
CONTINUATION = f"""
[scenario]
id = "after_ukraine"
title = "Test: continues {FIRST}"
hypothetical = true
format = 2
continues = "{FIRST}"
start = "2022-09"
end = "2023-06"
notes = ["A test fixture; not history."]
sources = ["tests"]

[members]
RUS = "active"
BLR = "active"
KAZ = "active"
KGZ = "active"
TJK = "active"
ARM = "active"
UZB = "withdrawn"
AZE = "withdrawn"
GEO = "withdrawn"

[[events]]
id = "attack"
date = "2022-11"
kind = "external_aggression"
target = "ARM"
source = "AZE"
severity = 0.8
note = "test"
"""


@pytest.fixture(scope="module")
def continuation(tmp_path_factory) -> object:
    path = tmp_path_factory.mktemp("cont") / "after_ukraine.toml"
    path.write_text(CONTINUATION, encoding="utf-8")
    return load_scenario(path)


def test_each_world_starts_where_it_ended(continuation) -> None:
    first = AllianceModel(load_scenario(SCENARIOS / f"{FIRST}.toml"), n_worlds=300, seed=5)
    first.run_to_end()
    end = first.end_state()
    second = AllianceModel(continuation, n_worlds=300, seed=5, start=end)
    for i, a in enumerate(second.agents):
        np.testing.assert_array_equal(a.status, end.status[:, i])
        np.testing.assert_array_equal(a.alignment, end.facts["alignment"][:, i])
    np.testing.assert_array_equal(second.help_count, end.help_count)
    np.testing.assert_array_equal(second.grievance, end.grievance)
    np.testing.assert_array_equal(second.russia.bandwidth, first.russia.bandwidth)
    # what the war did to Russia's bandwidth carries over instead of resetting to the baseline
    assert np.all(second.russia.bandwidth < 1.0)


def test_continued_runs_do_not_depend_on_chunking(continuation) -> None:
    whole = evaluate(continuation, 60, 3)
    parts = [evaluate(continuation, 30, 3, world_offset=lo) for lo in (0, 30)]
    for name in ("crises", "members", "transitions"):
        joined = pd.concat([p.tables[name] for p in parts], ignore_index=True)
        order = [c for c in ("step", "crisis", "member", "world") if c in joined.columns]
        pd.testing.assert_frame_equal(
            whole.tables[name].sort_values(order, ignore_index=True),
            joined.sort_values(order, ignore_index=True),
        )


def test_a_scenario_cannot_continue_itself(tmp_path) -> None:
    path = tmp_path / "loop.toml"
    path.write_text(
        CONTINUATION.replace('id = "after_ukraine"', 'id = "loop"').replace(
            f'continues = "{FIRST}"', 'continues = "loop"'
        ),
        encoding="utf-8",
    )
    with pytest.raises(UserError, match="cannot continue itself"):
        load_scenario(path)
