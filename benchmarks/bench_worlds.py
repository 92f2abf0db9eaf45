"""Benchmark: how much faster is one vectorised model than many one-world models?

Measured in one run, on one scenario (default: the Armenia trajectory, 64 monthly steps):

(a) one ``AllianceModel`` with ``--worlds`` worlds (default 10,000): world-steps per second
    = worlds x n_steps / seconds, timing construction plus ``run_to_end``; best and median of
    ``--repeat`` runs;
(b) the baseline: the same scenario as ``--singles`` separate one-world models (default 1,000),
    model ``i`` built with ``world_offset=i`` so that they are the same worlds as worlds
    ``0..singles-1`` of (a) (checked); world-steps per second = singles x n_steps / seconds;
    the ratio (a)/(b), against a bar of at least 50;
(c) every documented scenario (``hypothetical = false``) at ``--worlds`` worlds, once through
    ``runner.simulate`` (tables in memory, no disk, no plots) and once through
    ``runner.run_batch`` into a temporary folder (results written, no plots), against a bar of
    under one minute on a two-core machine.

The headline figure is a ratio against a baseline measured in the same process, minutes apart:
machines are shared and noisy, so absolute throughput moves from run to run while the ratio of
two figures taken under the same conditions is what can be compared across runs and machines.
Every timed section is preceded by one untimed warm-up. Figures are printed as a table and
written to ``benchmarks/results/bench_worlds-<UTC timestamp>.json``. Nothing here asserts a
timing; the bars are reported, not enforced.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

import mesa
import numpy as np

from cstosim.core.model import AllianceModel
from cstosim.experiments import runs as runner
from cstosim.inputs.scenario import Scenario, all_scenarios, find_scenario, load_scenario

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_SCENARIO = "scenarios/armenia_trajectory_2020_2025.toml"
RESULTS_DIR = ROOT / "benchmarks" / "results"
SEED = 0
RATIO_BAR = 50.0
BATCH_BAR_S = 60.0


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scenario", default=DEFAULT_SCENARIO, help="scenario id or TOML file")
    parser.add_argument("--worlds", type=int, default=10_000, help="worlds in (a) and (c)")
    parser.add_argument("--singles", type=int, default=1_000, help="one-world models in (b)")
    parser.add_argument("--repeat", type=int, default=3, help="timed runs of (a)")
    return parser.parse_args(argv)


def scenario_path(name: str) -> Path:
    """A scenario id or file, relative paths read from the repository root if not found here."""
    p = Path(name)
    if not p.exists() and (ROOT / p).exists():
        p = ROOT / p
    return find_scenario(p)


def machine_info() -> dict:
    affinity = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else None
    return {
        "platform": platform.platform(),
        "processor": platform.processor() or platform.machine(),
        "cpu_count": os.cpu_count(),
        "cpus_usable": affinity,
        "python": platform.python_version(),
        "numpy": np.__version__,
        "mesa": mesa.__version__,
    }


def run_model(sc: Scenario, n_worlds: int, world_offset: int = 0) -> AllianceModel:
    model = AllianceModel(sc, n_worlds=n_worlds, seed=SEED, world_offset=world_offset)
    model.run_to_end()
    return model


def timed(fn, *args, **kwargs) -> tuple[float, object]:
    started = time.perf_counter()
    out = fn(*args, **kwargs)
    return time.perf_counter() - started, out


# --- (a) one vectorised model -------------------------------------------------------------------
def bench_vectorised(sc: Scenario, n_worlds: int, repeat: int) -> tuple[dict, AllianceModel]:
    run_model(sc, n_worlds)  # warm-up
    times, model = [], None
    for _ in range(repeat):
        seconds, model = timed(run_model, sc, n_worlds)
        times.append(seconds)
    work = n_worlds * sc.n_steps
    best, median = min(times), statistics.median(times)
    figures = {
        "worlds": n_worlds,
        "n_steps": sc.n_steps,
        "runs_s": [round(t, 4) for t in times],
        "best_s": best,
        "median_s": median,
        "world_steps_per_s": work / best,
        "world_steps_per_s_median": work / median,
    }
    return figures, model


# --- (b) the baseline: one model per world ------------------------------------------------------
def run_singles(sc: Scenario, n: int) -> list[AllianceModel]:
    return [run_model(sc, 1, world_offset=i) for i in range(n)]


def same_worlds(big: AllianceModel, singles: list[AllianceModel]) -> bool:
    """The one-world models end exactly where the same worlds of the big model end."""
    n = len(singles)
    whole = big.final()  # (worlds, members) arrays
    ends = [s.final() for s in singles]
    status = np.concatenate([e.status for e in ends])
    trust = np.concatenate([e.trust for e in ends])
    return bool(np.array_equal(status, whole.status[:n]) and np.allclose(trust, whole.trust[:n]))


def bench_singles(sc: Scenario, n: int, big: AllianceModel) -> dict:
    run_model(sc, 1)  # warm-up
    seconds, models = timed(run_singles, sc, n)
    return {
        "models": n,
        "n_steps": sc.n_steps,
        "seconds": seconds,
        "ms_per_model": 1000 * seconds / n,
        "world_steps_per_s": n * sc.n_steps / seconds,
        "same_worlds_as_a": same_worlds(big, models),
    }


# --- (c) a batch of every documented scenario ---------------------------------------------------
def simulate_all(scenarios: list[Scenario], n_worlds: int) -> dict[str, float]:
    per = {}
    for sc in scenarios:
        per[sc.id], _ = timed(runner.simulate, sc, n_worlds, SEED)
    return per


def batch_to_disk(paths: list[Path], n_worlds: int) -> float:
    with tempfile.TemporaryDirectory(prefix="cstosim-bench-") as tmp:
        seconds, _ = timed(
            runner.run_batch, paths, n_worlds, SEED, out=Path(tmp) / "batch", progress=False
        )
    return seconds


def bench_batch(n_worlds: int) -> dict:
    paths = all_scenarios(include_hypothetical=False)
    scenarios = [load_scenario(p) for p in paths]
    simulate_all(scenarios, 100)  # warm-up, in memory
    batch_to_disk(paths, 100)  # warm-up, writing
    simulate_s, per = timed(simulate_all, scenarios, n_worlds)
    batch_s = batch_to_disk(paths, n_worlds)
    return {
        "worlds": n_worlds,
        "scenarios": len(scenarios),
        "world_steps": n_worlds * sum(sc.n_steps for sc in scenarios),
        "simulate_s": simulate_s,
        "simulate_per_scenario_s": {k: round(v, 3) for k, v in per.items()},
        "run_batch_s": batch_s,
        "bar_s": BATCH_BAR_S,
    }


# --- report -------------------------------------------------------------------------------------
def report_rows(sc: Scenario, a: dict, b: dict, ratio: float, c: dict) -> list[tuple[str, str]]:
    def ok(flag: bool) -> str:
        return "meets bar" if flag else "BELOW BAR"

    return [
        ("scenario", f"{sc.id} ({sc.n_steps} steps)"),
        (
            f"(a) 1 model x {a['worlds']:,} worlds",
            f"{a['world_steps_per_s']:,.0f} world-steps/s (best {a['best_s']:.3f} s; "
            f"median {a['median_s']:.3f} s = {a['world_steps_per_s_median']:,.0f}/s)",
        ),
        (
            f"(b) {b['models']:,} models x 1 world",
            f"{b['world_steps_per_s']:,.0f} world-steps/s ({b['seconds']:.1f} s, "
            f"{b['ms_per_model']:.1f} ms/model; same worlds as (a): "
            f"{'yes' if b['same_worlds_as_a'] else 'NO'})",
        ),
        ("ratio (a)/(b)", f"{ratio:,.0f}x  (bar >= {RATIO_BAR:.0f}: {ok(ratio >= RATIO_BAR)})"),
        (
            f"(c) simulate, {c['scenarios']} documented x {c['worlds']:,}",
            f"{c['simulate_s']:.1f} s in memory ({c['world_steps']:,} world-steps)",
        ),
        (
            "(c) run_batch, results written",
            f"{c['run_batch_s']:.1f} s  (bar < {BATCH_BAR_S:.0f} s: "
            f"{ok(c['run_batch_s'] < BATCH_BAR_S)})",
        ),
    ]


def print_table(machine: dict, rows: list[tuple[str, str]]) -> None:
    info = [
        ("platform", machine["platform"]),
        ("cpus", f"{machine['cpu_count']} (usable: {machine['cpus_usable']})"),
        ("python / numpy / mesa", f"{machine['python']} / {machine['numpy']} / {machine['mesa']}"),
    ]
    width = max(len(k) for k, _ in info + rows)
    for key, value in info + [("", "")] + rows:
        print(f"{key:<{width}}  {value}".rstrip())


def write_json(record: dict, stamp: str) -> Path:
    RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    path = RESULTS_DIR / f"bench_worlds-{stamp}.json"
    path.write_text(json.dumps(record, indent=2) + "\n", encoding="utf-8")
    return path


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    path = scenario_path(args.scenario)
    sc = load_scenario(path)
    started = datetime.now(UTC)
    a, big = bench_vectorised(sc, args.worlds, args.repeat)
    b = bench_singles(sc, args.singles, big)
    ratio = a["world_steps_per_s"] / b["world_steps_per_s"]
    c = bench_batch(args.worlds)
    machine = machine_info()
    print_table(machine, report_rows(sc, a, b, ratio, c))
    record = {
        "benchmark": "bench_worlds",
        "started_utc": started.isoformat(timespec="seconds"),
        "machine": machine,
        "args": vars(args) | {"scenario_file": str(path), "seed": SEED},
        "a_vectorised": a,
        "b_singles": b,
        "ratio_a_over_b": ratio,
        "ratio_bar": RATIO_BAR,
        "c_batch": c,
    }
    out = write_json(record, started.strftime("%Y%m%dT%H%M%SZ"))
    print(f"\nwritten: {out.relative_to(ROOT) if out.is_relative_to(ROOT) else out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
