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

from ..inputs.errors import UserError, did_you_mean
from ..inputs.overrides import input_bounds, unknown_input
from ..inputs.scenario import Scenario, find_scenario, load_scenario
from ..inputs.schema import Strict, first_repeat, format_validation, one_of, read_toml
from .metrics import Metric, check_metrics
from .samplers import SAMPLERS, n_points

#: Worlds × steps a chunk should hold by default: about 0.2-0.3 s of work on one core, well
#: above the few milliseconds a task costs to dispatch.
CHUNK_WORLD_STEPS = 250_000
MAX_POINTS = 10_000_000
#: The smallest designs whose analysis means anything: a Sobol base sample below 16 gives
#: indices outside [0, 1] with degenerate bootstrap intervals; one Morris trajectory has no
#: spread (sigma); PRIM cannot peel a box from a handful of points.
MIN_SOBOL_POINTS = 16
MIN_MORRIS_TRAJECTORIES = 2
MIN_PRIM_POINTS = 20


class SweepMeta(Strict):
    """The ``[sweep]`` table: scenario, design, size, replicates, seed and options."""

    scenario: Annotated[str, Field(min_length=1, max_length=1000)]
    sampler: Annotated[str, one_of(SAMPLERS, "sampler")]
    points: Annotated[int, Field(ge=1)]
    replicates: Annotated[int, Field(ge=1, le=100_000)]
    seed: Annotated[int, Field(ge=0, le=2**63 - 1)] = 0
    morris_levels: Annotated[int, Field(ge=2, le=20)] = 4
    common_random_numbers: bool = True
    chunk_worlds: Annotated[int, Field(ge=1, le=100_000_000)] | None = None
    heatmap: Annotated[list[str], Field(min_length=2, max_length=2)] | None = None

    @model_validator(mode="after")
    def _big_enough(self) -> SweepMeta:
        if self.sampler == "sobol" and self.points & (self.points - 1):
            raise ValueError(
                f"points: sobol needs a power of two (got {self.points}); try "
                f"{1 << max(self.points.bit_length(), 4)}"
            )
        minimum = {
            "sobol": (MIN_SOBOL_POINTS, "a base sample of at least"),
            "morris": (MIN_MORRIS_TRAJECTORIES, "at least"),
            "grid": (2, "at least"),
        }.get(self.sampler)
        if minimum and self.points < minimum[0]:
            raise ValueError(
                f"points: {self.sampler} needs {minimum[1]} {minimum[0]} (got {self.points}); "
                "raise it"
            )
        return self

    @model_validator(mode="after")
    def _levels_only_for_morris(self) -> SweepMeta:
        if "morris_levels" in self.model_fields_set and self.sampler != "morris":
            raise ValueError(
                f"morris_levels: only the morris sampler has levels, not {self.sampler}; remove it"
            )
        return self

    @model_validator(mode="after")
    def _two_heatmap_inputs(self) -> SweepMeta:
        if self.heatmap is not None and self.heatmap[0] == self.heatmap[1]:
            raise ValueError(f"heatmap: '{self.heatmap[0]}' twice; name two different swept inputs")
        return self


class Discovery(Strict):
    """The ``[prim]`` table: which metric, above which threshold, with what coverage."""

    metric: str
    #: every metric is a share, a mean trust or a count of members: none is below 0
    threshold: Annotated[float, Field(ge=0.0)] = 0.5
    min_coverage: Annotated[float, Field(gt=0.0, le=1.0)] = 0.5


def _check_range(name: str, lo: float, hi: float) -> None:
    """A swept input's [lo, hi] must be a real interval inside its declared range."""
    problem = unknown_input(name)
    if problem is not None:
        raise ValueError(f"parameters.{name}: {problem}")
    low, high = input_bounds(name)
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
        for p in self.sweep.heatmap or []:
            if p not in self.parameters:
                raise ValueError(
                    f"sweep.heatmap: '{p}' is not a swept input{did_you_mean(p, self.names)}; "
                    "name two of them"
                )
        if self.sweep.sampler == "morris" and len(self.parameters) < 2:
            raise ValueError("parameters: morris needs at least two inputs")
        return self

    @model_validator(mode="after")
    def _size(self) -> SweepSpec:
        n = self.n_points
        if n > MAX_POINTS:
            raise ValueError(f"sweep.points: {n} points is more than {MAX_POINTS}; lower points")
        if self.prim is not None and n < MIN_PRIM_POINTS:
            raise ValueError(
                f"sweep.points: PRIM needs at least {MIN_PRIM_POINTS} points (the design has "
                f"{n}); raise points or remove [prim]"
            )
        return self

    @model_validator(mode="after")
    def _metric_names(self) -> SweepSpec:
        names = [m.name for m in self.metrics]
        twice = first_repeat(names)
        if twice:
            raise ValueError(
                f"metrics.{twice[0]}.name: '{names[twice[0] - 1]}' is already the name of "
                f"metrics.{twice[1]}; give each metric its own name"
            )
        if self.prim is not None and self.prim.metric not in names:
            raise ValueError(
                f"prim.metric: '{self.prim.metric}' is not one of the metrics "
                f"{', '.join(names)}{did_you_mean(self.prim.metric, names)}"
            )
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


def read_spec(path: str | Path) -> SweepSpec:
    """Read and validate a sweep spec alone (not its scenario); one-line :class:`UserError`."""
    path = Path(path)
    raw = read_toml(path, "sweep spec", "check the path (examples are in sweeps/)")
    try:
        return SweepSpec.model_validate(raw)
    except ValidationError as exc:
        raise UserError(format_validation(path, exc, SweepSpec, "docs/sweeps.md")) from None


def spec_scenario(path: Path, spec: SweepSpec) -> Path:
    """The scenario file a spec names: a ``.toml`` path next to the spec first, else an id or a
    path as :func:`find_scenario` takes it."""
    ref = spec.sweep.scenario
    beside = path.parent / ref
    try:
        if ref.endswith(".toml") and beside.is_file():
            return beside
        return find_scenario(ref)
    except (OSError, ValueError) as exc:
        raise UserError(f"{path}: sweep.scenario: {ref!r} is not a usable path ({exc})") from None
    except UserError as exc:
        raise UserError(f"{path}: sweep.scenario: {exc.message}") from None


def load_spec(path: str | Path) -> tuple[SweepSpec, Scenario, Path]:
    """Read and validate a sweep spec and its scenario; problems raise a one-line UserError.

    A scenario given as a relative ``.toml`` path is looked up next to the spec first.
    """
    path = Path(path)
    spec = read_spec(path)
    scenario_path = spec_scenario(path, spec)
    try:
        sc = load_scenario(scenario_path)
    except UserError as exc:
        raise UserError(f"{path}: sweep.scenario: {exc.message}") from None
    try:
        check_metrics(spec.metrics, sc)
    except ValueError as exc:
        raise UserError(f"{path}: metrics: {exc}") from None
    return spec, sc, scenario_path


def chunk_points(spec: SweepSpec, n_steps: int) -> int:
    """Points per chunk: whole points only, about :data:`CHUNK_WORLD_STEPS` world-steps."""
    worlds = spec.sweep.chunk_worlds or CHUNK_WORLD_STEPS // max(n_steps, 1)
    return max(1, worlds // spec.sweep.replicates)
