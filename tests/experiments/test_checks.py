"""Checks of an [expected] block: fact identity, the one-record-per-fact rule, refused windows and
merged rung sets, and the per-world outcome codes read from hand-made tables."""

from types import SimpleNamespace

import pytest
from numpy.testing import assert_array_equal

from cstosim.experiments import checks
from cstosim.experiments.checks import (
    checks_of,
    deduplicate,
    entered_within,
    outcome_codes,
)
from cstosim.experiments.outcomes import WorldOutcomes
from cstosim.inputs.errors import UserError
from cstosim.inputs.expected import load_documented
from tests.experiments.handmade import (
    ARM_FREEZES,
    BLR_BACKS,
    check,
    documented,
    outcomes,
    tables,
    write_file,
)

KAZ = """[[expected.crisis]]
event = "kaz"
request = "assistance"
response = ["deployment"]
note = "E17: troops asked and sent."
"""


# --- fact identity and the dedup rule -------------------------------------------------------


@pytest.mark.unit
def test_a_fact_is_its_row_else_the_first_row_in_its_note_else_its_file(tmp_path):
    doc = documented(
        tmp_path,
        "a",
        """[[expected.crisis]]
event = "kaz"
row = "E99"
request = "assistance"
response = ["deployment"]
note = "E17 is not read when row is given."

[[expected.crisis]]
event = "arm"
request = "assistance"
response = ["mission"]
note = "Art. 4 (E19); a later mention of E12 does not count."

[[expected.crisis]]
event = "osh"
request = "none"
response = ["none"]
note = "no row cited; E1 and XE19 are not row ids."
""",
    )
    facts = {c.label: c.fact for c in checks_of(doc)}
    assert facts["kaz: request"] == "E99" == facts["kaz: response"]
    assert facts["arm: request"] == "E19"
    assert facts["osh: request"] == "a/osh"


@pytest.mark.unit
def test_membership_and_support_facts_name_their_subject(tmp_path):
    doc = documented(
        tmp_path,
        "a",
        """[[expected.membership]]
member = "ARM"
status = "frozen"
date = "2023-02"
tolerance_months = 3
note = "M21"

[[expected.membership]]
member = "ARM"
status = "active"
date = "2022-12"
mode = "holds"
note = "M21 again, but another subject"

[[expected.membership]]
member = "KGZ"
status = "active"
date = "2022-12"
mode = "holds"

[[expected.support]]
event = "support"
member = "BLR"
backs = true
note = "E18"
""",
    )
    assert [c.fact for c in checks_of(doc)] == [
        "M21 ARM enters frozen",
        "M21 ARM holds active",
        "a/KGZ holds active 2022-12",
        "E18 BLR backs",
    ]


@pytest.mark.unit
def test_a_fact_in_several_files_is_scored_from_the_longest_history_up_to_it(tmp_path):
    late = documented(tmp_path, "late", KAZ, start="2022-01", end="2023-12")
    early = documented(tmp_path, "early", KAZ, start="2021-06", end="2022-03")
    kept, others = deduplicate([*checks_of(late), *checks_of(early)])
    assert [(c.scenario, c.kind) for c in kept] == [("early", "request"), ("early", "response")]
    assert others[("E17", "request")] == ["late"]


@pytest.mark.unit
def test_dedup_ties_go_to_the_longer_file_then_the_first_id(tmp_path):
    short = documented(tmp_path, "a_short", KAZ, start="2022-01", end="2022-06")
    long = documented(tmp_path, "z_long", KAZ, start="2022-01", end="2023-12")
    twin = documented(tmp_path, "b_twin", KAZ, start="2022-01", end="2023-12")
    kept, _ = deduplicate([*checks_of(short), *checks_of(twin), *checks_of(long)])
    assert {c.scenario for c in kept} == {"b_twin"}  # as long as z_long, first by id
    kept, _ = deduplicate([*checks_of(short), *checks_of(long)])
    assert {c.scenario for c in kept} == {"z_long"}


@pytest.mark.unit
def test_facts_without_a_row_are_not_merged_across_files(tmp_path):
    text = KAZ.replace('note = "E17: troops asked and sent."', 'note = "no id"')
    a, b = documented(tmp_path, "a", text), documented(tmp_path, "b", text)
    kept, _ = deduplicate([*checks_of(a), *checks_of(b)])
    assert len(kept) == 4


