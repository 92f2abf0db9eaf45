"""Scoring functions on hand-made outcome tables, and validation of an outside scenario file."""

import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from numpy.testing import assert_allclose, assert_array_equal

from cstosim.api import run_validation
from cstosim.experiments.validation import (
    BaseRates,
    brier,
    entered_within,
    log_score,
    score_scenario,
    status_at,
    summarise,
)
from cstosim.inputs.errors import UserError
from cstosim.inputs.expected import load_documented
from cstosim.inputs.scenario import load_scenario
from tests.support import MINI, ROOT

FIXTURE = MINI


@pytest.mark.unit
def test_brier_and_log_score_by_hand():
    assert_allclose(brier([1.0, 0.5, 0.0]), [0.0, 0.25, 1.0])
    assert_allclose(log_score([1.0, 0.5, 0.0]), [0.0, np.log(2), -np.log(1e-3)])


def transitions(rows):
    return pd.DataFrame(
        rows, columns=["world", "member", "step", "date", "from_status", "to_status"]
    )


@pytest.mark.unit
def test_status_at_follows_transitions():
    t = transitions(
        [
            (0, "ARM", 3, "", "active", "frozen"),
            (0, "ARM", 7, "", "frozen", "active"),
            (2, "ARM", 5, "", "active", "frozen"),
        ]
    )
    worlds = np.array([0, 1, 2])
    assert_array_equal(status_at("active", t, worlds, 2), ["active", "active", "active"])
    assert_array_equal(status_at("active", t, worlds, 5), ["frozen", "active", "frozen"])
    assert_array_equal(status_at("active", t, worlds, 9), ["active", "active", "frozen"])


@pytest.mark.unit
def test_entered_within_date_tolerance():
    t = transitions(
        [
            (0, "ARM", 10, "", "active", "frozen"),
            (1, "ARM", 14, "", "active", "frozen"),
            (2, "ARM", 12, "", "frozen", "withdrawn"),
        ]
    )
    worlds = np.array([0, 1, 2, 3])
    # window [8, 12]: world 0 entered frozen at 10; world 1 too late; world 2 withdrew instead
    assert_array_equal(entered_within(t, worlds, "frozen", 8, 12), [True, False, False, False])
    assert_array_equal(entered_within(t, worlds, "frozen", 8, 14), [True, True, False, False])


def _mini_with_expected(tmp_path: Path) -> Path:
    text = FIXTURE.read_text().split("[expected]")[0]
    text += """[expected]
[[expected.crisis]]
event = "kaz"
request = "assistance"
response = ["deployment", "mission"]

[[expected.membership]]
member = "ARM"
status = "frozen"
date = "2022-11"
tolerance_months = 2

[[expected.membership]]
member = "KGZ"
status = "active"
date = "2023-12"
mode = "holds"

[[expected.support]]
event = "support"
member = "BLR"
backs = true
"""
    path = tmp_path / "with_expected" / "mini.toml"  # a scenario file is named after its id
    path.parent.mkdir()
    path.write_text(text)
    return path


@pytest.mark.unit
def test_score_scenario_on_hand_made_tables(tmp_path):
    sc = load_documented(_mini_with_expected(tmp_path))
    worlds = np.arange(4)
    crises = pd.DataFrame(
        {
            "world": worlds,
            "crisis": "kaz",
            "request": ["assistance", "assistance", "assistance", "none"],
            "response": ["deployment", "mission", "mission", "statement"],
        }
    )
    tables = {
        "crises": crises,
        "support": pd.DataFrame(
            {
                "world": worlds,
                "event": "support",
                "member": "BLR",
                "backs": [True, False, False, False],
            }
        ),
        # ARM: step of 2022-11 is 10; window [8, 12]
        "transitions": transitions(
            [
                (0, "ARM", 9, "", "active", "frozen"),
                (1, "ARM", 13, "", "active", "frozen"),
                (2, "KGZ", 20, "", "active", "frozen"),
            ]
        ),
        "members": pd.DataFrame({"world": worlds, "member": "ARM"}),
    }
    base = BaseRates(
        request={"none": 0.5, "consultations": 0.0, "assistance": 0.5},
        response={
            "none": 0.2,
            "statement": 0.3,
            "consultations": 0.0,
            "material_aid": 0.2,
            "mission": 0.1,
            "deployment": 0.2,
        },
        monthly_change=0.01,
        backs=0.2,
    )
    table = score_scenario(sc, tables, base)
    got = dict(zip(table["check"], table["p_model"], strict=True))
    assert got["kaz: request"] == 0.75
    assert got["kaz: response"] == 0.75
    assert got["ARM enters frozen 2022-11±2"] == 0.25
    assert got["KGZ holds active at 2023-12"] == 0.75
    assert got["support: BLR backs"] == 0.25
    base_p = dict(zip(table["check"], table["p_baseline"], strict=True))
    assert_allclose(base_p["kaz: response"], 0.3)
    assert_allclose(base_p["ARM enters frozen 2022-11±2"], 1 - 0.99**5)
    assert_allclose(base_p["KGZ holds active at 2023-12"], 0.99**24)
    modal = dict(zip(table["check"], table["modal_is_documented"], strict=True))
    assert modal["kaz: request"] and not modal["support: BLR backs"]
    assert table.set_index("check").loc["kaz: response", "modal_outcome"] == "mission"
    s = summarise(table)
    assert s["checks"] == 5
    assert s["modal_documented"] == 3
    assert_allclose(s["brier_model"], np.mean((1 - table["p_model"]) ** 2))


@pytest.mark.unit
def test_base_rates_from_documented_sets():
    documented = [
        load_documented(p)
        for p in sorted((ROOT / "scenarios").glob("*.toml"))
        if not load_scenario(p).scenario.hypothetical
    ]
    base = BaseRates.from_scenarios(documented)
    assert_allclose(sum(base.request.values()), 1.0)
    assert_allclose(sum(base.response.values()), 1.0)
    assert 0 < base.monthly_change < 0.05
    assert 0 < base.backs < 1


@pytest.mark.e2e
def test_validate_a_scenario_outside_the_scenarios_folder(tmp_path):
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    path = shutil.copy(_mini_with_expected(tmp_path), outside / "mini.toml")
    report = run_validation([path], n_worlds=60, seed=5, out=tmp_path / "val", progress=False)
    assert set(report.table["scenario"]) == {"mini"}
    assert len(report.table) == 5
    assert report.table["p_model"].between(0, 1).all()
    written = pd.read_csv(tmp_path / "val" / "validation.csv")
    for column in ("scenario", "check", "documented", "p_model", "p_baseline", "modal_outcome"):
        assert column in written.columns
    assert (tmp_path / "val" / "validation.png").stat().st_size > 10_000


@pytest.mark.unit
def test_validate_rejects_a_scenario_without_expected(tmp_path):
    path = tmp_path / "mini.toml"
    path.write_text(FIXTURE.read_text().split("[expected]")[0])
    with pytest.raises(UserError, match="no \\[expected\\] block"):
        run_validation([path], n_worlds=10, progress=False)
