"""Paths and small helpers shared by the test modules (fixtures live in ``conftest.py``)."""

from __future__ import annotations

import inspect
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

#: The repository root.
ROOT = Path(__file__).resolve().parents[1]
#: The shipped scenario files.
SCENARIOS = ROOT / "scenarios"
#: A small two-year scenario with one crisis of each kind that matters, for tests; not history.
MINI = ROOT / "tests" / "fixtures" / "mini.toml"
#: The golden outputs of the regression tier.
GOLDEN_DIR = ROOT / "tests" / "golden"


def validation_folder(folder: Path) -> Path:
    """A real ``cstosim validate`` folder of the mini fixture (few worlds), without figures."""
    from cstosim.experiments.validation import run_validation

    run_validation([MINI], n_worlds=40, seed=0, out=folder, progress=False)
    return folder


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


@dataclass
class Watched:
    """What a page did that a test must see: console errors, and requests it was refused."""

    errors: list[str] = field(default_factory=list)
    refused: list[str] = field(default_factory=list)


@contextmanager
def browser_page(
    width: int, height: int, allowed: Callable[[str], bool]
) -> Iterator[tuple[Any, Watched]]:
    """A page in Debian's chromium (a fresh profile) that records console errors and aborts,
    and records, every request whose URL ``allowed`` refuses."""
    from playwright.sync_api import sync_playwright

    watched = Watched()

    def route(r) -> None:
        if allowed(r.request.url):
            r.continue_()
        else:
            watched.refused.append(r.request.url)
            r.abort()

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=chromium_path(), args=list(CHROMIUM_ARGS))
        try:
            page = browser.new_page(viewport={"width": width, "height": height})
            page.on("console", lambda m: m.type == "error" and watched.errors.append(m.text))
            page.on("pageerror", lambda exc: watched.errors.append(str(exc)))
            page.route("**/*", route)
            yield page, watched
        finally:
            browser.close()
