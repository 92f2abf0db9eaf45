"""Results as a notebook holds them: tables with ordered categories, figures from memory, and a
short HTML summary.

Every :mod:`cstosim.api` entry point returns one of these, and :meth:`Result.from_folder` reopens
any folder a command wrote (run, batch, sweep, comparison, validation, calibration). Rungs,
request kinds, appeal channels, Russia's own answers, statuses and members are pandas ordered
categoricals in the order of the model's vocabulary, so ``value_counts`` and ``groupby`` list
them on the ladder rather than alphabetically. Tables of a folder are read on first use.
"""

from __future__ import annotations

import html
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from .experiments import storage
from .experiments.compare import describe_changes
from .experiments.folders import folder_kind
from .experiments.scoring import wilson_interval
from .experiments.sweep import MANIFEST
from .inputs.vocabulary import (
    ACTORS,
    BILATERAL_NAMES,
    CHANNEL_NAMES,
    CRISIS_KINDS,
    MEMBERS,
    REQUEST_NAMES,
    RUNG_NAMES,
    STATUS_NAMES,
)
from .plots import runs as run_plots
from .plots.drivers import drivers_figure, drivers_figures
from .plots.folders import fitted_set
from .plots.sweeps import compare_figure, heatmap_figure, sweep_figures
from .plots.validation import (
    FORECASTER_LABELS,
    loo_figures,
    parameter_figure,
    validation_figure,
    validation_figures,
)

#: Columns read as ordered categoricals, wherever a table has them, with their vocabulary.
#: ``channel`` and ``russia`` are the crisis table's appeal channel and Russia's own answer.
CATEGORIES: dict[str, tuple[str, ...]] = {
    "request": REQUEST_NAMES,
    "asked": RUNG_NAMES,
    "response": RUNG_NAMES,
    "channel": CHANNEL_NAMES,
    "russia": BILATERAL_NAMES,
    "final_status": STATUS_NAMES,
    "from_status": STATUS_NAMES,
    "to_status": STATUS_NAMES,
    "member": MEMBERS,
    "target": ACTORS,
    "kind": CRISIS_KINDS,
}


def categorical(table: pd.DataFrame) -> pd.DataFrame:
    """``table`` with every column of :data:`CATEGORIES` as an ordered categorical.

    A column holding a name outside its vocabulary is left as it is rather than turned into
    missing values (a table written by another version of the model).
    """
    out = table.copy()
    for column, names in CATEGORIES.items():
        if column in out.columns and set(out[column].dropna().unique()) <= set(names):
            out[column] = pd.Categorical(out[column], categories=list(names), ordered=True)
    return out


def _table_html(table: pd.DataFrame, digits: int = 3) -> str:
    return table.to_html(index=False, border=0, float_format=lambda v: f"{v:.{digits}f}")


def _heading(title: str, lines: list[str]) -> str:
    items = "".join(f"<li>{html.escape(line)}</li>" for line in lines)
    return f"<h4>{html.escape(title)}</h4><ul>{items}</ul>"


class Result:
    """What every result has: where it lives (``path``, ``None`` if only in memory), its
    provenance (``meta``), its figures and an HTML summary for notebooks."""

    kind: ClassVar[str] = ""
    path: Path | None
    meta: dict

    @staticmethod
    def from_folder(path: str | Path) -> Result:
        """Reopen any results folder a cstosim command wrote."""
        kind = folder_kind(path)
        return _READERS[kind](Path(path))

    def figures(self) -> dict[str, Figure]:
        """Every figure of this result, drawn in memory, by name."""
        raise NotImplementedError

    def summary_lines(self) -> list[str]:
        """Provenance in a few lines: what ran, how many worlds, which seed and parameters."""
        return [f"{self.kind} at {self.path}" if self.path else f"{self.kind} (in memory)"]

    def summary_table(self) -> pd.DataFrame:
        """The headline table of this result."""
        raise NotImplementedError

    def _repr_html_(self) -> str:
        return _heading(self.title, self.summary_lines()) + _table_html(self.summary_table())

    @property
    def title(self) -> str:
        """One line naming the result."""
        return self.kind

    def __fspath__(self) -> str:
        if self.path is None:
            raise TypeError(f"this {self.kind} result was not written to a folder")
        return os.fspath(self.path)


