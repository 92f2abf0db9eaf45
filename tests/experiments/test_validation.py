"""Validation end to end: hand-made tables scored by hand, each fact once, checks the model cannot
answer yet, the written folder, the README section and a scenario from another folder."""

import json
import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from numpy.testing import assert_allclose

from cstosim.api import run_validation
from cstosim.cli import main as cli_main
from cstosim.experiments.baselines import BaseRates
from cstosim.experiments.checks import checks_of
from cstosim.experiments.validation import (
    FORECASTERS,
    NOT_SCORED,
    ModelRuns,
    documented_scenarios,
    score_runs,
    scored_checks,
    shipped_rates,
)
from cstosim.experiments.validation_text import README_END, README_START, update_readme
from cstosim.inputs.errors import UserError
from tests.experiments.handmade import (
    ARM_FREEZES,
    BLR_BACKS,
    KGZ_HOLDS,
    documented,
    tables,
    write_file,
)
from tests.support import MINI

FIXTURE = MINI

EXPECTED = f"""[[expected.crisis]]
event = "kaz"
request = "assistance"
response = ["deployment", "mission"]
note = "E17"

{ARM_FREEZES}
{KGZ_HOLDS}
{BLR_BACKS}"""

#: Outcomes of four worlds, and what they give each check.
HAND_TABLES = dict(
    crises={
        "crisis": "kaz",
        "request": ["assistance", "assistance", "assistance", "none"],
        "response": ["deployment", "mission", "mission", "statement"],
    },
    support={"world": [0, 1, 2, 3], "event": "support", "member": "BLR"}
    | {"backs": [True, False, False, False]},
    # ARM: step of 2022-11 is 10, window [8, 12]
    moves=[
        (0, "ARM", 9, "active", "frozen"),
        (1, "ARM", 13, "active", "frozen"),
        (2, "KGZ", 20, "active", "frozen"),
    ],
)


def _uniform_rates() -> BaseRates:
    return BaseRates(
        request=np.full(3, 1 / 3),
        response=np.full(6, 1 / 6),
        bilateral=np.full(4, 1 / 4),
        appeal=np.full(2, 1 / 2),
        support=np.array([0.8, 0.2]),
        monthly_change=0.01,
    )


def _score_hand_tables(tmp_path: Path):
    doc = documented(tmp_path, "mini", EXPECTED)
    runs = ModelRuns(4)
    runs.add(doc, tables(4, **HAND_TABLES))
    return score_runs([doc], runs, _uniform_rates())


@pytest.mark.unit
def test_scores_on_hand_made_tables(tmp_path):
    report = _score_hand_tables(tmp_path)
    t = report.table.set_index("check")
    assert t.loc["kaz: request", "p_model"] == 0.75
    assert t.loc["kaz: response", "p_model"] == 0.75
    assert t.loc["ARM enters frozen 2022-11±2", "p_model"] == 0.25
    assert t.loc["KGZ holds active at 2023-12", "p_model"] == 0.75
    assert t.loc["support: BLR backs", "p_model"] == 0.25
    # request (none, consultations, assistance) = (0.25, 0, 0.75): Brier 0.0625 + 0 + 0.0625
    assert_allclose(t.loc["kaz: request", "brier_model"], 0.125)
    assert_allclose(t.loc["kaz: request", "log_model"], -np.log(0.75))
    # response over (none, statement, consultations, material_aid, mission or deployment)
    # = (0, 0.25, 0, 0, 0.75); cumulative 0, .25, .25, .25 against 0, 0, 0, 0: RPS .1875/4
    assert_allclose(t.loc["kaz: response", "rps_model"], 3 * 0.0625 / 4)
    assert t.loc["kaz: response", "modal_outcome"] == "mission or deployment"
    assert np.isnan(t.loc["kaz: request", "rps_model"])  # not on a ladder
    # the documented outcome is the single most likely one: 3 of 5
    modal = t["modal_model"]
    assert modal["kaz: request"] and not modal["support: BLR backs"]
    assert int(modal.sum()) == 3
    # baselines on the same checks: uniform rates, a 5-month window at h = 0.01
    assert_allclose(t.loc["kaz: response", "p_base_rates"], 2 / 6)
    assert_allclose(t.loc["ARM enters frozen 2022-11±2", "p_base_rates"], 1 - 0.99**5)
    assert_allclose(t.loc["KGZ holds active at 2023-12", "p_base_rates"], 0.99**24)
    assert t.loc["KGZ holds active at 2023-12", "p_persistence"] == 1.0
    assert t.loc["support: BLR backs", "p_rule"] == 1.0
    # a floor of half a world in 4: a sure miss costs log 8
    assert_allclose(t.loc["kaz: request", "log_persistence"], np.log(8))


