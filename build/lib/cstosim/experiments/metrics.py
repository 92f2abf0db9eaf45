"""Outcome metrics of sweeps and what-ifs: one number per world, read from a running model.

The vocabulary (``docs/sweeps.md``):

* ``response_at_least``: 1 if the alliance's answer to crisis ``crisis`` reached ``rung``;
* ``request_at_least``: 1 if the attacked member asked at least ``request`` in ``crisis``;
* ``status_in``: 1 if ``member``'s status at the end of month ``date`` (default: the scenario's
  last month) is one of ``statuses``; with ``ever = true``, if it was at any month up to ``date``;
* ``active_members``: how many of the nine states are active at the end of ``date``;
* ``trust``: the help ``member`` expects from the alliance to defend its territory, at the end
  of ``date``.

A metric's mean over replicates is a probability for the first three kinds and an expectation for
the last two. Metrics never read ``[expected]``: they name outcomes, not what happened.
"""

from __future__ import annotations

from typing import Annotated, Literal, override

import numpy as np
from pydantic import Field

from ..core.model import AllianceModel
from ..inputs.scenario import MemberCode, MonthStr, Scenario
from ..inputs.schema import Strict, first_repeat, matching
from ..inputs.vocabulary import (
    CRISIS_KINDS,
    MEMBERS,
    REQUEST_NAMES,
    RUNG_NAMES,
    STATUS_NAMES,
    Status,
)

MetricName = Annotated[
    str,
    matching(r"[a-z][a-z0-9_]*", "a metric name: a lower-case letter, then letters, digits, _", 60),
]


class _Metric(Strict):
    name: MetricName

    def check(self, sc: Scenario) -> None:
        """Raise ValueError if the metric names something ``sc`` does not have."""

    def steps(self, sc: Scenario) -> set[int]:
        """Steps after which the metric needs a snapshot of the model."""
        return set()

    def _step(self, sc: Scenario, date: str | None) -> int:
        return sc.n_steps - 1 if date is None else sc.step_of(date)

    def _check_date(self, sc: Scenario, date: str | None) -> None:
        if date is not None and not 0 <= sc.step_of(date) < sc.n_steps:
            raise ValueError(
                f"metric '{self.name}': date {date} lies outside {sc.scenario.start}.."
                f"{sc.scenario.end}; choose a month inside the scenario"
            )


class _CrisisMetric(_Metric):
    crisis: str

    def check(self, sc: Scenario) -> None:
        crises = [e.id for e in sc.events if e.kind in CRISIS_KINDS]
        if self.crisis not in crises:
            raise ValueError(
                f"metric '{self.name}': '{self.crisis}' is not a crisis of {sc.id}; "
                f"use one of {', '.join(crises) or '(none)'}"
            )

    def _record(self, model: AllianceModel) -> dict:
        return next(c for c in model.recorder.crises if c["crisis"] == self.crisis)


class ResponseAtLeast(_CrisisMetric):
    """1 if the alliance's answer to ``crisis`` reached ``rung``, else 0."""

    kind: Literal["response_at_least"]
    rung: Literal[RUNG_NAMES]  # type: ignore[valid-type]

    @override
    def value(self, model: AllianceModel, snaps: dict[int, dict]) -> np.ndarray:
        return (self._record(model)["response"] >= RUNG_NAMES.index(self.rung)).astype(float)


class RequestAtLeast(_CrisisMetric):
    """1 if the affected member asked at least ``request`` in ``crisis``, else 0."""

    kind: Literal["request_at_least"]
    request: Literal[REQUEST_NAMES[1:]]  # type: ignore[valid-type]

    @override
    def value(self, model: AllianceModel, snaps: dict[int, dict]) -> np.ndarray:
        return (self._record(model)["request"] >= REQUEST_NAMES.index(self.request)).astype(float)


