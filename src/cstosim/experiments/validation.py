"""Validation against documented history: each fact scored once, by proper scores, beside three
baselines, with posterior predictive checks of the trajectories and a reliability table.

Each file's ``[expected]`` block yields checks (:mod:`.checks`); a fact held by several files is
scored from the one that runs the longest history up to it. The model's forecast of a check is
the share of worlds in each outcome category; the baselines (:mod:`.baselines`) forecast the same
categories; all are scored by Brier, log and (on a ladder) ranked probability scores
(:mod:`.scoring`). The method is in ``docs/validation.md``.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
from tqdm.auto import tqdm

from ..core.model import FactValues
from ..inputs.expected import Documented, load_documented
from ..inputs.parameters import ParameterSet, ParamValues, load_set
from ..inputs.scenario import all_scenarios, load_scenario
from ..inputs.settings import DEFAULT_WORLDS
from . import storage
from .baselines import BASELINES, BaseRates, baseline_forecasts
from .checks import KINDS, Check, checks_of, codes_by_check, deduplicate
from .outcomes import WorldOutcomes
from .ppc import Predictive, predictive_checks
from .runs import simulate
from .scoring import distribution, log_floor, reliability, scores

#: Who is scored, the model first.
FORECASTERS: tuple[str, ...] = ("model", *BASELINES)
SCORES: tuple[str, ...] = ("brier", "log", "rps")
NOT_SCORED = "not scored: the model has no such output"
#: Files ``validate`` writes before ``meta.json``.
TABLE_FILES = ("validation", "ppc", "changes", "placebo", "order", "reliability")


def documented_scenarios() -> list[Documented]:
    """The documented (not hypothetical) scenarios shipped in ``scenarios/``."""
    paths = [p for p in all_scenarios() if not load_scenario(p).scenario.hypothetical]
    return [load_documented(p) for p in paths]


def scored_checks(docs: Sequence[Documented]) -> tuple[list[Check], dict]:
    """The checks of ``docs``, each fact and kind once, and the other files holding each."""
    return deduplicate(c for doc in docs for c in checks_of(doc))


def shipped_rates() -> BaseRates:
    """The base rates of the shipped documented set: every file is judged against these."""
    return BaseRates.from_checks(scored_checks(documented_scenarios())[0])


def check_row(
    check: Check,
    forecasts: dict[str, np.ndarray | None],
    floor: float,
    also_in: Sequence[str],
) -> dict:
    """One row of ``validation.csv``: the check, each forecaster's probability of the documented
    outcome, its scores and whether the documented outcome is its single most likely one.

    The first forecaster is the model: without its forecast the check is not scored, and its
    most likely outcome is shown."""
    model = next(iter(forecasts.values()))
    row = dict(
        fact=check.fact,
        row=check.row or "",
        kind=check.kind,
        scenario=check.scenario,
        file=str(check.doc.path),
        also_in=" ".join(also_in),
        check=check.label,
        date=check.date,
        documented=check.documented_label,
        categories=" | ".join(check.categories),
        scored=model is not None,
        status="" if model is not None else NOT_SCORED,
        modal_outcome="" if model is None else check.categories[int(np.argmax(model))],
    )
    for name, p in forecasts.items():
        if p is None:
            row.update({f"p_{name}": np.nan, f"modal_{name}": False})
            row.update({f"{s}_{name}": np.nan for s in SCORES})
            continue
        got = scores(p, check.observed, floor, check.ordinal)
        row[f"p_{name}"] = float(p[check.observed])
        row[f"modal_{name}"] = got["modal"]
        row.update({f"{s}_{name}": got[s] for s in SCORES})
    return row


def _mean(values: pd.Series) -> float | None:
    values = values.dropna()
    return float(values.mean()) if len(values) else None


def _forecaster_block(rows: pd.DataFrame, name: str, first: str) -> dict:
    """Mean scores and modal count of one forecaster; for any but the first, also on how many
    checks the first forecaster scores strictly lower (``beaten``) and strictly higher
    (``beats``), by Brier and log score."""
    out = {
        **{s: _mean(rows[f"{s}_{name}"]) for s in SCORES},
        "modal": int(rows[f"modal_{name}"].sum()),
        "modal_share": float(rows[f"modal_{name}"].mean()) if len(rows) else None,
    }
    if name != first:
        diff = {s: rows[f"{s}_{first}"] - rows[f"{s}_{name}"] for s in ("brier", "log")}
        out["beaten"] = {s: int((d < 0).sum()) for s, d in diff.items()}
        out["beats"] = {s: int((d > 0).sum()) for s, d in diff.items()}
    return out


def summarise(table: pd.DataFrame, forecasters: Sequence[str] = FORECASTERS) -> dict:
    """Mean scores and modal counts per kind and overall, for every forecaster, on the scored
    checks (the first forecaster compared check by check with each other one); and how many
    checks the model cannot answer yet."""
    scored = table[table["scored"].astype(bool)]
    groups = {kind: scored[scored["kind"] == kind] for kind in KINDS}
    groups["overall"] = scored
    kinds = {
        kind: {
            "checks": int(len(rows)),
            **{n: _forecaster_block(rows, n, forecasters[0]) for n in forecasters},
        }
        for kind, rows in groups.items()
        if len(rows)
    }
    not_scored = table[~table["scored"].astype(bool)]
    return {
        "kinds": kinds,
        "not_scored": {k: int(n) for k, n in not_scored["kind"].value_counts().items()},
        "facts": int(table["fact"].nunique()),
        "checks": int(len(table)),
        "held_elsewhere_too": int((table["also_in"] != "").sum()),
    }


def reliability_table(forecasts: dict[str, list[np.ndarray]], observed: list[int]) -> pd.DataFrame:
    """:func:`~.scoring.reliability` of each forecaster, pooled over the scored checks."""
    frames = [reliability(forecasts[n], observed).assign(forecaster=n) for n in FORECASTERS]
    return pd.concat(frames, ignore_index=True)


@dataclass
class ValidationReport:
    """The scored checks, the summary, the predictive checks, the reliability table, and where
    they were written."""

    table: pd.DataFrame
    summary: dict
    predictive: dict[str, pd.DataFrame] = field(default_factory=dict)
    reliability: pd.DataFrame = field(default_factory=pd.DataFrame)
    out: Path | None = None


@dataclass
class ModelRuns:
    """What the model's runs of the files gave: each check's distribution over its categories
    (``None`` where the model has no such output), and the predictive checks."""

    n_worlds: int
    model: dict[tuple[str, str, str], np.ndarray | None] = field(default_factory=dict)
    predictive: Predictive = field(default_factory=lambda: Predictive([], [], [], []))

    def add(self, doc: Documented, tables: dict[str, pd.DataFrame]) -> None:
        """Read the checks of ``doc`` off one run's tables."""
        checks = checks_of(doc)
        worlds = WorldOutcomes.from_tables(tables)
        for check, codes in zip(checks, codes_by_check(checks, worlds), strict=True):
            dist = None if codes is None else distribution(codes, len(check.categories))
            self.model[_identity(check)] = dist
        self.predictive.extend(predictive_checks(doc, worlds, log_floor(self.n_worlds)))


