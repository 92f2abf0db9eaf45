"""Stage 1, perceive: crises raise threat and unrest, policy shocks move facts, Russia's bandwidth.

Rates that the documented record cannot identify are constants here, each with its reason.
"""

from __future__ import annotations

import numpy as np

Array = np.ndarray

#: Share of a crisis's excess threat that fades each month once it is over: the documented
#: border crises calmed within a few months (E14, E20), a half-life of about two months.
THREAT_DECAY = 0.3
#: Share of its lost bandwidth Russia recovers each month once a drain ends: about two years to
#: recover half (a modelling choice; no recovery is documented).
BANDWIDTH_RECOVERY = 1 / 36


def decay_toward(level: Array, baseline: Array, floor: float | Array = 0.0) -> Array:
    """Excess over ``baseline`` fades at :data:`THREAT_DECAY` a month, held up to ``floor`` (the
    severity of a crisis under way)."""
    return np.maximum(baseline + (1 - THREAT_DECAY) * (level - baseline), floor)


def bandwidth_ceiling(war_severity: float, war_burden: Array) -> Array:
    """Share of Russia's capacity that a war it wages leaves free (E18, E19, S004: from February
    2022 the war in Ukraine pulled forces and attention away from the allies)."""
    return 1.0 - war_burden * war_severity


def recover_bandwidth(bandwidth: Array, ceiling: Array) -> Array:
    """Russia's free bandwidth relaxes toward its ceiling, never above it."""
    out = np.minimum(bandwidth + BANDWIDTH_RECOVERY * (ceiling - bandwidth), ceiling)
    return np.clip(out, 0.0, 1.0)


def shock_raise(value: Array, size: float) -> Array:
    """A policy shock that raises a fact by ``size`` of the room left (offers, charter changes,
    restored capacity; severity scale in ``docs/scenarios.md``)."""
    return value + size * (1 - value)


def shock_lower(value: Array, size: float) -> Array:
    """A policy shock that lowers a fact by ``size`` of its level (rebuffs, drained capacity)."""
    return value * (1 - size)


def western_alignment_shift(alignment: Array, western_before: Array, western_after: Array) -> Array:
    """Alignment after a change in a member's Western ties (the larger of its EU and US ties).

    Alignment is the mean of five structural ties, one of them ``1 − western`` (``docs/facts.md``),
    so a change of ``d`` in Western ties moves it by ``−d / 5``: the EU turn lowers Armenia's
    alignment, a rupture with the West (Uzbekistan after Andijan, E05) raises it. Ties to China,
    Turkey or Iran do not enter the formula and leave alignment as it is.
    """
    return np.clip(alignment - (western_after - western_before) / 5.0, 0.0, 1.0)
