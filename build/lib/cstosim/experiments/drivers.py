"""What drives each documented result: paired runs with one term of the model switched off.

Each term of a decision rule enters through a weight whose zero removes exactly that term and
nothing else (Russia's motives, the pull of outside patrons, grievances; ``docs/model.md``). For
every documented check, the model's probability of the documented outcome is computed with the
set in force and again with each term off in turn, on the same worlds: the points are worlds of one
vectorised run and share their random numbers, so a difference is the term's and not the seed's.

A documented outcome that falls when a term the record does not name as its cause is switched off
is reached for the wrong reason. ``docs/validation.md`` reads the shipped table.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from ..inputs.errors import UserError
from ..inputs.parameters import PARAMETERS, ParameterSet, load_set
from . import storage
from .calibration import point_probabilities
from .checks import Check
from .validation import documented_scenarios, scored_checks

#: The terms a paired run switches off, each by its weight, with what the term stands for.
TERMS: dict[str, str] = {
    "need_weight": "the capacity gap pulling toward an appeal",
    "sovereignty_weight": "sovereignty cost of foreign forces and of integration",
    "treaty_weight": "net value of an Art. 4 request beyond the help expected",
    "consult_weight": "pull toward Art. 2 consultations",
    "regime_motive": "Russia: security of an aligned regime at risk",
    "territory_motive": "Russia: defence of an ally's recognised territory",
    "reputation_motive": "Russia: the alliance's credibility",
    "ties_weight": "Russia: ties to the aggressor",
    "bandwidth_weight": "Russia: bandwidth lost to its own war",
    "affinity_weight": "members' solidarity with the state hit",
    "precedent_weight": "members' fear of the precedent of intervening in unrest",
    "grievance_weight": "grievance from unmet requests and entrapment",
    "outside_weight": "pull of outside patrons",
    "protection_weight": "protection a member expects",
    "dependency_weight": "dependency on Russia",
    "support_cost": "cost of backing Russia's call for political support",
}
#: Files ``drivers`` writes before ``meta.json``.
TABLE = "drivers.csv"


@dataclass
class DriversReport:
    """One row per documented check and term: the probability of the documented outcome with
    every term on and with that term off."""

    table: pd.DataFrame
    out: Path | None = None


def check_terms(terms: Sequence[str]) -> None:
    """Raise :class:`UserError` for a term that is not a declared, switchable weight."""
    for term in terms:
        if term not in TERMS:
            raise UserError(
                f"--term {term}: not a term that can be switched off; use one of {', '.join(TERMS)}"
            )


def drivers_table(
    checks: Sequence[Check],
    values: dict[str, float],
    terms: Sequence[str],
    replicates: int,
    seed: int,
) -> pd.DataFrame:
    """The probability of each check's documented outcome at ``values`` and with each term of
    ``terms`` set to 0, with a conservative 95% half-width of each difference (the sum of two
    independent binomial half-widths; the shared random numbers make the true one smaller)."""
    points = {name: np.full(len(terms) + 1, float(v)) for name, v in values.items()}
    for i, term in enumerate(terms, start=1):
        points[term][i] = 0.0
    scored, probs = point_probabilities(points, checks, replicates, seed)
    rows = []
    for check, p in zip(scored, probs, strict=True):
        on = float(p[0])
        for term, off in zip(terms, p[1:], strict=True):
            half = 1.96 * (
                np.sqrt(on * (1 - on) / replicates) + np.sqrt(off * (1 - off) / replicates)
            )
            rows.append(
                dict(
                    fact=check.fact,
                    kind=check.kind,
                    scenario=check.scenario,
                    check=check.label,
                    documented=" | ".join(check.documented),
                    term=term,
                    p_on=on,
                    p_off=float(off),
                    delta=float(off) - on,
                    half_width=float(half),
                )
            )
    return pd.DataFrame(rows)


def run_drivers(
    n_worlds: int,
    seed: int = 0,
    out: str | Path | None = None,
    terms: Sequence[str] | None = None,
    parameter_set: ParameterSet | None = None,
) -> DriversReport:
    """Switch each term off in turn for every documented fact (each once) and write the table."""
    terms = list(terms or TERMS)
    check_terms(terms)
    if n_worlds < 2:
        raise UserError("--worlds: at least 2 worlds per point; give more", argument="n_worlds")
    started = time.perf_counter()
    pset = parameter_set or load_set()
    values = {name: float(pset.values[name]) for name in PARAMETERS}
    checks = scored_checks(documented_scenarios())[0]
    table = drivers_table(checks, values, terms, n_worlds, seed)
    report = DriversReport(table)
    if out is not None:
        folder = storage.prepare_output_dir(Path(out))
        with storage.atomic_open(folder / TABLE) as fh:
            fh.write(table.to_csv(index=False).encode())
        meta = dict(
            n_worlds=n_worlds,
            seed=seed,
            terms=terms,
            parameter_set=pset.record(),
            elapsed_s=round(time.perf_counter() - started, 3),
            files=[TABLE],
            **storage.provenance(),
        )
        storage.write_json(meta, folder / storage.META)
        report.out = folder
    return report


def main_drivers(table: pd.DataFrame, threshold: float = 0.05) -> pd.DataFrame:
    """Per check, the terms whose removal moves the documented outcome's probability by more
    than ``threshold`` and beyond its half-width, largest first."""
    moved = table[(table["delta"].abs() > threshold) & (table["delta"].abs() > table["half_width"])]
    return moved.sort_values(["fact", "kind", "delta"], key=_order).reset_index(drop=True)


def _order(column: pd.Series) -> pd.Series:
    return column.abs() * -1 if column.name == "delta" else column
