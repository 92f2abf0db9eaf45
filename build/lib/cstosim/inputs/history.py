"""The documented membership history: who was active, frozen or withdrawn in each period.

A scenario's ``[members]`` must match this table at its start (``docs/scenarios.md`` §1, the
honesty rule "statuses as in history"); the table in the docs is generated from here. Each period
cites the rows of ``data/sources/membership_events.csv`` that open it. A scenario starting in the
month of a change may take the statuses of either side, since the change fell within that month.
What-ifs start after the last change, so they meet the last period.
"""

from __future__ import annotations

from dataclasses import dataclass

from .vocabulary import MEMBERS

_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


@dataclass(frozen=True)
class Period:
    """Statuses from month ``since`` (``YYYY-MM``) until the next period, with the rows behind
    them."""

    since: str
    frozen: tuple[str, ...]
    withdrawn: tuple[str, ...]
    rows: str
    what: str

    def status(self, member: str) -> str:
        """The member's documented status in this period."""
        if member in self.frozen:
            return "frozen"
        return "withdrawn" if member in self.withdrawn else "active"


#: The periods, oldest first; a member not listed as frozen or withdrawn is active.
PERIODS: tuple[Period, ...] = (
    Period("1994-04", (), (), "M01-M05", "the treaty in force for all nine parties"),
    Period("1999-04", (), ("UZB", "AZE", "GEO"), "M06-M09", "UZB, AZE and GEO do not renew"),
    Period("2006-06", (), ("AZE", "GEO"), "M11", "UZB restores its membership"),
    Period("2012-06", (), ("UZB", "AZE", "GEO"), "M13, M14", "UZB suspends, never to resume"),
    Period("2024-02", ("ARM",), ("UZB", "AZE", "GEO"), "M21", "ARM freezes its participation"),
)


def _month(text: str) -> tuple[int, int]:
    year, month = text[:7].split("-")
    return int(year), int(month)


def periods_at(start: str) -> tuple[Period, ...]:
    """The periods whose statuses a scenario starting in ``start`` may have: one, or two in the
    month of a change; none before the treaty came into force."""
    when = _month(start)
    current = [p for p in PERIODS if _month(p.since) <= when]
    if not current:
        return ()
    last = current[-1]
    before = current[-2:-1] if _month(last.since) == when else []
    return (*before, last)


def history_problem(start: str, members: dict[str, str]) -> str | None:
    """Why ``members`` at ``start`` contradict the documented history, or ``None``."""
    allowed = periods_at(start)
    if not allowed:
        return (
            f"scenario.start: {start} is before the treaty came into force "
            f"({PERIODS[0].since}, M05); start later"
        )
    for member in MEMBERS:
        wanted = {p.status(member) for p in allowed}
        if members.get(member) not in wanted:
            period = allowed[-1]
            return (
                f"members.{member}: '{members.get(member)}' contradicts the documented history: "
                f"at {start} {member} is {' or '.join(sorted(wanted))} (since {period.since}, "
                f"{period.rows}); write '{period.status(member)}' (table in docs/scenarios.md)"
            )
    return None


def _label(since: str) -> str:
    year, month = _month(since)
    return f"{_MONTHS[month - 1]} {year}"


def history_table() -> str:
    """The periods as the Markdown table of ``docs/scenarios.md``."""
    lines = ["| period | active | frozen | withdrawn | what changed |", "|---|---|---|---|---|"]
    for i, p in enumerate(PERIODS):
        until = f" - {_label(PERIODS[i + 1].since)}" if i + 1 < len(PERIODS) else ""
        span = f"{_label(p.since)}{until}" if until else f"from {_label(p.since)}"
        cells = [" ".join(m for m in MEMBERS if p.status(m) == s) for s in ("active", "frozen")]
        withdrawn = " ".join(p.withdrawn)
        lines.append(f"| {span} | {cells[0]} | {cells[1]} | {withdrawn} | {p.what} ({p.rows}) |")
    return "\n".join(lines)
