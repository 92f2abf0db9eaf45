"""The checks of an ``[expected]`` block, the one rule that scores each fact once, and the outcome
each world gives to each check, as integer codes.

A check is a forecast over a finite outcome set: a crisis's request (3 kinds), the Council's
response (the 6 rungs), Russia's own answer (the 4 rungs of its ladder), whether the state
appealed to Russia bilaterally, a member's status (yes/no) and a member's backing of Russia
(yes/no). A documented set of several rungs is one category: the rungs are merged before scoring.
The method is in ``docs/validation.md``.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import numpy as np

from ..inputs.expected import (
    Documented,
    Entry,
    ExpectedCrisis,
    ExpectedMembership,
    ExpectedSupport,
    source_row,
)
from ..inputs.scenario import Scenario, find_scenario, load_scenario, months_between
from ..inputs.vocabulary import BILATERAL_NAMES, REQUEST_NAMES, RUNG_NAMES
from .outcomes import WorldOutcomes

#: Check kinds, in report order.
KINDS: tuple[str, ...] = ("request", "response", "bilateral", "appeal", "membership", "support")
#: Kinds whose outcomes lie on a ladder: scored also by the ranked probability score.
ORDINAL: frozenset[str] = frozenset({"response", "bilateral"})
#: The outcome of a yes/no check.
YES_NO: tuple[str, ...] = ("no", "yes")
#: The column of the ``crises`` table that answers each crisis kind of check.
CRISIS_COLUMNS: dict[str, str] = {
    "request": "request",
    "response": "response",
    "bilateral": "russia",
    "appeal": "appeal",
}
#: The raw outcome set of each kind.
OUTCOMES: dict[str, tuple[str, ...]] = {
    "request": REQUEST_NAMES,
    "response": RUNG_NAMES,
    "bilateral": BILATERAL_NAMES,
    "appeal": YES_NO,
    "membership": YES_NO,
    "support": YES_NO,
}


@dataclass(frozen=True, eq=False)
class Check:
    """One documented outcome of a file's ``[expected]`` block, as a forecast target.

    ``documented`` holds the raw outcomes that count as the documented one; they are merged into
    one category of :attr:`categories`, whose index is :attr:`observed`.
    """

    doc: Documented
    entry: Entry
    kind: str
    label: str
    documented: tuple[str, ...]
    categories: tuple[str, ...] = field(init=False)
    merge: tuple[int, ...] = field(init=False)
    observed: int = field(init=False)

    def __post_init__(self) -> None:
        raw = OUTCOMES[self.kind]
        ranks = sorted(raw.index(d) for d in self.documented)
        first, last = ranks[0], ranks[-1]
        merged = " or ".join(raw[first : last + 1])
        categories = (*raw[:first], merged, *raw[last + 1 :])
        merge = tuple(
            i if i < first else first if i <= last else i - (last - first) for i in range(len(raw))
        )
        object.__setattr__(self, "categories", categories)
        object.__setattr__(self, "merge", merge)
        object.__setattr__(self, "observed", first)

    @property
    def scenario(self) -> str:
        """The id of the file the check comes from."""
        return self.doc.id

    @property
    def row(self) -> str | None:
        """The source row the check documents (``E..``/``M..``), if known."""
        return source_row(self.entry)

    @property
    def fact(self) -> str:
        """The documented fact: its source row and subject, the same in every file that holds
        it; without a row, the file and the entry (the fact is then known in its file only)."""
        e, row = self.entry, self.row
        match e:
            case ExpectedCrisis():
                return row or f"{self.scenario}/{e.event}"
            case ExpectedMembership():
                subject = f"{e.member} {e.mode} {e.status}"
                return f"{row} {subject}" if row else f"{self.scenario}/{subject} {e.date}"
            case ExpectedSupport():
                return f"{row} {e.member} backs" if row else f"{self.scenario}/{e.event} {e.member}"
        raise TypeError(type(e).__name__)

    @property
    def key(self) -> tuple[str, str]:
        """What a check is scored once by: the fact and the kind of check."""
        return self.fact, self.kind

    @property
    def date(self) -> str:
        """'YYYY-MM' of the fact: the crisis's or call's onset, or the membership check's date."""
        if isinstance(self.entry, ExpectedMembership):
            return self.entry.date[:7]
        return self.event_date(self.entry.event)

    def event_date(self, event_id: str) -> str:
        """'YYYY-MM' of an event of the check's file."""
        event = next(e for e in self.doc.scenario.events if e.id == event_id)
        return event.date[:7]

    @property
    def ordinal(self) -> bool:
        """Whether the outcomes lie on a ladder (ranked probability score applies)."""
        return self.kind in ORDINAL

    @property
    def documented_label(self) -> str:
        """The documented (merged) outcome as text."""
        return self.categories[self.observed]


