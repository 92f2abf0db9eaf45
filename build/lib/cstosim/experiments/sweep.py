"""Running a sweep: points × replicates cut into chunks, each chunk one vectorised model.

A chunk holds whole points. Its worlds are numbered ``point * replicates + r`` and draw from the
per-block ``SeedSequence`` streams of :mod:`cstosim.core.streams`; with common random numbers (the
default) replicate ``r`` of every point reads the same stream, so differences between points are
not noise. Either way a chunk's numbers depend only on the spec, never on which worker ran it or
in what order, so 1, 2 or K workers and a Dask cluster give identical files.

The folder layout is in ``docs/sweeps.md``. Finished chunks are written atomically as they arrive;
a re-run into the same folder computes only the missing ones. Once every chunk is in,
``points.parquet`` and then ``meta.json`` are written; the analysis (:mod:`cstosim.analysis`) and
the figures (:mod:`cstosim.plots`) read that folder afterwards.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
from tqdm.auto import tqdm

from ..inputs.errors import UserError, io_error
from ..inputs.overrides import split_overrides
from ..inputs.scenario import Scenario
from . import storage
from .evaluate import evaluate
from .execution import RETRIES, check_workers, open_executor, run_with_retries
from .samplers import sample
from .sweep_spec import SweepSpec, chunk_points, load_spec

MANIFEST = "sweep.json"


@dataclass(frozen=True)
class Chunk:
    """Points ``[lo, hi)`` of a sweep."""

    index: int
    lo: int
    hi: int


def plan_chunks(n_points: int, per_chunk: int) -> list[Chunk]:
    """Consecutive chunks of at most ``per_chunk`` points covering ``n_points``."""
    return [
        Chunk(i, lo, min(lo + per_chunk, n_points))
        for i, lo in enumerate(range(0, n_points, per_chunk))
    ]


def chunk_path(out: Path, index: int) -> Path:
    """Where chunk ``index`` of the sweep in ``out`` is stored."""
    return out / "chunks" / f"chunk-{index:06d}.parquet"


@dataclass(frozen=True)
class ChunkJob:
    """One chunk of a sweep: the design rows ``x`` of points ``first_point`` onward."""

    chunk: Chunk
    situation: Scenario
    metrics: tuple
    names: tuple[str, ...]
    x: np.ndarray
    replicates: int
    seed: int
    common_random_numbers: bool

    @property
    def first_point(self) -> int:
        """Number of the chunk's first point in the design."""
        return self.chunk.lo


def evaluate_chunk(job: ChunkJob) -> pd.DataFrame:
    """Per point of the chunk: each metric's mean and standard deviation over the replicates."""
    r = job.replicates
    columns = {name: np.repeat(job.x[:, j], r) for j, name in enumerate(job.names)}
    parameters, facts = split_overrides(columns)
    values = evaluate(
        job.situation,
        len(job.x) * r,
        job.seed,
        parameters,
        facts,
        world_offset=job.first_point * r,
        stream_period=r if job.common_random_numbers else None,
        metrics=job.metrics,
    ).metrics
    table = {"point": np.arange(job.first_point, job.first_point + len(job.x), dtype=np.int64)}
    for name, v in values.items():
        per_point = v.reshape(len(job.x), r)
        table[name] = per_point.mean(axis=1)
        table[f"{name}__sd"] = per_point.std(axis=1, ddof=1) if r > 1 else 0.0
    return pd.DataFrame(table)


def _manifest(spec: SweepSpec, sc: Scenario, per_chunk: int, n_chunks: int) -> dict:
    return {
        "spec_hash": spec.spec_hash(),
        "scenario_id": sc.id,
        "scenario_hash": sc.situation_hash(),
        "scenario_file": f"scenario/{sc.id}.toml",
        "sampler": spec.sweep.sampler,
        "points": spec.sweep.points,
        "n_points": spec.n_points,
        "replicates": spec.sweep.replicates,
        "seed": spec.sweep.seed,
        "common_random_numbers": spec.sweep.common_random_numbers,
        "parameters": [
            {"name": k, "low": lo, "high": hi} for k, (lo, hi) in spec.parameters.items()
        ],
        "metrics": [m.model_dump() for m in spec.metrics],
        "points_per_chunk": per_chunk,
        "n_chunks": n_chunks,
        "n_steps": sc.n_steps,
        **storage.provenance(),
    }


def _copy(source: Path, target: Path) -> None:
    """Copy a file atomically; a file that cannot be read is a one-line error."""
    try:
        data = source.read_bytes()
    except OSError as exc:
        raise io_error(source, exc, "cannot read") from None
    with storage.atomic_open(target) as fh:
        fh.write(data)


def _open_folder(out: Path, files: tuple[Path, Path], spec: SweepSpec, manifest: dict) -> None:
    """Start a sweep folder, or check that an existing one holds this very sweep.

    ``files`` are the spec and its scenario, copied in so that the folder explains itself and
    its analysis never has to find the scenario again. The caller holds the folder's lock.
    """
    storage.prepare_output_dir(out / "chunks")
    existing = out / MANIFEST
    if existing.is_file():
        old = storage.read_json(existing)
        for key in ("spec_hash", "scenario_hash"):
            if old.get(key) != manifest[key]:
                raise UserError(
                    f"{out}: holds a different sweep ({key.replace('_', ' ')} differs); "
                    "choose another --out folder or delete this one"
                )
        return
    spec_path, scenario_path = files
    _copy(spec_path, out / "spec.toml")
    storage.prepare_output_dir(out / "scenario")
    _copy(scenario_path, out / manifest["scenario_file"])
    x = sample(
        spec.sweep.sampler,
        spec.names,
        spec.bounds,
        spec.sweep.points,
        seed=spec.sweep.seed,
        morris_levels=spec.sweep.morris_levels,
    )
    samples = pd.DataFrame(x, columns=spec.names)
    samples.insert(0, "point", np.arange(len(x), dtype=np.int64))
    storage.write_table(samples, out / "samples.parquet")
    storage.write_json(manifest, out / MANIFEST)  # last: its presence means the design is fixed


