"""Plots drawn from a synthetic run folder that follows docs/results.md."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from matplotlib.figure import Figure
from matplotlib.text import Text

from cstosim.experiments.scoring import wilson_interval
from cstosim.experiments.storage import write_json, write_table
from cstosim.inputs.errors import UserError
from cstosim.inputs.vocabulary import MEMBERS, RUNG_NAMES
from cstosim.plots import runs as plots
from cstosim.plots import style
from cstosim.plots.runs import plot_path, plot_run

START = pd.Period("2021-01", freq="M")
#: (crisis id, kind, target, step)
CRISES = (
    ("kgz_tjk_border_clash", "intra_member_clash", "KGZ", 3),
    ("arm_incursion", "external_aggression", "ARM", 10),
    ("kaz_unrest", "internal_unrest", "KAZ", 18),
)
#: A crisis whose target is not a treaty state; the alliance is asked nothing.
UKRAINE = ("ukraine_war", "nonmember_war_by_member", "UKR", 1)
LONG_TITLE = (
    "Armenia's trajectory, 2020-2025: from the Karabakh war to a frozen membership, "
    "with a title long enough to need wrapping on every figure"
)


def _date(step: int) -> str:
    return str(START + step)


def _crises(rng: np.random.Generator, n_worlds: int, crises=CRISES) -> pd.DataFrame:
    rows = []
    for crisis, kind, target, step in crises:
        request = rng.choice(["none", "consultations", "assistance"], n_worlds, p=[0.1, 0.2, 0.7])
        if kind == "nonmember_war_by_member":
            request[:] = "none"
        ask_rung = rng.choice(["material_aid", "deployment"], n_worlds, p=[0.4, 0.6])
        asked = np.where(request == "assistance", ask_rung, request)
        ceiling = np.array([RUNG_NAMES.index(a) for a in asked])
        ceiling[request == "none"] = 1  # a statement at most
        response_idx = np.minimum(rng.integers(0, 6, n_worlds), ceiling)
        response = np.array(RUNG_NAMES)[response_idx]
        size = np.where(response == "deployment", rng.uniform(500, 3000, n_worlds), 0.0)
        channel = np.where(request == "none", rng.choice(["none", "bilateral"], n_worlds), request)
        russia = rng.choice(["none", "words", "arms", "troops"], n_worlds, p=[0.1, 0.5, 0.3, 0.1])
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
                    "channel": channel,
                    "russia": russia,
                    "deploy_size": size,
                }
            )
        )
    if not rows:  # a run without crises: the table exists but is empty
        columns = ["crisis", "kind", "target", "date", "request", "asked", "response"]
        columns += ["channel", "russia"]
        return pd.DataFrame(
            {"world": pd.Series(dtype="int64"), "step": pd.Series(dtype="int64")}
            | {c: pd.Series(dtype="str") for c in columns}
            | {"deploy_size": pd.Series(dtype="float64")}
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
                    "grievance_mean": rng.normal(0, 0.2),
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
            "final_grievance": rng.normal(0, 0.3, len(worlds)),
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


def make_run(
    run_dir: Path,
    n_worlds: int = 50,
    n_steps: int = 24,
    seed: int = 0,
    crises=CRISES,
    title: str = "Synthetic test scenario",
) -> Path:
    """Fabricate a finished run folder (tables and meta.json) as docs/results.md specifies."""
    rng = np.random.default_rng(seed)
    run_dir.mkdir(parents=True)
    members = _members(rng, n_worlds)
    tables = {
        "crises": _crises(rng, n_worlds, crises),
        "steps": _steps(rng, n_steps),
        "members": members,
        "transitions": _transitions(members),
    }
    for name, df in tables.items():
        write_table(df, run_dir / f"{name}.parquet")
    meta = {
        "scenario_id": run_dir.name,
        "scenario_title": title,
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


@pytest.mark.unit
def test_plot_run_writes_every_plot(run_dir: Path) -> None:
    written = plot_run(run_dir)
    names = ["responses.png", "russia.png", "defection.png", "trust.png"]
    assert written == [run_dir / "plots" / name for name in names]
    assert written.skipped == []
    for path in written:
        _assert_png(path)
    assert sorted(p.name for p in (run_dir / "plots").iterdir()) == sorted(names)


@pytest.mark.unit
def test_missing_crises_table_skips_responses(run_dir: Path) -> None:
    (run_dir / "crises.parquet").unlink()
    written = plot_run(run_dir)
    assert [p.name for p in written] == ["defection.png", "trust.png"]
    assert len(written.skipped) == 2 and "responses.png" in written.skipped[0]
    assert not (run_dir / "plots" / "responses.png").exists()


@pytest.mark.unit
@pytest.mark.slow
def test_a_run_made_before_model_2_plots_all_but_russias_answer(run_dir: Path) -> None:
    path = run_dir / "crises.parquet"
    pd.read_parquet(path).drop(columns=["channel", "russia"]).to_parquet(path)
    written = plot_run(run_dir)
    assert [p.name for p in written] == ["responses.png", "defection.png", "trust.png"]
    assert len(written.skipped) == 1 and "russia.png" in written.skipped[0]


@pytest.mark.unit
@pytest.mark.slow
def test_russias_answer_outlines_its_most_common_own_answer(
    run_dir: Path, drawn: dict[str, Figure]
) -> None:
    plot_run(run_dir)
    notes = [t.get_text() for t in _texts(drawn["russia.png"])]
    assert sum("most common own answer: words" in n for n in notes) == len(CRISES)
    assert all("appeal:" in n for n in notes if "most common own answer:" in n)


@pytest.mark.unit
@pytest.mark.slow
def test_plot_path_on_a_batch_adds_a_summary(tmp_path: Path) -> None:
    make_run(tmp_path / "batch" / "first", seed=1)
    make_run(tmp_path / "batch" / "second", seed=2)
    written = plot_path(tmp_path / "batch")
    summary = tmp_path / "batch" / "plots" / "summary_responses.png"
    assert summary in written
    assert len(written) == 9
    _assert_png(summary)


@pytest.mark.unit
def test_plot_path_on_a_run_draws_no_summary(run_dir: Path) -> None:
    written = plot_path(run_dir)
    assert [p.name for p in written] == [
        "responses.png",
        "russia.png",
        "defection.png",
        "trust.png",
    ]


@pytest.mark.unit
def test_wilson_interval_brackets_the_share() -> None:
    lo, hi = wilson_interval(np.array([0, 25, 50]), 50)
    assert lo[0] == pytest.approx(0.0) and hi[2] == pytest.approx(1.0)
    assert lo[1] < 0.5 < hi[1]
    assert hi[1] - 0.5 == pytest.approx(0.5 - lo[1])
    assert lo[1] == pytest.approx(0.3664, abs=1e-3)


@pytest.fixture
def drawn(monkeypatch: pytest.MonkeyPatch) -> dict[str, Figure]:
    """The figures the plots save, by file name (each drawn, as when saved)."""
    figures: dict[str, Figure] = {}
    save = style.save

    def keep(fig: Figure, path: Path, tight: bool = False) -> Path:
        figures[path.name] = fig
        return save(fig, path, tight)

    monkeypatch.setattr(style, "save", keep)
    return figures


def _texts(fig: Figure) -> list[Text]:
    return [
        t
        for t in fig.findobj(Text)
        if t.get_visible() and t.get_text().strip() and t.figure is not None
    ]


@pytest.mark.unit
@pytest.mark.slow
@pytest.mark.parametrize("n_steps", [2, 24, 200])
def test_no_text_runs_off_the_figure(
    tmp_path: Path, drawn: dict[str, Figure], n_steps: int
) -> None:
    make_run(tmp_path / "b" / "first", n_steps=n_steps, crises=(UKRAINE, *CRISES), title=LONG_TITLE)
    make_run(tmp_path / "b" / "second", n_steps=n_steps, seed=3, title=LONG_TITLE)
    plot_path(tmp_path / "b", workers=1)
    assert set(drawn) == {
        *("responses.png", "russia.png", "defection.png", "trust.png"),
        "summary_responses.png",
    }
    for name, fig in drawn.items():
        renderer = fig.canvas.get_renderer()
        frame = fig.bbox
        for text in _texts(fig):
            box = text.get_window_extent(renderer)
            inside = (
                box.x0 >= frame.x0 - 1
                and box.x1 <= frame.x1 + 1
                and box.y0 >= frame.y0 - 1
                and box.y1 <= frame.y1 + 1
            )
            assert inside, f"{name}: {text.get_text()!r} runs off the figure ({box} in {frame})"


@pytest.mark.unit
@pytest.mark.slow
def test_titles_are_wrapped(tmp_path: Path, drawn: dict[str, Figure]) -> None:
    plot_run(make_run(tmp_path / "run", title=LONG_TITLE))
    for name, fig in drawn.items():
        lines = fig.get_suptitle().splitlines()
        assert lines[0].startswith("Armenia's trajectory"), name
        assert len(lines) >= 3, name  # the long title wraps, then the description


@pytest.mark.unit
@pytest.mark.slow
def test_notes_above_bars_do_not_overlap(tmp_path: Path, drawn: dict[str, Figure]) -> None:
    plot_run(make_run(tmp_path / "run", crises=(UKRAINE, *CRISES)))
    fig = drawn["responses.png"]
    ax = fig.axes[0]
    renderer = fig.canvas.get_renderer()
    notes = [t.get_window_extent(renderer) for t in ax.texts if t.get_text().startswith("asked")]
    bars = [p.get_window_extent(renderer) for p in ax.patches]
    assert len(notes) == 4
    for note in notes:
        assert note.x1 <= ax.bbox.x1 + 1  # inside the axes on the right
        assert not any(note.overlaps(bar) for bar in bars)


@pytest.mark.unit
@pytest.mark.slow
def test_run_lists_wars_on_non_members_last(tmp_path: Path, drawn: dict[str, Figure]) -> None:
    plot_run(make_run(tmp_path / "run", crises=(UKRAINE, *CRISES)))
    ax = drawn["responses.png"].axes[0]
    labels = [t.get_text().splitlines()[0] for t in ax.get_yticklabels()]
    assert labels == ["kgz_tjk_border_clash", "arm_incursion", "kaz_unrest", "ukraine_war"]


@pytest.mark.unit
@pytest.mark.slow
def test_summary_leaves_out_wars_on_non_members(tmp_path: Path, drawn: dict[str, Figure]) -> None:
    make_run(tmp_path / "batch" / "first", seed=1, crises=(UKRAINE, *CRISES[:2]))
    make_run(tmp_path / "batch" / "second", seed=2, crises=(UKRAINE,))
    make_run(tmp_path / "batch" / "third", seed=3, crises=CRISES[2:])
    written = plot_path(tmp_path / "batch", workers=1)
    assert len(written) == 12
    # a run whose only crisis is a war on a non-member has no answer of Russia's to a treaty state
    assert len(written.skipped) == 1 and "second/plots/russia.png" in written.skipped[0]
    fig = drawn["summary_responses.png"]
    labels = [t.get_text().splitlines()[:2] for t in fig.axes[0].get_yticklabels()]
    assert labels == [
        ["first:", "kgz_tjk_border_clash"],
        ["first:", "arm_incursion"],
        ["third:", "kaz_unrest"],
    ]
    title = fig.get_suptitle().replace("\n", " ")
    assert "2 of 3 runs" in title
    assert "Omitted: wars waged by a member on a non-member" in title
    assert "2 crises in 2 runs" in title


@pytest.mark.unit
@pytest.mark.slow
def test_summary_skipped_when_every_crisis_is_a_war_on_a_non_member(tmp_path: Path) -> None:
    make_run(tmp_path / "batch" / "first", crises=(UKRAINE,))
    make_run(tmp_path / "batch" / "second", seed=2, crises=())
    written = plot_path(tmp_path / "batch", workers=1)
    assert [p.name for p in written] == ["responses.png", "defection.png", "trust.png"] + [
        "defection.png",
        "trust.png",
    ]
    assert any("second/plots/responses.png: skipped, no crises" in s for s in written.skipped)
    assert any("summary_responses.png: skipped" in s and "non-member" in s for s in written.skipped)
    assert not (tmp_path / "batch" / "plots" / "summary_responses.png").exists()


@pytest.mark.unit
@pytest.mark.slow
def test_worker_processes_write_the_same_files(tmp_path: Path) -> None:
    for i, name in enumerate(("first", "second", "third")):
        make_run(tmp_path / "batch" / name, seed=i, crises=(UKRAINE, *CRISES))
    serial = plot_path(tmp_path / "batch", workers=1)
    before = {p: p.read_bytes() for p in serial}
    parallel = plot_path(tmp_path / "batch", workers=3)
    assert parallel == serial and parallel.skipped == serial.skipped
    assert {p: p.read_bytes() for p in parallel} == before


@pytest.mark.unit
@pytest.mark.slow
def test_plots_read_only_the_columns_they_use(tmp_path: Path) -> None:
    run_dir = make_run(tmp_path / "run")
    pd.read_parquet(run_dir / "steps.parquet").drop(columns="threat_mean").to_parquet(
        run_dir / "steps.parquet"
    )
    (run_dir / "members.parquet").unlink()
    every = ["responses.png", "russia.png", "defection.png", "trust.png"]
    assert [p.name for p in plot_run(run_dir)] == every
    pd.read_parquet(run_dir / "steps.parquet").drop(columns="trust_q50").to_parquet(
        run_dir / "steps.parquet"
    )
    with pytest.raises(UserError, match="steps.parquet: unreadable result table or missing"):
        plot_run(run_dir)


@pytest.mark.unit
def test_month_ticks() -> None:
    dec_2021 = 2021 * 12 + 11
    assert plots._month_ticks(dec_2021, dec_2021 + 1) == (
        [dec_2021, dec_2021 + 1],
        ["Dec\n2021", "Jan\n2022"],
    )
    ticks, labels = plots._month_ticks(2026 * 12, 2030 * 12 + 11)
    assert labels == ["2026", "2027", "2028", "2029", "2030"]
    ticks, labels = plots._month_ticks(1997 * 12, 2013 * 12 + 5)
    assert labels == [str(y) for y in range(1998, 2014, 2)]
    assert len(plots._month_ticks(2020 * 12 + 8, 2021 * 12 + 2)[0]) == 7  # monthly


@pytest.mark.unit
def test_percentages_near_the_ends() -> None:
    assert [plots._pct(x) for x in (0, 0.0003, 0.004, 0.5, 0.996, 0.9995, 1 - 1e-12, 1)] == [
        "0%",
        "<0.1%",
        "0.4%",
        "50%",
        "99.6%",
        ">99.9%",
        "100%",
        "100%",
    ]
