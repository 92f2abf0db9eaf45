"""Figures of a parameter sweep, drawn from tables the caller has read from its result files.

Each function draws one figure with matplotlib's Agg canvas, writes it atomically as a PNG and
returns its path: a response heatmap over two parameters, Sobol or Morris sensitivity indices,
a PRIM peeling trajectory with its chosen box, and a what-if comparison of two scenarios.
"""

from __future__ import annotations

from pathlib import Path

import matplotlib as mpl
import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.colors import BoundaryNorm
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch, Rectangle

from ..analysis.discovery import PrimResult
from ..analysis.sweeps import read_points
from ..experiments.compare import COLUMNS as COMPARE_COLUMNS
from ..experiments.sweep_spec import read_spec
from . import style
from .style import EMPTY as _EMPTY
from .style import STYLE as _STYLE
from .style import text_colour

_UP, _DOWN, _NULL = "#1f77b4", "#d62728", "0.6"
#: Cells up to this many get their mean and count written in them.
_ANNOTATE_CELLS = 144


def _require(table: pd.DataFrame, columns: tuple[str, ...] | list[str], what: str) -> None:
    missing = [c for c in columns if c not in table.columns]
    if missing:
        raise ValueError(f"{what} table lacks column(s) {', '.join(missing)}")


# --- heatmap -------------------------------------------------------------------------------


def _edges(values: np.ndarray, bins: int) -> tuple[np.ndarray, np.ndarray | None]:
    """Cell edges along one axis, and the levels when the values repeat on at most ``bins``
    levels (a grid or Morris design: one cell per level, edges half-way between levels); else
    ``bins`` equal-width cells over the range and no levels."""
    levels = np.unique(values)
    if len(levels) <= bins and len(levels) < len(values):
        if len(levels) == 1:
            return np.array([levels[0] - 0.5, levels[0] + 0.5]), levels
        mids = (levels[1:] + levels[:-1]) / 2
        first = 2 * levels[0] - mids[0]
        last = 2 * levels[-1] - mids[-1]
        return np.concatenate([[first], mids, [last]]), levels
    lo, hi = float(values.min()), float(values.max())
    if lo == hi:
        lo, hi = lo - 0.5, hi + 0.5
    return np.linspace(lo, hi, bins + 1), None


def _binning(levels: np.ndarray | None, cells: int) -> str:
    return f"{cells} equal-width cells" if levels is None else f"one cell per level, {cells} levels"


def _cell(values: np.ndarray, edges: np.ndarray) -> np.ndarray:
    # the top edge belongs to the last cell
    return np.clip(np.searchsorted(edges, values, side="right") - 1, 0, len(edges) - 2)


def plot_heatmap(
    points: pd.DataFrame,
    x: str,
    y: str,
    metric: str,
    path: Path,
    bins: int = 12,
    label: str | None = None,
) -> Path:
    """:func:`heatmap_figure`, written to ``path``."""
    return style.save(heatmap_figure(points, x, y, metric, bins, label), path)


