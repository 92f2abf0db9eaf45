"""Scenario file formats: files written in format 1 keep loading and running; the shipped ones are
format 2.

``tests/fixtures/format1/`` holds every shipped scenario file exactly as it was before the
conversion to format 2, standing for the files users and other test sets still hold.
"""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

from cstosim.experiments.runs import simulate
from cstosim.inputs.scenario import load_scenario
from cstosim.inputs.vocabulary import CRISIS_KINDS, FACT_ALIASES, MEMBER_FACTS, MEMBERS
from tests.support import ROOT, SCENARIOS

FORMAT1 = ROOT / "tests" / "fixtures" / "format1"
FORMAT1_FILES = sorted(FORMAT1.glob("*.toml"))
SHIPPED = sorted(SCENARIOS.glob("*.toml"))
WORLDS = 3


def _raw(path: Path) -> dict:
    return tomllib.loads(path.read_text(encoding="utf-8"))


@pytest.mark.unit
def test_the_format1_fixtures_are_the_sixteen_files_shipped_before_format_2():
    assert len(FORMAT1_FILES) == 16
    for path in FORMAT1_FILES:
        assert "format" not in _raw(path)["scenario"], path.name


@pytest.mark.regression
@pytest.mark.parametrize("path", FORMAT1_FILES, ids=lambda p: p.stem)
def test_a_format1_file_loads_and_runs_a_few_worlds(path: Path):
    scenario = load_scenario(path)
    assert scenario.scenario.format == 1
    # an old name is read under its new one, with the old value
    raw_facts = _raw(path).get("facts", [])
    renamed = [(f["member"], f["value"]) for f in raw_facts if f["field"] in FACT_ALIASES]
    read = [(f.member, f.value) for f in scenario.facts if f.field in FACT_ALIASES.values()]
    assert renamed == read
    assert all(f.field in MEMBER_FACTS for f in scenario.facts)

    result = simulate(scenario, n_worlds=WORLDS, seed=1)
    crises = [e.id for e in scenario.events if e.kind in CRISIS_KINDS]
    table = result.tables["crises"]
    assert sorted(table["crisis"].unique()) == sorted(crises)
    assert len(table) == WORLDS * len(crises)
    assert len(result.tables["steps"]) == scenario.n_steps * len(MEMBERS)


@pytest.mark.unit
@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.stem)
def test_every_shipped_scenario_is_format_2_and_loads(path: Path):
    scenario = load_scenario(path)
    assert scenario.scenario.format == 2
    assert scenario.id == path.stem
    # format 2 names its facts directly: no old name survives in a shipped file
    assert not {f["field"] for f in _raw(path).get("facts", [])} & set(FACT_ALIASES)
