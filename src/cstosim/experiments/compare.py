"""Paired what-ifs: a scenario run twice on the same worlds, once as it is and once with changes.

Both runs use the same seed and world numbers, so world ``w`` of the variant meets the same random
draws as world ``w`` of the baseline (common random numbers) and the per-world difference isolates
the change. The difference in each metric is reported with a t confidence interval.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from ..inputs.errors import UserError, require_at_least
from ..inputs.overrides import check_overrides, split_overrides
from ..inputs.scenario import Scenario, find_scenario, load_scenario
from ..inputs.settings import DEFAULT_CHUNK, DEFAULT_WORLDS, MAX_SEED, MAX_WORLDS
from . import storage
from .evaluate import chunks, evaluate
from .metrics import check_metrics, default_metrics
from .runs import timestamp

COLUMNS = ["metric", "baseline", "variant", "diff", "ci_low", "ci_high", "n_pairs"]


@dataclass
class Comparison:
    """Per-metric means of baseline and variant, their paired difference and its interval."""

    table: pd.DataFrame
    meta: dict = field(default_factory=dict)
    #: Per metric, the per-world values of baseline and variant (world order).
    pairs: dict[str, tuple[np.ndarray, np.ndarray]] = field(default_factory=dict)


def check_changes(changes: Mapping[str, float]) -> None:
    """Raise :class:`UserError` for no change, an unknown input or a value out of its range."""
    if not changes:
        raise UserError(
            "nothing to change; give at least one parameter or fact", argument="changes", value={}
        )
    check_overrides(changes)


def paired_difference(baseline: np.ndarray, variant: np.ndarray, confidence: float = 0.95):
    """Mean of ``variant − baseline`` over pairs and its t interval ``(mean, low, high)``."""
    d = np.asarray(variant, dtype=float) - np.asarray(baseline, dtype=float)
    mean = float(d.mean())
    if len(d) < 2:
        return mean, float("nan"), float("nan")
    from scipy import stats  # a second to import: not for every run that only imports this

    half = stats.t.ppf(0.5 + confidence / 2, len(d) - 1) * d.std(ddof=1) / np.sqrt(len(d))
    return mean, mean - float(half), mean + float(half)


def compare(
    scenario: Scenario,
    changes: Mapping[str, float],
    n_worlds: int = DEFAULT_WORLDS,
    seed: int = 0,
    metrics: list | None = None,
    chunk_worlds: int = DEFAULT_CHUNK,
    variant: Scenario | None = None,
) -> Comparison:
    """Run ``scenario`` as it is and with ``changes`` (parameters or ``MEMBER.fact`` facts) on the
    same ``n_worlds`` worlds and compare every metric (default: :func:`default_metrics`).

    With ``variant``, the second arm runs that scenario instead (with ``changes``, if any): two
    what-ifs that differ in their assumptions, on the same worlds (``whatif_russia_drained``
    against ``whatif_russia_restored``). The metrics must make sense in both.
    """
    if variant is None:
        check_changes(changes)
    else:
        check_overrides(changes)
    require_at_least("n_worlds", n_worlds, 2, ": a paired interval needs two", MAX_WORLDS)
    require_at_least("seed", seed, 0, " integer", MAX_SEED)
    metrics = metrics or default_metrics(scenario)
    if variant is not None:
        try:
            check_metrics(metrics, variant)
        except ValueError as exc:
            raise UserError(
                f"{variant.id}: {exc}; compare scenarios with the same crises"
            ) from None
    params, facts = split_overrides(changes)
    arms = [(scenario, {}, {}), (variant or scenario, params, facts)]
    started = time.perf_counter()
    values: dict[str, list[list[np.ndarray]]] = {m.name: [[], []] for m in metrics}
    for lo, hi in chunks(n_worlds, chunk_worlds):
        for arm, (situation, p, f) in enumerate(arms):
            outcome = evaluate(situation, hi - lo, seed, p, f, world_offset=lo, metrics=metrics)
            for name, v in outcome.metrics.items():
                values[name][arm].append(v)
    rows, pairs = [], {}
    for name, (base, var) in values.items():
        b, v = np.concatenate(base), np.concatenate(var)
        pairs[name] = (b, v)
        diff, low, high = paired_difference(b, v)
        rows.append([name, b.mean(), v.mean(), diff, low, high, len(b)])
    meta = {
        "scenario_id": scenario.id,
        "scenario_hash": scenario.situation_hash(),
        "changes": dict(changes),
        "seed": seed,
        "n_worlds": n_worlds,
        "confidence": 0.95,
        "metrics": [m.model_dump() for m in metrics],
        "elapsed_s": round(time.perf_counter() - started, 3),
    }
    if variant is not None:
        meta.update(variant_id=variant.id, variant_hash=variant.situation_hash())
    return Comparison(pd.DataFrame(rows, columns=COLUMNS), meta, pairs)


def run_compare(
    scenario: str | Path,
    changes: Mapping[str, float],
    n_worlds: int = DEFAULT_WORLDS,
    seed: int = 0,
    out: str | Path | None = None,
    variant: str | Path | None = None,
) -> tuple[Comparison, Path]:
    """Compare, then write ``compare.csv`` and ``meta.json`` (last) to ``out``."""
    path = find_scenario(scenario)
    sc = load_scenario(path)
    other = load_scenario(find_scenario(variant)) if variant is not None else None
    if other is None:
        check_changes(changes)
    name = sc.id if other is None else f"{sc.id}-vs-{other.id}"
    target = Path(out) if out else Path("results") / f"compare-{name}-{timestamp()}"
    with storage.output_folder(target) as folder:
        result = compare(sc, changes, n_worlds, seed, variant=other)
        storage.unfinish(folder)
        with storage.atomic_open(folder / "compare.csv") as fh:
            fh.write(result.table.to_csv(index=False).encode())
        meta = dict(
            result.meta, scenario_file=str(path), files=["compare.csv"], **storage.provenance()
        )
        storage.write_json(meta, folder / storage.META)
    return result, folder


def describe_changes(
    sc_id: str, changes: Mapping[str, float], variant_id: str | None = None
) -> str:
    """A one-line title for a comparison: what changed against the scenario as documented, or
    which scenario is compared with which."""
    what = ", ".join(f"{k}={v:g}" for k, v in changes.items())
    if variant_id is not None:
        return f"{variant_id}{f' with {what}' if what else ''} vs {sc_id}"
    return f"{sc_id}: {what} vs as documented"


def format_table(table: pd.DataFrame) -> str:
    """The comparison as aligned text, one metric per line."""
    lines = [f"{'metric':<34}{'baseline':>10}{'variant':>10}{'diff':>10}   95% CI"]
    for r in table.itertuples():
        lines.append(
            f"{r.metric:<34}{r.baseline:>10.3f}{r.variant:>10.3f}{r.diff:>+10.3f}"
            f"   [{r.ci_low:+.3f}, {r.ci_high:+.3f}]"
        )
    return "\n".join(lines)
