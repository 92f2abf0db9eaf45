"""Sweep specifications: a TOML file naming a scenario, the inputs to vary, a design and metrics.

Inputs are global parameters (checked against their declared range) or facts written
``MEMBER.fact`` / ``world.fact`` (range [0, 1]). The format is documented in ``docs/sweeps.md``.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Annotated

from pydantic import Field, ValidationError, model_validator

from ..inputs.errors import UserError
from ..inputs.overrides import input_bounds
from ..inputs.scenario import Scenario, find_scenario, load_scenario
from ..inputs.schema import Strict, format_validation, one_of, read_toml
from .metrics import Metric, check_metrics
from .samplers import SAMPLERS, n_points

#: Worlds × steps a chunk should hold by default: about 0.2-0.3 s of work on one core, well
#: above the few milliseconds a task costs to dispatch.
CHUNK_WORLD_STEPS = 250_000
MAX_POINTS = 10_000_000


class SweepMeta(Strict):
    """The ``[sweep]`` table: scenario, design, size, replicates, seed and options."""

    scenario: str
    sampler: Annotated[str, one_of(SAMPLERS, "sampler")]
    points: Annotated[int, Field(ge=1)]
    replicates: Annotated[int, Field(ge=1, le=100_000)]
    seed: Annotated[int, Field(ge=0)] = 0
    morris_levels: Annotated[int, Field(ge=2, le=20)] = 4
    common_random_numbers: bool = True
    chunk_worlds: Annotated[int, Field(ge=1)] | None = None
    heatmap: Annotated[list[str], Field(min_length=2, max_length=2)] | None = None

    @model_validator(mode="after")
    def _sampler(self) -> SweepMeta:
        if self.sampler == "sobol" and self.points & (self.points - 1):
            raise ValueError(f"sobol needs points = a power of two (got {self.points}); try 256")
        if self.sampler == "grid" and self.points < 2:
            raise ValueError("grid needs points (levels per parameter) of at least 2")
        return self


class Discovery(Strict):
    """The ``[prim]`` table: which metric, above which threshold, with what coverage."""

    metric: str
    threshold: float = 0.5
    min_coverage: Annotated[float, Field(gt=0.0, le=1.0)] = 0.5


def _check_range(name: str, lo: float, hi: float) -> None:
    """A swept input's [lo, hi] must be a real interval inside its declared range."""
    try:
        low, high = input_bounds(name)
    except UserError as exc:
        raise ValueError(str(exc)) from None
    if not lo < hi:
        raise ValueError(f"parameters.{name}: low {lo} must be below high {hi}")
    if lo < low or hi > high:
        raise ValueError(
            f"parameters.{name}: range [{lo}, {hi}] leaves the declared bounds "
            f"[{low}, {high}]; narrow it"
        )


class SweepSpec(Strict):
    """A validated sweep specification."""

    sweep: SweepMeta
    parameters: dict[str, Annotated[list[float], Field(min_length=2, max_length=2)]]
    metrics: list[Metric] = Field(min_length=1)
    prim: Discovery | None = None

    @model_validator(mode="after")
    def _inputs(self) -> SweepSpec:
        if not self.parameters:
            raise ValueError("parameters: empty; name at least one input with [low, high]")
        for name, (lo, hi) in self.parameters.items():
            _check_range(name, lo, hi)
        n = self.n_points
        if n > MAX_POINTS:
            raise ValueError(f"sweep: {n} points is more than {MAX_POINTS}; lower points")
        names = [m.name for m in self.metrics]
        if self.prim is not None and self.prim.metric not in names:
            raise ValueError(f"prim.metric '{self.prim.metric}' is not one of the metrics {names}")
        for p in self.sweep.heatmap or []:
            if p not in self.parameters:
                raise ValueError(f"sweep.heatmap: '{p}' is not a swept parameter; name two of them")
        if self.sweep.sampler == "morris" and len(self.parameters) < 2:
            raise ValueError("morris needs at least two parameters")
        return self

    @property
    def names(self) -> list[str]:
        """The swept inputs, in the spec's order."""
        return list(self.parameters)

    @property
    def bounds(self) -> list[tuple[float, float]]:
        """Each swept input's (low, high), in the spec's order."""
        return [(lo, hi) for lo, hi in self.parameters.values()]

    @property
    def n_points(self) -> int:
        """How many points the design has."""
        return n_points(self.sweep.sampler, self.sweep.points, len(self.parameters))

    def spec_hash(self) -> str:
        """SHA-256 of the specification as validated (formatting and comments do not count)."""
        blob = json.dumps(self.model_dump(mode="json"), sort_keys=True)
        return hashlib.sha256(blob.encode()).hexdigest()


def load_spec(path: str | Path) -> tuple[SweepSpec, Scenario, Path]:
    """Read and validate a sweep spec and its scenario; problems raise a one-line UserError.

    A scenario given as a relative ``.toml`` path is looked up next to the spec first.
    """
    path = Path(path)
    raw = read_toml(path, "sweep spec", "check the path (examples are in sweeps/)")
    try:
        spec = SweepSpec.model_validate(raw)
    except ValidationError as exc:
        raise UserError(format_validation(path, exc, "docs/sweeps.md")) from None
    ref = spec.sweep.scenario
    beside = path.parent / ref
    scenario_path = beside if ref.endswith(".toml") and beside.is_file() else find_scenario(ref)
    sc = load_scenario(scenario_path)
    try:
        check_metrics(spec.metrics, sc)
    except ValueError as exc:
        raise UserError(f"{path}: metrics: {exc}") from None
    return spec, sc, scenario_path


def chunk_points(spec: SweepSpec, n_steps: int) -> int:
    """Points per chunk: whole points only, about :data:`CHUNK_WORLD_STEPS` world-steps."""
    worlds = spec.sweep.chunk_worlds or CHUNK_WORLD_STEPS // max(n_steps, 1)
    return max(1, worlds // spec.sweep.replicates)
