"""Worker processes die with the run that started them, even when it is killed outright.

A local pool has three kinds of helper process: the forkserver (started by the run), the workers
(forked by the forkserver) and multiprocessing's resource tracker. Each worker holds a pipe that
keeps the forkserver alive, and the tracker lives as long as anyone holds its pipe, so after a
``kill -9`` of the run all of them would wait forever, each keeping its memory. Instead, every
forkserver and every worker asks the kernel to kill it when its parent dies
(``prctl(PR_SET_PDEATHSIG, SIGKILL)`` on Linux): the run's death kills the forkserver, whose death
kills the workers, and the tracker, left without clients, exits. Where ``prctl`` is missing, a
watchdog thread polls the parent's id instead.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import os
import signal
import threading
import time

PR_SET_PDEATHSIG = 1
#: How often the fallback watchdog looks at its parent, in seconds.
WATCH_PERIOD_S = 0.5


def _set_death_signal() -> bool:
    """``prctl(PR_SET_PDEATHSIG, SIGKILL)``; whether the kernel took it."""
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
        return libc.prctl(PR_SET_PDEATHSIG, int(signal.SIGKILL), 0, 0, 0) == 0
    except (OSError, AttributeError):
        return False


def _watch(parent: int) -> None:
    """Poll the parent's id from a daemon thread and leave when it changes."""

    def loop() -> None:
        while os.getppid() == parent:
            time.sleep(WATCH_PERIOD_S)
        os._exit(1)

    threading.Thread(target=loop, name="cstosim-orphan-watch", daemon=True).start()


def die_with_parent() -> None:
    """Make this process end when its parent process ends, however the parent ends."""
    parent = os.getppid()
    if not _set_death_signal():
        _watch(parent)
    elif os.getppid() != parent:  # the parent died before the kernel was asked
        os._exit(1)
