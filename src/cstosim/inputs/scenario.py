"""Scenario files: TOML that states the facts of a moment, validated by a strict schema.

A scenario holds dates, who is a member, fact overrides with their sources and dated events: the
situation. A documented scenario's file also holds, in a separate ``[expected]`` block, the
documented outcomes; :class:`Scenario` has no place for them, so the model cannot receive them.
Only :mod:`cstosim.inputs.expected`, which validation alone may import, reads that block.
"""

from __future__ import annotations

import hashlib
import json
import os
from datetime import date
from pathlib import Path
from typing import Annotated, Literal

from pydantic import AfterValidator, Field, ValidationError, field_validator, model_validator

from .errors import UserError
from .schema import Strict, format_validation, one_of, read_toml
from .vocabulary import (
    ACTORS,
    CRISIS_KINDS,
    EVENT_KINDS,
    FACT_ALIASES,
    MEMBER_FACTS,
    MEMBERS,
    SHOCK_KINDS,
    STATUS_NAMES,
    WORLD_FACTS,
)

Severity = Annotated[float, Field(ge=0.0, le=1.0)]


MemberCode = Annotated[str, one_of(MEMBERS, "member")]
ActorCode = Annotated[str, one_of(ACTORS, "actor")]


def parse_month(text: str) -> tuple[int, int]:
    """'YYYY-MM' or 'YYYY-MM-DD' to (year, month)."""
    d = date.fromisoformat(text if len(text) == 10 else text + "-01")
    return d.year, d.month


def _real_date(text: str) -> str:
    try:
        parse_month(text)
    except ValueError:
        raise ValueError(f"'{text}' is not a real date; write YYYY-MM or YYYY-MM-DD") from None
    return text


MonthStr = Annotated[str, Field(pattern=r"^\d{4}-\d{2}(-\d{2})?$"), AfterValidator(_real_date)]


def months_between(start: str, end: str) -> int:
    """Whole calendar months from ``start`` to ``end`` (both 'YYYY-MM[-DD]')."""
    (y0, m0), (y1, m1) = parse_month(start), parse_month(end)
    return (y1 - y0) * 12 + (m1 - m0)


class Meta(Strict):
    """The ``[scenario]`` table: id, title, dates, notes and sources."""

    id: Annotated[str, Field(pattern=r"^[a-z0-9_]+$")]
    title: str
    hypothetical: bool
    start: MonthStr
    end: MonthStr
    step_months: Literal[1] = 1
    notes: list[str] = Field(min_length=1)
    sources: list[str] = Field(min_length=1)
    #: 1 (absent) for the first format, 2 for files written for Model 2 (``docs/scenarios.md``).
    format: Literal[1, 2] = 1
    #: The scenario whose per-world end state this one starts from (format 2).
    continues: Annotated[str, Field(pattern=r"^[a-z0-9_]+$")] | None = None

    @model_validator(mode="after")
    def _ordered(self) -> Meta:
        if months_between(self.start, self.end) < 1:
            raise ValueError("end must be at least one month after start")
        if self.continues is not None and self.format < 2:
            raise ValueError("continues needs format = 2")
        if self.continues == self.id:
            raise ValueError("a scenario cannot continue itself")
        return self


class FactOverride(Strict):
    """A ``[[facts]]`` entry: one member fact that differs from the baseline, sourced; with a
    ``date`` (format 2), the fact takes this value from that month on."""

    member: MemberCode
    field: Annotated[str, one_of(MEMBER_FACTS, "fact")]
    value: Severity
    source: str
    date: MonthStr | None = None


class WorldFact(Strict):
    """A ``[[world]]`` entry: one alliance-wide fact for this moment, sourced."""

    field: Annotated[str, one_of(WORLD_FACTS, "world fact")]
    value: Severity
    source: str


class AffinityOverride(Strict):
    """An ``[[affinity]]`` entry: a pair's affinity for this moment, sourced; with a ``date``
    (format 2), the pair takes this value from that month on."""

    a: ActorCode
    b: ActorCode
    value: Annotated[float, Field(ge=-1.0, le=1.0)]
    source: str
    date: MonthStr | None = None


