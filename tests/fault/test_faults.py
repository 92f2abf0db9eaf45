"""Faults: a killed run, killed workers, two runs into one folder, a full disk, a stale lock.

The kill tests start ``python -m cstosim`` in its own session, kill its main process with
SIGKILL at several moments, check that no process of that session (forkserver, resource tracker,
workers) is alive 5 s later, resume, and compare the result with an uninterrupted run.
"""

from __future__ import annotations

import contextlib
import errno
import functools
import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pandas as pd
import psutil
import pytest

from cstosim import api
from cstosim.cli import main as cli_main
from cstosim.experiments import locks, runs, storage
from cstosim.experiments.execution import safe_process_context
from cstosim.inputs.errors import UserError
from tests.experiments.test_sweeps import write_spec
from tests.support import MINI, SCENARIOS

pytestmark = [pytest.mark.fault, pytest.mark.slow]

ENV = dict(os.environ, MPLBACKEND="Agg")
#: Orphans without the parent-death signal live on until their job ends; with it the kernel kills
#: them at once. The issue's bar: nothing of the run alive 5 s after the kill.
GONE_WITHIN_S = 5.0
KILLS = 5


def session(sid: int) -> list[psutil.Process]:
    """Every live process of session ``sid`` (zombies are dead: only their entry is left)."""
    alive = []
    for proc in psutil.process_iter():
        with contextlib.suppress(psutil.Error, ProcessLookupError):
            if os.getsid(proc.pid) == sid and proc.status() != psutil.STATUS_ZOMBIE:
                alive.append(proc)
    return alive


def start(*argv: str | Path, cwd: Path) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "cstosim", *map(str, argv)],
        cwd=cwd,
        env=ENV,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        start_new_session=True,  # its own session: every helper it starts is found by sid
    )


def kill_when(proc: subprocess.Popen, ready, timeout: float = 240) -> bool:
    """SIGKILL the main process once ``ready()``; False if it finished first."""
    deadline = time.monotonic() + timeout
    while not ready():
        if proc.poll() is not None:
            return False
        assert time.monotonic() < deadline, "the run made no progress"
        time.sleep(0.05)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    return True


def assert_all_gone(sid: int) -> None:
    deadline = time.monotonic() + GONE_WITHIN_S
    while (left := session(sid)) and time.monotonic() < deadline:
        time.sleep(0.1)
    names = [" ".join(p.cmdline())[:100] for p in left]
    for p in left:  # leave the machine clean even when failing
        with contextlib.suppress(psutil.Error):
            p.kill()
    assert not left, f"alive {GONE_WITHIN_S} s after kill -9: {names}"


def workers_up(pid: int, n: int) -> bool:
    """The run has its forkserver, resource tracker and ``n`` workers."""
    return len(session(pid)) >= 3 + n


def kill_repeatedly(argv: tuple, cwd: Path, progress) -> int:
    """Start ``argv`` and kill its main process KILLS times at later and later moments, checking
    that nothing of it survives; returns how many kills happened before it finished."""
    kills = 0
    for i in range(KILLS):
        proc = start(*argv, cwd=cwd)
        seen = progress()

        def ready(proc=proc, seen=seen, i=i) -> bool:
            return workers_up(proc.pid, 2) and (i == 0 or progress() > seen)

        if not kill_when(proc, ready):
            assert proc.returncode == 0, proc.stderr.read().decode() if proc.stderr else ""
            break
        kills += 1
        assert_all_gone(proc.pid)
    return kills