def heatmap_figure(
    points: pd.DataFrame, x: str, y: str, metric: str, bins: int = 12, label: str | None = None
) -> Figure:
    """Mean of ``metric`` per cell of parameters ``x`` and ``y``; cells without points hatched.

    Parameters whose values repeat on at most ``bins`` levels (grid, Morris) get one cell per
    level; scattered values (LHS, Sobol) get ``bins`` equal-width cells over their range. Rows
    without a finite ``metric`` are left out (and counted in the subtitle).
    """
    _require(points, [x, y, metric], "points")
    values = points[metric].to_numpy(dtype=float)
    keep = np.isfinite(values)
    if not keep.any():
        raise ValueError(f"no finite values of '{metric}' to draw")
    px, py = points[x].to_numpy(dtype=float), points[y].to_numpy(dtype=float)
    # edges from every point, so that rows without a value show up as empty cells
    x_edges, x_levels = _edges(px, bins)
    y_edges, y_levels = _edges(py, bins)
    nx, ny = len(x_edges) - 1, len(y_edges) - 1
    flat = _cell(px[keep], x_edges) * ny + _cell(py[keep], y_edges)
    counts = np.bincount(flat, minlength=nx * ny).reshape(nx, ny)
    sums = np.bincount(flat, weights=values[keep], minlength=nx * ny).reshape(nx, ny)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = np.where(counts > 0, sums / counts, np.nan)

    name = label or metric
    with mpl.rc_context(_STYLE):
        fig = style.figure(7.8, 6.4)
        ax = fig.add_subplot()
        ax.add_patch(Rectangle((0, 0), 1, 1, transform=ax.transAxes, zorder=0, **_EMPTY))
        cmap = mpl.colormaps["viridis"]
        mesh = ax.pcolormesh(
            x_edges, y_edges, np.ma.masked_invalid(mean.T), cmap=cmap, edgecolor="white", lw=0.3
        )
        fig.colorbar(mesh, ax=ax, label=f"mean {name}")
        if nx * ny <= _ANNOTATE_CELLS:
            xc, yc = (x_edges[1:] + x_edges[:-1]) / 2, (y_edges[1:] + y_edges[:-1]) / 2
            for i, j in zip(*np.nonzero(counts), strict=True):
                ax.text(
                    xc[i],
                    yc[j],
                    f"{mean[i, j]:.3g}\nn={counts[i, j]}",
                    ha="center",
                    va="center",
                    fontsize=7 if nx * ny <= 49 else 6,
                    color=text_colour(cmap(mesh.norm(mean[i, j]))),
                )
        for axis, levels in ((ax.xaxis, x_levels), (ax.yaxis, y_levels)):
            if levels is not None:
                axis.set_ticks(levels, [f"{v:.3g}" for v in levels])
        ax.set(xlim=(x_edges[0], x_edges[-1]), ylim=(y_edges[0], y_edges[-1]))
        ax.set_xlabel(f"{x} ({_binning(x_levels, nx)})")
        ax.set_ylabel(f"{y} ({_binning(y_levels, ny)})")
        empty = int((counts == 0).sum())
        lines = [
            f"{name} by {x} and {y}",
            f"{int(keep.sum()):,} points; "
            + (
                f"{empty} of {nx * ny} cells without points (hatched)" if empty else "no cell empty"
            ),
        ]
        if not keep.all():
            lines.append(f"{int((~keep).sum()):,} points without a value of {metric} left out")
        ax.set_title("\n".join(lines), fontsize=10)
        if nx * ny <= _ANNOTATE_CELLS:
            ax.text(
                1.0,
                -0.09,
                "in each cell: mean, number of points",
                transform=ax.transAxes,
                ha="right",
                va="top",
                fontsize=8,
                color="0.35",
            )
        return fig


# --- sensitivity ---------------------------------------------------------------------------


def _all_zero(table: pd.DataFrame, columns: list[str]) -> bool:
    return bool((table[columns].to_numpy(dtype=float) == 0).all())


def _note_constant(ax: Axes) -> None:
    ax.text(
        0.5,
        0.5,
        "the outcome does not vary across the sample:\nevery index is 0",
        transform=ax.transAxes,
        ha="center",
        va="center",
        color="0.3",
        bbox={"facecolor": "white", "edgecolor": "0.7"},
    )


