"""Mutated scenario files, sweep specs and command lines: a clean answer, whatever comes.

The oracle for every example: either a one-line :class:`UserError` that names the file, or a
valid input that then runs. An example labelled invalid (a value of another type, an unknown
field, a repeated entry, a broken cross-field rule) must be refused. Anything else (a traceback,
a message over several lines, an invalid kind accepted) fails the test. The fast tier runs a few
hundred examples; the slow tier thousands (its counts print at the end of the run).
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cstosim.api import check_files
from cstosim.cli import main as cli_main
from cstosim.core.model import AllianceModel
from cstosim.experiments.samplers import sample
from cstosim.experiments.sweep import ChunkJob, evaluate_chunk, plan_chunks
from cstosim.experiments.sweep_spec import load_spec
from cstosim.inputs.errors import UserError
from cstosim.inputs.expected import parse_expected
from cstosim.inputs.scenario import split_file
from tests.fuzz.conftest import tally
from tests.fuzz.mutations import (
    SCENARIO_MUTATIONS,
    SPEC_MUTATIONS,
    mutants,
    scenario_files,
    spec_files,
)
from tests.support import MINI

pytestmark = [pytest.mark.fuzz]

FAST, SLOW = 300, 2000
SPEC_FAST, SPEC_SLOW = 100, 600
CLI_FAST, CLI_SLOW = 40, 300
#: Scenarios up to this many months run to their end; longer ones run their first months.
RUN_MONTHS = 24
COMMON = dict(deadline=None, suppress_health_check=list(HealthCheck), derandomize=False)


def answer(suite: str, path: Path, invalid: str | None, load) -> object | None:
    """Load ``path``; the loaded object, or ``None`` when it was refused in one clean line."""
    counts = tally(suite)
    counts["tried"] += 1
    counts["invalid kinds tried"] += bool(invalid)
    try:
        loaded = load(path)
    except Exception as exc:
        if not isinstance(exc, UserError):
            counts["tracebacks"] += 1
            raise
        message = str(exc)
        if "\n" in message or "\r" in message or not message.isprintable():
            counts["multi-line errors"] += 1
            pytest.fail(f"not one printable line: {message!r}")
        assert message.startswith(f"{path}: "), message
        counts["refused in one line"] += 1
        return None
    if invalid:
        counts["invalid accepted"] += 1
        pytest.fail(f"accepted although {invalid}")
    counts["accepted and run"] += 1
    return loaded


def write(folder: Path, original: Path, text: str) -> Path:
    path = folder / original.name  # the file keeps its name: the id must match it
    path.write_text(text, encoding="utf-8")
    return path


def load_scenario_file(path: Path):
    scenario, expected = split_file(path)
    if expected is not None:
        parse_expected(path, scenario, expected)
    return scenario


def run_scenario(scenario) -> None:
    model = AllianceModel(scenario, n_worlds=2, seed=0)
    for _ in range(min(scenario.n_steps, RUN_MONTHS)):
        model.step()


def check_scenarios(tmp_path_factory, case) -> None:
    original, mutant = case
    path = write(tmp_path_factory.mktemp("s"), original, mutant.text)
    scenario = answer("scenario files", path, mutant.invalid, load_scenario_file)
    if scenario is not None:
        run_scenario(scenario)


@settings(max_examples=FAST, **COMMON)
@given(case=mutants(scenario_files(), "scenario", SCENARIO_MUTATIONS))
def test_mutated_scenarios_fast(tmp_path_factory, case):
    check_scenarios(tmp_path_factory, case)


@pytest.mark.slow
@settings(max_examples=SLOW, **COMMON)
@given(case=mutants(scenario_files(), "scenario", SCENARIO_MUTATIONS))
def test_mutated_scenarios(tmp_path_factory, case):
    check_scenarios(tmp_path_factory, case)


def run_spec(loaded) -> None:
    """A valid spec's design, and its first chunk with one replicate."""
    spec, sc, _ = loaded
    x = sample(
        spec.sweep.sampler,
        spec.names,
        spec.bounds,
        min(spec.sweep.points, 4 if spec.sweep.sampler == "grid" else 16),
        seed=spec.sweep.seed,
        morris_levels=spec.sweep.morris_levels,
    )
    chunk = plan_chunks(len(x), 2)[0]
    job = ChunkJob(chunk, sc, tuple(spec.metrics), tuple(spec.names), x[: chunk.hi], 1, 0, True)
    assert len(evaluate_chunk(job)) == chunk.hi


def check_specs(tmp_path_factory, case) -> None:
    original, mutant = case
    path = write(tmp_path_factory.mktemp("w"), original, mutant.text)
    loaded = answer("sweep specs", path, mutant.invalid, load_spec)
    if loaded is not None:
        run_spec(loaded)


