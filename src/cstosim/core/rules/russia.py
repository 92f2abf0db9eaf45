"""Stage 3, Russia: one willingness built from its motives, each a term of its own with its
source, read as its bilateral answer and as its stance in the Council (``docs/model.md``).

Switching one motive off (``--set regime_motive=0``) removes exactly that term.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from ...inputs.vocabulary import BilateralRung, Rung
from .appeal import FROM_OUTSIDE
from .choice import ordered

Array = np.ndarray


class Crisis(NamedTuple):
    """What Russia reads of a crisis: its kind, severity, whether the target government's survival
    is at stake, and Russia's affinity with the aggressor where it is not a party (else 0), per
    world."""

    kind: str
    severity: float
    regime_at_risk: bool
    ties_to_aggressor: Array | float


def russia_willingness(
    crisis: Crisis,
    target_alignment: Array,
    on_party: bool | Array,
    bandwidth: Array,
    *,
    regime_motive: Array,
    territory_motive: Array,
    reputation_motive: Array,
    ties_weight: Array,
    bandwidth_weight: Array,
) -> Array:
    """Russia's willingness to act for the target of a crisis.

    - regime security of an aligned government whose survival is at stake (E17; not E08, where
      the violence was inter-ethnic and the government itself was not its target);
    - defence of an ally's recognised territory against outside attack (E19; never Karabakh, E12);
    - the alliance's credibility when one of its parties is hit (E14, E20, S003);
    - minus its working ties with the aggressor, when the aggressor is not a party (E12, E19);
    - minus the forces a drained bandwidth no longer leaves free (E18, E19, S004).
    """
    kind, severity, regime_at_risk, ties_to_aggressor = crisis
    regime_stake = kind == "internal_unrest" and regime_at_risk
    regime = regime_motive * target_alignment * severity * regime_stake
    external = kind in FROM_OUTSIDE
    territory = territory_motive * severity * external
    reputation = reputation_motive * severity * np.asarray(on_party, dtype=float)
    ties = ties_weight * np.maximum(ties_to_aggressor, 0.0)
    return regime + territory + reputation - ties - bandwidth_weight * (1.0 - bandwidth)


def bilateral_rung(latent: Array, cap: Array, *, arms_cut: Array, troops_margin: Array) -> Array:
    """Russia's own answer on its ladder, from its willingness plus noise: nothing below 0, words
    (statements, mediation, backing), arms and material from ``arms_cut`` (E08, E15), troops from
    ``arms_cut + troops_margin``; never above ``cap``."""
    rung = ordered(latent, (0.0, arms_cut, arms_cut + troops_margin))
    return np.minimum(rung, cap).astype(np.int8)


def unasked_ceiling(kind: str) -> int:
    """The most Russia sends of its own when nobody asked it: arms and material against a threat
    from outside (E15: deliveries to Tajikistan before any appeal to Moscow), words otherwise; in
    unrest a government did not take to it, its backing stayed political (E05: Karimov), and
    troops come only when asked."""
    return int(BilateralRung.ARMS if kind in FROM_OUTSIDE else BilateralRung.WORDS)


def ceiling_against(aggressor_patron: Array | float) -> Array:
    """The highest own answer Russia gives against an aggressor it is bound to defend as well
    (a base there, a bilateral treaty): words, mediation between its allies (E14, E20)."""
    bound = np.asarray(aggressor_patron, dtype=float) >= 1.0
    return np.where(bound, BilateralRung.WORDS, BilateralRung.TROOPS).astype(np.int8)


def own_beside(answer: Array, response: Array) -> Array:
    """Russia's own answer as recorded beside the Council's: where the alliance deploys, Russia's
    forces and airlift are the bulk of the collective force and count there, so its own answer is
    at most words (E17; ``docs/scenarios.md`` section 6)."""
    collective_force = np.asarray(response) == Rung.DEPLOYMENT
    return np.where(collective_force, np.minimum(answer, BilateralRung.WORDS), answer).astype(
        np.int8
    )


def council_stance(latent: Array, *, arms_cut: Array, troops_margin: Array) -> Array:
    """The most Russia will carry in the Council, on the collective ladder: consultations if it is
    unwilling, material aid from 0, a mission from ``arms_cut`` (E19), a deployment from
    ``arms_cut + troops_margin`` (E17). The same willingness and cuts as its bilateral answer."""
    steps = ordered(latent, (0.0, arms_cut, arms_cut + troops_margin))
    ladder = np.array([Rung.CONSULTATIONS, Rung.MATERIAL_AID, Rung.MISSION, Rung.DEPLOYMENT])
    return ladder[steps].astype(np.int8)


def refers_to_council(asked: Array, answer: Array, on_own_territory: bool) -> Array:
    """A request for troops that Russia will not meet alone goes to the Council (E08: Otunbayeva
    asked Russia for troops; Moscow passed the request to the CSTO), except over territory outside
    the treaty's reading (E12)."""
    return (asked == BilateralRung.TROOPS) & (answer < BilateralRung.TROOPS) & on_own_territory
