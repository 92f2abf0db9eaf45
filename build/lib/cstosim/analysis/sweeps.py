"""A finished sweep's analysis tables, read only from its folder's files.

Sobol and Morris designs get their indices per metric (SALib); any design with a ``[prim]`` block
gets scenario discovery on "metric ≥ threshold" per point. The figures are drawn from these files
by :mod:`cstosim.plots.sweeps`.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from ..experiments import storage
from ..experiments.samplers import problem
from ..experiments.sweep_spec import SweepSpec, read_spec
from .discovery import PrimResult, prim_boxes
from .sensitivity import morris_indices, sobol_indices


def sensitivity_table(points: pd.DataFrame, spec: SweepSpec) -> pd.DataFrame | None:
    """Sobol (S1, ST) or Morris (mu*, sigma) indices of every metric; None for other designs.

    ``points`` must be in design order: Saltelli's estimators read the rows by position.
    """
    method = spec.sweep.sampler
    if method not in ("sobol", "morris"):
        return None
    prob = problem(spec.names, spec.bounds)
    frames = []
    for m in spec.metrics:
        y = points[m.name].to_numpy()
        if method == "sobol":
            table = sobol_indices(prob, y, seed=spec.sweep.seed)
        else:
            x = points[spec.names].to_numpy()
            table = morris_indices(
                prob, x, y, seed=spec.sweep.seed, num_levels=spec.sweep.morris_levels
            )
        frames.append(table.assign(metric=m.name))
    return pd.concat(frames, ignore_index=True)


def discovery(points: pd.DataFrame, spec: SweepSpec) -> PrimResult:
    """PRIM boxes of the points where the ``[prim]`` metric is at least its threshold."""
    assert spec.prim is not None
    y = points[spec.prim.metric].to_numpy() >= spec.prim.threshold
    return prim_boxes(points[spec.names].astype(float), y, min_coverage=spec.prim.min_coverage)


def read_points(out: Path) -> pd.DataFrame:
    """A finished sweep's ``points.parquet``, in design order."""
    return pd.read_parquet(Path(out) / "points.parquet").sort_values("point", ignore_index=True)


def analyse_sweep(out: Path) -> list[Path]:
    """Write the analysis tables of a finished sweep folder under ``analysis/``."""
    out = Path(out)
    spec = read_spec(out / "spec.toml")
    points = read_points(out)
    folder = storage.prepare_output_dir(out / "analysis")
    written: list[Path] = []
    table = sensitivity_table(points, spec)
    if table is not None:
        path = folder / f"{spec.sweep.sampler}.csv"
        with storage.atomic_open(path) as fh:
            fh.write(table.to_csv(index=False).encode())
        written.append(path)
    if spec.prim is not None:
        try:
            result = discovery(points, spec)
        except ValueError as exc:
            storage.write_json({"skipped": str(exc)}, folder / "prim.json")
            written.append(folder / "prim.json")
            print(f"prim: skipped: {exc}")
        else:
            written += result.write(folder)
    return written
