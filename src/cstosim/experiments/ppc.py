"""Posterior predictive checks of the trajectories: how many status changes, when, in what order.

A trajectory is a documented file with timed ``enters`` membership checks. Three checks, each
with a pass or fail, all read from the same runs as the scores (no extra simulation):

- **status changes**: the number of status changes per world (all members) against the number
  the file documents; passes if the documented count lies in the model's 5-95% band;
- **timing placebo**: the window of a timed check slid month by month across the run; passes if
  the probability peaks within the check's tolerance of the documented date;
- **order**: when the change first happens, relative to the file's crises and other documented
  changes; passes if the documented interval is the single most common one.

The definitions are in ``docs/validation.md``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..inputs.expected import Documented, ExpectedMembership
from ..inputs.vocabulary import CRISIS_KINDS
from .checks import Check, checks_of
from .outcomes import WorldOutcomes

#: The band the documented count of status changes must lie in.
BAND = (0.05, 0.95)


def timed_checks(doc: Documented) -> list[Check]:
    """The timed ``enters`` membership checks of a file."""
    return [
        c
        for c in checks_of(doc)
        if isinstance(c.entry, ExpectedMembership) and c.entry.mode == "enters"
    ]


def band_result(counts: np.ndarray, documented: int) -> dict:
    """The documented count against the 5-95% band of the model's counts per world."""
    lo, hi = np.quantile(counts, BAND)
    return {
        "documented": documented,
        "q05": float(lo),
        "median": float(np.median(counts)),
        "q95": float(hi),
        "passed": bool(lo <= documented <= hi),
    }


def window_hits(entered: np.ndarray, tolerance: int) -> tuple[np.ndarray, np.ndarray]:
    """Every centre whose window ``[c - tolerance, c + tolerance]`` lies inside the run, and the
    share of worlds with an entry in each window."""
    n_steps = entered.shape[1]
    centres = np.arange(tolerance, n_steps - tolerance)
    cum = np.concatenate(
        [np.zeros((entered.shape[0], 1), int), np.cumsum(entered, 1, dtype=int)], axis=1
    )
    inside = cum[:, centres + tolerance + 1] - cum[:, centres - tolerance] > 0
    return centres, inside.mean(axis=0)


@dataclass(frozen=True)
class Placebo:
    """The placebo test of one timed check: where the curve peaks, and how sharply."""

    peak: int
    passed: bool
    p_documented: float
    p_placebo: float
    contrast: float


def placebo_result(
    centres: np.ndarray, p: np.ndarray, documented: int, tolerance: int, floor: float
) -> Placebo:
    """Pass if every centre where ``p`` peaks lies within ``tolerance`` of ``documented``
    (a flat or empty curve does not pass). The contrast is ``p`` at the documented centre over
    the mean ``p`` of the placebo windows, those that do not overlap the documented one (the
    mean floored at ``floor``); NaN when the run leaves no room for a placebo window."""
    peaks = centres[p == p.max()]
    passed = bool(p.max() > 0 and np.all(np.abs(peaks - documented) <= tolerance))
    p_doc = float(p[centres == documented][0])
    placebo = p[np.abs(centres - documented) > 2 * tolerance]
    mean = float(placebo.mean()) if placebo.size else float("nan")
    contrast = p_doc / max(mean, floor) if placebo.size else float("nan")
    return Placebo(int(peaks[0]), passed, p_doc, mean, contrast)


def order_boundaries(check: Check) -> list[tuple[int, str]]:
    """The documented events that order a timed change: the file's crisis onsets and its other
    documented changes, as (step, name), sorted; events in the change's own month are left out
    (they neither precede nor follow it)."""
    sc, m = check.doc.scenario, check.entry
    assert isinstance(m, ExpectedMembership)
    own = sc.step_of(m.date)
    marks = [(sc.step_of(e.date), e.id) for e in sc.events if e.kind in CRISIS_KINDS]
    marks += [
        (sc.step_of(c.entry.date), short_label(c.entry))  # type: ignore[arg-type]
        for c in timed_checks(check.doc)
        if c.label != check.label
    ]
    return sorted({(s, name) for s, name in marks if s != own})


def short_label(m: ExpectedMembership) -> str:
    """A documented change in a few characters: ``UZB active 2006-06``."""
    return f"{m.member} {m.status} {m.date[:7]}"


def intervals(boundaries: list[tuple[int, str]], n_steps: int) -> list[tuple[int, int, str]]:
    """The run cut at distinct boundary steps: ``(first step, last step, label)``."""
    steps = sorted({s for s, _ in boundaries if 0 < s < n_steps})
    names = {s: ", ".join(n for t, n in boundaries if t == s) for s in steps}
    cuts = [0, *steps, n_steps]
    out = []
    for a, b in zip(cuts[:-1], cuts[1:], strict=True):
        after = names.get(a, "start")
        before = names.get(b, "end")
        out.append((a, b - 1, f"{after} → {before}"))
    return out


def first_entry(entered: np.ndarray) -> np.ndarray:
    """Each world's first step with an entry, -1 if none."""
    return np.where(entered.any(axis=1), entered.argmax(axis=1), -1)


def order_shares(first: np.ndarray, cuts: list[tuple[int, int, str]]) -> np.ndarray:
    """Among worlds where the change happens, the share whose first entry falls in each
    interval (zeros if it never happens)."""
    happened = first[first >= 0]
    if happened.size == 0:
        return np.zeros(len(cuts))
    return np.array([np.mean((happened >= a) & (happened <= b)) for a, b, _ in cuts])


