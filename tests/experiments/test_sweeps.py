"""Sweeps: designs, spec checking, identical results under any executor, resume, retries,
metrics, and paired what-ifs."""

from __future__ import annotations

import functools
import json
import os
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from numpy.testing import assert_allclose

from cstosim import api
from cstosim.cli import main as cli_main
from cstosim.core.model import AllianceModel
from cstosim.experiments import compare, sweep
from cstosim.experiments.evaluate import evaluate
from cstosim.experiments.metrics import ResponseAtLeast, StatusIn, Trust, run_metrics
from cstosim.experiments.samplers import SAMPLERS, n_points, sample
from cstosim.experiments.sweep_spec import load_spec
from cstosim.inputs.errors import UserError
from cstosim.inputs.parameters import defaults
from cstosim.inputs.scenario import load_scenario
from tests.support import MINI

SPEC = """
[sweep]
scenario = "{scenario}"
sampler = "{sampler}"
points = {points}
replicates = {replicates}
seed = 4
chunk_worlds = {chunk}

[parameters]
war_burden = [0.0, 1.0]
bandwidth_weight = [0.0, 10.0]
"ARM.dependency" = [0.2, 0.9]

[[metrics]]
name = "arm_mission"
kind = "response_at_least"
crisis = "arm"
rung = "mission"

[[metrics]]
name = "arm_out"
kind = "status_in"
member = "ARM"
statuses = ["frozen", "withdrawn"]
ever = true

[[metrics]]
name = "kaz_trust"
kind = "trust"
member = "KAZ"
date = "2022-06"

[[metrics]]
name = "active"
kind = "active_members"
"""


def write_spec(folder: Path, name: str = "spec.toml", **fields) -> Path:
    values = dict(scenario=MINI, sampler="lhs", points=12, replicates=10, chunk=30) | fields
    path = folder / name
    path.write_text(SPEC.format(**values), encoding="utf-8")
    return path


def points(out: Path) -> pd.DataFrame:
    return pd.read_parquet(out / "points.parquet")


# --- designs ----------------------------------------------------------------------------------
@pytest.mark.unit
@pytest.mark.parametrize("sampler", SAMPLERS)
def test_design_has_the_stated_size_and_stays_in_bounds(sampler):
    bounds = [(0.0, 1.0), (2.0, 5.0), (-1.0, 0.5)]
    size = {"grid": 4, "lhs": 50, "sobol": 16, "morris": 6}[sampler]
    x = sample(sampler, ["a", "b", "c"], bounds, size, seed=7)
    assert x.shape == (n_points(sampler, size, 3), 3)
    lo, hi = np.array(bounds).T
    assert np.all(x >= lo) and np.all(x <= hi)
    assert_allclose(x, sample(sampler, ["a", "b", "c"], bounds, size, seed=7))


@pytest.mark.unit
def test_grid_is_the_full_product_of_levels():
    x = sample("grid", ["a", "b"], [(0.0, 1.0), (10.0, 20.0)], 3, seed=0)
    assert sorted(map(tuple, x)) == [(a, b) for a in (0, 0.5, 1) for b in (10, 15, 20)]


@pytest.mark.property
@settings(max_examples=25, deadline=None)
@given(
    n=st.integers(2, 200),
    lo=st.floats(-10, 10),
    width=st.floats(0.01, 10),
    seed=st.integers(0, 2**31),
)
def test_latin_hypercube_puts_one_point_in_each_stratum(n, lo, width, seed):
    x = sample("lhs", ["a", "b"], [(lo, lo + width), (0.0, 1.0)], n, seed=seed)
    for col, (a, w) in zip(x.T, [(lo, width), (0.0, 1.0)], strict=True):
        strata = np.clip(((col - a) / w * n).astype(int), 0, n - 1)
        assert sorted(strata) == list(range(n))


