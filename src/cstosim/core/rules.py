"""Decision rules: pure functions over arrays of worlds, one per rule, each citing its source.

Agents gather their inputs and call these; the model sequences the stages. Nothing here touches
the model, a generator or global state: uniform draws come in as arguments, and every behavioural
parameter a rule uses is a keyword argument of its own, so a signature shows what a rule reads.
Shapes are ``(W,)`` over worlds unless stated; scalars broadcast. Source ids (E.., M.., S...)
resolve in ``docs/bibliography.md``.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
from scipy.special import expit

from ..inputs.vocabulary import Request, Rung, Stance, Status

Array = np.ndarray


def logistic(x: Array) -> Array:
    """The logistic function, overflow-safe."""
    return expit(x)


def softmax_choice(utilities: Array, temperature: Array, u: Array) -> tuple[Array, Array]:
    """Multinomial logit: probabilities ``(W, K)`` and the option each world picks with draw ``u``.

    Quantal response (McKelvey & Palfrey 1995): P(k) ∝ exp(U_k / T).
    """
    z = utilities / np.asarray(temperature, dtype=float)[:, None]
    z = z - z.max(axis=1, keepdims=True)
    p = np.exp(z)
    p /= p.sum(axis=1, keepdims=True)
    cum = np.cumsum(p, axis=1)
    pick = (u[:, None] >= cum[:, :-1]).sum(axis=1)
    return p, pick


# --- perceive -----------------------------------------------------------------------------------


def decay_toward(level: Array, baseline: Array, decay: Array, floor: float | Array = 0.0) -> Array:
    """Excess over ``baseline`` fades at ``decay`` a month, held up to ``floor`` (an active crisis).

    Threat and unrest rise to the severity of the crises under way and ebb after them (E14, E20:
    border crises fade within months).
    """
    return np.maximum(baseline + (1 - decay) * (level - baseline), floor)


def fade(level: Array, decay: Array) -> Array:
    """A pressure with no baseline (entrapment) fades at ``decay`` a month."""
    return (1 - decay) * level


def bandwidth_ceiling(war_severity: float, war_burden: Array) -> Array:
    """Share of Russia's capacity that a war it wages leaves free (E18, E19: from February 2022
    the war in Ukraine pulled forces and attention away from the allies)."""
    return 1.0 - war_burden * war_severity


def recover_bandwidth(bandwidth: Array, ceiling: Array, rate: Array) -> Array:
    """Russia's free bandwidth relaxes toward its ceiling at ``rate`` a month, never above it."""
    out = np.minimum(bandwidth + rate * (ceiling - bandwidth), ceiling)
    return np.clip(out, 0.0, 1.0)


def shock_raise(value: Array, size: float) -> Array:
    """A policy shock that raises a fact by ``size`` of the room left (offers, charter changes,
    restored capacity; severity scale in ``docs/scenarios.md``)."""
    return value + size * (1 - value)


def shock_lower(value: Array, size: float) -> Array:
    """A policy shock that lowers a fact by ``size`` of its level (rebuffs, drained capacity)."""
    return value * (1 - size)


def entrapment_pressure(entrapment: Array, severity: float, backs: Array) -> Array:
    """A member that did not back Russia's call for support feels its pressure while it lasts
    (E18: members were pressed to back the war; only Belarus did)."""
    return np.maximum(entrapment, severity * ~backs)


# --- invoke -------------------------------------------------------------------------------------


def treaty_scope(kind: str, framed_foreign: bool, internal_scope: Array) -> Array:
    """How far the treaty covers a crisis, in [0, 1].

    CST Art. 4 covers aggression on recognised member territory (Moscow's reading excludes
    Nagorno-Karabakh, E12); the Charter puts non-interference first, so unrest counts only when
    framed as foreign-backed (E17) and otherwise only as far as ``internal_scope`` (E08); there is
    no mechanism for a clash between members (E14, E20).
    """
    internal_scope = np.asarray(internal_scope, dtype=float)
    if kind in ("external_aggression", "insurgent_spillover"):
        return np.ones_like(internal_scope)
    if kind == "internal_unrest":
        return np.ones_like(internal_scope) if framed_foreign else internal_scope
    return np.zeros_like(internal_scope)


def capacity_gap(severity: float, capacity: Array) -> Array:
    """Share of a crisis a member cannot meet alone: ``severity × (1 − capacity)``."""
    return severity * (1.0 - np.asarray(capacity, dtype=float))


def invoke_utilities(
    severity: float,
    scope: Array,
    gap: Array,
    trust: Array,
    sovereignty: Array,
    *,
    consult_weight: Array,
    consult_cost: Array,
    need_weight: Array,
    sovereignty_weight: Array,
    request_cost: Array,
) -> Array:
    """Utilities ``(W, 3)`` of no request, Art. 2 consultations and a request for assistance.

    Severity, own capacity gap, trust, sovereignty cost and treaty scope (CST Art. 2 and 4).
    """
    consult = consult_weight * severity * scope - consult_cost
    assist = need_weight * gap * trust * scope - sovereignty_weight * sovereignty - request_cost
    return np.stack([np.zeros_like(consult), consult, assist], axis=1)


