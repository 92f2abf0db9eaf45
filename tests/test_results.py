"""The notebook-friendly API: result objects, ordered categoricals, figures from memory, ids and
dicts wherever files are accepted, and every kind of results folder reopened and plotted."""

from __future__ import annotations

import json
import os
import tomllib
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from matplotlib.figure import Figure

import cstosim
from cstosim import api
from cstosim.experiments import storage
from cstosim.experiments.folders import folder_kind
from cstosim.inputs.catalogue import USER_SCENARIOS
from cstosim.inputs.errors import UserError
from cstosim.inputs.scenario import load_scenario
from cstosim.inputs.vocabulary import MEMBERS, REQUEST_NAMES, RUNG_NAMES, STATUS_NAMES
from cstosim.results import (
    CompareResult,
    Result,
    RunResult,
    SweepResult,
    categorical,
)
from tests.plots.test_run_plots import make_run
from tests.support import MINI

pytestmark = [pytest.mark.unit]


@pytest.fixture(scope="module")
def mini_run() -> RunResult:
    return api.simulate(MINI, n_worlds=60, seed=4)


def test_scenario_ids_load_like_paths() -> None:
    by_id = api.load_scenario("kazakhstan_2022")
    by_path = load_scenario(Path(__file__).parents[1] / "scenarios" / "kazakhstan_2022.toml")
    assert by_id == by_path


def test_simulate_takes_an_id_a_path_a_dict_and_a_scenario(mini_run: RunResult) -> None:
    raw = tomllib.loads(MINI.read_text(encoding="utf-8"))
    raw.pop("expected", None)
    for given in (str(MINI), raw, load_scenario(MINI)):
        again = api.simulate(given, n_worlds=60, seed=4)
        pd.testing.assert_frame_equal(again.crises, mini_run.crises)


def test_a_dict_scenario_with_a_bad_field_is_one_line() -> None:
    raw = tomllib.loads(MINI.read_text(encoding="utf-8"))
    raw.pop("expected", None)
    raw["events"][0]["severity"] = 2.0
    with pytest.raises(UserError, match=r"scenario \(a dict\): events\.1\.severity"):
        api.simulate(raw, n_worlds=5)


def test_rungs_statuses_and_requests_are_ordered_categoricals(mini_run: RunResult) -> None:
    crises, members = mini_run.crises, mini_run.members
    assert list(crises["response"].cat.categories) == list(RUNG_NAMES)
    assert crises["response"].cat.ordered
    assert list(crises["request"].cat.categories) == list(REQUEST_NAMES)
    assert list(members["final_status"].cat.categories) == list(STATUS_NAMES)
    assert list(members["member"].cat.categories) == list(MEMBERS)
    # value_counts lists the ladder in order, not alphabetically
    counts = crises["response"].value_counts(sort=False)
    assert list(counts.index) == list(RUNG_NAMES)
    assert (crises["response"] >= "statement").dtype == bool


def test_model_2_columns_become_categoricals_when_present() -> None:
    table = pd.DataFrame({"channel": ["bilateral", "none"], "russia": ["arms", "troops"]})
    out = categorical(table)
    assert list(out["channel"].cat.categories) == [
        "none",
        "bilateral",
        "consultations",
        "assistance",
    ]
    assert out["russia"].max() == "troops"


def test_a_column_with_names_outside_its_vocabulary_is_left_as_text() -> None:
    out = categorical(pd.DataFrame({"response": ["mission", "something_new"]}))
    assert out["response"].tolist() == ["mission", "something_new"]
    assert not isinstance(out["response"].dtype, pd.CategoricalDtype)


def test_plot_methods_return_figures_from_memory(mini_run: RunResult, tmp_path: Path) -> None:
    for draw in (mini_run.plot_responses, mini_run.plot_defection, mini_run.plot_trust):
        fig = draw()
        assert isinstance(fig, Figure)
        assert fig.axes, draw.__name__
    assert set(mini_run.figures()) == {"responses.png", "russia.png", "defection.png", "trust.png"}
    assert list(tmp_path.iterdir()) == []  # nothing written


def test_responses_carry_wilson_intervals(mini_run: RunResult) -> None:
    table = mini_run.responses()
    assert (table["ci_low"] <= table["share"]).all() and (table["share"] <= table["ci_high"]).all()
    shares = table.groupby("crisis", observed=True)["share"].sum()
    assert np.allclose(shares, 1.0)


def test_repr_html_names_the_scenario_and_modal_responses(mini_run: RunResult) -> None:
    text = mini_run._repr_html_()
    assert "Fixture: a year of crises" in text
    assert "most common response" in text
    assert "seed 4" in text


def test_narrative_is_one_logged_world_in_order(mini_run: RunResult) -> None:
    story = mini_run.narrative(1)
    assert not story.empty
    assert set(story["world"]) == {1}
    assert story["step"].is_monotonic_increasing


def test_folder_kinds(tmp_path: Path) -> None:
    make_run(tmp_path / "batch" / "a")
    make_run(tmp_path / "batch" / "b", seed=2)
    assert folder_kind(tmp_path / "batch" / "a") == "run"
    assert folder_kind(tmp_path / "batch") == "batch"
    (tmp_path / "empty").mkdir()
    with pytest.raises(UserError, match="no finished cstosim run"):
        folder_kind(tmp_path / "empty")


