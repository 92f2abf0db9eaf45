"""The entry points a notebook and the CLI share: each runs an experiment, then its figures.

The layers below do one thing each: :mod:`cstosim.experiments` evaluates worlds and writes result
files, :mod:`cstosim.analysis` turns result files into tables, :mod:`cstosim.plots` turns them into
figures. The functions here chain them, so ``cstosim sweep SPEC`` and ``run_sweep(SPEC)`` do the
same thing. Results are complete on disk before any figure is drawn; the figures are then added to
the folder's ``meta.json``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path

from .experiments import storage
from .experiments.calibration import install_set, parameter_space
from .experiments.calibration import run_calibration as _calibrate
from .experiments.compare import Comparison, describe_changes
from .experiments.compare import run_compare as _compare
from .experiments.loo import LOO_BUDGET, LooReport
from .experiments.loo import run_loo as _loo
from .experiments.runs import SimulationResult, run_batch, run_scenario, simulate
from .experiments.sweep import compute_sweep
from .experiments.validation import ValidationReport
from .experiments.validation import run_validation as _validate
from .inputs.parameters import ParameterSet, ParamValues, parse_set
from .inputs.scenario import Scenario, find_scenario, load_scenario
from .inputs.settings import DEFAULT_WORLDS, Budget

__all__ = [
    "Budget",
    "Comparison",
    "Scenario",
    "SimulationResult",
    "LooReport",
    "ValidationReport",
    "find_scenario",
    "load_scenario",
    "plot_results",
    "run_batch",
    "run_calibration",
    "run_compare",
    "run_loo",
    "run_scenario",
    "run_sweep",
    "run_validation",
    "simulate",
]


def _add_files(out: Path, files: Sequence[Path]) -> None:
    """Record figures drawn after a folder's results in its ``meta.json``."""
    meta = storage.read_meta(out)
    names = [str(Path(p).relative_to(out)) for p in files]
    meta["files"] = [*meta.get("files", []), *(n for n in names if n not in meta.get("files", []))]
    storage.write_json(meta, out / storage.META)


def plot_results(path: str | Path) -> list[Path]:
    """Draw the figures of a run or batch folder from its files alone."""
    from .plots.runs import plot_path

    return plot_path(Path(path))


def run_sweep(
    spec_path: str | Path,
    out: str | Path | None = None,
    workers: int = 1,
    scheduler: str | None = None,
    progress: bool = True,
    analyse: bool = True,
) -> Path:
    """Run a sweep spec (``docs/sweeps.md``), then its indices, PRIM boxes and figures.

    Resumes a folder that holds part of the same sweep; analyses a computed one that has not been
    analysed yet.
    """
    out = compute_sweep(spec_path, out, workers, scheduler, progress)
    if analyse and not storage.read_meta(out).get("analysed"):
        from .analysis.sweeps import analyse_sweep
        from .plots.sweeps import plot_sweep

        files = analyse_sweep(out) + plot_sweep(out)
        _add_files(out, files)
        meta = storage.read_meta(out)
        storage.write_json(dict(meta, analysed=True), out / storage.META)
    return out


def run_compare(
    scenario: str | Path,
    changes: Mapping[str, float],
    n_worlds: int = DEFAULT_WORLDS,
    seed: int = 0,
    out: str | Path | None = None,
    plot: bool = True,
) -> tuple[Comparison, Path]:
    """A paired what-if written to ``out``, with its difference chart unless ``plot`` is off."""
    result, folder = _compare(scenario, changes, n_worlds, seed, out)
    if plot:
        import pandas as pd

        from .plots.sweeps import plot_compare

        table = pd.read_csv(folder / "compare.csv")
        title = describe_changes(result.meta["scenario_id"], changes)
        _add_files(folder, [plot_compare(table, folder / "compare.png", title)])
    return result, folder


def run_validation(
    files: Sequence[str | Path] | None = None,
    n_worlds: int = DEFAULT_WORLDS,
    seed: int = 0,
    out: str | Path | None = None,
    parameters: ParamValues | None = None,
    progress: bool = True,
    parameter_set: ParameterSet | None = None,
) -> ValidationReport:
    """Score scenarios against their documented outcomes; with ``out``, write and plot."""
    report = _validate(files, n_worlds, seed, out, parameters, progress, parameter_set)
    if report.out is not None:
        from .plots.validation import plot_validation

        _add_files(report.out, plot_validation(report.out))
    return report


def run_loo(
    files: Sequence[str | Path] | None = None,
    seed: int = 1,
    n_worlds: int = DEFAULT_WORLDS,
    out: str | Path | None = None,
    workers: int = 1,
    progress: bool = True,
) -> LooReport:
    """Leave-one-crisis-out with the reduced budget of :data:`LOO_BUDGET`; with ``out``, write
    the held-out scores and their figure."""
    report = _loo(files, LOO_BUDGET, seed, n_worlds, out, workers, progress)
    if report.out is not None:
        from .plots.validation import plot_loo

        _add_files(report.out, [plot_loo(report.out)])
    return report


def run_calibration(
    budget: Budget,
    seed: int,
    out: Path,
    name: str,
    install: bool = False,
    loo: bool = True,
    progress: bool = True,
    workers: int = 1,
) -> list[Path]:
    """Fit the global parameters, write the set and its figure to ``out``; ``install`` makes it
    the set in force."""
    from .plots.validation import plot_parameter_uncertainty

    written = _calibrate(budget, seed, Path(out), name, loo, progress, workers)
    set_path = written[0]
    pset = parse_set(set_path.read_bytes(), str(set_path))
    accepted = pset.provenance["abc_accepted"]
    figure = Path(out) / "parameters.png"
    written.append(
        plot_parameter_uncertainty(dict(pset.values), accepted, parameter_space(), figure)  # type: ignore[arg-type]
    )
    if install:
        written.append(install_set(set_path))
    return written
