"""End-to-end tests of the ``cstosim`` command, run as separate processes.

A fresh ``python -m cstosim`` pays three to four CPU-seconds of imports (mesa, pandas, matplotlib,
scipy), about a minute for this module on two cores. So by default one "fork server" process
imports cstosim once and forks a child per invocation: each child is its own OS process that
runs ``cstosim/__main__.py`` the way ``python -m`` does, with its own cwd, argv, stdout, stderr
and exit code, and prints a traceback and exits 1 on an uncaught exception, as the interpreter
does. The follow-up steps (``plot``, the batch re-run) and one bad-input case always run in a
fresh ``python -m cstosim``; set ``CSTOSIM_CLI_COLD=1`` to run every invocation that way.

Invocations start together when the module's fixture is set up, and each test waits for its own.
Runs use small ``--worlds`` and write under pytest's temporary folders. Variants of a bad-input
case that take the same path as one run as a process are checked in-process with ``cli.main``.

Bad input must end with exit code 2 and exactly one stderr line ``cstosim: error: ...`` that
names the problem (file, field, value) and the fix, never a traceback.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

import pandas as pd
import pytest

from cstosim.cli import main as cli_main
from cstosim.experiments import storage
from cstosim.inputs.errors import UserError
from cstosim.inputs.parameters import PARAMETERS, defaults
from cstosim.inputs.scenario import load_scenario
from tests.support import MINI, SCENARIOS

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

TIMEOUT_S = 300
WORLDS = 50
SEED = 3
BATCH = ("kazakhstan_2022", "kgz_tjk_2021")

#: Columns of each table, as in docs/results.md.
COLUMNS = {
    "crises": [
        "world",
        "crisis",
        "kind",
        "target",
        "step",
        "date",
        "request",
        "asked",
        "response",
        "channel",
        "appeal",
        "russia",
        "deploy_size",
    ],
    "support": ["world", "event", "member", "backs"],
    "transitions": ["world", "member", "step", "date", "from_status", "to_status"],
    "members": [
        "world",
        "member",
        "final_status",
        "first_frozen_step",
        "first_withdrawn_step",
        "final_trust",
        "final_grievance",
    ],
    "steps": [
        "step",
        "date",
        "member",
        "trust_mean",
        "trust_q05",
        "trust_q25",
        "trust_q50",
        "trust_q75",
        "trust_q95",
        "share_never",
        "share_active",
        "share_frozen",
        "share_withdrawn",
        "threat_mean",
        "grievance_mean",
        "bandwidth_mean",
    ],
    "log": ["world", "step", "date", "stage", "actor", "event", "detail"],
}
#: Fields of meta.json, as in docs/results.md.
META_FIELDS = {
    "scenario_id",
    "scenario_title",
    "hypothetical",
    "scenario_file",
    "scenario_hash",
    "seed",
    "n_worlds",
    "chunk_worlds",
    "start",
    "end",
    "n_steps",
    "parameters",
    "package_version",
    "git_revision",
    "python",
    "numpy",
    "mesa",
    "created_utc",
    "elapsed_s",
    "files",
}


# --- running the command --------------------------------------------------------------------------
@dataclass(frozen=True)
class Done:
    """One finished ``cstosim`` process."""

    argv: tuple[str, ...]
    returncode: int
    stdout: str
    stderr: str
    how: str = "python -m cstosim"

    def describe(self) -> str:
        return (
            f"$ cstosim {' '.join(self.argv)}   ({self.how})\nexit {self.returncode}\n"
            f"--- stdout ---\n{self.stdout}--- stderr ---\n{self.stderr}"
        )


ENV = dict(os.environ, MPLBACKEND="Agg")


def cstosim(*argv: str | Path, cwd: Path) -> Done:
    """Run ``python -m cstosim ARGV`` in a fresh interpreter in ``cwd`` and wait for it."""
    args = tuple(str(a) for a in argv)
    done = subprocess.run(
        [sys.executable, "-m", "cstosim", *args],
        cwd=cwd,
        env=ENV,
        capture_output=True,
        text=True,
        timeout=TIMEOUT_S,
    )
    return Done(args, done.returncode, done.stdout, done.stderr)


#: A process that imports cstosim once, then forks one child per invocation. Each child is a
#: separate OS process that runs ``cstosim/__main__.py`` as ``python -m`` does (runpy, argv,
#: cwd), with its own stdout and stderr files, and ends the way the interpreter would: the
#: SystemExit code, or ``sys.excepthook`` (the traceback) and exit code 1. Reads a JSON list of
#: {key, argv, cwd, out, err} on stdin and prints {key, returncode} as each child ends.
FORK_SERVER = r"""
import json, os, runpy, sys
import cstosim.cli  # the expensive imports, once

