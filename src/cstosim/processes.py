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
    return multiprocessing.get_context("forkserver" if "forkserver" in methods else "spawn")
