"""The ``[expected]`` block of a documented scenario: the outcomes history recorded.

The honesty rule (``docs/scenarios.md`` §4): the model never sees these. :class:`Scenario` has no
field for them, and this module is the only way to read them; an import-linter contract
(``.importlinter``) lets only validation and calibration import it.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Literal

from pydantic import Field, ValidationError, model_validator

from .errors import UserError
from .scenario import MemberCode, MonthStr, Scenario, find_scenario, split_file
from .schema import Strict, first_repeat, format_validation
from .vocabulary import CRISIS_KINDS, REQUEST_NAMES, RUNG_NAMES, STATUS_NAMES


class ExpectedCrisis(Strict):
    """A crisis's documented request and the rungs that count as its documented answer."""

    event: str
    request: Literal[REQUEST_NAMES]  # type: ignore[valid-type]
    response: list[Literal[RUNG_NAMES]] = Field(min_length=1)  # type: ignore[valid-type]
    note: str = ""


class ExpectedMembership(Strict):
    """A member's documented status: entered near a date, or held at it."""

    member: MemberCode
    status: Literal[STATUS_NAMES]  # type: ignore[valid-type]
    date: MonthStr
    tolerance_months: Annotated[int, Field(ge=0, le=120)] = 0
    mode: Literal["enters", "holds"] = "enters"
    from_status: Literal[STATUS_NAMES] | None = None  # type: ignore[valid-type]
    note: str = ""

    @model_validator(mode="after")
    def _from_only_when_entering(self) -> ExpectedMembership:
        if self.from_status is not None and self.mode != "enters":
            raise ValueError("from_status only applies to mode = 'enters'")
        return self


class ExpectedSupport(Strict):
    """Whether a member backed Russia's call for political support."""

    event: str
    member: MemberCode
    backs: bool
    note: str = ""


class Expected(Strict):
    """The ``[expected]`` block: documented crisis outcomes, statuses and backing."""

    crisis: list[ExpectedCrisis] = []
    membership: list[ExpectedMembership] = []
    support: list[ExpectedSupport] = []


@dataclass(frozen=True)
class Documented:
    """A documented scenario: its situation, what history recorded, and its file."""

    scenario: Scenario
    expected: Expected
    path: Path

    @property
    def id(self) -> str:
        """The scenario id."""
        return self.scenario.id


def parse_expected(path: Path, scenario: Scenario, raw: dict) -> Expected:
    """Validate an ``[expected]`` table against its scenario; one-line :class:`UserError`."""
    try:
        expected = Expected.model_validate(raw)
    except ValidationError as exc:
        raise UserError(format_validation(path, exc, Expected, prefix="expected")) from None
    _no_repeats(path, expected)
    crisis_ids = {e.id for e in scenario.events if e.kind in CRISIS_KINDS}
    support_ids = {e.id for e in scenario.events if e.shock == "political_support_request"}
    for c in expected.crisis:
        if c.event not in crisis_ids:
            raise UserError(f"{path}: expected.crisis: '{c.event}' is not a crisis event id")
    for s in expected.support:
        if s.event not in support_ids:
            raise UserError(
                f"{path}: expected.support: '{s.event}' is not a political_support_request id"
            )
    return expected


def _membership_key(m: ExpectedMembership) -> tuple:
    """What makes two status checks the same: a status held at a date is one fact whatever the
    status (two would contradict); an entry into a status is the whole check."""
    if m.mode == "holds":
        return (m.member, m.date, "holds")
    return (m.member, m.status, m.date, m.tolerance_months, m.from_status, "enters")


def _no_repeats(path: Path, expected: Expected) -> None:
    """Raise :class:`UserError` for a check given twice: it would count twice in every score."""
    tables = (
        ("crisis", [c.event for c in expected.crisis]),
        ("membership", [_membership_key(m) for m in expected.membership]),
        ("support", [(s.event, s.member) for s in expected.support]),
    )
    for table, keys in tables:
        twice = first_repeat(keys)
        if twice:
            raise UserError(
                f"{path}: expected.{table}.{twice[0]}: repeats or contradicts "
                f"expected.{table}.{twice[1]}; give each documented outcome once"
            )


def load_documented(name: str | Path) -> Documented:
    """A documented scenario (an id or a path) with its ``[expected]`` block."""
    path = find_scenario(name)
    scenario, raw = split_file(path)
    if raw is None:
        raise UserError(
            f"{path}: has no [expected] block to validate against; add one or leave the "
            "scenario out"
        )
    return Documented(scenario, parse_expected(path, scenario, raw), path)
