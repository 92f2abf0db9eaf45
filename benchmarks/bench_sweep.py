"""Benchmark: how fast, how parallel and how lean is a parameter sweep?

Measured in one run, every sweep going through ``cstosim.sweep.run_sweep`` with specs generated
into a temporary folder (deleted afterwards) from the structure of ``sweeps/armenia_exit_lhs.toml``
(its six inputs and five metrics, a Latin hypercube):

(1) throughput: ``--points`` x ``--replicates`` of ``--scenario`` (default 1,000 x 100 of the
    Armenia trajectory, 64 steps, cut into chunks of ``--chunk-worlds`` worlds), run with 1 worker
    (in-process, no pool) and with 2 local worker processes, ``analyse=False`` (so simulation,
    chunk writing and the assembly of ``points.parquet`` are timed; no analysis, no plots).
    World-steps per second = points x replicates x n_steps / seconds; best of ``--repeat`` runs
    each. Parallel efficiency = (t1 / t2) / 2. The 2-worker time includes starting the pool's two
    worker processes, each of which imports the package afresh (reported separately as "pool
    start-up": time until two trivial tasks have come back from a fresh 2-process pool). The two
    ``points.parquet`` files are compared for equality. The whole machine's CPU use during each
    run (``psutil.cpu_percent``, anyone's work) is recorded to tell a busy machine from a slow
    pool: one worker alone should read about 50 % on two cores.
(2) Dask overhead per chunk: ``--tiny-chunks`` points x 1 replicate of ``--tiny-scenario``
    (default 300 x 1 of ``armenia_2022``, 11 steps), one point per chunk, so each chunk is a
    one-world model and the time is dominated by dispatch. Run once through the local 2-process
    pool (pool start-up included, as a user would see it) and once through a Dask
    ``LocalCluster(n_workers=2, threads_per_worker=1, processes=True)`` started and warmed (one
    untimed small sweep, so workers have imported the package) before the clock starts, its
    address passed as ``scheduler``. The Dask time therefore excludes cluster start-up and worker
    imports but includes connecting and closing a ``Client``. Overhead per chunk =
    (t_dask - t_pool) / n_chunks; the same net of the measured pool start-up is shown too. Results
    are compared with the pool's.
(3) peak memory as the design grows: ``--mem-points`` and ten times as many (default 100 and 1,000)
    x ``--replicates`` of ``--scenario``, 2 workers, ``analyse=False``, each sweep in a fresh
    Python process (this script's ``--child`` mode). Reported: the sweep process's own peak RSS
    and the largest worker's peak RSS, both as ``VmHWM`` from ``/proc/<pid>/status`` (the
    workers' read every 50 ms while they live), the largest sampled simultaneous RSS of the whole
    process tree (sweep process, workers, forkserver, resource tracker), and the ratio large /
    small of each. The tree figure also moves with how many workers were busy at once, so it
    only compares when both sweeps have at least two chunks. ``getrusage`` figures are in the
    JSON but not used: on Linux a process started by fork + exec inherits its parent's
    ``ru_maxrss`` (``RUSAGE_SELF`` of the sweep process reads at least this benchmark's own
    peak), and ``RUSAGE_CHILDREN`` is the largest of the forkserver, the resource tracker and
    the workers, the first two inheriting the sweep process's peak the same way.
(4) the bar: ``--bar-spec`` (default ``sweeps/armenia_exit_lhs.toml``, 1,000 LHS points x 100
    replicates) as is, 2 workers, with analysis (PRIM, heatmaps), in a fresh process like (3).
    Wall time from launching the process to its exit (interpreter start and imports included)
    against a bar of 120 s, ``run_sweep`` alone shown too; peak memory against a bar of 2 GB,
    taken conservatively as the sweep process's peak plus each worker's peak, summed as if they
    had coincided. ``--no-analysis`` (or an analysis module that fails to import) runs it
    without analysis, which the table then says.

Timed sections (1) and (2) each follow an untimed warm-up sweep. The absolute figures move with
the load on a shared machine; the ratios (efficiency, per-chunk overhead against the pool, memory
large / small) are what compare across runs. Figures are printed as a table and written to
``benchmarks/results/bench_sweep-<UTC timestamp>.json``. Nothing here asserts a timing; the bars
are reported, not enforced.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing.forkserver as mp_forkserver
import multiprocessing.resource_tracker as mp_tracker
import os
import platform
import resource
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pandas as pd
import psutil

from cstosim.api import run_sweep
from cstosim.experiments.execution import worker_pool
from cstosim.experiments.sweep_spec import chunk_points, load_spec
from cstosim.inputs.scenario import find_scenario, load_scenario

ROOT = Path(__file__).resolve().parent.parent
RESULTS_DIR = ROOT / "benchmarks" / "results"
BAR_SPEC = "sweeps/armenia_exit_lhs.toml"
WALL_BAR_S = 120.0
MEMORY_BAR_MIB = 2048.0
SAMPLE_EVERY_S = 0.05

#: The inputs and metrics of ``sweeps/armenia_exit_lhs.toml``; the metrics that name a crisis or a
#: date are kept only where the scenario has them (``armenia_2022`` ends in 2022-12).
PARAMETERS = """\
territory_motive = [0.0, 12.0]
bandwidth_weight = [0.0, 10.0]
war_burden = [0.0, 1.0]
outside_weight = [0.0, 20.0]
dependency_weight = [0.0, 20.0]
"ARM.dependency" = [0.0, 1.0]
"""
METRICS = {
    "arm_2022_mission": 'kind = "response_at_least"\ncrisis = "aze_attack_2022"\nrung = "mission"',
    "arm_out_end": 'kind = "status_in"\nmember = "ARM"\nstatuses = ["frozen", "withdrawn"]',
    "arm_withdrawn_end": 'kind = "status_in"\nmember = "ARM"\nstatuses = ["withdrawn"]',
    "arm_trust_2022": 'kind = "trust"\nmember = "ARM"\ndate = "2022-12"',
    "active_members_end": 'kind = "active_members"',
}


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--scenario", default="armenia_trajectory_2020_2025", help="scenario id for (1) and (3)"
    )
    parser.add_argument("--points", type=int, default=1000, help="LHS points in (1)")
    parser.add_argument("--replicates", type=int, default=100, help="replicates in (1) and (3)")
    parser.add_argument(
        "--chunk-worlds",
        type=int,
        default=5000,
        help="worlds per chunk in (1) (0: the spec default, about 250,000 world-steps)",
    )
    parser.add_argument("--repeat", type=int, default=2, help="timed runs of each case of (1)")
    parser.add_argument("--tiny-scenario", default="armenia_2022", help="scenario id for (2)")
    parser.add_argument("--tiny-chunks", type=int, default=300, help="chunks (= points) in (2)")
    parser.add_argument(
        "--mem-points", type=int, default=100, help="points of the small sweep in (3)"
    )
    parser.add_argument("--mem-factor", type=int, default=10, help="large / small points in (3)")
    parser.add_argument("--bar-spec", default=BAR_SPEC, help="sweep spec of (4), run as is")
    parser.add_argument("--no-analysis", action="store_true", help="run (4) without analysis")
    parser.add_argument("--skip-bar", action="store_true", help="leave out (4)")
    parser.add_argument("--child", nargs=2, metavar=("SPEC", "OUT"), help=argparse.SUPPRESS)
    parser.add_argument("--child-workers", type=int, default=2, help=argparse.SUPPRESS)
    parser.add_argument("--child-analyse", action="store_true", help=argparse.SUPPRESS)
    return parser.parse_args(argv)


# --- helpers ------------------------------------------------------------------------------------
def write_spec(
    folder: Path,
    name: str,
    scenario: str,
    points: int,
    replicates: int,
    chunk_worlds: int | None = None,
) -> Path:
    """A Latin-hypercube spec with the inputs and metrics of ``sweeps/armenia_exit_lhs.toml``."""
    sc = load_scenario(find_scenario(scenario))
    events = {e.id for e in sc.events}
    has_2022_12 = sc.scenario.start <= "2022-12" <= sc.scenario.end
    lines = [
        "[sweep]",
        f'scenario = "{scenario}"',
        'sampler = "lhs"',
        f"points = {points}",
        f"replicates = {replicates}",
        "seed = 0",
    ]
    if chunk_worlds:
        lines.append(f"chunk_worlds = {chunk_worlds}")
    lines += ["", "[parameters]", PARAMETERS]
    for metric, body in METRICS.items():
        if "aze_attack_2022" in body and "aze_attack_2022" not in events:
            continue
        if "2022-12" in body and not has_2022_12:
            continue
        lines += ["[[metrics]]", f'name = "{metric}"', body, ""]
    path = folder / f"{name}.toml"
    path.write_text("\n".join(lines), encoding="utf-8")
    return path


def sweep_size(spec_path: Path) -> dict:
    spec, sc, _ = load_spec(spec_path)
    per_chunk = chunk_points(spec, sc.n_steps)
    return {
        "scenario": sc.id,
        "n_steps": sc.n_steps,
        "points": spec.n_points,
        "replicates": spec.sweep.replicates,
        "points_per_chunk": per_chunk,
        "chunks": -(-spec.n_points // per_chunk),
        "world_steps": spec.n_points * spec.sweep.replicates * sc.n_steps,
    }


def timed_sweep(spec: Path, out: Path, **kwargs) -> float:
    """Seconds of one ``run_sweep`` into a fresh ``out`` (no progress bar)."""
    shutil.rmtree(out, ignore_errors=True)
    started = time.perf_counter()
    run_sweep(spec, out, progress=False, **kwargs)
    return time.perf_counter() - started


def busy_sweep(spec: Path, out: Path, **kwargs) -> tuple[float, float]:
    """Seconds of one ``run_sweep`` and the whole machine's CPU use meanwhile (100 = all cores
    busy, ours and anyone else's)."""
    psutil.cpu_percent(None)
    seconds = timed_sweep(spec, out, **kwargs)
    return seconds, psutil.cpu_percent(None)


