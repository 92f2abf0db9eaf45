"""The entry points a notebook and the CLI share: each runs an experiment, then its figures, and
returns a result object (:mod:`cstosim.results`).

The layers below do one thing each: :mod:`cstosim.experiments` evaluates worlds and writes result
files, :mod:`cstosim.analysis` turns result files into tables, :mod:`cstosim.plots` turns them into
figures. The functions here chain them, so ``cstosim sweep SPEC`` and ``run_sweep(SPEC)`` do the
same thing. Results are complete on disk before any figure is drawn; the figures are then added to
the folder's ``meta.json``. Wherever a scenario is named, an id (``"armenia_2022"``) does as well
as a path; sweep specs may be Python dicts as well as TOML files.
"""

from __future__ import annotations

import functools
import hashlib
import inspect
import re
import tempfile
from collections.abc import Callable, Mapping, Sequence
from contextlib import nullcontext
from pathlib import Path
from typing import Any

import tomli_w
from pydantic import ValidationError

from .experiments import runs, storage
from .experiments.calibration import install_set
from .experiments.calibration import run_calibration as _calibrate
from .experiments.compare import Comparison
from .experiments.compare import run_compare as _compare
from .experiments.loo import LOO_BUDGET
from .experiments.loo import run_loo as _loo
from .experiments.runs import check_run_args
from .experiments.sweep import compute_sweep, default_out
from .experiments.validation import run_validation as _validate
from .inputs.catalogue import user_scenario_dir
from .inputs.errors import UserError
from .inputs.overrides import check_overrides
from .inputs.parameters import ParameterSet, ParamValues
from .inputs.scenario import (
    Scenario,
    check_unique_ids,
    find_scenario,
    load_scenario,
)
from .inputs.schema import format_validation
from .inputs.settings import DEFAULT_CHUNK, DEFAULT_LOG_WORLDS, DEFAULT_WORLDS, Budget
from .results import (
    BatchResult,
    CompareResult,
    DriversResult,
    LooResult,
    Result,
    RunResult,
    SweepResult,
    ValidationResult,
)

__all__ = [
    "Budget",
    "check_files",
    "json_schema",
    "Comparison",
    "LooResult",
    "Result",
    "Scenario",
    "find_scenario",
    "load_scenario",
    "new_scenario",
    "open_results",
    "plot_results",
    "run_batch",
    "run_calibration",
    "run_compare",
    "run_drivers",
    "run_loo",
    "run_scenario",
    "run_sweep",
    "run_validation",
    "simulate",
]


def _check_one(path: Path) -> Scenario | None:
    """Validate one input file, a scenario (with its ``[expected]`` block) or a sweep spec; the
    scenario, if it was one."""
    from .experiments.sweep_spec import load_spec
    from .inputs.expected import parse_expected
    from .inputs.scenario import continued, split_file
    from .inputs.schema import read_toml

    raw = read_toml(path, "input", "check the path")
    if "sweep" in raw:
        load_spec(path)
        return None
    if "scenario" not in raw:
        raise UserError(
            f"{path}: neither a scenario (no [scenario] table, docs/scenarios.md) nor a sweep "
            "spec (no [sweep] table, docs/sweeps.md); add the table it lacks"
        )
    scenario, expected = split_file(path)
    if expected is not None:
        parse_expected(path, scenario, expected)
    continued(scenario, path)
    return scenario


def check_files(paths: Sequence[str | Path]) -> list[tuple[Path, str | None]]:
    """Check scenario files and sweep specs without running them: each path with ``None``, or
    with the one-line error that refuses it. Two scenarios with one id are refused too."""
    seen: dict[str, Path] = {}
    report: list[tuple[Path, str | None]] = []
    for path in map(Path, paths):
        try:
            scenario = _check_one(path)
            if scenario is not None:
                first = seen.setdefault(scenario.id, path)
                check_unique_ids([(first, scenario), (path, scenario)])
        except UserError as exc:
            report.append((path, str(exc)))
        else:
            report.append((path, None))
    return report


