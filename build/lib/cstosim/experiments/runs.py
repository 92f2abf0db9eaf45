"""Running scenarios: worlds cut into chunks, each chunk one vectorised model, results on disk.

This is the Python API behind ``cstosim run`` and ``cstosim batch``; a notebook calls
:func:`simulate`, :func:`run_scenario` and :func:`run_batch` the same way. A run or batch holds
its output folder's lock while it writes (:mod:`.locks`); its chunks run on one worker pool, and
a chunk whose worker crashed is tried again on a fresh pool before the run gives up in one line,
keeping every scenario already written. A batch folder holds results of one set of settings: a
re-run with other settings is refused, one with the same settings skips what is finished.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from concurrent.futures import Executor
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pandas as pd
from tqdm.auto import tqdm

from ..core.model import FactValues
from ..core.records import merge_steps, steps_table
from ..inputs.errors import UserError, require_at_least, shown
from ..inputs.overrides import check_overrides
from ..inputs.parameters import ParameterSet, ParamValues, check_values, load_set, resolve
from ..inputs.scenario import (
    Scenario,
    all_scenarios,
    check_unique_ids,
    find_scenario,
    load_scenario,
)
from ..inputs.settings import (
    DEFAULT_CHUNK,
    DEFAULT_LOG_WORLDS,
    DEFAULT_WORLDS,
    MAX_SEED,
    MAX_WORLDS,
)
from . import storage
from .evaluate import (
    Outcome,
    WorldsJob,
    chunks,
    run_job,
    slice_worlds,
)
from .execution import RETRIES, check_workers, run_jobs, run_with_retries, worker_pool

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
    require_at_least("n_worlds", n_worlds, 1, "; give a positive number", MAX_WORLDS)
    require_at_least("seed", seed, 0, " integer", MAX_SEED)
    require_at_least("chunk_worlds", chunk_worlds, 1)
    check_values(parameters)


@dataclass(frozen=True)
class _Settings:
    """What every scenario of one run or batch shares."""

    n_worlds: int
    seed: int
    parameters: ParamValues | None
    facts: FactValues | None
    chunk_worlds: int
    parameter_set: ParameterSet
    log_worlds: int = DEFAULT_LOG_WORLDS
    stream_period: int | None = None

    def jobs(self, scenario: Scenario) -> list[WorldsJob]:
        """The scenario's worlds as chunks, each one job."""
        n = self.n_worlds
        return [
            WorldsJob(
                scenario,
                hi - lo,
                self.seed,
                slice_worlds(self.parameters, lo, hi, n),
                slice_worlds(self.facts, lo, hi, n),
                world_offset=lo,
                parameter_set=self.parameter_set,
                log_worlds=self.log_worlds,
                stream_period=self.stream_period,
            )
            for lo, hi in chunks(n, self.chunk_worlds)
        ]

    def record(self) -> dict:
        """The settings as ``meta.json`` records them: what makes two runs comparable."""
        return {
            "seed": self.seed,
            "n_worlds": self.n_worlds,
            "parameter_set": self.parameter_set.record(),
            "parameters": parameter_record(self.parameters, self.n_worlds, self.parameter_set),
            "facts": value_record(self.facts or {}),
        }


def _result(
    scenario: Scenario, s: _Settings, outcomes: list[Outcome], elapsed: float
) -> SimulationResult:
    """Merge a scenario's chunk outcomes (in world order) into its tables and provenance."""
    tables = {
        name: pd.concat([r.tables[name] for r in outcomes], ignore_index=True).sort_values(
            order, kind="stable", ignore_index=True
        )
        for name, order in ROW_ORDER.items()
    }
    tables["steps"] = steps_table(merge_steps([r.steps for r in outcomes]), outcomes[0].dates)
    meta = {
        "scenario_id": scenario.id,
        "scenario_title": scenario.scenario.title,
        "hypothetical": scenario.scenario.hypothetical,
        "scenario_hash": scenario.situation_hash(),
        "chunk_worlds": s.chunk_worlds,
        "start": scenario.scenario.start,
        "end": scenario.scenario.end,
        "n_steps": scenario.n_steps,
        **s.record(),
        "elapsed_s": round(elapsed, 3),
    }
    return SimulationResult(tables, meta)


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
    s = _Settings(n_worlds, seed, parameters, facts, chunk_worlds, pset, log_worlds, stream_period)
    started = time.perf_counter()
    jobs = s.jobs(scenario)
    results: dict[int, Outcome] = {}

    def keep(job: WorldsJob, outcome: Outcome) -> None:
        results[job.world_offset] = outcome
        if on_chunk:
            on_chunk()

    run_jobs(run_job, jobs, executor, keep)
    ordered = [results[job.world_offset] for job in jobs]
    return _result(scenario, s, ordered, time.perf_counter() - started)


