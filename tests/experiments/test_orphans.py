"""A pool helper that learns its run is already dead leaves at once, instead of binding its
parent-death signal to ``init`` and living on (the race a ``kill -9`` during start-up hits)."""

from __future__ import annotations

import os
import subprocess
import sys
import time

import pytest

from cstosim.experiments import orphans

pytestmark = pytest.mark.unit

HELPER = (
    "import sys, time; from cstosim.experiments.orphans import die_with; "
    "die_with(int(sys.argv[1])); print('working', flush=True); time.sleep(60)"
)


def dead_pid() -> int:
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    return proc.pid


def test_a_helper_whose_run_is_gone_exits_at_once():
    helper = subprocess.run(
        [sys.executable, "-c", HELPER, str(dead_pid())], timeout=30, check=False
    )
    assert helper.returncode == 1


def test_a_helper_whose_run_is_alive_keeps_working():
    helper = subprocess.Popen(
        [sys.executable, "-c", HELPER, str(os.getpid())], stdout=subprocess.PIPE, text=True
    )
    try:
        assert helper.stdout is not None
        assert helper.stdout.readline().strip() == "working"
        assert helper.poll() is None
    finally:
        helper.kill()
        helper.wait()


def test_the_forkserver_reads_its_run_from_the_environment(monkeypatch):
    seen = []
    monkeypatch.setattr(orphans, "die_with", lambda owner, watch: seen.append((owner, watch)))
    orphans.mark_owner()
    orphans.die_with_owner()
    monkeypatch.delenv(orphans.OWNER_VARIABLE)
    orphans.die_with_owner()
    # the forkserver keeps no thread: it forks the workers
    assert seen == [(os.getpid(), False), (os.getppid(), False)]


def test_a_worker_leaves_when_its_run_ends_even_if_the_run_is_not_its_parent():
    # the parent-death signal cannot fire here (the helper's parent is this test), so only the
    # watchdog can notice the run's end: the case of a worker orphaned while starting up
    run = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    helper = subprocess.Popen(
        [sys.executable, "-c", HELPER, str(run.pid)], stdout=subprocess.PIPE, text=True
    )
    try:
        assert helper.stdout is not None
        assert helper.stdout.readline().strip() == "working"
        run.kill()
        run.wait()
        assert helper.wait(timeout=30) == 1
    finally:
        for proc in (run, helper):
            proc.kill()
            proc.wait()


def test_a_zombie_counts_as_gone():
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    for _ in range(6000):  # up to a minute for the child to exit; it stays unreaped (a zombie)
        if not orphans._alive(proc.pid):
            break
        time.sleep(0.01)
    assert not orphans._alive(proc.pid)
    assert proc.poll() == 0  # only now reaped: _alive said gone while it was a zombie