def json_schema(kind: str) -> dict:
    """The JSON Schema of an input format, ``scenario`` (with its ``[expected]`` block) or
    ``sweep``, for editors that complete and check TOML against it."""
    from .experiments.sweep_spec import SweepSpec
    from .inputs.expected import Expected

    if kind == "sweep":
        schema = SweepSpec.model_json_schema()
        title, doc = "cstosim sweep spec", "docs/sweeps.md"
    elif kind == "scenario":
        schema = Scenario.model_json_schema()
        expected = Expected.model_json_schema()
        defs = schema.setdefault("$defs", {})
        defs.update(expected.pop("$defs", {}))
        defs["Expected"] = expected
        schema["properties"]["expected"] = {
            "$ref": "#/$defs/Expected",
            "description": "The documented outcome; never read by the model. Not in what-ifs.",
        }
        title, doc = "cstosim scenario", "docs/scenarios.md"
    else:
        raise UserError(f"unknown format '{kind}'; use scenario or sweep")
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        **schema,
        "title": title,
        "description": f"Generated by 'cstosim schema {kind}'; the format is in {doc}.",
    }


def _add_files(out: Path, files: Sequence[Path]) -> None:
    """Record figures drawn after a folder's results in its ``meta.json``."""
    meta = storage.read_meta(out)
    names = [str(Path(p).relative_to(out)) for p in files]
    meta["files"] = [*meta.get("files", []), *(n for n in names if n not in meta.get("files", []))]
    storage.write_json(meta, out / storage.META)


def open_results(path: str | Path) -> Result:
    """Reopen any results folder (run, batch, sweep, comparison, validation, calibration)."""
    return Result.from_folder(path)


def plot_results(path: str | Path) -> list[Path]:
    """Draw the figures of any results folder from its files alone."""
    from .plots.folders import plot_folder

    path = Path(path)
    with storage.folder_lock(path) if path.is_dir() else nullcontext():
        return plot_folder(path)


def _scenario(scenario: Scenario | Mapping | str | Path) -> Scenario:
    """A scenario given as an object, a dict in the file's layout, an id or a path."""
    if isinstance(scenario, Scenario):
        return scenario
    if isinstance(scenario, Mapping):
        try:
            return Scenario.model_validate(dict(scenario))
        except ValidationError as exc:
            raise UserError(format_validation(Path("scenario (a dict)"), exc, Scenario)) from None
    return load_scenario(scenario)


def simulate(
    scenario: Scenario | Mapping | str | Path,
    n_worlds: int = DEFAULT_WORLDS,
    seed: int = 0,
    parameters: ParamValues | None = None,
    facts: Mapping[str, Any] | None = None,
    chunk_worlds: int = DEFAULT_CHUNK,
    log_worlds: int = DEFAULT_LOG_WORLDS,
    parameter_set: ParameterSet | None = None,
) -> RunResult:
    """Run ``n_worlds`` worlds of a scenario in memory (nothing is written).

    ``scenario`` is an id, a path, a dict in the layout of a scenario file or a
    :class:`Scenario`; ``parameters`` and ``facts`` (``"KAZ.dependency"``) take scalars or one
    value per world. The numbers depend only on ``seed`` and each world's number.
    """
    result = runs.simulate(
        _scenario(scenario),
        n_worlds,
        seed,
        parameters,
        facts,
        chunk_worlds=chunk_worlds,
        log_worlds=log_worlds,
        parameter_set=parameter_set,
    )
    return RunResult(result.meta, raw=result.tables)


def _returning(result: type[RunResult] | type[BatchResult], function: Callable[..., Path]):
    """``function``, which writes a folder and returns its path, returning the folder read as
    ``result`` instead; same arguments and documentation."""

    @functools.wraps(function)
    def call(*args, **kwargs):
        return result.read(function(*args, **kwargs))

    name = result.__name__
    call.__doc__ = f"{function.__doc__}\n\nReturns the folder as a :class:`{name}`."
    call.__signature__ = inspect.signature(function).replace(return_annotation=name)  # type: ignore[attr-defined]
    return call


#: Run one scenario (an id or a file) into a result folder; returns a :class:`RunResult`.
run_scenario = _returning(RunResult, runs.run_scenario)
#: Run several scenarios into one batch folder; returns a :class:`BatchResult`.
run_batch = _returning(BatchResult, runs.run_batch)


