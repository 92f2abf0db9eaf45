"""Calibration recovers known parameters: on a synthetic objective and on the model itself."""

import json

import numpy as np
import pandas as pd
import pytest
from numpy.testing import assert_allclose

from cstosim.experiments import calibration as cal
from cstosim.experiments import validation
from cstosim.experiments.checks import checks_of
from cstosim.experiments.runs import simulate
from cstosim.experiments.validation import scored_checks
from cstosim.inputs.expected import load_documented
from cstosim.inputs.scenario import load_scenario
from tests.experiments.handmade import BLR_BACKS, documented
from tests.support import MINI

FIXTURE = MINI


@pytest.mark.unit
def test_a_fit_searches_from_a_terms_fit_low():
    space = cal.parameter_space()
    assert space["grievance_weight"] == (2, 20)
    assert space["withdraw_margin"] == (0, 15)
    points = cal.latin_hypercube(space, 64, 0)
    assert points["grievance_weight"].min() >= 2


@pytest.mark.unit
def test_latin_hypercube_stays_in_bounds_and_stratifies():
    pts = cal.latin_hypercube({"a": (0.0, 1.0), "b": (-5.0, 5.0)}, 50, seed=3)
    assert pts["a"].shape == (50,)
    assert pts["b"].min() >= -5 and pts["b"].max() <= 5
    # one point per stratum of width 1/50 on each axis
    assert np.array_equal(np.sort(np.floor(pts["a"] * 50)), np.arange(50))


@pytest.mark.unit
def test_fit_recovers_the_minimum_of_a_noisy_objective():
    """Known answer: a = 0.3, b = -2; b's range is wide; noise as from finite worlds."""
    rng = np.random.default_rng(0)

    def objective(p):
        return (p["a"] - 0.3) ** 2 + 0.01 * (p["b"] + 2.0) ** 2 + 0.002 * rng.random(len(p["a"]))

    budget = cal.Budget(design=64, generations=8, population=64, parents=6, finalists=4)
    res = cal.fit(objective, {"a": (0.0, 1.0), "b": (-5.0, 5.0)}, budget, seed=1)
    assert abs(res.best["a"] - 0.3) < 0.05
    assert abs(res.best["b"] + 2.0) < 0.5
    assert len(res.evaluated) == 64 + 8 * 64
    assert res.accepted(0.05)["loss"].max() <= res.evaluated["loss"].quantile(0.06)


@pytest.mark.unit
@pytest.mark.slow
def test_calibration_recovers_a_model_parameter_from_synthetic_history(tmp_path):
    """Synthetic truth: the fixture's documented outcome is whatever the model does at
    support_cost = 4. Fitting that one parameter from a wide range must land near 4."""
    sc = load_scenario(FIXTURE)
    truth = simulate(sc, 4000, seed=11, parameters={"support_cost": 4.0}).tables
    share = truth["support"].groupby("member")["backs"].mean()

    def objective(points):
        # squared distance between the model's backing shares and the synthetic truth. A share's
        # sampling error is about 0.03 at 200 worlds, as large as what a small step of the
        # parameter moves it, so the optimum was the sample's; at 2,000 worlds it is about 0.01
        n = len(points["support_cost"])
        reps = 2000
        params = {"support_cost": np.repeat(points["support_cost"], reps)}
        out = simulate(
            sc, n * reps, seed=3, parameters=params, log_worlds=0, stream_period=reps
        ).tables["support"]
        out = out.assign(point=out["world"] // reps)
        model = out.groupby(["point", "member"])["backs"].mean().unstack()
        return ((model - share[model.columns]) ** 2).sum(axis=1).to_numpy()

    budget = cal.Budget(design=16, generations=4, population=16, parents=4, finalists=3)
    res = cal.fit(objective, {"support_cost": (0.0, 12.0)}, budget, seed=2)
    assert abs(res.best["support_cost"] - 4.0) < 0.6


@pytest.mark.unit
def test_score_points_shares_random_numbers_across_points():
    sc = load_documented(FIXTURE)
    same = {"need_weight": np.array([8.0, 8.0])}
    checks, probs = cal.point_probabilities(same, checks_of(sc), replicates=100, seed=4)
    assert probs.shape == (len(checks), 2)
    assert_allclose(probs[:, 0], probs[:, 1])


@pytest.mark.unit
def test_the_objective_is_the_mean_floored_log_score_of_each_fact_once(tmp_path):
    # the same fact (E17) in two files, and one fact of the later file only
    crisis = 'event = "kaz"\nrequest = "assistance"\nresponse = ["deployment"]\nnote = "E17"\n'
    support = '[[expected.support]]\nevent = "support"\nmember = "BLR"\nbacks = true\n'
    early = documented(tmp_path, "early", f"[[expected.crisis]]\n{crisis}", start="2021-12")
    late = documented(tmp_path, "late", f"[[expected.crisis]]\n{crisis}\n{support}")
    kept, _ = scored_checks([late, early])
    assert [(c.scenario, c.kind) for c in kept] == [
        ("early", "request"),
        ("early", "response"),
        ("late", "support"),
    ]
    checks, probs = cal.point_probabilities({"need_weight": np.array([8.0])}, kept, 10, seed=4)
    assert len(checks) == 3 and probs.shape == (3, 1)
    # by hand: sure hit, sure miss (floored at half a world in 10) and one half
    assert_allclose(
        cal.mean_log_score(np.array([[1.0], [0.0], [0.5]]), 10), [(0 + np.log(20) + np.log(2)) / 3]
    )


@pytest.mark.e2e
@pytest.mark.slow
def test_run_calibration_fits_each_fact_once_and_reports_leave_one_crisis_out(
    tmp_path, monkeypatch
):
    crisis = 'event = "kaz"\nrequest = "assistance"\nresponse = ["deployment"]\nnote = "E17"\n'
    early = documented(tmp_path, "early", f"[[expected.crisis]]\n{crisis}", start="2021-12")
    late = documented(tmp_path, "late", f"[[expected.crisis]]\n{crisis}\n{BLR_BACKS}")
    monkeypatch.setattr(validation, "documented_scenarios", lambda: [late, early])
    budget = cal.Budget(
        design=3, generations=1, population=2, parents=1, replicates=4, finalists=1, final_worlds=8
    )
    written = cal.run_calibration(budget, 2, tmp_path / "fit", "tiny", progress=False)
    record = json.loads(written[0].read_text())
    assert record["provenance"]["checks"] == 3  # E17 once (request, response); BLR backs
    assert record["provenance"]["scenarios"] == ["early", "late"]
    held = record["provenance"]["leave_one_crisis_out"]
    assert held["checks"] == 2 and held["held_out"]["log"] >= 0
    loo = pd.read_csv(tmp_path / "fit" / "loo.csv")
    assert set(loo["fact"]) == {"E17"} and set(loo["scenario"]) == {"early"}