def _run_lines(meta: Mapping[str, Any]) -> list[str]:
    pset = meta.get("parameter_set") or {}
    lines = [
        f"{meta.get('start')} to {meta.get('end')}, {meta.get('n_worlds', 0):,} worlds, "
        f"seed {meta.get('seed')}",
        f"parameter set {pset.get('name', 'unknown')} (sha {str(pset.get('sha256', ''))[:12]})",
    ]
    if meta.get("fact_overrides"):
        lines.append("facts changed: " + ", ".join(meta["fact_overrides"]))
    return lines


@dataclass(eq=False)
class RunResult(Result):
    """One scenario's worlds: the tables of ``docs/results.md`` and ``meta.json``."""

    meta: dict
    path: Path | None = None
    #: The tables as written (plain strings), given or read on first use.
    raw: dict[str, pd.DataFrame] | None = field(default=None, repr=False)
    _categorical: dict[str, pd.DataFrame] | None = field(default=None, repr=False)

    kind: ClassVar[str] = "run"

    @classmethod
    def read(cls, path: Path) -> RunResult:
        """A finished run folder; its tables are read on first use."""
        return cls(storage.read_meta(storage.require_complete(path)), Path(path))

    def _raw(self) -> dict[str, pd.DataFrame]:
        if self.raw is None:
            assert self.path is not None
            run = storage.read_run(self.path)
            self.raw = {name: getattr(run, name) for name in storage.TABLES}
        return self.raw

    @property
    def tables(self) -> dict[str, pd.DataFrame]:
        """Every table by name, with ordered categoricals (:data:`CATEGORIES`)."""
        if self._categorical is None:
            self._categorical = {name: categorical(t) for name, t in self._raw().items()}
        return self._categorical

    crises = property(lambda self: self.tables["crises"], doc="One row per world and crisis.")
    members = property(lambda self: self.tables["members"], doc="One row per world and member.")
    steps = property(lambda self: self.tables["steps"], doc="One row per month and member.")
    log = property(lambda self: self.tables["log"], doc="Every decision in the logged worlds.")

    @property
    def title(self) -> str:
        """The scenario's title, marked if hypothetical."""
        return self._data().name

    def summary_lines(self) -> list[str]:
        """Scenario, dates, worlds, seed, parameter set and changed facts."""
        return [f"scenario {self.meta.get('scenario_id')}", *_run_lines(self.meta)]

    def responses(self) -> pd.DataFrame:
        """Per crisis and rung: the share of worlds answered at that rung, with its 95% Wilson
        interval (one row per crisis and rung, ladder order)."""
        crises = self.crises
        rows = []
        for crisis, group in crises.groupby("crisis", sort=False, observed=True):
            counts = group["response"].value_counts(sort=False)
            lo, hi = wilson_interval(counts.to_numpy(), len(group))
            first = group.iloc[0]
            for (rung, k), low, high in zip(counts.items(), lo, hi, strict=True):
                rows.append(
                    (crisis, first["date"], first["target"], rung, k / len(group), low, high)
                )
        columns = ["crisis", "date", "target", "response", "share", "ci_low", "ci_high"]
        return categorical(pd.DataFrame(rows, columns=columns))

    def summary_table(self) -> pd.DataFrame:
        """The most common response to each crisis, with its share and interval."""
        table = self.responses()
        if table.empty:
            return pd.DataFrame({"crisis": [], "note": []})
        modal = table.loc[table.groupby("crisis", sort=False, observed=True)["share"].idxmax()]
        return modal.rename(columns={"response": "most common response"})

    def narrative(self, world: int | None = None) -> pd.DataFrame:
        """The event log of one logged world (default: the first), in order."""
        log = self.log
        if log.empty:
            return log
        world = int(log["world"].min()) if world is None else world
        return log[log["world"] == world].reset_index(drop=True)

    def _data(self) -> run_plots.RunData:
        t = self._raw()
        return run_plots.RunData(
            self.path, self.meta, int(self.meta.get("n_worlds", 0)), t["crises"], t["steps"]
        )

    def plot_responses(self) -> Figure | None:
        """The distribution of the alliance's response per crisis (None without crises)."""
        return run_plots.responses_figure(self._data())

    def plot_defection(self) -> Figure | None:
        """The share of worlds with each member frozen or withdrawn, month by month."""
        return run_plots.defection_figure(self._data())

    def plot_trust(self) -> Figure | None:
        """Trust per member, median and quantile bands over worlds, month by month."""
        return run_plots.trust_figure(self._data())

    def figures(self) -> dict[str, Figure]:
        """The run's figures by file name (those whose table is empty are left out)."""
        drawn = run_plots.run_figures(self._data())
        return {name: fig for name, fig in drawn.items() if fig is not None}