def _spec_file(spec: Mapping, folder: Path) -> tuple[Path, Path]:
    """A sweep spec given as a dict, written as TOML in ``folder``; and its default output
    folder, named after its scenario and contents."""
    data = {k: dict(v) if isinstance(v, Mapping) else v for k, v in spec.items()}
    sweep = data.get("sweep")
    if not isinstance(sweep, dict) or not isinstance(sweep.get("scenario"), str | Path):
        raise UserError("sweep spec: sweep.scenario: missing; add it (see docs/sweeps.md)")
    ref = Path(sweep["scenario"])
    # a relative file is read from here, not from the temporary folder the TOML is written to
    if ref.suffix == ".toml" and not ref.is_absolute():
        sweep["scenario"] = str(ref.resolve())
    else:
        sweep["scenario"] = str(sweep["scenario"])
    try:
        text = tomli_w.dumps(data)
    except TypeError as exc:
        raise UserError(f"sweep spec: {exc}; give numbers, strings, lists and tables") from None
    name = f"{ref.stem}-{hashlib.sha256(text.encode()).hexdigest()[:10]}"
    path = folder / f"{name}.toml"
    path.write_text(text, encoding="utf-8")
    return path, default_out(path)


def run_sweep(
    spec: str | Path | Mapping,
    out: str | Path | None = None,
    workers: int = 1,
    scheduler: str | None = None,
    progress: bool = True,
    analyse: bool = True,
) -> SweepResult:
    """Run a sweep spec (a TOML file or a dict of the same layout, ``docs/sweeps.md``), then its
    indices, PRIM boxes and figures.

    Resumes a folder that holds part of the same sweep; analyses a computed one that has not been
    analysed yet.
    """
    with tempfile.TemporaryDirectory(prefix="cstosim-spec-") as tmp:
        if isinstance(spec, Mapping):
            spec_path, default = _spec_file(spec, Path(tmp))
            out = out or default
        else:
            spec_path = Path(spec)
        folder = compute_sweep(
            spec_path, out, workers, scheduler, progress, then=_analyse_sweep if analyse else None
        )
    return SweepResult.read(folder)


def _analyse_sweep(out: Path) -> None:
    """A computed sweep's indices, PRIM boxes and figures, once (``analysed`` in meta.json)."""
    if storage.read_meta(out).get("analysed"):
        return
    from .analysis.sweeps import analyse_sweep
    from .plots.sweeps import plot_sweep

    files = analyse_sweep(out) + plot_sweep(out)
    _add_files(out, files)
    meta = storage.read_meta(out)
    storage.write_json(dict(meta, analysed=True), out / storage.META)


def run_compare(
    scenario: str | Path,
    changes: Mapping[str, float] | None = None,
    n_worlds: int = DEFAULT_WORLDS,
    seed: int = 0,
    out: str | Path | None = None,
    plot: bool = True,
    variant: str | Path | None = None,
) -> CompareResult:
    """A paired what-if: the scenario as it is and with ``changes`` (a dict of parameters and
    facts) on the same worlds, or against another scenario (``variant``, an id or a file), written
    to ``out``, with its difference chart unless ``plot`` is off."""
    result, folder = _compare(scenario, changes or {}, n_worlds, seed, out, variant)
    if plot:
        _add_files(folder, plot_results(folder))  # plot_results takes the folder's lock again
    return CompareResult(result.table, storage.read_meta(folder), folder, result.pairs)


def run_validation(
    files: Sequence[str | Path] | None = None,
    n_worlds: int = DEFAULT_WORLDS,
    seed: int = 0,
    out: str | Path | None = None,
    parameters: ParamValues | None = None,
    progress: bool = True,
    parameter_set: ParameterSet | None = None,
    facts: Mapping[str, float] | None = None,
) -> ValidationResult:
    """Score scenarios (ids or files; default every documented one) against their documented
    outcomes; with ``out``, write and plot, holding the folder's lock. ``facts`` changes member
    or world facts in every scenario."""
    check_run_args(n_worlds, seed, 1, parameters)  # before any folder or progress bar
    check_overrides(facts)
    if out is None:
        report = _validate(files, n_worlds, seed, None, parameters, progress, parameter_set, facts)
        return ValidationResult(report.table, dict(report.summary, n_worlds=n_worlds, seed=seed))
    with storage.output_folder(Path(out)) as folder:
        _validate(files, n_worlds, seed, folder, parameters, progress, parameter_set, facts)
        _add_files(folder, plot_results(folder))
    return ValidationResult.read(folder)


