"""Worker-process pools that are safe to start from a parent that already runs threads."""

from __future__ import annotations

import multiprocessing
from multiprocessing.context import BaseContext


def safe_process_context() -> BaseContext:
    """'forkserver' where available, else 'spawn'.

    Forking a parent that already runs threads (pyarrow's, BLAS's) can deadlock the child; these
    start methods cost each worker one import of the package instead.
    """
    methods = multiprocessing.get_all_start_methods()
    if "forkserver" not in methods:
        return multiprocessing.get_context("spawn")
    ctx = multiprocessing.get_context("forkserver")
    # the server imports the package once; each worker is then a fork of it, not a fresh import
    ctx.set_forkserver_preload(["cstosim.sweep"])
    return ctx