def asked_rung(request: Array, gap: Array, ask_deploy_gap: Array) -> Array:
    """The rung a request asks for: troops when the gap is large (E08, E17, E19), else aid (E15)."""
    asked = np.where(gap >= ask_deploy_gap, Rung.DEPLOYMENT, Rung.MATERIAL_AID)
    asked = np.where(request == Request.ASSISTANCE, asked, Rung.NONE)
    return np.where(request == Request.CONSULTATIONS, Rung.CONSULTATIONS, asked).astype(np.int8)


# --- deliberate ---------------------------------------------------------------------------------


def reputation(trust: Array, active: Array) -> Array:
    """The alliance's reputation: mean trust of the active members given in ``active`` (W, M)."""
    return (trust * active).sum(axis=1) / np.maximum(active.sum(axis=1), 1)


def russia_willingness(
    severity: float,
    target_alignment: Array,
    reputation: Array,
    ties_to_aggressor: float,
    bandwidth: Array,
    scope: Array,
    *,
    russia_interest: Array,
    russia_reputation: Array,
    russia_ties: Array,
    bandwidth_weight: Array,
    legal_weight: Array,
) -> Array:
    """Russia's willingness to act for an ally.

    Interest in the ally's stability (E17) and the alliance's reputation, against ties to the
    aggressor (E12, E19), drained bandwidth (E18, E19) and acting outside the treaty (E08).
    """
    return (
        russia_interest * target_alignment * severity
        + russia_reputation * reputation
        - russia_ties * max(ties_to_aggressor, 0.0)
        - bandwidth_weight * (1.0 - bandwidth)
        - legal_weight * (1.0 - scope)
    )


def member_willingness(
    affinity_target: float,
    affinity_aggressor: float,
    sovereignty: Array,
    internal: bool,
    scope: Array,
    *,
    stance_base: Array,
    affinity_weight: Array,
    precedent_weight: Array,
    legal_weight: Array,
) -> Array:
    """A non-Russian member's willingness to back an ally's request.

    Affinity with the requester against affinity with the aggressor (E19), fear of the precedent of
    intervening in internal affairs (E08, M13), and acting outside the treaty.
    """
    return (
        stance_base
        + affinity_weight * (affinity_target - max(affinity_aggressor, 0.0))
        - precedent_weight * sovereignty * float(internal)
        - legal_weight * (1.0 - scope)
    )


def stance(
    willingness: Array, temperature: Array, u: Array, *, block_cut: Array, deploy_cut: Array
) -> Array:
    """Ordered logit: willingness plus logistic noise, cut into the four stances."""
    uc = np.clip(u, 1e-12, 1.0 - 1e-12)
    latent = willingness + temperature * np.log(uc / (1.0 - uc))
    out = np.full(latent.shape, Stance.ABSTAIN, dtype=np.int8)
    out[latent < block_cut] = Stance.BLOCK
    out[latent >= 0.0] = Stance.SUPPORT_NONMILITARY
    out[latent >= deploy_cut] = Stance.SUPPORT_DEPLOYMENT
    return out


def council_response(
    request: Array, asked: Array, russia: Array, any_block: Array, member_target: Array
) -> Array:
    """The Council's rung: the highest the consensus allows, never above what was asked.

    Consensus of heads of state (CSTO Charter): one block stops collective action; Russia carries
    any deployment and mission; material aid can be given bilaterally without consensus (E08).
    """
    nonmil = russia >= Stance.SUPPORT_NONMILITARY
    rung = np.where(member_target, Rung.STATEMENT, Rung.NONE).astype(np.int8)
    rung = np.where(request >= Request.CONSULTATIONS, Rung.CONSULTATIONS, rung)
    rung = np.where((request == Request.ASSISTANCE) & nonmil, Rung.MATERIAL_AID, rung)
    rung = np.where((request == Request.ASSISTANCE) & nonmil & ~any_block, Rung.MISSION, rung)
    deploy = (request == Request.ASSISTANCE) & (russia == Stance.SUPPORT_DEPLOYMENT) & ~any_block
    rung = np.where(deploy, Rung.DEPLOYMENT, rung)
    return np.minimum(rung, np.where(request == Request.NONE, rung, asked)).astype(np.int8)


def deployment_size(response: Array, severity: float, bandwidth: Array, pool: float) -> Array:
    """Personnel sent: the peacekeeping pool scaled by severity and Russia's free capacity."""
    return np.where(response == Rung.DEPLOYMENT, pool * severity * bandwidth, 0.0)


# --- learn --------------------------------------------------------------------------------------


def satisfaction(response: Array, asked: Array) -> Array:
    """1 where the alliance gave at least what was asked, else 0.

    The ladder is ordinal: a mission is not four fifths of a deployment (E19, M21: Armenia asked
    for troops, got a fact-finding mission, and counted it as non-help).
    """
    return (np.asarray(response) >= np.asarray(asked)).astype(float)