def same_points(a: Path, b: Path) -> bool:
    return pd.read_parquet(a / "points.parquet").equals(pd.read_parquet(b / "points.parquet"))


def _pid_after_pause(_: int) -> int:
    time.sleep(0.2)
    return os.getpid()


def pool_startup(workers: int = 2) -> dict:
    """Seconds from opening a fresh local pool until ``workers`` tasks that each sleep 0.2 s
    have come back, less the 0.2 s: mostly the workers' start and package import."""
    started = time.perf_counter()
    with worker_pool(workers) as pool:
        pids = set(pool.map(_pid_after_pause, range(workers)))
        seconds = time.perf_counter() - started - 0.2
    return {"seconds": seconds, "distinct_workers": len(pids)}


# --- (1) throughput, 1 and 2 workers ------------------------------------------------------------
def bench_throughput(tmp: Path, args: argparse.Namespace) -> dict:
    spec = write_spec(
        tmp, "throughput", args.scenario, args.points, args.replicates, args.chunk_worlds or None
    )
    warm = write_spec(tmp, "throughput_warm", args.scenario, 20, args.replicates, None)
    size = sweep_size(spec)
    timed_sweep(warm, tmp / "warm1", workers=1, analyse=False)  # warm-up, in-process
    timed_sweep(warm, tmp / "warm2", workers=2, analyse=False)  # warm-up, starts the forkserver
    startup = pool_startup(2)
    times: dict[int, list[float]] = {1: [], 2: []}
    busy: dict[int, list[float]] = {1: [], 2: []}
    for _ in range(args.repeat):
        for workers in (1, 2):
            seconds, pct = busy_sweep(spec, tmp / f"tp{workers}", workers=workers, analyse=False)
            times[workers].append(seconds)
            busy[workers].append(pct)
    t1, t2 = min(times[1]), min(times[2])
    t2_net = t2 - startup["seconds"]
    return {
        **size,
        "runs_1_worker_s": [round(t, 3) for t in times[1]],
        "runs_2_workers_s": [round(t, 3) for t in times[2]],
        "machine_cpu_busy_pct_1_worker": busy[1],
        "machine_cpu_busy_pct_2_workers": busy[2],
        "t1_s": t1,
        "t2_s": t2,
        "world_steps_per_s_1": size["world_steps"] / t1,
        "world_steps_per_s_2": size["world_steps"] / t2,
        "speed_up": t1 / t2,
        "parallel_efficiency": t1 / t2 / 2,
        "pool_startup_s": startup["seconds"],
        "pool_startup_distinct_workers": startup["distinct_workers"],
        "parallel_efficiency_net_of_startup": t1 / t2_net / 2 if t2_net > 0 else None,
        "identical_points": same_points(tmp / "tp1", tmp / "tp2"),
    }