class Event(Strict):
    """An ``[[events]]`` entry: a dated crisis or policy shock (``docs/model.md``)."""

    id: Annotated[str, Field(pattern=r"^[a-z0-9_]+$")]
    date: MonthStr
    kind: Annotated[str, one_of(EVENT_KINDS, "event kind")]
    shock: str | None = None
    target: ActorCode
    source: ActorCode | None = None
    severity: Severity
    duration_months: Annotated[int, Field(ge=1, le=240)] = 1
    framed_foreign: bool = False
    #: internal unrest only (format 2): the government's survival itself was at stake (E17)
    regime_at_risk: bool = False
    note: str

    @model_validator(mode="after")
    def _shock(self) -> Event:
        if self.kind == "policy_shock":
            if self.shock not in SHOCK_KINDS:
                raise ValueError(f"policy_shock needs shock = one of {', '.join(SHOCK_KINDS)}")
        elif self.shock is not None:
            raise ValueError("'shock' is only allowed on kind = 'policy_shock'")
        if self.kind in CRISIS_KINDS and self.kind != "nonmember_war_by_member":
            if self.target not in MEMBERS:
                raise ValueError(f"a {self.kind} must target a treaty state, not '{self.target}'")
        if self.kind == "intra_member_clash" and self.source not in MEMBERS:
            raise ValueError("an intra_member_clash needs a source that is a treaty state")
        if self.kind == "nonmember_war_by_member" and self.source not in MEMBERS:
            raise ValueError("a nonmember_war_by_member needs a source that is a treaty state")
        if self.regime_at_risk and self.kind != "internal_unrest":
            raise ValueError("regime_at_risk only applies to kind = 'internal_unrest'")
        return self


class Scenario(Strict):
    """A validated scenario file."""

    scenario: Meta
    members: dict[str, Literal[STATUS_NAMES]]  # type: ignore[valid-type]
    facts: list[FactOverride] = []
    world: list[WorldFact] = []
    affinity: list[AffinityOverride] = []
    events: list[Event] = []

    @model_validator(mode="before")
    @classmethod
    def _format_1_names(cls, raw: object) -> object:
        """Read a format-1 file's renamed facts under their new names (``FACT_ALIASES``)."""
        if not isinstance(raw, dict) or not isinstance(raw.get("facts"), list):
            return raw
        meta = raw.get("scenario")
        if isinstance(meta, dict) and meta.get("format", 1) != 1:
            return raw
        facts = [
            dict(f, field=FACT_ALIASES[f["field"]])
            if isinstance(f, dict) and f.get("field") in FACT_ALIASES
            else f
            for f in raw["facts"]
        ]
        return dict(raw, facts=facts)

    @field_validator("members")
    @classmethod
    def _all_members(cls, v: dict[str, str]) -> dict[str, str]:
        unknown = sorted(set(v) - set(MEMBERS))
        if unknown:
            raise ValueError(f"unknown member '{unknown[0]}'; use codes from {', '.join(MEMBERS)}")
        missing = [m for m in MEMBERS if m not in v]
        if missing:
            raise ValueError(f"status missing for {', '.join(missing)}; give all nine states")
        if v["RUS"] != "active":
            raise ValueError("RUS must be 'active': the model has no alliance without Russia")
        return v

    @model_validator(mode="after")
    def _cross_checks(self) -> Scenario:
        ids = [e.id for e in self.events]
        dup = {i for i in ids if ids.count(i) > 1}
        if dup:
            raise ValueError(f"events: duplicate id '{sorted(dup)[0]}'; give each event its own id")
        n = self.n_steps
        for f in self.facts:
            if f.date is not None and self.scenario.format < 2:
                raise ValueError(f"facts: a dated fact ({f.member} {f.field}) needs format = 2")
            if f.date is not None and not 0 <= months_between(self.scenario.start, f.date) < n:
                raise ValueError(
                    f"facts: {f.member} {f.field} dated {f.date} lies outside "
                    f"{self.scenario.start}..{self.scenario.end}; move the date"
                )
        for aff in self.affinity:
            if aff.date is not None and self.scenario.format < 2:
                raise ValueError(f"affinity: a dated affinity ({aff.a}-{aff.b}) needs format = 2")
            if aff.date is not None and not 0 <= months_between(self.scenario.start, aff.date) < n:
                raise ValueError(
                    f"affinity: {aff.a}-{aff.b} dated {aff.date} lies outside "
                    f"{self.scenario.start}..{self.scenario.end}; move the date"
                )
        for e in self.events:
            step = months_between(self.scenario.start, e.date)
            if not 0 <= step < n:
                raise ValueError(
                    f"events: '{e.id}' on {e.date} lies outside {self.scenario.start}.."
                    f"{self.scenario.end}; move the date or the scenario bounds"
                )
        return self

    @property
    def id(self) -> str:
        """The scenario id (``[scenario] id``)."""
        return self.scenario.id

    @property
    def n_steps(self) -> int:
        """Months simulated, both ends included."""
        return months_between(self.scenario.start, self.scenario.end) + 1

    def step_of(self, when: str) -> int:
        """Step index of a date: whole months since the scenario's start."""
        return months_between(self.scenario.start, when)

    def date_of(self, step: int) -> str:
        """'YYYY-MM' of a step index."""
        y, m = parse_month(self.scenario.start)
        k = (m - 1) + step
        return f"{y + k // 12:04d}-{k % 12 + 1:02d}"

    def situation_hash(self) -> str:
        """SHA-256 of the situation (a scenario has no other content to hash)."""
        blob = json.dumps(self.model_dump(mode="json"), sort_keys=True)
        return hashlib.sha256(blob.encode()).hexdigest()