@dataclass(eq=False)
class BatchResult(Result):
    """Several scenarios' runs in one folder, by scenario id."""

    runs: dict[str, RunResult]
    path: Path | None = None
    meta: dict = field(default_factory=dict)

    kind: ClassVar[str] = "batch"

    @classmethod
    def read(cls, path: Path) -> BatchResult:
        """Every finished run in a batch folder, in folder order."""
        runs = [RunResult.read(p) for p in storage.find_runs(path)]
        return cls({str(r.meta.get("scenario_id", r.path)): r for r in runs}, Path(path))

    def __getitem__(self, scenario_id: str) -> RunResult:
        return self.runs[scenario_id]

    @property
    def title(self) -> str:
        """How many scenarios, and the batch folder's name."""
        where = f" in {self.path.resolve().name}/" if self.path else ""
        return f"Batch of {len(self.runs)} scenarios{where}"

    def summary_lines(self) -> list[str]:
        """How many runs, and the settings of the first."""
        first = next(iter(self.runs.values()), None)
        return [f"{len(self.runs)} scenarios", *(_run_lines(first.meta) if first else [])]

    def summary_table(self) -> pd.DataFrame:
        """Every run's most common responses, one row per crisis."""
        frames = [r.summary_table().assign(scenario=sid) for sid, r in self.runs.items()]
        table = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()
        return table[["scenario", *[c for c in table.columns if c != "scenario"]]]

    def plot_summary(self) -> Figure | None:
        """Every run's crises against treaty states in one chart."""
        name = self.path.resolve().name if self.path else "batch"
        return run_plots.summary_figure([r._data() for r in self.runs.values()], name)

    def figures(self) -> dict[str, Figure]:
        """The summary, then each run's figures as ``<scenario>/<file>``."""
        out: dict[str, Figure] = {}
        summary = self.plot_summary()
        if summary is not None:
            out[run_plots.SUMMARY] = summary
        for sid, run in self.runs.items():
            out.update({f"{sid}/{name}": fig for name, fig in run.figures().items()})
        return out


