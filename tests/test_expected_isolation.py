"""The honesty rule: the model never reads a scenario's ``[expected]`` block.

Editing the documented outcome (other rungs, requests, statuses, dates) or deleting the block
must change nothing the model produces and must leave the situation hash of ``meta.json`` as it
is. A structural guard keeps ``.expected`` out of every module but the few allowed to read it.
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pandas as pd
import pytest

from cstosim.model import AllianceModel
from cstosim.runner import TABLES, simulate
from cstosim.scenario import Expected, Scenario, load_scenario

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "src" / "cstosim"
DOCUMENTED = ("kazakhstan_2022", "armenia_trajectory_2020_2025")
N_WORLDS = 300
SEED = 777
#: The only modules that may read ``[expected]``: the schema, validation and calibration.
MAY_READ_EXPECTED = {"scenario.py", "validation.py", "calibration.py"}
#: Text that reads the block: attribute access, or the key as a string (getattr, raw TOML).
READS_EXPECTED = re.compile(r"\.expected\b|[\"']expected[\"']")

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


def _edit_expected(block: str) -> str:
    """Every documented outcome in ``block`` replaced by a different one."""

    def line(pattern: str, repl, text: str) -> str:
        return re.sub(pattern, repl, text, flags=re.MULTILINE)

    block = line(r'^request = "(\w+)"$', lambda m: f'request = "{_OTHER_REQUEST[m[1]]}"', block)
    block = line(
        r"^response = \[.*\]$",
        lambda m: 'response = ["none"]' if "deployment" in m[0] else 'response = ["deployment"]',
        block,
    )
    block = line(r'^status = "(\w+)"$', lambda m: f'status = "{_OTHER_STATUS[m[1]]}"', block)
    block = line(r'^date = "[\d-]+"$', 'date = "1999-01"', block)
    block = line(r"^tolerance_months = \d+$", "tolerance_months = 120", block)
    block = line(r"^mode = \"holds\"$", 'mode = "enters"', block)
    block = line(r"^backs = (true|false)$", lambda m: f"backs = {m[1] != 'true'}".lower(), block)
    return block


def _variants(scenario_id: str, folder: Path) -> dict[str, Scenario]:
    """The documented file, a copy with its outcome edited and a copy without ``[expected]``."""
    path = ROOT / "scenarios" / f"{scenario_id}.toml"
    head, block = _split(path.read_text(encoding="utf-8"))
    texts = {"edited": head + _edit_expected(block), "removed": head}
    out = {"original": load_scenario(path)}
    for name, text in texts.items():
        copy = folder / name / f"{scenario_id}.toml"
        copy.parent.mkdir()
        copy.write_text(text, encoding="utf-8")
        out[name] = load_scenario(copy)
    return out


@pytest.fixture(scope="module", params=DOCUMENTED)
def variants(request: pytest.FixtureRequest, tmp_path_factory) -> dict[str, Scenario]:
    return _variants(request.param, tmp_path_factory.mktemp(request.param))


def test_the_copies_really_differ_in_expected(variants: dict[str, Scenario]) -> None:
    original, edited, removed = variants["original"], variants["edited"], variants["removed"]
    assert original.expected is not None and original.expected.crisis
    assert edited.expected is not None and removed.expected is None
    for old, new in zip(original.expected.crisis, edited.expected.crisis, strict=True):
        assert (old.event, old.note) == (new.event, new.note)
        assert old.request != new.request and old.response != new.response
    for old, new in zip(original.expected.membership, edited.expected.membership, strict=True):
        assert old.status != new.status and old.date != new.date


def test_situation_and_hash_ignore_expected(variants: dict[str, Scenario]) -> None:
    original = variants["original"]
    for name in ("edited", "removed"):
        assert variants[name].situation() == original.situation(), name
        assert variants[name].situation_hash() == original.situation_hash(), name


def test_outputs_ignore_expected(variants: dict[str, Scenario]) -> None:
    runs = {name: simulate(sc, N_WORLDS, SEED) for name, sc in variants.items()}
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
    found = []
    for key, value in vars(obj).items():
        if isinstance(value, Expected) or (
            isinstance(value, Scenario) and value.expected is not None
        ):
            found.append(key)
    return found


def test_the_model_never_holds_expected(variants: dict[str, Scenario]) -> None:
    scenario = variants["original"]
    assert scenario.expected is not None
    model = AllianceModel(scenario, n_worlds=4, seed=1)
    assert model.situation.expected is None
    model.run_to_end()
    assert model.situation.expected is None
    for obj in (model, *model.members):
        assert not _holds_expected(obj), f"{type(obj).__name__} holds {_holds_expected(obj)}"


def test_only_validation_modules_mention_expected() -> None:
    sources = sorted(PACKAGE.rglob("*.py"))
    assert len(sources) > 5, f"package sources not found under {PACKAGE}"
    offenders = []
    for path in sources:
        if path.name in MAY_READ_EXPECTED and path.parent == PACKAGE:
            continue
        for number, text in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if READS_EXPECTED.search(text):
                offenders.append(f"{path.relative_to(ROOT)}:{number}: {text.strip()}")
    assert not offenders, (
        "only scenario.py, validation.py and calibration.py may read [expected] (honesty rule, "
        "docs/scenarios.md §4):\n" + "\n".join(offenders)
    )
