"""Result folders: atomic writes of Parquet tables and JSON, provenance, and reading runs back.

The format is specified in ``docs/results.md``. Every file is written to a temporary name in its
own folder, flushed to disk and renamed into place, so a file that exists is complete; a run folder
is finished once ``meta.json`` exists.
"""

from __future__ import annotations

import json
import os
import platform
import secrets
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path
from typing import IO, Any

import numpy as np
import pandas as pd

from ..inputs.errors import UserError, io_error
from .locks import folder_lock

#: The Parquet tables of a run folder, without the ``.parquet`` suffix.
TABLES: tuple[str, ...] = ("crises", "support", "transitions", "members", "steps", "log")
META = "meta.json"


def temporary_name(path: Path) -> Path:
    """A fresh temporary name next to ``path``, marked with this process's id so that a later
    run can tell a leftover of a dead process (:func:`locks.clean_temporaries`)."""
    return path.with_name(f".{path.name}.{os.getpid()}-{secrets.token_hex(4)}.tmp")


@contextmanager
def atomic_open(path: Path) -> Iterator[IO[bytes]]:
    """Open a binary temporary file next to ``path``; on success fsync it and rename it to ``path``.

    On an exception the temporary file is removed and ``path`` is left as it was. A failed file
    operation (disk full, permission denied, a path under a file, a name too long) raises a
    one-line :class:`UserError` naming ``path``.
    """
    path = Path(path)
    # open() rather than tempfile, so the file gets the usual permissions (0o666 less umask)
    tmp = temporary_name(path)
    try:
        with open(tmp, "xb") as fh:
            yield fh
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException as exc:
        with suppress(OSError):
            tmp.unlink(missing_ok=True)
        if isinstance(exc, OSError):
            raise io_error(path, exc) from None
        raise


def write_table(df: pd.DataFrame, path: Path) -> None:
    """Write ``df`` to ``path`` as Parquet (pyarrow, no index), atomically."""
    with atomic_open(path) as fh:
        df.to_parquet(fh, engine="pyarrow", index=False)


def _json_default(obj: Any) -> Any:
    if isinstance(obj, np.generic):
        return obj.item()
    if isinstance(obj, np.ndarray):
        return obj.tolist()
    return str(obj)


def write_json(obj: Any, path: Path) -> None:
    """Write ``obj`` to ``path`` as indented, key-sorted JSON, atomically (numpy values become
    plain numbers and lists; anything else unknown becomes its ``str``)."""
    text = json.dumps(obj, indent=2, sort_keys=True, default=_json_default) + "\n"
    with atomic_open(path) as fh:
        fh.write(text.encode("utf-8"))


def prepare_output_dir(path: Path) -> Path:
    """Create ``path`` (and its parents) and check that a file can be written in it."""
    path = Path(path)
    try:
        path.mkdir(parents=True, exist_ok=True)
        probe = temporary_name(path / "write-probe")
        with open(probe, "xb") as fh:
            fh.write(b"ok")
        probe.unlink()
    except OSError as exc:
        problem = io_error(path, exc, "cannot write results here")
        raise UserError(f"{problem.message}; or choose another --out folder") from None
    except ValueError as exc:  # a NUL character in the path
        raise UserError(
            f"{path}: cannot write results here ({exc}); choose another --out folder"
        ) from None
    return path


@contextmanager
def output_folder(path: Path) -> Iterator[Path]:
    """Create ``path``, check it is writable and hold its lock for the block (one run at a time
    writes a folder: :mod:`.locks`).

    A folder this call created is removed again if the block fails before writing anything in
    it, so that refused input leaves no empty folder behind.
    """
    path = Path(path)
    created = not os.path.lexists(path)
    path = prepare_output_dir(path)
    try:
        with folder_lock(path):
            yield path
    except BaseException:
        if created:
            with suppress(OSError):
                path.rmdir()  # only if empty
        raise


def unfinish(folder: Path, marker: str = META) -> None:
    """Remove ``folder``'s completion marker before its files are rewritten, so that a rewrite
    cut short never leaves new files under an old marker that says complete."""
    try:
        (Path(folder) / marker).unlink(missing_ok=True)
    except OSError as exc:
        raise io_error(Path(folder) / marker, exc, "cannot replace the finished run") from None