@dataclass(eq=False)
class SweepResult(Result):
    """A finished sweep: one row per point with each metric's mean and spread."""

    path: Path
    meta: dict

    kind: ClassVar[str] = "sweep"

    @classmethod
    def read(cls, path: Path) -> SweepResult:
        """A sweep folder (``docs/sweeps.md``)."""
        meta = storage.read_json(Path(path) / MANIFEST)
        if storage.is_complete(path):
            meta = dict(meta, **storage.read_meta(path))
        return cls(Path(path), meta)

    @property
    def points(self) -> pd.DataFrame:
        """``points.parquet``: the design and each metric per point, in design order."""
        from .analysis.sweeps import read_points

        return read_points(self.path)

    @property
    def indices(self) -> pd.DataFrame | None:
        """Sobol or Morris indices per metric and input, if the design has them."""
        path = self.path / "analysis" / f"{self.meta.get('sampler')}.csv"
        return pd.read_csv(path) if path.is_file() else None

    @property
    def title(self) -> str:
        """The sweep's scenario and design."""
        return f"sweep of {self.meta.get('scenario_id')}: {self.meta.get('sampler')} design"

    def summary_lines(self) -> list[str]:
        """Design, points, replicates, seed and inputs."""
        inputs = ", ".join(
            f"{p['name']} [{p['low']:g}, {p['high']:g}]" for p in self.meta.get("parameters", [])
        )
        return [
            f"{self.meta.get('n_points', 0):,} points × {self.meta.get('replicates')} "
            f"replicates, seed {self.meta.get('seed')}",
            f"inputs: {inputs}",
        ]

    def summary_table(self) -> pd.DataFrame:
        """Each metric's mean, spread and range over the points."""
        points = self.points
        names = [m["name"] for m in self.meta.get("metrics", [])]
        return pd.DataFrame(
            {
                "metric": names,
                "mean": [points[n].mean() for n in names],
                "sd over points": [points[n].std() for n in names],
                "min": [points[n].min() for n in names],
                "max": [points[n].max() for n in names],
            }
        )

    def plot_heatmap(self, metric: str, x: str | None = None, y: str | None = None) -> Figure:
        """Mean of ``metric`` over two inputs (default: the first two swept)."""
        names = [p["name"] for p in self.meta.get("parameters", [])]
        x, y = x or names[0], y or names[1 if len(names) > 1 else 0]
        return heatmap_figure(self.points, x, y, metric)

    def figures(self) -> dict[str, Figure]:
        """Sensitivity bars, heatmaps and the PRIM trade-off, by file name."""
        return sweep_figures(self.path)


@dataclass(eq=False)
class CompareResult(Result):
    """A paired what-if: each metric's baseline, variant and difference with its interval."""

    table: pd.DataFrame
    meta: dict
    path: Path | None = None
    pairs: dict[str, tuple[np.ndarray, np.ndarray]] = field(default_factory=dict, repr=False)

    kind: ClassVar[str] = "comparison"

    @classmethod
    def read(cls, path: Path) -> CompareResult:
        """A comparison folder (``compare.csv`` and ``meta.json``)."""
        return cls(pd.read_csv(Path(path) / "compare.csv"), storage.read_meta(path), Path(path))

    @property
    def title(self) -> str:
        """What changed against which scenario."""
        meta = self.meta
        return describe_changes(meta["scenario_id"], meta["changes"], meta.get("variant_id"))

    def summary_lines(self) -> list[str]:
        """Worlds, seed and confidence."""
        return [
            f"{self.meta.get('n_worlds', 0):,} paired worlds, seed {self.meta.get('seed')}, "
            f"{self.meta.get('confidence', 0.95):.0%} intervals"
        ]

    def summary_table(self) -> pd.DataFrame:
        """``compare.csv``: metric, baseline, variant, diff, ci_low, ci_high, n_pairs."""
        return self.table

    def plot(self) -> Figure:
        """Each metric's paired difference with its interval."""
        return compare_figure(self.table, self.title)

    def figures(self) -> dict[str, Figure]:
        """The difference chart."""
        return {"compare.png": self.plot()}


def _score_lines(kinds: Mapping[str, Any], forecasters: tuple[str, ...]) -> list[str]:
    """Mean Brier and log score over every check, for each forecaster of a validation summary."""
    overall = kinds["overall"]
    return [
        f"{FORECASTER_LABELS[name]}: mean Brier {overall[name]['brier']:.3f}, mean log score "
        f"{overall[name]['log']:.3f}, documented outcome modal in {overall[name]['modal']} of "
        f"{overall['checks']}"
        for name in forecasters
        if name in overall
    ]