class StatusIn(_Metric):
    """1 if ``member``'s status at ``date`` (or ``ever`` up to it) is in ``statuses``."""

    kind: Literal["status_in"]
    member: MemberCode
    statuses: list[Literal[STATUS_NAMES]] = Field(min_length=1)  # type: ignore[valid-type]
    date: MonthStr | None = None
    ever: bool = False

    @override
    def check(self, sc: Scenario) -> None:
        self._check_date(sc, self.date)

    @override
    def steps(self, sc: Scenario) -> set[int]:
        last = self._step(sc, self.date)
        return set(range(last + 1)) if self.ever else {last}

    @override
    def value(self, model: AllianceModel, snaps: dict[int, dict]) -> np.ndarray:
        codes = [Status[s.upper()] for s in self.statuses]
        i = MEMBERS.index(self.member)
        last = self._step(model.situation, self.date)
        looked = range(last + 1) if self.ever else [last]
        hit = np.zeros(model.n_worlds, dtype=bool)
        for t in looked:
            hit |= np.isin(snaps[t]["status"][i], codes)
        return hit.astype(float)


class _DatedMetric(_Metric):
    """A metric read at the end of one month (default: the scenario's last)."""

    date: MonthStr | None = None

    @override
    def check(self, sc: Scenario) -> None:
        self._check_date(sc, self.date)

    @override
    def steps(self, sc: Scenario) -> set[int]:
        return {self._step(sc, self.date)}


class ActiveMembers(_DatedMetric):
    """How many of the nine states are active at the end of ``date``."""

    kind: Literal["active_members"]

    @override
    def value(self, model: AllianceModel, snaps: dict[int, dict]) -> np.ndarray:
        status = snaps[self._step(model.situation, self.date)]["status"]
        return (status == Status.ACTIVE).sum(axis=0).astype(float)


class Trust(_DatedMetric):
    """``member``'s trust in the alliance at the end of ``date``."""

    kind: Literal["trust"]
    member: MemberCode

    @override
    def value(self, model: AllianceModel, snaps: dict[int, dict]) -> np.ndarray:
        trust = snaps[self._step(model.situation, self.date)]["trust"]
        return trust[MEMBERS.index(self.member)].copy()


Metric = Annotated[
    ResponseAtLeast | RequestAtLeast | StatusIn | ActiveMembers | Trust,
    Field(discriminator="kind"),
]


def check_metrics(metrics: list, sc: Scenario) -> None:
    """Raise ValueError for a duplicate name or a metric that ``sc`` cannot answer."""
    names = [m.name for m in metrics]
    twice = first_repeat(names)
    if twice:
        raise ValueError(
            f"metric name '{names[twice[0] - 1]}' is used twice; give each metric its own name"
        )
    for m in metrics:
        m.check(sc)


def run_metrics(model: AllianceModel, metrics: list) -> dict[str, np.ndarray]:
    """Advance ``model`` to its end and return each metric's value per world."""
    sc = model.situation
    wanted = set().union(*(m.steps(sc) for m in metrics)) if metrics else set()
    snaps: dict[int, dict] = {}
    while model.time < sc.n_steps:
        t = int(model.time)
        model.step()
        if t in wanted:
            snaps[t] = {
                "status": np.stack([m.status for m in model.agents]),
                "trust": model.trust_in_alliance().T,
            }
    return {m.name: m.value(model, snaps) for m in metrics}


def default_metrics(sc: Scenario) -> list:
    """The outcomes a what-if reports when none are named: every crisis's request and answer,
    each party's exit and trust at the end, and the number of active members."""
    out: list = []
    for e in sc.events:
        if e.kind in CRISIS_KINDS and e.target in MEMBERS:
            out.append(
                RequestAtLeast(
                    name=f"{e.id}_assistance",
                    kind="request_at_least",
                    crisis=e.id,
                    request="assistance",
                )
            )
            for rung in ("mission", "deployment"):
                out.append(
                    ResponseAtLeast(
                        name=f"{e.id}_{rung}", kind="response_at_least", crisis=e.id, rung=rung
                    )
                )
    for code in MEMBERS[1:]:
        if sc.members[code] in ("active", "frozen"):
            out.append(
                StatusIn(
                    name=f"{code.lower()}_out",
                    kind="status_in",
                    member=code,
                    statuses=["frozen", "withdrawn"],
                )
            )
            out.append(Trust(name=f"{code.lower()}_trust", kind="trust", member=code))
    out.append(ActiveMembers(name="active_members", kind="active_members"))
    return out
