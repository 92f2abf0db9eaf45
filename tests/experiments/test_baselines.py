"""The three baselines against probabilities worked out by hand on a hand-made file."""

import numpy as np
import pytest
from numpy.testing import assert_allclose

from cstosim.experiments.baselines import (
    BaseRates,
    base_rate_forecast,
    in_treaty_scope,
    persistence_forecast,
    rule_forecast,
)
from cstosim.experiments.checks import checks_of, deduplicate
from cstosim.experiments.validation import documented_scenarios, shipped_rates
from tests.experiments.handmade import ARM_FREEZES, BLR_BACKS, KGZ_HOLDS, documented

EXPECTED = f"""[[expected.crisis]]
event = "kaz"
request = "assistance"
response = ["deployment"]
russia = ["troops"]
appeal = true

[[expected.crisis]]
event = "clash"
request = "none"
response = ["none", "statement"]

[[expected.crisis]]
event = "osh"
request = "none"
response = ["none"]

{ARM_FREEZES}
{KGZ_HOLDS}
[[expected.membership]]
member = "ARM"
status = "frozen"
date = "2023-06"
mode = "holds"

{BLR_BACKS}
[[expected.support]]
event = "support"
member = "KAZ"
backs = false
"""


@pytest.fixture()
def forecasts(tmp_path):
    doc = documented(tmp_path, "hand", EXPECTED)
    checks = checks_of(doc)
    rates = BaseRates.from_checks(checks)
    return rates, {c.label: c for c in checks}


@pytest.mark.unit
def test_base_rates_are_add_one_smoothed_counts(forecasts):
    rates, _ = forecasts
    # requests: none 2, consultations 0, assistance 1 -> (3, 1, 2) / 6
    assert_allclose(rates.request, [3 / 6, 1 / 6, 2 / 6])
    # rungs: none 1 + 1/2, statement 1/2, deployment 1 -> plus one each, over 3 + 6
    assert_allclose(rates.response, np.array([2.5, 1.5, 1, 1, 1, 2]) / 9)
    assert_allclose(rates.bilateral, [1 / 5, 1 / 5, 1 / 5, 2 / 5])  # troops once
    assert_allclose(rates.appeal, [1 / 3, 2 / 3])
    assert_allclose(rates.support, [2 / 4, 2 / 4])  # one backs, one does not
    # one documented change in 8 parties (not Russia) x 24 months, plus one in two
    assert_allclose(rates.monthly_change, 2 / 194)


@pytest.mark.unit
def test_base_rate_forecasts_by_hand(forecasts):
    rates, c = forecasts
    h = 2 / 194
    assert_allclose(base_rate_forecast(c["kaz: request"], rates), [3 / 6, 1 / 6, 2 / 6])
    # none and statement merged: (2.5 + 1.5) / 9
    assert_allclose(base_rate_forecast(c["clash: response"], rates), np.array([4, 1, 1, 1, 2]) / 9)
    # a window of 5 months: P(some change)
    assert_allclose(
        base_rate_forecast(c["ARM enters frozen 2022-11±2"], rates)[1], 1 - (1 - h) ** 5
    )
    # KGZ starts active and must still be at step 23: no change in 24 months
    assert_allclose(base_rate_forecast(c["KGZ holds active at 2023-12"], rates)[1], (1 - h) ** 24)
    # ARM starts active, so being frozen at step 17 needs a change in 18 months
    assert_allclose(
        base_rate_forecast(c["ARM holds frozen at 2023-06"], rates)[1], 1 - (1 - h) ** 18
    )
    assert_allclose(base_rate_forecast(c["support: BLR backs"], rates), [0.5, 0.5])


@pytest.mark.unit
def test_persistence_by_hand(forecasts):
    _, c = forecasts
    want = {
        "kaz: request": [1, 0, 0],
        "kaz: response": [1, 0, 0, 0, 0, 0],
        "clash: response": [1, 0, 0, 0, 0],  # none or statement, merged
        "kaz: Russia's own answer": [1, 0, 0, 0],
        "kaz: bilateral appeal to Russia": [1, 0],
        "ARM enters frozen 2022-11±2": [1, 0],
        "KGZ holds active at 2023-12": [0, 1],
        "ARM holds frozen at 2023-06": [1, 0],
        "support: BLR backs": [1, 0],
        "support: KAZ backs": [1, 0],
    }
    for label, p in want.items():
        assert_allclose(persistence_forecast(c[label]), p, err_msg=label)


@pytest.mark.unit
def test_the_zero_parameter_rule_by_hand(forecasts):
    _, c = forecasts
    want = {
        # internal unrest framed as foreign-backed on an active member: in scope
        "kaz: request": [0, 0, 1],
        # asked for assistance: evenly over consultations .. deployment
        "kaz: response": [0, 0, 0.25, 0.25, 0.25, 0.25],
        # a clash between members: out of scope; none or statement, merged
        "clash: request": [1, 0, 0],
        "clash: response": [1, 0, 0, 0, 0],
        # unrest not framed as foreign: out of scope; none or statement evenly
        "osh: request": [1, 0, 0],
        "osh: response": [0.5, 0.5, 0, 0, 0, 0],
        "kaz: Russia's own answer": [0, 1, 0, 0],
        "kaz: bilateral appeal to Russia": [1, 0],
        "ARM enters frozen 2022-11±2": [1, 0],
        "KGZ holds active at 2023-12": [0, 1],
        "support: BLR backs": [0, 1],
        "support: KAZ backs": [1, 0],
    }
    for label, p in want.items():
        assert_allclose(rule_forecast(c[label]), p, err_msg=label)


@pytest.mark.unit
def test_treaty_scope_needs_an_active_member(forecasts):
    _, c = forecasts
    events = {e.id: e for e in c["kaz: request"].doc.scenario.events}
    assert in_treaty_scope(events["arm"], "active")  # external aggression
    assert not in_treaty_scope(events["arm"], "frozen")
    assert in_treaty_scope(events["kaz"], "active") and not in_treaty_scope(events["osh"], "active")
    assert not in_treaty_scope(events["war"], "never")


@pytest.mark.unit
def test_shipped_base_rates_are_distributions_from_each_fact_once():
    kept, _ = deduplicate(c for d in documented_scenarios() for c in checks_of(d))
    rates = shipped_rates()
    for p in (rates.request, rates.response, rates.bilateral, rates.appeal, rates.support):
        assert_allclose(p.sum(), 1.0)
        assert (p > 0).all()  # add-one: no documented outcome is impossible
    assert 0 < rates.monthly_change < 0.05
    n_requests = sum(1 for c in kept if c.kind == "request")
    assert_allclose(rates.request.min(), 1 / (n_requests + 3))  # consultations: never documented
