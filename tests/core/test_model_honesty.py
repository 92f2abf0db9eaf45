"""The honesty rule: the model never reads a scenario's ``[expected]`` block.

Editing the documented outcome (other rungs, requests, statuses, dates) or deleting the block
must change nothing the model produces and must leave the situation hash of ``meta.json`` as it
is. Structurally, :class:`Scenario` has no field for ``[expected]``, and only validation and
calibration may import :mod:`cstosim.inputs.expected` (``tests/test_architecture.py``).
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import pytest

from cstosim.core.model import AllianceModel
from cstosim.experiments.runs import simulate
from cstosim.experiments.storage import TABLES
from cstosim.inputs.expected import Documented, Expected, parse_expected
from cstosim.inputs.scenario import Scenario, split_file
from tests.support import ROOT

pytestmark = [pytest.mark.regression]

DOCUMENTED = ("kazakhstan_2022", "armenia_trajectory_2020_2025")
N_WORLDS = 300
SEED = 777

_EXPECTED_HEADER = re.compile(r"^\[\[?expected[\].]", re.MULTILINE)
#: Documented values and what the edited copy says instead.
_OTHER_REQUEST = {"none": "assistance", "consultations": "none", "assistance": "none"}
_OTHER_STATUS = {
    "active": "withdrawn",
    "frozen": "active",
    "withdrawn": "active",
    "never": "active",
}


def _split(text: str) -> tuple[str, str]:
    """A scenario file cut where its ``[expected]`` block starts (the block closes the file)."""
    match = _EXPECTED_HEADER.search(text)
    assert match, "no [expected] block"
    head, tail = text[: match.start()], text[match.start() :]
    whole, rest = tomllib.loads(text), tomllib.loads(head)
    assert rest == {k: v for k, v in whole.items() if k != "expected"}, "[expected] is not last"
    return head, tail


def _edit_expected(block: str, start: str) -> str:
    """Every documented outcome in ``block`` replaced by a different one; dates move to the
    run's first month ``start`` (a check outside the run is refused at load)."""

    def line(pattern: str, repl, text: str) -> str:
        return re.sub(pattern, repl, text, flags=re.MULTILINE)

    block = line(r'^request = "(\w+)"$', lambda m: f'request = "{_OTHER_REQUEST[m[1]]}"', block)
    block = line(
        r"^response = \[.*\]$",
        lambda m: 'response = ["none"]' if "deployment" in m[0] else 'response = ["deployment"]',
        block,
    )
    block = line(r'^status = "(\w+)"$', lambda m: f'status = "{_OTHER_STATUS[m[1]]}"', block)
    block = line(r'^date = "[\d-]+"$', f'date = "{start}"', block)
    block = line(r"^tolerance_months = \d+$", "tolerance_months = 0", block)
    block = line(r"^mode = \"holds\"$", 'mode = "enters"', block)
    block = line(r"^backs = (true|false)$", lambda m: f"backs = {m[1] != 'true'}".lower(), block)
    return block


@dataclass(frozen=True)
class Variant:
    """A scenario file as loaded: its situation and its documented outcome, if it has one."""

    situation: Scenario
    expected: Expected | None


def _load(path: Path) -> Variant:
    scenario, raw = split_file(path)
    return Variant(scenario, None if raw is None else parse_expected(path, scenario, raw))


def _variants(scenario_id: str, folder: Path) -> dict[str, Variant]:
    """The documented file, a copy with its outcome edited and a copy without ``[expected]``."""
    path = ROOT / "scenarios" / f"{scenario_id}.toml"
    head, block = _split(path.read_text(encoding="utf-8"))
    start = tomllib.loads(head)["scenario"]["start"]
    texts = {"edited": head + _edit_expected(block, start), "removed": head}
    out = {"original": _load(path)}
    for name, text in texts.items():
        copy = folder / name / f"{scenario_id}.toml"
        copy.parent.mkdir()
        copy.write_text(text, encoding="utf-8")
        out[name] = _load(copy)
    return out


@pytest.fixture(scope="module", params=DOCUMENTED)
def variants(request: pytest.FixtureRequest, tmp_path_factory) -> dict[str, Variant]:
    return _variants(request.param, tmp_path_factory.mktemp(request.param))


def test_the_copies_really_differ_in_expected(variants: dict[str, Variant]) -> None:
    original, edited, removed = variants["original"], variants["edited"], variants["removed"]
    assert original.expected is not None and original.expected.crisis
    assert edited.expected is not None and removed.expected is None
    for old, new in zip(original.expected.crisis, edited.expected.crisis, strict=True):
        assert (old.event, old.note) == (new.event, new.note)
        assert old.request != new.request and old.response != new.response
    for old, new in zip(original.expected.membership, edited.expected.membership, strict=True):
        assert old.status != new.status and old.date != new.date


def test_situation_and_hash_ignore_expected(variants: dict[str, Variant]) -> None:
    original = variants["original"].situation
    for name in ("edited", "removed"):
        assert variants[name].situation == original, name
        assert variants[name].situation.situation_hash() == original.situation_hash(), name


def test_outputs_ignore_expected(variants: dict[str, Variant]) -> None:
    runs = {name: simulate(v.situation, N_WORLDS, SEED) for name, v in variants.items()}
    original = runs.pop("original")
    assert set(original.tables) == set(TABLES)
    for name, run in runs.items():
        for table in TABLES:
            pd.testing.assert_frame_equal(run.tables[table], original.tables[table], obj=table)
        drop = {"elapsed_s"}
        assert {k: v for k, v in run.meta.items() if k not in drop} == {
            k: v for k, v in original.meta.items() if k not in drop
        }, name


def _holds_expected(obj: object) -> list[str]:
    """Attributes of ``obj`` that hold a documented outcome."""
    return [
        key
        for key, value in vars(obj).items()
        if isinstance(value, Expected | Documented)
        or (isinstance(value, Scenario) and "expected" in type(value).model_fields)
    ]


def test_a_scenario_has_no_place_for_expected() -> None:
    assert "expected" not in Scenario.model_fields


def test_the_model_never_holds_expected(variants: dict[str, Variant]) -> None:
    assert variants["original"].expected is not None
    model = AllianceModel(variants["original"].situation, n_worlds=4, seed=1)
    model.run_to_end()
    for obj in (model, *model.agents):
        assert not _holds_expected(obj), f"{type(obj).__name__} holds {_holds_expected(obj)}"