# --- (2) Dask overhead per chunk ----------------------------------------------------------------
def bench_dask(tmp: Path, args: argparse.Namespace) -> dict:
    from distributed import LocalCluster

    spec = write_spec(tmp, "tiny", args.tiny_scenario, args.tiny_chunks, 1, chunk_worlds=1)
    warm = write_spec(tmp, "tiny_warm", args.tiny_scenario, 20, 1, chunk_worlds=1)
    size = sweep_size(spec)
    n = size["chunks"]
    timed_sweep(warm, tmp / "tiny_warm_pool", workers=2, analyse=False)  # warm-up
    t_pool = timed_sweep(spec, tmp / "tiny_pool", workers=2, analyse=False)
    startup = pool_startup(2)
    started = time.perf_counter()
    with LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
    ) as cluster:
        cluster_start = time.perf_counter() - started
        address = cluster.scheduler_address
        timed_sweep(warm, tmp / "tiny_warm_dask", scheduler=address, analyse=False)  # warm-up
        t_dask = timed_sweep(spec, tmp / "tiny_dask", scheduler=address, analyse=False)
    t_pool_net = t_pool - startup["seconds"]
    return {
        **size,
        "t_pool_s": t_pool,
        "t_dask_s": t_dask,
        "pool_per_chunk_ms": 1000 * t_pool / n,
        "dask_per_chunk_ms": 1000 * t_dask / n,
        "overhead_per_chunk_ms": 1000 * (t_dask - t_pool) / n,
        "pool_startup_s": startup["seconds"],
        "pool_per_chunk_net_of_startup_ms": 1000 * t_pool_net / n,
        "overhead_per_chunk_net_of_pool_startup_ms": 1000 * (t_dask - t_pool_net) / n,
        "dask_cluster_start_s_excluded": cluster_start,
        "identical_points": same_points(tmp / "tiny_pool", tmp / "tiny_dask"),
    }


