"""What a user may change for one run, checked in one place: global parameters and facts.

A name is either a declared parameter (``need_weight``) or a fact key (``TJK.dependency``,
``world.integration``). The CLI's ``--set``, sweep specs and paired what-ifs all check their
inputs here, against the declarations in :mod:`.parameters` and the fact names in
:mod:`.vocabulary`; an unknown name is answered with the nearest known one.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from .errors import UserError, did_you_mean, shown
from .facts import check_fact
from .parameters import PARAMETERS
from .vocabulary import MEMBER_FACTS, MEMBERS, WORLD_FACTS

Value = float | np.ndarray


def unknown_input(name: str) -> UserError | None:
    """The one-line error for a name that is neither a parameter nor a fact; ``None`` if known."""
    if name in PARAMETERS:
        return None
    if "." not in name:
        return UserError(
            f"unknown parameter '{name}'{did_you_mean(name, list(PARAMETERS))}; see 'cstosim "
            "params' for the list, or write a fact as MEMBER.fact or world.fact"
        )
    owner, _, fact = name.partition(".")
    owners = (*MEMBERS, "world")
    if owner not in owners:
        return UserError(
            f"unknown fact '{name}': '{owner}' is neither a member code nor 'world'"
            f"{did_you_mean(owner, owners)}; use one of {', '.join(owners)}"
        )
    facts = WORLD_FACTS if owner == "world" else MEMBER_FACTS
    if fact not in facts:
        return UserError(
            f"unknown fact '{name}'{did_you_mean(fact, facts)}; {owner} facts are "
            f"{', '.join(facts)}"
        )
    return None


def input_bounds(name: str) -> tuple[float, float]:
    """The admissible range of an input: a parameter's prior range, or [0, 1] for a fact."""
    problem = unknown_input(name)
    if problem is not None:
        raise problem
    if name in PARAMETERS:
        return PARAMETERS[name].low, PARAMETERS[name].high
    return 0.0, 1.0


def _numbers(name: str, value: object) -> None:
    """Raise :class:`UserError` unless ``value`` is a number or an array of numbers."""
    kind = getattr(getattr(value, "dtype", None), "kind", None)
    if isinstance(value, bool) or kind == "b":
        raise UserError(f"'{name}' = {shown(value)}: give a number, not true or false")
    if not isinstance(value, int | float | np.number | np.ndarray) or kind not in (
        None,
        "i",
        "u",
        "f",
    ):
        raise UserError(f"'{name}' = {shown(value)}: give a number")


def check_overrides(changes: Mapping[str, Value] | None) -> None:
    """Raise :class:`UserError` for an unknown name, a value that is not a number, or a value
    outside its range."""
    for name, value in (changes or {}).items():
        problem = unknown_input(str(name))
        if problem is not None:
            raise problem
        _numbers(name, value)
        if name in PARAMETERS:
            PARAMETERS[name].check(value)
        else:
            check_fact(name, value)


def split_overrides(changes: Mapping[str, Value] | None) -> tuple[dict, dict]:
    """``changes`` as (parameters, facts), each checked."""
    check_overrides(changes)
    params = {k: v for k, v in (changes or {}).items() if k in PARAMETERS}
    return params, {k: v for k, v in (changes or {}).items() if k not in PARAMETERS}
