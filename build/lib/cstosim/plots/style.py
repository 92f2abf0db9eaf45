"""The one look of every figure: sizes, fonts, colours, and how a figure is made and saved.

Figures use matplotlib's Agg canvas directly (no pyplot state), and are written atomically as
PNG, so a figure that exists is complete.
"""

from __future__ import annotations

import io
import textwrap
from pathlib import Path

import matplotlib as mpl
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from ..experiments.storage import atomic_open
from ..inputs.vocabulary import BILATERAL_NAMES, MEMBERS, RUNG_NAMES

DPI = 120
TITLE_SIZE = 12.0
STYLE = {
    "font.size": 10,
    "axes.titlesize": 11,
    "axes.labelsize": 10,
    "legend.fontsize": 9,
    "axes.spines.top": False,
    "axes.spines.right": False,
}
#: One fixed colour per rung: grey for none, then a light-to-dark ramp up the ladder.
RUNG_COLOURS: dict[str, str] = dict(
    zip(RUNG_NAMES, ("#bdbdbd", "#c7e9b4", "#7fcdbb", "#41b6c4", "#2c7fb8", "#253494"), strict=True)
)
#: One fixed colour per rung of Russia's own ladder: grey for none, then an orange ramp.
BILATERAL_COLOURS: dict[str, str] = dict(
    zip(BILATERAL_NAMES, ("#bdbdbd", "#fdd49e", "#fc8d59", "#b30000"), strict=True)
)
#: One fixed colour per member, the same in every figure.
MEMBER_COLOURS: dict[str, str] = {
    m: mpl.colors.to_hex(mpl.colormaps["tab10"](i)) for i, m in enumerate(MEMBERS)
}
#: Hatched background that shows through where a cell, bar or range has no data.
EMPTY = {"facecolor": "0.93", "edgecolor": "0.75", "hatch": "//", "lw": 0}


def figure(width: float, height: float, layout: str | None = "constrained") -> Figure:
    """A new figure on an Agg canvas (draw it inside ``mpl.rc_context(STYLE)``)."""
    fig = Figure(figsize=(width, height), dpi=DPI, layout=layout)
    FigureCanvasAgg(fig)
    return fig


def suptitle(fig: Figure, *lines: str) -> int:
    """A centred title, one paragraph per line, each wrapped to the figure's width; returns the
    number of lines."""
    chars = max(30, int(fig.get_figwidth() * 72 / (TITLE_SIZE * 0.62)))
    text = "\n".join(textwrap.fill(line, chars, break_on_hyphens=False) for line in lines)
    fig.suptitle(text, fontsize=TITLE_SIZE)
    return text.count("\n") + 1


def _write_png(fig: Figure, fh, tight: bool) -> None:
    extra = {"bbox_inches": "tight"} if tight else {}
    # zlib level 3 rather than 6: files about 10% larger, a third less time encoding
    fig.savefig(fh, format="png", dpi=DPI, pil_kwargs={"compress_level": 3}, **extra)


def save(fig: Figure, path: Path, tight: bool = False) -> Path:
    """Write ``fig`` to ``path`` as PNG, atomically; ``tight`` crops to the drawn content."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    with atomic_open(path) as fh:
        _write_png(fig, fh, tight)
    return path


def png_bytes(fig: Figure, tight: bool = False) -> bytes:
    """``fig`` as the bytes of a PNG file, drawn in memory."""
    buffer = io.BytesIO()
    _write_png(fig, buffer, tight)
    return buffer.getvalue()


def text_colour(rgb: tuple[float, ...] | str) -> str:
    """Black or white, whichever reads better on a fill of colour ``rgb``."""
    r, g, b = mpl.colors.to_rgb(rgb)
    return "black" if 0.299 * r + 0.587 * g + 0.114 * b > 0.55 else "white"
