"""Unit tests: each decision rule against values computed by hand."""

import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal

from cstosim.core import rules
from cstosim.inputs.vocabulary import Request, Rung, Stance, Status

pytestmark = [pytest.mark.unit]


def test_logistic_values():
    assert_allclose(rules.logistic(np.array([0.0, np.log(3.0), -800.0])), [0.5, 0.75, 0.0])


def test_softmax_choice_probabilities_and_pick():
    # U = (0, ln 2, ln 1) at T = 1: P = (1, 2, 1) / 4
    u = np.array([[0.0, np.log(2.0), 0.0]] * 3)
    p, pick = rules.softmax_choice(u, np.ones(3), np.array([0.1, 0.5, 0.9]))
    assert_allclose(p[0], [0.25, 0.5, 0.25])
    assert_array_equal(pick, [0, 1, 2])


def test_treaty_scope_follows_article_4_and_charter():
    s = np.array([0.4])
    assert rules.treaty_scope("external_aggression", False, s)[0] == 1.0
    assert rules.treaty_scope("insurgent_spillover", False, s)[0] == 1.0
    assert rules.treaty_scope("internal_unrest", True, s)[0] == 1.0  # Kazakhstan 2022
    assert rules.treaty_scope("internal_unrest", False, s)[0] == 0.4  # Osh 2010
    assert rules.treaty_scope("disputed_territory_conflict", False, s)[0] == 0.0  # Karabakh
    assert rules.treaty_scope("intra_member_clash", False, s)[0] == 0.0
    assert rules.treaty_scope("nonmember_war_by_member", False, s)[0] == 0.0


def test_invoke_utilities_by_hand():
    p = dict(
        consult_weight=1.2,
        consult_cost=0.5,
        need_weight=4.0,
        sovereignty_weight=1.0,
        request_cost=0.6,
    )
    gap = rules.capacity_gap(0.8, np.array([0.5]))  # 0.4
    u = rules.invoke_utilities(0.8, np.array([1.0]), gap, np.array([0.6]), np.array([0.3]), **p)
    # consult: 1.2*0.8*1 - 0.5 = 0.46 ; assist: 4*0.4*0.6*1 - 1*0.3 - 0.6 = 0.06
    assert_allclose(u[0], [0.0, 0.46, 0.06])


def test_asked_rung_threshold():
    req = np.array([Request.ASSISTANCE, Request.ASSISTANCE, Request.CONSULTATIONS, Request.NONE])
    gap = np.array([0.5, 0.2, 0.9, 0.9])
    assert_array_equal(
        rules.asked_rung(req, gap, 0.35),
        [Rung.DEPLOYMENT, Rung.MATERIAL_AID, Rung.CONSULTATIONS, Rung.NONE],
    )


def test_russia_willingness_by_hand():
    p = dict(
        russia_interest=3, russia_reputation=1, russia_ties=2.5, bandwidth_weight=3, legal_weight=2
    )
    w = rules.russia_willingness(
        0.8, np.array([0.5]), np.array([0.6]), 0.5, np.array([0.7]), np.array([1.0]), **p
    )
    # 3*0.5*0.8 + 1*0.6 - 2.5*0.5 - 3*0.3 - 0 = 1.2 + 0.6 - 1.25 - 0.9 = -0.35
    assert_allclose(w, [-0.35])


def test_member_willingness_ignores_negative_affinity_with_aggressor():
    p = dict(stance_base=0.5, affinity_weight=1.5, precedent_weight=1.5, legal_weight=2)
    w = rules.member_willingness(0.5, -1.0, np.array([0.8]), True, np.array([0.4]), **p)
    # 0.5 + 1.5*(0.5 - 0) - 1.5*0.8 - 2*0.6 = 0.5 + 0.75 - 1.2 - 1.2 = -1.15
    assert_allclose(w, [-1.15])


def test_stance_cut_points_with_median_noise():
    w = np.array([-2.0, -0.5, 0.5, 1.5])
    # logit(0.5) = 0: no noise
    out = rules.stance(w, np.full(4, 0.35), np.full(4, 0.5), block_cut=-1.5, deploy_cut=1.0)
    assert_array_equal(
        out, [Stance.BLOCK, Stance.ABSTAIN, Stance.SUPPORT_NONMILITARY, Stance.SUPPORT_DEPLOYMENT]
    )