def value_record(values: Mapping[str, float | np.ndarray]) -> dict:
    """Values for ``meta.json``: a number, or a summary where they vary per world."""
    record: dict = {}
    for name, value in values.items():
        arr = np.atleast_1d(np.asarray(value, dtype=float))
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


def parameter_record(
    parameters: ParamValues | None, n_worlds: int, parameter_set: ParameterSet | None = None
) -> dict:
    """Parameter values for ``meta.json``: a number, or a summary where they vary per world."""
    return value_record(resolve(parameters, n_worlds, parameter_set))


def write_result(result: SimulationResult, out: Path, scenario_file: Path | None = None) -> Path:
    """Write the tables, then ``meta.json`` last, each atomically.

    A finished run already in ``out`` first loses its ``meta.json``, so that a write cut short
    never leaves the new tables under the old run's completion mark.
    """
    out = storage.prepare_output_dir(out)
    storage.unfinish(out)
    for name in storage.TABLES:
        storage.write_table(result.tables[name], out / f"{name}.parquet")
    meta = dict(
        result.meta,
        scenario_file=str(scenario_file) if scenario_file else None,
        **storage.provenance(),
        files=[f"{n}.parquet" for n in storage.TABLES],
    )
    storage.write_json(meta, out / storage.META)
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
    facts: FactValues | None = None,
) -> Path:
    """Run one scenario (an id from ``scenarios/`` or a file) and write its result folder.

    ``facts`` changes member or world facts (``{"KAZ.dependency": 0.2}``) for every world.
    """
    check_run_args(n_worlds, seed, chunk_worlds, parameters)
    check_overrides(facts)
    check_workers(workers)
    path = find_scenario(scenario)
    sc = load_scenario(path)
    settings = _Settings(
        n_worlds, seed, parameters, facts, chunk_worlds, parameter_set or load_set()
    )
    target = Path(out) if out else Path("results") / f"{sc.id}-{timestamp()}"
    with storage.output_folder(target) as folder:
        _run_into([(path, sc, folder)], settings, workers, progress, sc.id)
    return folder


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
    facts: FactValues | None = None,
) -> Path:
    """Run several scenarios (default: every file in ``scenarios/``) into one batch folder.

    Each scenario's folder is complete on disk as soon as it finishes, so an interrupted batch
    keeps every finished scenario; a re-run into the same folder with the same settings skips
    finished ones, and one with other settings (worlds, seed, parameters, parameter set, facts)
    is refused. Two files with the same scenario id are refused too: their results would share
    a folder.
    """
    paths = [find_scenario(s) for s in scenarios] if scenarios else all_scenarios()
    paths = list(dict.fromkeys(paths))  # a scenario named twice runs once
    loaded = [(p, load_scenario(p)) for p in paths]  # validate everything before running
    check_unique_ids(loaded)
    check_run_args(n_worlds, seed, chunk_worlds, parameters)
    check_overrides(facts)
    check_workers(workers)
    settings = _Settings(
        n_worlds, seed, parameters, facts, chunk_worlds, parameter_set or load_set()
    )
    target = Path(out) if out else Path("results") / f"batch-{timestamp()}"
    with storage.output_folder(target) as folder:
        record = settings.record()
        _check_same_settings(folder, record)
        todo = [(p, sc, folder / sc.id) for p, sc in loaded if not _finished(folder / sc.id, sc)]
        _run_into(todo, settings, workers, progress, "batch")
    return folder


