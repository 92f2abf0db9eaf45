"""The ``[expected]`` block of a documented scenario: the outcomes history recorded.

The honesty rule (``docs/scenarios.md`` §4): the model never sees these. :class:`Scenario` has no
field for them, and this module is the only way to read them; an import-linter contract
(``pyproject.toml``) lets only validation and calibration import it.

Each entry names the source row it documents (``row``, an ``E..`` or ``M..`` id of
``data/sources/``), so that a fact found in several files is scored once (``docs/validation.md``).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Literal

from pydantic import Field, ValidationError, field_validator, model_validator

from .errors import UserError
from .scenario import MemberCode, MonthStr, Scenario, find_scenario, split_file
from .schema import Strict, first_repeat, format_validation, prose
from .vocabulary import BILATERAL_NAMES, CRISIS_KINDS, REQUEST_NAMES, RUNG_NAMES, STATUS_NAMES

#: A source row of ``data/sources/``: an episode (``E05``) or a membership event (``M21``).
ROW_PATTERN = r"[EM]\d{2,}"
RowId = Annotated[str, Field(pattern=f"^{ROW_PATTERN}$")]
_ROW_IN_TEXT = re.compile(rf"\b{ROW_PATTERN}\b")


def adjacent_on(
    ladder: tuple[str, ...],
) -> Callable[[list[str] | None], list[str] | None]:
    """A validator: a list of rungs must be distinct and side by side on ``ladder``, because the
    documented set is scored as one merged category of an ordinal forecast."""

    def check(names: list[str] | None) -> list[str] | None:
        if names is None:
            return names
        ranks = sorted(ladder.index(n) for n in names)
        if len(set(ranks)) != len(ranks):
            raise ValueError("a rung is listed twice; list each once")
        if ranks[-1] - ranks[0] != len(ranks) - 1:
            raise ValueError(
                f"{', '.join(names)} are not side by side on the ladder "
                f"{' < '.join(ladder)}; list adjacent rungs only"
            )
        return names

    return check


class ExpectedCrisis(Strict):
    """A crisis's documented request, the rungs that count as its documented answer and, where
    the record says, whether the state appealed to Russia bilaterally and what Russia did."""

    event: str
    row: RowId | None = None
    request: Literal[REQUEST_NAMES]  # type: ignore[valid-type]
    response: list[Literal[RUNG_NAMES]] = Field(min_length=1)  # type: ignore[valid-type]
    appeal: bool | None = None
    russia: list[Literal[BILATERAL_NAMES]] | None = Field(default=None, min_length=1)  # type: ignore[valid-type]
    note: Annotated[str, prose(4000, blank=True)] = ""

    _response_adjacent = field_validator("response")(adjacent_on(RUNG_NAMES))
    _russia_adjacent = field_validator("russia")(adjacent_on(BILATERAL_NAMES))


class ExpectedMembership(Strict):
    """A member's documented status: entered near a date, or held at it."""

    member: MemberCode
    row: RowId | None = None
    status: Literal[STATUS_NAMES]  # type: ignore[valid-type]
    date: MonthStr
    tolerance_months: Annotated[int, Field(ge=0, le=120)] = 0
    mode: Literal["enters", "holds"] = "enters"
    from_status: Literal[STATUS_NAMES] | None = None  # type: ignore[valid-type]
    note: Annotated[str, prose(4000, blank=True)] = ""

    @model_validator(mode="after")
    def _from_only_when_entering(self) -> ExpectedMembership:
        if self.from_status is not None and self.mode != "enters":
            raise ValueError("from_status only applies to mode = 'enters'")
        return self


class ExpectedSupport(Strict):
    """Whether a member backed Russia's call for political support."""

    event: str
    member: MemberCode
    row: RowId | None = None
    backs: bool
    note: Annotated[str, prose(4000, blank=True)] = ""


Entry = ExpectedCrisis | ExpectedMembership | ExpectedSupport


def source_row(entry: Entry) -> str | None:
    """The source row an entry documents: its ``row``, else the first ``E..``/``M..`` id in its
    ``note`` (format-1 files), else ``None`` (the fact is then known within its file only)."""
    if entry.row is not None:
        return entry.row
    found = _ROW_IN_TEXT.search(entry.note)
    return found[0] if found else None


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
    for i, m in enumerate(expected.membership, start=1):
        _check_window(path, scenario, i, m)
    return expected


def _check_window(path: Path, scenario: Scenario, i: int, m: ExpectedMembership) -> None:
    """Refuse a membership check the run cannot answer: dated outside the run, or with a
    tolerance window that leaves it (the model says nothing about months it does not run)."""
    where = f"{path}: expected.membership.{i}"
    run = f"{scenario.scenario.start}..{scenario.scenario.end}"
    step, last = scenario.step_of(m.date), scenario.n_steps - 1
    if not 0 <= step <= last:
        raise UserError(
            f"{where}.date: '{m.date}' lies outside the run {run}; move the date into the run "
            "or the check to a scenario that covers it"
        )
    lo, hi = step - m.tolerance_months, step + m.tolerance_months
    if m.mode == "enters" and (lo < 0 or hi > last):
        raise UserError(
            f"{where}.tolerance_months: the window {scenario.date_of(lo)}..{scenario.date_of(hi)}"
            f" leaves the run {run}; narrow the tolerance or widen the scenario's dates"
        )


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
