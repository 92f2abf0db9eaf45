"""Figures of runs and batches, drawn from their tables (``docs/results.md``) on matplotlib's Agg
canvas.

:func:`responses_figure`, :func:`defection_figure`, :func:`trust_figure` and
:func:`summary_figure` return figures from tables in memory (a notebook, the dashboard, the
report). For a run folder, :func:`plot_run` writes them as ``plots/responses.png``,
``plots/defection.png`` and ``plots/trust.png``; :func:`plot_path` also handles a batch folder,
draws its runs in parallel worker processes and adds ``plots/summary_responses.png`` there. Shares
carry 95% Wilson intervals over worlds; every time axis marks the onset of each crisis. Each table
is read once per run, and only the columns the plots use.
"""

from __future__ import annotations

import math
import os
import textwrap
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import matplotlib as mpl
import numpy as np
import pandas as pd
import pyarrow.parquet as pq
from matplotlib.axes import Axes
from matplotlib.collections import PolyCollection
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch
from matplotlib.ticker import FixedFormatter, FixedLocator, PercentFormatter

from ..experiments.execution import safe_process_context
from ..experiments.scoring import wilson_interval
from ..experiments.storage import find_runs, read_meta, require_complete
from ..inputs.errors import UserError
from ..inputs.vocabulary import BILATERAL_NAMES, MEMBERS, RUNG_NAMES
from . import style
from .style import (
    BILATERAL_COLOURS,
    MEMBER_COLOURS,
    RUNG_COLOURS,
    STYLE,
    suptitle,
    text_colour,
)

SUMMARY = "summary_responses.png"
#: The crisis kind whose target is not a treaty state: a war a member wages on a non-member.
NONMEMBER_WAR = "nonmember_war_by_member"
#: The columns each plot reads; other columns and tables are not read at all.
COLUMNS: dict[str, tuple[str, ...]] = {
    "crises": (
        *("crisis", "kind", "target", "step", "date"),
        *("request", "asked", "response", "channel", "russia"),
    ),
    "steps": (
        "step",
        "date",
        "member",
        *("trust_q05", "trust_q25", "trust_q50", "trust_q75", "trust_q95"),
        "share_never",
        "share_frozen",
        "share_withdrawn",
    ),
}
#: Columns a run made before Model 2 lacks; the figure that needs them is then left out.
OPTIONAL_COLUMNS = frozenset({"channel", "russia"})
_QUANTILES = ("trust_q05", "trust_q25", "trust_q50", "trust_q75", "trust_q95")
#: Hatching for months in which a state is a member in no world.
_OUTSIDE = {"facecolor": "white", "edgecolor": "0.75", "hatch": "//", "lw": 0}
#: Shares within this of 0 or 1 count as 0 or 1 (sums of shares carry rounding error).
_EPS = 1e-9
_TENTHS = np.linspace(0.0, 1.0, 11)
_MONTH_NAMES = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
#: Runs this short mark every monthly value with a dot.
_DOTS_UP_TO = 24
#: The dotted line that marks the month a crisis begins, on every time axis.
ONSET_LINE: dict[str, Any] = {"color": "0.45", "ls": ":", "lw": 1.1}


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


def _pct(x: float) -> str:
    """A share as a percentage: whole numbers, with one decimal near 0% and 100% so that a share
    that is not 0 or 1 (to rounding error) never reads as 0% or 100%."""
    if x <= _EPS or x >= 1 - _EPS:
        return f"{round(x):.0%}"
    if x < 0.0005:
        return "<0.1%"
    if x >= 0.9995:
        return ">99.9%"
    return f"{x:.1%}" if x < 0.01 or x > 0.99 else f"{x:.0%}"


def _count(n: int, one: str, many: str | None = None) -> str:
    return f"{n} {one if n == 1 else many or one + 's'}"


def _pretty(name: str) -> str:
    return name.replace("_", " ")


# --- reading -------------------------------------------------------------------------------


