"""Run settings with their defaults, declared once: how many worlds, chunks, search budgets.

Kept apart from the code that uses them so that the CLI can show the defaults in ``--help``
without importing the model.
"""

from __future__ import annotations

from dataclasses import dataclass

from .errors import require_at_least

#: Worlds per scenario when a caller does not say.
DEFAULT_WORLDS = 2000
#: Worlds per model instance when a caller does not say: about 0.1-0.5 s of work.
DEFAULT_CHUNK = 4096
#: Worlds whose every decision goes to the run's event log.
DEFAULT_LOG_WORLDS = 5
#: The most worlds one run may ask for: its per-world tables already take gigabytes.
MAX_WORLDS = 10_000_000
#: The most local worker processes: far beyond any machine's cores, short of a fork bomb.
MAX_WORKERS = 256
#: The longest scenario window, in months: a century is far beyond any question the model is
#: built for, and a longer one (a mistyped year) would run for hours before anyone noticed.
MAX_MONTHS = 1200
#: The largest root seed (numpy's SeedSequence takes any size; files and Dask want 64 bits).
MAX_SEED = 2**63 - 1


@dataclass(frozen=True)
class Budget:
    """How much a calibration searches: design size, generations, population, replicates per
    point, finalists and their worlds, and the ABC acceptance share."""

    design: int = 256
    generations: int = 12
    population: int = 128
    parents: int = 8
    replicates: int = 48
    finalists: int = 8
    final_worlds: int = 1000
    accept: float = 0.05

    def check(self) -> None:
        """Raise :class:`UserError` for a budget that cannot search."""
        for name in ("design", "population", "parents", "replicates", "finalists", "final_worlds"):
            require_at_least(name, getattr(self, name), 1)
        require_at_least("generations", self.generations, 0)
