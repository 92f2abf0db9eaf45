"""Parameter declarations and parameter sets: one source of truth for every value."""

from __future__ import annotations

import json
import re
from dataclasses import fields

import numpy as np
import pytest

from cstosim.experiments import calibration
from cstosim.experiments.runs import simulate
from cstosim.inputs import parameters as params
from cstosim.inputs.errors import UserError
from cstosim.inputs.parameters import (
    PARAMETERS,
    Parameter,
    available_sets,
    default_set_name,
    load_set,
    parameters_table,
    parse_set,
    resolve,
)
from tests.support import ROOT

pytestmark = [pytest.mark.unit]


def test_a_declaration_holds_no_value() -> None:
    names = {f.name for f in fields(Parameter)}
    # the prior range and where a fit starts searching, never a value: that is a set's
    assert names == {"name", "low", "high", "fit_low", "unit", "stage", "meaning", "source"}


@pytest.mark.parametrize("name", available_sets())
def test_every_shipped_set_gives_every_parameter_a_value_in_range(name: str) -> None:
    pset = load_set(name)
    assert pset.name == name
    assert set(pset.values) == set(PARAMETERS)
    for key, value in pset.values.items():
        assert PARAMETERS[key].low <= value <= PARAMETERS[key].high, key


def test_the_set_in_force_is_named_in_one_file() -> None:
    assert default_set_name() in available_sets()
    assert load_set().name == default_set_name()


def test_a_run_records_the_set_and_its_hash(mini) -> None:
    meta = simulate(mini, 4, 0).meta
    pset = load_set()
    assert meta["parameter_set"] == {"name": pset.name, "sha256": pset.sha256}
    assert meta["parameters"] == dict(pset.values)


def test_another_set_changes_the_values_in_force(mini, tmp_path) -> None:
    data = json.loads((params.sets_dir() / f"{default_set_name()}.json").read_text())
    data["name"], data["values"]["need_weight"] = "mine", 0.5
    path = tmp_path / "mine.json"
    path.write_text(json.dumps(data))
    mine = load_set(str(path))
    assert mine.name == "mine" and mine.sha256 != load_set().sha256
    assert resolve(None, 3, mine).need_weight.tolist() == [0.5, 0.5, 0.5]
    assert simulate(mini, 4, 0, parameter_set=mine).meta["parameters"]["need_weight"] == 0.5


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (lambda d: d["values"].pop("need_weight"), "values.need_weight: missing"),
        (lambda d: d["values"].update(nerve=1.0), "values.nerve: not a declared parameter"),
        (lambda d: d["values"].update(need_weight=99.0), "'need_weight' = 99.0 is outside"),
        (lambda d: d["values"].update(need_weight="hot"), "values.need_weight: 'hot' is not"),
        (lambda d: d.pop("name"), "not a parameter-set file"),
    ],
)
def test_a_bad_set_file_is_one_line_naming_the_field(edit, message, tmp_path) -> None:
    data = json.loads((params.sets_dir() / f"{default_set_name()}.json").read_text())
    edit(data)
    with pytest.raises(UserError, match=re.escape(message)) as err:
        parse_set(json.dumps(data).encode(), "bad.json")
    assert "\n" not in str(err.value) and str(err.value).startswith("bad.json")


def test_an_unknown_set_name_lists_the_shipped_sets() -> None:
    with pytest.raises(UserError, match="unknown; use one of " + re.escape(available_sets()[0])):
        load_set("no-such-set")


def test_values_on_a_bound_are_flagged() -> None:
    p = PARAMETERS["withdraw_margin"]
    assert p.at_bound(p.low) and p.at_bound(p.high)
    assert not p.at_bound((p.low + p.high) / 2)
    # a term the record names as a cause: a fit stops at 2, and a value there is flagged too
    g = PARAMETERS["grievance_weight"]
    assert g.search == (2, g.high) and g.at_bound(2) and not g.at_bound(3)


def test_a_term_a_fit_may_not_switch_off_can_still_be_switched_off_by_hand() -> None:
    g = PARAMETERS["grievance_weight"]
    g.check(0.0)  # the paired runs of ``cstosim drivers`` switch it off
    with pytest.raises(UserError, match=r"outside \[0, 20\]"):
        g.check(-1.0)


def test_install_makes_a_set_the_one_in_force_only_when_asked(tmp_path, monkeypatch) -> None:
    sets = tmp_path / "sets"
    sets.mkdir()
    for f in params.sets_dir().iterdir():
        (sets / f.name).write_bytes(f.read_bytes())
    monkeypatch.setattr(params, "sets_dir", lambda: sets)
    monkeypatch.setattr(calibration, "sets_dir", lambda: sets)
    load_set.cache_clear()
    try:
        data = json.loads((sets / f"{default_set_name()}.json").read_text())
        data["name"] = "calibrated-test"
        fitted = tmp_path / "out" / "calibrated-test.json"
        fitted.parent.mkdir()
        fitted.write_text(json.dumps(data))
        assert default_set_name() != "calibrated-test"  # writing a fit installs nothing
        calibration.install_set(fitted)
        assert default_set_name() == "calibrated-test"
        assert load_set().name == "calibrated-test"
    finally:
        load_set.cache_clear()


def test_docs_table_is_generated_from_the_declarations() -> None:
    doc = (ROOT / "docs" / "parameters.md").read_text(encoding="utf-8")
    inside = doc.split("<!-- parameters:start -->\n", 1)[1].split("\n<!-- parameters:end -->")[0]
    assert inside == parameters_table(), "regenerate docs/parameters.md from parameters_table()"


def test_resolve_gives_one_array_per_parameter_and_checks_overrides() -> None:
    p = resolve({"need_weight": np.array([0.5, 0.6])}, n_worlds=2)
    assert set(p) == set(PARAMETERS) and p.need_weight.tolist() == [0.5, 0.6]
    with pytest.raises(UserError, match="unknown parameter 'nerve'"):
        resolve({"nerve": 1.0})
