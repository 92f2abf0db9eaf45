"""Sweep specs refused before any work starts, and sweeps whose scenario sits beside the spec."""

from __future__ import annotations

import shutil

import pandas as pd
import pytest

from cstosim import api
from cstosim.experiments.sweep_spec import load_spec
from cstosim.inputs.errors import UserError
from tests.experiments.test_sweeps import write_spec
from tests.support import MINI


@pytest.mark.unit
@pytest.mark.parametrize("threshold", ["nan", "inf", "-inf", '"0.5"', "-5.0"])
def test_prim_threshold_must_be_a_finite_number(tmp_path, threshold):
    path = write_spec(tmp_path, points=40)
    path.write_text(
        path.read_text() + f'\n[prim]\nmetric = "arm_mission"\nthreshold = {threshold}\n'
    )
    with pytest.raises(UserError, match=r"prim\.threshold"):
        load_spec(path)


@pytest.mark.unit
def test_morris_levels_belong_to_the_morris_sampler_only(tmp_path):
    path = write_spec(tmp_path, points=40)
    path.write_text(path.read_text().replace("seed = 4", "seed = 4\nmorris_levels = 3"))
    with pytest.raises(UserError, match="morris_levels: only the morris sampler has levels"):
        load_spec(path)
    path = write_spec(tmp_path, sampler="morris", points=4)
    path.write_text(path.read_text().replace("seed = 4", "seed = 4\nmorris_levels = 3"))
    assert load_spec(path)[0].sweep.morris_levels == 3


@pytest.mark.unit
def test_prim_needs_enough_points(tmp_path):
    path = write_spec(tmp_path, points=5)
    path.write_text(path.read_text() + '\n[prim]\nmetric = "arm_mission"\n')
    with pytest.raises(UserError, match="PRIM needs at least 20 points"):
        load_spec(path)


@pytest.mark.unit
def test_an_unknown_scenario_names_the_spec_and_the_field(tmp_path):
    path = write_spec(tmp_path, scenario="armenia_2O22")
    with pytest.raises(UserError) as info:
        load_spec(path)
    message = str(info.value)
    assert message.startswith(f"{path}: sweep.scenario: ")
    assert "did you mean 'armenia_2022'?" in message


@pytest.mark.unit
def test_a_broken_scenario_names_the_spec_and_the_scenario_file(tmp_path):
    broken = tmp_path / "mini.toml"
    broken.write_text(MINI.read_text().replace("severity = 0.8", "severity = 2.0", 1))
    path = write_spec(tmp_path, scenario="mini.toml")
    with pytest.raises(UserError) as info:
        load_spec(path)
    assert str(info.value).startswith(f"{path}: sweep.scenario: {broken}: events.1.severity")


@pytest.mark.e2e
@pytest.mark.slow
def test_a_scenario_beside_the_spec_is_analysed_and_resumed(tmp_path, monkeypatch):
    """docs/sweeps.md lets a spec name a scenario file next to it. The analysis once looked for
    it next to the spec's copy in the sweep folder, where it is not, and failed."""
    beside = tmp_path / "specs"
    beside.mkdir()
    shutil.copy(MINI, beside / "mini.toml")
    spec = write_spec(beside, scenario="mini.toml", points=30, replicates=10, chunk=100)
    # a low threshold, so that PRIM has cases and non-cases whatever the parameter set in force
    spec.write_text(spec.read_text() + '\n[prim]\nmetric = "arm_mission"\nthreshold = 0.1\n')
    elsewhere = tmp_path / "cwd"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    out = api.run_sweep(spec, tmp_path / "out", progress=False).path
    meta = pd.read_json(out / "meta.json", typ="series")
    assert meta["analysed"] and (out / "plots" / "prim.png").is_file()
    assert (out / "scenario" / "mini.toml").read_bytes() == MINI.read_bytes()
    first = pd.read_parquet(out / "points.parquet")
    (out / "meta.json").unlink()  # as if interrupted before the end
    again = api.run_sweep(spec, out, progress=False).path
    pd.testing.assert_frame_equal(pd.read_parquet(again / "points.parquet"), first)
    assert (again / "meta.json").is_file()