# --- (3) and (4): one sweep in a fresh process --------------------------------------------------
def _vm_kib(pid: int, key: str) -> int | None:
    try:
        with open(f"/proc/{pid}/status", encoding="ascii") as fh:
            for line in fh:
                if line.startswith(key + ":"):
                    return int(line.split()[1])
    except (OSError, ValueError):
        return None
    return None


class TreeSampler(threading.Thread):
    """Every 50 ms: each descendant's peak RSS (``VmHWM``) and the whole tree's summed RSS."""

    def __init__(self) -> None:
        super().__init__(daemon=True)
        self.me = psutil.Process()
        self.peaks: dict[int, int] = {}
        self.tree_peak_kib = 0
        self.stop = threading.Event()

    def sample(self) -> None:
        try:
            kids = self.me.children(recursive=True)
        except psutil.Error:
            return
        total = _vm_kib(self.me.pid, "VmRSS") or 0
        for p in kids:
            hwm, rss = _vm_kib(p.pid, "VmHWM"), _vm_kib(p.pid, "VmRSS")
            if hwm is None:
                continue
            self.peaks[p.pid] = max(self.peaks.get(p.pid, 0), hwm)
            total += rss or 0
        self.tree_peak_kib = max(self.tree_peak_kib, total)

    def run(self) -> None:
        while not self.stop.is_set():
            self.sample()
            self.stop.wait(SAMPLE_EVERY_S)