@dataclass(eq=False)
class ValidationResult(Result):
    """Documented facts scored once each: one row per check, and the scores by kind of check
    for the model and the three baselines (``docs/validation.md``)."""

    table: pd.DataFrame
    summary: dict
    path: Path | None = None

    kind: ClassVar[str] = "validation"

    @classmethod
    def read(cls, path: Path) -> ValidationResult:
        """A validation folder (``validation.csv``, ``summary.json`` and ``meta.json``)."""
        summary = storage.read_json(Path(path) / "summary.json")
        meta = storage.read_json(Path(path) / storage.META)
        summary = dict(summary, n_worlds=meta.get("n_worlds"), seed=meta.get("seed"))
        return cls(pd.read_csv(Path(path) / "validation.csv"), summary, Path(path))

    @property
    def meta(self) -> dict:  # type: ignore[override]
        """The headline numbers with the run's settings."""
        return self.summary

    @property
    def title(self) -> str:
        """How many checks have the documented outcome as the model's mode."""
        overall = self.summary["kinds"]["overall"]
        return (
            f"validation: documented outcome modal in {overall['model']['modal']} of "
            f"{overall['checks']} checks"
        )

    def summary_lines(self) -> list[str]:
        """Brier and log scores of the model and of each baseline."""
        names = ("model", "base_rates", "persistence", "rule")
        return _score_lines(self.summary["kinds"], names)

    def summary_table(self) -> pd.DataFrame:
        """Every check: its fact, documented outcome, and each forecaster's probability of it."""
        wanted = ["fact", "scenario", "check", "documented", "p_model", "p_base_rates"]
        return self.table[[c for c in wanted if c in self.table.columns]]

    def plot(self) -> Figure:
        """The model's probability of each documented outcome beside the baselines'."""
        return validation_figure(self.table, int(self.summary.get("n_worlds") or 1))

    def figures(self) -> dict[str, Figure]:
        """Every figure of the validation (only the check chart for one held in memory)."""
        if self.path is None:
            return {"validation.png": self.plot()}
        return validation_figures(self.path)


@dataclass(eq=False)
class LooResult(Result):
    """Leave-one-crisis-out: each crisis's checks forecast by a fit that never saw them."""

    table: pd.DataFrame
    summary: dict
    path: Path | None = None

    kind: ClassVar[str] = "loo"

    @classmethod
    def read(cls, path: Path) -> LooResult:
        """A ``validate --loo`` folder (``loo.csv`` and ``summary.json``)."""
        summary = storage.read_json(Path(path) / "summary.json")
        return cls(pd.read_csv(Path(path) / "loo.csv"), summary, Path(path))

    @property
    def meta(self) -> dict:  # type: ignore[override]
        """The headline numbers."""
        return self.summary

    @property
    def title(self) -> str:
        """How many crisis facts were held out."""
        return f"leave-one-crisis-out: {self.summary.get('facts')} crisis facts held out in turn"

    def summary_lines(self) -> list[str]:
        """Scores of the held-out fit, the fit on every fact and the baselines."""
        names = ("held_out", "all_facts", "base_rates", "persistence", "rule")
        return _score_lines(self.summary["kinds"], names)

    def summary_table(self) -> pd.DataFrame:
        """Every held-out check."""
        return self.table

    def figures(self) -> dict[str, Figure]:
        """The scores by kind of check."""
        if self.path is None:
            raise TypeError("a leave-one-crisis-out result in memory has no figures; write it")
        return loo_figures(self.path)


