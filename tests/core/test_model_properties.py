"""Property tests: probabilities in [0, 1], legal statuses, same seed same output, chunking."""

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from numpy.testing import assert_array_equal

from cstosim.core.model import AllianceModel
from cstosim.core.records import steps_table
from cstosim.core.rules import appeal, membership
from cstosim.core.rules.choice import softmax_choice
from cstosim.experiments.evaluate import evaluate
from cstosim.experiments.outcomes import WorldOutcomes
from cstosim.experiments.runs import simulate
from cstosim.inputs.parameters import PARAMETERS, resolve
from cstosim.inputs.scenario import load_scenario
from cstosim.inputs.vocabulary import STATUS_NAMES, Channel, Status, legal_transition_table
from tests.support import MINI, weights

FIXTURE = MINI
SCENARIO = load_scenario(FIXTURE)
W = 64


def random_params(draw_fraction):
    """A full parameter set with every value somewhere in its declared range."""
    return {
        name: p.low + f * (p.high - p.low)
        for (name, p), f in zip(PARAMETERS.items(), draw_fraction, strict=True)
    }


fractions = st.lists(st.floats(0, 1), min_size=len(PARAMETERS), max_size=len(PARAMETERS))
floats = st.floats(-20, 20, allow_nan=False)
unit = st.floats(0, 1)
arrays = st.lists(floats, min_size=1, max_size=16).map(np.array)


@pytest.mark.property
@given(fractions, arrays, st.booleans(), st.booleans(), st.booleans())
def test_appeal_probabilities_are_a_distribution_over_admissible_channels(
    fr, x, to_russia, art2, art4
):
    n = len(x)
    p = resolve(random_params(fr), n_worlds=n)
    unit = np.clip(np.abs(x) / 20, 0, 1)
    u = appeal.appeal_utilities(
        0.7,
        unit,
        (unit, 1 - unit),
        unit,
        1 - unit,
        (to_russia, art2, art4),
        **weights(p, appeal.appeal_utilities),
    )
    probs, pick = softmax_choice(u, np.full(n, 0.999))
    assert np.all((probs >= 0) & (probs <= 1))
    np.testing.assert_allclose(probs.sum(axis=1), 1.0)
    assert np.all((pick >= 0) & (pick <= 3))
    assert (probs[:, Channel.BILATERAL] == 0).all() or to_russia
    assert (probs[:, Channel.CONSULTATIONS] == 0).all() or art2
    assert (probs[:, Channel.ASSISTANCE] == 0).all() or art4


@pytest.mark.property
@given(fractions, arrays)
def test_membership_decisions_are_legal_moves(fr, pressure):
    n = len(pressure)
    p = resolve(random_params(fr), n_worlds=n)
    status = np.resize(np.array([s.value for s in Status]), n).astype(np.int8)
    noise = np.resize(np.array([-2.0, 0.0, 3.0]), n)
    new, notice = membership.decide(
        status,
        pressure,
        noise,
        np.ones(n, bool),
        np.zeros(n, bool),
        np.zeros(n),
        **weights(p, membership.decide),
    )
    assert legal_transition_table()[status, new].all()
    assert not (notice & (status != Status.FROZEN)).any()  # a notice comes from a frozen member


@pytest.mark.property
@given(fractions, st.integers(0, 2**31 - 1))
@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_only_legal_transitions_and_bounded_state(fr, seed):
    model = AllianceModel(SCENARIO, n_worlds=W, seed=seed, parameters=random_params(fr))
    legal = legal_transition_table()
    previous = np.stack([m.status for m in model.agents])
    while model.time < SCENARIO.n_steps:
        model.step()
        now = np.stack([m.status for m in model.agents])
        assert legal[previous, now].all()
        assert np.all(now[0] == Status.ACTIVE)  # Russia stays
        trust = model.trust_in_alliance()
        assert np.all((trust >= 0) & (trust <= 1))
        assert np.all(model.help_count > 0) and np.all(model.fail_count > 0)
        assert np.all(model.grievance >= 0)
        assert np.all((model.russia.bandwidth >= 0) & (model.russia.bandwidth <= 1))
        previous = now
    tables = model.recorder.world_tables(model.final())
    assert set(tables["members"]["final_status"]) <= set(STATUS_NAMES)


