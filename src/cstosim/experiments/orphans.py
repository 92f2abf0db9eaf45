"""Worker processes die with the run that started them, even when it is killed outright.

A local pool has three kinds of helper process: the forkserver (started by the run), the workers
(forked by the forkserver) and multiprocessing's resource tracker. Each worker holds a pipe that
keeps the forkserver alive, and the tracker lives as long as anyone holds its pipe, so after a
``kill -9`` of the run all of them would wait forever, each keeping its memory. Instead, every
forkserver and every worker asks the kernel to kill it when its parent dies
(``prctl(PR_SET_PDEATHSIG, SIGKILL)`` on Linux): the run's death kills the forkserver, whose death
kills the workers, and the tracker, left without clients, exits.

The request binds to whoever is the parent when it is made, so a helper orphaned while it was
still starting up would bind to ``init`` and live on. Each helper therefore knows the run's own
process id, and after asking the kernel it checks that the run is still alive: a forkserver only
dies after the run, so a run found alive means the parent the request bound to was alive too.
Workers also keep a watchdog thread that polls the run (every half second) and leaves once it is
gone or a zombie: a second line of defence that does not depend on who the parent is, which a
loaded machine showed to be needed. The forkserver keeps no thread (it forks the workers, and
forking a process that runs threads is what the forkserver exists to avoid); once its workers are
gone, nothing holds its pipe to the run and it ends. Where ``prctl`` is missing, every helper
polls.
"""

from __future__ import annotations

import ctypes
import os
import signal
import threading
import time

PR_SET_PDEATHSIG = 1
#: The environment variable through which the forkserver learns the run's process id.
OWNER_VARIABLE = "CSTOSIM_POOL_OWNER"
#: How often the fallback watchdog looks at the run, in seconds.
WATCH_PERIOD_S = 0.5


def _set_death_signal() -> bool:
    """``prctl(PR_SET_PDEATHSIG, SIGKILL)``; whether the kernel took it."""
    try:
        # the process's own symbol table holds libc's prctl on Linux; find_library would start a
        # subprocess (ldconfig) inside every helper
        libc = ctypes.CDLL(None, use_errno=True)
        return libc.prctl(PR_SET_PDEATHSIG, int(signal.SIGKILL), 0, 0, 0) == 0
    except (OSError, AttributeError):
        return False


def _alive(pid: int) -> bool:
    """Whether process ``pid`` runs: it exists and, where ``/proc`` says so, is not a zombie (a
    killed run stays one until its parent reaps it)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # alive, under another user: a reused id, not ours, but not gone
        return True
    try:
        with open(f"/proc/{pid}/stat", "rb") as fh:
            state = fh.read().rsplit(b")", 1)[1].split()[0]
    except (OSError, IndexError):
        return True
    return state != b"Z"


def _watch(owner: int) -> None:
    """Poll the run from a daemon thread and leave when it is gone."""

    def loop() -> None:
        while _alive(owner):
            time.sleep(WATCH_PERIOD_S)
        os._exit(1)

    threading.Thread(target=loop, name="cstosim-orphan-watch", daemon=True).start()


def die_with(owner: int, watch: bool = True) -> None:
    """Make this helper process end when the run ``owner`` (a process id) ends, however it ends;
    ``watch`` adds the polling thread even where the kernel took the request."""
    if not _set_death_signal():
        _watch(owner)
        return
    if not _alive(owner):  # the run died before the kernel was asked
        os._exit(1)
    if watch:
        _watch(owner)


def mark_owner() -> None:
    """Record this process as the run that owns the pool helpers it starts from now on."""
    os.environ[OWNER_VARIABLE] = str(os.getpid())


def die_with_owner() -> None:
    """:func:`die_with` the run recorded by :func:`mark_owner` (the forkserver's entry point)."""
    owner = os.environ.get(OWNER_VARIABLE)
    die_with(int(owner) if owner else os.getppid(), watch=False)
