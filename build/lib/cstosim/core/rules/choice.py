"""How a uniform draw becomes a decision: logit choices with unit noise.

Every stochastic choice is a quantal response (McKelvey & Palfrey 1995) with logistic noise of
scale 1: the weights of each rule set the scale, so a separate temperature would not be
identifiable and is not a parameter.
"""

from __future__ import annotations

import numpy as np
from scipy.special import expit

Array = np.ndarray


def logistic(x: Array) -> Array:
    """The logistic function, overflow-safe."""
    return expit(x)


def logistic_noise(u: Array) -> Array:
    """Standard logistic noise from uniform draws ``u`` in [0, 1)."""
    uc = np.clip(u, 1e-12, 1.0 - 1e-12)
    return np.log(uc / (1.0 - uc))


def softmax_choice(utilities: Array, u: Array) -> tuple[Array, Array]:
    """Multinomial logit: probabilities ``(W, K)`` and the option each world picks with draw ``u``.

    An option with utility ``-inf`` (not admissible) gets probability 0.
    """
    z = utilities - utilities.max(axis=1, keepdims=True)
    p = np.exp(z)
    p /= p.sum(axis=1, keepdims=True)
    cum = np.cumsum(p, axis=1)
    pick = (u[:, None] >= cum[:, :-1]).sum(axis=1)
    return p, pick


def ordered(latent: Array, cuts: tuple[Array | float, ...]) -> Array:
    """How many of the increasing ``cuts`` the ``latent`` value reaches: 0 .. len(cuts)."""
    out = np.zeros(np.shape(latent), dtype=np.int8)
    for cut in cuts:
        out += latent >= cut
    return out
