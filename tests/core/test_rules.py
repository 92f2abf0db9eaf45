"""Unit tests: each decision rule against values computed by hand."""

import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal

from cstosim.core.rules import appeal, choice, council, membership, perceive, russia, support, trust
from cstosim.inputs.vocabulary import BilateralRung, Channel, Request, Rung, Scope, Status

pytestmark = [pytest.mark.unit]
one = np.array([1.0])


# --- choice ---------------------------------------------------------------------------------------
def test_logistic_and_its_noise():
    assert_allclose(choice.logistic(np.array([0.0, np.log(3.0), -800.0])), [0.5, 0.75, 0.0])
    # the noise is the logit of the draw: u = 0.75 gives ln 3
    assert_allclose(choice.logistic_noise(np.array([0.5, 0.75])), [0.0, np.log(3.0)])


def test_softmax_choice_probabilities_pick_and_inadmissible_options():
    # U = (0, ln 2, ln 1, -inf): P = (1, 2, 1, 0) / 4
    u = np.array([[0.0, np.log(2.0), 0.0, -np.inf]] * 3)
    p, pick = choice.softmax_choice(u, np.array([0.1, 0.5, 0.9]))
    assert_allclose(p[0], [0.25, 0.5, 0.25, 0.0])
    assert_array_equal(pick, [0, 1, 2])


def test_ordered_counts_the_cuts_reached():
    assert_array_equal(
        choice.ordered(np.array([-1.0, 0.0, 1.5, 9.0]), (0.0, 1.0, 3.0)), [0, 1, 2, 3]
    )


# --- perceive -------------------------------------------------------------------------------------
def test_threat_decays_toward_baseline_and_is_held_by_a_crisis():
    # baseline 0.1, level 0.9, decay 0.3: 0.1 + 0.7 * 0.8 = 0.66; a crisis of 0.8 holds it there
    level, base = np.array([0.9, 0.9]), np.array([0.1, 0.1])
    assert_allclose(perceive.decay_toward(level, base), [0.66, 0.66])
    assert_allclose(perceive.decay_toward(level, base, np.array([0.8, 0.0])), [0.8, 0.66])


def test_bandwidth_recovers_toward_a_ceiling_set_by_war():
    ceiling = perceive.bandwidth_ceiling(0.8, np.array([0.5]))  # 1 - 0.5 * 0.8 = 0.6
    assert_allclose(ceiling, [0.6])
    # 0.24 + (0.6 - 0.24) / 36 = 0.25; above the ceiling it falls to the ceiling at once
    assert_allclose(perceive.recover_bandwidth(np.array([0.24]), ceiling), [0.25])
    assert_allclose(perceive.recover_bandwidth(np.array([0.9]), ceiling), [0.6])


def test_policy_shocks_move_a_share_of_the_room_left():
    assert_allclose(perceive.shock_raise(np.array([0.2]), 0.5), [0.6])  # 0.2 + 0.5 * 0.8
    assert_allclose(perceive.shock_lower(np.array([0.8]), 0.25), [0.6])  # 0.8 * 0.75


def test_western_ties_move_alignment_by_a_fifth_of_their_change():
    # the facts formula: alignment is the mean of five ties, one of them 1 - western
    out = perceive.western_alignment_shift(
        np.array([0.5, 0.5]), np.array([0.5, 0.5]), np.array([1.0, 0.0])
    )
    assert_allclose(out, [0.4, 0.6])


def test_russias_troops_in_a_collective_deployment_are_not_counted_again_as_its_own():
    answer = np.array(
        [BilateralRung.TROOPS, BilateralRung.ARMS, BilateralRung.NONE, BilateralRung.ARMS]
    )
    response = np.array([Rung.DEPLOYMENT, Rung.DEPLOYMENT, Rung.DEPLOYMENT, Rung.MISSION])
    assert_array_equal(
        russia.own_beside(answer, response),
        [BilateralRung.WORDS, BilateralRung.WORDS, BilateralRung.NONE, BilateralRung.ARMS],
    )


