"""Figures drawn from result folders only (see ``docs/results.md``), with matplotlib's Agg canvas.

For a run folder, :func:`plot_run` writes ``plots/responses.png``, ``plots/defection.png`` and
``plots/trust.png``; :func:`plot_path` also handles a batch folder and adds
``plots/summary_responses.png`` there. Shares carry 95% Wilson intervals over worlds.
"""

from __future__ import annotations

import math
import textwrap
from dataclasses import dataclass
from pathlib import Path

import matplotlib as mpl
import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.dates import AutoDateLocator, ConciseDateFormatter
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch
from matplotlib.ticker import PercentFormatter

from .storage import RunResult, atomic_open, find_runs, read_run
from .vocabulary import MEMBERS, RUNG_NAMES

DPI = 120
SUMMARY = "summary_responses.png"
Z95 = 1.959964
_STYLE = {
    "font.size": 10,
    "axes.titlesize": 11,
    "axes.labelsize": 10,
    "figure.titlesize": 13,
    "legend.fontsize": 9,
    "axes.spines.top": False,
    "axes.spines.right": False,
}
#: One fixed colour per rung: grey for none, then a light-to-dark ramp up the ladder.
RUNG_COLOURS: dict[str, str] = dict(
    zip(RUNG_NAMES, ("#bdbdbd", "#c7e9b4", "#7fcdbb", "#41b6c4", "#2c7fb8", "#253494"), strict=True)
)
#: One fixed colour per member, the same in every figure.
MEMBER_COLOURS: dict[str, str] = {
    m: mpl.colors.to_hex(mpl.colormaps["tab10"](i)) for i, m in enumerate(MEMBERS)
}
#: Hatching for months in which a state is a member in no world.
_OUTSIDE = {"facecolor": "white", "edgecolor": "0.75", "hatch": "//", "lw": 0}


class PlotFiles(list[Path]):
    """The PNG files written, in order; ``skipped`` says, one line each, which plots were left
    out and why."""

    def __init__(self) -> None:
        super().__init__()
        self.skipped: list[str] = []

    def extend_from(self, other: PlotFiles) -> None:
        """Append another result's files and skip notes."""
        self.extend(other)
        self.skipped.extend(other.skipped)


def wilson_interval(k: np.ndarray, n: int, z: float = Z95) -> tuple[np.ndarray, np.ndarray]:
    """Wilson score interval for ``k`` successes out of ``n`` (arrays of counts allowed)."""
    k = np.asarray(k, dtype=float)
    p = k / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z / (1 + z * z / n) * np.sqrt(p * (1 - p) / n + z * z / (4 * n * n))
    return np.clip(centre - half, 0.0, 1.0), np.clip(centre + half, 0.0, 1.0)


def _months(dates: pd.Series) -> pd.Series:
    return pd.to_datetime(dates, format="%Y-%m")


def _pretty(name: str) -> str:
    return name.replace("_", " ")


def _scenario_name(meta: dict) -> str:
    title = meta.get("scenario_title") or meta.get("scenario_id", "unnamed scenario")
    return f"{title} (hypothetical)" if meta.get("hypothetical") else title


def _n_worlds(run: RunResult) -> int:
    if "n_worlds" in run.meta:
        return int(run.meta["n_worlds"])
    return int(run.members["world"].nunique())


def _figure(width: float, height: float) -> Figure:
    fig = Figure(figsize=(width, height), layout="constrained")
    FigureCanvasAgg(fig)
    return fig


