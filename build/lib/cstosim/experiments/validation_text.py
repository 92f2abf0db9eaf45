"""The validation's figures as text: the lines ``cstosim validate`` prints and the README section.

Everything here reads the written summary and tables, so the text says what the files say.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from ..inputs.errors import UserError
from ..inputs.settings import Budget
from . import storage

#: Forecasters as the text names them.
NAMES = {
    "model": "model",
    "held_out": "held out",
    "all_facts": "fit on all",
    "base_rates": "base rates",
    "persistence": "persistence",
    "rule": "rule",
}
#: Forecasters as a comparison names them.
AGAINST = {
    "all_facts": "the same search on every fact",
    "base_rates": "the base rates",
    "persistence": "persistence",
    "rule": "the rule",
}
#: Kinds as the text names them.
KIND_NAMES = {
    "request": "request",
    "response": "collective response",
    "bilateral": "Russia's own answer",
    "appeal": "bilateral appeal",
    "membership": "membership",
    "support": "support for Russia",
    "overall": "all checks",
}
README_START, README_END = "<!-- validation:start -->", "<!-- validation:end -->"
LOO_START, LOO_END = "<!-- loo:start -->", "<!-- loo:end -->"


def _num(x: float | None, digits: int = 3) -> str:
    return "–" if x is None else f"{x:.{digits}f}"


def _forecasters(summary: dict) -> list[str]:
    return [k for k in NAMES if k in summary["kinds"]["overall"]]


def _kinds(summary: dict, overall: bool = True) -> list[str]:
    """The kinds of a summary in report order (a summary read back from JSON is key-sorted)."""
    return [k for k in KIND_NAMES if k in summary["kinds"] and (overall or k != "overall")]


def format_summary(summary: dict) -> str:
    """Mean Brier and log score per kind and forecaster, and the modal counts, as aligned text."""
    names = _forecasters(summary)
    head = f"{'':22}{'checks':>7}" + "".join(f"{NAMES[n]:>13}" for n in names)
    lines = []
    for score, title in (("brier", "mean Brier score"), ("log", "mean log score")):
        lines += [f"{title} (lower is better)", head]
        for kind in _kinds(summary):
            block = summary["kinds"][kind]
            cells = "".join(f"{_num(block[n][score]):>13}" for n in names)
            lines.append(f"{KIND_NAMES[kind]:22}{block['checks']:>7}{cells}")
    overall = summary["kinds"]["overall"]
    modal = ", ".join(f"{NAMES[n]} {overall[n]['modal']}" for n in names)
    lines.append(f"documented outcome the single most likely, of {overall['checks']}: {modal}")
    for kind, n in summary.get("not_scored", {}).items():
        lines.append(f"not scored: {n} {KIND_NAMES[kind]} checks (the model has no such output)")
    return "\n".join(lines)


def compare_lines(summary: dict) -> list[str]:
    """For each other forecaster, the kinds where the first (the model) has the lower mean Brier
    and log score, where it has the higher, where the two disagree, and the count of checks on
    which it scores lower and higher."""
    out = []
    names = _forecasters(summary)
    kinds = {k: summary["kinds"][k] for k in _kinds(summary, overall=False)}
    overall = summary["kinds"]["overall"]
    for base in names[1:]:
        better, worse, mixed = [], [], []
        for kind, block in kinds.items():
            wins = [block[names[0]][s] < block[base][s] for s in ("brier", "log")]
            (better if all(wins) else worse if not any(wins) else mixed).append(
                f"{KIND_NAMES[kind]} ({block['checks']})"
            )
        parts = [f"better on {', '.join(better) or 'no kind'}"]
        if worse:
            parts.append(f"worse on {', '.join(worse)}")
        if mixed:
            parts.append(f"split on {', '.join(mixed)} (one score better, one worse)")
        counts = overall[base]
        parts.append(
            f"check by check, a lower log score on {counts['beaten']['log']} and a higher one "
            f"on {counts['beats']['log']} of {overall['checks']} (Brier: "
            f"{counts['beaten']['brier']} lower, {counts['beats']['brier']} higher)"
        )
        out.append(f"against {AGAINST[base]}: " + "; ".join(parts) + ".")
    return out


def _score_table(summary: dict) -> list[str]:
    names = _forecasters(summary)
    head = " | ".join(f"{s}: {NAMES[n]}" for s in ("Brier", "log") for n in names)
    lines = [
        f"| kind | checks | {head} |",
        "|---|---:|" + "---:|" * (2 * len(names)),
    ]
    for kind in _kinds(summary):
        block = summary["kinds"][kind]
        best = {s: min(block[n][s] for n in names) for s in ("brier", "log")}
        cells = []
        for s in ("brier", "log"):
            for n in names:
                text = _num(block[n][s])
                cells.append(f"**{text}**" if block[n][s] == best[s] else text)
        label = KIND_NAMES[kind] if kind != "overall" else "**all checks**"
        lines.append(f"| {label} | {block['checks']} | " + " | ".join(cells) + " |")
    return lines


def _rps_line(summary: dict) -> str:
    parts = []
    for kind in ("response", "bilateral"):
        block = summary["kinds"].get(kind)
        if block:
            scores = ", ".join(f"{NAMES[n]} {_num(block[n]['rps'])}" for n in _forecasters(summary))
            parts.append(f"{KIND_NAMES[kind]}: {scores}")
    return "Ranked probability score on the ladders (lower is better): " + "; ".join(parts) + "."


def _check_table(table: pd.DataFrame) -> list[str]:
    lines = [
        "| file | check | row | documented | model | base rates | persistence | rule |"
        " model's most likely |",
        "|---|---|---|---|---:|---:|---:|---:|---|",
    ]
    for r in table.itertuples():
        if not r.scored:
            lines.append(
                f"| {r.scenario} | {r.check} | {r.row} | {r.documented} | – | "
                f"{r.p_base_rates:.3f} | {r.p_persistence:.3f} | {r.p_rule:.3f} | {r.status} |"
            )
            continue
        mark = "" if r.modal_model else " ✗"
        lines.append(
            f"| {r.scenario} | {r.check} | {r.row} | {r.documented} | {r.p_model:.3f} | "
            f"{r.p_base_rates:.3f} | {r.p_persistence:.3f} | {r.p_rule:.3f} | "
            f"{r.modal_outcome}{mark} |"
        )
    return lines


def _reliability_lines(rel: pd.DataFrame) -> list[str]:
    model = rel[rel["forecaster"] == "model"]
    lines = [
        "| forecast probability | pairs | mean forecast | observed | 95% Wilson interval |",
        "|---|---:|---:|---:|---|",
    ]
    for r in model.itertuples():
        if r.n == 0:
            lines.append(f"| {r.lo:.1f}–{r.hi:.1f} | 0 | – | – | – |")
            continue
        lines.append(
            f"| {r.lo:.1f}–{r.hi:.1f} | {r.n} | {r.mean_p:.3f} | {r.observed:.3f} | "
            f"{r.wilson_lo:.2f}–{r.wilson_hi:.2f} |"
        )
    return lines


def markdown_section(folder: Path, command: str) -> str:
    """The README's validation section, from a ``validate`` output folder."""
    summary = storage.read_json(folder / "summary.json")
    meta = storage.read_meta(folder)
    table = pd.read_csv(folder / "validation.csv", keep_default_na=False, na_values=[""])
    table[["row", "status"]] = table[["row", "status"]].astype(object).fillna("")
    rel = pd.read_csv(folder / "reliability.csv")
    overall = summary["kinds"]["overall"]
    modal = ", ".join(
        f"{NAMES[n]} {overall[n]['modal']} of {overall['checks']}" for n in _forecasters(summary)
    )
    pred = summary["predictive"]
    lines = [
        f"Produced by `{command}` with the parameter set `{meta['parameter_set']['name']}`, "
        f"{meta['n_worlds']:,} worlds per file. Each documented fact is scored once: "
        f"{summary['facts']} facts give {summary['checks']} checks, of which "
        f"{summary['held_elsewhere_too']} are held by more than one file and scored from the "
        "one that runs the longest history up to them. Lower is better for every score; the "
        "best forecaster of each row is in bold. Log scores floor probabilities at "
        f"1/(2 × worlds) = {meta['log_floor']:.5f} for every forecaster.",
        "",
        *_score_table(summary),
        "",
        _rps_line(summary),
        "",
        f"Documented outcome the single most likely one: {modal}.",
        "",
        "**Where the model beats each baseline** (lower mean Brier and log score, by kind):",
        "",
        *(f"- {line}" for line in compare_lines(summary)),
    ]
    if summary.get("not_scored"):
        waiting = ", ".join(f"{n} {KIND_NAMES[k]}" for k, n in summary["not_scored"].items())
        lines += ["", f"Not scored yet, because the model has no such output: {waiting} checks."]
    lines += [
        "",
        f"**Posterior predictive checks** ({pred['passed']} of {pred['tests']} pass):",
        "",
        *(f"- {line}" for line in pred["lines"]),
        "",
        "**Reliability of the model** (every category of every scored check, 5 bins):",
        "",
        *_reliability_lines(rel),
        "",
        "Every check, with the probability each forecaster gives the documented outcome:",
        "",
        *_check_table(table),
    ]
    return "\n".join(lines)


