"""Scenario files: strict types, cross-field rules, limits and the wording of every refusal.

Each case edits the mini fixture in one place and checks the one-line error: the file, the field
(entries counted from 1), the problem and the fix, in the project's words.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from cstosim.api import check_files, json_schema
from cstosim.experiments.runs import run_batch
from cstosim.inputs import history
from cstosim.inputs.errors import UserError, did_you_mean, one_line
from cstosim.inputs.expected import load_documented
from cstosim.inputs.scenario import load_scenario
from cstosim.inputs.schema import MAX_DEPTH, MAX_ITEMS, first_repeat
from tests.support import MINI, ROOT, SCENARIOS

pytestmark = [pytest.mark.unit]

TEXT = MINI.read_text(encoding="utf-8")


def write(folder: Path, text: str, name: str = "mini") -> Path:
    path = folder / f"{name}.toml"
    path.write_text(text, encoding="utf-8")
    return path


def edited(old: str, new: str, text: str = TEXT) -> str:
    assert old in text, f"fixture changed: {old!r}"
    return text.replace(old, new, 1)


def refusal(path: Path) -> str:
    with pytest.raises(UserError) as info:
        load_documented(path)
    message = str(info.value)
    assert "\n" not in message and "\r" not in message
    assert message.startswith(f"{path}: ")
    return message


#: (old, new, what the error must say): a value of the wrong type is refused, never converted.
WRONG_TYPES = [
    ("severity = 0.8", 'severity = "0.5"', ["events.1.severity", "must be a number", "quotes"]),
    ("severity = 0.8", "severity = true", ["events.1.severity", "not true or false"]),
    ("duration_months = 30", 'duration_months = "3"', ["events.2.duration_months", "whole"]),
    ("duration_months = 30", "duration_months = 3.0", ["events.2.duration_months", "decimal"]),
    ("hypothetical = false", 'hypothetical = "yes"', ["scenario.hypothetical", "true or false"]),
    ('date = "2022-01-05"', "date = 2022-01-05", ["events.1.date", "in quotes"]),
    ("severity = 0.8", "severity = nan", ["events.1.severity", "finite"]),
    ('target = "KAZ"', "target = 3", ["events.1.target", "text in quotes"]),
]


@pytest.mark.parametrize(("old", "new", "parts"), WRONG_TYPES)
def test_a_value_of_another_type_is_refused_not_converted(tmp_path, old, new, parts):
    message = refusal(write(tmp_path, edited(old, new)))
    for part in parts:
        assert part in message, message


FACT = '[[facts]]\nmember = "ARM"\nfield = "trust"\nvalue = {v}\nsource = "t"\n\n'
WORLD = '[[world]]\nfield = "integration"\nvalue = {v}\nsource = "t"\n\n'
PAIR = '[[affinity]]\na = "{a}"\nb = "{b}"\nvalue = {v}\nsource = "t"\n\n'


def before_events(block: str) -> str:
    return edited("[[events]]", block + "[[events]]")


#: Invalid input that a lax reader would accept: each is refused with its field named.
RULES = {
    "conflicting facts": (
        before_events(FACT.format(v=0.5) + FACT.format(v=0.7)),
        ["facts.2", "ARM.trust", "facts.1", "once"],
    ),
    "repeated world fact": (
        before_events(WORLD.format(v=0.5) + WORLD.format(v=0.5)),
        ["world.2", "world.integration", "world.1"],
    ),
    "self-affinity": (
        before_events(PAIR.format(a="ARM", b="ARM", v=1.0)),
        ["affinity.1", "itself"],
    ),
    "reversed pair": (
        before_events(PAIR.format(a="ARM", b="AZE", v=-1.0) + PAIR.format(a="AZE", b="ARM", v=1)),
        ["affinity.2", "ARM", "affinity.1", "symmetric"],
    ),
    "framing on an attack": (
        edited("severity = 0.6\nduration_months = 30", "severity = 0.6\nframed_foreign = true"),
        ["events.2.framed_foreign", "internal_unrest"],
    ),
    "source is target": (
        edited('target = "UKR"\nsource = "RUS"', 'target = "RUS"\nsource = "RUS"'),
        ["events.2.source", "'RUS' is also the target"],
    ),
    "status against history": (
        edited('ARM = "active"', 'ARM = "frozen"'),
        ["members.ARM", "'frozen'", "documented history", "write 'active'", "M13"],
    ),
    "start before the treaty": (
        edited('start = "2022-01"', 'start = "1993-01"').replace('"2022-', '"1993-'),
        ["scenario.start", "before the treaty", "M05"],
    ),
    "a window of more than a century": (
        edited('end = "2023-12"', 'end = "9999-12"'),
        ["scenario: the window runs 95735 months", "1200 (a century)", "bring end closer to start"],
    ),
    "repeated event id": (
        edited('id = "war"', 'id = "kaz"'),
        ["events.2.id", "'kaz'", "events.1", "its own id"],
    ),
}


@pytest.mark.parametrize("case", list(RULES))
def test_cross_field_rules(tmp_path, case):
    text, parts = RULES[case]
    message = refusal(write(tmp_path, text))
    for part in parts:
        assert part in message, message


def _continuing(tmp_path: Path, old: str, new: str) -> Path:
    text = (SCENARIOS / "whatif_russia_drained.toml").read_text(encoding="utf-8")
    return write(tmp_path, edited(old, new, text), name="whatif_russia_drained")


def test_a_continuation_must_name_a_scenario_that_exists(tmp_path):
    path = _continuing(tmp_path, 'continues = "documented_history"', 'continues = "no_such_run"')
    ((where, problem),) = check_files([path])
    assert problem is not None and "\n" not in problem
    assert problem.startswith(f"{path}: [scenario] continues no_such_run: unknown scenario")


def test_a_continuation_starts_the_month_after_the_run_it_continues(tmp_path):
    path = _continuing(tmp_path, 'start = "2026-01"', 'start = "2025-06"')
    ((where, problem),) = check_files([path])
    assert problem == (
        f"{path}: [scenario] continues documented_history, which ends 2025-12, but starts "
        "2025-06; start the month after the scenario it continues ends"
    )
    with pytest.raises(UserError, match="start the month after"):
        run_batch([path], n_worlds=2, seed=0, out=tmp_path / "out", progress=False)


@pytest.mark.parametrize(
    ("old", "new", "part"),
    [
        ('target = "TJK"\nsource = "CHN"', 'target = "RUS"\nsource = "CHN"', "events.3.target"),
        ('target = "TJK"\nsource = "CHN"', 'target = "TALIBAN"\nsource = "CHN"', "not 'TALIBAN'"),
        ('target = "TJK"\nsource = "CHN"', 'target = "TJK"\nsource = "AFG"', "events.3.source"),
    ],
)
def test_an_outside_offer_goes_from_a_patron_to_a_member(tmp_path, old, new, part):
    text = (SCENARIOS / "whatif_china_offer_tajikistan.toml").read_text(encoding="utf-8")
    path = write(tmp_path, edited(old, new, text), name="whatif_china_offer_tajikistan")
    with pytest.raises(UserError) as info:
        load_scenario(path)
    assert part in str(info.value) and "\n" not in str(info.value)


def test_a_fact_name_of_another_type_in_a_format_1_file_is_one_line(tmp_path):
    # found by the fuzz tier: the renaming of format-1 fact names looked a list up in a dict
    text = (SCENARIOS / "armenia_trajectory_2020_2025.toml").read_text(encoding="utf-8")
    text = edited("format = 2\n", "", edited('field = "threat"', "field = []", text))
    path = write(tmp_path, text, name="armenia_trajectory_2020_2025")
    with pytest.raises(UserError) as info:
        load_scenario(path)
    assert "facts.1.field" in str(info.value) and "\n" not in str(info.value)


def test_documented_outcome_given_twice_is_refused(tmp_path):
    block = TEXT[TEXT.index("[[expected.crisis]]") :].split("\n\n")[0] + "\n\n"
    text = edited("[[expected.crisis]]", block + "[[expected.crisis]]")
    message = refusal(write(tmp_path, text))
    assert "expected.crisis.2: repeats or contradicts expected.crisis.1" in message


def test_two_statuses_held_at_one_date_contradict(tmp_path):
    block = '[[expected.membership]]\nmember = "KGZ"\nstatus = "{s}"\ndate = "2023-12"\n'
    block += 'mode = "holds"\n\n'
    text = TEXT + "\n" + block.format(s="active") + block.format(s="frozen")
    message = refusal(write(tmp_path, text))
    assert "expected.membership.2: repeats or contradicts expected.membership.1" in message


def test_a_what_if_has_no_expected_block(tmp_path):
    text = edited("hypothetical = false", "hypothetical = true")
    with pytest.raises(UserError, match="a what-if .* has no documented outcome"):
        load_scenario(write(tmp_path, text))


def test_the_id_is_the_file_name(tmp_path):
    with pytest.raises(UserError) as info:
        load_scenario(write(tmp_path, TEXT, name="other"))
    assert "scenario.id: 'mini' differs from the file name" in str(info.value)
    assert "rename the file to mini.toml" in str(info.value)


def test_two_files_with_one_id_are_refused_in_a_batch_before_any_run(tmp_path):
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    first, second = write(tmp_path / "a", TEXT), write(tmp_path / "b", TEXT)
    out = tmp_path / "out"
    with pytest.raises(UserError, match=r"'mini' is also the id of .*a/mini.toml"):
        run_batch([first, second], n_worlds=2, out=out, progress=False)
    assert not out.exists()
    report = dict(check_files([first, second]))
    assert report[first] is None and "is also the id of" in str(report[second])


# --- wording --------------------------------------------------------------------------------------
def test_unknown_names_are_answered_with_the_nearest_one(tmp_path):
    message = refusal(write(tmp_path, edited("severity = 0.8", "sevrity = 0.8")))
    assert "events.1.sevrity: unknown field" in message
    assert "did you mean 'severity'?" in message
    assert "Extra inputs" not in message
    message = refusal(
        write(tmp_path, edited('kind = "internal_unrest"', 'kind = "internal_unrst"'))
    )
    assert "did you mean 'internal_unrest'?" in message
    assert did_you_mean("kaz", ["RUS", "KAZ"]) == " (did you mean 'KAZ'?)"
    assert did_you_mean("zzzzzz", ["RUS", "KAZ"]) == ""


def test_errors_count_entries_from_one(tmp_path):
    message = refusal(write(tmp_path, edited("severity = 0.8", "severity = 1.5")))
    assert "events.1.severity: must be at most 1.0 (got 1.5); lower it" in message


@pytest.mark.parametrize("bad", ["K\nAZ", "K\rAZ", "K\x1b[31mAZ", "K\u2028AZ", "K\u202eAZ"])
def test_control_characters_in_a_value_are_escaped(tmp_path, bad):
    text = edited('target = "KAZ"', "target = " + json.dumps(bad))
    message = refusal(write(tmp_path, text))
    assert bad not in message and "events.1.target" in message
    assert one_line(bad).isprintable()


@pytest.mark.parametrize(
    ("old", "new", "says"),
    [
        (
            'title = "Fixture: a year of crises and a renewal window"',
            'title = "  "',
            "scenario.title: is blank; write the text",
        ),
        (
            'title = "Fixture: a year of crises and a renewal window"',
            'title = "' + "T" * 201 + '"',
            "scenario.title: 'TTTT",
        ),
        (
            'notes = ["A small fixture for tests; not history."]',
            'notes = ["A small fixture\\u0000 for tests"]',
            "scenario.notes.1: 'A small fixture\\x00 for tests' holds the control character U+0000",
        ),
        (
            'notes = ["A small fixture for tests; not history."]',
            'notes = ["A small fixture for tests; not history.", ""]',
            "scenario.notes.2: is blank",
        ),
    ],
)
def test_text_for_people_is_neither_blank_nor_endless_nor_invisible(tmp_path, old, new, says):
    message = refusal(write(tmp_path, edited(old, new)))
    assert says in message
    if "T" * 201 in new:
        assert "longer than 200 characters; shorten it" in message and len(message) < 300


# --- limits ---------------------------------------------------------------------------------------
def test_deep_nesting_is_one_line(tmp_path):
    for depth in (MAX_DEPTH + 1, 500, 5000):
        path = write(tmp_path, "x = " + "[" * depth + "]" * depth + "\n")
        message = refusal(path)
        assert "nested more than" in message


def test_too_many_entries_is_one_line(tmp_path):
    many = "".join(f"[[facts]]\nx = {i}\n" for i in range(MAX_ITEMS + 1))
    assert "more than" in refusal(write(tmp_path, many))


def test_a_file_too_large_is_refused_before_parsing(tmp_path):
    path = write(tmp_path, "# " + "x" * (3 * 1024 * 1024) + "\n")
    assert "MiB" in refusal(path)


def test_unreadable_paths_are_one_line(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    for path, part in (
        (blocker / "mini.toml", "a part of the path is a file"),
        (tmp_path / ("n" * 300 + ".toml"), "too long"),
        (tmp_path, "is a folder"),
        (Path("/dev/null"), "not a regular file"),
    ):
        with pytest.raises(UserError) as info:
            load_scenario(path)
        assert part in str(info.value) and "\n" not in str(info.value)
    ((_, problem),) = check_files([tmp_path])
    assert problem == f"{tmp_path}: is a folder, not an input file; name the file"
    if os.geteuid() != 0:  # root reads anything
        locked = write(tmp_path, TEXT)
        locked.chmod(0)
        with pytest.raises(UserError, match="Permission denied"):
            load_scenario(locked)


def test_duplicate_checks_compare_each_key_once():
    """first_repeat hashes: 2,000 distinct keys need no pairwise comparison (a quadratic check
    made about two million)."""
    compared = []

    class Key:
        def __init__(self, i: int) -> None:
            self.i = i

        def __hash__(self) -> int:
            return self.i

        def __eq__(self, other: object) -> bool:
            compared.append(1)
            return isinstance(other, Key) and other.i == self.i

    assert first_repeat(Key(i) for i in range(2000)) is None
    assert len(compared) == 0
    assert first_repeat([Key(1), Key(2), Key(1)]) == (3, 1)


def test_many_events_load(tmp_path):
    event = '[[events]]\nid = "e{i}"\ndate = "2022-03"\nkind = "internal_unrest"\n'
    event += 'target = "KGZ"\nseverity = 0.2\nnote = "x"\n\n'
    text = edited("[[events]]", "".join(event.format(i=i) for i in range(5000)) + "[[events]]")
    assert len(load_scenario(write(tmp_path, text)).events) == 5000 + TEXT.count("[[events]]")


# --- the documented history -----------------------------------------------------------------------
def test_every_shipped_scenario_starts_from_the_documented_history():
    for path in sorted(SCENARIOS.glob("*.toml")):
        sc = load_scenario(path)
        assert history.history_problem(sc.scenario.start, sc.members) is None, path


def test_a_change_month_takes_either_side():
    members = dict.fromkeys(("RUS", "BLR", "KAZ", "KGZ", "TJK", "ARM"), "active")
    before = dict(members, UZB="withdrawn", AZE="withdrawn", GEO="withdrawn")
    after = dict(before, ARM="frozen")
    assert history.history_problem("2024-02", before) is None
    assert history.history_problem("2024-02", after) is None
    assert history.history_problem("2024-03", before) is not None
    assert history.history_problem("2030-01", after) is None  # what-ifs meet the last period


def test_the_history_table_in_the_docs_is_generated():
    doc = (ROOT / "docs" / "scenarios.md").read_text(encoding="utf-8")
    inside = doc.split("<!-- history:start -->\n", 1)[1].split("\n<!-- history:end -->", 1)[0]
    assert inside == history.history_table()


# --- JSON Schema for editors ----------------------------------------------------------------------
@pytest.mark.parametrize("kind", ["scenario", "sweep"])
def test_the_committed_json_schema_is_current(kind):
    """docs/schema/ holds what 'cstosim schema KIND' prints; regenerate it with
    .venv/bin/cstosim schema KIND > docs/schema/KIND.schema.json"""
    committed = ROOT / "docs" / "schema" / f"{kind}.schema.json"
    assert json.loads(committed.read_text(encoding="utf-8")) == json_schema(kind)


def test_the_scenario_schema_names_the_allowed_values():
    schema = json_schema("scenario")
    event = schema["$defs"]["Event"]["properties"]
    assert "internal_unrest" in event["kind"]["enum"]
    assert "expected" in schema["properties"]
    assert event["severity"]["maximum"] == 1.0