@dataclass(frozen=True)
class _ScenarioChunk:
    """One chunk of one scenario of a batch: which scenario (by position) and its job."""

    index: int
    job: WorldsJob


def _run_chunk(item: _ScenarioChunk) -> Outcome:
    """:func:`run_job` for one chunk of a batch (module level, so workers can import it)."""
    return run_job(item.job)


def _run_into(
    todo: list[tuple[Path, Scenario, Path]], s: _Settings, workers: int, progress: bool, desc: str
) -> None:
    """Simulate each (file, scenario, folder) on one worker pool, writing each scenario as soon as
    its last chunk is in. A chunk whose worker failed is retried on a fresh pool; one that keeps
    failing stops the run in one line, with every scenario written so far kept."""
    items = [_ScenarioChunk(i, job) for i, (_, sc, _) in enumerate(todo) for job in s.jobs(sc)]
    expected = Counter(item.index for item in items)
    done: dict[int, dict[int, Outcome]] = {i: {} for i in expected}
    started = time.perf_counter()
    with tqdm(total=len(items), desc=desc, unit="chunk", disable=not progress) as bar:

        def keep(item: _ScenarioChunk, outcome: Outcome) -> None:
            path, sc, folder = todo[item.index]
            done[item.index][item.job.world_offset] = outcome
            bar.set_postfix_str(sc.id)
            bar.update()
            if len(done[item.index]) == expected[item.index]:
                parts = done.pop(item.index)
                outcomes = [parts[k] for k in sorted(parts)]
                result = _result(sc, s, outcomes, time.perf_counter() - started)
                write_result(result, folder, path)

        def describe(item: _ScenarioChunk, attempts: int, exc: BaseException) -> str:
            job, folder = item.job, todo[item.index][2]
            return (
                f"{todo[item.index][1].id}: worlds {job.world_offset}-"
                f"{job.world_offset + job.n_worlds - 1} failed {attempts} times "
                f"({type(exc).__name__}: {exc}); finished scenarios are kept in "
                f"{folder.parent}; run the same command again to resume"
            )

        run_with_retries(_run_chunk, items, lambda: worker_pool(workers), keep, RETRIES, describe)


#: Settings a batch folder's runs must share, with the word and option that name them.
_SHARED = (
    ("n_worlds", "worlds", "--worlds"),
    ("seed", "seed", "--seed"),
    ("parameter_set", "parameter set", "--parameters"),
    ("parameters", "parameters", "--set or --parameters"),
    ("facts", "facts", "--set"),
)


def _first_difference(old: object, new: object) -> str:
    """The first entry where two recorded settings differ, written ``was X, now Y``."""
    if isinstance(old, dict) and isinstance(new, dict):
        for key in sorted(set(old) | set(new), key=str):
            if old.get(key) != new.get(key):
                return f"{key}: was {shown(old.get(key))}, now {shown(new.get(key))}"
    return f"was {shown(old)}, now {shown(new)}"


def _check_same_settings(folder: Path, record: dict) -> None:
    """Raise :class:`UserError` if a finished run in the batch ``folder`` was made with other
    settings than ``record``: the folder would mix results that cannot be compared."""
    for run_dir in sorted(p for p in folder.iterdir() if storage.is_complete(p)):
        meta = storage.read_meta(run_dir)
        for key, word, option in _SHARED:
            old = meta.get(key, {} if key == "facts" else None)
            if old != record[key]:
                raise UserError(
                    f"{run_dir}: made with other {word} ({_first_difference(old, record[key])}); "
                    f"run with the same {option} to resume this batch, or choose another --out "
                    "folder"
                )


def _finished(run_dir: Path, sc: Scenario) -> bool:
    """A finished run of the same situation is in ``run_dir`` (its settings were checked)."""
    if not storage.is_complete(run_dir):
        return False
    return storage.read_meta(run_dir).get("scenario_hash") == sc.situation_hash()
