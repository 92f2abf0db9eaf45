"""Running scenarios: worlds cut into chunks, each chunk one vectorised model, results on disk.

This is the Python API behind ``cstosim run`` and ``cstosim batch``; a notebook calls
:func:`simulate`, :func:`run_scenario` and :func:`run_batch` the same way.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from concurrent.futures import Executor
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pandas as pd
from tqdm.auto import tqdm

from ..core.model import FactValues
from ..core.records import merge_steps, steps_table
from ..inputs.errors import require_at_least
from ..inputs.overrides import check_overrides
from ..inputs.parameters import ParameterSet, ParamValues, check_values, load_set, resolve
from ..inputs.scenario import Scenario, all_scenarios, find_scenario, load_scenario
from ..inputs.settings import DEFAULT_CHUNK, DEFAULT_LOG_WORLDS, DEFAULT_WORLDS
from . import storage
from .evaluate import (
    Outcome,
    WorldsJob,
    chunks,
    run_job,
    slice_worlds,
)
from .execution import run_jobs, worker_pool

#: Canonical row order of the per-world tables, so that chunking never shows in the output.
ROW_ORDER = {
    "crises": ["step", "crisis", "world"],
    "support": ["event", "member", "world"],
    "transitions": ["step", "member", "world"],
    "members": ["member", "world"],
    "log": ["world", "step"],
}


@dataclass
class SimulationResult:
    """The tables of one scenario run (``docs/results.md``) and its provenance."""

    tables: dict[str, pd.DataFrame]
    meta: dict = field(default_factory=dict)


def check_run_args(
    n_worlds: int, seed: int, chunk_worlds: int, parameters: ParamValues | None
) -> None:
    """Raise :class:`UserError` for a run size, seed, chunk or parameter a run cannot take."""
    require_at_least("n_worlds", n_worlds, 1, "; give a positive number")
    require_at_least("seed", seed, 0, " integer")
    require_at_least("chunk_worlds", chunk_worlds, 1)
    check_values(parameters)


def simulate(
    scenario: Scenario,
    n_worlds: int = DEFAULT_WORLDS,
    seed: int = 0,
    parameters: ParamValues | None = None,
    facts: FactValues | None = None,
    chunk_worlds: int = DEFAULT_CHUNK,
    log_worlds: int = DEFAULT_LOG_WORLDS,
    executor: Executor | None = None,
    on_chunk: Callable[[], None] | None = None,
    stream_period: int | None = None,
    parameter_set: ParameterSet | None = None,
) -> SimulationResult:
    """Run ``n_worlds`` worlds of ``scenario`` and return the merged tables.

    The numbers depend only on ``seed`` and each world's number, not on ``chunk_worlds`` or the
    executor. ``parameters`` and ``facts`` take scalars or one value per world; with
    ``stream_period = k``, worlds ``w`` and ``w + k`` share random numbers. ``parameter_set``
    (default: the set in force) gives every parameter not in ``parameters``.
    """
    check_run_args(n_worlds, seed, chunk_worlds, parameters)
    check_overrides(facts)
    pset = parameter_set or load_set()
    situation = scenario
    started = time.perf_counter()
    jobs = [
        WorldsJob(
            situation,
            hi - lo,
            seed,
            slice_worlds(parameters, lo, hi, n_worlds),
            slice_worlds(facts, lo, hi, n_worlds),
            world_offset=lo,
            parameter_set=pset,
            log_worlds=log_worlds,
            stream_period=stream_period,
        )
        for lo, hi in chunks(n_worlds, chunk_worlds)
    ]
    results: dict[int, Outcome] = {}

    def keep(job: WorldsJob, outcome: Outcome) -> None:
        results[job.world_offset] = outcome
        if on_chunk:
            on_chunk()

    run_jobs(run_job, jobs, executor, keep)
    ordered = [results[job.world_offset] for job in jobs]
    tables = {
        name: pd.concat([r.tables[name] for r in ordered], ignore_index=True).sort_values(
            order, kind="stable", ignore_index=True
        )
        for name, order in ROW_ORDER.items()
    }
    tables["steps"] = steps_table(merge_steps([r.steps for r in ordered]), ordered[0].dates)
    meta = {
        "scenario_id": scenario.id,
        "scenario_title": scenario.scenario.title,
        "hypothetical": scenario.scenario.hypothetical,
        "scenario_hash": scenario.situation_hash(),
        "seed": seed,
        "n_worlds": n_worlds,
        "chunk_worlds": chunk_worlds,
        "start": scenario.scenario.start,
        "end": scenario.scenario.end,
        "n_steps": scenario.n_steps,
        "parameter_set": pset.record(),
        "parameters": parameter_record(parameters, n_worlds, pset),
        "fact_overrides": sorted((facts or {}).keys()),
        "elapsed_s": round(time.perf_counter() - started, 3),
    }
    return SimulationResult(tables, meta)


def parameter_record(
    parameters: ParamValues | None, n_worlds: int, parameter_set: ParameterSet | None = None
) -> dict:
    """Parameter values for ``meta.json``: a number, or a summary where they vary per world."""
    record: dict = {}
    for name, arr in resolve(parameters, n_worlds, parameter_set).items():
        if np.all(arr == arr[0]):
            record[name] = float(arr[0])
        else:
            record[name] = {
                "per_world": True,
                "min": float(arr.min()),
                "max": float(arr.max()),
                "mean": float(arr.mean()),
            }
    return record


def write_result(result: SimulationResult, out: Path, scenario_file: Path | None = None) -> Path:
    """Write the tables, then ``meta.json`` last, each atomically."""
    out = storage.prepare_output_dir(out)
    for name in storage.TABLES:
        storage.write_table(result.tables[name], out / f"{name}.parquet")
    meta = dict(
        result.meta,
        scenario_file=str(scenario_file) if scenario_file else None,
        **storage.provenance(),
        files=[f"{n}.parquet" for n in storage.TABLES],
    )
    storage.write_json(meta, out / "meta.json")
    return out


def timestamp() -> str:
    """The current UTC time as ``YYYYMMDDTHHMMSSZ``, for default folder names."""
    return datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")


def run_scenario(
    scenario: str | Path,
    n_worlds: int = DEFAULT_WORLDS,
    seed: int = 0,
    out: str | Path | None = None,
    parameters: ParamValues | None = None,
    workers: int = 1,
    chunk_worlds: int = DEFAULT_CHUNK,
    progress: bool = True,
    parameter_set: ParameterSet | None = None,
) -> Path:
    """Run one scenario (an id from ``scenarios/`` or a file) and write its result folder."""
    check_run_args(n_worlds, seed, chunk_worlds, parameters)
    path = find_scenario(scenario)
    sc = load_scenario(path)
    out = storage.prepare_output_dir(
        Path(out) if out else Path("results") / f"{sc.id}-{timestamp()}"
    )
    settings = _Settings(n_worlds, seed, parameters, chunk_worlds, parameter_set or load_set())
    _run_into([(path, sc, out)], settings, workers, progress, sc.id)
    return out


def run_batch(
    scenarios: Iterable[str | Path] | None = None,
    n_worlds: int = DEFAULT_WORLDS,
    seed: int = 0,
    out: str | Path | None = None,
    parameters: ParamValues | None = None,
    workers: int = 1,
    chunk_worlds: int = DEFAULT_CHUNK,
    progress: bool = True,
    parameter_set: ParameterSet | None = None,
) -> Path:
    """Run several scenarios (default: every file in ``scenarios/``) into one batch folder.

    Each scenario's folder is complete on disk as soon as it finishes, so an interrupted batch
    keeps every finished scenario; a re-run into the same folder skips finished ones.
    """
    paths = [find_scenario(s) for s in scenarios] if scenarios else all_scenarios()
    loaded = [(p, load_scenario(p)) for p in paths]  # validate everything before running
    check_run_args(n_worlds, seed, chunk_worlds, parameters)
    settings = _Settings(n_worlds, seed, parameters, chunk_worlds, parameter_set or load_set())
    out = storage.prepare_output_dir(Path(out) if out else Path("results") / f"batch-{timestamp()}")
    record = parameter_record(parameters, n_worlds, settings.parameter_set)
    todo = [
        (p, sc, out / sc.id)
        for p, sc in loaded
        if not _finished(out / sc.id, sc, n_worlds, seed, record)
    ]
    _run_into(todo, settings, workers, progress, "batch")
    return out


@dataclass(frozen=True)
class _Settings:
    """What every scenario of one run or batch shares."""

    n_worlds: int
    seed: int
    parameters: ParamValues | None
    chunk_worlds: int
    parameter_set: ParameterSet


def _run_into(
    todo: list[tuple[Path, Scenario, Path]], s: _Settings, workers: int, progress: bool, desc: str
) -> None:
    """Simulate each (file, scenario, folder) on one worker pool, writing each as it finishes."""
    total = len(todo) * len(chunks(s.n_worlds, s.chunk_worlds))
    with (
        worker_pool(workers) as executor,
        tqdm(total=total, desc=desc, unit="chunk", disable=not progress) as bar,
    ):
        for path, sc, folder in todo:
            bar.set_postfix_str(sc.id)
            result = simulate(
                sc,
                s.n_worlds,
                s.seed,
                s.parameters,
                chunk_worlds=s.chunk_worlds,
                executor=executor,
                on_chunk=bar.update,
                parameter_set=s.parameter_set,
            )
            write_result(result, folder, path)


def _finished(run_dir: Path, sc: Scenario, n_worlds: int, seed: int, parameters: dict) -> bool:
    """A finished run of the same situation, size, seed and parameters is in ``run_dir``."""
    if not storage.is_complete(run_dir):
        return False
    meta = storage.read_meta(run_dir)
    return (
        meta.get("scenario_hash") == sc.situation_hash()
        and meta.get("n_worlds") == n_worlds
        and meta.get("seed") == seed
        and meta.get("parameters") == parameters
    )