# --- bad specs --------------------------------------------------------------------------------
BAD = [
    ("war_burden = [0.0, 1.0]", "no_such = [0.0, 1.0]", "unknown parameter 'no_such'"),
    ("war_burden = [0.0, 1.0]", "war_burden = [0.0, 2.0]", "leaves the declared bounds"),
    ("war_burden = [0.0, 1.0]", "war_burden = [0.6, 0.2]", "must be below"),
    ('"ARM.dependency"', '"ARM.nerve"', "unknown fact 'ARM.nerve'"),
    ('kind = "active_members"', 'kind = "happiness"', "happiness"),
    ('sampler = "lhs"', 'sampler = "halton"', "unknown sampler 'halton'"),
    ('crisis = "arm"', 'crisis = "mars"', "'mars' is not a crisis of mini"),
    ('member = "KAZ"', 'member = "FRA"', "unknown member 'FRA'"),
    ('date = "2022-06"', 'date = "2031-06"', "outside 2022-01..2023-12"),
    ("replicates = 10", "replicates = 0", "replicates"),
    ("seed = 4", "seed = 4\nworkers = 2", "workers"),
    # designs too small for their analysis, and values a lax reader would convert
    ('sampler = "lhs"\npoints = 12', 'sampler = "sobol"\npoints = 1', "at least 16"),
    ('sampler = "lhs"\npoints = 12', 'sampler = "sobol"\npoints = 8', "at least 16"),
    ('sampler = "lhs"\npoints = 12', 'sampler = "morris"\npoints = 1', "at least 2"),
    ("seed = 4", 'seed = 4\nheatmap = ["war_burden", "war_burden"]', "two different"),
    ("war_burden = [0.0, 1.0]", 'war_burden = ["0.0", 1.0]', "parameters.war_burden.1"),
    ("war_burden = [0.0, 1.0]", "war_burden = [0.0, inf]", "finite"),
    ("replicates = 10", 'replicates = "10"', "sweep.replicates: must be a whole number"),
    ("seed = 4", "seed = true", "sweep.seed: must be a whole number"),
    ('crisis = "arm"', 'crisis = "arm"\ncrisis2 = "x"', "metrics.1.crisis2: unknown field"),
    ('kind = "trust"', 'kind = "trst"', "did you mean 'trust'?"),
    ("war_burden = [0.0, 1.0]", "war_burdn = [0.0, 1.0]", "did you mean 'war_burden'?"),
]


