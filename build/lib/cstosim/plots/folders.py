"""The figures of any results folder, drawn from its files alone: ``cstosim plot DIR``.

Runs and batches are drawn by :func:`cstosim.plots.runs.plot_path` (a batch's runs in worker
processes); sweeps, comparisons, validations and calibrations by the figure functions of
:mod:`.sweeps` and :mod:`.validation`, each from the tables its command wrote.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pandas as pd
from matplotlib.figure import Figure

from ..experiments import storage
from ..experiments.calibration import parameter_space
from ..experiments.compare import describe_changes
from ..experiments.folders import folder_kind
from ..inputs.errors import UserError
from . import style
from .drivers import drivers_figures
from .runs import PlotFiles, plot_path
from .sweeps import compare_figure, sweep_figures
from .validation import TIGHT, loo_figures, parameter_figure, validation_figures


def _sweep(path: Path) -> dict[str, Figure]:
    if not storage.is_complete(path):
        raise UserError(
            f"{path}: an unfinished sweep (no meta.json); re-run 'cstosim sweep' with the same "
            "spec and --out to finish it"
        )
    return {f"plots/{name}": fig for name, fig in sweep_figures(path).items()}


def _compare(path: Path) -> dict[str, Figure]:
    meta = storage.read_meta(path)
    title = describe_changes(meta["scenario_id"], meta["changes"], meta.get("variant_id"))
    return {"compare.png": compare_figure(pd.read_csv(path / "compare.csv"), title)}


def fitted_set(path: Path) -> dict:
    """The parameter-set record a calibration folder holds (the ``.json`` with ``values``)."""
    for candidate in sorted(Path(path).glob("*.json")):
        record = storage.read_json(candidate)
        if "values" in record and "abc_accepted" in record.get("provenance", {}):
            return record
    raise UserError(
        f"{path}: no fitted parameter set (<name>.json) in this calibration folder; "
        "re-run 'cstosim calibrate' with this --out"
    )


def _calibration(path: Path) -> dict[str, Figure]:
    record = fitted_set(path)
    accepted = record["provenance"]["abc_accepted"]
    return {"parameters.png": parameter_figure(record["values"], accepted, parameter_space())}


#: The figures of each kind of folder but runs and batches, by path inside the folder.
FOLDER_FIGURES: dict[str, Callable[[Path], dict[str, Figure]]] = {
    "sweep": _sweep,
    "compare": _compare,
    "validation": validation_figures,
    "calibration": _calibration,
    "loo": loo_figures,
    "drivers": drivers_figures,
}


def folder_figures(path: str | Path) -> dict[str, Figure]:
    """The figures of a sweep, comparison, validation, calibration or leave-one-out folder, drawn
    in memory, by the path each is written to inside the folder."""
    path = Path(path)
    kind = folder_kind(path)
    if kind not in FOLDER_FIGURES:
        raise UserError(f"{path}: a {kind} folder; its figures come from cstosim.plots.runs")
    return FOLDER_FIGURES[kind](path)


def plot_folder(path: str | Path) -> PlotFiles:
    """Draw and write every figure of any results folder; returns the files written."""
    path = Path(path)
    if folder_kind(path) in ("run", "batch"):
        return plot_path(path)
    written = PlotFiles()
    for name, fig in folder_figures(path).items():
        written.append(style.save(fig, path / name, tight=name in TIGHT))
    return written
