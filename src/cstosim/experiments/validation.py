"""Scoring the model against documented history: one row per check of an ``[expected]`` block.

Only this module reads ``[expected]``. For each check it computes ``p_model``, the share of worlds
that produce the documented outcome, and ``p_baseline`` from a situation-blind baseline: the base
rates of request kinds, response rungs, status changes and backing across the documented set.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
from tqdm import tqdm

from ..core.model import FactValues
from ..inputs.errors import UserError
from ..inputs.expected import Documented, load_documented
from ..inputs.parameters import ParameterSet, ParamValues
from ..inputs.scenario import all_scenarios, load_scenario
from ..inputs.settings import DEFAULT_WORLDS
from ..inputs.vocabulary import REQUEST_NAMES, RUNG_NAMES
from . import storage
from .runs import simulate

#: Probabilities are clipped to [EPS, 1] in the log score so one miss cannot dominate.
EPS = 1e-3
COLUMNS = [
    "scenario",
    "check",
    "kind",
    "documented",
    "p_model",
    "p_baseline",
    "modal_outcome",
    "modal_is_documented",
]


def brier(p: np.ndarray) -> np.ndarray:
    """Brier score of a forecast ``p`` for an outcome that happened: ``(1 − p)²``."""
    return (1.0 - np.asarray(p, dtype=float)) ** 2


def log_score(p: np.ndarray) -> np.ndarray:
    """Negative log probability of the outcome that happened, ``p`` clipped to [EPS, 1]."""
    return -np.log(np.clip(np.asarray(p, dtype=float), EPS, 1.0))


def status_at(initial: str, transitions: pd.DataFrame, worlds: np.ndarray, step: int) -> np.ndarray:
    """Each world's status name at the end of ``step``, from its start status and transitions."""
    out = pd.Series(initial, index=pd.Index(worlds, name="world"), dtype=object)
    done = transitions[transitions["step"] <= step].sort_values("step", kind="stable")
    last = done.groupby("world")["to_status"].last()
    out.loc[last.index] = last
    return out.to_numpy()


def entered_within(
    transitions: pd.DataFrame,
    worlds: np.ndarray,
    status: str,
    lo: int,
    hi: int,
    from_status: str | None = None,
) -> np.ndarray:
    """Per world: did the member move into ``status`` (from ``from_status``, if given) at a step
    in ``[lo, hi]``."""
    hit = transitions[(transitions["to_status"] == status) & transitions["step"].between(lo, hi)]
    if from_status is not None:
        hit = hit[hit["from_status"] == from_status]
    return np.isin(worlds, hit["world"].unique())


@dataclass(frozen=True)
class BaseRates:
    """Situation-blind base rates across the documented scenarios."""

    request: dict[str, float]
    response: dict[str, float]
    monthly_change: float
    backs: float

    @classmethod
    def from_scenarios(cls, documented: Sequence[Documented]) -> BaseRates:
        """The base rates of the documented outcomes of ``documented``."""
        requests: Counter[str] = Counter()
        responses: Counter[str] = Counter()
        changes = member_months = 0
        backs = []
        for doc in documented:
            sc, exp = doc.scenario, doc.expected
            for c in exp.crisis:
                requests[c.request] += 1
                for rung in c.response:
                    responses[rung] += 1 / len(c.response)
            changes += sum(1 for m in exp.membership if m.mode == "enters")
            parties = sum(1 for s in sc.members.values() if s != "never") - 1  # Russia never moves
            member_months += parties * sc.n_steps
            backs += [s.backs for s in exp.support]
        n_req, n_resp = sum(requests.values()), sum(responses.values())
        return cls(
            request={k: requests[k] / n_req if n_req else 0.0 for k in REQUEST_NAMES},
            response={k: responses[k] / n_resp if n_resp else 0.0 for k in RUNG_NAMES},
            monthly_change=changes / member_months if member_months else 0.0,
            backs=float(np.mean(backs)) if backs else 0.5,
        )


@dataclass(frozen=True)
class Check:
    """One documented outcome of a scenario's ``[expected]`` block."""

    scenario: str
    label: str
    kind: str  # request | response | membership | support
    documented: str
    p_baseline: float


