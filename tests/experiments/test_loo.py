"""Leave-one-crisis-out: the held-out outcome leaves the fit in every file, its event stays, and
the held-out checks are scored on fresh seeds beside the baselines."""

import json

import numpy as np
import pytest
from numpy.testing import assert_allclose

from cstosim import api
from cstosim.cli import main as cli_main
from cstosim.experiments import loo
from cstosim.experiments.baselines import BaseRates
from cstosim.experiments.calibration import FitResult
from cstosim.experiments.validation import scored_checks
from cstosim.experiments.validation_text import LOO_END, LOO_START
from cstosim.inputs.errors import UserError
from cstosim.inputs.settings import Budget
from tests.experiments.handmade import documented, write_file

KAZ = 'event = "kaz"\nrequest = "assistance"\nresponse = ["deployment"]\nnote = "E17"\n'
ARM = 'event = "arm"\nrequest = "assistance"\nresponse = ["mission"]\nnote = "E19"\n'
HOLDS = (
    '[[expected.membership]]\nmember = "KGZ"\nstatus = "active"\ndate = "2022-06"\nmode = "holds"\n'
)
TINY = Budget(
    design=2, generations=0, population=2, parents=1, replicates=4, finalists=1, final_worlds=8
)


def _files(tmp_path):
    """E17 in two files (scored from the earlier one), E19 and a status in the later one."""
    early = documented(tmp_path, "early", f"[[expected.crisis]]\n{KAZ}", start="2021-12")
    late = documented(
        tmp_path, "late", f"[[expected.crisis]]\n{KAZ}\n[[expected.crisis]]\n{ARM}\n{HOLDS}"
    )
    return early, late


@pytest.fixture()
def fits(monkeypatch):
    """Record what each fold is fitted on, instead of fitting."""
    seen = []

    def fake(checks, budget, seed, start=None):
        seen.append(list(checks))
        return FitResult(best={}, loss=0.0, evaluated=None)  # type: ignore[arg-type]

    monkeypatch.setattr(loo, "calibrate", fake)
    return seen


@pytest.mark.unit
def test_a_fold_fits_without_the_held_crisis_in_any_file(tmp_path, fits):
    early, late = _files(tmp_path)
    checks = scored_checks([late, early])[0]
    assert loo.crisis_facts(checks) == ["E17", "E19"]
    _, held = loo.fold("E17", checks, TINY, seed=3, n_worlds=20)
    train = fits[-1]
    assert all(c.fact != "E17" for c in train)
    assert {c.fact for c in train} == {"E19", "late/KGZ holds active 2022-06"}
    # the crisis stays in every file as situation
    assert all("kaz" in {e.id for e in c.doc.scenario.events} for c in train)
    # the held-out checks are forecast from the file that runs the longest history up to them
    assert set(held) == {("E17", "request"), ("E17", "response")}
    assert all(p.shape[-1] in (3, 6) and np.isclose(p.sum(), 1) for p in held.values())
    # the reference fold fits on everything and forecasts every crisis check
    _, reference = loo.fold(None, checks, TINY, seed=3, n_worlds=20)
    assert len(fits[-1]) == len(checks) and len(reference) == 4


@pytest.mark.unit
def test_held_out_rows_use_base_rates_without_the_held_fact(tmp_path, fits, monkeypatch):
    def uniform(checks, values, n_worlds, seed):
        return {c.key: np.full(len(c.categories), 1 / len(c.categories)) for c in checks}

    monkeypatch.setattr(loo, "forecast", uniform)
    early, late = _files(tmp_path)
    checks = scored_checks([late, early])[0]
    table = loo.leave_one_crisis_out(checks, TINY, seed=3, n_worlds=20)
    assert sorted(table["fact"].unique()) == ["E17", "E19"] and len(table) == 4
    assert len(fits) == 3  # the reference fit and one per crisis
    without = BaseRates.from_checks([c for c in checks if c.fact != "E19"])
    arm = table[(table["fact"] == "E19") & (table["kind"] == "request")].iloc[0]
    # with E19 out, the only request left is E17's assistance: (1, 1, 2) / 4
    assert_allclose(arm["p_base_rates"], without.request[2])
    assert_allclose(without.request, [1 / 4, 1 / 4, 2 / 4])
    for name in loo.LOO_FORECASTERS:
        assert table[f"log_{name}"].notna().all(), name


@pytest.mark.e2e
@pytest.mark.slow
def test_validate_loo_writes_its_scores_runtime_and_readme(tmp_path, monkeypatch):
    monkeypatch.setattr(api, "LOO_BUDGET", TINY)
    early = write_file(tmp_path, "early", f"[[expected.crisis]]\n{KAZ}", start="2021-12")
    late = write_file(tmp_path, "late", f"[[expected.crisis]]\n{ARM}\n{HOLDS}")
    readme = tmp_path / "README.md"
    readme.write_text(f"x\n{LOO_START}\nPREVIOUS SECTION\n{LOO_END}\n")
    out = tmp_path / "loo"
    argv = ["validate", "--loo", str(early), str(late), "--worlds", "30", "--out", str(out)]
    assert cli_main([*argv, "--quiet", "--readme", str(readme)]) == 0
    summary = json.loads((out / "summary.json").read_text())
    assert summary["runtime_s"] > 0 and summary["budget"]["design"] == 2
    assert summary["kinds"]["overall"]["checks"] == 4
    meta = json.loads((out / "meta.json").read_text())
    assert {"loo.csv", "summary.json", "loo.png"} <= set(meta["files"])
    text = readme.read_text()
    assert "Leave-one-crisis-out" in text and "PREVIOUS SECTION" not in text


@pytest.mark.unit
def test_a_fold_with_nothing_left_to_fit_is_refused(tmp_path, fits):
    only = documented(tmp_path, "only", f"[[expected.crisis]]\n{KAZ}")
    with pytest.raises(UserError, match="nothing is left to fit"):
        loo.leave_one_crisis_out(scored_checks([only])[0], TINY, seed=3, n_worlds=20)
    assert fits == []