def child(job):
    os.chdir(job["cwd"])
    for fd, name in ((1, "out"), (2, "err")):
        os.dup2(os.open(job[name], os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644), fd)
    sys.argv = ["cstosim", *job["argv"]]
    try:
        runpy.run_module("cstosim", run_name="__main__", alter_sys=True)
        code = 0
    except SystemExit as exc:
        code = exc.code
        if code is None:
            code = 0
        elif not isinstance(code, int):
            print(code, file=sys.stderr)
            code = 1
    except BaseException:
        sys.excepthook(*sys.exc_info())
        code = 1
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)

jobs, limit, running = json.load(sys.stdin), int(sys.argv[1]), {}
while jobs or running:
    while jobs and len(running) < limit:
        job = jobs.pop(0)
        sys.stdout.flush()
        sys.stderr.flush()
        pid = os.fork()
        if pid == 0:
            child(job)
        running[pid] = job["key"]
    pid, status = os.wait()
    key = running.pop(pid)
    print(json.dumps({"key": key, "returncode": os.waitstatus_to_exitcode(status)}), flush=True)
"""
#: The fork server must be single-threaded when it forks: no BLAS or jemalloc worker threads.
FORK_ENV = dict(
    ENV,
    OPENBLAS_NUM_THREADS="1",
    OMP_NUM_THREADS="1",
    MKL_NUM_THREADS="1",
    JE_ARROW_MALLOC_CONF="background_thread:false",
)
#: Set CSTOSIM_CLI_COLD=1 to run every invocation in a fresh ``python -m cstosim`` (slower).
COLD = os.environ.get("CSTOSIM_CLI_COLD", "") not in ("", "0")
#: Always run in a fresh interpreter, besides the follow-up steps (plot, batch re-run).
ALWAYS_COLD = ("missing_file",)


class Cli:
    """Named ``cstosim`` invocations, all started at once and awaited by name."""

    def __init__(self, work: Path, cases: dict[str, tuple[str | Path, ...]]) -> None:
        self.work = work
        self.cases = cases
        self._io = work / ".io"
        self._io.mkdir()
        self._futures: dict[str, Future[Done]] = {}
        self._pool = ThreadPoolExecutor(max_workers=3)
        self._servers: list[subprocess.Popen[str]] = []

    def _argv(self, key: str) -> tuple[str, ...]:
        return tuple(str(a) for a in self.cases[key])

    def start(self, keys: list[str]) -> None:
        """Start ``keys``: in fresh interpreters if cold, else as children of one fork server."""
        keys = [k for k in dict.fromkeys(keys) if k not in self._futures]
        forked = [] if COLD else [k for k in keys if k not in ALWAYS_COLD]
        for key in keys:
            if key not in forked:
                self._futures[key] = self._pool.submit(cstosim, *self.cases[key], cwd=self.work)
        if forked:
            self._fork(forked)

    def _fork(self, keys: list[str]) -> None:
        jobs = []
        for key in keys:
            self._futures[key] = Future()
            out, err = self._io / f"{key}.out", self._io / f"{key}.err"
            jobs.append({"key": key, "argv": self._argv(key), "cwd": str(self.work)})
            jobs[-1].update(out=str(out), err=str(err))
        limit = str((os.cpu_count() or 2) + 1)
        server = subprocess.Popen(
            [sys.executable, "-c", FORK_SERVER, limit],
            cwd=self.work,
            env=FORK_ENV,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=(self._io / "server.err").open("w"),
            text=True,
        )
        self._servers.append(server)
        assert server.stdin is not None
        server.stdin.write(json.dumps(jobs))
        server.stdin.close()
        self._pool.submit(self._collect, server)

    def _collect(self, server: subprocess.Popen[str]) -> None:
        assert server.stdout is not None
        for line in server.stdout:
            report = json.loads(line)
            key = report["key"]
            out = (self._io / f"{key}.out").read_text(encoding="utf-8")
            err = (self._io / f"{key}.err").read_text(encoding="utf-8")
            how = "forked from a process that imported cstosim"
            done = Done(self._argv(key), report["returncode"], out, err, how)
            self._futures[key].set_result(done)
        server.wait()
        problem = (self._io / "server.err").read_text(encoding="utf-8")
        for future in self._futures.values():
            if not future.done():
                future.set_exception(RuntimeError(f"fork server ended early:\n{problem}"))

    def __getitem__(self, key: str) -> Done:
        self.start([key])
        return self._futures[key].result(timeout=TIMEOUT_S)

    def run(self, *argv: str | Path) -> Done:
        """A follow-up invocation, run now in a fresh interpreter."""
        return cstosim(*argv, cwd=self.work)

    def close(self) -> None:
        for server in self._servers:
            if server.poll() is None:
                server.kill()
        self._pool.shutdown(wait=True, cancel_futures=True)


def _edit(text: str, old: str, new: str) -> str:
    """``text`` with the first occurrence of ``old`` replaced; ``old`` must occur."""
    assert old in text, f"fixture changed: {old!r} not found in {MINI}"
    return text.replace(old, new, 1)


def _bad_texts() -> dict[str, str]:
    """Scenario files with one defect each, derived from the mini fixture."""
    mini = MINI.read_text(encoding="utf-8")
    return {
        "malformed": '[scenario]\nid = "broken\ntitle = "no closing quote above"\n',
        "fact_member": _edit(
            mini,
            "[expected]",
            '[[facts]]\nmember = "XXX"\nfield = "trust"\nvalue = 0.5\nsource = "test"\n\n'
            "[expected]",
        ),
        "members_key": _edit(mini, 'GEO = "withdrawn"\n', 'GEO = "withdrawn"\nXXX = "active"\n'),
        "severity": _edit(mini, "severity = 0.8\n", "severity = 1.5\n"),
        "kind": _edit(mini, 'kind = "internal_unrest"', 'kind = "alien_invasion"'),
    }


def _write_bad(folder: Path) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in _bad_texts().items():
        (folder / f"{name}.toml").write_text(text, encoding="utf-8")


def _cases(tmp: Path) -> dict[str, tuple[str | Path, ...]]:
    """Every invocation, by name. ``tmp/bad`` holds the broken scenario files."""
    bad = tmp / "bad"
    blocker = tmp / "a_regular_file"
    # --quiet on bad run options: see test_bad_run_option_prints_no_progress_bar
    opts = ("--worlds", str(WORLDS), "--quiet", "--no-plot")
    run_opts = ("--worlds", WORLDS, "--seed", SEED, "--quiet")
    return {
        "run": ("run", MINI, *run_opts, "--out", tmp / "run"),
        "batch": ("batch", *BATCH, *run_opts, "--no-plot", "--out", tmp / "batch"),
        "list": ("list",),
        "params": ("params",),
        "malformed": ("run", bad / "malformed.toml", *opts, "--out", tmp / "o_malformed"),
        "fact_member": ("run", bad / "fact_member.toml", *opts, "--out", tmp / "o_fact"),
        "severity": ("run", bad / "severity.toml", *opts, "--out", tmp / "o_severity"),
        "kind": ("run", bad / "kind.toml", *opts, "--out", tmp / "o_kind"),
        "missing_file": ("run", "/nonexistent.toml", *opts, "--out", tmp / "o_missing"),
        "unknown_id": ("run", "no_such_scenario_id", *opts, "--out", tmp / "o_unknown"),
        "unwritable": ("run", MINI, *opts, "--out", blocker / "sub"),
        "unknown_param": ("run", MINI, *opts, "--set", "no_such_param=1", "--out", tmp / "o_p1"),
        "param_range": ("run", MINI, *opts, "--set", "need_weight=99", "--out", tmp / "o_p2"),
        "zero_worlds": ("run", MINI, "--worlds", "0", "--quiet", "--out", tmp / "o_zero"),
    }


#: Invocations each test needs, so the fixture can start them together (others start on demand).
NEEDS = {
    "test_run_writes_every_table_and_meta": ("run",),
    "test_run_draws_plots_by_default": ("run",),
    "test_plot_redraws_a_finished_run": ("run",),
    "test_batch_writes_one_folder_per_scenario_and_skips_finished_ones": ("batch",),
    "test_list_prints_every_scenario_id": ("list",),
    "test_params_prints_every_parameter": ("params",),
    "test_rejected_scenario_writes_no_folder": (
        "malformed",
        "fact_member",
        "severity",
        "kind",
        "missing_file",
        "unknown_id",
    ),
}
#: Started first: the runs that later invocations (plot, a batch re-run) build on.
FIRST = ("run", "batch")


@pytest.fixture(scope="module")
def cli(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory):
    """The invocations of this module's selected tests, all started at once."""
    tmp = tmp_path_factory.mktemp("cli")
    _write_bad(tmp / "bad")
    (tmp / "a_regular_file").write_text("a file, not a folder\n")
    pool = Cli(tmp, _cases(tmp))
    wanted: list[str] = []
    for item in request.session.items:
        if getattr(item, "module", None) is request.module:
            wanted += NEEDS.get(getattr(item, "originalname", ""), ())
            callspec = getattr(item, "callspec", None)
            if callspec is not None and callspec.params.get("case") in pool.cases:
                wanted.append(callspec.params["case"])
    pool.start(sorted(wanted, key=lambda k: (k not in FIRST, list(pool.cases).index(k))))
    yield pool
    pool.close()


