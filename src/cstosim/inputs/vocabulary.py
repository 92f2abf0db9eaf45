"""The model's fixed vocabulary: states, statuses, the response ladder, event and request kinds.

Integer codes index numpy arrays; the names are what scenario files and result tables use.
"""

from __future__ import annotations

from enum import IntEnum
from typing import TYPE_CHECKING

if TYPE_CHECKING:
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
    import numpy as np  # here, so that reading scenarios (cstosim list) needs no numpy

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

#: Per-member facts, each in [0, 1].
MEMBER_FACTS: tuple[str, ...] = (
    "dependency",  # cost of crossing Russia: remittances, trade, arms, bases
    "alignment",  # political closeness to Moscow versus outside patrons
    "trust",  # expectation that the alliance helps when asked (starting value)
    "sovereignty_sensitivity",  # cost of foreign troops or mandates on internal matters
    "capacity",  # own forces: how far the state can help itself
    "outside_option",  # value of alternative partners
    "threat",  # chronic perceived external threat (baseline to which events decay)
    "unrest",  # chronic internal unrest (baseline)
)

#: Facts of the alliance as a whole, each in [0, 1].
WORLD_FACTS: tuple[str, ...] = (
    "integration",  # depth of military integration and mandates on internal matters
    "russia_bandwidth",  # share of Russia's capacity free for its allies at the start
)