def test_killed_sweep_leaves_no_process_and_resumes_to_the_same_result(tmp_path):
    spec = write_spec(tmp_path, points=300, replicates=10, chunk=150)
    reference = api.run_sweep(spec, tmp_path / "reference", progress=False, analyse=False).path
    out = tmp_path / "out"
    argv = ("sweep", spec, "--out", out, "--workers", "2", "--quiet", "--no-analysis")
    kills = kill_repeatedly(argv, tmp_path, lambda: len(list(out.glob("chunks/*.parquet"))))
    assert kills >= 3, "the sweep finished before it could be killed: make it longer"
    done = subprocess.run([sys.executable, "-m", "cstosim", *map(str, argv)], env=ENV, cwd=tmp_path)
    assert done.returncode == 0
    pd.testing.assert_frame_equal(
        pd.read_parquet(out / "points.parquet"), pd.read_parquet(reference / "points.parquet")
    )
    assert not list(out.rglob("*.tmp")) and not (out / locks.LOCK_NAME).exists()


BATCH = ("kazakhstan_2022", "kgz_tjk_2021", "osh_2010", "armenia_2022", "karabakh_2020", "mini")


def test_killed_batch_leaves_no_process_and_resumes_to_the_same_result(tmp_path):
    scenarios = [SCENARIOS / f"{s}.toml" for s in BATCH[:-1]] + [MINI]
    settings = ("--worlds", "1500", "--seed", "5", "--chunk", "250", "--quiet", "--no-plot")
    reference = runs.run_batch(
        scenarios, n_worlds=1500, seed=5, chunk_worlds=250, out=tmp_path / "ref", progress=False
    )
    out = tmp_path / "out"
    argv = ("batch", *scenarios, *settings, "--workers", "2", "--out", out)
    kills = kill_repeatedly(argv, tmp_path, lambda: len(list(out.glob("*/meta.json"))))
    assert kills >= 3, "the batch finished before it could be killed: make it longer"
    done = subprocess.run([sys.executable, "-m", "cstosim", *map(str, argv)], env=ENV, cwd=tmp_path)
    assert done.returncode == 0
    for name in BATCH:
        for table in storage.TABLES:
            pd.testing.assert_frame_equal(
                pd.read_parquet(out / name / f"{table}.parquet"),
                pd.read_parquet(reference / name / f"{table}.parquet"),
                obj=f"{name}/{table}",
            )
    assert not list(out.rglob("*.tmp")) and not (out / locks.LOCK_NAME).exists()


# --- two sweeps into one folder ----------------------------------------------------------------
def _sweep_child(argv: list[str], log: str, barrier) -> None:
    """One ``cstosim sweep`` in a process of its own, started together with its rival."""
    with open(log, "w") as fh:
        os.dup2(fh.fileno(), 2)
        os.dup2(os.open(os.devnull, os.O_WRONLY), 1)
        barrier.wait(60)
        code = cli_main(argv)
        sys.stderr.flush()
    os._exit(code)


PAIRS = 20


def test_two_sweeps_into_one_folder_one_runs_the_other_is_refused(tmp_path):
    ctx = safe_process_context()
    specs = [write_spec(tmp_path, f"spec{i}.toml", replicates=2 + i, points=6) for i in (0, 1)]
    for pair in range(PAIRS):
        out = tmp_path / f"out{pair}"
        barrier = ctx.Barrier(2)
        logs = [tmp_path / f"err{pair}-{i}.txt" for i in (0, 1)]
        argv = [["sweep", str(s), "--out", str(out), "--quiet", "--no-analysis"] for s in specs]
        procs = [
            ctx.Process(target=_sweep_child, args=(argv[i], str(logs[i]), barrier)) for i in (0, 1)
        ]
        for p in procs:
            p.start()
        for p in procs:
            p.join(120)
        codes = sorted(p.exitcode for p in procs)
        errors = [log.read_text().splitlines() for log in logs]
        assert codes == [0, 2], (pair, codes, errors)
        refused = next(e for e, p in zip(errors, procs, strict=True) if p.exitcode == 2)
        assert len(refused) == 1 and refused[0].startswith("cstosim: error: "), refused
        assert "another cstosim run" in refused[0] or "holds a different sweep" in refused[0]
        winner = specs[[p.exitcode for p in procs].index(0)]
        manifest = storage.read_json(out / "sweep.json")
        meta = storage.read_meta(out)
        assert manifest["spec_hash"] == meta["spec_hash"]
        assert manifest["replicates"] == (2 if winner == specs[0] else 3)
        assert (out / "spec.toml").read_bytes() == winner.read_bytes()


