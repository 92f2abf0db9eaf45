"""A pool helper that learns its run is already dead leaves at once, instead of binding its
parent-death signal to ``init`` and living on (the race a ``kill -9`` during start-up hits)."""

from __future__ import annotations

import os
import subprocess
import sys

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
    monkeypatch.setattr(orphans, "die_with", seen.append)
    orphans.mark_owner()
    orphans.die_with_owner()
    monkeypatch.delenv(orphans.OWNER_VARIABLE)
    orphans.die_with_owner()
    assert seen == [os.getpid(), os.getppid()]