def _ok(done: Done) -> Done:
    assert done.returncode == 0, done.describe()
    assert "Traceback" not in done.stdout + done.stderr, done.describe()
    return done


def _first_tokens(stdout: str) -> list[str]:
    return [line.split()[0] for line in stdout.splitlines() if line.strip()]


# --- run, plot --------------------------------------------------------------------------------
def test_run_writes_every_table_and_meta(cli: Cli) -> None:
    done = _ok(cli["run"])
    out = cli.work / "run"
    assert f"results: {out}" in done.stdout.splitlines()
    for name, columns in COLUMNS.items():
        table = pd.read_parquet(out / f"{name}.parquet")
        assert list(table.columns) == columns, name

    meta = json.loads((out / "meta.json").read_text(encoding="utf-8"))
    assert META_FIELDS <= set(meta), f"meta.json lacks {sorted(META_FIELDS - set(meta))}"
    scenario = load_scenario(MINI)
    assert meta["seed"] == SEED
    assert meta["n_worlds"] == WORLDS
    assert meta["scenario_id"] == scenario.id
    assert meta["scenario_hash"] == scenario.situation_hash()
    assert meta["n_steps"] == scenario.n_steps
    assert meta["parameters"] == defaults()
    assert meta["package_version"] == metadata.version("cstosim")
    assert isinstance(meta["git_revision"], str) and meta["git_revision"]
    assert meta["files"] == [f"{name}.parquet" for name in storage.TABLES]

    crises = pd.read_parquet(out / "crises.parquet")
    assert set(crises["crisis"]) == {e.id for e in scenario.events if e.kind != "policy_shock"}
    for crisis, rows in crises.groupby("crisis"):
        assert sorted(rows["world"]) == list(range(WORLDS)), crisis
    members = pd.read_parquet(out / "members.parquet")
    assert len(members) == WORLDS * len(scenario.members)
    steps = pd.read_parquet(out / "steps.parquet")
    assert steps["step"].nunique() == scenario.n_steps


