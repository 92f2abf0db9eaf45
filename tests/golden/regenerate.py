"""Rewrite the golden outputs that ``tests/test_regression.py`` compares the model against.

Run from the repository root::

    .venv/bin/python tests/golden/regenerate.py            # every golden scenario
    .venv/bin/python tests/golden/regenerate.py kazakhstan_2022

Regenerate ONLY when a deliberate model change is made: a new or corrected rule, re-calibrated
default parameters (``src/cstosim/parameters.py``), a corrected scenario file, or a deliberate
change of random-number streams. Never regenerate just to make a failing regression test pass:
find out first why the numbers moved. Commit the new ``tests/golden/*.json`` together with the
change that caused it, and say in the commit message why the goldens changed (this script prints
which outputs moved and by how much, to quote there).

Each file holds, for ``SEED`` and ``N_WORLDS``: the share of worlds per response rung and per
request of every crisis, the share backing each political support request, the share of worlds
per final status of every member, and the mean trust of ``TRUST_MEMBERS`` at the last step (from
``steps.parquet``), plus the provenance (parameters, situation hash, revision) it was made with.
"""

from __future__ import annotations

import json
import sys
import tempfile
from datetime import UTC, datetime
from pathlib import Path

from cstosim.experiments.runs import simulate, write_result
from cstosim.experiments.storage import read_run
from cstosim.inputs.parameters import defaults
from cstosim.inputs.scenario import find_scenario, load_scenario
from cstosim.inputs.vocabulary import MEMBERS, REQUEST_NAMES, RUNG_NAMES, STATUS_NAMES

GOLDEN_DIR = Path(__file__).resolve().parent
SCENARIOS = ("kazakhstan_2022", "armenia_trajectory_2020_2025")
SEED = 20261122
N_WORLDS = 500
TRUST_MEMBERS = ("ARM", "KGZ")
COMMAND = ".venv/bin/python tests/golden/regenerate.py"


def golden_path(scenario_id: str) -> Path:
    return GOLDEN_DIR / f"{scenario_id}.json"


def _shares(values, names, n: int) -> dict[str, float]:
    """Share of ``n`` worlds per name (exact fractions ``count / n``; zeros included)."""
    counts = values.value_counts()
    return {name: int(counts.get(name, 0)) / n for name in names}


def summarise(scenario_id: str) -> dict:
    """Run ``scenario_id`` at ``SEED`` and ``N_WORLDS`` through the result files and summarise."""
    path = find_scenario(scenario_id)
    scenario = load_scenario(path)
    result = simulate(scenario, N_WORLDS, SEED)
    with tempfile.TemporaryDirectory() as tmp:
        run = read_run(write_result(result, Path(tmp) / scenario_id, path))
    n = run.meta["n_worlds"]
    crises, support, members, steps = run.crises, run.support, run.members, run.steps

    last = steps[steps["step"] == steps["step"].max()].set_index("member")
    outputs = {
        "response": {
            crisis: _shares(rows["response"], RUNG_NAMES, n)
            for crisis, rows in crises.groupby("crisis", sort=True)
        },
        "request": {
            crisis: _shares(rows["request"], REQUEST_NAMES, n)
            for crisis, rows in crises.groupby("crisis", sort=True)
        },
        "backs": {
            event: {
                member: int(group["backs"].sum()) / n
                for member, group in rows.groupby("member", sort=True)
            }
            for event, rows in support.groupby("event", sort=True)
        },
        "final_status": {
            member: _shares(
                members.loc[members["member"] == member, "final_status"], STATUS_NAMES, n
            )
            for member in MEMBERS
        },
        "trust_mean_last_step": {m: float(last.loc[m, "trust_mean"]) for m in TRUST_MEMBERS},
    }
    provenance = {
        "scenario_id": scenario_id,
        "seed": SEED,
        "n_worlds": N_WORLDS,
        "scenario_hash": run.meta["scenario_hash"],
        "parameters": defaults(),
        "package_version": run.meta["package_version"],
        "git_revision": run.meta["git_revision"],
        "generated_utc": datetime.now(UTC).isoformat(timespec="seconds"),
        "regenerate_with": COMMAND,
    }
    return {"outputs": outputs, "provenance": provenance}


def flatten(tree: dict, prefix: str = "") -> dict[str, float]:
    """``{'response/kaz/none': 0.1, ...}`` from nested dicts of numbers."""
    flat = {}
    for key, value in tree.items():
        name = f"{prefix}{key}"
        if isinstance(value, dict):
            flat.update(flatten(value, name + "/"))
        else:
            flat[name] = float(value)
    return flat


def changes(old: dict, new: dict) -> list[str]:
    """Outputs that differ between two summaries, one line each."""
    a, b = flatten(old), flatten(new)
    lines = [f"  {k}: only in the old golden" for k in sorted(a.keys() - b.keys())]
    lines += [f"  {k}: new" for k in sorted(b.keys() - a.keys())]
    lines += [
        f"  {k}: {a[k]:.6g} -> {b[k]:.6g}" for k in sorted(a.keys() & b.keys()) if a[k] != b[k]
    ]
    return lines


def main(argv: list[str]) -> int:
    for scenario_id in argv or SCENARIOS:
        path = golden_path(scenario_id)
        new = summarise(scenario_id)
        old = json.loads(path.read_text(encoding="utf-8")) if path.exists() else None
        path.write_text(json.dumps(new, indent=2, sort_keys=True) + "\n", encoding="utf-8")
        if old is None:
            print(f"{path}: written")
            continue
        moved = changes(old["outputs"], new["outputs"])
        print(f"{path}: {len(moved)} outputs changed" + (":" if moved else ""))
        print(
            "\n".join(moved[:40] + ([f"  ... {len(moved) - 40} more"] if len(moved) > 40 else []))
        )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
