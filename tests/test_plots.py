"""Plots drawn from a synthetic run folder that follows docs/results.md."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from cstosim.plots import plot_path, plot_run, wilson_interval
from cstosim.storage import write_json, write_table
from cstosim.vocabulary import MEMBERS, RUNG_NAMES

START = pd.Period("2021-01", freq="M")
#: (crisis id, kind, target, step)
CRISES = (
    ("kgz_tjk_border_clash", "intra_member_clash", "KGZ", 3),
    ("arm_incursion", "external_aggression", "ARM", 10),
    ("kaz_unrest", "internal_unrest", "KAZ", 18),
)


def _date(step: int) -> str:
    return str(START + step)


def _crises(rng: np.random.Generator, n_worlds: int) -> pd.DataFrame:
    rows = []
    for crisis, kind, target, step in CRISES:
        request = rng.choice(["none", "consultations", "assistance"], n_worlds, p=[0.1, 0.2, 0.7])
        ask_rung = rng.choice(["material_aid", "deployment"], n_worlds, p=[0.4, 0.6])
        asked = np.where(request == "assistance", ask_rung, request)
        ceiling = np.array([RUNG_NAMES.index(a) for a in asked])
        ceiling[request == "none"] = 1  # a statement at most
        response_idx = np.minimum(rng.integers(0, 6, n_worlds), ceiling)
        response = np.array(RUNG_NAMES)[response_idx]
        size = np.where(response == "deployment", rng.uniform(500, 3000, n_worlds), 0.0)
        rows.append(
            pd.DataFrame(
                {
                    "world": np.arange(n_worlds, dtype=np.int64),
                    "crisis": crisis,
                    "kind": kind,
                    "target": target,
                    "step": step,
                    "date": _date(step),
                    "request": request,
                    "asked": asked,
                    "response": response,
                    "deploy_size": size,
                }
            )
        )
    return pd.concat(rows, ignore_index=True)


def _member_shares(member: str, step: int, n_steps: int) -> tuple[float, float, float]:
    """(never, frozen, withdrawn) shares for a member at a step."""
    if member in ("AZE", "GEO"):
        return 1.0, 0.0, 0.0
    if member == "UZB":
        return (1.0 if step < n_steps // 2 else 0.0), 0.0, 0.0
    if member == "ARM" and step >= 10:
        frozen = min(0.6, 0.05 * (step - 9))
        return 0.0, frozen, 0.4 * frozen * (step - 10) / n_steps
    if member == "KGZ" and step >= 4:
        return 0.0, 0.02, 0.0
    return 0.0, 0.0, 0.0


def _steps(rng: np.random.Generator, n_steps: int) -> pd.DataFrame:
    rows = []
    for member in MEMBERS:
        level = rng.uniform(0.4, 0.8)
        for step in range(n_steps):
            level = float(np.clip(level + rng.normal(0, 0.03), 0.1, 0.9))
            spread = 0.05 + 0.01 * step
            never, frozen, withdrawn = _member_shares(member, step, n_steps)
            rows.append(
                {
                    "step": step,
                    "date": _date(step),
                    "member": member,
                    "trust_mean": level,
                    "trust_q05": max(0.0, level - 2 * spread),
                    "trust_q25": max(0.0, level - spread),
                    "trust_q50": level,
                    "trust_q75": min(1.0, level + spread),
                    "trust_q95": min(1.0, level + 2 * spread),
                    "share_never": never,
                    "share_active": 1.0 - never - frozen - withdrawn,
                    "share_frozen": frozen,
                    "share_withdrawn": withdrawn,
                    "threat_mean": rng.uniform(0, 0.5),
                    "disaffection_mean": rng.normal(0, 0.2),
                    "bandwidth_mean": rng.uniform(0.5, 1) if member == "RUS" else np.nan,
                }
            )
    return pd.DataFrame(rows)


def _members(rng: np.random.Generator, n_worlds: int) -> pd.DataFrame:
    worlds = np.repeat(np.arange(n_worlds, dtype=np.int64), len(MEMBERS))
    members = np.tile(MEMBERS, n_worlds)
    frozen = (members == "ARM") & (rng.random(len(worlds)) < 0.5)
    return pd.DataFrame(
        {
            "world": worlds,
            "member": members,
            "final_status": np.where(frozen, "frozen", "active"),
            "first_frozen_step": np.where(frozen, 12, -1).astype(np.int64),
            "first_withdrawn_step": np.full(len(worlds), -1, dtype=np.int64),
            "final_trust": rng.uniform(0, 1, len(worlds)),
            "final_disaffection": rng.normal(0, 0.3, len(worlds)),
        }
    )


def _transitions(members: pd.DataFrame) -> pd.DataFrame:
    frozen = members[members["final_status"] == "frozen"]
    return pd.DataFrame(
        {
            "world": frozen["world"].to_numpy(),
            "member": frozen["member"].to_numpy(),
            "step": 12,
            "date": _date(12),
            "from_status": "active",
            "to_status": "frozen",
        }
    )


def make_run(run_dir: Path, n_worlds: int = 50, n_steps: int = 24, seed: int = 0) -> Path:
    """Fabricate a finished run folder (tables and meta.json) as docs/results.md specifies."""
    rng = np.random.default_rng(seed)
    run_dir.mkdir(parents=True)
    members = _members(rng, n_worlds)
    tables = {
        "crises": _crises(rng, n_worlds),
        "steps": _steps(rng, n_steps),
        "members": members,
        "transitions": _transitions(members),
    }
    for name, df in tables.items():
        write_table(df, run_dir / f"{name}.parquet")
    meta = {
        "scenario_id": run_dir.name,
        "scenario_title": "Synthetic test scenario",
        "hypothetical": True,
        "scenario_file": f"scenarios/{run_dir.name}.toml",
        "scenario_hash": "0" * 64,
        "seed": seed,
        "n_worlds": n_worlds,
        "chunk_worlds": n_worlds,
        "start": _date(0),
        "end": _date(n_steps),
        "n_steps": n_steps,
        "parameters": {},
        "files": [f"{name}.parquet" for name in tables],
    }
    write_json(meta, run_dir / "meta.json")
    return run_dir


@pytest.fixture
def run_dir(tmp_path: Path) -> Path:
    return make_run(tmp_path / "synthetic")


def _assert_png(path: Path) -> None:
    assert path.is_file()
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert path.stat().st_size > 20_000


def test_plot_run_writes_every_plot(run_dir: Path) -> None:
    written = plot_run(run_dir)
    names = ["responses.png", "defection.png", "trust.png"]
    assert written == [run_dir / "plots" / name for name in names]
    assert written.skipped == []
    for path in written:
        _assert_png(path)
    assert sorted(p.name for p in (run_dir / "plots").iterdir()) == sorted(names)


def test_missing_crises_table_skips_responses(run_dir: Path) -> None:
    (run_dir / "crises.parquet").unlink()
    written = plot_run(run_dir)
    assert [p.name for p in written] == ["defection.png", "trust.png"]
    assert len(written.skipped) == 1 and "responses.png" in written.skipped[0]
    assert not (run_dir / "plots" / "responses.png").exists()


def test_plot_path_on_a_batch_adds_a_summary(tmp_path: Path) -> None:
    make_run(tmp_path / "batch" / "first", seed=1)
    make_run(tmp_path / "batch" / "second", seed=2)
    written = plot_path(tmp_path / "batch")
    summary = tmp_path / "batch" / "plots" / "summary_responses.png"
    assert summary in written
    assert len(written) == 7
    _assert_png(summary)


def test_plot_path_on_a_run_draws_no_summary(run_dir: Path) -> None:
    written = plot_path(run_dir)
    assert [p.name for p in written] == ["responses.png", "defection.png", "trust.png"]


def test_wilson_interval_brackets_the_share() -> None:
    lo, hi = wilson_interval(np.array([0, 25, 50]), 50)
    assert lo[0] == pytest.approx(0.0) and hi[2] == pytest.approx(1.0)
    assert lo[1] < 0.5 < hi[1]
    assert hi[1] - 0.5 == pytest.approx(0.5 - lo[1])
    assert lo[1] == pytest.approx(0.3664, abs=1e-3)