@settings(max_examples=SPEC_FAST, **COMMON)
@given(case=mutants(spec_files(), "sweep", SPEC_MUTATIONS))
def test_mutated_sweep_specs_fast(tmp_path_factory, case):
    check_specs(tmp_path_factory, case)


@pytest.mark.slow
@settings(max_examples=SPEC_SLOW, **COMMON)
@given(case=mutants(spec_files(), "sweep", SPEC_MUTATIONS))
def test_mutated_sweep_specs(tmp_path_factory, case):
    check_specs(tmp_path_factory, case)


# --- command lines ------------------------------------------------------------------------------
VALUES = st.sampled_from(
    ["abc", "", "-1", "0", "1.5", "nan", "inf", "1e3", "9" * 30, "2", "a\nb", "\x1b[2J", "-", "--"]
)
OPTIONS = {
    "run": ["--worlds", "--seed", "--chunk", "--workers", "--set", "--parameters", "--out"],
    "batch": ["--worlds", "--seed", "--chunk", "--set", "--parameters", "--out"],
    "compare": ["--worlds", "--seed", "--set", "--out"],
    "validate": ["--worlds", "--seed", "--set", "--parameters", "--out"],
    "sweep": ["--workers", "--scheduler", "--out"],
    "check": [],
    "schema": [],
    "plot": [],
    "params": ["--parameters"],
}


@st.composite
def command_lines(draw, folder: Path) -> list[str]:
    """A small, valid command, then one or two options given a hostile value, or a bad word."""
    command = draw(st.sampled_from(sorted(OPTIONS)))
    first = {
        "run": [str(MINI)],
        "batch": [str(MINI)],
        "compare": [str(MINI), "--set", "war_burden=0"],
        "validate": [str(MINI)],
        "sweep": [str(folder / "missing.toml")],
        "check": [str(MINI)],
        "schema": ["sweep"],
        "plot": [str(folder)],
        "params": [],
    }[command]
    argv = [command, *first]
    if command in ("run", "batch", "compare", "validate"):
        argv += ["--worlds", "3", "--out", str(folder / "out")]
    if command in ("run", "batch", "compare"):
        argv += ["--no-plot"]
    for _ in range(draw(st.integers(1, 2))):
        options = OPTIONS[command]
        what = draw(st.sampled_from(["value", "unknown", "positional"] if options else ["bad"]))
        if what == "value":
            argv += [draw(st.sampled_from(options)), draw(VALUES)]
        elif what == "unknown":
            argv += [draw(st.sampled_from(["--wrlds", "--sed", "-x", "--out="]))]
        else:
            argv += [draw(VALUES)]
    return argv


def check_command(tmp_path_factory, capsys, draw_argv) -> None:
    folder = tmp_path_factory.mktemp("c")
    argv = draw_argv(folder)
    os.chdir(folder)  # a relative --out lands here, not in the work tree
    counts = tally("command lines")
    counts["tried"] += 1
    code = cli_main(argv)
    out, err = capsys.readouterr()
    lines = err.splitlines()
    if "Traceback" in out + err:
        counts["tracebacks"] += 1
        pytest.fail(f"traceback for {argv}: {err}")
    if code == 0:
        counts["accepted and run"] += 1
        return
    allowed = len(argv) - 1 if argv[0] == "check" else 1  # check: one line per refused file
    if code != 2 or not 1 <= len(lines) <= allowed or not all(x.isprintable() for x in lines):
        counts["multi-line errors"] += 1
        pytest.fail(f"not one line per error with exit 2 for {argv}: exit {code}, {err!r}")
    assert all(re.match(r"cstosim: error: \S", line) for line in lines), lines
    counts["refused in one line"] += 1


@pytest.fixture
def home(monkeypatch):
    """The test's working folder, restored after it (each example moves into its own)."""
    monkeypatch.chdir(os.getcwd())


@settings(max_examples=CLI_FAST, **COMMON)
@given(data=st.data())
def test_hostile_command_lines_fast(tmp_path_factory, capsys, home, data):
    check_command(tmp_path_factory, capsys, lambda f: data.draw(command_lines(f)))


@pytest.mark.slow
@settings(max_examples=CLI_SLOW, **COMMON)
@given(data=st.data())
def test_hostile_command_lines(tmp_path_factory, capsys, home, data):
    check_command(tmp_path_factory, capsys, lambda f: data.draw(command_lines(f)))


@pytest.mark.parametrize("files", [[MINI, MINI], [Path("/nonexistent.toml"), MINI]])
def test_check_reports_every_file(files):
    assert len(check_files(files)) == len(files)
