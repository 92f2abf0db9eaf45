"""The proper scores, the modal rule and the reliability table, against values worked by hand."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from numpy.testing import assert_allclose

from cstosim.experiments.scoring import (
    brier,
    distribution,
    is_modal,
    log_floor,
    log_score,
    ranked_probability_score,
    reliability,
    scores,
    wilson_interval,
)


@pytest.mark.unit
def test_distribution_is_the_share_of_worlds_per_category():
    codes = np.array([[0, 2, 2, 1], [1, 1, 1, 1]])
    assert_allclose(distribution(codes, 3), [[0.25, 0.25, 0.5], [0.0, 1.0, 0.0]])


@pytest.mark.unit
def test_brier_sums_squared_errors_over_categories():
    # (0.2-0)^2 + (0.5-1)^2 + (0.3-0)^2 = 0.04 + 0.25 + 0.09
    assert_allclose(brier([0.2, 0.5, 0.3], 1), 0.38)
    # a sure hit scores 0, a sure miss 2, a binary forecast of 1/2 scores 1/2
    assert_allclose(brier([[1, 0], [0, 1], [0.5, 0.5]], 0), [0.0, 2.0, 0.5])


@pytest.mark.unit
def test_log_score_is_floored_at_half_a_world():
    floor = log_floor(2000)
    assert floor == 1 / 4000
    assert_allclose(log_score([0.25, 0.75], 1, floor), -np.log(0.75))
    assert_allclose(log_score([1.0, 0.0], 1, floor), np.log(4000))
    assert log_score([0.0, 1.0], 1, floor) == 0.0
    assert str(log_score([0.0, 1.0], 1, floor)) == "0.0"  # not -0.0 in the tables


@pytest.mark.unit
def test_ranked_probability_score_by_hand():
    # ladder of 4; forecast (0.1, 0.2, 0.3, 0.4), outcome rung 1
    # cumulative forecast 0.1, 0.3, 0.6; cumulative outcome 0, 1, 1
    # (0.01 + 0.49 + 0.16) / 3 = 0.22
    assert_allclose(ranked_probability_score([0.1, 0.2, 0.3, 0.4], 1), 0.22)
    # all mass on the far end of the ladder is the worst forecast: 1
    assert_allclose(ranked_probability_score([0, 0, 0, 1.0], 0), 1.0)
    # a near miss costs less than a far one, which Brier cannot see
    near = ranked_probability_score([0, 1.0, 0, 0], 0)
    far = ranked_probability_score([0, 0, 1.0, 0], 0)
    assert near < far and brier([0, 1.0, 0, 0], 0) == brier([0, 0, 1.0, 0], 0)


@pytest.mark.unit
def test_modal_means_the_single_most_likely_outcome():
    assert is_modal([0.38, 0.31, 0.31], 0)  # a six-rung check passes at 0.38 if nothing beats it
    assert not is_modal([0.49, 0.51], 0)  # a yes/no check at 0.49 is not modal
    assert not is_modal([0.5, 0.5], 0)  # a tie is not modal
    assert is_modal([0.0, 1.0], 1) and not is_modal([0.0, 1.0], 0)


@pytest.mark.unit
def test_scores_gives_rps_only_on_a_ladder():
    got = scores(np.array([0.5, 0.5]), 1, 0.001, ordinal=False)
    assert np.isnan(got["rps"]) and got["brier"] == 0.5 and not got["modal"]
    got = scores(np.array([0.2, 0.8, 0.0]), 1, 0.001, ordinal=True)
    assert_allclose(got["rps"], (0.2**2 + 0.0**2) / 2)
    assert got["modal"]


@pytest.mark.unit
def test_wilson_interval_by_hand():
    lo, hi = wilson_interval(np.array([5]), np.array([10]))
    # p = 0.5, n = 10: centre 0.5, half-width 1.96/(1+0.384)*sqrt(0.025 + 0.0096) = 0.2634
    assert_allclose([lo[0], hi[0]], [0.5 - 0.2634, 0.5 + 0.2634], atol=1e-3)


@pytest.mark.unit
def test_reliability_pools_every_category_of_every_check():
    forecasts = [np.array([0.1, 0.9]), np.array([0.3, 0.3, 0.4]), np.array([0.95, 0.05])]
    observed = [1, 2, 0]
    rel = reliability(forecasts, observed).set_index("bin")
    # pairs (p, happened): (0.1,0) (0.9,1) (0.3,0) (0.3,0) (0.4,1) (0.95,1) (0.05,0)
    assert rel["n"].tolist() == [2, 2, 1, 0, 2]
    assert rel["hits"].tolist() == [0, 0, 1, 0, 2]
    assert_allclose(rel.loc[0, "mean_p"], 0.075)
    assert_allclose(rel.loc[4, "observed"], 1.0)
    assert np.isnan(rel.loc[3, "observed"])
    assert rel.loc[4, "hi"] == 1.0 and rel.loc[1, "lo"] == 0.2


probabilities = (
    st.lists(st.floats(0.0, 1.0), min_size=2, max_size=6)
    .filter(lambda xs: sum(xs) > 0.01)
    .map(lambda xs: np.array(xs) / sum(xs))
)


@pytest.mark.property
@pytest.mark.parametrize("score", ["brier", "rps", "log"])
@given(truth=probabilities, data=st.data())
@settings(max_examples=30, deadline=None)
def test_the_scores_are_proper(score, truth, data):
    """Reporting the true distribution never scores worse, in expectation, than any other."""
    other = data.draw(probabilities.filter(lambda p: len(p) == len(truth)))
    floor = 1e-9

    def expected(p):
        k = len(truth)
        one = {
            "brier": lambda o: brier(p, o),
            "rps": lambda o: ranked_probability_score(p, o),
            "log": lambda o: log_score(np.maximum(p, floor), o, floor),
        }[score]
        return sum(truth[o] * one(o) for o in range(k))

    assert expected(truth) <= expected(other) + 1e-9
