"""Scenario discovery: which region of the parameter space produces an outcome, found by PRIM.

PRIM (the Patient Rule Induction Method, from the EMA Workbench) peels the box of sampled points
a little at a time, each time keeping the side whose removal most raises the share of cases
(``density``) among the points left, while giving up as few cases (``coverage``) as possible. The
sequence of boxes is the peeling trajectory; :func:`prim_boxes` picks one box from it.
"""

from __future__ import annotations

import logging
import warnings
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from ..experiments import storage

TRAJECTORY_COLUMNS: tuple[str, ...] = ("box", "coverage", "density", "mass", "res_dim")
LIMIT_COLUMNS: tuple[str, ...] = ("parameter", "low", "high", "restricted")


@dataclass(frozen=True)
class PrimResult:
    """A PRIM peeling trajectory and the box chosen from it.

    ``trajectory`` has one row per box (``box, coverage, density, mass, res_dim``; box 0 is the
    whole sample). ``limits`` has one row per parameter (``parameter, low, high, restricted``) for
    box ``chosen``; an unrestricted parameter spans its sampled range. ``ranges`` is each
    parameter's sampled (min, max), ``base_rate`` the share of cases among all ``n_points``.
    """

    trajectory: pd.DataFrame
    chosen: int
    limits: pd.DataFrame
    ranges: dict[str, tuple[float, float]]
    base_rate: float
    n_points: int
    min_coverage: float

    def write(self, folder: Path) -> list[Path]:
        """``prim_trajectory.csv``, ``prim_box.csv`` and ``prim.json`` in ``folder``, atomically."""
        paths = [folder / "prim_trajectory.csv", folder / "prim_box.csv", folder / "prim.json"]
        for table, path in zip((self.trajectory, self.limits), paths, strict=False):
            with storage.atomic_open(path) as fh:
                fh.write(table.to_csv(index=False).encode())
        summary = {
            "chosen": self.chosen,
            "ranges": {k: list(v) for k, v in self.ranges.items()},
            "base_rate": self.base_rate,
            "n_points": self.n_points,
            "min_coverage": self.min_coverage,
        }
        storage.write_json(summary, paths[2])
        return paths

    @classmethod
    def read(cls, folder: Path) -> PrimResult:
        """The result :meth:`write` put in ``folder``."""
        summary = storage.read_json(folder / "prim.json")
        return cls(
            trajectory=pd.read_csv(folder / "prim_trajectory.csv"),
            chosen=int(summary["chosen"]),
            limits=pd.read_csv(folder / "prim_box.csv"),
            ranges={k: (float(lo), float(hi)) for k, (lo, hi) in summary["ranges"].items()},
            base_rate=float(summary["base_rate"]),
            n_points=int(summary["n_points"]),
            min_coverage=float(summary["min_coverage"]),
        )


def _cases(y: np.ndarray, n: int) -> np.ndarray:
    """``y`` as booleans, refusing anything but booleans or 0/1 and a y without both classes."""
    y = np.asarray(y)
    if y.shape != (n,):
        raise ValueError(f"outcome has shape {y.shape}; x has {n} rows")
    if y.dtype != bool:
        if not np.isin(y, (0, 1)).all():
            raise ValueError("PRIM needs a yes/no outcome: booleans or 0/1 values")
        y = y.astype(bool)
    k = int(y.sum())
    if k == 0 or k == n:
        which = "no" if k == 0 else "every"
        raise ValueError(
            f"the outcome holds at {which} point of {n}; PRIM needs both cases and non-cases "
            "to find a region"
        )
    return y


def prim_boxes(
    x: pd.DataFrame, y: np.ndarray, min_coverage: float = 0.5, mass_min: float = 0.05
) -> PrimResult:
    """Run PRIM on parameters ``x`` (one numeric column each) and yes/no outcome ``y``.

    The chosen box is the densest one that keeps at least ``min_coverage`` of the cases (the
    earliest, so the largest, on ties). Raises ValueError if ``y`` has no cases or no
    non-cases.
    """
    y = _cases(y, len(x))
    # PRIM peels only float64 and integer columns and crashes on integers with pandas 3
    x = x.astype("float64").reset_index(drop=True)
    if not np.isfinite(x.to_numpy()).all():
        raise ValueError("parameters contain missing or infinite values")
    box = _find_box(x, y, mass_min)

    trajectory = box.peeling_trajectory.rename(columns={"id": "box"})[list(TRAJECTORY_COLUMNS)]
    trajectory = trajectory.astype({"box": int, "res_dim": int}).reset_index(drop=True)
    eligible = trajectory[trajectory["coverage"] >= min_coverage]
    chosen = int(eligible["density"].idxmax())  # first maximum: the earliest box on ties

    initial, lims = box.box_lims[0], box.box_lims[chosen]
    limits = pd.DataFrame(
        {
            "parameter": list(x.columns),
            "low": lims.iloc[0].to_numpy(dtype=float),
            "high": lims.iloc[1].to_numpy(dtype=float),
            "restricted": (lims.to_numpy() != initial.to_numpy()).any(axis=0),
        }
    )
    ranges = {c: (float(initial[c].iloc[0]), float(initial[c].iloc[1])) for c in x.columns}
    return PrimResult(
        trajectory=trajectory,
        chosen=chosen,
        limits=limits,
        ranges=ranges,
        base_rate=float(y.mean()),
        n_points=len(y),
        min_coverage=min_coverage,
    )


def _find_box(x: pd.DataFrame, y: np.ndarray, mass_min: float):
    """One PRIM box, without the workbench's warnings (missing optional packages, pandas
    deprecations in its own code) and progress logging."""
    ema = logging.getLogger("EMA")
    level = ema.level
    ema.setLevel(logging.WARNING)
    try:
        with warnings.catch_warnings():
            warnings.filterwarnings("ignore", module=r"ema_workbench\b")
            from ema_workbench.analysis import prim

            return prim.Prim(x, y, mass_min=mass_min, peel_alpha=0.05).find_box()
    finally:
        ema.setLevel(level)