# --- appeal ---------------------------------------------------------------------------------------
def test_admissibility_follows_the_treaty():
    assert appeal.art4_admissible("external_aggression", False)  # E19
    assert appeal.art4_admissible("insurgent_spillover", False)  # E15
    assert appeal.art4_admissible("internal_unrest", True)  # E17, framed foreign-backed
    assert not appeal.art4_admissible("internal_unrest", False)  # E08
    assert not appeal.art4_admissible("disputed_territory_conflict", False)  # E12
    assert not appeal.art4_admissible("intra_member_clash", False)  # E14, E20
    assert appeal.art2_admissible("external_aggression", False)  # CST Art. 2
    assert appeal.art2_admissible("internal_unrest", True)
    # unrest called internal is the government's own affair under non-interference (E08)
    assert not appeal.art2_admissible("internal_unrest", False)
    assert not appeal.art2_admissible("disputed_territory_conflict", False)
    assert not appeal.art2_admissible("intra_member_clash", False)


def test_no_outside_forces_against_a_revolt_called_internal():
    # a government that is itself the revolt's target and does not cast it as foreign-backed
    assert not appeal.bilateral_admissible("internal_unrest", False, True)
    # E08: violence between communities, the government not its target
    assert appeal.bilateral_admissible("internal_unrest", False, False)
    assert appeal.bilateral_admissible("internal_unrest", True, True)  # E17's framing
    assert appeal.bilateral_admissible("disputed_territory_conflict", False, False)  # E12


def test_trust_scope_of_each_crisis_kind():
    assert appeal.trust_scope("external_aggression") is Scope.TERRITORIAL
    assert appeal.trust_scope("internal_unrest") is Scope.REGIME
    assert appeal.trust_scope("disputed_territory_conflict") is Scope.DISPUTED
    assert appeal.trust_scope("intra_member_clash") is None
    assert appeal.trust_scope("nonmember_war_by_member") is None


def test_a_patron_bound_to_the_aggressor_too_counts_for_nothing():
    patron = np.array([1.0, 1.0, 0.5])
    # E14/E20: Kyrgyzstan against Tajikistan (both host Russian bases); E12: Armenia against
    # Azerbaijan (no tie to Moscow); a half patron against an unbound aggressor keeps its half
    assert_allclose(appeal.patron_against(patron, np.array([1.0, 0.0, 0.0])), [0.0, 1.0, 0.5])
    assert_array_equal(
        russia.ceiling_against(np.array([1.0, 0.5, 0.0])),
        [BilateralRung.WORDS, BilateralRung.TROOPS, BilateralRung.TROOPS],
    )


def test_an_art4_request_invokes_a_bilateral_commitment_only_under_armed_attack():
    channels = np.array([Channel.ASSISTANCE, Channel.ASSISTANCE, Channel.BILATERAL, Channel.NONE])
    patron = np.array([1.0, 0.5, 1.0, 1.0])
    # E19: Armenia, a Russian base and the 1997 treaty, asks the Council under Art. 4
    assert_array_equal(
        appeal.treaty_alongside("external_aggression", channels, patron),
        [True, False, False, False],
    )
    # E15 (an insurgent threat) and E17 (unrest): the Art. 4 request stands alone
    for kind in ("insurgent_spillover", "internal_unrest"):
        assert not appeal.treaty_alongside(kind, channels, patron).any()


def test_appeal_utilities_by_hand():
    weights = dict(
        need_weight=8.0, ask_cost=2.0, sovereignty_weight=3.0, consult_weight=3.0, treaty_weight=1.0
    )
    need = appeal.capacity_gap(0.8, np.array([0.5]))  # 0.4
    u = appeal.appeal_utilities(
        0.8, need, (0.5 * one, 0.6 * one), 1.0 * one, 0.25 * one, (True, True, True), **weights
    )
    sovereign = 3 * 0.25 * 0.4  # 0.3
    bilateral = 8 * 0.4 * 0.5 * 1.0 - 2 - sovereign  # -0.7
    consult = 3 * 0.8 - 2  # 0.4
    assist = 8 * 0.4 * 0.6 + 1 * 0.8 - 2 - sovereign  # 0.42
    assert_allclose(u[0], [0.0, bilateral, consult, assist])