@dataclass(eq=False)
class DriversResult(Result):
    """Paired runs with one term switched off: per documented check and term, the probability of
    the documented outcome with every term on and with that term off."""

    table: pd.DataFrame
    meta: dict
    path: Path | None = None

    kind: ClassVar[str] = "drivers"

    @classmethod
    def read(cls, path: Path) -> DriversResult:
        """A ``cstosim drivers`` folder (``drivers.csv`` and ``meta.json``)."""
        meta = storage.read_meta(Path(path))
        return cls(pd.read_csv(Path(path) / "drivers.csv"), meta, Path(path))

    @property
    def title(self) -> str:
        """How many checks and terms."""
        t = self.table
        return f"drivers: {t['check'].nunique()} documented checks, {t['term'].nunique()} terms"

    def summary_lines(self) -> list[str]:
        """Worlds, seed and parameter set."""
        pset = self.meta.get("parameter_set") or {}
        return [
            f"{self.meta.get('n_worlds', 0):,} worlds per point, seed {self.meta.get('seed')}",
            f"parameter set {pset.get('name', 'unknown')}",
        ]

    def summary_table(self) -> pd.DataFrame:
        """The terms that move a documented outcome beyond its interval, largest first."""
        from .experiments.drivers import main_drivers

        return main_drivers(self.table)

    def plot(self) -> Figure:
        """The grid of checks by terms."""
        return drivers_figure(self.table, int(self.meta.get("n_worlds", 1)))

    def figures(self) -> dict[str, Figure]:
        """The drivers grid."""
        return drivers_figures(self.path) if self.path else {"drivers.png": self.plot()}


@dataclass(eq=False)
class CalibrationResult(Result):
    """A calibration folder: the fitted parameter set and its leave-one-out checks."""

    path: Path
    parameter_set: dict

    kind: ClassVar[str] = "calibration"

    @classmethod
    def read(cls, path: Path) -> CalibrationResult:
        """A calibration folder (``<name>.json``, ``evaluated.parquet``, ``loo.csv``)."""
        return cls(Path(path), fitted_set(path))

    @property
    def meta(self) -> dict:  # type: ignore[override]
        """The fitted set's provenance."""
        return dict(self.parameter_set.get("provenance", {}))

    @property
    def title(self) -> str:
        """The fitted set's name."""
        return f"calibration: parameter set {self.parameter_set.get('name')}"

    def summary_lines(self) -> list[str]:
        """Score and leave-one-out."""
        score = self.meta.get("score", {}).get("mean_log_score", float("nan"))
        lines = [f"mean log score {score:.4f}, seed {self.meta.get('seed')}"]
        loo = self.meta.get("leave_one_crisis_out")
        if loo:
            held = loo["held_out"]
            lines.append(
                f"leave-one-crisis-out: mean log score {held['log']:.3f}, documented outcome "
                f"modal in {held['modal']} of {loo['checks']} held-out checks"
            )
        return lines

    def summary_table(self) -> pd.DataFrame:
        """Each parameter's fitted value and its ABC-accepted 5-95% range."""
        accepted = self.meta.get("abc_accepted", {})
        return pd.DataFrame(
            [
                (name, value, accepted.get(name, {}).get("q05"), accepted.get(name, {}).get("q95"))
                for name, value in self.parameter_set["values"].items()
            ],
            columns=["parameter", "fitted", "q05", "q95"],
        )

    def plot(self) -> Figure:
        """Fitted values and accepted ranges on each parameter's declared range."""
        from .experiments.calibration import parameter_space

        accepted = self.meta["abc_accepted"]
        return parameter_figure(self.parameter_set["values"], accepted, parameter_space())

    def figures(self) -> dict[str, Figure]:
        """The parameter chart."""
        return {"parameters.png": self.plot()}


_READERS: dict[str, Any] = {
    "run": RunResult.read,
    "batch": BatchResult.read,
    "sweep": SweepResult.read,
    "compare": CompareResult.read,
    "validation": ValidationResult.read,
    "calibration": CalibrationResult.read,
    "loo": LooResult.read,
    "drivers": DriversResult.read,
}