def child_main(args: argparse.Namespace) -> int:
    """Run one sweep; print its timing and peak memory as one JSON line."""
    spec, out = (Path(p) for p in args.child)
    sampler = TreeSampler()
    sampler.start()
    started = time.perf_counter()
    run_sweep(spec, out, workers=args.child_workers, progress=False, analyse=args.child_analyse)
    seconds = time.perf_counter() - started
    sampler.stop.set()
    sampler.join()
    # Every descendant but the forkserver and the resource tracker is a worker.
    helpers = {
        getattr(getattr(mp_forkserver, "_forkserver", None), "_forkserver_pid", None),
        getattr(getattr(mp_tracker, "_resource_tracker", None), "_pid", None),
    }
    workers = {pid: kib for pid, kib in sampler.peaks.items() if pid not in helpers}
    record = {
        "run_sweep_s": seconds,
        "self_peak_kib": _vm_kib(os.getpid(), "VmHWM"),
        "self_maxrss_kib_rusage": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
        "children_maxrss_kib_rusage": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss,
        "descendant_peaks_kib": sorted(sampler.peaks.values(), reverse=True),
        "worker_peak_kib": max(workers.values(), default=0),
        "worker_peaks_sum_kib": sum(sorted(workers.values(), reverse=True)[: args.child_workers]),
        "tree_sampled_peak_kib": sampler.tree_peak_kib,
        "n_files": sum(1 for p in out.rglob("*") if p.is_file()),
    }
    print(json.dumps(record))
    return 0


def sweep_in_child(spec: Path, out: Path, workers: int = 2, analyse: bool = False) -> dict:
    cmd = [sys.executable, str(Path(__file__).resolve()), "--child", str(spec), str(out)]
    cmd += ["--child-workers", str(workers)] + (["--child-analyse"] if analyse else [])
    started = time.perf_counter()
    done = subprocess.run(cmd, capture_output=True, text=True, check=False)
    wall = time.perf_counter() - started
    if done.returncode != 0:
        raise RuntimeError(f"child sweep failed ({done.returncode}):\n{done.stderr[-3000:]}")
    record = json.loads(done.stdout.strip().splitlines()[-1])
    record["process_wall_s"] = wall
    record["parent_plus_workers_mib"] = (
        record["self_peak_kib"] + record["worker_peaks_sum_kib"]
    ) / 1024
    return record


def mib(kib: float) -> float:
    return kib / 1024


def bench_memory(tmp: Path, args: argparse.Namespace) -> dict:
    small_n, large_n = args.mem_points, args.mem_points * args.mem_factor
    small = write_spec(tmp, "mem_small", args.scenario, small_n, args.replicates)
    large = write_spec(tmp, "mem_large", args.scenario, large_n, args.replicates)
    runs = {}
    for label, spec in (("small", small), ("large", large)):
        runs[label] = {**sweep_size(spec), **sweep_in_child(spec, tmp / f"mem_{label}")}
    s, g = runs["small"], runs["large"]
    return {
        **runs,
        "ratio_self_peak": g["self_peak_kib"] / s["self_peak_kib"],
        "ratio_worker_peak": g["worker_peak_kib"] / max(s["worker_peak_kib"], 1),
        "ratio_tree_peak": g["tree_sampled_peak_kib"] / max(s["tree_sampled_peak_kib"], 1),
    }


def analysis_available() -> tuple[bool, str]:
    try:
        import cstosim.sweep_analysis  # noqa: F401
    except Exception as exc:  # a module still being written, or a missing dependency
        return False, f"{type(exc).__name__}: {exc}"
    return True, ""


def bench_bar(tmp: Path, args: argparse.Namespace) -> dict:
    spec = Path(args.bar_spec)
    if not spec.is_file() and (ROOT / spec).is_file():
        spec = ROOT / spec
    analyse, why = (False, "--no-analysis") if args.no_analysis else analysis_available()
    copy = tmp / spec.name  # the spec as is; its scenario is an id, so it resolves from anywhere
    shutil.copyfile(spec, copy)
    run = sweep_in_child(copy, tmp / "bar", workers=2, analyse=analyse)
    return {
        "spec": str(spec.relative_to(ROOT) if spec.is_relative_to(ROOT) else spec),
        **sweep_size(copy),
        "analysis": analyse,
        "analysis_skipped_because": why or None,
        **run,
        "wall_bar_s": WALL_BAR_S,
        "memory_bar_mib": MEMORY_BAR_MIB,
    }