@dataclass(frozen=True)
class RunData:
    """What the figures need from one run: its ``meta.json``, worlds, crises and steps tables."""

    path: Path | None
    meta: dict[str, Any]
    n_worlds: int
    crises: pd.DataFrame
    steps: pd.DataFrame

    @property
    def name(self) -> str:
        """The scenario title, marked if hypothetical."""
        title = self.meta.get("scenario_title") or self.meta.get("scenario_id", "unnamed scenario")
        return f"{title} (hypothetical)" if self.meta.get("hypothetical") else title

    @property
    def scenario_id(self) -> str:
        """The scenario id, or the folder's name if ``meta.json`` has none."""
        fallback = self.path.name if self.path else "run"
        return str(self.meta.get("scenario_id", fallback))


def _read_table(path: Path, columns: Sequence[str]) -> pd.DataFrame:
    """The named columns of a table (those in :data:`OPTIONAL_COLUMNS` if present); empty if the
    file is absent."""
    if not path.is_file():
        return pd.DataFrame()
    try:
        present = set(pq.read_schema(path).names)
        wanted = [c for c in columns if c in present or c not in OPTIONAL_COLUMNS]
        return pd.read_parquet(path, engine="pyarrow", columns=wanted)
    except (OSError, ValueError, KeyError) as exc:
        first_line = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise UserError(
            f"{path}: unreadable result table or missing columns ({first_line}); "
            "re-run the scenario to rewrite it"
        ) from None


def read_run_data(run_dir: Path) -> RunData:
    """The columns the figures use, read from a finished run folder."""
    run_dir = require_complete(run_dir)
    meta = read_meta(run_dir)
    tables = {
        name: _read_table(run_dir / f"{name}.parquet", cols) for name, cols in COLUMNS.items()
    }
    if "n_worlds" in meta:
        n_worlds = int(meta["n_worlds"])
    else:
        n_worlds = int(_read_table(run_dir / "members.parquet", ["world"])["world"].nunique())
    return RunData(run_dir, meta, n_worlds, **tables)


# --- shared pieces -------------------------------------------------------------------------


def _month_numbers(dates: pd.Series) -> np.ndarray:
    """'YYYY-MM' as a month count (12 × year + month − 1), the x coordinate of every time plot."""
    codes, uniques = pd.factorize(dates.astype(str))
    text = pd.Series(uniques)
    months = text.str[:4].astype(int) * 12 + text.str[5:7].astype(int) - 1
    return months.to_numpy()[codes]