def timed_entries(check: Check, worlds: WorldOutcomes) -> np.ndarray:
    """:meth:`~.outcomes.WorldOutcomes.entries` of a timed check's member, status and origin."""
    m = check.entry
    assert isinstance(m, ExpectedMembership)
    return worlds.entries(m.member, m.status, m.from_status, check.doc.scenario.n_steps)


@dataclass
class Predictive:
    """The predictive checks of some runs, as the tables ``validate`` writes."""

    tests: list[dict]
    changes: list[pd.DataFrame]
    placebo: list[pd.DataFrame]
    order: list[pd.DataFrame]

    def extend(self, other: Predictive) -> None:
        """Add another run's checks."""
        self.tests += other.tests
        self.changes += other.changes
        self.placebo += other.placebo
        self.order += other.order

    def tables(self) -> dict[str, pd.DataFrame]:
        """``ppc`` (one row per test), ``changes``, ``placebo`` and ``order`` (the curves)."""

        def cat(frames: list[pd.DataFrame]) -> pd.DataFrame:
            return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()

        return {
            "ppc": pd.DataFrame(self.tests),
            "changes": cat(self.changes),
            "placebo": cat(self.placebo),
            "order": cat(self.order),
        }


def _changes_test(doc: Documented, worlds: WorldOutcomes) -> tuple[dict, pd.DataFrame]:
    counts = worlds.changes_per_world()
    documented = len(timed_checks(doc))
    res = band_result(counts, documented)
    hist = np.bincount(counts)
    frame = pd.DataFrame({"scenario": doc.id, "changes": np.arange(hist.size), "worlds": hist})
    test = dict(
        test="status changes",
        scenario=doc.id,
        check="status changes per world",
        passed=res["passed"],
        detail=f"documented {documented}; model median {res['median']:g}, "
        f"5-95% {res['q05']:g}-{res['q95']:g}",
        **{k: res[k] for k in ("documented", "q05", "median", "q95")},
    )
    return test, frame


def _placebo_test(check: Check, entered: np.ndarray, floor: float) -> tuple[dict, pd.DataFrame]:
    m, sc = check.entry, check.doc.scenario
    assert isinstance(m, ExpectedMembership)
    centres, p = window_hits(entered, m.tolerance_months)
    res = placebo_result(centres, p, sc.step_of(m.date), m.tolerance_months, floor)
    frame = pd.DataFrame(
        {
            "scenario": sc.id,
            "check": check.label,
            "step": centres,
            "date": [sc.date_of(int(c)) for c in centres],
            "p": p,
            "documented": centres == sc.step_of(m.date),
            "tolerance": m.tolerance_months,
        }
    )
    test = dict(
        test="timing placebo",
        scenario=sc.id,
        check=check.label,
        passed=res.passed,
        detail=f"peak {sc.date_of(res.peak)}, documented {m.date}±{m.tolerance_months}; "
        f"p {res.p_documented:.3f} at the documented date, {res.p_placebo:.3f} in placebo "
        f"windows (contrast {res.contrast:.2f})",
        peak=sc.date_of(res.peak),
        p_documented=res.p_documented,
        p_placebo=res.p_placebo,
        contrast=res.contrast,
    )
    return test, frame


def _order_test(check: Check, entered: np.ndarray) -> tuple[dict, pd.DataFrame]:
    m, sc = check.entry, check.doc.scenario
    assert isinstance(m, ExpectedMembership)
    cuts = intervals(order_boundaries(check), sc.n_steps)
    first = first_entry(entered)
    shares = order_shares(first, cuts)
    own = sc.step_of(m.date)
    documented = np.array([a <= own <= b for a, b, _ in cuts])
    top = shares.max()
    passed = bool(top > 0 and shares[documented][0] == top and (shares == top).sum() == 1)
    frame = pd.DataFrame(
        {
            "scenario": sc.id,
            "check": check.label,
            "interval": [label for *_, label in cuts],
            "first": [sc.date_of(a) for a, _, _ in cuts],
            "last": [sc.date_of(b) for _, b, _ in cuts],
            "share": shares,
            "documented": documented,
            "worlds_with_change": int((first >= 0).sum()),
        }
    )
    label = cuts[int(np.flatnonzero(documented)[0])][2]
    test = dict(
        test="order",
        scenario=sc.id,
        check=check.label,
        passed=passed,
        detail=f"documented interval '{label}' holds {shares[documented][0]:.0%} of the worlds "
        f"that make the change ({int((first >= 0).sum())}); the most common holds {top:.0%}",
    )
    return test, frame


def predictive_checks(doc: Documented, worlds: WorldOutcomes, floor: float) -> Predictive:
    """The three predictive checks of one file's run; nothing if it has no timed checks."""
    timed = timed_checks(doc)
    out = Predictive([], [], [], [])
    if not timed:
        return out
    test, frame = _changes_test(doc, worlds)
    out.tests.append(test)
    out.changes.append(frame)
    for check in timed:
        entered = timed_entries(check, worlds)
        test, frame = _placebo_test(check, entered, floor)
        out.tests.append(test)
        out.placebo.append(frame)
        test, frame = _order_test(check, entered)
        out.tests.append(test)
        out.order.append(frame)
    return out