def _sobol(fig: Figure, table: pd.DataFrame, metric: str) -> None:
    _require(table, ["parameter", "S1", "S1_conf", "ST", "ST_conf"], "Sobol")
    t = table.sort_values("ST", kind="stable")  # barh draws bottom up: the largest on top
    ax = fig.add_subplot()
    pos = np.arange(len(t))
    bar = {"height": 0.38, "error_kw": {"elinewidth": 1, "capsize": 2.5, "ecolor": "0.2"}}
    ax.barh(pos + 0.2, t["ST"], xerr=t["ST_conf"], color="#08519c", label="ST: total", **bar)
    ax.barh(pos - 0.2, t["S1"], xerr=t["S1_conf"], color="#9ecae1", label="S1: first order", **bar)
    ax.set_yticks(pos, t["parameter"])
    reach = np.concatenate([t["S1"] + t["S1_conf"], t["ST"] + t["ST_conf"]])
    low = np.concatenate([t["S1"] - t["S1_conf"], t["ST"] - t["ST_conf"]])
    ax.set_xlim(min(0.0, np.nanmin(low)) - 0.03, max(1.0, np.nanmax(reach)) + 0.03)
    ax.axvline(0, color="0.3", lw=0.8)
    ax.grid(axis="x", color="0.9")
    ax.set_axisbelow(True)
    ax.set_xlabel("share of the outcome's variance")
    ax.legend(loc="lower right", title="error bars: bootstrap\nconfidence interval")
    if _all_zero(table, ["S1", "S1_conf", "ST", "ST_conf"]):
        _note_constant(ax)
    ax.set_title(
        f"Sobol indices of {metric}\nsum of S1 = {table['S1'].sum():.2f} "
        "(near 1: effects add up; well below 1: interactions)",
        fontsize=10,
    )


def _morris(fig: Figure, table: pd.DataFrame, metric: str) -> None:
    _require(table, ["parameter", "mu", "mu_star", "mu_star_conf", "sigma"], "Morris")
    t = table.sort_values("mu_star", kind="stable")
    bars, scatter = fig.subplots(1, 2, width_ratios=[1.2, 1])
    pos = np.arange(len(t))
    err = {"elinewidth": 1, "capsize": 2.5, "ecolor": "0.2"}
    bars.barh(
        pos + 0.2,
        t["mu_star"],
        height=0.38,
        xerr=t["mu_star_conf"],
        error_kw=err,
        color="#08519c",
        label="μ*: mean |effect|",
    )
    bars.barh(pos - 0.2, t["sigma"], height=0.38, color="#fdae6b", label="σ: spread of effects")
    bars.set_yticks(pos, t["parameter"])
    bars.axvline(0, color="0.3", lw=0.8)
    bars.grid(axis="x", color="0.9")
    bars.set_axisbelow(True)
    bars.set_xlabel("change in outcome per full parameter range")
    bars.legend(loc="lower right", title="error bars: bootstrap\nconfidence interval of μ*")

    top = float(np.nanmax(np.concatenate([t["mu_star"] + t["mu_star_conf"], t["sigma"]])))
    top = top * 1.12 if top > 0 else 1.0
    scatter.plot([0, top], [0, top], color="0.6", ls="--", lw=0.8, label="σ = μ*")
    scatter.scatter(t["mu_star"], t["sigma"], color="#08519c", zorder=3, clip_on=False)
    _label_points(scatter, t, top)
    scatter.set(xlim=(0, top), ylim=(0, top), xlabel="μ*", ylabel="σ")
    scatter.grid(color="0.9")
    scatter.set_axisbelow(True)
    scatter.legend(loc="upper left", title="above the line: nonlinear\nor interacting")
    if _all_zero(table, ["mu", "mu_star", "mu_star_conf", "sigma"]):
        _note_constant(bars)
    fig.suptitle(f"Morris elementary effects of {metric}", fontsize=11)


def _label_points(ax: Axes, t: pd.DataFrame, top: float) -> None:
    """Name the points of the μ*–σ scatter: one label for points that coincide (to 1% of the
    axis), and labels of neighbours from the largest μ* down alternately above and below."""
    keys = (t[["mu_star", "sigma"]] / (top * 0.01)).round().astype(int)
    groups = t.groupby([keys["mu_star"], keys["sigma"]], sort=False)
    for i, (_, g) in enumerate(sorted(groups, key=lambda kv: -kv[1]["mu_star"].max())):
        ax.annotate(
            ", ".join(g["parameter"]),
            (g["mu_star"].mean(), g["sigma"].mean()),
            xytext=(5, 4 if i % 2 == 0 else -10),
            textcoords="offset points",
            fontsize=8,
        )


def plot_sensitivity(table: pd.DataFrame, method: str, metric: str, path: Path) -> Path:
    """:func:`sensitivity_figure`, written to ``path``."""
    return style.save(sensitivity_figure(table, method, metric), path)


