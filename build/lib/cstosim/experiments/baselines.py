"""Three forecasters the model must beat, each a full distribution over a check's categories.

- :func:`base_rate_forecast`: situation-blind base rates of the documented facts, add-one
  smoothed, so no outcome gets probability zero;
- :func:`persistence_forecast`: nothing is asked, nothing is done, statuses hold, nobody backs
  Russia;
- :func:`rule_forecast`: a zero-parameter reading of the treaty. A member asks for collective
  assistance exactly when the treaty's scope holds, and the Council's answer is spread evenly
  over what the request allows; no bilateral appeal; Russia answers with words; statuses hold;
  only the union state (Belarus) backs Russia.

Each reads the check's situation (its file's events and statuses), never its documented outcome.
They are stated with their reasons in ``docs/validation.md``.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np

from ..inputs.expected import Documented, ExpectedCrisis, ExpectedMembership, ExpectedSupport
from ..inputs.scenario import Event, months_between
from ..inputs.vocabulary import BILATERAL_NAMES, REQUEST_NAMES, RUNG_NAMES, STATUS_NAMES
from .checks import OUTCOMES, Check

#: Baselines by name, in report order (after the model).
BASELINES: tuple[str, ...] = ("base_rates", "persistence", "rule")
#: Crisis kinds inside the treaty's scope whatever the framing (Art. 4: aggression on a member's
#: territory; insurgents crossing a member's border).
IN_SCOPE: frozenset[str] = frozenset({"external_aggression", "insurgent_spillover"})
#: The one member in a union state with Russia.
UNION_STATE = "BLR"


def merged(check: Check, raw: np.ndarray) -> np.ndarray:
    """A distribution over the raw outcomes of ``check``'s kind, summed into its categories."""
    out = np.zeros(len(check.categories))
    np.add.at(out, np.asarray(check.merge), np.asarray(raw, dtype=float))
    return out


def _point(names: tuple[str, ...], name: str) -> np.ndarray:
    p = np.zeros(len(names))
    p[names.index(name)] = 1.0
    return p


def _yes(p_yes: float) -> np.ndarray:
    return np.array([1.0 - p_yes, p_yes])


def _smoothed(counts: np.ndarray) -> np.ndarray:
    counts = np.asarray(counts, dtype=float) + 1.0
    return counts / counts.sum()


@dataclass(frozen=True)
class BaseRates:
    """Situation-blind rates of the documented facts, add-one smoothed.

    ``request``, ``response``, ``bilateral``, ``appeal`` and ``support`` are distributions over
    the raw outcomes of those kinds; ``monthly_change`` is the chance that a party changes status
    in a given month.
    """

    request: np.ndarray
    response: np.ndarray
    bilateral: np.ndarray
    appeal: np.ndarray
    support: np.ndarray
    monthly_change: float

    @classmethod
    def from_checks(cls, checks: Sequence[Check]) -> BaseRates:
        """Rates from deduplicated ``checks``. A documented set of several rungs counts as an
        equal share of each; the exposure to status changes is the distinct member-months in
        which a party other than Russia is simulated across the checks' files."""
        counts = {kind: np.zeros(len(names)) for kind, names in OUTCOMES.items()}
        for c in checks:
            for name in c.documented:
                counts[c.kind][OUTCOMES[c.kind].index(name)] += 1 / len(c.documented)
        changes = sum(
            1
            for c in checks
            if isinstance(c.entry, ExpectedMembership) and c.entry.mode == "enters"
        )
        exposure = _member_months({c.doc.id: c.doc for c in checks}.values())
        return cls(
            request=_smoothed(counts["request"]),
            response=_smoothed(counts["response"]),
            bilateral=_smoothed(counts["bilateral"]),
            appeal=_smoothed(counts["appeal"]),
            support=_smoothed(counts["support"]),
            monthly_change=(changes + 1) / (exposure + 2),
        )


def _member_months(docs: Iterable[Documented]) -> int:
    """Distinct (member, calendar month) pairs in which a party other than Russia is simulated."""
    seen: set[tuple[str, int]] = set()
    for doc in docs:
        sc = doc.scenario
        first = months_between("0001-01", sc.scenario.start)
        for member, status in sc.members.items():
            if member != "RUS" and status != STATUS_NAMES[0]:
                seen.update((member, first + k) for k in range(sc.n_steps))
    return len(seen)


