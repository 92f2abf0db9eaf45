"""Global calibration: one parameter set for every documented fact, fitted once.

Method (likelihood-free): minimise the mean log score of the documented checks, each fact once
(``docs/validation.md``), over a Latin-hypercube design of the declared parameter ranges, then
refine with a small evolution strategy. Every point is scored on the same replicates (common
random numbers), and the many points of a generation run as the worlds of one vectorised model.
The finalists are re-scored on fresh seeds with more worlds before one is chosen, so the fit
does not chase one seed's noise.

Uncertainty is reported ABC-style: the spread of the best ``accept`` share of all evaluated
points (rejection approximate Bayesian computation with the log score as distance).
Leave-one-crisis-out (:mod:`.loo`) repeats the search without each crisis's documented outcome
and forecasts it with the parameters fitted without it.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from ..inputs.parameters import PARAMETERS, ParameterSet, load_set, parse_set, sets_dir
from ..inputs.settings import Budget
from . import storage
from .checks import Check, outcome_codes
from .evaluate import evaluate
from .scoring import distribution, log_floor

Points = dict[str, np.ndarray]

#: The set whose values centre the prior: each value argued from its source in the parameter's
#: declaration, not fitted. Centring on the set in force instead would let every calibration
#: pull the next one's prior after it.
PRIOR_CENTRE = "hand-model2.1"
Objective = Callable[[Points], np.ndarray]


@dataclass
class FitResult:
    """The fitted point, its score, and every evaluated point with its loss."""

    best: dict[str, float]
    loss: float
    evaluated: pd.DataFrame
    history: list[float] = field(default_factory=list)

    def accepted(self, share: float) -> pd.DataFrame:
        """The best ``share`` of evaluated points (the ABC rejection sample)."""
        k = max(int(round(share * len(self.evaluated))), 2)
        return self.evaluated.nsmallest(k, "loss")


def latin_hypercube(space: dict[str, tuple[float, float]], n: int, seed: int) -> Points:
    """``n`` points spread over the box ``space`` (scipy's scrambled Latin hypercube)."""
    from scipy.stats import qmc  # SciPy's stats take a second to import: only when fitting

    unit = qmc.LatinHypercube(d=len(space), seed=np.random.default_rng(seed)).random(n)
    lows = np.array([lo for lo, _ in space.values()])
    highs = np.array([hi for _, hi in space.values()])
    scaled = qmc.scale(unit, lows, highs)
    return {name: scaled[:, i] for i, name in enumerate(space)}


def _mutate(parents: Points, space, n: int, sigma: float, rng: np.random.Generator) -> Points:
    """Children of randomly chosen parents, a random third of coordinates moved by N(0, σ·range)."""
    names = list(space)
    k = len(next(iter(parents.values())))
    pick = rng.integers(0, k, size=n)
    move = rng.random((n, len(names))) < max(1 / 3, 1 / len(names))
    noise = rng.standard_normal((n, len(names)))
    out = {}
    for j, name in enumerate(names):
        lo, hi = space[name]
        value = parents[name][pick] + move[:, j] * noise[:, j] * sigma * (hi - lo)
        out[name] = np.clip(value, lo, hi)
    return out


def fit(
    objective: Objective,
    space: dict[str, tuple[float, float]],
    budget: Budget,
    seed: int,
    start: dict[str, float] | None = None,
    rescore: Callable[[Points], np.ndarray] | None = None,
) -> FitResult:
    """Minimise ``objective`` over ``space``: Latin hypercube, then an evolution strategy.

    ``objective`` maps points (arrays of equal length per parameter) to losses. ``start``, if
    given, joins the design. ``rescore`` (default: ``objective``) judges the finalists.
    """
    rng = np.random.default_rng(seed)
    names = list(space)
    points = latin_hypercube(space, budget.design, seed)
    if start:
        points = {k: np.append(v, start[k]) for k, v in points.items()}
    frames, history = [], []

    def evaluate(pts: Points) -> pd.DataFrame:
        frame = pd.DataFrame(pts)
        frame["loss"] = objective(pts)
        frames.append(frame)
        return frame

    pool = evaluate(points)
    sigma = 0.15
    for _ in range(budget.generations):
        elite = pool.nsmallest(budget.parents, "loss")
        history.append(float(elite["loss"].iloc[0]))
        children = _mutate(
            {n: elite[n].to_numpy() for n in names}, space, budget.population, sigma, rng
        )
        new = evaluate(children)
        pool = pd.concat([elite, new], ignore_index=True)
        improved = new["loss"].min() < elite["loss"].iloc[0]
        sigma = sigma if improved else sigma * 0.6
    evaluated = pd.concat(frames, ignore_index=True)
    finalists = evaluated.nsmallest(budget.finalists, "loss")
    judged = (rescore or objective)({n: finalists[n].to_numpy() for n in names})
    best_row = finalists.iloc[int(np.argmin(judged))]
    history.append(float(np.min(judged)))
    return FitResult(
        {n: float(best_row[n]) for n in names}, float(np.min(judged)), evaluated, history
    )


# --- the model's objective ----------------------------------------------------------------------


def point_probabilities(
    points: Points, checks: Sequence[Check], replicates: int, seed: int
) -> tuple[list[Check], np.ndarray]:
    """The probability the model gives each check's documented outcome at every point:
    ``(checks, points)``, for the checks the model has an output for.

    Each point gets ``replicates`` worlds; worlds of different points share random numbers. Only
    the files that hold one of ``checks`` are run, as one block of worlds, and scored from the
    recorder's integer codes (no per-step aggregates, no tables).
    """
    n_points = len(next(iter(points.values())))
    params = {k: np.repeat(np.asarray(v, dtype=float), replicates) for k, v in points.items()}
    files = {c.scenario: c.doc for c in checks}
    worlds = {
        sid: evaluate(
            doc.scenario,
            n_points * replicates,
            seed,
            parameters=params,
            stream_period=replicates,
            scoring=True,
        ).worlds
        for sid, doc in files.items()
    }
    scored, probs = [], []
    for check in checks:
        codes = outcome_codes(check, worlds[check.scenario])
        if codes is None:
            continue  # the model has no such output yet
        dist = distribution(codes.reshape(n_points, replicates), len(check.categories))
        scored.append(check)
        probs.append(dist[:, check.observed])
    return scored, np.array(probs).reshape(len(scored), n_points)


def mean_log_score(probs: np.ndarray, replicates: int) -> np.ndarray:
    """Mean log score over checks, per point, with the floor of ``replicates`` worlds."""
    floor = log_floor(replicates)
    return -np.log(np.maximum(probs, floor)).mean(axis=0)


def parameter_space() -> dict[str, tuple[float, float]]:
    """Every declared parameter with the range a fit searches (its declared range, or from its
    ``fit_low``)."""
    return {name: p.search for name, p in PARAMETERS.items()}


def calibrate(
    checks: Sequence[Check],
    budget: Budget,
    seed: int,
    start: dict[str, float] | None = None,
) -> FitResult:
    """Fit one global parameter set to ``checks`` (each fact once: :func:`.checks.deduplicate`):
    the mean log score of their documented outcomes plus a weak prior centred on the argued
    values (:func:`prior_penalty`), so the fit is a posterior mode. ``start`` joins the design."""
    space = parameter_space()
    centre = dict(load_set(PRIOR_CENTRE).values)

    def loss(points: Points, replicates: int, seed_: int) -> np.ndarray:
        probs = point_probabilities(points, checks, replicates, seed_)[1]
        penalty = prior_penalty(points, centre, space)
        return mean_log_score(probs, replicates) + penalty / max(len(probs), 1)

    def objective(points: Points) -> np.ndarray:
        return loss(points, budget.replicates, seed)

    def rescore(points: Points) -> np.ndarray:
        return loss(points, max(budget.final_worlds, budget.replicates), seed + 1)

    return fit(objective, space, budget, seed, start, rescore)


def prior_penalty(
    points: Points, centre: dict[str, float], space: dict[str, tuple[float, float]]
) -> np.ndarray:
    """Minus the log of a normal prior on each parameter, centred on ``centre`` (the hand-set
    values, each argued in its declaration) with a standard deviation of a quarter of its range.

    Added to the summed log score, this makes the fit a posterior mode: where the documented cases
    say nothing about a parameter, it stays near the argued value instead of drifting to whatever
    edge of its range a few cases happen to favour.
    """
    total = 0.0
    for name, (low, high) in space.items():
        z = (np.asarray(points[name], dtype=float) - centre[name]) / ((high - low) / 4.0)
        total = total + 0.5 * z * z
    return np.asarray(total)


def calibrated_set(
    result: FitResult, checks: Sequence[Check], budget: Budget, seed: int, name: str
) -> dict:
    """The fitted values as a parameter-set record, with how they were obtained."""
    accepted = result.accepted(budget.accept)
    files = sorted({c.scenario for c in checks})
    provenance = {
        "method": "mean log score over each documented fact once (floor 1/(2 x worlds)) with a "
        "normal prior centred on the starting set (sd a quarter of each range); Latin hypercube "
        "then evolution strategy; finalists re-scored on fresh seeds "
        "(cstosim.experiments.calibration, docs/validation.md)",
        "seed": seed,
        "budget": budget.__dict__,
        "scenarios": files,
        "checks": len(checks),
        "score": {"mean_log_score": result.loss, "history": result.history},
        "abc_accepted": {
            p: {
                "q05": float(accepted[p].quantile(0.05)),
                "q50": float(accepted[p].quantile(0.5)),
                "q95": float(accepted[p].quantile(0.95)),
            }
            for p in result.best
        },
        "evaluated_points": int(len(result.evaluated)),
        **storage.provenance(),
    }
    return {
        "name": name,
        "description": f"Global fit to the {len(checks)} checks of the documented facts in "
        f"{len(files)} scenarios (cstosim calibrate, seed {seed}).",
        "values": result.best,
        "provenance": provenance,
    }


def run_calibration(
    budget: Budget,
    seed: int,
    out: Path,
    name: str,
    loo: bool = True,
    progress: bool = True,
    workers: int = 1,
    start: ParameterSet | None = None,
) -> list[Path]:
    """Fit on every documented fact from ``start`` (default: the set in force), report
    leave-one-crisis-out with the same budget, and write the fitted set ``<name>.json`` and its
    records to ``out``."""
    from .loo import leave_one_crisis_out
    from .validation import documented_scenarios, scored_checks, summarise

    budget.check()
    out = storage.prepare_output_dir(out)
    start_values = dict((start or load_set()).values)
    checks = scored_checks(documented_scenarios())[0]
    say = print if progress else (lambda *_: None)
    say(f"fitting {len(PARAMETERS)} parameters on {len(checks)} checks of documented facts")
    fitted = calibrate(checks, budget, seed, start=start_values)
    say(f"fitted: mean log score {fitted.loss:.4f}")
    record = calibrated_set(fitted, checks, budget, seed, name)
    storage.write_table(fitted.evaluated, out / "evaluated.parquet")
    written = [out / "evaluated.parquet"]
    if loo:
        table = leave_one_crisis_out(
            checks, budget, seed, workers=workers, on_fold=lambda s: say(f"fitted without {s}")
        )
        with storage.atomic_open(out / "loo.csv") as fh:
            fh.write(table.to_csv(index=False).encode())
        held = summarise(table, ("held_out",))["kinds"]["overall"]
        say(
            f"leave-one-crisis-out: mean log score {held['held_out']['log']:.3f}, documented "
            f"outcome most likely in {held['held_out']['modal']} of {held['checks']} checks"
        )
        written.append(out / "loo.csv")
        record["provenance"]["leave_one_crisis_out"] = held
    set_path = out / f"{name}.json"
    storage.write_json(record, set_path)
    parse_set(set_path.read_bytes(), str(set_path))  # what we wrote must load as a set
    return [set_path, *written]


def install_set(path: Path) -> Path:
    """Copy a parameter-set file into the package's shipped sets and make it the set in force.

    Results made afterwards name the new set in ``meta.json``; the golden tests, written with the
    old set, will then say which parameters moved.
    """
    raw = Path(path).read_bytes()
    pset = parse_set(raw, str(path))
    target = sets_dir() / f"{pset.name}.json"
    with storage.atomic_open(target) as fh:
        fh.write(raw)
    with storage.atomic_open(sets_dir() / "DEFAULT") as fh:
        fh.write(f"{pset.name}\n".encode())
    load_set.cache_clear()
    return target