def loo_section(folder: Path, command: str) -> str:
    """The README's leave-one-crisis-out paragraph, from a ``validate --loo`` output folder."""
    summary = storage.read_json(folder / "summary.json")
    budget, full = summary["budget"], Budget()
    evaluations = budget["design"] + budget["generations"] * budget["population"]
    return "\n".join(
        [
            f"Leave-one-crisis-out, produced by `{command}` in {summary['runtime_s'] / 60:.1f} "
            f"minutes on {summary['workers']} worker(s). The outcome checks of each of the "
            f"{summary['facts']} crisis facts are left out of every file that holds them, the "
            "parameters are refitted from their declared ranges with a reduced "
            f"budget ({evaluations} points of {budget['replicates']} worlds, "
            f"the best {budget['finalists']} re-scored on {budget['final_worlds']} worlds; a "
            f"full calibration evaluates {full.design + full.generations * full.population:,} "
            f"points of {full.replicates}), and the held-out checks are "
            "forecast on fresh seeds. 'fit on all' is the same search with every fact in; the "
            "base rates are recomputed without the held-out fact.",
            "",
            *_score_table(summary),
            "",
            *(f"- held out {line}" for line in compare_lines(summary)),
        ]
    )


def update_readme(path: Path, text: str, start: str = README_START, end: str = README_END) -> None:
    """Replace the text between two markers of a README."""
    try:
        readme = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise UserError(f"{path}: cannot read ({exc.strerror}); name the project README") from None
    if start not in readme or end not in readme:
        raise UserError(
            f"{path}: no '{start}' ... '{end}' markers; add them where the section belongs"
        )
    head, rest = readme.split(start, 1)
    _, tail = rest.split(end, 1)
    with storage.atomic_open(path) as fh:
        fh.write(f"{head}{start}\n{text}\n{end}{tail}".encode())