def _png(path: Path) -> bool:
    return path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_run_draws_plots_by_default(cli: Cli) -> None:
    done = _ok(cli["run"])
    pngs = sorted((cli.work / "run" / "plots").glob("*.png"))
    assert pngs, done.describe()
    listed = [line.removeprefix("plot: ") for line in done.stdout.splitlines()[1:]]
    assert sorted(Path(p) for p in listed) == pngs, done.describe()
    assert all(_png(p) for p in pngs)


def test_plot_redraws_a_finished_run(cli: Cli, tmp_path: Path) -> None:
    _ok(cli["run"])
    copy = tmp_path / "run"
    shutil.copytree(cli.work / "run", copy, ignore=shutil.ignore_patterns("plots"))
    done = _ok(cli.run("plot", copy))
    lines = done.stdout.splitlines()
    assert lines and all(line.startswith("plot: ") for line in lines), done.describe()
    listed = sorted(Path(line.removeprefix("plot: ")) for line in lines)
    assert listed == sorted((copy / "plots").glob("*.png"))
    assert all(_png(p) for p in listed)


# --- batch ------------------------------------------------------------------------------------
def _mtimes(folder: Path) -> dict[str, int]:
    return {p.name: p.stat().st_mtime_ns for p in sorted(folder.iterdir()) if p.is_file()}


