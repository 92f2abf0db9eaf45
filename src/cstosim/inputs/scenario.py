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
from collections.abc import Iterable
from datetime import date
from pathlib import Path
from typing import Annotated, Literal

from pydantic import AfterValidator, Field, ValidationError, field_validator, model_validator

from .catalogue import scenario_dir, user_scenario_dir
from .errors import UserError, did_you_mean
from .history import history_problem
from .schema import (
    Identifier,
    Prose,
    Strict,
    Title,
    first_repeat,
    format_validation,
    matching,
    one_of,
    read_toml,
)
from .settings import MAX_MONTHS
from .vocabulary import (
    ACTORS,
    CRISIS_KINDS,
    EVENT_KINDS,
    FACT_ALIASES,
    MEMBER_FACTS,
    MEMBERS,
    PATRONS,
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


MonthStr = Annotated[
    str,
    matching(r"\d{4}-\d{2}(-\d{2})?", "a month: write YYYY-MM or YYYY-MM-DD", 10),
    AfterValidator(_real_date),
]


def months_between(start: str, end: str) -> int:
    """Whole calendar months from ``start`` to ``end`` (both 'YYYY-MM[-DD]')."""
    (y0, m0), (y1, m1) = parse_month(start), parse_month(end)
    return (y1 - y0) * 12 + (m1 - m0)


class Meta(Strict):
    """The ``[scenario]`` table: id, title, dates, notes and sources."""

    id: Identifier
    title: Title
    hypothetical: bool
    start: MonthStr
    end: MonthStr
    step_months: Annotated[int, Field(ge=1, le=1)] = 1  # monthly steps only; a bool is no number
    notes: list[Prose] = Field(min_length=1)
    sources: list[Prose] = Field(min_length=1)
    #: 1 (absent) for the first format, 2 for files written for Model 2 (``docs/scenarios.md``).
    format: Annotated[int, Field(ge=1, le=2)] = 1  # an int, not Literal: a bool is no format
    #: The scenario whose per-world end state this one starts from (format 2).
    continues: Annotated[str, Field(pattern=r"^[a-z0-9_]+$")] | None = None

    @model_validator(mode="after")
    def _ordered(self) -> Meta:
        months = months_between(self.start, self.end)
        if months < 1:
            raise ValueError("end must be at least one month after start")
        if months > MAX_MONTHS:
            raise ValueError(
                f"the window runs {months} months, more than the {MAX_MONTHS} (a century) a "
                "scenario may span; bring end closer to start"
            )
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
    source: Prose
    date: MonthStr | None = None


class WorldFact(Strict):
    """A ``[[world]]`` entry: one alliance-wide fact for this moment, sourced."""

    field: Annotated[str, one_of(WORLD_FACTS, "world fact")]
    value: Severity
    source: Prose


class AffinityOverride(Strict):
    """An ``[[affinity]]`` entry: a pair's affinity for this moment, sourced; with a ``date``
    (format 2), the pair takes this value from that month on."""

    a: ActorCode
    b: ActorCode
    value: Annotated[float, Field(ge=-1.0, le=1.0)]
    source: Prose
    date: MonthStr | None = None


#: Policy shocks that pass from one actor to another (a patron's offer to a member); the rest
#: are Russia's own acts or apply to every party, with a nominal target.
_BETWEEN_TWO = ("outside_offer", "outside_rebuff")


class Event(Strict):
    """An ``[[events]]`` entry: a dated crisis or policy shock (``docs/model.md``)."""

    id: Identifier
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
    note: Prose

    @model_validator(mode="after")
    def _shock_only_on_policy(self) -> Event:
        if self.kind == "policy_shock":
            if self.shock not in SHOCK_KINDS:
                raise ValueError(
                    f"shock: a policy_shock needs shock = one of {', '.join(SHOCK_KINDS)}"
                    f"{did_you_mean(self.shock, SHOCK_KINDS)}"
                )
        elif self.shock is not None:
            raise ValueError("shock: only a kind = 'policy_shock' has one; remove it")
        return self

    @model_validator(mode="after")
    def _parties(self) -> Event:
        if self.kind in CRISIS_KINDS and self.kind != "nonmember_war_by_member":
            if self.target not in MEMBERS:
                raise ValueError(
                    f"target: a {self.kind} must target a treaty state, not '{self.target}'"
                )
        if self.kind in ("intra_member_clash", "nonmember_war_by_member"):
            if self.source not in MEMBERS:
                raise ValueError(f"source: a {self.kind} needs a source that is a treaty state")
        if self.shock in _BETWEEN_TWO:
            if self.target not in MEMBERS or self.target == "RUS":
                raise ValueError(
                    f"target: an {self.shock} goes to a treaty state other than Russia, not "
                    f"'{self.target}'; name the member it is made to"
                )
            if self.source not in PATRONS:
                raise ValueError(
                    f"source: an {self.shock} comes from an outside patron, one of "
                    f"{', '.join(PATRONS)}, not '{self.source}'"
                    f"{did_you_mean(str(self.source), PATRONS)}"
                )
        between = self.kind in CRISIS_KINDS or self.shock in _BETWEEN_TWO
        if between and self.source is not None and self.source == self.target:
            raise ValueError(
                f"source: '{self.source}' is also the target; a {self.shock or self.kind} comes "
                "from another actor"
            )
        if self.regime_at_risk and self.kind != "internal_unrest":
            raise ValueError(
                "regime_at_risk: only internal_unrest can put a regime at risk; remove it"
            )
        return self

    @model_validator(mode="after")
    def _framing_only_on_unrest(self) -> Event:
        if self.framed_foreign and self.kind != "internal_unrest":
            raise ValueError(
                "framed_foreign: only internal_unrest can be framed as foreign-backed; remove it"
            )
        return self


def _dated(entry: Strict) -> str | None:
    """The date from which an override holds, for files whose overrides may carry one."""
    return getattr(entry, "date", None)


def _fact_name(key: tuple[str, str, str | None]) -> str:
    owner, field, when = key
    return f"{owner}.{field}" + (f" from {when}" if when else "")


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
            if isinstance(f, dict)
            and isinstance(f.get("field"), str)
            and f["field"] in FACT_ALIASES
            else f
            for f in raw["facts"]
        ]
        return dict(raw, facts=facts)

    @field_validator("members")
    @classmethod
    def _all_members(cls, v: dict[str, str]) -> dict[str, str]:
        unknown = sorted(set(v) - set(MEMBERS))
        if unknown:
            raise ValueError(
                f"unknown member '{unknown[0]}'; use codes from {', '.join(MEMBERS)}"
                f"{did_you_mean(unknown[0], MEMBERS)}"
            )
        missing = [m for m in MEMBERS if m not in v]
        if missing:
            raise ValueError(f"status missing for {', '.join(missing)}; give all nine states")
        if v["RUS"] != "active":
            raise ValueError("RUS must be 'active': the model has no alliance without Russia")
        return v

    @model_validator(mode="after")
    def _unique_event_ids(self) -> Scenario:
        twice = first_repeat(e.id for e in self.events)
        if twice:
            i, first = twice
            raise ValueError(
                f"events.{i}.id: '{self.events[i - 1].id}' is already the id of events.{first}; "
                "give each event its own id"
            )
        return self

    @model_validator(mode="after")
    def _events_inside_window(self) -> Scenario:
        n = self.n_steps
        start, end = self.scenario.start, self.scenario.end
        for i, f in enumerate(self.facts, start=1):
            if f.date is not None and self.scenario.format < 2:
                raise ValueError(f"facts.{i}.date: a dated fact needs format = 2")
            if f.date is not None and not 0 <= months_between(start, f.date) < n:
                raise ValueError(
                    f"facts.{i}.date: {f.member} {f.field} dated {f.date} lies outside "
                    f"{start}..{end}; move the date"
                )
        for i, aff in enumerate(self.affinity, start=1):
            if aff.date is not None and self.scenario.format < 2:
                raise ValueError(f"affinity.{i}.date: a dated affinity needs format = 2")
            if aff.date is not None and not 0 <= months_between(start, aff.date) < n:
                raise ValueError(
                    f"affinity.{i}.date: {aff.a}-{aff.b} dated {aff.date} lies outside "
                    f"{start}..{end}; move the date"
                )
        for i, e in enumerate(self.events, start=1):
            if not 0 <= months_between(self.scenario.start, e.date) < n:
                raise ValueError(
                    f"events.{i}.date: '{e.id}' on {e.date} lies outside "
                    f"{self.scenario.start}..{self.scenario.end}; move the date or the "
                    "scenario bounds"
                )
        return self

    @model_validator(mode="after")
    def _one_value_per_fact(self) -> Scenario:
        # a fact may change at a date (an entry's optional ``date``): one value per fact and date
        for table, keys, name in (
            ("facts", [(f.member, f.field, _dated(f)) for f in self.facts], _fact_name),
            ("world", [("world", w.field, _dated(w)) for w in self.world], _fact_name),
        ):
            twice = first_repeat(keys)
            if twice:
                i, first = twice
                raise ValueError(
                    f"{table}.{i}: {name(keys[i - 1])} is already set by {table}.{first}; "
                    "give each fact once"
                )
        return self

    @model_validator(mode="after")
    def _one_value_per_pair(self) -> Scenario:
        for i, pair in enumerate(self.affinity, start=1):
            if pair.a == pair.b:
                raise ValueError(
                    f"affinity.{i}: '{pair.a}' paired with itself; name two different actors"
                )
        twice = first_repeat((frozenset((p.a, p.b)), _dated(p)) for p in self.affinity)
        if twice:
            i, first = twice
            p = self.affinity[i - 1]
            raise ValueError(
                f"affinity.{i}: the pair {p.a}-{p.b} is already set by affinity.{first} "
                "(affinity is symmetric); give each pair once"
            )
        return self

    @model_validator(mode="after")
    def _statuses_as_in_history(self) -> Scenario:
        problem = history_problem(self.scenario.start, self.members)
        if problem:
            raise ValueError(problem)
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
        raise UserError(format_validation(path, exc, Scenario)) from None
    if scenario.id != path.stem:
        raise UserError(
            f"{path}: scenario.id: '{scenario.id}' differs from the file name; rename the file "
            f'to {scenario.id}.toml or write id = "{path.stem}"'
        )
    if expected is not None and not isinstance(expected, dict):
        raise UserError(f"{path}: expected: must be a table ([expected]); see docs/scenarios.md")
    if expected is not None and scenario.scenario.hypothetical:
        raise UserError(
            f"{path}: expected: a what-if (hypothetical = true) has no documented outcome; "
            "remove the [expected] block"
        )
    return scenario, expected