@pytest.mark.e2e
@pytest.mark.parametrize(("old", "new", "message"), BAD)
def test_bad_spec_is_one_clear_line(tmp_path, capsys, old, new, message):
    path = write_spec(tmp_path)
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new, 1))
    assert cli_main(["sweep", str(path), "--out", str(tmp_path / "out"), "--quiet"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("cstosim: error: ")
    assert message in err[0] and str(path) in err[0]
    assert not (tmp_path / "out").exists()


@pytest.mark.unit
def test_sobol_needs_a_power_of_two(tmp_path):
    with pytest.raises(UserError, match="power of two"):
        load_spec(write_spec(tmp_path, sampler="sobol", points=100))


# --- execution --------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def reference(tmp_path_factory) -> Path:
    """One sweep of the mini scenario, in one process."""
    folder = tmp_path_factory.mktemp("reference")
    return api.run_sweep(write_spec(folder), folder / "out", progress=False, analyse=False).path


@pytest.mark.e2e
def test_sweep_writes_one_row_per_point_within_bounds(reference):
    table = points(reference)
    assert list(table["point"]) == list(range(12))
    assert table["war_burden"].between(0, 1).all()
    assert table["ARM.dependency"].between(0.2, 0.9).all()
    for col in ("arm_mission", "arm_out"):
        assert table[col].between(0, 1).all()
    assert table["active"].between(0, 9).all()
    assert len(list((reference / "chunks").glob("*.parquet"))) == 4  # 3 points per chunk


@pytest.mark.e2e
@pytest.mark.slow
def test_two_workers_give_identical_results(reference, tmp_path):
    out = api.run_sweep(
        write_spec(tmp_path), tmp_path / "out", workers=2, progress=False, analyse=False
    ).path
    pd.testing.assert_frame_equal(points(out), points(reference))


@pytest.mark.e2e
@pytest.mark.slow
def test_dask_cluster_gives_identical_results(reference, tmp_path):
    distributed = pytest.importorskip("distributed")
    with distributed.LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
    ) as cluster:
        out = api.run_sweep(
            write_spec(tmp_path),
            tmp_path / "out",
            scheduler=cluster.scheduler_address,
            progress=False,
            analyse=False,
        ).path
    pd.testing.assert_frame_equal(points(out), points(reference))


@pytest.mark.e2e
def test_chunk_size_changes_nothing_but_the_files(reference, tmp_path):
    out = api.run_sweep(
        write_spec(tmp_path, chunk=70), tmp_path / "out", progress=False, analyse=False
    ).path
    pd.testing.assert_frame_equal(points(out), points(reference))


@pytest.mark.fault
def test_interrupted_sweep_resumes_without_repeating_a_chunk(reference, tmp_path, monkeypatch):
    real, calls = sweep.evaluate_chunk, []

    def interrupted(job):
        if len(calls) == 2:
            raise KeyboardInterrupt
        calls.append(job.first_point)
        return real(job)

    spec = write_spec(tmp_path)
    monkeypatch.setattr(sweep, "evaluate_chunk", interrupted)
    with pytest.raises(KeyboardInterrupt):
        api.run_sweep(spec, tmp_path / "out", progress=False, analyse=False)
    kept = sorted(p.name for p in (tmp_path / "out" / "chunks").glob("*.parquet"))
    assert kept == ["chunk-000000.parquet", "chunk-000001.parquet"]
    assert not (tmp_path / "out" / "meta.json").exists()

    resumed = []
    monkeypatch.setattr(
        sweep, "evaluate_chunk", lambda job: resumed.append(job.first_point) or real(job)
    )
    out = api.run_sweep(spec, tmp_path / "out", progress=False, analyse=False).path
    assert calls == [0, 3] and resumed == [6, 9]  # first points of the chunks
    pd.testing.assert_frame_equal(points(out), points(reference))


@contextmanager
def _threads(workers, scheduler):
    with ThreadPoolExecutor(2) as executor:
        yield executor


@pytest.mark.fault
def test_failed_chunk_is_retried(reference, tmp_path, monkeypatch):
    real, failures = sweep.evaluate_chunk, []

    def flaky(job):
        if job.first_point == 3 and not failures:
            failures.append(1)
            raise RuntimeError("worker lost")
        return real(job)

    monkeypatch.setattr(sweep, "open_executor", _threads)
    monkeypatch.setattr(sweep, "evaluate_chunk", flaky)
    with pytest.warns(UserWarning, match="retrying"):
        out = api.run_sweep(
            write_spec(tmp_path), tmp_path / "out", workers=2, progress=False, analyse=False
        ).path
    assert failures == [1]
    pd.testing.assert_frame_equal(points(out), points(reference))


@pytest.mark.fault
def test_chunk_that_keeps_failing_is_reported_and_the_rest_kept(tmp_path, monkeypatch):
    real = sweep.evaluate_chunk

    def broken(job):
        if job.first_point == 3:
            raise RuntimeError("bad chunk")
        return real(job)

    monkeypatch.setattr(sweep, "open_executor", _threads)
    monkeypatch.setattr(sweep, "evaluate_chunk", broken)
    with pytest.warns(UserWarning), pytest.raises(UserError, match=r"chunk 1 \(points 3-5\)"):
        api.run_sweep(
            write_spec(tmp_path), tmp_path / "out", workers=2, progress=False, analyse=False
        )
    kept = {p.name for p in (tmp_path / "out" / "chunks").glob("*.parquet")}
    assert kept == {"chunk-000000.parquet", "chunk-000002.parquet", "chunk-000003.parquet"}


def _die_once(marker: Path, job):
    """``evaluate_chunk``, except that the first worker to reach point 3 is killed outright."""
    if job.first_point == 3 and not marker.exists():
        marker.touch()
        os._exit(1)
    return sweep.evaluate_chunk(job)


@pytest.mark.fault
@pytest.mark.slow
def test_killed_worker_loses_nothing(reference, tmp_path, monkeypatch):
    marker = tmp_path / "killed"
    monkeypatch.setattr(sweep, "evaluate_chunk", functools.partial(_die_once, marker))
    with pytest.warns(UserWarning, match="retrying"):
        out = api.run_sweep(
            write_spec(tmp_path), tmp_path / "out", workers=2, progress=False, analyse=False
        ).path
    assert marker.exists()
    pd.testing.assert_frame_equal(points(out), points(reference))


@pytest.mark.e2e
def test_a_different_spec_is_refused_in_the_same_folder(reference, tmp_path):
    other = write_spec(tmp_path, replicates=11)
    with pytest.raises(UserError, match="holds a different sweep"):
        api.run_sweep(other, reference, progress=False, analyse=False)


@pytest.mark.e2e
def test_common_random_numbers_make_equal_points_equal(tmp_path):
    """Grid levels repeat each value of one input; with CRN, a metric that input cannot move
    (KAZ's trust before the Armenian crisis does not depend on Armenia's dependency) is equal."""
    spec = write_spec(tmp_path, sampler="grid", points=2)
    table = points(api.run_sweep(spec, tmp_path / "out", progress=False, analyse=False).path)
    pairs = table.groupby(["war_burden", "bandwidth_weight"])["kaz_trust"].nunique()
    assert (pairs == 1).all()


# --- metrics ----------------------------------------------------------------------------------
@pytest.mark.unit
def test_metrics_agree_with_the_result_tables():
    sc = load_scenario(MINI)
    metrics = [
        ResponseAtLeast(name="arm_mission", kind="response_at_least", crisis="arm", rung="mission"),
        StatusIn(name="arm_out", kind="status_in", member="ARM", statuses=["frozen", "withdrawn"]),
        StatusIn(name="arm_ever", kind="status_in", member="ARM", statuses=["frozen"], ever=True),
        Trust(name="arm_trust", kind="trust", member="ARM"),
    ]
    values = run_metrics(AllianceModel(sc, n_worlds=300, seed=2), metrics)
    tables = evaluate(sc, 300, 2).tables
    arm = tables["members"][tables["members"]["member"] == "ARM"].sort_values("world")
    crisis = tables["crises"][tables["crises"]["crisis"] == "arm"].sort_values("world")
    rungs = ["mission", "deployment"]
    assert_allclose(values["arm_mission"], crisis["response"].isin(rungs).to_numpy())
    assert_allclose(values["arm_out"], arm["final_status"].isin(["frozen", "withdrawn"]))
    assert_allclose(values["arm_ever"], (arm["first_frozen_step"] >= 0).to_numpy())
    assert_allclose(values["arm_trust"], arm["final_trust"].to_numpy())


# --- paired what-ifs --------------------------------------------------------------------------
@pytest.mark.unit
def test_paired_difference_by_hand():
    mean, low, high = compare.paired_difference(np.array([0, 1, 0, 1]), np.array([1, 1, 1, 1]))
    # d = (1, 0, 1, 0): mean 0.5, sd 0.57735, se 0.288675, t(0.975, 3) = 3.182446
    assert_allclose([mean, low, high], [0.5, 0.5 - 0.918693, 0.5 + 0.918693], atol=1e-6)


@pytest.mark.unit
def test_a_change_to_the_default_value_changes_nothing():
    sc = load_scenario(MINI)
    result = compare.compare(sc, {"war_burden": defaults()["war_burden"]}, n_worlds=200, seed=1)
    assert (result.table["diff"] == 0).all()
    assert (result.table["ci_low"] == 0).all() and (result.table["ci_high"] == 0).all()


@pytest.mark.unit
def test_common_random_numbers_narrow_the_interval():
    sc = load_scenario(MINI)
    result = compare.compare(sc, {"war_burden": 0.0}, n_worlds=400, seed=1)
    row = result.table.set_index("metric").loc["kaz_trust"]
    b, v = result.pairs["kaz_trust"]
    assert row["n_pairs"] == 400 and row["ci_low"] <= row["diff"] <= row["ci_high"]
    assert_allclose(row["diff"], (v - b).mean())
    unpaired_se = np.sqrt(b.var(ddof=1) / len(b) + v.var(ddof=1) / len(v))
    paired_se = (row["ci_high"] - row["ci_low"]) / 2 / 1.966
    assert paired_se < 0.75 * unpaired_se


@pytest.mark.parametrize(
    ("setting", "message"),
    [
        ("nerve=1", "unknown parameter 'nerve'"),
        ("war_burden=3", "outside [0, 1]"),
        ("TJK.dependency=1.5", "outside [0, 1]"),
        ("war_burden", "expected NAME=VALUE"),
    ],
)
@pytest.mark.e2e
def test_bad_compare_setting_is_one_clear_line(tmp_path, capsys, setting, message):
    code = cli_main(["compare", str(MINI), "--set", setting, "--out", str(tmp_path / "o")])
    err = capsys.readouterr().err.strip().splitlines()
    assert code == 2 and len(err) == 1 and message in err[0]


# --- end to end: one command, analysis and plots ---------------------------------------------
SOBOL_INPUTS = """
[parameters]
war_burden = [0.0, 1.0]
bandwidth_weight = [0.0, 10.0]
territory_motive = [0.0, 12.0]
ties_weight = [0.0, 10.0]
precedent_weight = [0.0, 12.0]
"ARM.dependency" = [0.2, 0.9]
"""


@pytest.mark.e2e
@pytest.mark.slow
def test_sobol_sweep_of_six_inputs_runs_from_one_command(tmp_path, capsys):
    spec = write_spec(tmp_path, sampler="sobol", points=16, replicates=4, chunk=200)
    text = spec.read_text()
    head, rest = text.split("[parameters]", 1)
    spec.write_text(head + SOBOL_INPUTS + "\n[[metrics]]" + rest.split("[[metrics]]", 1)[1])
    out = tmp_path / "out"
    assert cli_main(["sweep", str(spec), "--out", str(out), "--quiet", "--workers", "2"]) == 0
    table = pd.read_csv(out / "analysis" / "sobol.csv")
    assert list(table.columns) == ["parameter", "S1", "S1_conf", "ST", "ST_conf", "metric"]
    assert len(table) == 6 * 4 and len(points(out)) == 16 * 8
    # the fear of precedent weighs only in unrest called internal, and the one unrest before the
    # attack on Armenia is framed as foreign-backed: it cannot move the chance of a mission or more
    own = table[(table["metric"] == "arm_mission") & (table["parameter"] == "precedent_weight")]
    assert abs(float(own["ST"].iloc[0])) < 0.05
    for metric in ("arm_mission", "arm_out", "kaz_trust", "active"):
        assert (out / "plots" / f"sensitivity-{metric}.png").stat().st_size > 1000
        assert (out / "plots" / f"heatmap-{metric}.png").is_file()
    meta = json.loads((out / "meta.json").read_text())
    assert "analysis/sobol.csv" in meta["files"] and meta["spec_hash"]
    assert f"results: {out}" in capsys.readouterr().out


@pytest.mark.e2e
@pytest.mark.slow
def test_prim_box_is_written_and_plotted(tmp_path):
    spec = write_spec(tmp_path, points=60, replicates=10, chunk=200)
    spec.write_text(spec.read_text() + '\n[prim]\nmetric = "arm_mission"\nthreshold = 0.3\n')
    out = api.run_sweep(spec, tmp_path / "out", progress=False).path
    box = pd.read_csv(out / "analysis" / "prim_box.csv")
    assert set(box["parameter"]) == {"war_burden", "bandwidth_weight", "ARM.dependency"}
    assert (out / "plots" / "prim.png").stat().st_size > 1000
