"""Sweep designs: pure functions from bounds, a size and a seed to a matrix of points.

Latin hypercube, Sobol/Saltelli and Morris come from SALib. SALib has no full-factorial grid (its
``ff`` design is two-level fractional), so the grid is the Cartesian product of evenly spaced
levels, written here in two lines.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence

import numpy as np

SAMPLERS: tuple[str, ...] = ("grid", "lhs", "sobol", "morris")


def problem(names: Sequence[str], bounds: Sequence[tuple[float, float]]) -> dict:
    """A SALib problem definition."""
    return {"num_vars": len(names), "names": list(names), "bounds": [list(b) for b in bounds]}


def n_points(sampler: str, points: int, d: int) -> int:
    """How many points ``sample`` returns, without drawing them."""
    return {
        "grid": points**d,
        "lhs": points,
        "sobol": points * (d + 2),
        "morris": points * (d + 1),
    }[sampler]


def sample(
    sampler: str,
    names: Sequence[str],
    bounds: Sequence[tuple[float, float]],
    points: int,
    seed: int,
    morris_levels: int = 4,
) -> np.ndarray:
    """Points ``(n, d)`` of design ``sampler`` within ``bounds``.

    ``points`` means: levels per parameter for ``grid`` (``levels ** d`` points); points for
    ``lhs``; the base sample N, a power of two, for ``sobol`` (``N * (d + 2)`` points);
    trajectories for ``morris`` (``trajectories * (d + 1)`` points).
    """
    prob = problem(names, bounds)
    if sampler == "grid":
        axes = [np.linspace(lo, hi, points) for lo, hi in bounds]
        return np.array(list(itertools.product(*axes)), dtype=float).reshape(-1, len(names))
    if sampler == "lhs":
        from SALib.sample import latin

        return latin.sample(prob, points, seed=seed)
    if sampler == "sobol":
        from SALib.sample import sobol

        return sobol.sample(prob, points, calc_second_order=False, scramble=True, seed=seed)
    if sampler == "morris":
        from SALib.sample import morris

        return morris.sample(prob, points, num_levels=morris_levels, seed=seed)
    raise ValueError(f"unknown sampler '{sampler}'; use one of {', '.join(SAMPLERS)}")
