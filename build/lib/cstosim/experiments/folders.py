"""What kind of results folder a path is, told from the files each command writes.

``cstosim plot``, ``cstosim report`` and :meth:`cstosim.results.Result.from_folder` accept any
folder the commands write; this module is the one place that tells them apart.
"""

from __future__ import annotations

from pathlib import Path

from ..inputs.errors import UserError
from . import storage

#: The kinds of results folder, each with the file that marks it.
KINDS: dict[str, str] = {
    "sweep": "sweep.json",
    "compare": "compare.csv",
    "validation": "validation.csv",
    "drivers": "drivers.csv",
    "calibration": "evaluated.parquet",
    # after calibration, whose folder holds a loo.csv as well
    "loo": "loo.csv",
    "run": storage.META,
    "batch": "<scenario>/" + storage.META,
}


def folder_kind(path: str | Path) -> str:
    """The kind of results folder at ``path``: a key of :data:`KINDS`.

    A sweep and a comparison also hold a ``meta.json``, so their own files are looked for first.
    Raises :class:`UserError` for a path that is no results folder.
    """
    path = Path(path)
    if not path.is_dir():
        raise UserError(f"{path}: no such folder; name a results folder ({_listing()})")
    for kind, marker in KINDS.items():
        if kind != "batch" and (path / marker).is_file():
            return kind
    if any(p.is_dir() and storage.is_complete(p) for p in path.iterdir()):
        return "batch"
    raise UserError(
        f"{path}: no finished cstosim run or other results here (none of {_listing()}); "
        "run 'cstosim run' first or name a folder that a cstosim command wrote"
    )


def _listing() -> str:
    return ", ".join(f"{marker} for a {kind}" for kind, marker in KINDS.items())
