"""A finished sweep's analysis and figures, read only from its folder's files.

Sobol and Morris designs get their indices per metric (SALib); any design with a ``[prim]`` block
gets scenario discovery on "metric ≥ threshold" per point; any design with two or more inputs
gets a heatmap per metric over two of them.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from . import storage
from .discovery import PrimResult, prim_boxes
from .samplers import problem
from .sensitivity import morris_indices, sobol_indices
from .sweep_plots import plot_heatmap, plot_prim, plot_sensitivity
from .sweep_spec import SweepSpec, load_spec


def _write_csv(df: pd.DataFrame, path: Path) -> Path:
    with storage.atomic_open(path) as fh:
        fh.write(df.to_csv(index=False).encode())
    return path


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
    y = points[spec.prim.metric].to_numpy() >= spec.prim.threshold
    return prim_boxes(points[spec.names].astype(float), y, min_coverage=spec.prim.min_coverage)


def analyse_sweep(out: Path) -> list[Path]:
    """Write the analysis tables and figures of a sweep folder; return their paths."""
    out = Path(out)
    spec, _, _ = load_spec(out / "spec.toml")
    points = pd.read_parquet(out / "points.parquet").sort_values("point", ignore_index=True)
    (out / "analysis").mkdir(exist_ok=True)
    (out / "plots").mkdir(exist_ok=True)
    written: list[Path] = []
    names = spec.names
    metrics = [m.name for m in spec.metrics]

    table = sensitivity_table(points, spec)
    if table is not None:
        method = spec.sweep.sampler
        written.append(_write_csv(table, out / "analysis" / f"{method}.csv"))
        table = pd.read_csv(out / "analysis" / f"{method}.csv")
        for metric in metrics:
            rows = table[table["metric"] == metric]
            written.append(
                plot_sensitivity(rows, method, metric, out / "plots" / f"sensitivity-{metric}.png")
            )

    if len(names) >= 2:
        x, y = spec.sweep.heatmap or names[:2]
        for metric in metrics:
            written.append(
                plot_heatmap(points, x, y, metric, out / "plots" / f"heatmap-{metric}.png")
            )

    if spec.prim is not None:
        try:
            result = discovery(points, spec)
        except ValueError as exc:
            storage.write_json({"skipped": str(exc)}, out / "analysis" / "prim.json")
            written.append(out / "analysis" / "prim.json")
            print(f"prim: skipped: {exc}")
        else:
            written += result.write(out / "analysis")
            label = f"{spec.prim.metric} ≥ {spec.prim.threshold:g}"
            bounds = dict(zip(names, spec.bounds, strict=True))
            saved = PrimResult.read(out / "analysis")
            written.append(plot_prim(saved, out / "plots" / "prim.png", label, bounds))
    return written
