"""Stages 3-4, the Council: members' stances under consensus, and the alliance's answer on the
ladder ``none < statement < consultations < material_aid < mission < deployment``."""

from __future__ import annotations

import numpy as np

from ...inputs.vocabulary import Request, Rung

Array = np.ndarray


def called_internal(kind: str, framed_foreign: bool) -> bool:
    """Unrest its government calls internal, not foreign-backed: the Charter's non-interference
    holds the members back (E08: refused as 'internal'; M13), and no party was hit from outside."""
    return kind == "internal_unrest" and not framed_foreign


def blocks(
    affinity_target: float,
    affinity_aggressor: float,
    sovereignty: Array,
    unframed_unrest: bool,
    noise: Array,
    *,
    affinity_weight: Array,
    precedent_weight: Array,
    block_cut: Array,
) -> Array:
    """Whether a member blocks collective action: its affinity with the target against its ties
    with the aggressor (E19, S003), and its fear of the precedent of intervening in unrest not
    framed as foreign-backed (E08, M13), with noise; consensus means one block is enough."""
    stance = (
        affinity_weight * (affinity_target - max(affinity_aggressor, 0.0))
        - precedent_weight * sovereignty * float(unframed_unrest)
        + noise
    )
    return stance < -block_cut


def speaks_unasked(
    severity: float,
    party_hit: bool,
    ties_to_aggressor: Array | float,
    internal_caution: Array,
    noise: Array,
    *,
    affinity_weight: Array,
    ties_weight: Array,
    precedent_weight: Array,
) -> Array:
    """Whether the Council says anything about a crisis on a party that nobody took to it: its
    concern for a party hit by force from outside or by another party, or by unrest its government
    casts as foreign-backed (``party_hit``; E14, E20: statements), held back by Russia's ties with
    an aggressor that is not a party (E12) and, in unrest called internal, by the Charter's
    non-interference (``internal_caution``: the members' mean sovereignty sensitivity), with unit
    noise: it speaks where its concern is positive. Silence is a choice too."""
    concern = (
        affinity_weight * severity * float(party_hit)
        - ties_weight * np.maximum(ties_to_aggressor, 0.0)
        - precedent_weight * internal_caution
        + noise
    )
    return concern > 0.0


def backs_a_partys_war(calls: list[Array], others_active: Array) -> Array:
    """Whether the Council speaks for a war one of its parties wages on an outsider: by consensus
    only, where every other active party backed each of that party's calls for political support
    this month (``calls``: ``(W, M)`` backing of each call; ``others_active``: ``(W, M)``, the
    other parties active). Kazakhstan and Kyrgyzstan declined Russia's call in 2022, and the
    Council said nothing (E18); with no call, nobody asked it to speak."""
    if not calls:
        return np.zeros(others_active.shape[0], dtype=bool)
    return np.all([(backs | ~others_active).all(axis=1) for backs in calls], axis=0)


def council_answer(
    request: Array,
    asked: Array,
    russia: Array,
    any_block: Array,
    on_party: Array,
    statement: Array,
) -> Array:
    """The Council's rung, never above what was asked.

    Nothing asked: a statement if it chooses to speak on a party, else nothing. Consultations
    asked: consultations (CST Art. 2). Assistance asked: as far as Russia will carry it
    (``russia``, from :func:`~.russia.council_stance`); one block stops a mission or deployment,
    but material aid can still be given bilaterally (E08).
    """
    spoken = np.where(on_party & statement, Rung.STATEMENT, Rung.NONE)
    helped = np.where(any_block, np.minimum(russia, Rung.MATERIAL_AID), russia)
    helped = np.minimum(helped, asked)
    out = np.where(request == Request.CONSULTATIONS, Rung.CONSULTATIONS, spoken)
    return np.where(request == Request.ASSISTANCE, helped, out).astype(np.int8)


def deployment_size(response: Array, severity: float, bandwidth: Array, pool: float) -> Array:
    """Personnel sent: the peacekeeping pool scaled by severity and Russia's free capacity."""
    return np.where(response == Rung.DEPLOYMENT, pool * severity * bandwidth, 0.0)
