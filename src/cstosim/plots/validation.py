"""Figures of the validation and the calibration, drawn from their result files only.

:func:`validation_figures` reads a ``cstosim validate`` folder (``summary.json``,
``validation.csv``, ``reliability.csv``, ``ppc.csv``, ``changes.csv``, ``placebo.csv``,
``order.csv``) and draws
the scores by kind, the reliability diagram, the predictive checks and the check table;
:func:`loo_figures` reads a ``validate --loo`` folder. Each returns figures by file name, and
:mod:`.folders` writes them.
"""

from __future__ import annotations

import math
from pathlib import Path

import matplotlib as mpl
import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from ..experiments.checks import KINDS
from ..experiments.storage import read_json
from .style import STYLE, figure, suptitle

#: One colour per forecaster, the model first.
FORECASTER_COLOURS = {
    "model": "#1f77b4",
    "held_out": "#1f77b4",
    "all_facts": "#8fbbd9",
    "base_rates": "#9e9e9e",
    "persistence": "#e6a23c",
    "rule": "#7b4fa0",
}
FORECASTER_LABELS = {
    "model": "model",
    "held_out": "model, crisis held out of the fit",
    "all_facts": "model, same search on every fact",
    "base_rates": "base rates (add-one)",
    "persistence": "persistence",
    "rule": "zero-parameter rule",
}
PASS_COLOURS = {True: "#2e7d32", False: "#b22222"}


def _years(dates: pd.Series) -> np.ndarray:
    """'YYYY-MM' as decimal years (the month's start)."""
    text = dates.astype(str)
    return text.str[:4].astype(int).to_numpy() + (text.str[5:7].astype(int).to_numpy() - 1) / 12


def _read(folder: Path, name: str) -> pd.DataFrame:
    path = folder / f"{name}.csv"
    try:
        return pd.read_csv(path, keep_default_na=False, na_values=[""])
    except pd.errors.EmptyDataError:
        return pd.DataFrame()


def _grid(n: int, cols: int, width: float, row_height: float, title: list[str]):
    rows = max(1, math.ceil(n / cols))
    fig = figure(width, 0.7 + 0.3 * len(title) + row_height * rows)
    axes = fig.subplots(rows, cols, squeeze=False).ravel()
    for ax in axes[n:]:
        ax.set_visible(False)
    suptitle(fig, *title)
    return fig, axes


def _verdict(ax, passed: bool) -> None:
    ax.text(
        0.99,
        0.97,
        "pass" if passed else "FAIL",
        transform=ax.transAxes,
        ha="right",
        va="top",
        fontsize=9,
        fontweight="bold",
        color=PASS_COLOURS[bool(passed)],
    )


def scores_figure(summary: dict, title: list[str]) -> Figure:
    """Mean Brier and log score per kind of check, the model's forecasts beside the three
    baselines."""
    kinds = [k for k in (*KINDS, "overall") if k in summary["kinds"]]
    names = [n for n in FORECASTER_COLOURS if n in summary["kinds"]["overall"]]
    fig = figure(12, 5.2)
    axes = fig.subplots(1, 2)
    width = 0.8 / len(names)
    x = np.arange(len(kinds))
    for ax, score, what in zip(
        axes, ("brier", "log"), ("mean Brier score", "mean log score"), strict=True
    ):
        for i, name in enumerate(names):
            values = [summary["kinds"][k][name][score] for k in kinds]
            bars = ax.bar(
                x + (i - (len(names) - 1) / 2) * width,
                values,
                width,
                color=FORECASTER_COLOURS[name],
                label=FORECASTER_LABELS[name],
            )
            ax.bar_label(bars, fmt="%.2f", fontsize=6, padding=1, rotation=90)
        labels = [f"{k}\n({summary['kinds'][k]['checks']})" for k in kinds]
        ax.margins(y=0.12)
        ax.set_xticks(x, labels, fontsize=8)
        ax.set_ylabel(f"{what} (lower is better)")
        ax.grid(axis="y", alpha=0.3)
    handles, labels = axes[0].get_legend_handles_labels()
    fig.legend(handles, labels, loc="outside lower center", ncols=len(names), frameon=False)
    suptitle(fig, *title)
    return fig