def run_loo(
    files: Sequence[str | Path] | None = None,
    seed: int = 1,
    n_worlds: int = DEFAULT_WORLDS,
    out: str | Path | None = None,
    workers: int = 1,
    progress: bool = True,
) -> LooResult:
    """Leave-one-crisis-out with the reduced budget of :data:`LOO_BUDGET`; with ``out``, write
    the held-out scores and their figure."""
    if out is None:
        report = _loo(files, LOO_BUDGET, seed, n_worlds, None, workers, progress)
        return LooResult(report.table, report.summary)
    with storage.output_folder(Path(out)) as folder:
        _loo(files, LOO_BUDGET, seed, n_worlds, folder, workers, progress)
        _add_files(folder, plot_results(folder))
    return LooResult.read(folder)


def run_drivers(
    n_worlds: int = 1000,
    seed: int = 0,
    out: str | Path | None = None,
    terms: Sequence[str] | None = None,
    parameter_set: ParameterSet | None = None,
) -> DriversResult:
    """Switch each term of the model off in turn and measure how far every documented outcome
    moves (:mod:`cstosim.experiments.drivers`); with ``out``, write the table and its figure."""
    from .experiments.drivers import run_drivers as _drivers

    if out is None:
        report = _drivers(n_worlds, seed, None, terms, parameter_set)
        return DriversResult(report.table, {"n_worlds": n_worlds, "seed": seed})
    with storage.output_folder(Path(out)) as folder:
        _drivers(n_worlds, seed, folder, terms, parameter_set)
        _add_files(folder, plot_results(folder))
    return DriversResult.read(folder)


def run_calibration(
    budget: Budget,
    seed: int,
    out: Path,
    name: str,
    install: bool = False,
    loo: bool = True,
    progress: bool = True,
    workers: int = 1,
) -> list[Path]:
    """Fit the global parameters, write the set and its figure to ``out``; ``install`` makes it
    the set in force."""
    budget.check()
    with storage.output_folder(Path(out)) as folder:
        written = _calibrate(budget, seed, folder, name, loo, progress, workers)
        written += plot_results(folder)
    if install:
        written.append(install_set(written[0]))
    return written


#: The line of a scenario file that holds its id.
_ID_LINE = re.compile(r'^(id\s*=\s*)"[a-z0-9_]+"', re.MULTILINE)


def new_scenario(scenario_id: str, source: str | Path, folder: str | Path | None = None) -> Path:
    """Scaffold ``<folder>/<scenario_id>.toml`` from an existing scenario (an id or a file), for
    editing. ``folder`` defaults to ``$CSTOSIM_SCENARIOS``; ids resolve there first afterwards."""
    if not re.fullmatch(r"[a-z0-9_]+", scenario_id):
        raise UserError(
            f"{scenario_id}: not a scenario id; use lower-case letters, digits and underscores"
        )
    target_dir = Path(folder) if folder else user_scenario_dir()
    if target_dir is None:
        raise UserError(
            "no folder for your scenarios; give --scenarios-dir DIR or set CSTOSIM_SCENARIOS"
        )
    try:
        taken = find_scenario(scenario_id)
    except UserError:
        taken = None
    if taken is not None or (target_dir / f"{scenario_id}.toml").exists():
        where = taken or target_dir / f"{scenario_id}.toml"
        raise UserError(f"{scenario_id}: a scenario with this id exists ({where}); choose another")
    path = find_scenario(source)
    original = load_scenario(path)  # a scaffold starts from a file that loads
    text = path.read_text(encoding="utf-8")
    header = (
        f"# Scaffolded by 'cstosim new {scenario_id} --from {original.id}'. State the facts of\n"
        "# your moment with their sources; every field is described in docs/scenarios.md.\n"
    )
    text = header + _ID_LINE.sub(rf'\g<1>"{scenario_id}"', text, count=1)
    target = storage.prepare_output_dir(target_dir) / f"{scenario_id}.toml"
    with storage.atomic_open(target) as fh:
        fh.write(text.encode("utf-8"))
    load_scenario(target)
    return target