def find_scenario(name: str | Path) -> Path:
    """A path to a TOML file, or the file of a scenario id: in the user's folder
    (:func:`user_scenario_dir`) first, then in the shipped ``scenarios/``."""
    p = Path(name)
    # an id has no folder part and no suffix; anything else is a path, read (and refused) as one
    if p.suffix == ".toml" or len(p.parts) > 1 or _is_file(p) or _exists(p):
        return p
    folders = [d for d in (user_scenario_dir(), scenario_dir()) if d is not None]
    for folder in folders:
        candidate = folder / f"{name}.toml"
        if _is_file(candidate):
            return candidate
    known = sorted({q.stem for folder in folders for q in folder.glob("*.toml")})
    raise UserError(
        f"{name}: unknown scenario; use a file path or one of: {', '.join(known)}"
        f"{did_you_mean(str(name), known)}"
    )


def continued(scenario: Scenario, path: Path | None = None) -> Scenario | None:
    """The scenario ``scenario`` (read from ``path``, if given) continues, loaded (None if it
    starts afresh); refused in one line if it cannot be found or does not end the month before
    ``scenario`` starts (``docs/scenarios.md``)."""
    name = scenario.scenario.continues
    where = path or scenario.id
    if name is None:
        return None
    try:
        previous = load_scenario(find_scenario(name))
    except UserError as exc:
        raise UserError(f"{where}: [scenario] continues {exc}") from None
    end, start = previous.scenario.end, scenario.scenario.start
    if months_between(end, start) != 1:
        raise UserError(
            f"{where}: [scenario] continues {name}, which ends {end}, but starts {start}; "
            "start the month after the scenario it continues ends"
        )
    return previous