# --- report -------------------------------------------------------------------------------------
def machine_info() -> dict:
    import distributed

    affinity = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else None
    return {
        "platform": platform.platform(),
        "processor": platform.processor() or platform.machine(),
        "cpu_count": os.cpu_count(),
        "cpus_usable": affinity,
        "load_average_at_start": os.getloadavg(),
        "python": platform.python_version(),
        "numpy": np.__version__,
        "pandas": pd.__version__,
        "distributed": distributed.__version__,
    }


def report_rows(one: dict, two: dict, three: dict, four: dict | None) -> list[tuple[str, str]]:
    def ok(flag: bool) -> str:
        return "meets bar" if flag else "MISSES BAR"

    def yes(flag: bool) -> str:
        return "yes" if flag else "NO"

    rows = [
        (
            "(1) sweep",
            f"{one['scenario']} ({one['n_steps']} steps), {one['points']} points x "
            f"{one['replicates']} replicates = {one['world_steps']:,} world-steps, "
            f"{one['chunks']} chunks of {one['points_per_chunk']} points",
        ),
        (
            "(1) 1 worker",
            f"{one['world_steps_per_s_1']:,.0f} world-steps/s (best {one['t1_s']:.2f} s of "
            f"{', '.join(f'{t:.2f}' for t in one['runs_1_worker_s'])})",
        ),
        (
            "(1) 2 workers",
            f"{one['world_steps_per_s_2']:,.0f} world-steps/s (best {one['t2_s']:.2f} s of "
            f"{', '.join(f'{t:.2f}' for t in one['runs_2_workers_s'])})",
        ),
        (
            "(1) parallel efficiency",
            f"{one['parallel_efficiency']:.2f} (speed-up {one['speed_up']:.2f}x; identical "
            f"points.parquet: {yes(one['identical_points'])})",
        ),
        (
            "(1) pool start-up (in t2)",
            f"{one['pool_startup_s']:.2f} s; efficiency net of it: "
            + (
                f"{one['parallel_efficiency_net_of_startup']:.2f}"
                if one["parallel_efficiency_net_of_startup"] is not None
                else "n/a"
            ),
        ),
        (
            "(1) machine CPU busy",
            f"1 worker {', '.join(f'{b:.0f}%' for b in one['machine_cpu_busy_pct_1_worker'])}; "
            f"2 workers {', '.join(f'{b:.0f}%' for b in one['machine_cpu_busy_pct_2_workers'])} "
            "(100% = both cores, anyone's work)",
        ),
        (
            "(2) sweep",
            f"{two['scenario']} ({two['n_steps']} steps), {two['points']} points x "
            f"{two['replicates']} replicate, {two['chunks']} chunks of 1 point",
        ),
        (
            "(2) local pool, 2 processes",
            f"{two['t_pool_s']:.2f} s = {two['pool_per_chunk_ms']:.1f} ms/chunk (incl. "
            f"{two['pool_startup_s']:.2f} s pool start-up; net "
            f"{two['pool_per_chunk_net_of_startup_ms']:.1f} ms/chunk)",
        ),
        (
            "(2) Dask LocalCluster, 2 procs",
            f"{two['t_dask_s']:.2f} s = {two['dask_per_chunk_ms']:.1f} ms/chunk (cluster "
            f"start-up {two['dask_cluster_start_s_excluded']:.1f} s excluded)",
        ),
        (
            "(2) Dask overhead per chunk",
            f"{two['overhead_per_chunk_ms']:+.1f} ms (net of pool start-up: "
            f"{two['overhead_per_chunk_net_of_pool_startup_ms']:+.1f} ms); identical "
            f"points.parquet: {yes(two['identical_points'])}",
        ),
    ]
    for label in ("small", "large"):
        r = three[label]
        rows.append(
            (
                f"(3) {r['points']:,} points x {r['replicates']}",
                f"sweep process {mib(r['self_peak_kib']):.0f} MiB, largest worker "
                f"{mib(r['worker_peak_kib']):.0f} MiB, tree (sampled) "
                f"{mib(r['tree_sampled_peak_kib']):.0f} MiB; run_sweep {r['run_sweep_s']:.1f} s",
            )
        )
    rows.append(
        (
            "(3) ratio large / small",
            f"sweep process {three['ratio_self_peak']:.2f}, worker "
            f"{three['ratio_worker_peak']:.2f}, tree {three['ratio_tree_peak']:.2f}",
        )
    )
    if four is None:
        rows.append(("(4) bar", "skipped (--skip-bar)"))
        return rows
    analysis = "with analysis" if four["analysis"] else "WITHOUT analysis"
    rows += [
        (
            "(4) bar sweep",
            f"{four['spec']}: {four['points']:,} points x {four['replicates']} "
            f"({four['world_steps']:,} world-steps), 2 workers, {analysis}"
            + (f" ({four['analysis_skipped_because']})" if not four["analysis"] else ""),
        ),
        (
            "(4) wall time",
            f"{four['process_wall_s']:.1f} s process (run_sweep {four['run_sweep_s']:.1f} s)  "
            f"(bar < {WALL_BAR_S:.0f} s: {ok(four['process_wall_s'] < WALL_BAR_S)})",
        ),
        (
            "(4) peak memory",
            f"{four['parent_plus_workers_mib']:.0f} MiB = sweep process "
            f"{mib(four['self_peak_kib']):.0f} + workers "
            f"{mib(four['worker_peaks_sum_kib']):.0f} (tree sampled "
            f"{mib(four['tree_sampled_peak_kib']):.0f})  (bar < {MEMORY_BAR_MIB:.0f} MiB: "
            f"{ok(four['parent_plus_workers_mib'] < MEMORY_BAR_MIB)})",
        ),
    ]
    return rows