def loo_figures(folder: Path) -> dict[str, Figure]:
    """The leave-one-crisis-out scores by kind, from a ``validate --loo`` folder."""
    summary = read_json(Path(folder) / "summary.json")
    with mpl.rc_context(STYLE):
        fig = scores_figure(
            summary,
            [
                "Leave-one-crisis-out: each crisis's checks forecast by a fit that never saw them",
                f"{summary['facts']} crisis facts; reduced search budget; checks in brackets",
            ],
        )
    return {"loo.png": fig}


def reliability_figure(rel: pd.DataFrame) -> Figure:
    """Mean forecast against observed frequency per bin, with 95% Wilson intervals and counts."""
    fig = figure(6.2, 6.0)
    ax = fig.add_subplot()
    ax.plot([0, 1], [0, 1], color="#444444", lw=0.8, ls=":", label="perfect reliability")
    for name, marker in (("base_rates", "s"), ("model", "o")):
        rows = rel[(rel["forecaster"] == name) & (rel["n"] > 0)]
        # clipped: at 0 or 1 the interval's end can miss the observed share by a rounding error
        err = np.clip(
            np.vstack([rows["observed"] - rows["wilson_lo"], rows["wilson_hi"] - rows["observed"]]),
            0.0,
            None,
        )
        ax.errorbar(
            rows["mean_p"],
            rows["observed"],
            yerr=err,
            fmt=marker + "-",
            color=FORECASTER_COLOURS[name],
            ms=6 if name == "model" else 4,
            lw=1.2,
            capsize=3,
            alpha=1.0 if name == "model" else 0.7,
            label=f"{FORECASTER_LABELS[name]} (95% Wilson interval)",
        )
        if name == "model":
            for r in rows.itertuples():
                # inward from the frame: left of points near the right edge, above those near 0
                right = r.mean_p > 0.85
                ax.annotate(
                    f"n={r.n}",
                    (r.mean_p, r.observed),
                    textcoords="offset points",
                    xytext=(-8 if right else 6, 6 if r.observed < 0.1 else -12),
                    ha="right" if right else "left",
                    fontsize=8,
                    color=FORECASTER_COLOURS[name],
                )
    for edge in np.linspace(0, 1, 6)[1:-1]:
        ax.axvline(edge, color="#dddddd", lw=0.6, zorder=0)
    ax.set_xlim(0, 1)
    ax.set_ylim(-0.02, 1.02)
    ax.set_xlabel("forecast probability (bin mean; bins of width 0.2)")
    ax.set_ylabel("observed frequency of the category")
    ax.legend(loc="upper left", fontsize=8, frameon=False)
    suptitle(fig, "Reliability: every category of every scored check, pooled")
    return fig


def placebo_figure(placebo: pd.DataFrame, tests: pd.DataFrame) -> Figure:
    """The timing placebo: each timed check's probability as its window slides across the run,
    the documented window shaded."""
    checks = list(dict.fromkeys(zip(placebo["scenario"], placebo["check"], strict=True)))
    fig, axes = _grid(
        len(checks),
        2,
        11,
        3.0,
        [
            "Timing placebo: P(the change falls in the window) as the window's centre slides",
            "shaded: the documented window; dashed: the documented date; dot: the peak",
        ],
    )
    for ax, (scenario, check) in zip(axes, checks, strict=False):
        rows = placebo[(placebo["scenario"] == scenario) & (placebo["check"] == check)]
        x = _years(rows["date"])
        ax.plot(x, rows["p"], color=FORECASTER_COLOURS["model"], lw=1.5)
        doc = rows[rows["documented"].astype(bool)]
        x0, tol = _years(doc["date"])[0], int(rows["tolerance"].iloc[0])
        ax.axvspan(x0 - tol / 12, x0 + tol / 12, color="#ffd54f", alpha=0.35, lw=0)
        ax.axvline(x0, color="#444444", ls="--", lw=0.9)
        peak = int(np.argmax(rows["p"].to_numpy()))
        ax.plot(x[peak], rows["p"].iloc[peak], "o", color="#b22222", ms=5)
        test = tests[(tests["scenario"] == scenario) & (tests["check"] == check)]
        _verdict(ax, bool(test["passed"].iloc[0]))
        ax.set_title(f"{scenario}\n{check}", fontsize=9)
        ax.set_ylim(0, 1.05)
        ax.set_ylabel("P(change in window)")
        ax.set_xlabel("window centre (year)")
        ax.grid(alpha=0.3)
    return fig


