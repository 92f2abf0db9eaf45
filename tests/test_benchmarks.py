"""The benchmark scripts still run against the current code (at toy sizes, results written to a
temporary folder). Nothing here looks at a time: only that each script finishes and writes its
record, so that a change of the model's interface cannot leave them broken unnoticed."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
pytestmark = [pytest.mark.e2e, pytest.mark.slow]


def _script(name: str, results: Path):
    spec = importlib.util.spec_from_file_location(f"bench_{name}", ROOT / "benchmarks" / name)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    module.RESULTS_DIR = results
    return module


def _record(results: Path, prefix: str) -> dict:
    (path,) = results.glob(f"{prefix}-*.json")
    return json.loads(path.read_text())


def test_bench_worlds_runs_and_finds_the_same_worlds(tmp_path: Path) -> None:
    bench = _script("bench_worlds.py", tmp_path)
    bench.main(["--worlds", "40", "--singles", "3", "--repeat", "1"])
    record = json.dumps(_record(tmp_path, "bench_worlds"))
    assert '"same_worlds_as_a": true' in record


def test_bench_versions_runs_against_this_checkout(tmp_path: Path) -> None:
    bench = _script("bench_versions.py", tmp_path)
    src = ROOT / "src"
    bench.main(["--other", str(src), "--worlds", "20", "--repeat", "1"])
    bench.main(
        [
            "--other",
            str(src),
            "--what",
            "calibration",
            "--points",
            "2",
            "--replicates",
            "2",
            "--repeat",
            "1",
        ]
    )
    for what in ("run", "calibration"):
        assert _record(tmp_path, f"bench_versions-{what}")["summary"]["total_s"]["ratios"]