def test_council_response_ladder():
    A, C, N = Request.ASSISTANCE, Request.CONSULTATIONS, Request.NONE
    D, M = Rung.DEPLOYMENT, Rung.MATERIAL_AID
    request = np.array([A, A, A, A, A, C, N, N])
    asked = np.array([D, D, D, D, M, Rung.CONSULTATIONS, 0, 0])
    russia = np.array(
        [
            Stance.SUPPORT_DEPLOYMENT,
            Stance.SUPPORT_DEPLOYMENT,
            Stance.SUPPORT_NONMILITARY,
            Stance.ABSTAIN,
            Stance.SUPPORT_DEPLOYMENT,
            Stance.ABSTAIN,
            Stance.ABSTAIN,
            Stance.ABSTAIN,
        ]
    )
    block = np.array([False, True, False, False, False, False, False, False])
    member = np.array([True] * 7 + [False])
    out = rules.council_response(request, asked, russia, block, member)
    assert_array_equal(
        out,
        [
            Rung.DEPLOYMENT,
            Rung.MATERIAL_AID,
            Rung.MISSION,
            Rung.CONSULTATIONS,
            Rung.MATERIAL_AID,
            Rung.CONSULTATIONS,
            Rung.STATEMENT,
            Rung.NONE,
        ],
    )


def test_deployment_size():
    out = rules.deployment_size(
        np.array([Rung.DEPLOYMENT, Rung.MISSION]), 0.8, np.array([0.9, 0.9]), 3600
    )
    assert_allclose(out, [3600 * 0.8 * 0.9, 0.0])


def test_satisfaction_and_learning():
    sat = rules.satisfaction(
        np.array([Rung.MISSION, Rung.DEPLOYMENT]), np.array([Rung.DEPLOYMENT, Rung.MATERIAL_AID])
    )
    assert_allclose(sat, [0.0, 1.0])
    assert_allclose(
        rules.tangible_help(np.array([Rung.STATEMENT, Rung.CONSULTATIONS, Rung.MATERIAL_AID])),
        [0.0, 0.0, 1.0],
    )
    assert_allclose(rules.learn(np.array([0.6]), np.array([0.2]), 0.5), [0.4])


def test_hostility_only_counts_active_members():
    row = np.array([0.5, -1.0, 0.0, -0.5])
    active = np.array([[True, True, True, True], [True, False, True, True]])
    assert_allclose(rules.hostility(row, active), [1.0, 0.5])


def test_net_cost_by_hand():
    p = dict(
        value_protection=2,
        value_dependency=1.5,
        value_alignment=1.5,
        cost_sovereignty=1.5,
        cost_entrapment=1,
        cost_outside=2,
        cost_hostility=1.5,
    )
    one = np.array([1.0])
    c = rules.net_cost_of_staying(
        rules.Standing(
            trust=0.5 * one,
            threat=0.4 * one,
            dependency=0.6 * one,
            alignment=0.5 * one,
            sovereignty=0.8 * one,
            integration=0.5 * one,
            entrapment=0.2 * one,
            outside=0.3 * one,
            hostility=1.0 * one,
        ),
        **p,
    )
    value = 2 * 0.5 * 0.4 + 1.5 * 0.6 + 1.5 * 0.5  # 0.4 + 0.9 + 0.75 = 2.05
    cost = 1.5 * 0.8 * 0.5 + 1 * 0.2 + 2 * 0.3 + 1.5 * 1.0  # 0.6 + 0.2 + 0.6 + 1.5 = 2.9
    assert_allclose(c, [cost - value])


def test_disaffection_moves_toward_net_cost():
    assert_allclose(rules.update_disaffection(np.array([0.0]), np.array([1.0]), 0.1), [0.1])


