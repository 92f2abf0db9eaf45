"""Backing Russia's call for political support (votes, recognition, help against sanctions)."""

from __future__ import annotations

import numpy as np

Array = np.ndarray


def backs(
    dependency: Array,
    alignment: Array,
    outside: Array,
    severity: float,
    noise: Array,
    *,
    dependency_weight: Array,
    outside_weight: Array,
    support_cost: Array,
) -> Array:
    """Whether a member backs Russia's call: its dependency on and alignment with Russia, against
    its outside options and the cost of what is asked (E18: only Belarus, in a union state and
    under Western sanctions, backed the war; the others abstained and recognised nothing)."""
    pull = dependency_weight * dependency * alignment - outside_weight * outside
    return pull - support_cost * severity + noise > 0.0
