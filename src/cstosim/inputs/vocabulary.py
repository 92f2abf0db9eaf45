"""The model's fixed vocabulary: states, statuses, the response ladder, event and request kinds.

Integer codes index numpy arrays; the names are what scenario files and result tables use.
"""

from __future__ import annotations

from enum import IntEnum

import numpy as np

#: The nine states that have been parties to the Collective Security Treaty, in array order.
MEMBERS: tuple[str, ...] = ("RUS", "BLR", "KAZ", "KGZ", "TJK", "ARM", "UZB", "AZE", "GEO")
MEMBER_INDEX: dict[str, int] = {code: i for i, code in enumerate(MEMBERS)}
RUSSIA = MEMBER_INDEX["RUS"]

#: Outside actors that appear as aggressors, patrons or sources of threat; never treaty parties.
NON_MEMBERS: tuple[str, ...] = ("TUR", "CHN", "WEST", "TALIBAN", "UKR", "IRN")
ACTORS: tuple[str, ...] = MEMBERS + NON_MEMBERS
ACTOR_INDEX: dict[str, int] = {code: i for i, code in enumerate(ACTORS)}


class Status(IntEnum):
    """Membership status of a state in the treaty."""

    NEVER = 0
    ACTIVE = 1
    FROZEN = 2
    WITHDRAWN = 3


STATUS_NAMES: tuple[str, ...] = tuple(s.name.lower() for s in Status)

#: Legal one-step transitions (from, to). Hysteresis: leaving passes through FROZEN, except
#: at a treaty-renewal window, where not signing lapses straight to WITHDRAWN (1999).
LEGAL_TRANSITIONS: frozenset[tuple[Status, Status]] = frozenset(
    {
        (Status.ACTIVE, Status.FROZEN),
        (Status.FROZEN, Status.ACTIVE),
        (Status.FROZEN, Status.WITHDRAWN),
        (Status.ACTIVE, Status.WITHDRAWN),  # renewal window only
        (Status.WITHDRAWN, Status.ACTIVE),  # rejoining (Uzbekistan 2006)
    }
)


def legal_transition_table() -> np.ndarray:
    """Boolean matrix ``T[a, b]``: may a world move from status a to status b in one step."""
    table = np.eye(len(Status), dtype=bool)
    for a, b in LEGAL_TRANSITIONS:
        table[a, b] = True
    return table


class Rung(IntEnum):
    """The alliance's answer, from nothing to a collective deployment."""

    NONE = 0
    STATEMENT = 1
    CONSULTATIONS = 2
    MATERIAL_AID = 3
    MISSION = 4
    DEPLOYMENT = 5


RUNG_NAMES: tuple[str, ...] = tuple(r.name.lower() for r in Rung)


class Request(IntEnum):
    """What an affected member asks of the alliance."""

    NONE = 0
    CONSULTATIONS = 1  # Art. 2
    ASSISTANCE = 2  # Art. 4, or a request over internal unrest


REQUEST_NAMES: tuple[str, ...] = tuple(r.name.lower() for r in Request)


class Stance(IntEnum):
    """A member's position in the Collective Security Council."""

    BLOCK = 0
    ABSTAIN = 1
    SUPPORT_NONMILITARY = 2
    SUPPORT_DEPLOYMENT = 3


#: Crisis kinds: a member (or a non-member, for wars waged by a member) faces a threat.
CRISIS_KINDS: tuple[str, ...] = (
    "external_aggression",
    "disputed_territory_conflict",
    "internal_unrest",
    "intra_member_clash",
    "insurgent_spillover",
    "nonmember_war_by_member",
)
#: Policy shocks change facts; they are not crises and draw no request.
SHOCK_KINDS: tuple[str, ...] = (
    "charter_change",
    "outside_offer",
    "outside_rebuff",
    "capacity_drain",
    "capacity_restore",
    "political_support_request",
    "treaty_renewal",
)
EVENT_KINDS: tuple[str, ...] = CRISIS_KINDS + ("policy_shock",)
