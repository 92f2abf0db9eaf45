"""The fuzz tier's own counts, printed at the end of a run that used it.

Every example is tallied: tried, refused in one line, accepted (and run), and the failures a test
asserts against (a traceback, a multi-line error, an invalid kind accepted). A failing example
stops its test, so the failure counts can only be shown as zero by a passing run.
"""

from __future__ import annotations

from collections import Counter

import pytest

TALLY: dict[str, Counter[str]] = {}


def tally(suite: str) -> Counter[str]:
    """The counts of one fuzz suite (scenarios, sweep specs, CLI)."""
    return TALLY.setdefault(suite, Counter())


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    if not TALLY:
        return
    terminalreporter.section("fuzz tier counts")
    for suite, counts in sorted(TALLY.items()):
        shown = ", ".join(
            f"{key} {counts[key]}"
            for key in (
                "tried",
                "refused in one line",
                "accepted and run",
                "invalid kinds tried",
                "tracebacks",
                "multi-line errors",
                "invalid accepted",
            )
        )
        terminalreporter.write_line(f"{suite}: {shown}")