def test_inadmissible_channels_are_never_chosen():
    u = appeal.appeal_utilities(
        0.8,
        0.4 * one,
        (0.5 * one, 0.6 * one),
        0.0 * one,
        0.25 * one,
        (False, False, False),
        need_weight=8.0,
        ask_cost=0.0,
        sovereignty_weight=0.0,
        consult_weight=30.0,
        treaty_weight=5.0,
    )
    p, _ = choice.softmax_choice(u, np.array([0.5]))
    assert p[0, Channel.CONSULTATIONS] == 0 and p[0, Channel.ASSISTANCE] == 0
    assert p[0, Channel.BILATERAL] == 0 and p[0, Channel.NONE] == 1


def test_no_bilateral_appeal_without_a_patron_at_hand():
    # admissible, but Russia bound to the aggressor as well (E14, E20): patron 0, nobody to ask
    weights = dict(
        need_weight=8.0, ask_cost=0.5, sovereignty_weight=0.0, consult_weight=0.0, treaty_weight=0.0
    )
    patron = np.array([0.0, 0.5])
    u = appeal.appeal_utilities(
        0.8, 0.4 * np.ones(2), (0.5, 0.5), patron, 0.25, (True, False, False), **weights
    )
    assert u[0, Channel.BILATERAL] == -np.inf
    assert_allclose(u[1, Channel.BILATERAL], 8 * 0.4 * 0.5 * 0.5 - 0.5)  # 0.3


def test_asked_rungs_follow_channel_and_scope():
    channel = np.array(
        [
            Channel.ASSISTANCE,
            Channel.ASSISTANCE,
            Channel.BILATERAL,
            Channel.CONSULTATIONS,
            Channel.NONE,
        ]
    )
    need = np.array([0.5, 0.2, 0.5, 0.9, 0.9])
    out = appeal.asked_rungs(channel, need, Scope.TERRITORIAL, 0.35)
    assert_array_equal(
        out, [Rung.DEPLOYMENT, Rung.MATERIAL_AID, BilateralRung.TROOPS, Rung.CONSULTATIONS, 0]
    )
    # over disputed territory a state asks Russia for words: mediation (E12)
    disputed = appeal.asked_rungs(
        np.array([Channel.BILATERAL]), np.array([0.9]), Scope.DISPUTED, 0.35
    )
    assert_array_equal(disputed, [BilateralRung.WORDS])


# --- Russia ---------------------------------------------------------------------------------------
MOTIVES = dict(
    regime_motive=5.0,
    territory_motive=3.0,
    reputation_motive=1.0,
    ties_weight=2.0,
    bandwidth_weight=4.0,
)


def test_each_motive_is_its_own_term():
    bw = np.array([0.75])
    at_risk = russia.Crisis("internal_unrest", 0.8, True, 0.0)
    # unrest threatening an aligned party's government: 5*0.6*0.8 + 1*0.8 - 0 - 4*0.25 = 2.2
    unrest = russia.russia_willingness(at_risk, 0.6 * one, True, bw, **MOTIVES)
    assert_allclose(unrest, [2.2])
    # unrest that does not threaten the government (E08): no regime motive: 0.8 - 1.0 = -0.2
    ethnic = at_risk._replace(regime_at_risk=False)
    assert_allclose(russia.russia_willingness(ethnic, 0.6 * one, True, bw, **MOTIVES), [-0.2])
    # aggression by an outsider Russia has ties with: 3*0.8 + 0.8 - 2*0.5 - 1.0 = 1.2
    attack = russia.Crisis("external_aggression", 0.8, False, 0.5)
    assert_allclose(russia.russia_willingness(attack, 0.6 * one, True, bw, **MOTIVES), [1.2])
    # disputed territory: no territorial motive (E12): 0.8 - 1.0 - 1.0 = -1.2
    disputed = attack._replace(kind="disputed_territory_conflict")
    assert_allclose(russia.russia_willingness(disputed, 0.6 * one, True, bw, **MOTIVES), [-1.2])
    no_regime = dict(MOTIVES, regime_motive=0.0)
    without = russia.russia_willingness(at_risk, 0.6 * one, True, bw, **no_regime)
    assert_allclose(unrest - without, [5 * 0.6 * 0.8])