def default_out(spec_path: str | Path) -> Path:
    """Where a sweep goes when no folder is named: ``results/sweeps/<spec name>``."""
    return Path("results") / "sweeps" / Path(spec_path).stem


def compute_sweep(
    spec_path: str | Path,
    out: str | Path | None = None,
    workers: int = 1,
    scheduler: str | None = None,
    progress: bool = True,
    then: Callable[[Path], None] | None = None,
) -> Path:
    """Run the sweep of ``spec_path`` into ``out`` (default :func:`default_out`), computing only
    chunks not already on disk, then write ``points.parquet`` and ``meta.json``.

    The folder's lock is held throughout, and during ``then(folder)`` (the analysis and figures
    of the caller) after it: a second sweep into the same folder is refused.
    """
    spec_path = Path(spec_path)
    spec, sc, scenario_path = load_spec(spec_path)
    check_workers(workers)
    per_chunk = chunk_points(spec, sc.n_steps)
    plan = plan_chunks(spec.n_points, per_chunk)
    manifest = _manifest(spec, sc, per_chunk, len(plan))
    with storage.output_folder(Path(out) if out else default_out(spec_path)) as folder:
        _open_folder(folder, (spec_path, scenario_path), spec, manifest)
        if not storage.is_complete(folder):
            _run_plan(folder, spec, sc, plan, manifest, (workers, scheduler, progress))
        if then is not None:
            then(folder)
    return folder


def _run_plan(
    folder: Path,
    spec: SweepSpec,
    sc: Scenario,
    plan: list[Chunk],
    manifest: dict,
    how: tuple[int, str | None, bool],
) -> None:
    """Compute the chunks of ``plan`` not yet on disk, then ``points.parquet`` and ``meta.json``."""
    x = pd.read_parquet(folder / "samples.parquet")[spec.names].to_numpy()
    todo = [c for c in plan if not chunk_path(folder, c.index).is_file()]
    jobs = [
        ChunkJob(
            c,
            sc,
            tuple(spec.metrics),
            tuple(spec.names),
            x[c.lo : c.hi],
            spec.sweep.replicates,
            spec.sweep.seed,
            spec.sweep.common_random_numbers,
        )
        for c in todo
    ]
    _compute(jobs, folder, len(plan), sc.id, *how)
    storage.write_table(assemble(folder), folder / "points.parquet")
    storage.write_json(dict(manifest, files=["points.parquet"]), folder / storage.META)


def _compute(jobs, out, n_chunks, name, workers, scheduler, progress) -> None:
    started, worlds = time.perf_counter(), 0
    bar: tqdm | None = None  # drawn once the executor is up, so a refused --scheduler is one line

    def show() -> None:
        nonlocal bar
        bar = tqdm(
            total=n_chunks,
            initial=n_chunks - len(jobs),
            desc=f"sweep {name}",
            unit="chunk",
            disable=not progress,
        )

    def done(job: ChunkJob, table: pd.DataFrame) -> None:
        nonlocal worlds
        storage.write_table(table, chunk_path(out, job.chunk.index))
        worlds += len(job.x) * job.replicates
        assert bar is not None
        bar.set_postfix_str(f"{worlds / (time.perf_counter() - started):,.0f} worlds/s")
        bar.update()

    def describe(job: ChunkJob, attempts: int, exc: BaseException) -> str:
        c = job.chunk
        return (
            f"chunk {c.index} (points {c.lo}-{c.hi - 1}) failed {attempts} times "
            f"({type(exc).__name__}: {exc}); finished chunks are kept in {out}; re-run the same "
            "command to resume"
        )

    try:
        run_with_retries(
            evaluate_chunk,
            jobs,
            lambda: open_executor(workers, scheduler),
            done,
            RETRIES,
            describe,
            on_executor=show,
        )
    finally:
        if bar is not None:
            bar.close()


def assemble(out: Path) -> pd.DataFrame:
    """``samples.parquet`` joined with every chunk's per-point metrics, one row per point."""
    manifest = storage.read_json(Path(out) / MANIFEST)
    missing = [i for i in range(manifest["n_chunks"]) if not chunk_path(Path(out), i).is_file()]
    if missing:
        raise UserError(
            f"{out}: {len(missing)} of {manifest['n_chunks']} chunks missing "
            f"(first: {missing[0]}); re-run 'cstosim sweep' with the same spec and --out "
            "to finish it"
        )
    samples = pd.read_parquet(Path(out) / "samples.parquet")
    parts = [pd.read_parquet(chunk_path(Path(out), i)) for i in range(manifest["n_chunks"])]
    metrics = pd.concat(parts, ignore_index=True)
    return samples.merge(metrics, on="point", how="left", validate="one_to_one")