@pytest.mark.unit
def test_a_status_held_at_two_dates_under_one_row_is_one_fact(tmp_path):
    def holds(date: str) -> str:
        return f"""[[expected.membership]]
member = "ARM"
status = "active"
date = "{date}"
mode = "holds"
note = "M16"
"""

    a = documented(tmp_path, "a", holds("2022-08"), start="2022-01", end="2022-08")
    b = documented(tmp_path, "b", holds("2022-12"), start="2022-01", end="2022-12")
    kept, others = deduplicate([*checks_of(a), *checks_of(b)])
    assert [(c.scenario, c.label) for c in kept] == [("b", "ARM holds active at 2022-12")]
    assert others[kept[0].key] == ["a"]


# --- what a file may say ----------------------------------------------------------------------


@pytest.mark.unit
def test_documented_rungs_are_merged_into_one_category(tmp_path):
    doc = documented(
        tmp_path,
        "a",
        """[[expected.crisis]]
event = "clash"
request = "none"
response = ["statement", "none"]
russia = ["arms", "troops"]
appeal = true
""",
    )
    response = check(doc, "clash: response")
    assert response.categories == (
        "none or statement",
        "consultations",
        "material_aid",
        "mission",
        "deployment",
    )
    assert response.observed == 0 and response.merge == (0, 0, 1, 2, 3, 4)
    russia = check(doc, "clash: Russia's own answer")
    assert russia.categories == ("none", "words", "arms or troops")
    assert russia.observed == 2 and russia.ordinal
    appeal = check(doc, "clash: bilateral appeal to Russia")
    assert appeal.categories == ("no", "yes") and appeal.observed == 1


@pytest.mark.unit
@pytest.mark.parametrize(
    "field, fix",
    [
        ('response = ["none", "consultations"]', "list adjacent rungs only"),
        ('response = ["none", "none"]', "list each once"),
        ('russia = ["words", "troops"]', "list adjacent rungs only"),
        ('row = "X17"', "expected.crisis.1.row"),
    ],
)
def test_rung_sets_must_be_adjacent_and_rows_well_formed(tmp_path, field, fix):
    text = """[[expected.crisis]]
event = "clash"
request = "none"
response = ["none"]
"""
    key = field.split(" =")[0]
    lines = [ln for ln in text.splitlines() if not ln.startswith(f"{key} =")]
    path = write_file(tmp_path, "bad", "\n".join([*lines, field]) + "\n")
    with pytest.raises(UserError, match=fix) as err:
        load_documented(path)
    assert str(path) in str(err.value) and "\n" not in str(err.value)


@pytest.mark.unit
@pytest.mark.parametrize(
    "entry, field, shown",
    [
        ('date = "2024-03"\nmode = "holds"', "date", "'2024-03' lies outside the run"),
        ('date = "2021-12"\nmode = "holds"', "date", "lies outside the run 2022-01..2023-12"),
        ('date = "2022-02"\ntolerance_months = 2', "tolerance_months", "2021-12..2022-04 leaves"),
        ('date = "2023-11"\ntolerance_months = 2', "tolerance_months", "2023-09..2024-01 leaves"),
    ],
)
def test_membership_checks_outside_the_run_are_refused(tmp_path, entry, field, shown):
    text = f'[[expected.membership]]\nmember = "ARM"\nstatus = "frozen"\n{entry}\n'
    with pytest.raises(UserError, match=f"expected.membership.1.{field}: .*{shown}"):
        load_documented(write_file(tmp_path, "bad", text))


@pytest.mark.unit
def test_windows_that_end_on_the_run_edges_are_inside(tmp_path):
    text = """[[expected.membership]]
member = "ARM"
status = "frozen"
date = "2023-11"
tolerance_months = 1

[[expected.membership]]
member = "ARM"
status = "active"
date = "2022-03"
tolerance_months = 2
"""
    doc = load_documented(write_file(tmp_path, "ok", text))
    assert [m.date for m in doc.expected.membership] == ["2023-11", "2022-03"]


# --- per-world outcome codes --------------------------------------------------------------------


@pytest.mark.unit
def test_status_at_follows_transitions():
    w = outcomes(
        3,
        moves=[
            (0, "ARM", 3, "active", "frozen"),
            (0, "ARM", 7, "frozen", "active"),
            (2, "ARM", 5, "active", "frozen"),
            (1, "KGZ", 4, "active", "frozen"),
        ],
    )
    assert_array_equal(w.status_at("ARM", "active", 2), ["active", "active", "active"])
    assert_array_equal(w.status_at("ARM", "active", 5), ["frozen", "active", "frozen"])
    assert_array_equal(w.status_at("ARM", "active", 9), ["active", "active", "frozen"])
    assert_array_equal(w.status_at("KGZ", "active", 9), ["active", "frozen", "active"])