def test_bilateral_rungs_and_the_council_stance_share_one_willingness():
    latent = np.array([-0.5, 0.5, 1.5, 4.0, 4.0])
    cap = np.array([3, 3, 3, 3, BilateralRung.ARMS])
    rung = russia.bilateral_rung(latent, cap, arms_cut=1.0, troops_margin=2.0)
    assert_array_equal(rung, [0, 1, 2, 3, 2])
    stance = russia.council_stance(latent, arms_cut=1.0, troops_margin=2.0)
    assert_array_equal(
        stance,
        [Rung.CONSULTATIONS, Rung.MATERIAL_AID, Rung.MISSION, Rung.DEPLOYMENT, Rung.DEPLOYMENT],
    )


def test_a_refused_request_for_troops_goes_to_the_council():
    asked = np.array([BilateralRung.TROOPS, BilateralRung.TROOPS, BilateralRung.ARMS])
    answer = np.array([BilateralRung.ARMS, BilateralRung.TROOPS, BilateralRung.WORDS])
    assert_array_equal(russia.refers_to_council(asked, answer, True), [True, False, False])
    assert not russia.refers_to_council(asked, answer, False).any()  # E12: not Karabakh


# --- Council --------------------------------------------------------------------------------------
def test_a_member_blocks_by_affinity_and_fear_of_precedent():
    w = dict(affinity_weight=2.0, precedent_weight=3.0, block_cut=1.5)
    # 2 * (0 - 0.5) = -1 > -1.5: no block; with an internal precedent: -1 - 3*0.5 = -2.5: block
    assert not council.blocks(0.0, 0.5, 0.5 * one, False, 0 * one, **w)[0]
    assert council.blocks(0.0, 0.5, 0.5 * one, True, 0 * one, **w)[0]
    # negative affinity with the aggressor does not count as solidarity with the target
    assert not council.blocks(0.0, -1.0, 0.5 * one, False, 0 * one, **w)[0]


def test_the_council_speaks_for_a_partys_war_only_by_consensus():
    # three worlds, members (RUS, BLR, KAZ); Russia's own column is not another active party
    others = np.array([[False, True, True], [False, True, True], [False, True, False]])
    backs = np.array([[False, True, True], [False, True, False], [False, True, False]])
    # world 0: both back; world 1: KAZ declines (E18); world 2: KAZ is not active, BLR backs
    assert_array_equal(council.backs_a_partys_war([backs], others), [True, False, True])
    # two calls in one month: each must be backed
    partly = backs & np.array([[True, True, False]]).T
    assert_array_equal(council.backs_a_partys_war([backs, partly], others), [True, False, False])
    # no call for support: nobody asked the Council to speak
    assert not council.backs_a_partys_war([], others).any()


def test_only_unrest_not_cast_as_foreign_is_called_internal():
    assert council.called_internal("internal_unrest", False)  # E08
    assert not council.called_internal("internal_unrest", True)  # E17
    assert not council.called_internal("intra_member_clash", False)  # E14: a party hit


def test_the_council_speaks_unasked_by_choice():
    w = dict(affinity_weight=3.0, ties_weight=2.0, precedent_weight=4.0)
    zero = 0 * one
    assert council.speaks_unasked(0.6, True, 0.0, zero, zero, **w)[0]  # 1.8 > 0
    assert council.speaks_unasked(0.6, True, 0.5, zero, zero, **w)[0]  # 1.8 - 1.0 = 0.8
    assert not council.speaks_unasked(0.6, True, 1.0, zero, zero, **w)[0]  # 1.8 - 2.0 = -0.2
    # nobody hit from outside: no solidarity term, so it speaks only on its noise
    assert not council.speaks_unasked(0.6, False, 0.0, zero, zero, **w)[0]  # 0
    assert council.speaks_unasked(0.6, False, 0.0, zero, 0.1 * one, **w)[0]  # 0.1
    # unrest the government calls internal: non-interference, 0 - 4 * 0.25 = -1
    assert not council.speaks_unasked(0.6, False, 0.0, 0.25 * one, 0.9 * one, **w)[0]
    assert council.speaks_unasked(0.6, False, 0.0, 0.25 * one, 1.1 * one, **w)[0]