def changes_figure(changes: pd.DataFrame, tests: pd.DataFrame) -> Figure:
    """Histogram of status changes per world in each trajectory, against the documented count."""
    scenarios = list(dict.fromkeys(changes["scenario"]))
    fig, axes = _grid(
        len(scenarios),
        2,
        11,
        3.4,
        [
            "Status changes per world (all members) in each trajectory",
            "red line: the documented count; shaded: the model's 5-95% band",
        ],
    )
    for ax, scenario in zip(axes, scenarios, strict=False):
        rows = changes[changes["scenario"] == scenario]
        test = tests[(tests["scenario"] == scenario) & (tests["test"] == "status changes")].iloc[0]
        share = rows["worlds"] / rows["worlds"].sum()
        ax.bar(rows["changes"], share, width=1.0, color=FORECASTER_COLOURS["model"], alpha=0.8)
        ax.axvspan(test["q05"] - 0.5, test["q95"] + 0.5, color="#90caf9", alpha=0.3, lw=0)
        ax.axvline(test["documented"], color="#b22222", lw=2)
        _verdict(ax, bool(test["passed"]))
        ax.set_title(f"{scenario}: documented {int(test['documented'])}", fontsize=9)
        ax.set_xlabel("status changes in the run")
        ax.set_ylabel("share of worlds")
        ax.set_xlim(-1, max(rows["changes"].max(), test["documented"]) + 1)
        ax.grid(axis="y", alpha=0.3)
    return fig


def order_figure(order: pd.DataFrame, tests: pd.DataFrame) -> Figure:
    """When each timed change first happens, relative to the file's crises and other documented
    changes; the documented interval highlighted."""
    checks = list(dict.fromkeys(zip(order["scenario"], order["check"], strict=True)))
    heights = [len(order[(order["scenario"] == s) & (order["check"] == c)]) for s, c in checks]
    fig = figure(10, 1.2 + sum(0.42 * h + 0.8 for h in heights))
    axes = fig.subplots(len(checks), 1, squeeze=False, height_ratios=[h + 2 for h in heights])
    suptitle(
        fig,
        "Order: where the model's first change falls among the documented events",
        "share of the worlds that make the change; orange: the documented interval",
    )
    for ax, (scenario, check) in zip(axes[:, 0], checks, strict=True):
        rows = order[(order["scenario"] == scenario) & (order["check"] == check)]
        y = np.arange(len(rows))[::-1]
        colours = np.where(rows["documented"].astype(bool), "#ef6c00", "#90a4ae")
        ax.barh(y, rows["share"], color=colours)
        labels = [f"{r.interval}\n{r.first}..{r.last}" for r in rows.itertuples()]
        ax.set_yticks(y, labels, fontsize=7)
        ax.set_xlim(0, 1)
        test = tests[(tests["scenario"] == scenario) & (tests["check"] == check)]
        passed = bool(test[test["test"] == "order"]["passed"].iloc[0])
        n = int(rows["worlds_with_change"].iloc[0])
        ax.set_title(
            f"{'pass' if passed else 'FAIL'}: {scenario}\n{check} ({n:,} worlds make the change)",
            fontsize=9,
            loc="left",
            color=PASS_COLOURS[passed],
        )
        ax.grid(axis="x", alpha=0.3)
    axes[-1, 0].set_xlabel("share of worlds that make the change")
    return fig


