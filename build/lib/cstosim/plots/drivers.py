"""The drivers figure: for every documented check, how far switching each term off moves the
probability of the documented outcome, drawn from a ``cstosim drivers`` folder's table."""

from __future__ import annotations

from pathlib import Path

import matplotlib as mpl
import numpy as np
import pandas as pd
from matplotlib.colors import TwoSlopeNorm
from matplotlib.figure import Figure

from ..experiments import storage
from .style import STYLE, figure, suptitle, text_colour

#: Differences smaller than this are left unwritten in their cell.
_WRITE = 0.05


def drivers_figure(table: pd.DataFrame, n_worlds: int) -> Figure:
    """A grid of checks (rows) by terms (columns): the change in the probability of the
    documented outcome when the term is off; cells within their interval are greyed."""
    checks = list(dict.fromkeys(zip(table["fact"], table["check"], strict=True)))
    terms = list(dict.fromkeys(table["term"]))
    delta = table.pivot_table(index=["fact", "check"], columns="term", values="delta", sort=False)
    half = table.pivot_table(
        index=["fact", "check"], columns="term", values="half_width", sort=False
    )
    delta, half = delta.loc[checks, terms].to_numpy(), half.loc[checks, terms].to_numpy()
    on = table.groupby(["fact", "check"], sort=False)["p_on"].first().loc[checks].to_numpy()
    with mpl.rc_context(STYLE):
        fig = figure(3.2 + 0.55 * len(terms), 1.9 + 0.24 * len(checks))
        ax = fig.add_subplot()
        shown = np.where(np.abs(delta) > half, delta, np.nan)
        cmap = mpl.colormaps["RdBu"].with_extremes(bad="0.92")
        mesh = ax.pcolormesh(
            np.ma.masked_invalid(shown), cmap=cmap, norm=TwoSlopeNorm(0.0, -1.0, 1.0), lw=0.3
        )
        mesh.set_edgecolor("white")
        fig.colorbar(mesh, ax=ax, label="change in P(documented outcome) with the term off")
        for (i, j), value in np.ndenumerate(shown):
            if np.isfinite(value) and abs(value) >= _WRITE:
                colour = text_colour(cmap(0.5 + value / 2))
                ax.text(
                    j + 0.5,
                    i + 0.5,
                    f"{value:+.2f}",
                    ha="center",
                    va="center",
                    fontsize=6,
                    color=colour,
                )
        labels = [f"{check}  (p={p:.2f})" for (_, check), p in zip(checks, on, strict=True)]
        ax.set_yticks(np.arange(len(checks)) + 0.5, labels, fontsize=7)
        ax.set_xticks(np.arange(len(terms)) + 0.5, terms, rotation=60, ha="right", fontsize=8)
        ax.invert_yaxis()
        ax.set_xlabel("term switched off (its weight set to 0)")
        suptitle(
            fig,
            "What drives each documented result: paired runs with one term switched off",
            f"{n_worlds:,} worlds per point, shared random numbers; red: the documented outcome "
            "loses probability; grey: within its 95% interval; p: with every term on",
        )
    return fig


def drivers_figures(folder: Path) -> dict[str, Figure]:
    """The figure of a ``cstosim drivers`` folder, by file name."""
    meta = storage.read_meta(Path(folder))
    table = pd.read_csv(Path(folder) / "drivers.csv")
    return {"drivers.png": drivers_figure(table, int(meta["n_worlds"]))}