def _exists(path: Path) -> bool:
    """Whether anything is at ``path``; a path the system cannot even look up is not."""
    try:
        return os.path.lexists(path)
    except (OSError, ValueError):
        return False


def _is_file(path: Path) -> bool:
    """Whether ``path`` is a file; a path the system cannot even look up is not."""
    try:
        return path.is_file()
    except (OSError, ValueError):
        return False


def check_unique_ids(loaded: Iterable[tuple[Path, Scenario]]) -> None:
    """Raise :class:`UserError` if two files of one batch have the same scenario id: their
    results would land in the same folder."""
    seen: dict[str, Path] = {}
    for path, sc in loaded:
        if sc.id in seen and Path(seen[sc.id]).resolve() != Path(path).resolve():
            raise UserError(
                f"{path}: scenario.id: '{sc.id}' is also the id of {seen[sc.id]}; "
                "run them in separate batches or give each its own id"
            )
        seen.setdefault(sc.id, path)


def all_scenarios(include_hypothetical: bool = True) -> list[Path]:
    """Every scenario file in ``scenarios/``, documented first, sorted by id."""
    paths = sorted(scenario_dir().glob("*.toml"))
    if include_hypothetical:
        return paths
    return [p for p in paths if not load_scenario(p).scenario.hypothetical]