def validation_figure(table: pd.DataFrame, n_worlds: int) -> Figure:
    """Every scored check: the model's probability of the documented outcome (bar, with a 95%
    binomial interval) and each baseline's (markers); checks whose documented outcome is not the
    model's single most likely one are flagged."""
    n = len(table)
    fig = figure(10, 0.26 * n + 1.9, layout=None)
    ax = fig.add_subplot()
    y = np.arange(n)[::-1]
    scored = table["scored"].astype(bool).to_numpy()
    p = table["p_model"].fillna(0).to_numpy()
    half = 1.96 * np.sqrt(np.maximum(p * (1 - p), 1e-12) / n_worlds)
    ax.barh(
        y[scored],
        p[scored],
        height=0.6,
        color=FORECASTER_COLOURS["model"],
        label=FORECASTER_LABELS["model"],
        xerr=half[scored],
        error_kw={"elinewidth": 0.8, "capsize": 1.5},
    )
    for name, marker in (("base_rates", "s"), ("persistence", "D"), ("rule", "^")):
        ax.plot(
            table[f"p_{name}"],
            y,
            marker,
            ls="none",
            ms=5,
            color=FORECASTER_COLOURS[name],
            label=FORECASTER_LABELS[name],
            markeredgecolor="black",
            markeredgewidth=0.4,
            clip_on=False,
            zorder=3,
        )
    trans = ax.get_yaxis_transform()
    for yy, ok, is_scored in zip(y, table["modal_model"].astype(bool), scored, strict=True):
        note = "" if is_scored and ok else "not modal" if is_scored else "not scored"
        if note:
            ax.text(1.03, yy, note, va="center", fontsize=7, color="#b22222", transform=trans)
    rows = table["row"].astype("string").fillna("")
    labels = [
        f"{s}: {c}" + (f" [{r}]" if r else "")
        for s, c, r in zip(table["scenario"], table["check"], rows, strict=True)
    ]
    ax.set_yticks(y, labels, fontsize=7)
    ax.axvline(0.5, color="#444444", lw=0.7, ls=":")
    ax.set_xlim(-0.015, 1.015)
    ax.set_ylim(-0.7, n - 0.3)
    ax.set_xlabel("probability given to the documented outcome")
    ax.set_title(
        f"Every documented fact, scored once: {n} checks, {n_worlds:,} worlds per file",
        fontsize=10,
    )
    ax.legend(
        loc="lower center",
        bbox_to_anchor=(0.5, 1.0 + 0.9 / max(n, 1)),
        ncols=4,
        fontsize=8,
        frameon=False,
    )
    ax.grid(axis="x", alpha=0.3)
    return fig


def _scores_title(summary: dict) -> list[str]:
    not_scored = ", ".join(f"{n} {k}" for k, n in summary.get("not_scored", {}).items())
    note = f"; not scored (no model output): {not_scored}" if not_scored else ""
    return [
        "Model against three baselines, by kind of check (checks in brackets)",
        f"each documented fact scored once{note}",
    ]


def validation_figures(folder: Path) -> dict[str, Figure]:
    """Every figure of a ``cstosim validate`` folder, from its files alone, by file name."""
    folder = Path(folder)
    summary = read_json(folder / "summary.json")
    meta = read_json(folder / "meta.json")
    tests = _read(folder, "ppc")
    with mpl.rc_context(STYLE):
        out = {
            "validation.png": validation_figure(_read(folder, "validation"), meta["n_worlds"]),
            "scores.png": scores_figure(summary, _scores_title(summary)),
            "reliability.png": reliability_figure(_read(folder, "reliability")),
        }
        for name, draw in (
            ("placebo", placebo_figure),
            ("changes", changes_figure),
            ("order", order_figure),
        ):
            frame = _read(folder, name)
            if len(frame):
                out[f"{name}.png"] = draw(frame, tests)
    return out


#: Figures saved cropped to what is drawn (their long tick labels set the width).
TIGHT = ("validation.png", "parameters.png", "drivers.png")


def parameter_figure(
    values: dict[str, float],
    accepted: dict[str, dict[str, float]],
    ranges: dict[str, tuple[float, float]],
) -> Figure:
    """Fitted value and ABC-accepted 5-95% range of each parameter, on the range a fit searches."""
    names = list(values)
    fig = figure(8, 0.24 * len(names) + 1.4, layout=None)
    ax = fig.add_subplot()
    y = np.arange(len(names))[::-1]
    for yy, name in zip(y, names, strict=True):
        lo, hi = ranges[name]
        scale = (hi - lo) or 1.0
        acc = accepted[name]
        ax.plot(
            [(acc["q05"] - lo) / scale, (acc["q95"] - lo) / scale],
            [yy, yy],
            color="#1f77b4",
            lw=4,
            alpha=0.45,
            solid_capstyle="butt",
        )
        ax.plot((values[name] - lo) / scale, yy, "o", color="#d62728", ms=4)
    ax.set_yticks(y, [f"{n} [{ranges[n][0]:g}, {ranges[n][1]:g}]" for n in names], fontsize=7)
    ax.set_xlim(0, 1)
    ax.set_xlabel("position in the range a fit searches (0 = its low end, 1 = its high end)")
    ax.set_title(
        "Calibrated parameters: fitted value (dot) and ABC-accepted 5-95% range (bar)", fontsize=10
    )
    ax.grid(axis="x", alpha=0.3)
    return fig