def _version(dist: str) -> str:
    try:
        return metadata.version(dist)
    except metadata.PackageNotFoundError:
        return "0+unknown"


def _git(*args: str) -> str:
    here = Path(__file__).resolve().parent
    done = subprocess.run(
        ["git", *args], cwd=here, capture_output=True, text=True, timeout=5, check=True
    )
    return done.stdout.strip()


def git_revision() -> str:
    """The source tree's commit, with ``-dirty`` if tracked files changed; ``unknown`` if none."""
    try:
        revision = _git("rev-parse", "HEAD")
        dirty = _git("status", "--porcelain", "--untracked-files=no")
    except (OSError, subprocess.SubprocessError):
        return "unknown"
    return revision + ("-dirty" if dirty else "")


def provenance() -> dict[str, str]:
    """Versions, source revision and creation time to store in ``meta.json``."""
    return {
        "package_version": _version("cstosim"),
        "git_revision": git_revision(),
        "python": platform.python_version(),
        "numpy": _version("numpy"),
        "pandas": _version("pandas"),
        "mesa": _version("mesa"),
        "created_utc": datetime.now(UTC).isoformat(timespec="seconds"),
    }


def is_complete(run_dir: Path) -> bool:
    """Whether ``run_dir`` holds a finished run (its ``meta.json`` exists)."""
    return (Path(run_dir) / META).is_file()


@dataclass(frozen=True)
class RunResult:
    """One run folder read back: ``meta.json`` and every table (empty if its file is absent)."""

    path: Path
    meta: dict[str, Any]
    crises: pd.DataFrame = field(default_factory=pd.DataFrame)
    support: pd.DataFrame = field(default_factory=pd.DataFrame)
    transitions: pd.DataFrame = field(default_factory=pd.DataFrame)
    members: pd.DataFrame = field(default_factory=pd.DataFrame)
    steps: pd.DataFrame = field(default_factory=pd.DataFrame)
    log: pd.DataFrame = field(default_factory=pd.DataFrame)


def _read_table(path: Path) -> pd.DataFrame:
    if not path.is_file():
        return pd.DataFrame()
    try:
        return pd.read_parquet(path, engine="pyarrow")
    except (OSError, ValueError) as exc:
        raise UserError(
            f"{path}: unreadable result table ({exc}); re-run the scenario to rewrite it"
        ) from None


def require_complete(run_dir: Path) -> Path:
    """``run_dir`` as a Path; :class:`UserError` if it holds no finished run."""
    run_dir = Path(run_dir)
    if not is_complete(run_dir):
        raise UserError(
            f"{run_dir}: not a finished cstosim run (no meta.json); "
            "run 'cstosim run' first or name a run folder"
        )
    return run_dir


def read_run(run_dir: Path) -> RunResult:
    """Read a finished run folder; :class:`UserError` if it has no ``meta.json``."""
    run_dir = require_complete(run_dir)
    tables = {name: _read_table(run_dir / f"{name}.parquet") for name in TABLES}
    return RunResult(path=run_dir, meta=read_meta(run_dir), **tables)


def read_meta(run_dir: Path) -> dict:
    """The ``meta.json`` of a finished run folder."""
    return read_json(Path(run_dir) / META)


def read_json(path: Path) -> dict:
    """A JSON file this package wrote; :class:`UserError` if it is missing or damaged."""
    try:
        return json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise UserError(f"{path}: unreadable ({exc}); re-run the command that wrote it") from None


def find_runs(path: Path) -> list[Path]:
    """``path`` if it is a finished run, else its immediate sub-folders that are (sorted)."""
    path = Path(path)
    if is_complete(path):
        return [path]
    if not path.is_dir():
        raise UserError(f"{path}: no such folder; name a run folder or a batch folder")
    runs = sorted(p for p in path.iterdir() if p.is_dir() and is_complete(p))
    if not runs:
        raise UserError(
            f"{path}: no finished cstosim run here or in its sub-folders (no meta.json); "
            "run 'cstosim run' first or name a run or batch folder"
        )
    return runs
