"""Calibration recovers known parameters: on a synthetic objective and on the model itself."""

import numpy as np
import pytest
from numpy.testing import assert_allclose

from cstosim.experiments import calibration as cal
from cstosim.experiments.runs import simulate
from cstosim.experiments.validation import BaseRates
from cstosim.inputs.expected import load_documented
from cstosim.inputs.scenario import load_scenario
from tests.support import MINI

FIXTURE = MINI


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
    support_threshold = 0.2. Fitting that one parameter from a wide range must land near 0.2."""
    sc = load_scenario(FIXTURE)
    truth = simulate(sc, 4000, seed=11, parameters={"support_threshold": 0.2}).tables
    share = truth["support"].groupby("member")["backs"].mean()

    def objective(points):
        # squared distance between the model's backing shares and the synthetic truth
        n = len(points["support_threshold"])
        reps = 200
        params = {"support_threshold": np.repeat(points["support_threshold"], reps)}
        out = simulate(
            sc, n * reps, seed=3, parameters=params, log_worlds=0, stream_period=reps
        ).tables["support"]
        out = out.assign(point=out["world"] // reps)
        model = out.groupby(["point", "member"])["backs"].mean().unstack()
        return ((model - share[model.columns]) ** 2).sum(axis=1).to_numpy()

    budget = cal.Budget(design=16, generations=4, population=16, parents=4, finalists=3)
    res = cal.fit(objective, {"support_threshold": (-2.0, 2.0)}, budget, seed=2)
    assert abs(res.best["support_threshold"] - 0.2) < 0.1


@pytest.mark.unit
def test_score_points_shares_random_numbers_across_points():
    sc = load_documented(FIXTURE)
    base = BaseRates.from_scenarios([sc])
    same = {"temperature": np.array([0.35, 0.35])}
    checks, probs = cal.score_points(same, [sc], base, replicates=100, seed=4)
    assert probs.shape == (len(checks), 2)
    assert_allclose(probs[:, 0], probs[:, 1])