@pytest.mark.unit
def test_the_summary_averages_each_kind_and_all(tmp_path):
    report = _score_hand_tables(tmp_path)
    s, t = report.summary, report.table
    overall = s["kinds"]["overall"]
    assert overall["checks"] == 5 and overall["model"]["modal"] == 3
    assert_allclose(overall["model"]["brier"], t["brier_model"].mean())
    # the rule: ARM never enters (a sure miss, log 8 at 4 worlds); KGZ holds (a sure hit, 0)
    assert_allclose(s["kinds"]["membership"]["rule"]["log"], np.log(8) / 2)
    assert s["kinds"]["response"]["model"]["rps"] == pytest.approx(3 * 0.0625 / 4)
    assert set(s["kinds"]) == {"request", "response", "membership", "support", "overall"}
    beaten = overall["persistence"]["beaten"]["log"] + overall["persistence"]["beats"]["log"]
    assert beaten <= 5
    # reliability pools every category of every check: 3 + 5 + 2 + 2 + 2 pairs per forecaster
    rel = report.reliability
    assert set(rel["forecaster"]) == set(FORECASTERS)
    assert (rel.groupby("forecaster")["n"].sum() == 14).all()


@pytest.mark.unit
def test_checks_the_model_cannot_answer_are_reported_not_scored(tmp_path):
    text = EXPECTED.replace('note = "E17"', 'note = "E17"\nrussia = ["troops"]\nappeal = true')
    doc = documented(tmp_path, "mini", text)
    runs = ModelRuns(4)
    runs.add(doc, tables(4, **HAND_TABLES))
    report = score_runs([doc], runs, _uniform_rates())
    waiting = report.table[~report.table["scored"]]
    assert sorted(waiting["kind"]) == ["appeal", "bilateral"]
    assert (waiting["status"] == NOT_SCORED).all() and waiting["p_model"].isna().all()
    assert waiting["p_rule"].notna().all()  # the baselines can answer; they wait for the model
    assert report.summary["not_scored"] == {"appeal": 1, "bilateral": 1}
    assert report.summary["kinds"]["overall"]["checks"] == 5
    # once the model reports the columns, the same checks are scored
    crises = dict(HAND_TABLES["crises"], russia="troops", appeal=False)
    runs = ModelRuns(4)
    runs.add(doc, tables(4, **dict(HAND_TABLES, crises=crises)))
    report = score_runs([doc], runs, _uniform_rates())
    t = report.table.set_index("kind")
    assert t.loc["bilateral", "p_model"] == 1.0 and t.loc["appeal", "p_model"] == 0.0
    assert report.summary["kinds"]["bilateral"]["model"]["rps"] == 0.0
    assert report.summary["not_scored"] == {}


@pytest.mark.unit
def test_a_fact_in_two_files_is_one_row_from_the_longer_history(tmp_path):
    crisis = EXPECTED.split("[[expected.membership]]")[0]
    early = documented(tmp_path, "early", crisis, start="2021-06", end="2022-06")
    late = documented(tmp_path, "late", crisis)
    runs = ModelRuns(4)
    runs.add(early, tables(4, **HAND_TABLES))
    other = dict(HAND_TABLES["crises"], request="none")
    runs.add(late, tables(4, **dict(HAND_TABLES, crises=other)))
    report = score_runs([late, early], runs, _uniform_rates())
    assert len(report.table) == 2 and set(report.table["scenario"]) == {"early"}
    assert set(report.table["also_in"]) == {"late"}
    assert report.table.set_index("kind").loc["request", "p_model"] == 0.75
    assert report.summary["facts"] == 1 and report.summary["held_elsewhere_too"] == 2