def test_russia_sends_arms_unasked_only_against_a_threat_from_outside():
    assert russia.unasked_ceiling("insurgent_spillover") == BilateralRung.ARMS  # E15
    assert russia.unasked_ceiling("external_aggression") == BilateralRung.ARMS
    for kind in ("internal_unrest", "disputed_territory_conflict", "intra_member_clash"):
        assert russia.unasked_ceiling(kind) == BilateralRung.WORDS  # E05: political backing


def test_council_answer_ladder():
    A, C, N = Request.ASSISTANCE, Request.CONSULTATIONS, Request.NONE
    request = np.array([A, A, A, A, C, N, N, N])
    asked = np.array(
        [
            Rung.DEPLOYMENT,
            Rung.DEPLOYMENT,
            Rung.DEPLOYMENT,
            Rung.MATERIAL_AID,
            Rung.CONSULTATIONS,
            0,
            0,
            0,
        ]
    )
    russia_stance = np.array(
        [Rung.DEPLOYMENT, Rung.DEPLOYMENT, Rung.CONSULTATIONS, Rung.MISSION] + [Rung.MISSION] * 4
    )
    block = np.array([False, True, False, False, False, False, False, False])
    party = np.array([True] * 7 + [False])
    speaks = np.array([True] * 5 + [True, False, True])
    out = council.council_answer(request, asked, russia_stance, block, party, speaks)
    assert_array_equal(
        out,
        [
            Rung.DEPLOYMENT,
            Rung.MATERIAL_AID,  # a block leaves only what can be given bilaterally (E08)
            Rung.CONSULTATIONS,
            Rung.MATERIAL_AID,  # never above what was asked
            Rung.CONSULTATIONS,
            Rung.STATEMENT,
            Rung.NONE,  # silence is a choice
            Rung.NONE,  # not a party
        ],
    )


def test_deployment_size():
    out = council.deployment_size(
        np.array([Rung.DEPLOYMENT, Rung.MISSION]), 0.8, np.array([0.9, 0.9]), 3600
    )
    assert_allclose(out, [3600 * 0.8 * 0.9, 0.0])


# --- trust ----------------------------------------------------------------------------------------
def test_trust_is_a_beta_posterior_that_one_answer_moves_by_one_count():
    h0, f0 = trust.prior_counts(np.array([0.6]))  # 2.4, 1.6
    assert_allclose(trust.expected_help(h0, f0), [0.6])
    h, f = trust.observe(h0, f0, np.array([0.0]), 1.0)
    assert_allclose(trust.expected_help(h, f), [2.4 / 5.0])  # 0.48, not 0
    h, f = trust.observe(h0, f0, np.array([0.0]), trust.SPILLOVER)
    assert_allclose(trust.expected_help(h, f), [2.4 / 4.5])  # others' answers count less
    assert trust.SPILLOVER < 1


def test_learnt_trust_fades_toward_the_prior():
    assert_allclose(trust.forget(np.array([3.4]), np.array([2.4])), [2.4 + (1 - 1 / 120)])


# --- membership -----------------------------------------------------------------------------------
def test_rivalry_and_outside_pull_depend_on_the_patron():
    r = membership.rivalry(np.array([-1.0, 0.5, 1.0]))
    assert_allclose(r, [1.0, 0.25, 0.0])
    # ties 1 to a rival patron pull four times as hard as ties 1 to a friendly one
    assert_allclose(
        membership.outside_pull(np.array([[1.0, 0.0, 0.0], [0.0, 1.0, 0.0]]), r), [1.0, 0.25]
    )