def test_transition_probabilities_by_hand():
    p = dict(
        temperature=0.5,
        status_hazard=0.2,
        freeze_threshold=0.6,
        withdraw_gap=1.0,
        value_dependency=1.5,
        thaw_gap=0.6,
        rejoin_gap=1.0,
    )
    status = np.array([Status.ACTIVE, Status.FROZEN, Status.WITHDRAWN, Status.NEVER])
    d = np.array([0.6, 1.0, -0.4, 5.0])
    dep = np.array([0.0, 0.4, 0.0, 0.0])
    down, up = rules.transition_probabilities(status, d, dep, **p)
    sig = rules.logistic
    assert_allclose(down, [0.1, 0.2 * sig((1.0 - 1.6 - 0.6) / 0.5), 0.0, 0.0])
    assert_allclose(up, [0.0, 0.2 * sig(-1.0 / 0.5), 0.1, 0.0])


def test_next_status_uses_one_draw():
    status = np.array([Status.ACTIVE, Status.FROZEN, Status.FROZEN, Status.WITHDRAWN])
    down = np.array([0.5, 0.2, 0.2, 0.0])
    up = np.array([0.0, 0.3, 0.3, 0.5])
    u = np.array([0.4, 0.1, 0.3, 0.4])
    assert_array_equal(
        rules.next_status(status, down, up, u),
        [Status.FROZEN, Status.WITHDRAWN, Status.ACTIVE, Status.ACTIVE],
    )


def test_renewal_lapse_only_for_parties():
    p = dict(freeze_threshold=0.6, temperature=0.35)
    status = np.array([Status.ACTIVE, Status.FROZEN, Status.WITHDRAWN])
    out = rules.renewal_lapse(status, np.array([5.0, 5.0, 5.0]), np.zeros(3), **p)
    assert_array_equal(out, [Status.WITHDRAWN, Status.WITHDRAWN, Status.WITHDRAWN])
    out = rules.renewal_lapse(status, np.array([-5.0, -5.0, -5.0]), np.full(3, 0.5), **p)
    assert_array_equal(out, status)


def test_backs_support_probability_by_hand():
    p = dict(support_weight=4.0, support_threshold=2.0, temperature=0.5)
    # 4 * (0.95 - 0.35) - 2 = 0.4 ; sigma(0.4 / 0.5) = sigma(0.8)
    got = rules.backs_support_probability(np.array([0.95]), np.array([0.35]), **p)
    assert_allclose(got, [1 / (1 + np.exp(-0.8))])


def test_threat_decays_toward_baseline_and_is_held_by_a_crisis():
    # baseline 0.1, level 0.9, decay 0.25: 0.1 + 0.75 * 0.8 = 0.7; a crisis of 0.8 holds it there
    level, base = np.array([0.9, 0.9]), np.array([0.1, 0.1])
    assert_allclose(rules.decay_toward(level, base, 0.25), [0.7, 0.7])
    assert_allclose(rules.decay_toward(level, base, 0.25, np.array([0.8, 0.0])), [0.8, 0.7])
    assert_allclose(rules.fade(np.array([0.4]), 0.25), [0.3])


def test_bandwidth_recovers_toward_a_ceiling_set_by_war():
    ceiling = rules.bandwidth_ceiling(0.8, np.array([0.5]))  # 1 - 0.5 * 0.8 = 0.6
    assert_allclose(ceiling, [0.6])
    # 0.2 + 0.5 * (0.6 - 0.2) = 0.4; above the ceiling it falls to the ceiling at once
    assert_allclose(rules.recover_bandwidth(np.array([0.2]), ceiling, 0.5), [0.4])
    assert_allclose(rules.recover_bandwidth(np.array([0.9]), ceiling, 0.1), [0.6])


def test_policy_shocks_move_a_share_of_the_room_left():
    assert_allclose(rules.shock_raise(np.array([0.2]), 0.5), [0.6])  # 0.2 + 0.5 * 0.8
    assert_allclose(rules.shock_lower(np.array([0.8]), 0.25), [0.6])  # 0.8 * 0.75


def test_entrapment_only_for_those_who_did_not_back():
    out = rules.entrapment_pressure(np.array([0.1, 0.1, 0.7]), 0.6, np.array([True, False, False]))
    assert_allclose(out, [0.1, 0.6, 0.7])


def test_reputation_is_mean_trust_of_active_members():
    trust = np.array([[0.2, 0.6, 1.0], [0.2, 0.6, 1.0]])
    active = np.array([[True, True, False], [False, False, False]])
    assert_allclose(rules.reputation(trust, active), [0.4, 0.0])