# --- a worker killed in a batch ---------------------------------------------------------------
def _die_once(marker: Path, item):
    """``runs._run_chunk``, except that the first worker to reach a second chunk dies."""
    if item.job.world_offset > 0 and not marker.exists():
        marker.touch()
        os._exit(1)
    return runs._run_chunk(item)


def test_a_worker_killed_in_a_batch_is_retried(tmp_path, monkeypatch):
    reference = runs.run_batch([MINI], n_worlds=40, seed=2, chunk_worlds=10, out=tmp_path / "r")
    marker = tmp_path / "killed"
    monkeypatch.setattr(runs, "_run_chunk", functools.partial(_die_once, marker))
    with pytest.warns(UserWarning, match="retrying"):
        out = runs.run_batch(
            [MINI], n_worlds=40, seed=2, chunk_worlds=10, out=tmp_path / "o", workers=2
        )
    assert marker.exists()
    for table in storage.TABLES:
        pd.testing.assert_frame_equal(
            pd.read_parquet(out / "mini" / f"{table}.parquet"),
            pd.read_parquet(reference / "mini" / f"{table}.parquet"),
        )


def _always_die(item):
    os._exit(1)


def test_a_batch_whose_workers_keep_dying_stops_in_one_line(tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(runs, "_run_chunk", _always_die)
    argv = ["batch", str(MINI), "--worlds", "20", "--chunk", "10", "--workers", "2", "--quiet"]
    with pytest.warns(UserWarning, match="retrying"):
        code = cli_main([*argv, "--no-plot", "--out", str(tmp_path / "o")])
    err = capsys.readouterr().err.strip().splitlines()
    assert code == 2 and len(err) == 1, err
    assert "mini: worlds" in err[0] and "failed 3 times" in err[0] and "BrokenProcessPool" in err[0]
    assert "run the same command again to resume" in err[0]


# --- a full disk ----------------------------------------------------------------------------------
@contextlib.contextmanager
def tmpfs(options: str):
    """A tmpfs mounted with ``options``, where this machine lets the tests mount one."""
    folder = Path(tempfile.mkdtemp(prefix="cstosim-disk-"))
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", options, "tmpfs", str(folder)], capture_output=True
    )
    if mounted.returncode != 0:
        folder.rmdir()
        pytest.skip("cannot mount a tmpfs here; the simulated ENOSPC tests still run")
    try:
        yield folder
    finally:
        subprocess.run(["umount", str(folder)], check=False)
        folder.rmdir()


@pytest.fixture
def small_disk():
    """A disk of two pages, full after the first table."""
    with tmpfs("size=8k") as folder:
        yield folder


@pytest.mark.parametrize(
    "argv",
    [
        ("run", MINI, "--worlds", "3000", "--quiet", "--no-plot"),
        ("batch", MINI, "--worlds", "3000", "--quiet", "--no-plot"),
        ("compare", MINI, "--set", "war_burden=0", "--worlds", "3000", "--no-plot"),
    ],
    ids=["run", "batch", "compare"],
)
def test_a_full_disk_is_one_line_and_leaves_no_half_file(small_disk, capsys, argv):
    code = cli_main([*map(str, argv), "--out", str(small_disk / "out")])
    err = capsys.readouterr().err.strip().splitlines()
    assert code == 2 and len(err) == 1, err
    assert "No space left on device" in err[0] and "free some space" in err[0]
    assert not list(small_disk.rglob("*.tmp"))
    assert not list(small_disk.rglob(storage.META)), "a complete-looking folder on a full disk"


def test_a_full_disk_in_a_sweep_keeps_the_finished_chunks(tmp_path, capsys):
    with tmpfs("size=64k") as disk:
        full_sweep(disk, tmp_path, capsys)