def _save(fig: Figure, path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    with atomic_open(path) as fh:
        fig.savefig(fh, format="png", dpi=DPI)
    return path


def _date_axis(ax: Axes) -> None:
    locator = AutoDateLocator(minticks=4, maxticks=9)
    ax.xaxis.set_major_locator(locator)
    ax.xaxis.set_major_formatter(ConciseDateFormatter(locator))


# --- responses -----------------------------------------------------------------------------


@dataclass(frozen=True)
class _CrisisRow:
    group: str  # the run it comes from
    label: str
    note: str
    shares: np.ndarray  # share of worlds at each rung, ladder order


def _asked_labels(crises: pd.DataFrame) -> pd.Series:
    """What was asked, per world: the rung for an assistance request, else the request."""
    asked = crises["asked"].where(crises["request"] == "assistance", crises["request"])
    return asked.replace({"none": "nothing"}).map(_pretty)


def _shares_text(counts: pd.Series, n: int) -> str:
    return ", ".join(f"{name} {c / n:.0%}" for name, c in counts.items() if c / n >= 0.005)


def _crisis_row(group: pd.DataFrame, run_name: str, prefix: str) -> _CrisisRow:
    n = len(group)
    counts = group["response"].value_counts().reindex(RUNG_NAMES, fill_value=0)
    modal = counts.idxmax()
    lo, hi = wilson_interval(counts[modal], n)
    first = group.iloc[0]
    label = (
        f"{prefix}{first['crisis']}\n{first['target']} · {_pretty(first['kind'])} · {first['date']}"
    )
    note = (
        f"asked: {_shares_text(_asked_labels(group).value_counts(), n)}   |   "
        f"most common: {_pretty(modal)} {counts[modal] / n:.0%} (95% CI {lo:.0%}–{hi:.0%})"
    )
    return _CrisisRow(run_name, label, note, counts.to_numpy(dtype=float) / n)


def _crisis_rows(run: RunResult, prefix: str = "") -> list[_CrisisRow]:
    """One row per crisis of a run, in order of onset."""
    onset = run.crises.groupby("crisis", sort=False)["step"].min().sort_values(kind="stable")
    groups = run.crises.groupby("crisis", sort=False)
    return [_crisis_row(groups.get_group(c), str(run.path), prefix) for c in onset.index]


def _text_colour(colour: str) -> str:
    r, g, b = mpl.colors.to_rgb(colour)
    return "black" if 0.299 * r + 0.587 * g + 0.114 * b > 0.55 else "white"


def _stack_bars(ax: Axes, shares: np.ndarray) -> None:
    """Stacked horizontal bars, one per row, segments in ladder order; the modal one outlined."""
    y = np.arange(len(shares))
    left = np.zeros(len(shares))
    modal = shares.argmax(axis=1)
    for i, rung in enumerate(RUNG_NAMES):
        colour = RUNG_COLOURS[rung]
        bars = ax.barh(y, shares[:, i], left=left, height=0.5, color=colour, edgecolor="white")
        labels = [f"{s:.0%}" if s >= 0.06 else "" for s in shares[:, i]]
        ax.bar_label(bars, labels, label_type="center", color=_text_colour(colour), fontsize=8.5)
        for bar in np.asarray(bars.patches)[modal == i]:
            bar.set(edgecolor="black", linewidth=1.6, zorder=3)
        left += shares[:, i]


def _draw_response_rows(ax: Axes, rows: list[_CrisisRow]) -> None:
    """The bars, each with what was asked and the most common response written above it."""
    _stack_bars(ax, np.array([r.shares for r in rows]))
    for y, row in enumerate(rows):
        ax.text(0.003, y - 0.3, row.note, fontsize=8.5, va="bottom", ha="left", color="0.2")
        if y and row.group != rows[y - 1].group:
            ax.axhline(y - 0.62, color="0.5", lw=0.8, ls="--")
    ax.set_yticks(range(len(rows)), [r.label for r in rows])
    ax.set_ylim(len(rows) - 0.5, -0.75)
    ax.set_xlim(0, 1)
    ax.xaxis.set_major_formatter(PercentFormatter(1.0, decimals=0))
    ax.set_xlabel("share of worlds (%); outlined: the most common response")
    ax.tick_params(axis="y", length=0)


def _rung_legend(fig: Figure) -> None:
    handles = [Patch(color=RUNG_COLOURS[r], label=_pretty(r)) for r in RUNG_NAMES]
    fig.legend(
        handles=handles,
        loc="outside lower center",
        ncols=len(handles),
        frameon=False,
        title="alliance response, in ladder order (lowest first)",
    )


def _response_figure(rows: list[_CrisisRow], title: str, path: Path) -> Path:
    fig = _figure(11, 1.9 + 0.85 * len(rows))
    _draw_response_rows(fig.add_subplot(), rows)
    fig.suptitle(title)
    _rung_legend(fig)
    return _save(fig, path)


def _responses(run: RunResult, path: Path) -> Path:
    title = f"{_scenario_name(run.meta)}: alliance response per crisis ({_n_worlds(run):,} worlds)"
    return _response_figure(_crisis_rows(run), title, path)


# --- defection -----------------------------------------------------------------------------


def _defection_legend(ax: Axes, shown: list[str], hidden: list[str]) -> None:
    """Legend of the members drawn, naming those left out; a plain note if none is drawn."""
    if not shown:
        ax.text(
            0.5,
            0.5,
            "no member frozen or withdrawn in any world",
            transform=ax.transAxes,
            ha="center",
            va="center",
            color="0.3",
        )
        return
    handles, _ = ax.get_legend_handles_labels()
    if hidden:
        note = "not shown, 0% throughout: " + ", ".join(hidden)
        handles.append(Line2D([], [], ls="none", label=textwrap.fill(note, 28)))
    ax.legend(
        handles=handles,
        loc="upper left",
        bbox_to_anchor=(1.01, 1.0),
        frameon=False,
        title="members shown\n(line: share, band: 95% CI)",
        alignment="left",
    )


def _defection(run: RunResult, path: Path) -> Path:
    steps = run.steps.assign(when=_months(run.steps["date"]))
    steps["left"] = steps["share_frozen"] + steps["share_withdrawn"]
    n = _n_worlds(run)
    fig = _figure(10, 5)
    ax = fig.add_subplot()
    peak = steps.groupby("member")["left"].max()
    shown = [m for m in MEMBERS if peak.get(m, 0.0) > 0]
    hidden = [m for m in MEMBERS if peak.get(m, 1.0) <= 0]
    for member in shown:
        g = steps[steps["member"] == member].sort_values("step")
        lo, hi = wilson_interval(np.rint(g["left"] * n), n)
        colour = MEMBER_COLOURS[member]
        label = f"{member} (peak {peak[member]:.0%})"
        ax.plot(g["when"], g["left"], color=colour, lw=1.8, label=label)
        ax.fill_between(g["when"], lo, hi, color=colour, alpha=0.18, lw=0)
    ax.set(ylim=(0, 1), xlim=(steps["when"].min(), steps["when"].max()), axisbelow=True)
    ax.set(xlabel="month", ylabel="share of worlds frozen or withdrawn (%)")
    ax.yaxis.set_major_formatter(PercentFormatter(1.0, decimals=0))
    ax.grid(axis="y", color="0.9")
    _date_axis(ax)
    _defection_legend(ax, shown, hidden)
    ax.set_title(f"{_scenario_name(run.meta)}: members frozen or withdrawn ({n:,} worlds)")
    return _save(fig, path)


# --- trust ---------------------------------------------------------------------------------


def _trust_members(steps: pd.DataFrame) -> list[str]:
    """Members that are not 'never' in some world at some step, in treaty order."""
    ever = steps.groupby("member")["share_never"].min() < 1.0
    return [m for m in MEMBERS if ever.get(m, False)]


def _trust_panel(ax: Axes, g: pd.DataFrame, member: str) -> bool:
    """Quantile bands and median for one member; months in which it is a member in no world are
    hatched instead. Returns whether any month was hatched."""
    outside = g["share_never"] >= 1.0
    q = g.filter(like="trust_q").mask(outside, axis=0)
    colour = MEMBER_COLOURS[member]
    ax.fill_between(g["when"], q["trust_q05"], q["trust_q95"], color=colour, alpha=0.18, lw=0)
    ax.fill_between(g["when"], q["trust_q25"], q["trust_q75"], color=colour, alpha=0.4, lw=0)
    ax.plot(g["when"], q["trust_q50"], color=colour, lw=1.8)
    until_joined = outside | outside.shift(fill_value=False)  # hatch up to the next month
    ax.fill_between(
        g["when"], 0, 1, where=until_joined, transform=ax.get_xaxis_transform(), **_OUTSIDE
    )
    ax.set_title(member, loc="left", fontweight="bold")
    ax.set_axisbelow(True)
    ax.grid(axis="y", color="0.9")
    return bool(outside.any())


def _trust_legend(fig: Figure, shaded: bool) -> None:
    grey = "0.35"
    handles = [
        Line2D([], [], color=grey, lw=1.8, label="median over worlds"),
        Patch(color=grey, alpha=0.4, label="middle 50% of worlds (q25–q75)"),
        Patch(color=grey, alpha=0.18, label="middle 90% of worlds (q05–q95)"),
    ]
    if shaded:
        handles.append(Patch(**_OUTSIDE, label="not a member in any world"))
    fig.legend(handles=handles, loc="outside lower center", ncols=len(handles), frameon=False)


def _trust_axes(fig: Figure, n: int) -> list[Axes]:
    """A grid of ``n`` panels, three to a row, sharing axes; x tick labels on each column's last."""
    ncols = min(3, n)
    nrows = math.ceil(n / ncols)
    grid = fig.subplots(nrows, ncols, sharex=True, sharey=True, squeeze=False).ravel()
    for i in range(n, len(grid)):
        grid[i - ncols].tick_params(labelbottom=True)
        grid[i].remove()
    for i in range(max(0, n - ncols), n):
        grid[i].set_xlabel("month")
    return list(grid[:n])


def _trust(run: RunResult, path: Path) -> Path:
    steps = run.steps.assign(when=_months(run.steps["date"]))
    members = _trust_members(steps) or [m for m in MEMBERS if m in set(steps["member"])]
    ncols = min(3, len(members))
    fig = _figure(4.2 * ncols + 0.6, 2.6 * math.ceil(len(members) / ncols) + 1.3)
    axes = _trust_axes(fig, len(members))
    shaded = [
        _trust_panel(ax, steps[steps["member"] == m].sort_values("step"), m)
        for ax, m in zip(axes, members, strict=True)
    ]
    axes[0].set(ylim=(0, 1), xlim=(steps["when"].min(), steps["when"].max()))
    _date_axis(axes[0])
    fig.supylabel("trust in the alliance (0–1)")
    fig.suptitle(f"{_scenario_name(run.meta)}: trust by member ({_n_worlds(run):,} worlds)")
    _trust_legend(fig, any(shaded))
    return _save(fig, path)


# --- entry points --------------------------------------------------------------------------

_PLOTS = (
    ("responses.png", "crises", _responses, "no crises in this run"),
    ("defection.png", "steps", _defection, "no per-step table"),
    ("trust.png", "steps", _trust, "no per-step table"),
)


def plot_run(run_dir: Path) -> PlotFiles:
    """Draw every plot for one run folder into ``<run_dir>/plots/``; tables that are empty or
    absent skip their plot, noted in the result's ``skipped``."""
    return _plot_run(read_run(run_dir))


def _plot_run(run: RunResult) -> PlotFiles:
    out = PlotFiles()
    with mpl.rc_context(_STYLE):
        for name, table, draw, why in _PLOTS:
            if getattr(run, table).empty:
                out.skipped.append(f"{run.path / 'plots' / name}: skipped, {why} ({table}.parquet)")
            else:
                out.append(draw(run, run.path / "plots" / name))
    return out


def _summary(runs: list[RunResult], batch: Path) -> Path:
    runs = [r for r in runs if not r.crises.empty]
    rows = [
        row
        for run in runs
        for row in _crisis_rows(run, prefix=f"{run.meta.get('scenario_id', run.path.name)}: ")
    ]
    n_text = " or ".join(f"{n:,}" for n in sorted({_n_worlds(r) for r in runs}))
    title = f"{batch.name}: alliance response per crisis, {len(runs)} runs ({n_text} worlds each)"
    with mpl.rc_context(_STYLE):
        return _response_figure(rows, title, batch / "plots" / SUMMARY)


def plot_path(path: Path) -> PlotFiles:
    """Plot a run folder, or every run of a batch folder and the batch's summary of responses
    (``<batch>/plots/summary_responses.png``)."""
    path = Path(path)
    run_dirs = find_runs(path)
    runs = [read_run(d) for d in run_dirs]
    out = PlotFiles()
    for run in runs:
        out.extend_from(_plot_run(run))
    if run_dirs == [path]:
        return out
    if all(r.crises.empty for r in runs):
        out.skipped.append(
            f"{path / 'plots' / SUMMARY}: skipped, no crises in any run of this batch"
        )
    else:
        out.append(_summary(runs, path))
    return out