def _all_tables(result):
    return {
        k: v.sort_values(list(v.columns[:3])).reset_index(drop=True)
        for k, v in result.tables.items()
    }


@pytest.mark.property
@given(st.integers(0, 2**31 - 1))
@settings(max_examples=5, deadline=None)
def test_same_seed_same_output(seed):
    a = _all_tables(simulate(SCENARIO, 40, seed))
    b = _all_tables(simulate(SCENARIO, 40, seed))
    for name in a:
        pd.testing.assert_frame_equal(a[name], b[name])


@pytest.mark.property
@pytest.mark.slow
@given(st.integers(0, 2**31 - 1), st.lists(st.integers(40, 1300), min_size=1, max_size=2))
@settings(max_examples=5, deadline=None)
def test_outputs_do_not_depend_on_chunking(seed, sizes):
    # 1,300 worlds span two random-stream blocks of 1,024, so chunks cut across a block
    n = 1300
    whole = simulate(SCENARIO, n, seed, chunk_worlds=n, log_worlds=3)
    for size in sizes:
        split = simulate(SCENARIO, n, seed, chunk_worlds=size, log_worlds=3)
        for name in whole.tables:
            pd.testing.assert_frame_equal(whole.tables[name], split.tables[name])


@pytest.mark.property
def test_one_world_chunks_match_the_whole():
    whole = simulate(SCENARIO, 30, 8, chunk_worlds=30, log_worlds=2)
    split = simulate(SCENARIO, 30, 8, chunk_worlds=1, log_worlds=2)
    for name in whole.tables:
        pd.testing.assert_frame_equal(whole.tables[name], split.tables[name])


@pytest.mark.property
def test_different_seeds_differ():
    a = simulate(SCENARIO, 200, 1).tables["crises"]["response"]
    b = simulate(SCENARIO, 200, 2).tables["crises"]["response"]
    assert not a.equals(b)


@pytest.mark.property
def test_single_world_model_matches_its_world_in_a_batch():
    batch = simulate(SCENARIO, 50, 9).tables["members"]
    one = AllianceModel(SCENARIO, n_worlds=1, seed=9, world_offset=37)
    one.run_to_end()
    row = batch[batch["world"] == 37].sort_values("member")
    got = one.recorder.world_tables(one.final())["members"].sort_values("member")
    assert_array_equal(row["final_status"].to_numpy(), got["final_status"].to_numpy())
    np.testing.assert_array_equal(row["final_trust"].to_numpy(), got["final_trust"].to_numpy())


@pytest.mark.property
@given(st.integers(0, 2**31 - 1))
@settings(max_examples=3, deadline=None)
def test_scoring_without_tables_reads_the_same_outcomes(seed):
    kept = evaluate(SCENARIO, 30, seed, log_worlds=2)
    bare = evaluate(SCENARIO, 30, seed, log_worlds=2, scoring=True)
    assert len(kept.steps) == SCENARIO.n_steps and bare.steps == [] and bare.tables == {}
    assert kept.dates == bare.dates
    read = WorldOutcomes.from_tables(kept.tables)
    assert bare.worlds is not None and read.n_worlds == bare.worlds.n_worlds
    assert read.crises.keys() == bare.worlds.crises.keys()
    for event, columns in read.crises.items():
        assert columns.keys() == bare.worlds.crises[event].keys()
        for name, codes in columns.items():
            assert_array_equal(codes, bare.worlds.crises[event][name], err_msg=f"{event} {name}")
    assert read.support.keys() == bare.worlds.support.keys()
    for key, backs in read.support.items():
        assert_array_equal(backs, bare.worlds.support[key])
    for field in ("member", "step", "world", "old", "new"):
        assert_array_equal(getattr(read.moves, field), getattr(bare.worlds.moves, field))


@pytest.mark.unit
def test_step_sums_and_dates_must_pair_up():
    steps = evaluate(SCENARIO, 3, 0).steps
    with pytest.raises(ValueError, match="steps of sums but"):
        steps_table(steps, ["2022-09"])
