"""Global sensitivity indices of one sweep outcome: thin, pure wrappers around SALib.

Both functions take the outcome per point in the order :func:`cstosim.samplers.sample` drew the
points and return one row per parameter, in problem order. An outcome that never varies (a metric
that is the same at every point, common in sweeps) has no variance to apportion: its indices are
returned as 0 with confidence 0 rather than SALib's division by a zero spread.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

SOBOL_COLUMNS: tuple[str, ...] = ("parameter", "S1", "S1_conf", "ST", "ST_conf")
MORRIS_COLUMNS: tuple[str, ...] = ("parameter", "mu", "mu_star", "mu_star_conf", "sigma")


def _require_finite(y: np.ndarray) -> None:
    bad = int(np.count_nonzero(~np.isfinite(y)))
    if bad:
        raise ValueError(
            f"outcome has {bad} missing or infinite values of {len(y)}; sensitivity indices need "
            "a value at every point of the design"
        )


def _zeros(names: list[str], columns: tuple[str, ...]) -> pd.DataFrame:
    table = pd.DataFrame(0.0, index=range(len(names)), columns=list(columns[1:]))
    table.insert(0, "parameter", names)
    return table


def sobol_indices(
    problem: dict, y: np.ndarray, seed: int, conf_level: float = 0.95
) -> pd.DataFrame:
    """First-order (``S1``) and total (``ST``) Sobol indices with bootstrap confidence half-widths.

    ``y`` is the outcome at the points of a Saltelli design drawn without second-order terms
    (``N * (d + 2)`` points). Columns: ``parameter, S1, S1_conf, ST, ST_conf``. A constant
    outcome gives all zeros.
    """
    from SALib.analyze import sobol

    names = list(problem["names"])
    d = len(names)
    y = np.asarray(y, dtype=float)
    if y.ndim != 1 or len(y) % (d + 2):
        raise ValueError(
            f"outcome has shape {y.shape}; a Sobol design over {d} parameters has a multiple of "
            f"{d + 2} points"
        )
    _require_finite(y)
    if np.ptp(y) == 0:
        return _zeros(names, SOBOL_COLUMNS)
    res = sobol.analyze(problem, y, calc_second_order=False, conf_level=conf_level, seed=seed)
    table = pd.DataFrame({c: np.asarray(res[c], dtype=float) for c in SOBOL_COLUMNS[1:]})
    table.insert(0, "parameter", names)
    return table


def morris_indices(
    problem: dict,
    x: np.ndarray,
    y: np.ndarray,
    seed: int,
    num_levels: int = 4,
    conf_level: float = 0.95,
) -> pd.DataFrame:
    """Morris elementary-effect statistics for the trajectories ``x`` and their outcomes ``y``.

    Columns: ``parameter, mu, mu_star, mu_star_conf, sigma``. SALib scales each parameter to
    [0, 1], so an effect is the change in ``y`` per full range of the parameter (``y = a * p`` on
    ``[lo, hi]`` gives ``mu_star = a * (hi - lo)``). ``num_levels`` must match the design's. A
    constant outcome gives all zeros.
    """
    from SALib.analyze import morris

    names = list(problem["names"])
    d = len(names)
    x = np.asarray(x, dtype=float)
    if x.ndim != 2 or x.shape[1] != d or len(x) % (d + 1):
        raise ValueError(
            f"design has shape {x.shape}; Morris trajectories over {d} parameters have {d} "
            f"columns and a multiple of {d + 1} rows"
        )
    y = np.asarray(y, dtype=float)
    if y.shape != (len(x),):
        raise ValueError(f"outcome has shape {y.shape}; the design has {len(x)} points")
    _require_finite(y)
    if np.ptp(y) == 0:
        return _zeros(names, MORRIS_COLUMNS)
    res = morris.analyze(problem, x, y, num_levels=num_levels, conf_level=conf_level, seed=seed)
    # SALib returns masked arrays for some statistics; nothing is masked without groups
    table = pd.DataFrame(
        {c: np.ma.filled(np.ma.asarray(res[c], dtype=float), np.nan) for c in MORRIS_COLUMNS[1:]}
    )
    table.insert(0, "parameter", names)
    return table