def sensitivity_figure(table: pd.DataFrame, method: str, metric: str) -> Figure:
    """Sensitivity indices from :mod:`cstosim.sensitivity`: for ``"sobol"``, bars of S1 and ST
    with confidence intervals, largest ST on top; for ``"morris"``, bars of μ* (with its
    interval) and σ beside a μ*–σ scatter."""
    draw = {"sobol": _sobol, "morris": _morris}.get(method)
    if draw is None:
        raise ValueError(f"unknown method '{method}'; use sobol or morris")
    with mpl.rc_context(_STYLE):
        fig = style.figure(7.5 if method == "sobol" else 11.5, 1.8 + 0.45 * len(table))
        draw(fig, table, metric)
        return fig


# --- PRIM ----------------------------------------------------------------------------------


def _trajectory_panel(ax: Axes, fig: Figure, result: PrimResult) -> None:
    t = result.trajectory
    dims = t["res_dim"].to_numpy()
    levels = np.arange(dims.min(), dims.max() + 2) - 0.5
    cmap = mpl.colormaps["viridis"].resampled(len(levels) - 1)
    norm = BoundaryNorm(levels, cmap.N)
    ax.plot(t["coverage"], t["density"], color="0.8", lw=0.8, zorder=1)
    dots = ax.scatter(t["coverage"], t["density"], c=dims, cmap=cmap, norm=norm, s=18, zorder=2)
    bar = fig.colorbar(dots, ax=ax, ticks=np.unique(dims), label="restricted parameters")
    bar.minorticks_off()
    ax.axhline(result.base_rate, color="0.5", ls=":", lw=1)
    ax.text(
        0.01,
        result.base_rate,
        " base rate",
        va="bottom",
        fontsize=8,
        color="0.4",
        transform=ax.get_yaxis_transform(),
    )
    ax.axvline(result.min_coverage, color="0.5", ls=":", lw=1)
    ax.text(
        result.min_coverage,
        0.01,
        " minimum\n coverage",
        fontsize=8,
        color="0.4",
        transform=ax.get_xaxis_transform(),
    )
    row = t.iloc[result.chosen]
    ax.scatter(
        row["coverage"],
        row["density"],
        s=150,
        facecolor="none",
        edgecolor="#d62728",
        lw=2,
        zorder=3,
    )
    ax.annotate(
        f"box {result.chosen}\ncoverage {row['coverage']:.0%}\ndensity {row['density']:.0%} "
        f"({row['density'] / result.base_rate:.1f}× base rate)\n"
        f"mass {row['mass']:.0%}",
        (row["coverage"], row["density"]),
        xytext=(0.3, 0.55),
        textcoords="axes fraction",
        fontsize=9,
        color="#d62728",
        arrowprops={"arrowstyle": "->", "color": "#d62728"},
    )
    ax.set(xlim=(0, 1.03), ylim=(0, 1.03))
    ax.set_xlabel("coverage: share of all cases inside the box")
    ax.set_ylabel("density: share of the box's points that are cases")
    ax.grid(color="0.92")
    ax.set_axisbelow(True)
    ax.set_title("peeling trajectory", loc="left")


