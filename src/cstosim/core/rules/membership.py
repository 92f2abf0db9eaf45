"""Stage 6, membership: status changes as institutional acts at moments that give occasion.

A member weighs its pressure to leave only at an occasion: a summit of the Collective Security
Council, the month after a crisis left it aggrieved, or a renewal window of the treaty. Between
occasions nothing changes, so a content member does not drift out (in thirty years Belarus,
Kazakhstan, Kyrgyzstan and Tajikistan never changed status). The acts (M07-M29): freezing
participation (boycotts, stopped dues: M21, M22); a withdrawal notice, effective after six months
(CST Art. 11); not renewing at a renewal window (M07-M09); thawing; and rejoining, which the
Council must accept by consensus (M11). The noise of these acts is each state's resolve, drawn
once per world (:func:`resolve`), not a new draw at each occasion.
"""

from __future__ import annotations

import numpy as np

from ...inputs.vocabulary import Status
from .choice import logistic_noise

Array = np.ndarray

#: Months between a withdrawal notice and its effect (CST Art. 11).
NOTICE_MONTHS = 6
#: The month of the Council's yearly session when a scenario dates none: recent sessions were all
#: in November (M16, M20, M24, M29).
SUMMIT_MONTH = 11
#: Grievance below which an active member does not weigh leaving at a summit: a tenth of a grave
#: request left unmet. A member with no grievance does not drift out.
AGGRIEVED = 0.1


def resolve(u: Array) -> Array:
    """Each state's private resolve in a world, drawn once (logistic) and kept: the same state in
    the same world weighs the same pressure the same way at every occasion, so what changes its
    decision is a change in its situation, not a new coin flip at each summit (in thirty years
    four members never changed status; the changes the record shows each followed a crisis, an
    offer or a renewal: M07-M29). ``u``: uniform draws ``(W, M)``."""
    return logistic_noise(u)


def rivalry(affinity_with_russia: Array) -> Array:
    """How far a patron's offer competes with Russia: ``(1 − affinity) / 2``, from 1 for a patron
    at odds with Moscow (the West after 2022) to 0 for its closest ally."""
    return (1.0 - np.asarray(affinity_with_russia, dtype=float)) / 2.0


def outside_pull(ties: Array, patron_rivalry: Array) -> Array:
    """A member's outside option ``(W,)``: its best alternative, the largest of its ties ``(W, P)``
    to each patron weighted by that patron's rivalry with Russia ``(P,)``. A Chinese offer does not
    count as an EU accession law, and working ties with many patrons (Kazakhstan's multi-vector
    diplomacy) do not add up to one security patron (Armenia's turn to the EU and the US)."""
    return (ties * patron_rivalry).max(axis=1)


def leave_pressure(
    grievance: Array,
    outside: Array,
    integration_cost: Array,
    dependency: Array,
    protection: Array,
    *,
    grievance_weight: Array,
    outside_weight: Array,
    sovereignty_weight: Array,
    dependency_weight: Array,
    protection_weight: Array,
) -> Array:
    """Pressure to leave: grievances (M21), outside options (M07-M09), the sovereignty cost of
    integration (M13), against dependency on Russia and the protection expected, which falls with
    Russia's free bandwidth (``integration_cost`` = sovereignty sensitivity × integration).

    A grievance weighs as far as the member has somewhere to turn (``grievance × outside``): Armenia
    froze its membership over the unmet request of 2022 while it turned to the EU and the US (M21,
    M22); Kyrgyzstan, refused troops in 2010 with no patron to turn to, complained and stayed (E08).
    """
    return (
        grievance_weight * grievance * outside
        + outside_weight * outside
        + sovereignty_weight * integration_cost
        - dependency_weight * dependency
        - protection_weight * protection
    )


def protection(help_expected: Array, threat: Array, bandwidth: Array) -> Array:
    """The protection a member expects: help against the threats it faces, as far as Russia has
    forces free (S004)."""
    return help_expected * threat * bandwidth


def decide(
    status: Array,
    pressure: Array,
    noise: Array,
    occasion: Array,
    rejoin_blocked: Array,
    exit_cost: Array,
    *,
    freeze_threshold: Array,
    withdraw_margin: Array,
) -> tuple[Array, Array]:
    """At an occasion: (new status, whether a withdrawal notice is given this month).

    Active: freeze above ``freeze_threshold``. Frozen: give notice above the threshold plus
    ``withdraw_margin`` plus ``exit_cost`` (a formal exit forfeits what dependency on Russia buys:
    M26, Moscow's threats over arrears; M29, Armenia frozen but still a member de jure), thaw below
    the threshold minus the margin. Withdrawn: apply to rejoin below the threshold, the line that
    crossed upward takes an active member out; the Council's consent is the further hurdle,
    refused if an active member is hostile to it (M11). The noise is the state's resolve.
    """
    felt = pressure + noise
    active, frozen = status == Status.ACTIVE, status == Status.FROZEN
    withdrawn = status == Status.WITHDRAWN
    out = np.where(occasion & active & (felt > freeze_threshold), Status.FROZEN, status)
    thaw = occasion & frozen & (felt < freeze_threshold - withdraw_margin)
    out = np.where(thaw, Status.ACTIVE, out)
    rejoin = occasion & withdrawn & (felt < freeze_threshold)
    out = np.where(rejoin & ~rejoin_blocked, Status.ACTIVE, out)
    notice = occasion & frozen & (felt > freeze_threshold + withdraw_margin + exit_cost)
    return out.astype(np.int8), notice


def lapse(status: Array, pressure: Array, noise: Array, *, freeze_threshold: Array) -> Array:
    """At a renewal window, a party with enough pressure to freeze simply does not sign, and the
    treaty lapses for it (M07-M09: Azerbaijan, Georgia, Uzbekistan in April 1999)."""
    party = (status == Status.ACTIVE) | (status == Status.FROZEN)
    gone = party & (pressure + noise > freeze_threshold)
    return np.where(gone, Status.WITHDRAWN, status).astype(np.int8)


def unmet(severity: float, success: Array) -> Array:
    """Grievance from a request answered below what was asked (E19, M21)."""
    return severity * (1.0 - success)


def resented_integration(size: float, sovereignty: Array) -> Array:
    """Grievance of a sovereignty-minded member when the alliance deepens its integration (M13:
    Uzbekistan objected to the rapid-reaction forces and to mandates on internal conflicts)."""
    return size * sovereignty


def entrapment(severity: float) -> float:
    """Grievance of an active member pressed to back a costly demand it declined: the square of
    its severity, so declining words costs little (E18: Kazakhstan refused recognition and
    sanctions help, and stayed)."""
    return severity * severity


def fade(grievance: Array, grievance_fade: Array) -> Array:
    """A grievance one month on."""
    return (1.0 - grievance_fade) * grievance
