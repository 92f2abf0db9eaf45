"""The predictive checks on synthetic runs whose changes are planted at known dates."""

import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal

from cstosim.experiments.ppc import (
    band_result,
    first_entry,
    intervals,
    order_boundaries,
    order_shares,
    placebo_result,
    predictive_checks,
    window_hits,
)
from tests.experiments.handmade import check, documented, outcomes

N_WORLDS, N_STEPS = 1000, 60


def planted(at: int, share: float, noise: float, seed: int = 0) -> np.ndarray:
    """Entries: ``share`` of worlds change within a month of ``at``; every world also changes
    at random months with probability ``noise`` each."""
    rng = np.random.default_rng(seed)
    entered = rng.random((N_WORLDS, N_STEPS)) < noise
    movers = rng.random(N_WORLDS) < share
    when = at + rng.integers(-1, 2, N_WORLDS)
    entered[np.flatnonzero(movers), when[movers]] = True
    return entered


@pytest.mark.unit
def test_window_hits_by_hand():
    entered = np.zeros((4, 6), dtype=bool)
    entered[0, 1] = entered[1, 4] = entered[2, [0, 5]] = True
    centres, p = window_hits(entered, 1)
    assert_array_equal(centres, [1, 2, 3, 4])
    # windows [0,2] [1,3] [2,4] [3,5]: worlds 0+2, 0, 1, 1+2
    assert_allclose(p, [0.5, 0.25, 0.25, 0.5])


@pytest.mark.unit
def test_the_placebo_peaks_at_the_planted_date_and_nowhere_else():
    entered = planted(at=40, share=0.6, noise=0.01)
    centres, p = window_hits(entered, 3)
    floor = 1 / (2 * N_WORLDS)
    right = placebo_result(centres, p, documented=40, tolerance=3, floor=floor)
    # every window centred on 38..42 holds the whole planted spread 39..41
    assert right.passed and abs(right.peak - 40) <= 2
    # the planted 60% over a background of about 1 - 0.99^7 = 7%
    assert right.contrast > 5 and right.p_placebo < 0.1
    wrong = placebo_result(centres, p, documented=20, tolerance=3, floor=floor)
    assert not wrong.passed and wrong.contrast < 1.5


@pytest.mark.unit
def test_a_flat_or_empty_placebo_curve_does_not_pass():
    centres = np.arange(2, 20)
    flat = placebo_result(centres, np.full(18, 0.7), documented=10, tolerance=2, floor=1e-3)
    assert not flat.passed  # the peak is everywhere, so nowhere in particular
    assert_allclose(flat.contrast, 1.0)
    empty = placebo_result(centres, np.zeros(18), documented=10, tolerance=2, floor=1e-3)
    assert not empty.passed and empty.contrast == 0


@pytest.mark.unit
def test_the_documented_count_must_lie_in_the_band():
    counts = np.repeat(np.arange(10), 10)  # 0..9, ten worlds each
    inside, outside = band_result(counts, 5), band_result(counts, 12)
    assert inside["passed"] and not outside["passed"]
    assert inside["q05"] == 0 and inside["q95"] == 9
    w = outcomes(3, moves=[(0, "ARM", 1, "active", "frozen"), (0, "ARM", 2, "frozen", "active")])
    assert_array_equal(w.changes_per_world(), [2, 0, 0])


@pytest.mark.unit
def test_order_intervals_and_shares_by_hand():
    cuts = intervals([(5, "a"), (5, "b"), (9, "c")], 12)
    assert cuts == [(0, 4, "start → a, b"), (5, 8, "a, b → c"), (9, 11, "c → end")]
    first = first_entry(np.array([[0, 0, 1, 1], [0, 0, 0, 0], [1, 0, 0, 0]], dtype=bool))
    assert_array_equal(first, [2, -1, 0])
    shares = order_shares(np.array([0, 3, 6, 7, 10, -1]), cuts)
    assert_allclose(shares, [0.4, 0.4, 0.2])  # among the five worlds that change


EXPECTED = """[[expected.crisis]]
event = "arm"
request = "assistance"
response = ["mission"]

[[expected.membership]]
member = "ARM"
status = "frozen"
date = "2023-01"
tolerance_months = 2
from_status = "active"

[[expected.membership]]
member = "KGZ"
status = "frozen"
date = "2022-05"
tolerance_months = 1
"""


@pytest.mark.unit
def test_order_boundaries_are_the_crises_and_the_other_changes(tmp_path):
    doc = documented(tmp_path, "traj", EXPECTED)
    arm = check(doc, "ARM enters frozen from active 2023-01±2")
    # crises of the mini file: kaz 2022-01, war 2022-02, arm 2022-09, clash 2022-09, osh 2023-06;
    # the other documented change: KGZ frozen 2022-05
    assert order_boundaries(arm) == [
        (0, "kaz"),
        (1, "war"),
        (4, "KGZ frozen 2022-05"),
        (8, "arm"),
        (8, "clash"),
        (17, "osh"),
    ]


@pytest.mark.unit
def test_predictive_checks_on_a_synthetic_run(tmp_path):
    """ARM freezes in 2023-01 (step 12) in most worlds, after the September 2022 attack; KGZ
    freezes in 2023-12, far from its documented 2022-05."""
    doc = documented(tmp_path, "traj", EXPECTED)
    rng = np.random.default_rng(3)
    n = 400
    arm_steps = 12 + rng.integers(-1, 2, n)
    moves = [(w, "ARM", int(s), "active", "frozen") for w, s in enumerate(arm_steps) if w % 10]
    moves += [(w, "KGZ", 23, "active", "frozen") for w in range(0, n, 2)]
    out = predictive_checks(doc, outcomes(n, moves=moves), floor=1 / (2 * n)).tables()
    tests = out["ppc"].set_index(["test", "check"])["passed"]
    assert tests[("timing placebo", "ARM enters frozen from active 2023-01±2")]
    assert tests[("order", "ARM enters frozen from active 2023-01±2")]
    assert not tests[("timing placebo", "KGZ enters frozen 2022-05±1")]
    assert not tests[("order", "KGZ enters frozen 2022-05±1")]
    # two documented changes; worlds make 0, 1 or 2
    changes = out["ppc"][out["ppc"]["test"] == "status changes"].iloc[0]
    assert changes["documented"] == 2 and changes["passed"]
    assert out["changes"]["worlds"].sum() == n
    order = out["order"][out["order"]["check"].str.startswith("ARM")]
    assert order.loc[order["documented"], "interval"].tolist() == ["arm, clash → osh"]
    assert_allclose(order["share"].sum(), 1.0)
    placebo = out["placebo"][out["placebo"]["check"].str.startswith("ARM")]
    assert placebo["step"].min() == 2 and placebo["step"].max() == 21  # whole windows only
