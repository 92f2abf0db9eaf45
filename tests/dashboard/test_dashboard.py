"""The dashboard: controls generated from the declarations, the adapter into the model, and the
page itself served by ``cstosim dashboard`` and driven in Debian's chromium."""

from __future__ import annotations

import inspect
import os
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlparse

import numpy as np
import pytest

from cstosim.cli import main as cli_main
from cstosim.inputs.facts import baseline_member_facts
from cstosim.inputs.parameters import PARAMETERS, load_set
from cstosim.inputs.vocabulary import MEMBER_FACTS, MEMBERS, WORLD_FACTS
from tests.support import ARTIFACTS, MINI, browser_page, free_port

app = pytest.importorskip("cstosim.dashboard.app", reason="the [dashboard] extra is not installed")
from cstosim.dashboard import adapter  # noqa: E402

STARTUP_S = 180
STEP_S = 120


# --- controls and adapter ------------------------------------------------------------------
@pytest.mark.unit
def test_every_declared_parameter_has_a_slider_over_its_range() -> None:
    controls = app.controls("mini", 100)
    values = load_set().values
    for name, p in PARAMETERS.items():
        slider = controls[name]
        assert slider["type"] == "SliderFloat"
        assert (slider["min"], slider["max"], slider["value"]) == (p.low, p.high, values[name])


@pytest.mark.unit
def test_every_fact_can_be_chosen() -> None:
    keys = app.controls("mini", 100)["fact"]["values"]
    expected = {f"{m}.{f}" for m in MEMBERS for f in MEMBER_FACTS} | {
        f"world.{f}" for f in WORLD_FACTS
    }
    assert set(keys) == expected | {app.NO_FACT}


@pytest.mark.unit
def test_the_model_takes_every_control_as_a_keyword() -> None:
    accepted = inspect.signature(app.DashboardModel.__init__).parameters
    assert set(app.controls("mini", 100)) <= set(accepted)


@pytest.mark.unit
def test_controls_reach_the_model() -> None:
    model = app.DashboardModel(str(MINI), 20, 3, "KAZ.dependency", 0.1, need_weight=9.5)
    assert np.all(model.alliance.p.need_weight == 9.5)
    assert model.changed == {"need_weight": 9.5}
    assert np.all(model.alliance.by_code["KAZ"].dependency == 0.1)
    # a slider that rounds the value in force to its step changes nothing
    value = load_set().values["need_weight"]
    rounded = app.DashboardModel(str(MINI), 20, 3, need_weight=value + 1e-4)
    assert rounded.changed == {}
    assert np.all(rounded.alliance.p.need_weight == value)
    plain = app.DashboardModel(str(MINI), 20, 3)
    baseline = baseline_member_facts()["dependency"][MEMBERS.index("KAZ")]
    assert adapter.fact_value(plain.alliance.situation, "KAZ.dependency") == baseline


@pytest.mark.unit
def test_stepping_fills_the_views_until_the_end() -> None:
    model = app.DashboardModel(str(MINI), 12, 0)
    assert model.data().steps.empty and model.data().crises.empty
    model.step()
    first = model.data()
    assert first.steps["step"].max() == 0
    assert set(first.crises["crisis"]) == {"kaz"}  # the crisis of the first month
    assert not adapter.narrative(model.alliance, adapter.logged_worlds(model.alliance)[0]).empty
    while model.running:
        model.step()
    assert model.alliance.time == model.alliance.situation.n_steps
    model.step()  # past the end: nothing more happens
    assert model.alliance.time == model.alliance.situation.n_steps


@pytest.mark.unit
def test_an_unknown_scenario_is_refused_before_the_server_starts(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert cli_main(["dashboard", "no_such_scenario", "--port", "9"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "no_such_scenario: unknown scenario" in err


# --- in a real browser ---------------------------------------------------------------------
@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """``cstosim dashboard`` on a free loopback port, stopped (by its pid) afterwards."""
    port = free_port()
    log = tmp_path_factory.mktemp("dashboard") / "server.log"
    with log.open("w") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "cstosim", "dashboard", str(MINI), "--port", str(port)]
            + ["--worlds", "100"],
            stdout=out,
            stderr=subprocess.STDOUT,
            env=dict(os.environ, MPLBACKEND="Agg"),
        )
    url = f"http://127.0.0.1:{port}/"
    try:
        _wait_until_up(url, process, log)
        yield url
    finally:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()


def _wait_until_up(url: str, process: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + STARTUP_S
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"the dashboard server exited:\n{log.read_text()}")
        try:
            with urllib.request.urlopen(url, timeout=5) as response:
                if response.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            time.sleep(0.5)
    raise AssertionError(f"the dashboard did not answer within {STARTUP_S} s:\n{log.read_text()}")


def _figures(page) -> list[str]:
    """The ``src`` of every chart image on the page."""
    return page.eval_on_selector_all("img", "imgs => imgs.map(i => i.src).filter(Boolean)")


@pytest.mark.e2e
@pytest.mark.slow
def test_the_dashboard_loads_steps_and_follows_its_controls(server: str) -> None:
    def loopback(url: str) -> bool:
        return urlparse(url).hostname in ("127.0.0.1", "localhost")

    with browser_page(1600, 1250, loopback) as (page, watched):
        page.goto(server)
        status = page.locator(".run-status")
        step = page.get_by_role("button", name="Step")
        step.wait_for(timeout=STARTUP_S * 1000)
        status.get_by_text("(0 of 24 simulated), 100 worlds").wait_for(timeout=STEP_S * 1000)

        step.click()
        status.get_by_text("(1 of 24 simulated), 100 worlds").wait_for(timeout=STEP_S * 1000)
        first = _figures(page)
        assert len(first) == 3, "responses, defection and trust charts after one month"

        # a control: one more step of the worlds slider, applied by Reset
        worlds = page.get_by_role("slider").nth(2)  # play interval, render interval, worlds
        worlds.focus()
        worlds.press("ArrowRight")
        page.get_by_role("button", name="Reset").click()
        status.get_by_text("(0 of 24 simulated), 110 worlds").wait_for(timeout=STEP_S * 1000)
        step.click()
        status.get_by_text("(1 of 24 simulated), 110 worlds").wait_for(timeout=STEP_S * 1000)
        page.wait_for_function(
            "n => document.querySelectorAll('img').length >= n", arg=3, timeout=STEP_S * 1000
        )
        changed = _figures(page)
        assert changed != first, "the charts did not change with the number of worlds"

        step.click()
        status.get_by_text("(2 of 24 simulated), 110 worlds").wait_for(timeout=STEP_S * 1000)
        page.get_by_text("request=assistance").first.wait_for(timeout=STEP_S * 1000)
        later = _figures(page)
        assert later != changed, "the charts did not change with a step"

        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "dashboard.png"), full_page=True)
    assert watched.errors == [], f"console errors: {watched.errors}"
    assert watched.refused == [], f"requests left the machine: {watched.refused}"