def _limits_panel(
    ax: Axes, result: PrimResult, bounds: dict[str, tuple[float, float]] | None
) -> None:
    shown = result.limits[result.limits["restricted"]]
    ax.set_title("chosen box within each parameter's range", loc="left")
    ax.set_xlabel("position in the swept range (0 = low end, 1 = high end)")
    if shown.empty:
        ax.text(
            0.5,
            0.5,
            "no parameter restricted:\nthe box is the whole sample",
            ha="center",
            va="center",
            transform=ax.transAxes,
            color="0.3",
        )
        ax.set_yticks([])
        return
    pos = np.arange(len(shown))[::-1]
    for p, (_, row) in zip(pos, shown.iterrows(), strict=True):
        name = row["parameter"]
        lo, hi = (bounds or result.ranges).get(name, result.ranges[name])
        data_lo, data_hi = result.ranges[name]
        # a side PRIM did not peel is not a limit: draw it out to the bound
        cut_lo, cut_hi = row["low"] > data_lo, row["high"] < data_hi
        box_lo = row["low"] if cut_lo else lo
        box_hi = row["high"] if cut_hi else hi
        span = (hi - lo) or 1.0
        a, b = (box_lo - lo) / span, (box_hi - lo) / span
        ax.barh(p, 1.0, height=0.5, **_EMPTY)
        ax.barh(p, b - a, left=a, height=0.5, color="#2c7fb8")
        text = " and ".join(
            part
            for part, cut in ((f"≥ {row['low']:.3g}", cut_lo), (f"≤ {row['high']:.3g}", cut_hi))
            if cut
        )
        ax.text(0.5, p + 0.3, f"{name} {text}", ha="center", va="bottom", fontsize=9)
        ax.text(0, p - 0.3, f"{lo:.3g}", ha="left", va="top", fontsize=8, color="0.4")
        ax.text(1, p - 0.3, f"{hi:.3g}", ha="right", va="top", fontsize=8, color="0.4")
    ax.set_yticks(pos, shown["parameter"])
    ax.set(xlim=(-0.02, 1.02), ylim=(-0.9, len(shown) - 0.2))
    ax.legend(
        handles=[Patch(color="#2c7fb8", label="inside the box"), Patch(**_EMPTY, label="outside")],
        loc="upper center",
        bbox_to_anchor=(0.5, -0.14),
        ncols=2,
        frameon=False,
    )


def plot_prim(
    result: PrimResult,
    path: Path,
    outcome: str,
    bounds: dict[str, tuple[float, float]] | None = None,
) -> Path:
    """:func:`prim_figure`, written to ``path``."""
    return style.save(prim_figure(result, outcome, bounds), path)


def prim_figure(
    result: PrimResult, outcome: str, bounds: dict[str, tuple[float, float]] | None = None
) -> Figure:
    """The peeling trajectory (coverage against density, by number of restricted parameters)
    with the chosen box ringed, and the chosen box's limits on each restricted parameter drawn
    within its full range: ``bounds`` (the sweep's bounds) if given, else the sampled range."""
    n_rows = int(result.limits["restricted"].sum())
    with mpl.rc_context(_STYLE):
        fig = style.figure(13, max(5.2, 2.2 + 0.7 * n_rows))
        left, right = fig.subplots(1, 2, width_ratios=[1.1, 1])
        _trajectory_panel(left, fig, result)
        _limits_panel(right, result, bounds)
        fig.suptitle(
            f"PRIM scenario discovery: {outcome}\n"
            f"{result.base_rate:.1%} of {result.n_points:,} points are cases; chosen box: the "
            f"densest with coverage ≥ {result.min_coverage:.0%}",
            fontsize=11,
        )
        return fig


# --- what-if comparison --------------------------------------------------------------------


def _order(table: pd.DataFrame) -> pd.DataFrame:
    """Differences whose interval excludes 0 first, each group by how many interval half-widths
    the difference is from 0 (the scales of the metrics differ, so raw sizes do not compare)."""
    half = (table["ci_high"] - table["ci_low"]) / 2
    clear = (table["ci_low"] > 0) | (table["ci_high"] < 0)
    strength = (table["diff"].abs() / half.where(half > 0)).fillna(0.0)
    keyed = table.assign(_clear=clear, _strength=strength)
    return keyed.sort_values(["_clear", "_strength"], ascending=False, kind="stable")


def plot_compare(table: pd.DataFrame, path: Path, title: str) -> Path:
    """:func:`compare_figure`, written to ``path``."""
    return style.save(compare_figure(table, title), path)