def _crisis_checks(doc: Documented, c: ExpectedCrisis) -> list[Check]:
    out = [
        Check(doc, c, "request", f"{c.event}: request", (c.request,)),
        Check(doc, c, "response", f"{c.event}: response", tuple(c.response)),
    ]
    if c.russia is not None:
        out.append(Check(doc, c, "bilateral", f"{c.event}: Russia's own answer", tuple(c.russia)))
    if c.appeal is not None:
        label = f"{c.event}: bilateral appeal to Russia"
        out.append(Check(doc, c, "appeal", label, (YES_NO[int(c.appeal)],)))
    return out


def membership_label(m: ExpectedMembership) -> str:
    """A membership check as text: ``ARM enters frozen from active 2024-02±9``."""
    if m.mode == "holds":
        return f"{m.member} holds {m.status} at {m.date}"
    origin = f" from {m.from_status}" if m.from_status else ""
    return f"{m.member} enters {m.status}{origin} {m.date}±{m.tolerance_months}"


def checks_of(doc: Documented) -> list[Check]:
    """Every check of a documented file, in the order of its ``[expected]`` block."""
    exp = doc.expected
    out = [check for c in exp.crisis for check in _crisis_checks(doc, c)]
    out += [Check(doc, m, "membership", membership_label(m), ("yes",)) for m in exp.membership]
    out += [
        Check(doc, s, "support", f"{s.event}: {s.member} backs", (YES_NO[int(s.backs)],))
        for s in exp.support
    ]
    return out


# --- scoring each fact once ---------------------------------------------------------------------


def history_start(scenario: Scenario, seen: frozenset[str] = frozenset()) -> str:
    """'YYYY-MM' where a file's simulated history begins: its start or, for a run that continues
    another's end state (Model 2's ``[scenario] continues``), where that run's history begins."""
    parent = getattr(scenario.scenario, "continues", None)
    if parent is None or parent in seen:
        return scenario.scenario.start[:7]
    return history_start(load_scenario(find_scenario(parent)), seen | {scenario.id})


def history_rank(check: Check) -> tuple[str, int, str]:
    """Sort key of the files that hold a fact: the file that runs the longest history up to the
    fact comes first (earliest history start), then the longer history, then the lexically
    first id."""
    sc = check.doc.scenario
    start = history_start(sc)
    return start, -months_between(start, sc.scenario.end), sc.id


def deduplicate(checks: Iterable[Check]) -> tuple[list[Check], dict[tuple[str, str], list[str]]]:
    """One check per fact and kind (``docs/validation.md``, "one record per fact").

    Returns the kept checks, in their first-seen order, and for each kept key the ids of the
    other files that hold the same check. Within one file, the first entry is kept.
    """
    groups: dict[tuple[str, str], list[Check]] = defaultdict(list)
    for check in checks:
        groups[check.key].append(check)
    kept, others = [], {}
    for key, group in groups.items():
        best = min(group, key=history_rank)  # min is stable: the first entry wins a tie
        kept.append(best)
        others[key] = sorted({c.scenario for c in group} - {best.scenario})
    return kept, others


# --- per-world outcome codes --------------------------------------------------------------------


def entered_within(entered: np.ndarray, lo: int, hi: int) -> np.ndarray:
    """Per world: any entry at a step in ``[lo, hi]`` (of a
    :meth:`~.outcomes.WorldOutcomes.entries` matrix)."""
    return entered[:, max(lo, 0) : hi + 1].any(axis=1)


def _crisis_codes(check: Check, worlds: WorldOutcomes) -> np.ndarray | None:
    return worlds.crisis(check.entry.event, CRISIS_COLUMNS[check.kind])  # type: ignore[union-attr]


def _membership_codes(check: Check, worlds: WorldOutcomes) -> np.ndarray:
    m, sc = check.entry, check.doc.scenario
    assert isinstance(m, ExpectedMembership)
    step = sc.step_of(m.date)
    if m.mode == "holds":
        hit = worlds.status_at(m.member, sc.members[m.member], step) == m.status
    else:
        entered = worlds.entries(m.member, m.status, m.from_status, sc.n_steps)
        hit = entered_within(entered, step - m.tolerance_months, step + m.tolerance_months)
    return hit.astype(np.int64)


def _support_codes(check: Check, worlds: WorldOutcomes) -> np.ndarray:
    s = check.entry
    assert isinstance(s, ExpectedSupport)
    return worlds.backed(s.event, s.member).astype(np.int64)


def outcome_codes(check: Check, worlds: WorldOutcomes) -> np.ndarray | None:
    """Each world's outcome of ``check`` as an index into ``check.categories``; ``None`` when the
    run has no output that answers it."""
    if check.kind in CRISIS_COLUMNS:
        raw = _crisis_codes(check, worlds)
    elif check.kind == "membership":
        raw = _membership_codes(check, worlds)
    else:
        raw = _support_codes(check, worlds)
    return None if raw is None else np.asarray(check.merge, dtype=np.int64)[raw]


def codes_by_check(checks: Sequence[Check], worlds: WorldOutcomes) -> list[np.ndarray | None]:
    """:func:`outcome_codes` of each check, all from one run."""
    return [outcome_codes(c, worlds) for c in checks]