@pytest.mark.slow
def test_from_folder_reopens_a_run_and_a_batch(tmp_path: Path) -> None:
    make_run(tmp_path / "batch" / "a")
    make_run(tmp_path / "batch" / "b", seed=2)
    batch = Result.from_folder(tmp_path / "batch")
    assert list(batch.runs) == ["a", "b"]
    assert isinstance(batch["a"], RunResult)
    assert "summary_responses.png" in batch.figures()
    assert "a/trust.png" in batch.figures()
    assert "Batch of 2 scenarios" in batch._repr_html_()


def _compare_folder(folder: Path) -> Path:
    folder.mkdir()
    table = pd.DataFrame(
        {
            "metric": ["p_request", "trust_ARM"],
            "baseline": [0.4, 0.6],
            "variant": [0.5, 0.55],
            "diff": [0.1, -0.05],
            "ci_low": [0.05, -0.08],
            "ci_high": [0.15, -0.02],
            "n_pairs": [100, 100],
        }
    )
    table.to_csv(folder / "compare.csv", index=False)
    meta = {"scenario_id": "mini", "changes": {"war_burden": 0.0}, "n_worlds": 100, "seed": 0}
    storage.write_json(meta, folder / "meta.json")
    return folder


def test_plot_draws_a_compare_folder(tmp_path: Path) -> None:
    """Before: ``cstosim plot`` on a comparison drew nothing and said nothing."""
    folder = _compare_folder(tmp_path / "cmp")
    drawn = api.plot_results(folder)
    assert drawn == [folder / "compare.png"]
    assert (folder / "compare.png").read_bytes()[:4] == b"\x89PNG"
    result = Result.from_folder(folder)
    assert isinstance(result, CompareResult)
    assert "war_burden=0" in result.title


def test_result_paths_work_as_paths(tmp_path: Path) -> None:
    folder = _compare_folder(tmp_path / "cmp")
    result = Result.from_folder(folder)
    assert Path(result) == folder
    with pytest.raises(TypeError, match="not written to a folder"):
        os.fspath(api.simulate(MINI, n_worlds=2))


def test_the_user_folder_is_searched_for_ids_first(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    mine = tmp_path / "mine"
    monkeypatch.setenv(USER_SCENARIOS, str(mine))
    path = api.new_scenario("my_kazakhstan", "kazakhstan_2022")
    assert path == mine / "my_kazakhstan.toml"
    assert path.read_text(encoding="utf-8").startswith("# Scaffolded by 'cstosim new")
    scenario = api.load_scenario("my_kazakhstan")
    assert scenario.id == "my_kazakhstan"
    assert scenario.events == api.load_scenario("kazakhstan_2022").events
    with pytest.raises(UserError, match="exists"):
        api.new_scenario("my_kazakhstan", "kazakhstan_2022")
    with pytest.raises(UserError, match="exists"):
        api.new_scenario("osh_2010", "kazakhstan_2022")  # would shadow a shipped id
    with pytest.raises(UserError, match="not a scenario id"):
        api.new_scenario("My Scenario", "kazakhstan_2022")


def test_new_needs_a_folder(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(USER_SCENARIOS, raising=False)
    with pytest.raises(UserError, match="--scenarios-dir"):
        api.new_scenario("another", "osh_2010")


def test_the_package_has_a_version() -> None:
    assert cstosim.__version__ and cstosim.__version__ != "0+unknown"


def test_results_read_back_the_files_of_a_run(tmp_path: Path) -> None:
    run = RunResult.read(make_run(tmp_path / "r"))
    assert list(run.crises["response"].cat.categories) == list(RUNG_NAMES)
    meta = json.loads((tmp_path / "r" / "meta.json").read_text())
    assert run.meta == meta


@pytest.mark.slow
def test_a_sweep_spec_may_be_a_dict(tmp_path: Path) -> None:
    spec = {
        "sweep": {
            "scenario": str(MINI),
            "sampler": "grid",
            "points": 2,
            "replicates": 3,
            "seed": 1,
        },
        "parameters": {"war_burden": [0.0, 1.0], "KAZ.dependency": [0.2, 0.8]},
        "metrics": [
            {
                "name": "kaz_asks",
                "kind": "request_at_least",
                "crisis": "kaz",
                "request": "assistance",
            }
        ],
    }
    result = api.run_sweep(spec, tmp_path / "sweep", progress=False)
    assert isinstance(result, SweepResult)
    assert len(result.points) == 4
    assert "heatmap-kaz_asks.png" in result.figures()
    assert (tmp_path / "sweep" / "plots" / "heatmap-kaz_asks.png").is_file()
    assert "mean" in result.summary_table().columns
    # the same dict again resumes the same folder instead of refusing it
    again = api.run_sweep(spec, tmp_path / "sweep", progress=False)
    pd.testing.assert_frame_equal(again.points, result.points)
    # before: plotting a sweep folder fell into the run reader and raised KeyError
    drawn = api.plot_results(tmp_path / "sweep")
    assert sorted(p.name for p in drawn) == ["heatmap-kaz_asks.png"]


def test_progress_bars_suit_notebooks() -> None:
    """Before: plain tqdm, which prints text bars into a notebook's output."""
    from tqdm.auto import tqdm as auto

    from cstosim.experiments import runs, sweep, validation

    assert runs.tqdm is sweep.tqdm is validation.tqdm is auto
