"""Stage 2, appeal: at a crisis's onset the affected state chooses none, a bilateral appeal to
Russia, Art. 2 consultations or an Art. 4 request for assistance (``docs/model.md``)."""

from __future__ import annotations

import numpy as np

from ...inputs.vocabulary import BilateralRung, Channel, Rung, Scope

Array = np.ndarray
NOT_ADMISSIBLE = -np.inf

#: Crisis kinds on a member's recognised territory from outside: Art. 4's core (CST Art. 4, M01).
FROM_OUTSIDE = ("external_aggression", "insurgent_spillover")


def art4_admissible(kind: str, framed_foreign: bool) -> bool:
    """Whether an Art. 4 request is admissible: aggression on recognised territory, or unrest the
    requester frames as foreign-backed (E17). Never disputed territory (E12), never a clash between
    members (E14, E20: no mechanism), never unrest framed as internal (E08)."""
    return kind in FROM_OUTSIDE or (kind == "internal_unrest" and framed_foreign)


def art2_admissible(kind: str, framed_foreign: bool) -> bool:
    """Whether Art. 2 consultations are admissible: a threat to a member's security from outside,
    or unrest its government casts as foreign-backed (M01). Unrest it calls internal is its own
    affair under the Charter's non-interference: the alliance took up Osh only when Moscow passed
    on a plea for troops, and called it internal (E08). Moscow's reading keeps Karabakh out (E12);
    a clash between members has no mechanism (E14)."""
    return art4_admissible(kind, framed_foreign)


def bilateral_admissible(kind: str, framed_foreign: bool, regime_at_risk: bool) -> bool:
    """Whether a government can appeal to Russia at all: not against a revolt on itself that it
    does not cast as foreign-backed, since foreign forces called in against its own people would
    concede the revolt's case. The documented appeals in unrest came where the government was not
    the target (E08: violence between communities) or cast the revolt as foreign (E17)."""
    return not (kind == "internal_unrest" and regime_at_risk and not framed_foreign)


def trust_scope(kind: str) -> Scope | None:
    """What a crisis puts at stake, for learning; None where no provider's answer was due."""
    if kind in FROM_OUTSIDE:
        return Scope.TERRITORIAL
    if kind == "internal_unrest":
        return Scope.REGIME
    if kind == "disputed_territory_conflict":
        return Scope.DISPUTED
    return None


def patron_against(patron: Array, aggressor_patron: Array | float) -> Array:
    """How far a patron at hand counts against this aggressor: not at all where Russia is bound to
    the aggressor as much as to the state hit. Bound to Kyrgyzstan and Tajikistan alike (bases,
    the treaty), Russia mediated between them and armed neither, and neither appealed to it
    (E14, E20); bound to no one in Baku, Armenia's 1997 treaty counted against Azerbaijan (E12)."""
    return np.asarray(patron, dtype=float) * (1.0 - np.asarray(aggressor_patron, dtype=float))


def treaty_alongside(kind: str, channel: Array, patron: Array) -> Array:
    """Whether an Art. 4 request also invokes a bilateral defence commitment of Russia: under an
    armed attack by a state on recognised territory, a state whose patron is committed to its
    defence (a base there for the host's defence, a bilateral defence treaty: ``patron`` 1) calls
    on both (E19: Armenia invoked Art. 4 and the 1997 treaty). Not for unrest (E17) or an
    insurgent threat (E15), which the bilateral treaties' mutual-defence clauses do not cover."""
    committed = np.asarray(patron, dtype=float) >= 1.0
    return (np.asarray(channel) == Channel.ASSISTANCE) & (kind == "external_aggression") & committed


def capacity_gap(severity: float, capacity: Array) -> Array:
    """Share of a crisis a state cannot meet alone: ``severity × (1 − capacity)``."""
    return severity * (1.0 - np.asarray(capacity, dtype=float))


def appeal_utilities(
    severity: float,
    need: Array,
    help_expected: tuple[Array, Array],
    patron: Array,
    sovereignty: Array,
    admissible: tuple[bool | Array, bool | Array, bool | Array],
    *,
    need_weight: Array,
    ask_cost: Array,
    sovereignty_weight: Array,
    consult_weight: Array,
    treaty_weight: Array,
) -> Array:
    """Utilities ``(W, 4)`` of no appeal, a bilateral appeal, consultations and assistance.

    The capacity gap times the help expected from each provider; a bilateral appeal counts only as
    far as a patron is at hand (a Russian base, a bilateral treaty: E08, E12), and is no option
    where none is: bound to both sides, Russia mediated between Kyrgyzstan and Tajikistan and
    neither appealed to it (E14, E20); an Art. 4 request
    binds every member where the treaty applies, as far as the attack's gravity makes the case
    for declaring aggression (``treaty_weight × severity``: E17 and E19 were grave; a border
    incident hardly carries the charge); consultations are worth the severity
    alone (CST Art. 2); asking costs, and inviting forces costs a sovereignty-minded state more
    (M09, M13). ``help_expected`` = (from Russia, from the collective); ``admissible`` =
    (bilateral, Art. 2, Art. 4) for the crisis and this state.
    """
    help_russia, help_collective = help_expected
    sovereign = sovereignty_weight * sovereignty * need
    bilateral = need_weight * need * help_russia * patron - ask_cost - sovereign
    consult = consult_weight * severity - ask_cost
    assist = need_weight * need * help_collective + treaty_weight * severity - ask_cost - sovereign
    to_russia, art2, art4 = admissible
    bilateral = np.where(to_russia & (np.asarray(patron) > 0), bilateral, NOT_ADMISSIBLE)
    consult = np.where(art2, consult, NOT_ADMISSIBLE)
    assist = np.where(art4, assist, NOT_ADMISSIBLE)
    bilateral, consult, assist = np.broadcast_arrays(bilateral, consult, assist)
    return np.stack([np.zeros_like(bilateral), bilateral, consult, assist], axis=1)


def asked_rungs(channel: Array, need: Array, scope: Scope | None, troops_gap: Array) -> Array:
    """What an appeal asks for, on its provider's ladder: troops (a deployment) when the gap is
    large (E08, E17, E19), else material help (E15); consultations for Art. 2; and only words
    (mediation, consultations on aid) from Russia over disputed territory (E12's letter)."""
    big = need >= troops_gap
    bilateral = np.where(big, BilateralRung.TROOPS, BilateralRung.ARMS)
    if scope is Scope.DISPUTED:
        bilateral = np.full(np.shape(need), BilateralRung.WORDS)
    collective = np.where(big, Rung.DEPLOYMENT, Rung.MATERIAL_AID)
    out = np.zeros(np.shape(need), dtype=np.int8)
    out = np.where(channel == Channel.BILATERAL, bilateral, out)
    out = np.where(channel == Channel.CONSULTATIONS, Rung.CONSULTATIONS, out)
    return np.where(channel == Channel.ASSISTANCE, collective, out).astype(np.int8)