def tangible_help(response: Array) -> Array:
    """1 where the alliance gave tangible help (material aid or more), else 0."""
    return (np.asarray(response) >= Rung.MATERIAL_AID).astype(float)


def learn(trust: Array, outcome: Array, rate: Array) -> Array:
    """Move trust toward an observed outcome at ``rate``."""
    return np.clip(trust + rate * (outcome - trust), 0.0, 1.0)


# --- membership ---------------------------------------------------------------------------------


def hostility(affinity_row: Array, active_others: Array) -> Array:
    """Largest hostility ``max(0, −affinity)`` toward another active member; ``(W,)``.

    ``affinity_row`` is ``(M,)`` for one state; ``active_others`` is ``(W, M)`` boolean.
    """
    h = np.maximum(-np.asarray(affinity_row, dtype=float), 0.0)
    return (active_others * h[None, :]).max(axis=1)


class Standing(NamedTuple):
    """What a state weighs when it asks itself whether to stay: each ``(W,)``."""

    trust: Array
    threat: Array
    dependency: Array
    alignment: Array
    sovereignty: Array
    integration: Array
    entrapment: Array
    outside: Array
    hostility: Array


def net_cost_of_staying(
    s: Standing,
    *,
    value_protection: Array,
    value_dependency: Array,
    value_alignment: Array,
    cost_sovereignty: Array,
    cost_entrapment: Array,
    cost_outside: Array,
    cost_hostility: Array,
) -> Array:
    """Cost minus value of staying in the alliance.

    Value: the protection expected (trust × threat), dependency on Russia and alignment. Cost:
    sovereignty under deeper integration (M13), entrapment in Russia's demands (E18), outside
    options, and hostility toward another member (E14, E20).
    """
    value = (
        value_protection * s.trust * s.threat
        + value_dependency * s.dependency
        + value_alignment * s.alignment
    )
    cost = (
        cost_sovereignty * s.sovereignty * s.integration
        + cost_entrapment * s.entrapment
        + cost_outside * s.outside
        + cost_hostility * s.hostility
    )
    return cost - value


def update_disaffection(disaffection: Array, net_cost: Array, memory: Array) -> Array:
    """Disaffection moves toward the current net cost: grievances build and fade over months."""
    return disaffection + memory * (net_cost - disaffection)


def transition_probabilities(
    status: Array,
    disaffection: Array,
    dependency: Array,
    *,
    freeze_threshold: Array,
    withdraw_gap: Array,
    thaw_gap: Array,
    rejoin_gap: Array,
    value_dependency: Array,
    status_hazard: Array,
    temperature: Array,
) -> tuple[Array, Array]:
    """Monthly probabilities of leaving one's status: (to a lower-commitment state, to higher).

    Hysteresis: active → frozen → withdrawn, and back (M11 rejoining, M21 freezing). A frozen
    member withdraws only once disaffection outweighs its dependency on Russia.
    """
    d, active, frozen = disaffection, status == Status.ACTIVE, status == Status.FROZEN
    withdrawn = status == Status.WITHDRAWN
    freeze = freeze_threshold
    down_margin = np.where(
        active,
        d - freeze,
        d - freeze - withdraw_gap - value_dependency * dependency,
    )
    up_margin = np.where(frozen, freeze - thaw_gap - d, freeze - rejoin_gap - d)
    h, t = status_hazard, temperature
    down = np.where(active | frozen, h * logistic(down_margin / t), 0.0)
    up = np.where(frozen | withdrawn, h * logistic(up_margin / t), 0.0)
    return down, np.minimum(up, 1.0 - down)


def next_status(status: Array, down: Array, up: Array, u: Array) -> Array:
    """Apply one month's transition with a single uniform draw per world."""
    lower = np.where(status == Status.ACTIVE, Status.FROZEN, Status.WITHDRAWN)
    out = np.where(u < down, lower, status)
    out = np.where((u >= down) & (u < down + up), Status.ACTIVE, out)
    return out.astype(np.int8)


def renewal_lapse(
    status: Array, disaffection: Array, u: Array, *, freeze_threshold: Array, temperature: Array
) -> Array:
    """At a renewal window, a disaffected party simply does not sign and lapses (M07-M09)."""
    lapse = logistic((disaffection - freeze_threshold) / temperature)
    eligible = (status == Status.ACTIVE) | (status == Status.FROZEN)
    return np.where(eligible & (u < lapse), Status.WITHDRAWN, status).astype(np.int8)


def backs_support_probability(
    alignment: Array,
    outside: Array,
    *,
    support_weight: Array,
    support_threshold: Array,
    temperature: Array,
) -> Array:
    """Probability of backing Russia's call for political support (E18: only Belarus did)."""
    pull = support_weight * (alignment - outside) - support_threshold
    return logistic(pull / temperature)