@pytest.mark.unit
def test_entered_within_date_tolerance():
    w = outcomes(
        4,
        moves=[
            (0, "ARM", 10, "active", "frozen"),
            (1, "ARM", 14, "active", "frozen"),
            (2, "ARM", 12, "frozen", "withdrawn"),
        ],
    )
    entered = w.entries("ARM", "frozen", None, 20)
    # window [8, 12]: world 0 entered frozen at 10; world 1 too late; world 2 withdrew instead
    assert_array_equal(entered_within(entered, 8, 12), [True, False, False, False])
    assert_array_equal(entered_within(entered, 8, 14), [True, True, False, False])
    from_frozen = w.entries("ARM", "withdrawn", "frozen", 20)
    assert_array_equal(entered_within(from_frozen, 0, 19), [False, False, True, False])


@pytest.mark.unit
def test_outcome_codes_from_hand_made_tables(tmp_path):
    doc = documented(
        tmp_path,
        "a",
        f"""[[expected.crisis]]
event = "kaz"
request = "assistance"
response = ["mission", "deployment"]
russia = ["troops"]
appeal = false

{ARM_FREEZES}
{BLR_BACKS}""",
    )
    t = tables(
        4,
        crises={
            "crisis": "kaz",
            "request": ["assistance", "none", "consultations", "assistance"],
            "response": ["deployment", "statement", "mission", "material_aid"],
            "russia": ["troops", "none", "words", "arms"],
            "appeal": [True, False, False, True],
        },
        support={"world": [0, 2], "event": "support", "member": "BLR", "backs": [True, True]},
        moves=[(0, "ARM", 9, "active", "frozen"), (3, "ARM", 13, "active", "frozen")],
    )
    w = WorldOutcomes.from_tables(t)
    codes = {c.label: outcome_codes(c, w) for c in checks_of(doc)}
    assert_array_equal(codes["kaz: request"], [2, 0, 1, 2])
    # rungs none, statement, consultations, material_aid, "mission or deployment"
    assert_array_equal(codes["kaz: response"], [4, 1, 4, 3])
    assert_array_equal(codes["kaz: Russia's own answer"], [3, 0, 1, 2])
    assert_array_equal(codes["kaz: bilateral appeal to Russia"], [1, 0, 0, 1])
    assert_array_equal(codes["ARM enters frozen 2022-11±2"], [1, 0, 0, 0])  # window 8..12
    # world 1 and 3 were not asked (no row): they did not back
    assert_array_equal(codes["support: BLR backs"], [1, 0, 1, 0])


@pytest.mark.unit
def test_no_codes_where_the_model_has_no_such_output(tmp_path):
    doc = documented(
        tmp_path,
        "a",
        KAZ + 'russia = ["troops"]\nappeal = false\n',
    )
    t = tables(2, crises={"crisis": "kaz", "request": "none", "response": "none"})
    codes = {c.kind: outcome_codes(c, WorldOutcomes.from_tables(t)) for c in checks_of(doc)}
    assert codes["bilateral"] is None and codes["appeal"] is None
    assert_array_equal(codes["request"], [0, 0])


@pytest.mark.unit
def test_a_world_without_a_crisis_row_is_an_error(tmp_path):
    doc = documented(tmp_path, "a", KAZ)
    t = tables(3, crises={"crisis": "kaz", "request": "none", "response": "none"})
    w = WorldOutcomes.from_tables(t)
    assert_array_equal(outcome_codes(check(doc, "kaz: request"), w), [0, 0, 0])
    t["crises"] = t["crises"].iloc[:2]
    with pytest.raises(ValueError, match="no outcome recorded for 1 worlds"):
        WorldOutcomes.from_tables(t)


@pytest.mark.unit
def test_a_continuing_run_has_the_history_of_its_chain(monkeypatch):
    """Model 2's ``[scenario] continues``: a file that starts from another run's end state runs
    the history of the chain (a stand-in for the scenario, as the schema has no field yet)."""

    def scenario(sid, start, continues=None):
        return SimpleNamespace(id=sid, scenario=SimpleNamespace(start=start, continues=continues))

    files = {
        "first": scenario("first", "1994-01"),
        "second": scenario("second", "2010-01", continues="first"),
        "loop": scenario("loop", "2020-01", continues="loop"),
    }
    monkeypatch.setattr(checks, "find_scenario", lambda name: name)
    monkeypatch.setattr(checks, "load_scenario", lambda name: files[name])
    third = scenario("third", "2020-01", continues="second")
    assert checks.history_start(third) == "1994-01"
    assert checks.history_start(files["loop"]) == "2020-01"  # a loop ends where it started
