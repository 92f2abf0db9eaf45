"""Proper scores of categorical forecasts, the modal rule and reliability, as pure functions.

A forecast is a probability vector over a check's categories (last axis); the outcome is the
index of the documented category. A model's forecast is the share of worlds in each category
(:func:`distribution`, from per-world integer codes), so calibration can score arrays it
recorded without building tables. The rules are stated in ``docs/validation.md``.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

#: Bins of the reliability diagram: few, because the documented checks are few.
RELIABILITY_BINS = 5
Z95 = 1.959964


def distribution(codes: np.ndarray, k: int) -> np.ndarray:
    """Share of worlds (last axis of ``codes``) in each of ``k`` categories: shape ``(..., k)``."""
    codes = np.asarray(codes)
    return (codes[..., None] == np.arange(k)).mean(axis=-2)


def log_floor(n_worlds: int) -> float:
    """The smallest probability a log score takes: half a world in ``n_worlds``, so one outcome
    no world produced costs ``log(2 n)`` and not infinity. Baselines get the same floor."""
    return 1.0 / (2 * n_worlds)


def _one_hot(observed: int | np.ndarray, k: int) -> np.ndarray:
    return (np.asarray(observed)[..., None] == np.arange(k)).astype(float)


def brier(p: np.ndarray, observed: int | np.ndarray) -> np.ndarray:
    """Brier score: sum over categories of ``(p - o)²``, with ``o`` one-hot on ``observed``."""
    p = np.asarray(p, dtype=float)
    return ((p - _one_hot(observed, p.shape[-1])) ** 2).sum(axis=-1)


def log_score(p: np.ndarray, observed: int | np.ndarray, floor: float) -> np.ndarray:
    """Negative log probability of the observed category, floored at ``floor``."""
    p = np.asarray(p, dtype=float)
    index = np.broadcast_to(np.asarray(observed), p.shape[:-1])[..., None]
    hit = np.take_along_axis(p, index, axis=-1)[..., 0]
    return -np.log(np.maximum(hit, floor)) + 0.0  # + 0.0: a sure hit scores 0, not -0


def ranked_probability_score(p: np.ndarray, observed: int | np.ndarray) -> np.ndarray:
    """Ranked probability score on an ordered set of ``K`` categories: the squared distances of
    the cumulative forecast from the cumulative outcome, summed over the first ``K - 1``
    thresholds and divided by ``K - 1`` (0 best, 1 worst)."""
    p = np.asarray(p, dtype=float)
    k = p.shape[-1]
    if k < 2:
        return np.zeros(p.shape[:-1])
    cum_p = np.cumsum(p, axis=-1)[..., :-1]
    cum_o = np.cumsum(_one_hot(observed, k), axis=-1)[..., :-1]
    return ((cum_p - cum_o) ** 2).sum(axis=-1) / (k - 1)


def is_modal(p: np.ndarray, observed: int | np.ndarray) -> np.ndarray:
    """Whether the observed category is the single most likely one (a tie is not modal)."""
    p = np.asarray(p, dtype=float)
    k = p.shape[-1]
    mask = _one_hot(observed, k).astype(bool)
    hit = np.where(mask, p, -np.inf).max(axis=-1)
    rest = np.where(mask, -np.inf, p).max(axis=-1) if k > 1 else np.full(hit.shape, -np.inf)
    return hit > rest


def scores(p: np.ndarray, observed: int, floor: float, ordinal: bool) -> dict[str, float]:
    """Brier, log and (on a ladder) ranked probability score of one forecast, and modality."""
    return {
        "brier": float(brier(p, observed)),
        "log": float(log_score(p, observed, floor)),
        "rps": float(ranked_probability_score(p, observed)) if ordinal else float("nan"),
        "modal": bool(is_modal(p, observed)),
    }


def wilson_interval(
    k: np.ndarray, n: np.ndarray | int, z: float = Z95
) -> tuple[np.ndarray, np.ndarray]:
    """Wilson score interval for ``k`` successes out of ``n`` (arrays of counts allowed)."""
    k = np.asarray(k, dtype=float)
    n = np.asarray(n, dtype=float)
    p = k / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z / (1 + z * z / n) * np.sqrt(p * (1 - p) / n + z * z / (4 * n * n))
    return np.clip(centre - half, 0.0, 1.0), np.clip(centre + half, 0.0, 1.0)


def reliability(
    forecasts: Sequence[np.ndarray], observed: Sequence[int], bins: int = RELIABILITY_BINS
) -> pd.DataFrame:
    """Predicted probability against observed frequency, pooled over checks and categories.

    Every category of every check is one (probability, happened) pair. Pairs fall into ``bins``
    equal bins of [0, 1] (the last one closed); each bin reports its count, mean probability,
    observed frequency and the 95% Wilson interval of that frequency.
    """
    p = np.concatenate([np.asarray(f, dtype=float) for f in forecasts]) if forecasts else []
    o = (
        np.concatenate([_one_hot(obs, len(f)) for f, obs in zip(forecasts, observed, strict=True)])
        if forecasts
        else []
    )
    p, o = np.asarray(p, dtype=float), np.asarray(o, dtype=float)
    edges = np.linspace(0.0, 1.0, bins + 1).round(12)
    which = np.clip(np.digitize(p, edges[1:-1], right=False), 0, bins - 1)
    rows = []
    for b in range(bins):
        sel = which == b
        n, k = int(sel.sum()), int(o[sel].sum())
        lo, hi = wilson_interval(k, n) if n else (np.nan, np.nan)
        rows.append(
            dict(
                bin=b,
                lo=edges[b],
                hi=edges[b + 1],
                n=n,
                hits=k,
                mean_p=float(p[sel].mean()) if n else np.nan,
                observed=k / n if n else np.nan,
                wilson_lo=float(lo),
                wilson_hi=float(hi),
            )
        )
    return pd.DataFrame(rows)
