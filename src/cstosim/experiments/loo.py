"""Leave-one-crisis-out: refit without a crisis's documented outcome, then forecast it.

For each documented crisis fact, its outcome checks (request, response, and Russia's answer and
the appeal where recorded) leave the fit in every file that holds them; the crisis itself stays
in those files, because it is situation, not outcome. The parameters are refitted from the
declared ranges, never from a set that saw the held-out outcome, with a reduced search budget
(:data:`LOO_BUDGET`), and the held-out checks are forecast on fresh seeds and scored by the
proper scores of :mod:`.scoring`. A reference fit on every fact, with the same budget, shows
what the same search gives in sample; the baselines are scored on the same checks, the base
rates recomputed without the held-out fact.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from ..inputs.errors import UserError
from ..inputs.expected import Documented, ExpectedCrisis, load_documented
from ..inputs.settings import DEFAULT_WORLDS, Budget
from . import storage
from .baselines import BASELINES, BaseRates, baseline_forecasts
from .calibration import calibrate
from .checks import Check, codes_by_check
from .execution import worker_pool
from .outcomes import WorldOutcomes
from .runs import simulate
from .scoring import distribution, log_floor
from .validation import check_row, documented_scenarios, scored_checks, summarise

#: The search of each fold: a quarter of a full calibration's evaluations, fewer worlds.
LOO_BUDGET = Budget(
    design=96, generations=6, population=32, parents=6, replicates=32, finalists=4, final_worlds=400
)
#: Forecasters of the held-out checks: the fold's fit, the reference fit, the baselines.
LOO_FORECASTERS: tuple[str, ...] = ("held_out", "all_facts", *BASELINES)
#: Seed offset of the held-out forecasts: the search uses ``seed`` and ``seed + 1``.
FRESH = 2


def crisis_facts(checks: Sequence[Check]) -> list[str]:
    """The crisis facts among ``checks``, in order of first appearance."""
    return list(dict.fromkeys(c.fact for c in checks if isinstance(c.entry, ExpectedCrisis)))


def forecast(
    checks: Sequence[Check], values: dict[str, float], n_worlds: int, seed: int
) -> dict[tuple[str, str], object]:
    """The model's distribution for each check at parameter ``values`` (``None`` where it has
    no such output), each file run once."""
    out: dict[tuple[str, str], object] = {}
    for sid in dict.fromkeys(c.scenario for c in checks):
        own = [c for c in checks if c.scenario == sid]
        tables = simulate(own[0].doc.scenario, n_worlds, seed, values, log_worlds=0).tables
        worlds = WorldOutcomes.from_tables(tables)
        for check, codes in zip(own, codes_by_check(own, worlds), strict=True):
            dist = None if codes is None else distribution(codes, len(check.categories))
            out[check.key] = dist
    return out


def fold(
    held: str | None, checks: Sequence[Check], budget: Budget, seed: int, n_worlds: int
) -> tuple[dict[str, float], dict]:
    """Fit without the outcome checks of crisis fact ``held`` (``None``: fit on every check),
    then forecast the crisis checks left out (``None``: every crisis check) on fresh seeds."""
    train = [c for c in checks if c.fact != held]
    fitted = calibrate(train, budget, seed).best
    wanted = {held} if held is not None else set(crisis_facts(checks))
    target = [c for c in checks if c.fact in wanted]
    return fitted, forecast(target, fitted, n_worlds, seed + FRESH)


@dataclass
class LooReport:
    """Held-out checks with every forecaster's scores, the summary, and where they went."""

    table: pd.DataFrame
    summary: dict
    out: Path | None = None


def leave_one_crisis_out(
    checks: Sequence[Check],
    budget: Budget = LOO_BUDGET,
    seed: int = 1,
    n_worlds: int = DEFAULT_WORLDS,
    workers: int = 1,
    on_fold: Callable[[str], None] | None = None,
    rate_checks: Sequence[Check] | None = None,
) -> pd.DataFrame:
    """One row per held-out crisis check (``checks`` deduplicated), scored for the fold's fit,
    the reference fit on every fact, and the three baselines.

    ``rate_checks`` (default: ``checks``) give the base rates, recomputed without each held-out
    fact.
    """
    facts = crisis_facts(checks)
    if any(all(c.fact == held for c in checks) for held in facts):
        raise UserError(
            "leave-one-crisis-out: nothing is left to fit once the only documented fact is held "
            "out; validate more files or files with more [expected] entries"
        )
    folds: list[str | None] = [None, *facts]
    with worker_pool(workers) as pool:
        if pool is None:
            results = (fold(h, checks, budget, seed, n_worlds) for h in folds)
        else:
            futures = [pool.submit(fold, h, checks, budget, seed, n_worlds) for h in folds]
            results = (f.result() for f in futures)
        done = {}
        for held, result in zip(folds, results, strict=True):
            done[held] = result
            if on_fold:
                on_fold(held or "(reference: every fact)")
    floor = log_floor(n_worlds)
    reference = done[None][1]
    rows = []
    for held in facts:
        rates = BaseRates.from_checks([c for c in (rate_checks or checks) if c.fact != held])
        for check in (c for c in checks if c.fact == held):
            forecasts = {
                "held_out": done[held][1][check.key],
                "all_facts": reference[check.key],
                **baseline_forecasts(check, rates),
            }
            rows.append(check_row(check, forecasts, floor, []))  # type: ignore[arg-type]
    return pd.DataFrame(rows)


def run_loo(
    files: Sequence[str | Path] | None = None,
    budget: Budget = LOO_BUDGET,
    seed: int = 1,
    n_worlds: int = DEFAULT_WORLDS,
    out: str | Path | None = None,
    workers: int = 1,
    progress: bool = True,
) -> LooReport:
    """Leave-one-crisis-out over ``files`` (default: the documented set), written to ``out``."""
    budget.check()
    started = time.perf_counter()
    docs: list[Documented] = (
        [load_documented(f) for f in files] if files else documented_scenarios()
    )
    checks = scored_checks(docs)[0]
    say = print if progress else (lambda *_: None)
    say(f"leave-one-crisis-out: {len(crisis_facts(checks))} crisis facts, {len(checks)} checks")
    table = leave_one_crisis_out(
        checks,
        budget,
        seed,
        n_worlds,
        workers,
        on_fold=lambda h: say(f"fitted without {h}"),
        rate_checks=scored_checks(documented_scenarios())[0],
    )
    summary = summarise(table, LOO_FORECASTERS)
    summary["runtime_s"] = round(time.perf_counter() - started, 1)
    summary["budget"] = budget.__dict__
    summary["workers"] = workers
    report = LooReport(table, summary)
    if out is not None:
        folder = storage.prepare_output_dir(Path(out))
        with storage.atomic_open(folder / "loo.csv") as fh:
            fh.write(table.to_csv(index=False).encode())
        storage.write_json(summary, folder / "summary.json")
        meta = dict(seed=seed, n_worlds=n_worlds, files=["loo.csv", "summary.json"])
        storage.write_json(dict(meta, **storage.provenance()), folder / storage.META)
        report.out = folder
    return report
