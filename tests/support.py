"""Paths and small helpers shared by the test modules (fixtures live in ``conftest.py``)."""

from __future__ import annotations

import inspect
from collections.abc import Callable, Mapping
from pathlib import Path

#: The repository root.
ROOT = Path(__file__).resolve().parents[1]
#: The shipped scenario files.
SCENARIOS = ROOT / "scenarios"
#: A small two-year scenario with one crisis of each kind that matters, for tests; not history.
MINI = ROOT / "tests" / "fixtures" / "mini.toml"
#: The golden outputs of the regression tier.
GOLDEN_DIR = ROOT / "tests" / "golden"


def weights(p: Mapping, rule: Callable) -> dict:
    """The parameters ``rule`` takes as keyword arguments, read from the resolved set ``p``."""
    return {k: p[k] for k in inspect.signature(rule).parameters if k in p}


#: Screenshots and pages the browser tests save for a person to look at (git-ignored).
ARTIFACTS = ROOT / "tests" / "artifacts"
#: Debian's chromium, driven by Playwright; never a browser Playwright downloads itself.
CHROMIUM_ARGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
)


def chromium_path() -> str:
    """The system's chromium; the test fails, naming the fix, if there is none."""
    import shutil

    found = shutil.which("chromium") or shutil.which("chromium-browser")
    if found is None:
        raise AssertionError(
            "no chromium on PATH; install Debian's: apt-get install -y --no-install-recommends "
            "chromium (.ci/run does this)"
        )
    return found


def free_port() -> int:
    """A TCP port on the loopback interface that nothing listens on now."""
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])
