"""Stage 5, learn: trust as counts of answers, by provider and by scope, with forgetting.

Each member holds, for each provider (Russia, the collective) and each scope (territorial
defence, regime security, disputed territory), a Beta posterior over the chance that help comes
when asked: ``help`` and ``fail`` counts whose mean is the expected help. One answer moves a
posterior by one count, so one answer does not erase decades; counts relax toward the prior.
"""

from __future__ import annotations

import numpy as np

Array = np.ndarray

#: Weight of the prior in answers: the starting expectation counts as four answers seen
#: (a modelling choice: the record is too short to identify it).
PRIOR_ANSWERS = 4.0
#: Share of what was learnt beyond the prior that fades each month: a half-life of about seven
#: years, so 1999 still weighs in 2006 but 1994 no longer in 2020 (a modelling choice).
TRUST_FADE = 1 / 120
#: Weight of another member's answer against one's own: others' experience counts, but less
#: (a modelling choice within the brief's "more weakly").
SPILLOVER = 0.5


def prior_counts(trust: Array) -> tuple[Array, Array]:
    """The prior (help, fail) counts for a starting expectation ``trust``."""
    return trust * PRIOR_ANSWERS, (1.0 - trust) * PRIOR_ANSWERS


def expected_help(help_count: Array, fail_count: Array) -> Array:
    """The posterior mean chance of help."""
    return help_count / (help_count + fail_count)


def observe(
    help_count: Array, fail_count: Array, success: Array, weight: Array
) -> tuple[Array, Array]:
    """Counts after an answer: ``success`` in {0, 1}, ``weight`` 1 for one's own request,
    :data:`SPILLOVER` for another's, 0 where nothing was seen."""
    return help_count + weight * success, fail_count + weight * (1.0 - success)


def forget(count: Array, prior: Array) -> Array:
    """A count one month on: what was learnt fades toward the prior at :data:`TRUST_FADE`."""
    return prior + (1.0 - TRUST_FADE) * (count - prior)