def _identity(check: Check) -> tuple[str, str, str]:
    return check.scenario, check.label, check.kind


def score_runs(docs: Sequence[Documented], runs: ModelRuns, rates: BaseRates) -> ValidationReport:
    """Each fact of ``docs`` scored once, for the model's runs and the three baselines."""
    kept, others = scored_checks(docs)
    floor = log_floor(runs.n_worlds)
    rows, pooled, observed = [], {name: [] for name in FORECASTERS}, []
    for check in kept:
        forecasts = {"model": runs.model[_identity(check)], **baseline_forecasts(check, rates)}
        rows.append(check_row(check, forecasts, floor, others[check.key]))
        if forecasts["model"] is not None:
            for name in FORECASTERS:
                pooled[name].append(forecasts[name])
            observed.append(check.observed)
    table = pd.DataFrame(rows).sort_values("scenario", kind="stable", ignore_index=True)
    summary = summarise(table)
    summary["predictive"] = _predictive_summary(runs.predictive.tests)
    return ValidationReport(
        table, summary, runs.predictive.tables(), reliability_table(pooled, observed)
    )


def run_validation(
    files: Sequence[str | Path] | None = None,
    n_worlds: int = DEFAULT_WORLDS,
    seed: int = 0,
    out: str | Path | None = None,
    parameters: ParamValues | None = None,
    progress: bool = True,
    parameter_set: ParameterSet | None = None,
    facts: FactValues | None = None,
) -> ValidationReport:
    """Run scenarios (default: every documented one) and score each documented fact once.

    The base rates always come from the documented set in ``scenarios/``, so a scenario from
    another folder is judged against the same situation-blind baseline.
    """
    started = time.perf_counter()
    docs = [load_documented(f) for f in files] if files else documented_scenarios()
    runs = ModelRuns(n_worlds)
    for doc in tqdm(docs, desc="validate", unit="scenario", disable=not progress):
        result = simulate(
            doc.scenario,
            n_worlds,
            seed,
            parameters,
            facts,
            log_worlds=0,
            parameter_set=parameter_set,
        )
        runs.add(doc, result.tables)
    report = score_runs(docs, runs, shipped_rates())
    if out is not None:
        meta = dict(
            n_worlds=n_worlds,
            seed=seed,
            log_floor=log_floor(n_worlds),
            scenario_files=[str(d.path) for d in docs],
            parameter_set=(parameter_set or load_set()).record(),
            parameters=dict(parameters or {}),
            facts={k: float(v) for k, v in (facts or {}).items()},
            elapsed_s=round(time.perf_counter() - started, 3),
        )
        report.out = write_report(report, Path(out), meta)
    return report


def _predictive_summary(tests: list[dict]) -> dict:
    return {
        "tests": len(tests),
        "passed": sum(bool(t["passed"]) for t in tests),
        "lines": [
            f"{'pass' if t['passed'] else 'FAIL'}: {t['test']}: {t['scenario']}: {t['check']}: "
            f"{t['detail']}"
            for t in tests
        ],
    }


def write_report(report: ValidationReport, out: Path, meta: dict) -> Path:
    """The tables as CSV and ``summary.json``, each atomically, then ``meta.json`` last."""
    out = storage.prepare_output_dir(out)
    tables = {"validation": report.table, "reliability": report.reliability, **report.predictive}
    for name in TABLE_FILES:
        with storage.atomic_open(out / f"{name}.csv") as fh:
            fh.write(tables[name].to_csv(index=False).encode())
    storage.write_json(report.summary, out / "summary.json")
    files = [f"{name}.csv" for name in TABLE_FILES] + ["summary.json"]
    storage.write_json(dict(meta, files=files, **storage.provenance()), out / storage.META)
    return out