@pytest.mark.unit
def test_update_readme_replaces_only_the_marked_section(tmp_path):
    readme = tmp_path / "README.md"
    readme.write_text(f"intro\n{README_START}\nold table\n{README_END}\nafter\n")
    update_readme(readme, "new section")
    assert readme.read_text() == f"intro\n{README_START}\nnew section\n{README_END}\nafter\n"
    bare = tmp_path / "BARE.md"
    bare.write_text("no markers\n")
    with pytest.raises(UserError, match="no '<!-- validation:start -->'"):
        update_readme(bare, "x")


@pytest.mark.e2e
def test_validate_a_scenario_outside_the_scenarios_folder(tmp_path):
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    path = shutil.copy(write_file(tmp_path, "mini", EXPECTED), outside / "mini.toml")
    report = run_validation([path], n_worlds=60, seed=5, out=tmp_path / "val", progress=False)
    assert set(report.table["scenario"]) == {"mini"}
    assert len(report.table) == 5
    assert report.table["p_model"].between(0, 1).all()
    written = pd.read_csv(tmp_path / "val" / "validation.csv")
    columns = ["fact", "row", "scenario", "file", "check", "documented", "modal_outcome"]
    for name in FORECASTERS:
        columns += [f"p_{name}", f"brier_{name}", f"log_{name}", f"rps_{name}", f"modal_{name}"]
    for column in columns:
        assert column in written.columns
    # the same base rates as for the shipped files
    kaz = written.set_index("check").loc["kaz: request"]
    assert_allclose(kaz["p_base_rates"], shipped_rates().request[2])
    assert (tmp_path / "val" / "validation.png").stat().st_size > 10_000


@pytest.mark.e2e
def test_validate_writes_every_file_then_meta_and_the_readme(tmp_path, capsys):
    traj = write_file(
        tmp_path,
        "traj",
        EXPECTED.replace("tolerance_months = 2", 'tolerance_months = 2\nfrom_status = "active"'),
    )
    readme = tmp_path / "README.md"
    readme.write_text(f"# x\n{README_START}\n{README_END}\n")
    out = tmp_path / "val"
    code = cli_main(
        [
            "validate",
            str(traj),
            "--worlds",
            "80",
            "--out",
            str(out),
            "--quiet",
            "--readme",
            str(readme),
        ]
    )
    assert code == 0
    meta = json.loads((out / "meta.json").read_text())
    for name in meta["files"]:
        assert (out / name).stat().st_size > 0, name
    assert {"validation.csv", "summary.json", "ppc.csv", "reliability.csv"} <= set(meta["files"])
    for figure in ("validation", "scores", "reliability", "placebo", "changes", "order"):
        assert f"{figure}.png" in meta["files"]
    # meta.json is written last
    assert (out / "meta.json").stat().st_mtime_ns >= (out / "summary.json").stat().st_mtime_ns
    summary = json.loads((out / "summary.json").read_text())
    assert summary["predictive"]["tests"] == 3  # status changes, placebo, order
    text = readme.read_text()
    assert "cstosim validate --worlds 80 --seed 0 --readme README.md" in text
    assert "against persistence:" in text and "Posterior predictive checks" in text
    printed = capsys.readouterr().out
    assert "mean log score" in printed and "timing placebo" in printed


@pytest.mark.unit
def test_validate_rejects_a_scenario_without_expected(tmp_path):
    path = tmp_path / "mini.toml"
    path.write_text(FIXTURE.read_text().split("[expected]")[0])
    with pytest.raises(UserError, match="no \\[expected\\] block"):
        run_validation([path], n_worlds=10, progress=False)


@pytest.mark.unit
def test_the_shipped_set_scores_each_fact_once():
    docs = documented_scenarios()
    every = [c for d in docs for c in checks_of(d)]
    kept, others = scored_checks(docs)
    assert len({c.key for c in kept}) == len(kept) < len(every)
    # a fact held by several files is scored from the one that starts first
    for chosen in kept:
        starts = [d.scenario.scenario.start for d in docs if d.id in others[chosen.key]]
        assert all(chosen.doc.scenario.scenario.start <= s for s in starts), chosen.key
    held_twice = [c for c in kept if others[c.key]]
    assert held_twice, "the shipped set repeats crises in its trajectories"
