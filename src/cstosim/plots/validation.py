"""Figures of the validation and the calibration, drawn from their result files' tables."""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from .style import figure


def validation_figure(table: pd.DataFrame, n_worlds: int) -> Figure:
    """``p_model`` beside ``p_baseline`` for every check, with a 95% binomial interval."""
    n = len(table)
    fig = figure(9, 0.26 * n + 1.6, layout=None)
    ax = fig.add_subplot()
    y = np.arange(n)[::-1]
    p = table["p_model"].to_numpy()
    half = 1.96 * np.sqrt(np.maximum(p * (1 - p), 1e-12) / n_worlds)
    ax.barh(
        y + 0.2,
        p,
        height=0.38,
        color="#1f77b4",
        label="model (share of worlds)",
        xerr=half,
        error_kw={"elinewidth": 0.8, "capsize": 1.5},
    )
    ax.barh(
        y - 0.2,
        table["p_baseline"],
        height=0.38,
        color="#bbbbbb",
        label="situation-blind baseline (base rates)",
    )
    miss = ~table["modal_is_documented"].to_numpy()
    for yy in y[miss]:
        ax.text(
            1.01,
            yy,
            "not modal",
            va="center",
            fontsize=7,
            color="#b22222",
            transform=ax.get_yaxis_transform(),
        )
    ax.set_yticks(
        y, [f"{s}: {c}" for s, c in zip(table["scenario"], table["check"], strict=True)], fontsize=7
    )
    ax.axvline(0.5, color="#444444", lw=0.7, ls=":")
    ax.set_xlim(0, 1)
    ax.set_ylim(-0.7, n - 0.3)
    ax.set_xlabel("probability given to the documented outcome")
    ax.set_title(
        f"Model against history: {n} checks, {n_worlds:,} worlds per scenario", fontsize=10
    )
    ax.legend(
        loc="upper center",
        bbox_to_anchor=(0.5, -0.6 / max(n, 1) * 8),
        ncols=2,
        fontsize=8,
        frameon=False,
    )
    ax.grid(axis="x", alpha=0.3)
    return fig


def parameter_figure(
    values: dict[str, float],
    accepted: dict[str, dict[str, float]],
    ranges: dict[str, tuple[float, float]],
) -> Figure:
    """Fitted value and the ABC-accepted 5-95% range of each parameter, on its declared range."""
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
    ax.set_xlabel("position in the declared range (0 = low bound, 1 = high bound)")
    ax.set_title(
        "Calibrated parameters: fitted value (dot) and ABC-accepted 5-95% range (bar)", fontsize=10
    )
    ax.grid(axis="x", alpha=0.3)
    return fig