def test_batch_writes_one_folder_per_scenario_and_skips_finished_ones(cli: Cli) -> None:
    done = _ok(cli["batch"])
    out = cli.work / "batch"
    assert f"results: {out}" in done.stdout.splitlines()
    assert sorted(p.name for p in out.iterdir() if p.is_dir()) == sorted(BATCH)
    assert not (out / "plots").exists(), "--no-plot drew plots"
    for scenario_id in BATCH:
        meta = json.loads((out / scenario_id / "meta.json").read_text(encoding="utf-8"))
        assert (meta["scenario_id"], meta["seed"], meta["n_worlds"]) == (scenario_id, SEED, WORLDS)
        crises = pd.read_parquet(out / scenario_id / "crises.parquet")
        assert (crises.groupby("crisis").size() == WORLDS).all()

    # runner.run_batch skips a scenario whose folder has a meta.json of the same situation hash,
    # worlds, seed and parameters (runner._finished); a folder without meta.json is unfinished
    # (docs/results.md) and is run again.
    finished, unfinished = (out / s for s in BATCH)
    before = _mtimes(finished)
    (unfinished / "meta.json").unlink()
    again = _ok(cli.run(*done.argv))
    assert _mtimes(finished) == before, "a finished scenario was run again"
    assert (unfinished / "meta.json").is_file(), again.describe()
    meta = json.loads((unfinished / "meta.json").read_text(encoding="utf-8"))
    assert (meta["seed"], meta["n_worlds"]) == (SEED, WORLDS)


# --- list, params -----------------------------------------------------------------------------
def test_list_prints_every_scenario_id(cli: Cli) -> None:
    done = _ok(cli["list"])
    ids = sorted(p.stem for p in SCENARIOS.glob("*.toml"))
    assert ids, "no scenario files found"
    assert sorted(_first_tokens(done.stdout)) == ids


def test_params_prints_every_parameter(cli: Cli) -> None:
    done = _ok(cli["params"])
    assert _first_tokens(done.stdout) == list(PARAMETERS)


# --- bad input --------------------------------------------------------------------------------
def _fails_in_one_line(done: Done) -> str:
    """The error message of an invocation that must fail as bad input."""
    assert "Traceback" not in done.stdout + done.stderr, done.describe()
    assert done.returncode == 2, done.describe()
    lines = done.stderr.splitlines()
    assert len(lines) == 1, done.describe()
    assert lines[0].startswith("cstosim: error: "), done.describe()
    assert done.stdout == "", done.describe()
    return lines[0]


def _says(message: str, parts: list[str], work: Path) -> None:
    for part in parts:
        part = part.replace("{work}", str(work))
        assert part in message, f"{part!r} not in {message!r}"


#: case -> what the message must contain: the file or option, the field, the bad value, the fix.
BAD_INPUT = {
    "malformed": ["{work}/bad/malformed.toml", "malformed TOML", "line 2", "fix the syntax"],
    "fact_member": ["{work}/bad/fact_member.toml", "facts.1.member", "'XXX'", "use one of RUS"],
    "severity": ["{work}/bad/severity.toml", "events.1.severity", "1.5", "must be at most 1"],
    "kind": ["{work}/bad/kind.toml", "events.1.kind", "'alien_invasion'", "internal_unrest"],
    "missing_file": ["/nonexistent.toml", "no such scenario file", "cstosim list"],
    "unknown_id": ["no_such_scenario_id", "unknown scenario", "kazakhstan_2022"],
    "unwritable": ["{work}/a_regular_file/sub", "cannot write results", "another --out"],
    "unknown_param": ["'no_such_param'", "unknown", "cstosim params"],
    "param_range": [
        "'need_weight'",
        "99",
        f"[{PARAMETERS['need_weight'].low}, {PARAMETERS['need_weight'].high}]",
        "choose a value in that range",
    ],
    "zero_worlds": ["--worlds 0", "at least 1"],
}


