"""Exclusive output folders: while a run writes a folder, no other run may.

A run holds an OS-level lock (``fcntl.flock``) on ``.cstosim.lock`` in its output folder for as
long as it writes there. A second run into the same folder, from another process or another
thread, is refused in one line naming the holder. The kernel drops the lock when its process
dies, however it dies (``kill -9`` included), so the lock file a killed run leaves behind is
simply taken over by the next run; that run also removes the temporary files the killed one was
writing (:func:`clean_temporaries`). A finishing run removes the lock file while it still holds
the lock, and a run that finds it has locked a removed file tries again, so two runs can never
both believe they own the folder.
"""

from __future__ import annotations

import fcntl
import os
import re
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path

from ..inputs.errors import UserError, io_error

LOCK_NAME = ".cstosim.lock"
#: What an interrupted atomic write leaves: ``.<name>.<pid>-<8 hex>.tmp`` (``storage``).
TEMPORARY = re.compile(r"^\..+\.(?P<pid>\d+)-[0-9a-f]{8}\.tmp$")

_held: dict[Path, tuple[int, int]] = {}  # folder -> (thread that holds it, nesting depth)
_guard = threading.Lock()


def _holder(fd: int) -> str:
    """Who wrote the lock file: its one line, or a plain phrase when it is empty."""
    with suppress(OSError):
        text = os.pread(fd, 300, 0).decode("utf-8", "replace").strip()
        if text:
            return text
    return "a run whose process is unknown"


def _acquire(folder: Path) -> int:
    """Lock ``folder``; the open descriptor of its lock file. Refuses a held folder."""
    path = folder / LOCK_NAME
    while True:
        try:
            fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644)
        except OSError as exc:
            raise io_error(path, exc, "cannot create the lock file") from None
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = _holder(fd)
            os.close(fd)
            raise UserError(
                f"{folder}: another cstosim run ({holder}) is writing here; wait for it to "
                "finish or choose another --out folder"
            ) from None
        except OSError as exc:
            os.close(fd)
            raise io_error(path, exc, "cannot lock the folder") from None
        try:
            current = os.stat(path).st_ino == os.fstat(fd).st_ino
        except FileNotFoundError:
            current = False
        if current:
            return fd
        os.close(fd)  # a finishing run removed the file we locked: lock the new one


def _stamp(fd: int) -> None:
    """Write who holds the lock into the lock file, for the message of a refused run."""
    since = time.strftime("%Y-%m-%d %H:%M:%S", time.localtime())
    command = " ".join(os.path.basename(a) if i == 0 else a for i, a in enumerate(sys.argv))
    text = f"pid {os.getpid()}, since {since}: {command}"[:280]
    with suppress(OSError):
        os.ftruncate(fd, 0)
        os.pwrite(fd, text.encode("utf-8", "replace"), 0)


def _release(folder: Path, fd: int) -> None:
    with suppress(OSError):
        os.unlink(folder / LOCK_NAME)  # while still locked: see the module's docstring
    os.close(fd)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:
        return True  # exists, owned by someone else
    return True


def clean_temporaries(folder: Path) -> list[Path]:
    """Remove the temporary files that interrupted writes left under ``folder`` (those whose
    writing process is gone); returns what was removed."""
    removed = []
    for root, _, files in os.walk(folder):
        for name in files:
            match = TEMPORARY.match(name)
            if match is None or _alive(int(match["pid"])):
                continue
            with suppress(OSError):
                os.unlink(Path(root) / name)
                removed.append(Path(root) / name)
    return removed


@contextmanager
def folder_lock(folder: Path) -> Iterator[None]:
    """Hold ``folder``'s lock for the block, then clean up stray temporary files on entry.

    Nesting in the same thread is allowed (an experiment inside an API call that locked the
    folder first); another thread or process is refused with a one-line :class:`UserError`.
    """
    key = Path(os.path.abspath(folder))
    me = threading.get_ident()
    with _guard:
        owner, depth = _held.get(key, (None, 0))
        if owner == me:
            _held[key] = (me, depth + 1)
    if owner == me:
        try:
            yield
        finally:
            with _guard:
                _held[key] = (me, _held[key][1] - 1)
        return
    fd = _acquire(key)
    try:
        _stamp(fd)
        with _guard:
            _held[key] = (me, 1)
        clean_temporaries(key)
        yield
    finally:
        with _guard:
            _held.pop(key, None)
        _release(key, fd)
