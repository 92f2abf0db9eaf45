"""Benchmark: how long the ``cstosim`` command takes to start, and what it imports.

Measured in one run, each command ``--repeat`` times in a fresh process after one untimed
warm-up (so that the file cache is warm for all alike):

- the baseline: ``python -c pass`` with the project's interpreter;
- ``cstosim --help``, ``cstosim list`` and ``cstosim params``: the commands that must start in
  under 0.5 s on a two-core machine (the bar of the restructuring issue);
- ``python -c "import cstosim.api"``: everything a run imports, for comparison.

For each: median and best wall time, the median's excess over the baseline, peak memory (max
RSS of the child), and which heavy libraries (mesa, scipy, matplotlib, pandas, numpy, pydantic)
it imported. Figures are printed and written to ``benchmarks/results/bench_cli-<UTC>.json``.
Nothing here asserts a timing: the bar is reported, not enforced.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULTS_DIR = ROOT / "benchmarks" / "results"
BAR_S = 0.5
HEAVY = ("mesa", "scipy", "matplotlib", "pandas", "numpy", "pydantic")
#: Runs a command in-process, then reports which heavy libraries it left in sys.modules.
PROBE = (
    "import sys, contextlib, io\n"
    "from cstosim.cli import main\n"
    "with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):\n"
    "    try: main(sys.argv[1:])\n"
    "    except SystemExit: pass\n"
    f"print(sorted({{m.split('.')[0] for m in sys.modules}} & set({HEAVY!r})))\n"
)


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=15, help="timed runs of each command")
    return parser.parse_args(argv)


def run_once(argv: list[str]) -> tuple[float, float]:
    """Wall time and peak RSS (MB) of one run of ``argv``, read from that child alone."""
    start = time.perf_counter()
    child = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _, status, usage = os.wait4(child.pid, 0)
    elapsed = time.perf_counter() - start
    child.returncode = os.waitstatus_to_exitcode(status)
    if child.returncode:
        raise SystemExit(f"{' '.join(argv)}: exit {child.returncode}")
    return elapsed, usage.ru_maxrss / 1024


def timed(argv: list[str], repeat: int) -> dict:
    """Median and best wall time of ``argv`` in fresh processes, and its largest peak RSS."""
    run_once(argv)  # warm-up
    runs = [run_once(argv) for _ in range(repeat)]
    times = [t for t, _ in runs]
    return {
        "median_s": statistics.median(times),
        "best_s": min(times),
        "max_rss_mb": max(m for _, m in runs),
    }


def heavy_imports(args: list[str]) -> list[str]:
    done = subprocess.run(
        [sys.executable, "-c", PROBE, *args], capture_output=True, text=True, check=True
    )
    return json.loads(done.stdout.strip().replace("'", '"'))


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    cli = str(Path(sys.executable).with_name("cstosim"))
    cases = {
        "python -c pass (baseline)": ([sys.executable, "-c", "pass"], None),
        "cstosim --help": ([cli, "--help"], ["--help"]),
        "cstosim list": ([cli, "list"], ["list"]),
        "cstosim params": ([cli, "params"], ["params"]),
        "import cstosim.api (a run's imports)": (
            [sys.executable, "-c", "import cstosim.api"],
            None,
        ),
    }
    rows = {}
    for name, (command, probe) in cases.items():
        rows[name] = timed(command, args.repeat)
        rows[name]["imports"] = heavy_imports(probe) if probe is not None else None
    base = rows["python -c pass (baseline)"]["median_s"]
    print(f"{'command':<40}{'median s':>10}{'best s':>9}{'- python':>10}{'MB':>6}  heavy imports")
    for name, r in rows.items():
        r["excess_over_python_s"] = r["median_s"] - base
        shown = ", ".join(r["imports"]) if r["imports"] is not None else ""
        print(
            f"{name:<40}{r['median_s']:>10.3f}{r['best_s']:>9.3f}"
            f"{r['excess_over_python_s']:>10.3f}{r['max_rss_mb']:>6.0f}  {shown}"
        )
    worst = max(rows[n]["median_s"] for n in ("cstosim --help", "cstosim list"))
    verdict = "met" if worst < BAR_S else "not met"
    print(f"bar: --help and list under {BAR_S} s: {verdict} (slowest median {worst:.3f} s)")
    RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    record = {
        "benchmark": "bench_cli",
        "created_utc": stamp,
        "repeat": args.repeat,
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version()},
        "bar_s": BAR_S,
        "rows": rows,
    }
    out = RESULTS_DIR / f"bench_cli-{stamp}.json"
    out.write_text(json.dumps(record, indent=2) + "\n", encoding="utf-8")
    print(f"written: {out.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