def full_sweep(small_disk: Path, tmp_path: Path, capsys) -> None:
    spec = write_spec(tmp_path, points=2000, replicates=2, chunk=40)
    code = cli_main(["sweep", str(spec), "--out", str(small_disk / "out"), "--quiet"])
    err = capsys.readouterr().err.strip().splitlines()
    assert code == 2 and len(err) == 1 and "No space left on device" in err[0], err
    chunks = list((small_disk / "out" / "chunks").glob("*.parquet"))
    for chunk in chunks:  # every file that exists is whole
        assert len(pd.read_parquet(chunk)) > 0
    assert not list(small_disk.rglob("*.tmp"))


# --- a stale lock ---------------------------------------------------------------------------------
HOLD = """
import fcntl, os, sys, time
fd = os.open(sys.argv[1], os.O_RDWR | os.O_CREAT)
fcntl.flock(fd, fcntl.LOCK_EX)
os.write(fd, b"pid %d" % os.getpid())
open(sys.argv[2], "w").write("a half-written table")
print("locked", flush=True)
time.sleep(600)
"""


def test_the_lock_of_a_killed_run_is_taken_over(tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLD, str(out / locks.LOCK_NAME), "placeholder"],
        stdout=subprocess.PIPE,
        text=True,
        cwd=tmp_path,
    )
    stray = out / f".crises.parquet.{holder.pid}-0badc0de.tmp"
    assert holder.stdout is not None and holder.stdout.readline().strip() == "locked"
    stray.write_bytes(b"half")
    with pytest.raises(UserError, match=f"another cstosim run \\(pid {holder.pid}\\)"):
        runs.run_scenario(MINI, n_worlds=3, out=out, progress=False)
    holder.kill()
    holder.wait()
    assert (out / locks.LOCK_NAME).exists()  # left behind by the killed holder
    runs.run_scenario(MINI, n_worlds=3, out=out, progress=False)
    assert storage.is_complete(out)
    assert not stray.exists() and not (out / locks.LOCK_NAME).exists()


def test_an_unwritable_folder_is_one_line(tmp_path, capsys):
    """Permission denied for a user; a read-only disk for root, whom permissions do not stop."""
    with contextlib.ExitStack() as stack:
        if os.geteuid() == 0:
            folder, reason = stack.enter_context(tmpfs("ro,size=64k")), "Read-only file system"
        else:
            folder, reason = tmp_path / "locked", "Permission denied"
            folder.mkdir(mode=0o500)
        for argv in (
            ("run", MINI, "--worlds", "3", "--quiet"),
            ("sweep", write_spec(tmp_path), "--quiet"),
            ("validate", "--worlds", "3", "--quiet"),
        ):
            code = cli_main([*map(str, argv), "--out", str(folder / "o")])
            err = capsys.readouterr().err.strip().splitlines()
            assert code == 2 and len(err) == 1 and reason in err[0], (argv, err)


def test_simulated_enospc_in_a_sweep_chunk_is_one_line(tmp_path, monkeypatch, capsys):
    """Where no tmpfs can be mounted: the writer itself reports a full disk."""
    real = storage.os.fsync

    def full(fd: int) -> None:
        if "chunk-000002" in os.readlink(f"/proc/self/fd/{fd}"):
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        real(fd)

    monkeypatch.setattr(storage.os, "fsync", full)
    spec = write_spec(tmp_path)
    code = cli_main(["sweep", str(spec), "--out", str(tmp_path / "out"), "--quiet"])
    err = capsys.readouterr().err.strip().splitlines()
    assert code == 2 and len(err) == 1 and "chunk-000002.parquet" in err[0], err
    kept = sorted(p.name for p in (tmp_path / "out" / "chunks").iterdir())
    assert kept == ["chunk-000000.parquet", "chunk-000001.parquet"]
    monkeypatch.setattr(storage.os, "fsync", real)
    assert cli_main(["sweep", str(spec), "--out", str(tmp_path / "out"), "--quiet"]) == 0