def check_hits(
    doc: Documented, tables: dict[str, pd.DataFrame], base: BaseRates
) -> tuple[list[Check], np.ndarray, dict[str, pd.Series]]:
    """Every check of ``doc.expected``, a boolean matrix ``(checks, worlds)`` of worlds that
    produced the documented outcome, and each check's distribution of outcomes (for the mode)."""
    crises, support = tables["crises"], tables["support"]
    transitions, members = tables["transitions"], tables["members"]
    worlds = np.sort(members["world"].unique())
    checks, hits, dists = [], [], {}
    sc, exp = doc.scenario, doc.expected

    def add(label, kind, documented, p_base, hit, dist):
        checks.append(Check(sc.id, label, kind, documented, float(p_base)))
        hits.append(np.asarray(hit, dtype=bool))
        dists[label] = dist

    for c in exp.crisis:
        rows = crises[crises["crisis"] == c.event].sort_values("world")
        req, resp = rows["request"].to_numpy(), rows["response"].to_numpy()
        add(
            f"{c.event}: request",
            "request",
            c.request,
            base.request[c.request],
            req == c.request,
            pd.Series(req).value_counts(normalize=True),
        )
        add(
            f"{c.event}: response",
            "response",
            "|".join(c.response),
            sum(base.response[r] for r in c.response),
            np.isin(resp, c.response),
            pd.Series(resp).value_counts(normalize=True),
        )

    h = base.monthly_change
    for m in exp.membership:
        trans = transitions[transitions["member"] == m.member]
        step = sc.step_of(m.date)
        if m.mode == "enters":
            lo, hi = step - m.tolerance_months, step + m.tolerance_months
            hit = entered_within(trans, worlds, m.status, lo, hi, m.from_status)
            width = min(hi, sc.n_steps - 1) - max(lo, 0) + 1
            p_base = 1 - (1 - h) ** max(width, 0)
            origin = f" from {m.from_status}" if m.from_status else ""
            label = f"{m.member} enters {m.status}{origin} {m.date}±{m.tolerance_months}"
        else:
            hit = status_at(sc.members[m.member], trans, worlds, step) == m.status
            stays = (1 - h) ** (step + 1)
            p_base = stays if sc.members[m.member] == m.status else 1 - stays
            label = f"{m.member} holds {m.status} at {m.date}"
        add(
            label,
            "membership",
            "yes",
            p_base,
            hit,
            pd.Series(np.where(hit, "yes", "no")).value_counts(normalize=True),
        )

    for s in exp.support:
        rows = support[(support["event"] == s.event) & (support["member"] == s.member)]
        backs = rows.sort_values("world")["backs"].to_numpy()
        add(
            f"{s.event}: {s.member} backs",
            "support",
            str(s.backs).lower(),
            base.backs if s.backs else 1 - base.backs,
            backs == s.backs,
            pd.Series(np.where(backs, "true", "false")).value_counts(normalize=True),
        )
    return checks, np.stack(hits) if hits else np.zeros((0, len(worlds)), dtype=bool), dists


def score_scenario(
    doc: Documented, tables: dict[str, pd.DataFrame], base: BaseRates
) -> pd.DataFrame:
    """One row per check of ``doc.expected``: documented outcome, p_model, p_baseline, modal."""
    checks, hits, dists = check_hits(doc, tables, base)
    rows = []
    for check, hit in zip(checks, hits, strict=True):
        dist = dists[check.label]
        modal = str(dist.idxmax())
        documented = check.documented.split("|")
        rows.append(
            dict(
                scenario=doc.id,
                check=check.label,
                kind=check.kind,
                documented=check.documented,
                p_model=float(hit.mean()),
                p_baseline=check.p_baseline,
                modal_outcome=modal,
                modal_is_documented=modal in documented,
            )
        )
    return pd.DataFrame(rows, columns=COLUMNS)


def summarise(table: pd.DataFrame) -> dict[str, float]:
    """Headline numbers: modal hits, mean Brier and log scores of model and baseline."""
    return {
        "checks": int(len(table)),
        "modal_documented": int(table["modal_is_documented"].sum()),
        "brier_model": float(brier(table["p_model"]).mean()),
        "brier_baseline": float(brier(table["p_baseline"]).mean()),
        "log_model": float(log_score(table["p_model"]).mean()),
        "log_baseline": float(log_score(table["p_baseline"]).mean()),
    }


@dataclass
class ValidationReport:
    """Scored checks of a set of scenarios, the headline numbers, and where they were written."""

    table: pd.DataFrame
    summary: dict[str, float]
    out: Path | None = None


