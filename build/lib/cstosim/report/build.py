"""Building the report: a results folder read as a :class:`~cstosim.results.Result`, turned into
sections of tables, figures and lists, rendered by one Jinja2 template.

Figures are drawn in memory and embedded as ``data:`` URIs; tables are rendered by pandas with
their values escaped. Shares are shown with their 95% Wilson interval over worlds.
"""

from __future__ import annotations

import base64
import html
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import pandas as pd
from jinja2 import Environment, PackageLoader, select_autoescape

from ..experiments import storage
from ..experiments.scoring import wilson_interval
from ..inputs.errors import UserError
from ..inputs.parameters import available_sets, load_set
from ..inputs.scenario import Scenario, find_scenario, load_scenario
from ..plots.style import png_bytes
from ..results import (
    BatchResult,
    CalibrationResult,
    CompareResult,
    Result,
    RunResult,
    SweepResult,
    ValidationResult,
)

REPORT = "report.html"


@dataclass
class Section:
    """A heading with its paragraphs, key-value facts, lists, tables and figures, in that order."""

    heading: str
    paragraphs: list[str] = field(default_factory=list)
    facts: list[tuple[str, str]] = field(default_factory=list)
    lists: list[tuple[str, list[str]]] = field(default_factory=list)
    tables: list[tuple[str, str]] = field(default_factory=list)  # caption, escaped HTML
    figures: list[tuple[str, str]] = field(default_factory=list)  # caption, data URI


def _table(frame: pd.DataFrame, digits: int = 3) -> str:
    return frame.to_html(
        index=False,
        border=0,
        classes="data",
        float_format=lambda v: f"{v:.{digits}f}",
        escape=True,
        na_rep="",
    )


def _data_uri(png: bytes) -> str:
    return "data:image/png;base64," + base64.b64encode(png).decode("ascii")


#: What each figure shows, by file name; others are captioned with their name.
CAPTIONS = {
    "responses.png": "The alliance's response to each crisis: share of worlds at each rung",
    "russia.png": "Russia's own answer to each crisis, and the channel the state hit chose",
    "defection.png": "Members frozen or withdrawn, month by month, with 95% intervals",
    "trust.png": "Trust in the alliance by member: median and quantile bands over worlds",
    "summary_responses.png": "Every run's crises against treaty states",
    "compare.png": "Paired difference per metric, variant minus baseline",
    "validation.png": "Probability given to each documented outcome: model and baseline",
    "parameters.png": "Fitted parameters and their ABC-accepted ranges",
}


def _figures(result: Result) -> list[tuple[str, str]]:
    return [
        (CAPTIONS.get(Path(name).name, name), _data_uri(png_bytes(fig)))
        for name, fig in result.figures().items()
    ]


def _share(k: int, n: int) -> str:
    lo, hi = wilson_interval(k, n)
    return f"{k / n:.1%} [{float(lo):.1%}–{float(hi):.1%}]"


def share_table(frame: pd.DataFrame, row: str, column: str, n: int) -> pd.DataFrame:
    """Share of worlds in each ``column`` category per ``row``, as text with its 95% interval;
    categories no world reached are left out."""
    counts = pd.crosstab(frame[row], frame[column])
    counts = counts.loc[:, counts.sum() > 0]
    text = counts.map(lambda k: _share(int(k), n))
    text.columns = [str(c) for c in text.columns]
    return text.reset_index().rename(columns={row: row.replace("_", " ")})


# --- provenance ----------------------------------------------------------------------------


def _overrides(meta: Mapping) -> list[str]:
    """Parameters whose value differs from the set the run names, and facts changed per world."""
    record = meta.get("parameter_set") or {}
    values = meta.get("parameters") or {}
    base: Mapping[str, float] = {}
    if record.get("name") in available_sets():
        pset = load_set(record["name"])
        base = pset.values if pset.sha256 == record.get("sha256") else {}
    lines = [
        f"{name} = {value}"
        for name, value in values.items()
        if not base or isinstance(value, dict) or abs(base.get(name, value) - value) > 1e-12
    ]
    if base and not lines:
        lines = ["none: every parameter has the set's value"]
    elif not base:
        lines.insert(0, "the named set is not shipped here, so every value is listed:")
    facts = meta.get("fact_overrides") or []
    return lines + [f"fact changed per world: {f}" for f in facts]


def _provenance(meta: Mapping, path: Path | None) -> Section:
    record = meta.get("parameter_set") or {}
    facts = [
        ("folder", str(path) if path else "in memory"),
        ("scenario", str(meta.get("scenario_id", ""))),
        ("scenario hash", str(meta.get("scenario_hash", ""))[:16]),
        ("worlds", f"{meta['n_worlds']:,}" if "n_worlds" in meta else ""),
        ("seed", str(meta.get("seed", ""))),
        ("parameter set", f"{record.get('name', '')} (sha {str(record.get('sha256', ''))[:12]})"),
        ("package version", str(meta.get("package_version", ""))),
        ("git revision", str(meta.get("git_revision", ""))),
        ("created", str(meta.get("created_utc", ""))),
    ]
    section = Section("Provenance", facts=[(k, v) for k, v in facts if v and v != " (sha )"])
    if isinstance(meta.get("parameters"), dict):  # a sweep lists its swept inputs instead
        section.lists.append(("Parameter overrides", _overrides(meta)))
    return section


# --- scenarios -----------------------------------------------------------------------------


