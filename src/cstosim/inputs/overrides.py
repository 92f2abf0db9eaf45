"""What a user may change for one run, checked in one place: global parameters and facts.

A name is either a declared parameter (``need_weight``) or a fact key (``TJK.dependency``,
``world.integration``). The CLI's ``--set``, sweep specs and paired what-ifs all check their
inputs here, against the declarations in :mod:`.parameters` and :mod:`.facts`.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from .facts import check_fact, parse_fact_key
from .parameters import PARAMETERS, unknown_parameter

Value = float | np.ndarray


def input_bounds(name: str) -> tuple[float, float]:
    """The admissible range of an input: a parameter's prior range, or [0, 1] for a fact."""
    if name in PARAMETERS:
        return PARAMETERS[name].low, PARAMETERS[name].high
    if "." not in name:
        raise unknown_parameter(name)
    parse_fact_key(name)
    return 0.0, 1.0


def check_overrides(changes: Mapping[str, Value] | None) -> None:
    """Raise :class:`UserError` for an unknown name or a value outside its range."""
    for name, value in (changes or {}).items():
        if name in PARAMETERS:
            PARAMETERS[name].check(value)
        elif "." in name:
            check_fact(name, value)
        else:
            raise unknown_parameter(name)


def split_overrides(changes: Mapping[str, Value] | None) -> tuple[dict, dict]:
    """``changes`` as (parameters, facts), each checked."""
    check_overrides(changes)
    params = {k: v for k, v in (changes or {}).items() if k in PARAMETERS}
    return params, {k: v for k, v in (changes or {}).items() if k not in PARAMETERS}
