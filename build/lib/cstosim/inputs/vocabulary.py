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
#: ``WEST`` is the EU and the West at large, ``US`` the United States on its own.
NON_MEMBERS: tuple[str, ...] = ("TUR", "CHN", "WEST", "TALIBAN", "UKR", "IRN", "US")
ACTORS: tuple[str, ...] = MEMBERS + NON_MEMBERS
ACTOR_INDEX: dict[str, int] = {code: i for i, code in enumerate(ACTORS)}
#: Outside patrons whose offers give a member an outside option, each with its own relation to
#: Russia (read from the affinity matrix), and the member fact that holds ties to each.
PATRONS: tuple[str, ...] = ("WEST", "US", "CHN", "TUR", "IRN")
PATRON_FACTS: dict[str, str] = {
    "WEST": "ties_west",
    "US": "ties_us",
    "CHN": "ties_china",
    "TUR": "ties_turkey",
    "IRN": "ties_iran",
}


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


class Channel(IntEnum):
    """How an affected state appeals at a crisis's onset (one of four)."""

    NONE = 0
    BILATERAL = 1  # to Russia, under a bilateral treaty or with a Russian base at hand (E08, E12)
    CONSULTATIONS = 2  # CST Art. 2
    ASSISTANCE = 3  # CST Art. 4, where the treaty's scope holds


CHANNEL_NAMES: tuple[str, ...] = tuple(c.name.lower() for c in Channel)


class BilateralRung(IntEnum):
    """Russia's own answer, beside or instead of the Council (E08, E12, E15)."""

    NONE = 0
    WORDS = 1  # statements, mediation, political backing
    ARMS = 2  # arms, material, humanitarian supplies
    TROOPS = 3


BILATERAL_NAMES: tuple[str, ...] = tuple(r.name.lower() for r in BilateralRung)


class Scope(IntEnum):
    """What a crisis puts at stake, for what a member learns to expect from each provider."""

    TERRITORIAL = 0  # defence of recognised territory (E19)
    REGIME = 1  # the security of the government (E17, E08)
    DISPUTED = 2  # territory outside Moscow's reading of Art. 4 (E12)


SCOPE_NAMES: tuple[str, ...] = tuple(s.name.lower() for s in Scope)


class Provider(IntEnum):
    """Who a member may expect help from."""

    RUSSIA = 0
    COLLECTIVE = 1


PROVIDER_NAMES: tuple[str, ...] = tuple(p.name.lower() for p in Provider)


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
    "summit",
)
EVENT_KINDS: tuple[str, ...] = CRISIS_KINDS + ("policy_shock",)

#: Per-member facts, each in [0, 1].
MEMBER_FACTS: tuple[str, ...] = (
    "dependency",  # cost of crossing Russia: remittances, trade, arms, bases
    "alignment",  # political closeness to Moscow versus outside patrons
    "trust",  # expectation that help comes when asked (the prior of every provider and scope)
    "sovereignty_sensitivity",  # cost of foreign troops or mandates on internal matters
    "capacity",  # own forces: how far the state can help itself
    "threat",  # chronic perceived external threat (baseline to which events decay)
    "unrest",  # chronic internal unrest (baseline)
    "bilateral_patron",  # a Russian base or a bilateral defence treaty at hand
    *PATRON_FACTS.values(),  # ties to each outside patron
)
#: Facts of format 1 that format 2 renamed: an old file's override is read as the new fact.
#: The old single outside option was mostly Western ties (``docs/scenarios.md``).
FACT_ALIASES: dict[str, str] = {"outside_option": "ties_west"}

#: Facts of the alliance as a whole, each in [0, 1].
WORLD_FACTS: tuple[str, ...] = (
    "integration",  # depth of military integration and mandates on internal matters
    "russia_bandwidth",  # share of Russia's capacity free for its allies at the start
)