@pytest.mark.parametrize("case", list(BAD_INPUT))
def test_bad_input_is_one_line_with_exit_2(cli: Cli, case: str) -> None:
    _says(_fails_in_one_line(cli[case]), BAD_INPUT[case], cli.work)


def test_rejected_scenario_writes_no_folder(cli: Cli) -> None:
    """A scenario that fails to load or is not found leaves no --out folder behind."""
    for case in NEEDS["test_rejected_scenario_writes_no_folder"]:
        _fails_in_one_line(cli[case])
        out = Path(cli.cases[case][cli.cases[case].index("--out") + 1])
        assert not out.exists(), case


def _in_process(capsys: pytest.CaptureFixture[str], *argv: str | Path) -> Done:
    """``cli.main`` in this process: for variants of a case already run as a subprocess."""
    args = tuple(str(a) for a in argv)
    code = cli_main(list(args))
    captured = capsys.readouterr()
    return Done(args, code, captured.out, captured.err)


#: Variants that take the same path as a subprocess case above, checked in-process (cheaper).
IN_PROCESS = {
    "members_key": (
        ("run", "{work}/members_key.toml", "--worlds", "5", "--quiet", "--no-plot"),
        ["{work}/members_key.toml", "members", "'XXX'", "use codes from RUS"],
    ),
    "not_a_run": (("plot", "{work}"), ["{work}", "no finished cstosim run", "cstosim run"]),
    "bad_set_syntax": (
        ("run", str(MINI), "--set", "need_weight", "--quiet", "--no-plot"),
        ["--set need_weight", "NAME=VALUE"],
    ),
    "set_not_a_number": (
        ("run", str(MINI), "--set", "need_weight=warm", "--quiet", "--no-plot"),
        ["--set need_weight=warm", "'warm' is not a number"],
    ),
    "nan_param": (
        ("run", str(MINI), "--set", "need_weight=nan", "--quiet", "--no-plot"),
        ["'need_weight'", "nan", "choose a value in that range"],
    ),
    "negative_seed": (
        ("run", str(MINI), "--seed", "-1", "--quiet", "--no-plot"),
        ["--seed -1", "non-negative"],
    ),
    "batch_unknown_id": (
        ("batch", "kazakhstan_2022", "no_such_scenario_id", "--quiet", "--no-plot"),
        ["no_such_scenario_id", "unknown scenario"],
    ),
}


@pytest.mark.parametrize("case", list(IN_PROCESS))
def test_bad_input_variants(
    case: str, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)  # a default --out would land here
    _write_bad(tmp_path)
    argv, parts = IN_PROCESS[case]
    argv = tuple(a.replace("{work}", str(tmp_path)) for a in argv)
    if argv[0] in ("run", "batch"):
        argv += ("--out", str(tmp_path / "out"))
    _says(_fails_in_one_line(_in_process(capsys, *argv)), parts, tmp_path)


# --- input errors found in review: each once crashed or spoke in two lines ----------------------
def test_bad_run_option_prints_no_progress_bar(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "never_created"
    done = _in_process(capsys, "run", MINI, "--worlds", "0", "--no-plot", "--out", out)
    _says(_fails_in_one_line(done), ["--worlds 0"], tmp_path)
    assert not out.exists()


def test_non_utf8_scenario_file_is_a_user_error(tmp_path: Path) -> None:
    path = tmp_path / "latin1.toml"
    path.write_bytes(b'[scenario]\ntitle = "Bi\xe9lorussie"\n')
    with pytest.raises(UserError, match="latin1.toml"):
        load_scenario(path)


def test_zero_chunk_is_a_user_error(tmp_path: Path) -> None:
    argv = ["run", str(MINI), "--worlds", "5", "--chunk", "0", "--quiet", "--no-plot"]
    assert cli_main([*argv, "--out", str(tmp_path / "out")]) == 2


def test_invalid_event_month_names_the_field(tmp_path: Path) -> None:
    path = tmp_path / "month.toml"
    path.write_text(
        _edit(MINI.read_text(encoding="utf-8"), 'date = "2022-09-13"', 'date = "2022-13"'),
        encoding="utf-8",
    )
    with pytest.raises(UserError, match=r"events\.4\.date"):
        load_scenario(path)
