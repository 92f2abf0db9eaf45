"""Running a sweep: points × replicates cut into chunks, each chunk one vectorised model.

A chunk holds whole points. Its worlds are numbered ``point * replicates + r`` and draw from the
per-block ``SeedSequence`` streams of :mod:`cstosim.streams`; with common random numbers (the
default) replicate ``r`` of every point reads the same stream, so differences between points are
not noise. Either way a chunk's numbers depend only on the spec, never on which worker ran it or
in what order, so 1, 2 or K workers and a Dask cluster give identical files.

The folder layout is in ``docs/sweeps.md``. Finished chunks are written atomically as they arrive;
a re-run into the same folder computes only the missing ones.
"""

from __future__ import annotations

import gc
import time
import warnings
from collections.abc import Iterator
from concurrent.futures import Executor, as_completed
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
from tqdm import tqdm

from . import storage
from .errors import UserError
from .metrics import run_metrics
from .model import AllianceModel
from .parameters import PARAMETERS
from .runner import worker_pool
from .samplers import sample
from .scenario import Scenario
from .sweep_spec import SweepSpec, chunk_points, load_spec

MANIFEST = "sweep.json"
RETRIES = 2


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
    return out / "chunks" / f"chunk-{index:06d}.parquet"


def evaluate_chunk(
    situation: Scenario,
    metrics: list,
    names: list[str],
    x: np.ndarray,
    first_point: int,
    replicates: int,
    seed: int,
    common_random_numbers: bool,
) -> pd.DataFrame:
    """Per point of ``x`` (rows, numbered from ``first_point``): each metric's mean and standard
    deviation over ``replicates`` worlds."""
    n = len(x) * replicates
    columns = {name: np.repeat(x[:, j], replicates) for j, name in enumerate(names)}
    model = AllianceModel(
        situation,
        n_worlds=n,
        seed=seed,
        parameters={k: v for k, v in columns.items() if k in PARAMETERS},
        facts={k: v for k, v in columns.items() if k not in PARAMETERS},
        world_offset=first_point * replicates,
        stream_period=replicates if common_random_numbers else None,
    )
    values = run_metrics(model, metrics)
    del model
    _collect_cycles()
    table = {"point": np.arange(first_point, first_point + len(x), dtype=np.int64)}
    for name, v in values.items():
        per_point = v.reshape(len(x), replicates)
        table[name] = per_point.mean(axis=1)
        table[f"{name}__sd"] = per_point.std(axis=1, ddof=1) if replicates > 1 else 0.0
    return pd.DataFrame(table)


_frozen = False


def _collect_cycles() -> None:
    """Free a finished model at once.

    Mesa agents and their model refer to each other, so without this a chunk's arrays live until
    the next full collection and a worker's memory grows with every chunk it runs (measured:
    175 MB to 300 MB over 20 chunks). Objects older than the first chunk (the imports) are frozen
    out of the scan, which brings a collection from about 70 ms to about 1.5 ms.
    """
    global _frozen
    if not _frozen:
        gc.collect()
        gc.freeze()
        _frozen = True
    gc.collect()


@contextmanager
def sweep_executor(workers: int, scheduler: str | None) -> Iterator[Executor | None]:
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
            f"--scheduler {scheduler}: cannot connect ({exc}); start a Dask scheduler there or "
            "check the address (tcp://HOST:8786)"
        ) from None
    try:
        yield client.get_executor(pure=False)
    finally:
        client.close()
        if cluster is not None:
            cluster.close()


