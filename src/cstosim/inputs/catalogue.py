"""Where scenario files live, and their headers read without validating them.

``cstosim list`` needs only each file's id, dates and title; reading the ``[scenario]`` table
with :mod:`tomllib` avoids importing the schema (pydantic) and checking every event, which is
``cstosim check``'s job. Nothing here imports more than the standard library.
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass
from pathlib import Path

from .errors import UserError

#: The environment variable naming a folder of the user's own scenarios (``cstosim new`` writes
#: there); ids are looked up in it before the shipped ``scenarios/``.
USER_SCENARIOS = "CSTOSIM_SCENARIOS"


def scenario_dir() -> Path:
    """The project's ``scenarios/`` folder (documented crises and what-ifs)."""
    here = Path(__file__).resolve()
    for parent in here.parents:
        candidate = parent / "scenarios"
        if candidate.is_dir() and any(candidate.glob("*.toml")):
            return candidate
    raise UserError("scenarios/: folder not found next to the package; run from a cstosim clone")


def user_scenario_dir() -> Path | None:
    """The user's scenario folder named by ``$CSTOSIM_SCENARIOS``, if set."""
    value = os.environ.get(USER_SCENARIOS, "").strip()
    return Path(value).expanduser() if value else None


@dataclass(frozen=True)
class Header:
    """What ``cstosim list`` shows of one scenario file; ``problem`` if its header is unreadable."""

    id: str
    hypothetical: bool = False
    start: str = ""
    end: str = ""
    title: str = ""
    problem: str = ""


def read_header(path: Path) -> Header:
    """The ``[scenario]`` table of ``path``, unvalidated: a problem is reported, not raised."""
    try:
        with path.open("rb") as fh:
            table = tomllib.load(fh).get("scenario", {})
        return Header(
            id=str(table.get("id", path.stem)),
            hypothetical=bool(table.get("hypothetical", False)),
            start=str(table.get("start", "?")),
            end=str(table.get("end", "?")),
            title=str(table.get("title", "")),
        )
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError, RecursionError, AttributeError):
        return Header(id=path.stem, problem="unreadable; run 'cstosim check' on it")
