"""Where jobs run: in this process, in local worker processes, or on a Dask cluster.

Every way of running many worlds (runs, batches, sweeps, what-ifs, calibration folds) hands its
jobs to :func:`run_jobs`, so the serial path, the local pool and Dask share one loop. A job is a
picklable object; its function must be a module-level callable.
"""

from __future__ import annotations

import multiprocessing
import os
import warnings
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Executor, ProcessPoolExecutor, as_completed
from contextlib import AbstractContextManager, contextmanager
from multiprocessing.context import BaseContext
from typing import TypeVar

from ..inputs.errors import UserError, require_at_least
from ..inputs.settings import MAX_WORKERS
from .orphans import die_with, mark_owner

J = TypeVar("J")
R = TypeVar("R")

#: How many times a job whose worker failed is tried again, each time on a fresh pool.
RETRIES = 2


def safe_process_context() -> BaseContext:
    """'forkserver' where available, else 'spawn'.

    Forking a parent that already runs threads (pyarrow's, BLAS's) can deadlock the child; these
    start methods cost each worker one import of the package instead.
    """
    methods = multiprocessing.get_all_start_methods()
    if "forkserver" not in methods:
        return multiprocessing.get_context("spawn")
    ctx = multiprocessing.get_context("forkserver")
    mark_owner()  # inherited by the forkserver when it starts
    # the server first ties its life to this process's, then imports the package once; each
    # worker is then a fork of it, not a fresh import
    ctx.set_forkserver_preload(
        ["cstosim.experiments.forkserver_guard", "cstosim.experiments.sweep"]
    )
    return ctx


def check_workers(workers: int) -> None:
    """Raise :class:`UserError` unless ``workers`` is at least 1 (and not absurdly many)."""
    require_at_least("workers", workers, 1, maximum=MAX_WORKERS)


@contextmanager
def worker_pool(workers: int) -> Iterator[Executor | None]:
    """Local worker processes (none for one worker); pending jobs are cancelled on exit.

    The workers and their forkserver die with this process, even after ``kill -9``
    (:mod:`.orphans`).
    """
    check_workers(workers)
    executor = (
        ProcessPoolExecutor(
            max_workers=workers,
            mp_context=safe_process_context(),
            initializer=die_with,
            initargs=(os.getpid(),),
        )
        if workers > 1
        else None
    )
    try:
        yield executor
    finally:
        if executor:
            executor.shutdown(cancel_futures=True)


@contextmanager
def open_executor(workers: int, scheduler: str | None = None) -> Iterator[Executor | None]:
    """Local worker processes, or a Dask cluster's executor (``'local'`` starts one here)."""
    if scheduler is None:
        with worker_pool(workers) as executor:
            yield executor
        return
    from distributed import Client, LocalCluster

    cluster = None
    try:
        if scheduler == "local":
            cluster = LocalCluster(
                n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=None
            )
            client = Client(cluster)
        else:
            client = Client(scheduler, timeout="10s")
    except (OSError, TimeoutError, ValueError) as exc:
        raise UserError(
            f"cannot connect ({exc}); start a Dask scheduler there or check the address "
            "(tcp://HOST:8786)",
            argument="scheduler",
            value=scheduler,
        ) from None
    try:
        yield client.get_executor(pure=False)
    finally:
        client.close()
        if cluster is not None:
            cluster.close()


def run_jobs[J, R](
    fn: Callable[[J], R],
    jobs: Sequence[J],
    executor: Executor | None,
    on_result: Callable[[J, R], None],
    keep_going: bool = False,
) -> list[tuple[J, BaseException]]:
    """Run ``fn(job)`` for every job, calling ``on_result`` as each one finishes.

    Without an executor the jobs run here, in order. With one, results arrive as they finish.
    A failed job raises at once, or with ``keep_going`` is returned with its exception so the
    caller can retry it while every finished result is kept.
    """
    failed: list[tuple[J, BaseException]] = []
    if executor is None:
        for job in jobs:
            on_result(job, fn(job))
        return failed
    futures = {executor.submit(fn, job): job for job in jobs}
    for fut in as_completed(futures):
        job = futures[fut]
        try:
            result = fut.result()
        except Exception as exc:  # a crashed worker or a failed task
            if not keep_going:
                raise
            failed.append((job, exc))
            continue
        on_result(job, result)
    return failed


def run_with_retries[J, R](
    fn: Callable[[J], R],
    jobs: Sequence[J],
    executor_factory: Callable[[], AbstractContextManager[Executor | None]],
    on_result: Callable[[J, R], None],
    retries: int,
    describe: Callable[[J, int, BaseException], str],
    on_executor: Callable[[], None] | None = None,
) -> None:
    """:func:`run_jobs` on a fresh executor per round, retrying failed jobs ``retries`` times.

    A crashed worker breaks its whole pool, so every round opens a new one. A job that still
    fails raises :class:`UserError` with ``describe(job, attempts, exc)``; finished results have
    already gone to ``on_result``. ``on_executor`` runs once the first executor is up.
    """
    attempts: dict[int, int] = {}
    todo = list(jobs)
    while todo:
        with executor_factory() as executor:
            if on_executor is not None:
                on_executor()
                on_executor = None
            failed = run_jobs(fn, todo, executor, on_result, keep_going=True)
        for job, exc in failed:
            attempts[id(job)] = attempts.get(id(job), 0) + 1
            if attempts[id(job)] > retries:
                raise UserError(describe(job, attempts[id(job)], exc))
        if failed:
            warnings.warn(f"{len(failed)} job(s) failed; retrying", stacklevel=1)
        todo = [job for job, _ in failed]