def _manifest(spec: SweepSpec, sc: Scenario, per_chunk: int, n_chunks: int) -> dict:
    return {
        "spec_hash": spec.spec_hash(),
        "scenario_id": sc.id,
        "scenario_hash": sc.situation_hash(),
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


def _open_folder(out: Path, spec_path: Path, spec: SweepSpec, sc: Scenario, manifest: dict) -> None:
    """Start a sweep folder, or check that an existing one holds this very sweep."""
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
    with storage.atomic_open(out / "spec.toml") as fh:
        fh.write(spec_path.read_bytes())
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


def run_sweep(
    spec_path: str | Path,
    out: str | Path | None = None,
    workers: int = 1,
    scheduler: str | None = None,
    progress: bool = True,
    analyse: bool = True,
) -> Path:
    """Run the sweep of ``spec_path`` into ``out`` (default ``results/sweeps/<spec name>``),
    computing only chunks not already on disk, then assemble, analyse and plot it."""
    spec_path = Path(spec_path)
    spec, sc, _ = load_spec(spec_path)
    if workers < 1:
        raise UserError(f"--workers {workers}: must be at least 1")
    out = Path(out) if out else Path("results") / "sweeps" / spec_path.stem
    per_chunk = chunk_points(spec, sc.n_steps)
    plan = plan_chunks(spec.n_points, per_chunk)
    manifest = _manifest(spec, sc, per_chunk, len(plan))
    _open_folder(out, spec_path, spec, sc, manifest)
    if storage.is_complete(out):
        return out
    x = pd.read_parquet(out / "samples.parquet")[spec.names].to_numpy()
    todo = [c for c in plan if not chunk_path(out, c.index).is_file()]
    _compute(spec, sc, x, out, plan, todo, workers, scheduler, progress)
    return finish_sweep(out, analyse)


def _compute(spec, sc, x, out, plan, todo, workers, scheduler, progress) -> None:
    situation = sc.situation()
    r = spec.sweep.replicates

    def args(c: Chunk) -> tuple:
        return (
            situation,
            spec.metrics,
            spec.names,
            x[c.lo : c.hi],
            c.lo,
            r,
            spec.sweep.seed,
            spec.sweep.common_random_numbers,
        )

    started, worlds = time.perf_counter(), 0
    attempts = dict.fromkeys((c.index for c in todo), 0)
    bar: tqdm | None = None  # drawn once the executor is up, so a refused --scheduler is one line

    def done(c: Chunk, table: pd.DataFrame) -> None:
        nonlocal worlds
        storage.write_table(table, chunk_path(out, c.index))
        worlds += (c.hi - c.lo) * r
        bar.set_postfix_str(f"{worlds / (time.perf_counter() - started):,.0f} worlds/s")
        bar.update()

    try:
        while todo:
            failed = []
            with sweep_executor(workers, scheduler) as executor:
                if bar is None:
                    bar = tqdm(
                        total=len(plan),
                        initial=len(plan) - len(todo),
                        desc=f"sweep {sc.id}",
                        unit="chunk",
                        disable=not progress,
                    )
                if executor is None:
                    for c in todo:
                        done(c, evaluate_chunk(*args(c)))
                    return
                futures = {executor.submit(evaluate_chunk, *args(c)): c for c in todo}
                for fut in as_completed(futures):
                    c = futures[fut]
                    try:
                        table = fut.result()
                    except Exception as exc:  # a crashed worker or a failed task: retried below
                        failed.append((c, exc))
                        continue
                    done(c, table)
            for c, exc in failed:
                attempts[c.index] += 1
                if attempts[c.index] > RETRIES:
                    raise UserError(
                        f"chunk {c.index} (points {c.lo}-{c.hi - 1}) failed {attempts[c.index]} "
                        f"times ({type(exc).__name__}: {exc}); finished chunks are kept in "
                        f"{out}; re-run the same command to resume"
                    )
            if failed:
                warnings.warn(f"{len(failed)} chunk(s) failed; retrying", stacklevel=1)
            todo = [c for c, _ in failed]
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


def finish_sweep(out: Path, analyse: bool = True) -> Path:
    """Write ``points.parquet``, the analysis and plots, then ``meta.json`` (the sweep is done)."""
    out = Path(out)
    storage.write_table(assemble(out), out / "points.parquet")
    files = []
    if analyse:
        from .sweep_analysis import analyse_sweep  # SALib, PRIM and matplotlib: imported on use

        files = analyse_sweep(out)
    manifest = storage.read_json(out / MANIFEST)
    storage.write_json(
        dict(
            manifest,
            files=["points.parquet", *[str(p.relative_to(out)) for p in files]],
            **storage.provenance(),
        ),
        out / storage.META,
    )
    return out