def print_table(machine: dict, rows: list[tuple[str, str]]) -> None:
    info = [
        ("platform", machine["platform"]),
        ("cpus", f"{machine['cpu_count']} (usable: {machine['cpus_usable']})"),
        ("load average at start", " ".join(f"{x:.2f}" for x in machine["load_average_at_start"])),
        (
            "python / numpy / distributed",
            f"{machine['python']} / {machine['numpy']} / {machine['distributed']}",
        ),
    ]
    width = max(len(k) for k, _ in info + rows)
    for key, value in info + [("", "")] + rows:
        print(f"{key:<{width}}  {value}".rstrip())


def write_json(record: dict, stamp: str) -> Path:
    RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    path = RESULTS_DIR / f"bench_sweep-{stamp}.json"
    path.write_text(json.dumps(record, indent=2) + "\n", encoding="utf-8")
    return path


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if args.child:
        return child_main(args)
    started = datetime.now(UTC)
    machine = machine_info()
    clock = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="cstosim-bench-sweep-") as name:
        tmp = Path(name)
        one = bench_throughput(tmp, args)
        two = bench_dask(tmp, args)
        three = bench_memory(tmp, args)
        four = None if args.skip_bar else bench_bar(tmp, args)
    total = time.perf_counter() - clock
    print_table(machine, report_rows(one, two, three, four))
    print(f"\ntotal benchmark time: {total:.0f} s")
    record = {
        "benchmark": "bench_sweep",
        "started_utc": started.isoformat(timespec="seconds"),
        "machine": machine,
        "args": {k: v for k, v in vars(args).items() if not k.startswith("child")},
        "total_s": total,
        "throughput": one,
        "dask_overhead": two,
        "memory_growth": three,
        "bar": four,
    }
    out = write_json(record, started.strftime("%Y%m%dT%H%M%SZ"))
    print(f"written: {out.relative_to(ROOT) if out.is_relative_to(ROOT) else out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