def documented_scenarios() -> list[Documented]:
    """The documented (not hypothetical) scenarios shipped in ``scenarios/``."""
    paths = [p for p in all_scenarios() if not load_scenario(p).scenario.hypothetical]
    return [load_documented(p) for p in paths]


def run_validation(
    files: Sequence[str | Path] | None = None,
    n_worlds: int = DEFAULT_WORLDS,
    seed: int = 0,
    out: str | Path | None = None,
    parameters: ParamValues | None = None,
    progress: bool = True,
    parameter_set: ParameterSet | None = None,
    facts: FactValues | None = None,
) -> ValidationReport:
    """Run scenarios (default: every documented one) and score every ``[expected]`` check.

    The baseline's base rates always come from the documented set in ``scenarios/``, so a
    scenario from another folder is judged against the same situation-blind baseline.
    """
    documented = [load_documented(f) for f in files] if files else documented_scenarios()
    base = BaseRates.from_scenarios(documented_scenarios())
    frames = []
    for doc in tqdm(documented, desc="validate", unit="scenario", disable=not progress):
        result = simulate(
            doc.scenario,
            n_worlds,
            seed,
            parameters,
            facts,
            log_worlds=0,
            parameter_set=parameter_set,
        )
        frames.append(score_scenario(doc, result.tables, base))
    table = pd.concat(frames, ignore_index=True)
    report = ValidationReport(table, summarise(table))
    if out is not None:
        report.out = write_report(report, Path(out), n_worlds, seed)
    return report


def write_report(report: ValidationReport, out: Path, n_worlds: int, seed: int) -> Path:
    """``validation.csv``, then ``summary.json`` (last), atomically."""
    out = storage.prepare_output_dir(out)
    with storage.atomic_open(out / "validation.csv") as fh:
        fh.write(report.table.to_csv(index=False).encode())
    storage.write_json(
        dict(report.summary, n_worlds=n_worlds, seed=seed, **storage.provenance()),
        out / "summary.json",
    )
    return out


def format_summary(summary: dict[str, float]) -> str:
    """The headline numbers as a few aligned lines of text."""
    s = summary
    return "\n".join(
        [
            f"checks with the documented outcome modal: {s['modal_documented']} of {s['checks']}",
            f"{'':24}{'model':>10}{'baseline':>10}",
            f"{'mean Brier score':24}{s['brier_model']:>10.3f}{s['brier_baseline']:>10.3f}",
            f"{'mean log score':24}{s['log_model']:>10.3f}{s['log_baseline']:>10.3f}",
        ]
    )


def markdown_table(report: ValidationReport, n_worlds: int, seed: int) -> str:
    """The validation table in Markdown, for the README."""
    lines = [
        f"Produced by `cstosim validate --worlds {n_worlds} --seed {seed} --readme README.md` "
        "with the shipped parameters.",
        "",
        "| scenario | check | documented | p_model | p_baseline | model's modal outcome |",
        "|---|---|---|---:|---:|---|",
    ]
    for r in report.table.itertuples():
        mark = "" if r.modal_is_documented else " ✗"
        lines.append(
            f"| {r.scenario} | {r.check} | {r.documented.replace('|', ' or ')} | {r.p_model:.3f} | "
            f"{r.p_baseline:.3f} | {r.modal_outcome}{mark} |"
        )
    s = report.summary
    lines += [
        "",
        f"Documented outcome modal in **{s['modal_documented']} of {s['checks']}** "
        f"checks. Mean Brier score: model **{s['brier_model']:.3f}**, baseline "
        f"{s['brier_baseline']:.3f}. Mean log score: model **{s['log_model']:.3f}**, "
        f"baseline {s['log_baseline']:.3f}.",
    ]
    return "\n".join(lines)


README_START, README_END = "<!-- validation:start -->", "<!-- validation:end -->"


def update_readme(path: Path, text: str) -> None:
    """Replace the text between the validation markers of a README."""
    try:
        readme = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise UserError(f"{path}: cannot read ({exc.strerror}); name the project README") from None
    if README_START not in readme or README_END not in readme:
        raise UserError(
            f"{path}: no '{README_START}' ... '{README_END}' markers; add them "
            "where the table belongs"
        )
    head, rest = readme.split(README_START, 1)
    _, tail = rest.split(README_END, 1)
    with storage.atomic_open(path) as fh:
        fh.write(f"{head}{README_START}\n{text}\n{README_END}{tail}".encode())