def _scenario_of(meta: Mapping) -> tuple[Scenario | None, str]:
    """The scenario a result was made from, and a note if its file has changed or is gone."""
    for ref in (meta.get("scenario_file"), meta.get("scenario_id")):
        if not ref:
            continue
        try:
            scenario = load_scenario(find_scenario(ref))
        except UserError:
            continue
        if meta.get("scenario_hash") and scenario.situation_hash() != meta["scenario_hash"]:
            return scenario, "The scenario file has changed since this result was made."
        return scenario, ""
    return None, "The scenario file was not found here; its notes are not shown."


def _scenario_section(meta: Mapping) -> Section:
    scenario, note = _scenario_of(meta)
    section = Section(f"Scenario {meta.get('scenario_id', '')}")
    if note:
        section.paragraphs.append(note)
    if scenario is not None:
        s = scenario.scenario
        section.facts = [
            ("title", s.title),
            ("period", f"{s.start} to {s.end}"),
            ("hypothetical", "yes" if s.hypothetical else "no (a documented episode)"),
        ]
        section.lists = [("Notes", list(s.notes)), ("Sources", list(s.sources))]
        events = pd.DataFrame(
            [(e.id, e.date, e.kind, e.shock or "", e.target, e.severity) for e in scenario.events],
            columns=["event", "date", "kind", "shock", "target", "severity"],
        )
        if not events.empty:
            section.tables.append(("Events", _table(events, 2)))
    return section


# --- sections by kind ------------------------------------------------------------------------


def _run_sections(run: RunResult, heading: str) -> list[Section]:
    n = int(run.meta.get("n_worlds", 0))
    body = Section(heading)
    crises = run.crises
    if not crises.empty:
        responses = share_table(crises, "crisis", "response", n)
        body.tables.append(
            ("Alliance response per crisis: share of worlds [95% interval]", _table(responses))
        )
    members = run.members
    if not members.empty:
        status = share_table(members, "member", "final_status", n)
        body.tables.append(("Status at the end of the run [95% interval]", _table(status)))
    body.figures = _figures(run)
    return [body, _scenario_section(run.meta), _provenance(run.meta, run.path)]


def _batch_sections(batch: BatchResult) -> list[Section]:
    overview = Section("Summary of the batch")
    overview.tables.append(("Most common response per crisis", _table(batch.summary_table())))
    summary = batch.plot_summary()
    if summary is not None:
        caption = CAPTIONS["summary_responses.png"]
        overview.figures.append((caption, _data_uri(png_bytes(summary))))
    sections = [overview]
    for sid, run in batch.runs.items():
        sections += _run_sections(run, f"Run {sid}: {run.title}")[:2]
    first = next(iter(batch.runs.values()), None)
    if first is not None:
        sections.append(_provenance(first.meta, batch.path))
    return sections


def _generic_sections(result: Result, caption: str) -> list[Section]:
    body = Section(result.title, paragraphs=result.summary_lines())
    body.tables.append((caption, _table(result.summary_table())))
    body.figures = _figures(result)
    return [body]


def _sweep_sections(sweep: SweepResult) -> list[Section]:
    sections = _generic_sections(sweep, "Metrics over the points")
    indices = sweep.indices
    if indices is not None:
        caption = "Sensitivity indices with confidence intervals"
        sections[0].tables.append((caption, _table(indices)))
    box = sweep.path / "analysis" / "prim_box.csv"
    if box.is_file():
        sections[0].tables.append(("PRIM: the chosen box", _table(pd.read_csv(box))))
    return [*sections, _scenario_section(sweep.meta), _provenance(sweep.meta, sweep.path)]


def _compare_sections(result: CompareResult) -> list[Section]:
    sections = _generic_sections(result, "Paired difference per metric with its 95% interval")
    return [*sections, _scenario_section(result.meta), _provenance(result.meta, result.path)]


def _validation_sections(result: ValidationResult) -> list[Section]:
    sections = _generic_sections(result, "Every documented check")
    return [*sections, _provenance(result.summary, result.path)]


def _calibration_sections(result: CalibrationResult) -> list[Section]:
    sections = _generic_sections(result, "Fitted values and ABC-accepted 5-95% ranges")
    loo = result.path / "loo.csv"
    if loo.is_file():
        sections[0].tables.append(("Leave-one-scenario-out checks", _table(pd.read_csv(loo))))
    return [*sections, _provenance(result.meta, result.path)]


_SECTIONS: dict[type, Callable] = {
    RunResult: lambda r: _run_sections(r, r.title),
    BatchResult: _batch_sections,
    SweepResult: _sweep_sections,
    CompareResult: _compare_sections,
    ValidationResult: _validation_sections,
    CalibrationResult: _calibration_sections,
}


def render(result: Result) -> str:
    """The report of ``result`` as one HTML document."""
    env = Environment(
        loader=PackageLoader("cstosim.report", "templates"),
        autoescape=select_autoescape(["html", "j2"]),
    )
    template = env.get_template("report.html.j2")
    return template.render(
        title=result.title,
        kind=result.kind,
        sections=_SECTIONS[type(result)](result),
        made=datetime.now(UTC).isoformat(timespec="seconds"),
        version=storage.provenance()["package_version"],
        escape=html.escape,
    )


def write_report(path: str | Path, out: str | Path | None = None) -> Path:
    """Write the report of the results folder ``path`` to ``out`` (default
    ``<path>/report.html``), atomically; returns where it went."""
    result = Result.from_folder(path)
    target = Path(out) if out else Path(path) / REPORT
    storage.prepare_output_dir(target.parent)
    with storage.atomic_open(target) as fh:
        fh.write(render(result).encode("utf-8"))
    return target