def test_leave_pressure_by_hand():
    w = dict(
        grievance_weight=2.0,
        outside_weight=3.0,
        sovereignty_weight=4.0,
        dependency_weight=5.0,
        protection_weight=6.0,
    )
    prot = membership.protection(0.5 * one, 0.4 * one, 0.5 * one)  # 0.1
    got = membership.leave_pressure(1.0 * one, 0.5 * one, 0.1 * one, 0.6 * one, prot, **w)
    assert_allclose(got, [2 * 1 * 0.5 + 3 * 0.5 + 4 * 0.1 - 5 * 0.6 - 6 * 0.1])  # -0.7
    # a grievance with nowhere to turn adds nothing
    alone = membership.leave_pressure(1.0 * one, 0.0 * one, 0.1 * one, 0.6 * one, prot, **w)
    assert_allclose(alone, [4 * 0.1 - 5 * 0.6 - 6 * 0.1])


def test_decisions_only_at_an_occasion_with_hysteresis():
    A, F, W = Status.ACTIVE, Status.FROZEN, Status.WITHDRAWN
    status = np.array([A, A, F, F, F, W, W, W])
    pressure = np.array([5.0, 5.0, 8.0, 3.0, -1.0, -2.0, -2.0, 5.0])
    occasion = np.array([True, False, True, True, True, True, True, True])
    blocked = np.array([False] * 6 + [True, False])
    cuts = dict(freeze_threshold=4.0, withdraw_margin=2.0)
    exit_cost = np.zeros(8)
    new, notice = membership.decide(
        status, pressure, 0 * pressure, occasion, blocked, exit_cost, **cuts
    )
    # active: freezes above 4 at an occasion only; frozen: notice above 6, thaw below 2, else stays;
    # withdrawn: rejoins below 4 unless blocked
    assert_array_equal(new, [F, A, F, F, A, A, W, W])
    assert_array_equal(notice, [False, False, True, False, False, False, False, False])
    # a formal exit also forfeits what dependency buys: with an exit cost of 3, no notice at 8
    _, costly = membership.decide(
        status, pressure, 0 * pressure, occasion, blocked, exit_cost + 3, **cuts
    )
    assert not costly.any()


def test_a_content_member_stays_at_every_occasion():
    status = np.full(1000, Status.ACTIVE)
    u = np.linspace(0.0005, 0.9995, 1000)
    new, _ = membership.decide(
        status,
        np.full(1000, -10.0),
        choice.logistic_noise(u),
        np.ones(1000, bool),
        np.zeros(1000, bool),
        np.zeros(1000),
        freeze_threshold=4.0,
        withdraw_margin=2.0,
    )
    assert (new == Status.ACTIVE).all()


def test_a_renewal_window_lets_the_treaty_lapse():
    status = np.array([Status.ACTIVE, Status.FROZEN, Status.WITHDRAWN, Status.ACTIVE])
    out = membership.lapse(
        status, np.array([5.0, 5.0, 5.0, 1.0]), np.zeros(4), freeze_threshold=4.0
    )
    assert_array_equal(out, [Status.WITHDRAWN, Status.WITHDRAWN, Status.WITHDRAWN, Status.ACTIVE])


def test_grievances():
    assert_allclose(membership.unmet(0.8, np.array([0.0, 1.0])), [0.8, 0.0])
    assert_allclose(membership.resented_integration(0.2, np.array([1.0, 0.25])), [0.2, 0.05])
    assert membership.entrapment(0.2) == pytest.approx(0.04)  # declining words costs little
    assert membership.entrapment(0.6) == pytest.approx(0.36)
    assert_allclose(membership.fade(np.array([1.0]), 0.1), [0.9])


# --- support --------------------------------------------------------------------------------------
def test_backing_russia_by_hand():
    w = dict(dependency_weight=10.0, outside_weight=4.0, support_cost=8.0)
    # Belarus-like: 10 * 0.9 * 1.0 - 0 - 8 * 0.6 = 4.2 > 0
    # Kazakhstan-like: 10 * 0.64 * 0.6 - 4 * 1.1 - 8 * 0.6 = -5.36 < 0
    assert support.backs(0.9 * one, 1.0 * one, 0 * one, 0.6, 0 * one, **w)[0]
    assert not support.backs(0.64 * one, 0.6 * one, 1.1 * one, 0.6, 0 * one, **w)[0]