def _membership_base_rate(m: ExpectedMembership, check: Check, h: float) -> float:
    """P(yes) when each month a party changes status with probability ``h``, independently."""
    sc = check.doc.scenario
    if m.mode == "enters":
        return 1.0 - (1.0 - h) ** (2 * m.tolerance_months + 1)
    stays = (1.0 - h) ** (sc.step_of(m.date) + 1)
    return stays if sc.members[m.member] == m.status else 1.0 - stays


def base_rate_forecast(check: Check, rates: BaseRates) -> np.ndarray:
    """The base rate of each category of ``check`` (situation-blind)."""
    e = check.entry
    if isinstance(e, ExpectedMembership):
        return merged(check, _yes(_membership_base_rate(e, check, rates.monthly_change)))
    return merged(check, getattr(rates, check.kind))


def _persists(m: ExpectedMembership, check: Check) -> float:
    """P(yes) when no status ever changes: a held status is the start status; nothing enters."""
    return float(m.mode == "holds" and check.doc.scenario.members[m.member] == m.status)


def persistence_forecast(check: Check) -> np.ndarray:
    """Nothing happens: no request, response none, Russia does nothing, no appeal, statuses
    hold, nobody backs Russia."""
    e = check.entry
    if isinstance(e, ExpectedMembership):
        return merged(check, _yes(_persists(e, check)))
    first = {
        "request": REQUEST_NAMES[0],
        "response": RUNG_NAMES[0],
        "bilateral": BILATERAL_NAMES[0],
    }
    return merged(check, _point(OUTCOMES[check.kind], first.get(check.kind, "no")))


def in_treaty_scope(event: Event, target_status: str) -> bool:
    """Whether a crisis is one the treaty covers: aggression or insurgent spillover on an active
    member, or internal unrest that the member frames as foreign-backed."""
    if target_status != "active":
        return False
    return event.kind in IN_SCOPE or (event.kind == "internal_unrest" and event.framed_foreign)


def rule_request(event: Event, target_status: str) -> np.ndarray:
    """The rule's request: assistance exactly when the treaty's scope holds, else none."""
    asks = in_treaty_scope(event, target_status)
    return _point(REQUEST_NAMES, REQUEST_NAMES[2] if asks else REQUEST_NAMES[0])


def rule_response(request: np.ndarray) -> np.ndarray:
    """The rule's response to a request distribution. Nothing asked: none or a statement, evenly.
    Asked: evenly over consultations up to the rung asked (a request for assistance asks for the
    top rung, since Art. 4 promises all necessary help, military help included)."""
    rungs = len(RUNG_NAMES)
    consult = RUNG_NAMES.index("consultations")
    unasked = np.zeros(rungs)
    unasked[:consult] = 1.0 / consult
    asked_consultations = _point(RUNG_NAMES, "consultations")
    asked_assistance = np.zeros(rungs)
    asked_assistance[consult:] = 1.0 / (rungs - consult)
    return request[0] * unasked + request[1] * asked_consultations + request[2] * asked_assistance


def rule_forecast(check: Check) -> np.ndarray:
    """The zero-parameter rule (module docstring) for ``check``."""
    e, sc = check.entry, check.doc.scenario
    if isinstance(e, ExpectedCrisis):
        event = next(ev for ev in sc.events if ev.id == e.event)
        request = rule_request(event, sc.members.get(event.target, "never"))
        raw = {
            "request": request,
            "response": rule_response(request),
            "bilateral": _point(BILATERAL_NAMES, "words"),
            "appeal": _point(OUTCOMES["appeal"], "no"),
        }[check.kind]
        return merged(check, raw)
    if isinstance(e, ExpectedSupport):
        return merged(check, _yes(float(e.member == UNION_STATE)))
    assert isinstance(e, ExpectedMembership)
    return merged(check, _yes(_persists(e, check)))


def baseline_forecasts(check: Check, rates: BaseRates) -> dict[str, np.ndarray]:
    """Every baseline's distribution for ``check``, by name."""
    return {
        "base_rates": base_rate_forecast(check, rates),
        "persistence": persistence_forecast(check),
        "rule": rule_forecast(check),
    }
