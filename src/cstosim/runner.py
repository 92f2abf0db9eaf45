"""Running scenarios: worlds cut into chunks, each chunk one vectorised model, results on disk.

This is the Python API behind the CLI; a notebook calls :func:`simulate`, :func:`run_scenario`
and :func:`run_batch` the same way.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from concurrent.futures import Executor, ProcessPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pandas as pd
from tqdm import tqdm

from . import storage
from .errors import UserError
from .model import AllianceModel, FactValues
from .parameters import PARAMETERS, ParamValues, resolve
from .processes import safe_process_context
from .records import StepSums, merge_steps, steps_table
from .scenario import Scenario, all_scenarios, find_scenario, load_scenario

DEFAULT_WORLDS = 2000
DEFAULT_CHUNK = 4096
DEFAULT_LOG_WORLDS = 5
TABLES = ("crises", "support", "transitions", "members", "steps", "log")
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


def _slice(values: Mapping[str, float | np.ndarray] | None, lo: int, hi: int, n: int) -> dict:
    """Per-world arrays cut to worlds ``[lo, hi)``; scalars kept."""
    out = {}
    for key, value in (values or {}).items():
        arr = np.asarray(value, dtype=float)
        if arr.ndim and arr.shape != (n,):
            raise UserError(f"'{key}': {arr.shape[0]} values for {n} worlds; give one per world")
        out[key] = arr[lo:hi] if arr.ndim else float(arr)
    return out


def _run_chunk(
    situation: Scenario,
    lo: int,
    hi: int,
    seed: int,
    parameters: dict,
    facts: dict,
    log_worlds: int,
    stream_period: int | None,
) -> tuple[dict[str, pd.DataFrame], list[StepSums], list[str]]:
    model = AllianceModel(
        situation,
        n_worlds=hi - lo,
        seed=seed,
        parameters=parameters,
        facts=facts,
        world_offset=lo,
        log_worlds=log_worlds,
        stream_period=stream_period,
    )
    model.run_to_end()
    rec = model.recorder
    return rec.world_tables(model.members), rec.steps, rec.dates


def chunks(n_worlds: int, chunk_worlds: int) -> list[tuple[int, int]]:
    """World ranges ``[lo, hi)`` covering ``n_worlds`` in pieces of at most ``chunk_worlds``."""
    return [(lo, min(lo + chunk_worlds, n_worlds)) for lo in range(0, n_worlds, chunk_worlds)]


def _check_run_args(n_worlds: int, seed: int, chunk_worlds: int, parameters) -> None:
    if n_worlds < 1:
        raise UserError(f"--worlds {n_worlds}: must be at least 1; give a positive number")
    if seed < 0:
        raise UserError(f"--seed {seed}: must be a non-negative integer")
    if chunk_worlds < 1:
        raise UserError(f"--chunk {chunk_worlds}: must be at least 1")
    for name, value in (parameters or {}).items():
        if name not in PARAMETERS:
            raise UserError(f"parameter '{name}': unknown; see 'cstosim params' for the list")
        try:
            PARAMETERS[name].check(value)
        except ValueError as exc:
            raise UserError(str(exc)) from None


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
) -> SimulationResult:
    """Run ``n_worlds`` worlds of ``scenario`` and return the merged tables.

    The numbers depend only on ``seed`` and each world's number, not on ``chunk_worlds`` or the
    executor. ``parameters`` and ``facts`` take scalars or one value per world; with
    ``stream_period = k``, worlds ``w`` and ``w + k`` share random numbers.
    """
    _check_run_args(n_worlds, seed, chunk_worlds, parameters)
    situation = scenario.situation()
    started = time.perf_counter()
    jobs = [
        (
            situation,
            lo,
            hi,
            seed,
            _slice(parameters, lo, hi, n_worlds),
            _slice(facts, lo, hi, n_worlds),
            log_worlds,
            stream_period,
        )
        for lo, hi in chunks(n_worlds, chunk_worlds)
    ]
    if executor is None:
        results = []
        for job in jobs:
            results.append(_run_chunk(*job))
            if on_chunk:
                on_chunk()
    else:
        futures = [executor.submit(_run_chunk, *job) for job in jobs]
        results = []
        for fut in futures:
            results.append(fut.result())
            if on_chunk:
                on_chunk()
    tables = {
        name: pd.concat([r[0][name] for r in results], ignore_index=True).sort_values(
            order, kind="stable", ignore_index=True
        )
        for name, order in ROW_ORDER.items()
    }
    tables["steps"] = steps_table(merge_steps([r[1] for r in results]), results[0][2])
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
        "parameters": _parameter_record(parameters, n_worlds),
        "fact_overrides": sorted((facts or {}).keys()),
        "elapsed_s": round(time.perf_counter() - started, 3),
    }
    return SimulationResult(tables, meta)


def _parameter_record(parameters: ParamValues | None, n_worlds: int) -> dict:
    """Parameter values for ``meta.json``: a number, or a summary where they vary per world."""
    record = {}
    for name, arr in resolve(parameters, n_worlds).items():
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
    for name in TABLES:
        storage.write_table(result.tables[name], out / f"{name}.parquet")
    meta = dict(
        result.meta,
        scenario_file=str(scenario_file) if scenario_file else None,
        **storage.provenance(),
        files=[f"{n}.parquet" for n in TABLES],
    )
    storage.write_json(meta, out / "meta.json")
    return out


def timestamp() -> str:
    return datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")


@contextmanager
def worker_pool(workers: int) -> Iterator[Executor | None]:
    """Local worker processes (none for one worker); pending chunks are cancelled on exit."""
    if workers < 1:
        raise UserError(f"--workers {workers}: must be at least 1")
    executor = (
        ProcessPoolExecutor(max_workers=workers, mp_context=safe_process_context())
        if workers > 1
        else None
    )
    try:
        yield executor
    finally:
        if executor:
            executor.shutdown(cancel_futures=True)


def run_scenario(
    scenario: str | Path,
    n_worlds: int = DEFAULT_WORLDS,
    seed: int = 0,
    out: str | Path | None = None,
    parameters: ParamValues | None = None,
    workers: int = 1,
    chunk_worlds: int = DEFAULT_CHUNK,
    progress: bool = True,
) -> Path:
    """Run one scenario (an id from ``scenarios/`` or a file) and write its result folder."""
    _check_run_args(n_worlds, seed, chunk_worlds, parameters)
    path = find_scenario(scenario)
    sc = load_scenario(path)
    out = Path(out) if out else Path("results") / f"{sc.id}-{timestamp()}"
    storage.prepare_output_dir(out)
    n_chunks = len(chunks(n_worlds, chunk_worlds)) if n_worlds > 0 else 0
    with (
        worker_pool(workers) as executor,
        tqdm(total=n_chunks, desc=sc.id, unit="chunk", disable=not progress) as bar,
    ):
        return _simulate_and_write(
            sc, path, out, n_worlds, seed, parameters, chunk_worlds, executor, bar
        )


def run_batch(
    scenarios: Iterable[str | Path] | None = None,
    n_worlds: int = DEFAULT_WORLDS,
    seed: int = 0,
    out: str | Path | None = None,
    parameters: ParamValues | None = None,
    workers: int = 1,
    chunk_worlds: int = DEFAULT_CHUNK,
    progress: bool = True,
) -> Path:
    """Run several scenarios (default: every file in ``scenarios/``) into one batch folder.

    Each scenario's folder is complete on disk as soon as it finishes, so an interrupted batch
    keeps every finished scenario; a re-run into the same folder skips finished ones.
    """
    paths = [find_scenario(s) for s in scenarios] if scenarios else all_scenarios()
    loaded = [(p, load_scenario(p)) for p in paths]  # validate everything before running
    _check_run_args(n_worlds, seed, chunk_worlds, parameters)
    out = storage.prepare_output_dir(Path(out) if out else Path("results") / f"batch-{timestamp()}")
    record = _parameter_record(parameters, n_worlds)
    todo = [(p, sc) for p, sc in loaded if not _finished(out / sc.id, sc, n_worlds, seed, record)]
    total = sum(len(chunks(n_worlds, chunk_worlds)) for _ in todo)
    with (
        worker_pool(workers) as executor,
        tqdm(total=total, desc="batch", unit="chunk", disable=not progress) as bar,
    ):
        for path, sc in todo:
            bar.set_postfix_str(sc.id)
            _simulate_and_write(
                sc, path, out / sc.id, n_worlds, seed, parameters, chunk_worlds, executor, bar
            )
    return out


def _simulate_and_write(
    sc: Scenario,
    path: Path,
    out: Path,
    n_worlds: int,
    seed: int,
    parameters: ParamValues | None,
    chunk_worlds: int,
    executor: Executor | None,
    bar: tqdm,
) -> Path:
    result = simulate(
        sc,
        n_worlds,
        seed,
        parameters,
        chunk_worlds=chunk_worlds,
        executor=executor,
        on_chunk=bar.update,
    )
    return write_result(result, out, path)


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