def compare_figure(table: pd.DataFrame, title: str) -> Figure:
    """What-if chart: one row per metric, the mean paired difference variant − baseline with its
    confidence interval, each row on its own scale around a centred zero; differences whose
    interval covers 0 are grey. Baseline → variant values are written beside each row."""
    _require(table, COMPARE_COLUMNS, "comparison")
    if table.empty:
        raise ValueError("comparison table has no rows")
    rows = _order(table)
    n = len(rows)
    with mpl.rc_context(_STYLE):
        fig = style.figure(10, 1.5 + 0.62 * n)
        axes = np.atleast_1d(fig.subplots(n, 1))
        for ax, (_, r) in zip(axes, rows.iterrows(), strict=True):
            lo, hi, diff = float(r["ci_low"]), float(r["ci_high"]), float(r["diff"])
            colour = _UP if lo > 0 else _DOWN if hi < 0 else _NULL
            ends = np.abs([v for v in (diff, lo, hi) if np.isfinite(v)] or [0.0])
            reach = 1.15 * ends.max() or 1.0  # centres zero; a row of zeros gets ±1
            # no whiskers where the interval is unknown (too few pairs)
            known = bool(np.isfinite([lo, hi]).all())
            xerr = [[diff - lo], [hi - diff]] if known else None
            interval = f"[{lo:+.3g}, {hi:+.3g}]" if known else "(no interval)"
            ax.axvline(0, color="0.3", lw=0.8)
            ax.errorbar(diff, 0, xerr=xerr, fmt="o", color=colour, ms=6, capsize=3, elinewidth=1.4)
            ax.set(xlim=(-reach, reach), ylim=(-1, 1), yticks=[])
            ax.spines["left"].set_visible(False)
            ax.tick_params(axis="x", labelsize=7, length=2, pad=1)
            ax.set_ylabel(r["metric"], rotation=0, ha="right", va="center", fontsize=9)
            ax.text(
                1.02,
                0.5,
                f"{r['baseline']:.3g} → {r['variant']:.3g}\n"
                f"Δ {diff:+.3g} {interval}, n={int(r['n_pairs']):,}",
                transform=ax.transAxes,
                va="center",
                fontsize=8,
                color="0.15" if colour != _NULL else "0.45",
            )
        axes[-1].set_xlabel("variant − baseline (each row on its own scale)")
        fig.legend(
            handles=[
                Line2D([], [], color=_UP, marker="o", label="increase (interval excludes 0)"),
                Line2D([], [], color=_DOWN, marker="o", label="decrease (interval excludes 0)"),
                Line2D([], [], color=_NULL, marker="o", label="interval includes 0 or unknown"),
            ],
            loc="outside lower center",
            ncols=3,
            frameon=False,
        )
        fig.suptitle(
            f"{title}\npaired difference per metric with confidence interval; "
            "beside each row: baseline → variant, Δ [interval], pairs",
            fontsize=11,
        )
        return fig


def sweep_figures(out: Path) -> dict[str, Figure]:
    """Every figure of a finished, analysed sweep folder, by file name under ``plots/``.

    Sensitivity bars per metric (Sobol or Morris designs), a heatmap per metric over two inputs
    (the spec's ``heatmap`` or its first two), and the PRIM trade-off where a box was found.
    """
    out = Path(out)
    spec = read_spec(out / "spec.toml")
    points = read_points(out)
    figures: dict[str, Figure] = {}
    metrics = [m.name for m in spec.metrics]
    method = spec.sweep.sampler
    indices = out / "analysis" / f"{method}.csv"
    if indices.is_file():
        table = pd.read_csv(indices)
        for metric in metrics:
            rows = table[table["metric"] == metric]
            figures[f"sensitivity-{metric}.png"] = sensitivity_figure(rows, method, metric)
    if len(spec.names) >= 2:
        x, y = spec.sweep.heatmap or spec.names[:2]
        for metric in metrics:
            figures[f"heatmap-{metric}.png"] = heatmap_figure(points, x, y, metric)
    if spec.prim is not None and (out / "analysis" / "prim_box.csv").is_file():
        label = f"{spec.prim.metric} ≥ {spec.prim.threshold:g}"
        bounds = dict(zip(spec.names, spec.bounds, strict=True))
        figures["prim.png"] = prim_figure(PrimResult.read(out / "analysis"), label, bounds)
    return figures


def plot_sweep(out: Path) -> list[Path]:
    """Every figure of :func:`sweep_figures`, written under ``<out>/plots/``."""
    folder = Path(out) / "plots"
    return [style.save(fig, folder / name) for name, fig in sweep_figures(out).items()]