def _month_ticks(first: int, last: int) -> tuple[list[int], list[str]]:
    """Ticks for months ``first..last``: months (with the year under the first and under each
    January) or, for longer runs, years; at most ten."""
    step = next(k for k in (1, 2, 3, 6, 12, 24, 36, 60, 120, 240) if last - first <= 9 * k)
    ticks = [m for m in range(first, last + 1) if m % step == 0] or [first]
    if step >= 12:
        return ticks, [str(m // 12) for m in ticks]
    labels = [
        _MONTH_NAMES[m % 12] + (f"\n{m // 12}" if i == 0 or m % 12 == 0 else "")
        for i, m in enumerate(ticks)
    ]
    return ticks, labels


def _month_axis(ax: Axes, months: np.ndarray) -> None:
    """Limits and fixed ticks for an axis of month counts (a date locator and formatter would
    cost more than the rest of the axis)."""
    first, last = int(months.min()), int(months.max())
    ticks, labels = _month_ticks(first, last)
    ax.xaxis.set_major_locator(FixedLocator(ticks))
    ax.xaxis.set_major_formatter(FixedFormatter(labels))
    # room for the dots at either end of short runs
    pad = 0.5 if first == last else 0.012 * (last - first) if last - first < _DOTS_UP_TO else 0.0
    ax.set_xlim(first - pad, last + pad)


def _line_style(n_months: int) -> dict[str, Any]:
    return {"lw": 1.8, "marker": "o", "ms": 3.5} if n_months <= _DOTS_UP_TO else {"lw": 1.8}


def _stretches(mask: np.ndarray) -> list[slice]:
    """The maximal stretches of consecutive ``True`` in ``mask``."""
    edges = np.flatnonzero(np.diff(np.concatenate([[0], mask.astype(np.int8), [0]])))
    return [slice(a, b) for a, b in zip(edges[::2], edges[1::2], strict=True)]


def _band(ax: Axes, x: np.ndarray, lo: np.ndarray, hi: np.ndarray, **fill: Any) -> None:
    """Shade between ``lo`` and ``hi``, broken where either is NaN. Built as one PolyCollection
    without autoscaling (the limits are set by hand): several times cheaper than fill_between."""
    polygons = [
        np.concatenate([np.column_stack([x[s], lo[s]]), np.column_stack([x[s], hi[s]])[::-1]])
        for s in _stretches(np.isfinite(lo) & np.isfinite(hi))
    ]
    if polygons:
        ax.add_collection(PolyCollection(polygons, **fill), autolim=False)


# --- responses -----------------------------------------------------------------------------


@dataclass(frozen=True)
class _CrisisRow:
    group: str  # the run it comes from
    kind: str
    label: str
    note: str
    shares: np.ndarray  # share of worlds at each rung, ladder order


def _asked_labels(crises: pd.DataFrame) -> pd.Series:
    """What was asked, per world: the rung for an assistance request, else the request."""
    # as text: tables read back for a notebook hold ladder-ordered categoricals of other names
    request = crises["request"].astype(str)
    asked = crises["asked"].astype(str).where(request == "assistance", request)
    return asked.replace({"none": "nothing"})


def _shares_text(counts: pd.Series, n: int) -> str:
    return ", ".join(
        f"{_pretty(name)} {_pct(c / n)}" for name, c in counts.items() if c / n >= 0.005
    )


def _ladder_row(
    group: pd.DataFrame,
    run_name: str,
    answer: tuple[str, tuple[str, ...], str],
    asked: tuple[str, pd.Series],
) -> _CrisisRow:
    """One crisis's bar: the shares of ``answer`` = (column, its ladder, what the modal one is
    called), with ``asked`` = (a label, what each world asked) above it."""
    column, ladder, modal_name = answer
    n = len(group)
    counts = group[column].astype(str).value_counts().reindex(ladder, fill_value=0)
    modal = counts.idxmax()
    lo, hi = wilson_interval(counts[modal], n)
    crisis, kind, target, date = group[["crisis", "kind", "target", "date"]].iloc[0]
    note = (
        f"{asked[0]}: {_shares_text(asked[1].value_counts(), n)}\n"
        f"{modal_name}: {_pretty(modal)} {_pct(counts[modal] / n)} "
        f"(95% CI {_pct(float(lo))}–{_pct(float(hi))})"
    )
    label = f"{crisis}\n{target} · {_pretty(kind)} · {date}"
    return _CrisisRow(run_name, kind, label, note, counts.to_numpy(dtype=float) / n)


def _crisis_row(group: pd.DataFrame, run_name: str) -> _CrisisRow:
    return _ladder_row(
        group,
        run_name,
        ("response", RUNG_NAMES, "most common"),
        ("asked", _asked_labels(group)),
    )


def _crisis_rows(run: RunData) -> list[_CrisisRow]:
    """One row per crisis in order of onset, wars waged by a member on a non-member last."""
    keyed = []
    group = str(run.path) if run.path else run.scenario_id
    for _, g in run.crises.groupby("crisis", sort=False, observed=True):
        row = _crisis_row(g, group)
        keyed.append(((row.kind == NONMEMBER_WAR, int(g["step"].min())), row))
    keyed.sort(key=lambda item: item[0])  # stable: ties keep their order of appearance
    return [row for _, row in keyed]


def _stack_bars(ax: Axes, shares: np.ndarray, colours: dict[str, str] = RUNG_COLOURS) -> None:
    """Stacked horizontal bars, one per row, segments in the order of the ladder whose rungs
    name ``colours``; the modal one outlined."""
    y = np.arange(len(shares))
    left = np.zeros(len(shares))
    modal = shares.argmax(axis=1)
    for i, colour in enumerate(colours.values()):
        share = shares[:, i]
        bars = ax.barh(y, share, left=left, height=0.44, color=colour, edgecolor="white")
        for bar in np.asarray(bars.patches)[modal == i]:
            bar.set(edgecolor="black", linewidth=1.6, zorder=3)
        for row in np.flatnonzero(share >= 0.06):  # label segments wide enough to hold one
            ax.text(
                left[row] + share[row] / 2,
                row,
                f"{share[row]:.0%}",
                ha="center",
                va="center",
                color=text_colour(colour),
                fontsize=8.5,
                zorder=4,
            )
        left += share


def _draw_response_rows(
    ax: Axes, rows: list[_CrisisRow], colours: dict[str, str] = RUNG_COLOURS
) -> None:
    """The bars, each with what was asked and the most common response written above it."""
    _stack_bars(ax, np.array([r.shares for r in rows]), colours)
    for y, row in enumerate(rows):
        ax.text(0.004, y - 0.26, row.note, fontsize=8.5, va="bottom", ha="left", color="0.2")
        if y and row.group != rows[y - 1].group:
            ax.axhline(y - 0.66, color="0.5", lw=0.8, ls="--")
    ax.set_yticks(range(len(rows)), [r.label for r in rows])
    ax.set_ylim(len(rows) - 0.55, -0.66)
    ax.set_xlim(0, 1)
    ax.xaxis.set_major_formatter(PercentFormatter(1.0, decimals=0))
    ax.set_xlabel("share of worlds (%); outlined: the most common response")
    ax.tick_params(axis="y", length=0)


def _ladder_legend(
    fig: Figure,
    colours: dict[str, str] = RUNG_COLOURS,
    title: str = "alliance response, in ladder order (lowest first)",
) -> None:
    """One row of swatches under the figure, one per rung of the ladder ``colours`` names."""
    handles = [Patch(color=c, label=_pretty(r)) for r, c in colours.items()]
    fig.legend(
        handles=handles, loc="outside lower center", ncols=len(handles), frameon=False, title=title
    )


def _response_figure(rows: list[_CrisisRow], title: Sequence[str]) -> Figure:
    # 0.9 inch a row: a bar, two lines of notes above it and up to three lines of label
    with mpl.rc_context(STYLE):
        fig = style.figure(11, 1.8 + 0.25 * len(title) + 0.9 * len(rows))
        _draw_response_rows(fig.add_subplot(), rows)
        suptitle(fig, *title)
        _ladder_legend(fig)
    return fig


def responses_figure(run: RunData) -> Figure | None:
    """The distribution of the alliance's response per crisis, in order of onset; ``None`` if the
    run has no crisis."""
    if run.crises.empty:
        return None
    return _responses(run, _crisis_rows(run))


def _responses(run: RunData, rows: list[_CrisisRow]) -> Figure:
    title = [run.name, f"alliance response per crisis ({run.n_worlds:,} worlds)"]
    if rows[-1].kind == NONMEMBER_WAR and rows[0].kind != NONMEMBER_WAR:
        title[1] += "; wars waged by a member on a non-member are listed last"
    return _response_figure(rows, title)


def _russia_row(group: pd.DataFrame, run_name: str) -> _CrisisRow:
    channel = group["channel"].astype(str).replace({"none": "no appeal"})
    return _ladder_row(
        group,
        run_name,
        ("russia", BILATERAL_NAMES, "most common own answer"),
        ("appeal", channel),
    )


def russia_figure(run: RunData) -> Figure | None:
    """Russia's own answer beside or instead of the Council's, per crisis on a treaty state, with
    the channel the state hit chose; ``None`` if the run has no such crisis or no such columns
    (a run made before Model 2)."""
    crises = run.crises
    if crises.empty or not {"russia", "channel"} <= set(crises.columns):
        return None
    mine = crises[crises["kind"].astype(str) != NONMEMBER_WAR]
    if mine.empty:
        return None
    rows = [
        _russia_row(g, run.scenario_id)
        for _, g in sorted(
            mine.groupby("crisis", sort=False, observed=True), key=lambda kv: kv[1]["step"].min()
        )
    ]
    title = [run.name, f"Russia's own answer per crisis ({run.n_worlds:,} worlds)"]
    with mpl.rc_context(STYLE):
        fig = style.figure(11, 1.8 + 0.25 * len(title) + 0.9 * len(rows))
        ax = fig.add_subplot()
        _draw_response_rows(ax, rows, BILATERAL_COLOURS)
        ax.set_xlabel("share of worlds (%); outlined: Russia's most common own answer")
        suptitle(fig, *title)
        _ladder_legend(
            fig,
            BILATERAL_COLOURS,
            "Russia's own answer, beside or instead of the Council's (lowest first)",
        )
    return fig


# --- crisis onsets on time axes ------------------------------------------------------------


def _onsets(run: RunData) -> list[tuple[int, str]]:
    """(month number, crisis ids) of each month in which a crisis of the run begins."""
    if run.crises.empty:
        return []
    first = run.crises.drop_duplicates("crisis")[["crisis", "date"]]
    months = _month_numbers(first["date"])
    by_month: dict[int, list[str]] = {}
    for month, crisis in sorted(zip(months.tolist(), first["crisis"].astype(str), strict=True)):
        by_month.setdefault(month, []).append(crisis)
    return [(m, ", ".join(ids)) for m, ids in by_month.items()]


def _mark_onsets(ax: Axes, onsets: list[tuple[int, str]], months: np.ndarray, label: bool) -> None:
    """A dotted line at each crisis onset inside the months shown, named if ``label``."""
    first, last = int(months.min()), int(months.max())
    for month, ids in onsets:
        if not first <= month <= last:
            continue
        ax.axvline(month, **ONSET_LINE)
        if label:
            # beside the line, on the side with room: right of it but near the axis's end
            late = last > first and month - first > 0.85 * (last - first)
            ax.text(
                month,
                0.985,
                f" {ids} ",
                transform=ax.get_xaxis_transform(),
                rotation=90,
                ha="right" if late else "left",
                va="top",
                fontsize=7.5,
                color="0.25",
                bbox={"facecolor": "white", "alpha": 0.75, "lw": 0, "pad": 0.5},
                clip_on=True,
            )


# --- defection -----------------------------------------------------------------------------


def _defection_legend(ax: Axes, shown: list[str], full: list[str], zero: list[str]) -> None:
    """Legend of the members drawn, then notes naming the members left out; a note in the plot
    if none is drawn."""
    notes = [
        f"not shown, {share} throughout: " + ", ".join(members)
        for share, members in (("100%", full), ("0%", zero))
        if members
    ]
    handles, _ = ax.get_legend_handles_labels()
    handles += [Line2D([], [], ls="none", label=textwrap.fill(note, 28)) for note in notes]
    if not shown:
        ax.text(
            0.5,
            0.5,
            "no member's share changes during the run"
            if full
            else "no member frozen or withdrawn in any world",
            transform=ax.transAxes,
            ha="center",
            va="center",
            color="0.3",
        )
    ax.legend(
        handles=handles,
        loc="upper left",
        bbox_to_anchor=(1.01, 1.0),
        frameon=False,
        title="members shown\n(line: share, band: 95% CI)" if shown else None,
        alignment="left",
    )


def defection_figure(run: RunData) -> Figure | None:
    """Per member, the share of worlds frozen or withdrawn each month with its 95% interval, and
    the onset of each crisis; ``None`` if the run has no per-step table."""
    if run.steps.empty:
        return None
    with mpl.rc_context(STYLE):
        return _defection(run)


def _defection(run: RunData) -> Figure:
    steps = run.steps.sort_values("step", kind="stable")
    x = _month_numbers(steps["date"])
    left = (steps["share_frozen"] + steps["share_withdrawn"]).to_numpy()
    member = steps["member"].to_numpy()
    n = run.n_worlds
    fig = style.figure(10, 5.2)
    ax = fig.add_subplot()
    shown, zero, full = [], [], []
    for m in MEMBERS:
        mine = left[member == m]
        if mine.size == 0 or mine.max() <= _EPS:
            zero.append(m)
        elif mine.min() >= 1 - _EPS:
            full.append(m)
        else:
            shown.append(m)
    line = _line_style(len(np.unique(x)))
    for m in shown:
        mask = member == m
        share = left[mask]
        lo, hi = wilson_interval(np.rint(share * n), n)
        colour = MEMBER_COLOURS[m]
        ax.plot(x[mask], share, color=colour, label=f"{m} (peak {_pct(share.max())})", **line)
        _band(ax, x[mask], lo, hi, color=colour, alpha=0.18, lw=0)
    ax.set(ylim=(0, 1), axisbelow=True)
    ax.set(xlabel="month", ylabel="share of worlds frozen or withdrawn (%)")
    ax.yaxis.set_major_locator(FixedLocator(_TENTHS[::2]))
    ax.yaxis.set_major_formatter(PercentFormatter(1.0, decimals=0))
    ax.grid(axis="y", color="0.9")
    _month_axis(ax, x)
    _mark_onsets(ax, _onsets(run), x, label=True)
    _defection_legend(ax, shown, full, zero)
    suptitle(fig, run.name, f"members frozen or withdrawn ({n:,} worlds); dotted: a crisis begins")
    return fig


# --- trust ---------------------------------------------------------------------------------


def _trust_members(steps: pd.DataFrame) -> list[str]:
    """Members that are not 'never' in some world at some step, in treaty order."""
    ever = steps.groupby("member")["share_never"].min() < 1 - _EPS
    return [m for m in MEMBERS if ever.get(m, False)]


def _trust_panel(ax: Axes, g: pd.DataFrame, x: np.ndarray, member: str) -> bool:
    """Quantile bands and median for one member; months in which it is a member in no world are
    hatched instead. Returns whether any month was hatched."""
    outside = (g["share_never"] >= 1 - _EPS).to_numpy()
    q = {c: np.where(outside, np.nan, g[c].to_numpy(dtype=float)) for c in _QUANTILES}
    colour = MEMBER_COLOURS[member]
    _band(ax, x, q["trust_q05"], q["trust_q95"], color=colour, alpha=0.18, lw=0)
    _band(ax, x, q["trust_q25"], q["trust_q75"], color=colour, alpha=0.4, lw=0)
    ax.plot(x, q["trust_q50"], color=colour, **_line_style(len(x)))
    until_joined = outside | np.concatenate([[False], outside[:-1]])  # up to the next month
    spans = [
        [(x[s.start], 0), (x[s.stop - 1], 0), (x[s.stop - 1], 1), (x[s.start], 1)]
        for s in _stretches(until_joined)
    ]
    if spans:
        ax.add_collection(
            PolyCollection(spans, transform=ax.get_xaxis_transform(), **_OUTSIDE), autolim=False
        )
    ax.set_title(member, loc="left", fontweight="bold")
    if g["share_withdrawn"].min() >= 1 - _EPS:
        ax.set_title("withdrawn in every world", loc="right", fontsize=9, color="0.35")
    ax.set_axisbelow(True)
    ax.grid(axis="y", color="0.9")
    return bool(spans)


def _trust_legend(fig: Figure, shaded: bool, onsets: bool, bottom: float) -> None:
    grey = "0.35"
    handles = [
        Line2D([], [], color=grey, lw=1.8, label="median over worlds"),
        Patch(color=grey, alpha=0.4, label="middle 50% of worlds (q25–q75)"),
        Patch(color=grey, alpha=0.18, label="middle 90% of worlds (q05–q95)"),
    ]
    if onsets:
        handles.append(Line2D([], [], **ONSET_LINE, label="a crisis begins"))
    if shaded:
        handles.append(Patch(**_OUTSIDE, label="not a member in any world"))
    fig.legend(
        handles=handles,
        loc="lower center",
        bbox_to_anchor=(0.5, bottom),
        ncols=len(handles),
        frameon=False,
        borderaxespad=0,
    )


def trust_figure(run: RunData) -> Figure | None:
    """Per member, trust's median and quantile bands over worlds each month, and the onset of
    each crisis; ``None`` if the run has no per-step table."""
    if run.steps.empty:
        return None
    with mpl.rc_context(STYLE):
        return _trust(run)


def _trust(run: RunData) -> Figure:
    """A grid of panels, three to a row, sharing axes. The layout is fixed in inches rather than
    constrained (which measures every tick label twice and is the slowest part of the figure)."""
    steps = run.steps.sort_values("step", kind="stable")
    x = _month_numbers(steps["date"])
    member = steps["member"].to_numpy()
    members = _trust_members(steps) or [m for m in MEMBERS if m in set(member)]
    n = len(members)
    ncols, nrows = min(3, n), math.ceil(n / min(3, n))
    labels = _month_ticks(int(x.min()), int(x.max()))[1]
    # inches: panels, the gaps between them (room for panel titles, and for x tick labels and
    # axis label over a gap in the row below), margins
    panel_w, panel_h, wgap = 3.9, 2.2, 0.45
    below = 0.12 + 0.17 * max(label.count("\n") + 1 for label in labels) + 0.25
    hgaps = [0.35 + (below if r == nrows - 2 and n % ncols else 0.0) for r in range(nrows - 1)]
    legend_h, left, right = 0.35, 0.8, 0.3
    width = left + ncols * panel_w + (ncols - 1) * wgap + right
    fig = style.figure(width, 1.0, layout=None)
    title_lines = suptitle(fig, run.name, f"trust by member ({run.n_worlds:,} worlds)")
    top = 0.15 + 0.21 * title_lines + 0.3
    bottom = 0.1 + legend_h + below
    height = top + nrows * panel_h + sum(hgaps) + bottom
    fig.set_size_inches(width, height)
    heights = [panel_h]
    for gap in hgaps:  # a spacer row of grid between panel rows
        heights += [gap, panel_h]
    grid = fig.add_gridspec(
        len(heights),
        ncols,
        height_ratios=heights,
        left=left / width,
        right=1 - right / width,
        top=1 - top / height,
        bottom=bottom / height,
        wspace=wgap / panel_w,
        hspace=0,
    )
    axes: list[Axes] = []
    for i in range(n):
        row, col = divmod(i, ncols)
        first = axes[0] if axes else None
        ax = fig.add_subplot(grid[2 * row, col], sharex=first, sharey=first)
        last_in_column = i + ncols >= n
        ax.tick_params(labelbottom=last_in_column, labelleft=col == 0)
        if last_in_column:
            ax.set_xlabel("month")
        axes.append(ax)
    shaded = [
        _trust_panel(ax, steps[member == m], x[member == m], m)
        for ax, m in zip(axes, members, strict=True)
    ]
    onsets = _onsets(run)
    for ax in axes:
        _mark_onsets(ax, onsets, x, label=False)
    axes[0].set_ylim(0, 1)
    axes[0].yaxis.set_major_locator(FixedLocator(_TENTHS[::2]))
    _month_axis(axes[0], x)
    fig.supylabel("trust in the alliance (0–1)", x=0.1 / width, ha="left")
    fig.suptitle(fig.get_suptitle(), y=1 - 0.1 / height, va="top", fontsize=style.TITLE_SIZE)
    shown = any(x.min() <= m <= x.max() for m, _ in onsets)
    _trust_legend(fig, any(shaded), shown, 0.1 / height)
    return fig


# --- entry points --------------------------------------------------------------------------


@dataclass(frozen=True)
class _SummaryPart:
    """One run's rows in a batch summary: its crises against treaty states."""

    rows: list[_CrisisRow]
    omitted: int  # crises left out: wars on non-members
    n_worlds: int


def _summary_part(run: RunData, rows: list[_CrisisRow]) -> _SummaryPart:
    prefix = f"{run.scenario_id}:\n"
    shown = [replace(r, label=prefix + r.label) for r in rows if r.kind != NONMEMBER_WAR]
    return _SummaryPart(shown, len(rows) - len(shown), run.n_worlds)


@dataclass
class _RunPlots:
    """One run's plots, and its part of a batch summary."""

    files: PlotFiles
    part: _SummaryPart


#: Why a run's figure is left out when its function returns None.
_SKIPPED = {
    "responses.png": "no crises in this run (crises.parquet)",
    "russia.png": "no crisis on a treaty state with Russia's own answer (crises.parquet)",
    "defection.png": "no per-step table (steps.parquet)",
    "trust.png": "no per-step table (steps.parquet)",
}


def run_figures(run: RunData) -> dict[str, Figure | None]:
    """Every figure of one run by file name; ``None`` where its table is empty or absent."""
    rows = _crisis_rows(run) if not run.crises.empty else []
    return {
        "responses.png": _responses(run, rows) if rows else None,
        "russia.png": russia_figure(run),
        "defection.png": defection_figure(run),
        "trust.png": trust_figure(run),
    }


def plot_run(run_dir: Path) -> PlotFiles:
    """Draw every plot for one run folder into ``<run_dir>/plots/``; tables that are empty or
    absent skip their plot, noted in the result's ``skipped``."""
    return _plot_run(Path(run_dir)).files


def _plot_run(run_dir: Path) -> _RunPlots:
    run = read_run_data(run_dir)
    folder = run_dir / "plots"
    out = PlotFiles()
    for name, fig in run_figures(run).items():
        if fig is None:
            out.skipped.append(f"{folder / name}: skipped, {_SKIPPED[name]}")
        else:
            out.append(style.save(fig, folder / name))
    rows = _crisis_rows(run) if not run.crises.empty else []
    return _RunPlots(out, _summary_part(run, rows))


def summary_figure(runs: Sequence[RunData], name: str) -> Figure | None:
    """Every run's crises against treaty states, one row each, runs in the given order; ``None``
    if no run has one. Wars waged by a member on a non-member are left out, and counted."""
    parts = [_summary_part(r, _crisis_rows(r) if not r.crises.empty else []) for r in runs]
    return _summary(parts, name)


def _summary(parts: list[_SummaryPart], name: str) -> Figure | None:
    shown = [p for p in parts if p.rows]
    if not shown:
        return None
    rows = [row for part in shown for row in part.rows]
    n_text = " or ".join(f"{n:,}" for n in sorted({p.n_worlds for p in shown}))
    of = f"{len(shown)} of {len(parts)} runs" if len(shown) < len(parts) else f"{len(parts)} runs"
    title = [f"{name}: alliance response per crisis, {of} ({n_text} worlds each)"]
    omitted = sum(p.omitted for p in parts)
    if omitted:
        in_runs = sum(1 for p in parts if p.omitted)
        title.append(
            "Omitted: wars waged by a member on a non-member (target not a treaty state), "
            f"{_count(omitted, 'crisis', 'crises')} in {_count(in_runs, 'run')}"
        )
    return _response_figure(rows, title)


def _default_workers(n_runs: int) -> int:
    cpus = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return min(cpus or 1, n_runs)


def _map_runs(draw: Callable[[Path], _RunPlots], run_dirs: list[Path], workers: int) -> list:
    """``draw`` over the runs, in order; in worker processes if ``workers`` > 1."""
    if workers <= 1 or len(run_dirs) <= 1:
        return [draw(d) for d in run_dirs]
    with ProcessPoolExecutor(
        max_workers=min(workers, len(run_dirs)), mp_context=safe_process_context()
    ) as pool:
        return list(pool.map(draw, run_dirs))


def plot_path(path: Path, workers: int | None = None) -> PlotFiles:
    """Plot a run folder, or every run of a batch folder and the batch's summary of responses
    (``<batch>/plots/summary_responses.png``), which leaves out wars waged by a member on a
    non-member. A batch's runs are drawn in ``workers`` processes (default: one per CPU, at most
    one per run); the files are the same whatever the number."""
    path = Path(path)
    run_dirs = find_runs(path)
    workers = _default_workers(len(run_dirs)) if workers is None else workers
    runs = _map_runs(_plot_run, run_dirs, workers)
    out = PlotFiles()
    for run in runs:
        out.extend_from(run.files)
    if run_dirs == [path]:
        return out
    summary = path / "plots" / SUMMARY
    figure = _summary([r.part for r in runs], path.resolve().name)
    if figure is not None:
        out.append(style.save(figure, summary))
    elif any(r.part.omitted for r in runs):
        out.skipped.append(
            f"{summary}: skipped, the only crises are wars waged by a member on a non-member"
        )
    else:
        out.skipped.append(f"{summary}: skipped, no crises in any run of this batch")
    return out