def load_scenario(path: str | Path) -> Scenario:
    """Read and validate a scenario file, or the file of a scenario id (:func:`find_scenario`);
    any problem raises :class:`UserError` in one line."""
    return split_file(find_scenario(path))[0]


def split_file(path: Path) -> tuple[Scenario, dict | None]:
    """A scenario file as its validated situation and its raw ``[expected]`` table, if any.

    Only :mod:`cstosim.inputs.expected` reads that table; a what-if may not have one.
    """
    raw = read_toml(path, "scenario", "check the path or run 'cstosim list'")
    expected = raw.pop("expected", None)
    try:
        scenario = Scenario.model_validate(raw)
    except ValidationError as exc:
        raise UserError(format_validation(path, exc)) from None
    if expected is not None and not isinstance(expected, dict):
        raise UserError(f"{path}: expected: must be a table ([expected]); see docs/scenarios.md")
    if expected is not None and scenario.scenario.hypothetical:
        raise UserError(
            f"{path}: expected: a what-if (hypothetical = true) has no documented outcome; "
            "remove the [expected] block"
        )
    return scenario, expected


def scenario_dir() -> Path:
    """The project's ``scenarios/`` folder (documented crises and what-ifs)."""
    here = Path(__file__).resolve()
    for parent in here.parents:
        candidate = parent / "scenarios"
        if candidate.is_dir() and any(candidate.glob("*.toml")):
            return candidate
    raise UserError("scenarios/: folder not found next to the package; run from a cstosim clone")


#: The environment variable naming a folder of the user's own scenarios (``cstosim new`` writes
#: there); ids are looked up in it before the shipped ``scenarios/``.
USER_SCENARIOS = "CSTOSIM_SCENARIOS"


def user_scenario_dir() -> Path | None:
    """The user's scenario folder named by ``$CSTOSIM_SCENARIOS``, if set."""
    value = os.environ.get(USER_SCENARIOS, "").strip()
    return Path(value).expanduser() if value else None


def find_scenario(name: str | Path) -> Path:
    """A path to a TOML file, or the file of a scenario id: in the user's folder
    (:func:`user_scenario_dir`) first, then in the shipped ``scenarios/``."""
    p = Path(name)
    if p.suffix == ".toml" or p.is_file():
        return p
    folders = [d for d in (user_scenario_dir(), scenario_dir()) if d is not None]
    for folder in folders:
        candidate = folder / f"{name}.toml"
        if candidate.is_file():
            return candidate
    known = ", ".join(sorted({q.stem for folder in folders for q in folder.glob("*.toml")}))
    raise UserError(f"{name}: unknown scenario; use a file path or one of: {known}")


def all_scenarios(include_hypothetical: bool = True) -> list[Path]:
    """Every scenario file in ``scenarios/``, documented first, sorted by id."""
    paths = sorted(scenario_dir().glob("*.toml"))
    if include_hypothetical:
        return paths
    return [p for p in paths if not load_scenario(p).scenario.hypothetical]
