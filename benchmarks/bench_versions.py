"""Benchmark: throughput of this checkout against another one, measured in the same run.

Each measurement runs in a fresh interpreter. ``--what run`` (the default) builds one
``AllianceModel`` of ``--worlds`` worlds of the Armenia trajectory and runs it to its end, timing
construction, the run and the tables (what a user waits for), and separately the steps alone.
``--what calibration`` times what the fit does for each generation: the probability of every
documented fact at ``--points`` points of ``--replicates`` worlds each
(``calibration.point_probabilities``). The two checkouts alternate ``--repeat`` times so that load
on a shared machine falls on both alike; the figure to read is the median ratio ``other / this``
of the times (above 1: this checkout is faster).

    python benchmarks/bench_versions.py --other /path/to/other/checkout/src
    python benchmarks/bench_versions.py --other /tmp/old/src --what calibration

The other checkout needs only to be importable (``src`` of a git worktree of an older revision:
``git worktree add /tmp/old <rev>``). Results go to
``benchmarks/results/bench_versions-<UTC>.json``.
Nothing here asserts a timing.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULTS_DIR = ROOT / "benchmarks" / "results"

#: One measurement, run in a fresh interpreter with the checkout on ``PYTHONPATH``. It finds the
#: model's classes in either layout and its table builder in either version (``final()`` in
#: Model 2, the list of agents before).
_PROBE = r"""
import json, sys, time
try:
    from cstosim.core.model import AllianceModel
    from cstosim.inputs.scenario import load_scenario
except ImportError:  # the flat layout before the restructuring
    from cstosim.model import AllianceModel
    from cstosim.scenario import load_scenario
sc = load_scenario(sys.argv[1])
n = int(sys.argv[2])
t0 = time.perf_counter()
m = AllianceModel(sc, n_worlds=n, seed=0)
t1 = time.perf_counter()
while m.time < sc.n_steps:
    m.step()
t2 = time.perf_counter()
final = m.final() if hasattr(m, "final") else m.agents
m.recorder.world_tables(final)
t3 = time.perf_counter()
print(json.dumps({"steps_s": t2 - t1, "total_s": t3 - t0, "n_steps": sc.n_steps}))
"""

#: One generation of the fit: every documented fact's probability at a Latin hypercube of points
#: (after one small untimed call that pays for imports and first allocations).
_CALIBRATION_PROBE = r"""
import json, sys, time
from cstosim.experiments.calibration import latin_hypercube, parameter_space, point_probabilities
from cstosim.experiments.validation import documented_scenarios, scored_checks
checks = scored_checks(documented_scenarios())[0]
points = latin_hypercube(parameter_space(), int(sys.argv[1]), 0)
point_probabilities(points, checks, 2, 0)
t0 = time.perf_counter()
point_probabilities(points, checks, int(sys.argv[2]), 1)
print(json.dumps({"total_s": time.perf_counter() - t0, "checks": len(checks)}))
"""


def measure(src: Path, probe: str, *args: object) -> dict:
    env = dict(os.environ, PYTHONPATH=str(src))
    out = subprocess.run(
        [sys.executable, "-c", probe, *map(str, args)],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--other", type=Path, required=True, help="src/ of the other checkout")
    parser.add_argument("--what", choices=("run", "calibration"), default="run")
    parser.add_argument("--worlds", type=int, default=10_000)
    parser.add_argument("--points", type=int, default=32, help="points (--what calibration)")
    parser.add_argument("--replicates", type=int, default=48, help="worlds per point")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument(
        "--scenario", type=Path, default=ROOT / "scenarios" / "armenia_trajectory_2020_2025.toml"
    )
    parser.add_argument(
        "--other-scenario",
        type=Path,
        default=None,
        help="the scenario file for the other checkout (default: the same file)",
    )
    args = parser.parse_args(argv)
    this_src = ROOT / "src"
    other_scenario = args.other_scenario or args.scenario
    runs: dict[str, list[dict]] = {"this": [], "other": []}
    for _ in range(args.repeat):
        if args.what == "run":
            runs["other"].append(measure(args.other, _PROBE, other_scenario, args.worlds))
            runs["this"].append(measure(this_src, _PROBE, args.scenario, args.worlds))
        else:
            probe = (_CALIBRATION_PROBE, args.points, args.replicates)
            runs["other"].append(measure(args.other, *probe))
            runs["this"].append(measure(this_src, *probe))
    summary = {}
    for key in ("total_s", "steps_s") if args.what == "run" else ("total_s",):
        ratios = [o[key] / t[key] for o, t in zip(runs["other"], runs["this"], strict=True)]
        summary[key] = {
            "this_median": statistics.median(r[key] for r in runs["this"]),
            "other_median": statistics.median(r[key] for r in runs["other"]),
            "ratio_median": statistics.median(ratios),
            "ratios": ratios,
        }
    if args.what == "run":
        n_steps = runs["this"][0]["n_steps"]
        print(f"{args.worlds:,} worlds, {n_steps} steps, {args.repeat} alternating runs each")
    else:
        print(
            f"{args.points} points x {args.replicates} worlds, {runs['this'][0]['checks']} facts, "
            f"{args.repeat} alternating runs each"
        )
    for key, s in summary.items():
        rate = (
            f" ({args.worlds * n_steps / s['this_median'] / 1e6:.2f} M world-steps/s)"
            if args.what == "run"
            else ""
        )
        print(
            f"{key:8s} this {s['this_median']:.2f} s{rate}, other "
            f"{s['other_median']:.2f} s; other/this median {s['ratio_median']:.2f} "
            f"(range {min(s['ratios']):.2f}-{max(s['ratios']):.2f})"
        )
    RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    record = dict(vars(args), other=str(args.other), scenario=str(args.scenario), runs=runs)
    record["other_scenario"] = str(other_scenario)
    record["summary"] = summary
    path = RESULTS_DIR / f"bench_versions-{args.what}-{stamp}.json"
    path.write_text(json.dumps(record, indent=2, default=str) + "\n", encoding="utf-8")
    print(f"wrote: {path}")


if __name__ == "__main__":
    main()
