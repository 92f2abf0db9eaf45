"""The shipped scenario files as data: one documented fact, one reading, wherever it appears.

The single-crisis files, the two trajectories and ``documented_history`` share crises. These tests
keep every copy of a documented crisis identical (the event and its documented outcome, keyed by
the source row), check the conventions of the format-2 ``[expected]`` fields and the summits the
source rows date, and check that the what-ifs continue from the end of the documented history.
"""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from cstosim.experiments.runs import simulate
from cstosim.inputs.expected import Documented, load_documented
from cstosim.inputs.facts import baseline_member_facts
from cstosim.inputs.scenario import Scenario, load_scenario, months_between
from cstosim.inputs.vocabulary import (
    BILATERAL_NAMES,
    CRISIS_KINDS,
    MEMBER_FACTS,
    MEMBERS,
    RUNG_NAMES,
)
from tests.support import ROOT, SCENARIOS

HISTORY = "documented_history"
PATHS = sorted(SCENARIOS.glob("*.toml"))
DOCUMENTED = [p for p in PATHS if not load_scenario(p).scenario.hypothetical]
WHATIFS = [p for p in PATHS if load_scenario(p).scenario.hypothetical]
#: What a copy of a documented crisis must repeat exactly (the duration is cut by each window).
EVENT_FIELDS = ("id", "date", "kind", "target", "source", "severity", "framed_foreign", "note")
OUTCOME_FIELDS = ("event", "request", "response", "appeal", "russia", "note")
#: The documented statuses of January 2026 (M21-M29, E23; M13-M14; M07; M08).
STATUSES_END_2025 = dict.fromkeys(MEMBERS, "active") | {
    "ARM": "frozen",
    "UZB": "withdrawn",
    "AZE": "withdrawn",
    "GEO": "withdrawn",
}
#: Collective Security Council sessions dated by the source rows: month -> the row that dates it.
COUNCIL_SESSIONS = {
    "2002-05": "M10",
    "2002-10": "M10",
    "2006-06": "M11",
    "2012-12": "M14",
    "2022-10": "E19",
    "2022-11": "M16",
    "2023-11": "M20",
    "2024-11": "M24",
    "2025-11": "M29",
}


def documented() -> list[Documented]:
    return [load_documented(p) for p in DOCUMENTED]


def crisis_copies() -> dict[str, list[tuple[str, dict, dict]]]:
    """Every copy of each documented crisis: row -> [(scenario, event fields, outcome fields)]."""
    copies: dict[str, list[tuple[str, dict, dict]]] = {}
    for doc in documented():
        events = {e.id: e for e in doc.scenario.events}
        for c in doc.expected.crisis:
            assert c.row is not None, (doc.id, c.event)
            event = events[c.event].model_dump(include=set(EVENT_FIELDS))
            outcome = c.model_dump(include=set(OUTCOME_FIELDS))
            copies.setdefault(c.row, []).append((doc.id, event, outcome))
    return copies


def source_rows(name: str) -> set[str]:
    with (ROOT / "data" / "sources" / name).open(newline="", encoding="utf-8") as f:
        return {r["id"] for r in csv.DictReader(f)}


@pytest.mark.unit
def test_the_documented_set_includes_the_history_and_every_single_file():
    ids = {p.stem for p in DOCUMENTED}
    assert HISTORY in ids
    assert len(ids) == 11


@pytest.mark.unit
def test_each_documented_crisis_is_one_fact_wherever_it_appears():
    copies = crisis_copies()
    assert set(copies) == {"E05", "E08", "E12", "E14", "E15", "E17", "E18", "E19", "E20"}
    for row, found in copies.items():
        (_, event, outcome), *others = found
        for scenario, other_event, other_outcome in others:
            assert other_event == event, (row, scenario)
            assert other_outcome == outcome, (row, scenario)


@pytest.mark.unit
def test_the_history_holds_every_documented_crisis_once():
    history = load_documented(HISTORY)
    rows = [c.row for c in history.expected.crisis]
    assert len(rows) == len(set(rows))
    assert set(rows) == set(crisis_copies())


@pytest.mark.unit
def test_the_history_repeats_every_membership_check_of_the_single_files():
    """Same member, status, date, mode and row: the history checks what each single file checks,
    except Uzbekistan's status after 2012, which the record leaves open (docs/scenarios.md)."""
    history = load_documented(HISTORY)

    def key(m) -> tuple:
        return (m.member, m.status, m.date, m.mode, m.tolerance_months, m.from_status, m.row)

    held = {key(m) for m in history.expected.membership}
    for doc in documented():
        if doc.id == HISTORY:
            continue
        for m in doc.expected.membership:
            if m.member == "UZB" and m.date > "2013-06":
                continue
            assert key(m) in held, (doc.id, key(m))
    support = {(s.member, s.backs, s.row) for s in history.expected.support}
    assert support == {
        (s.member, s.backs, s.row) for s in load_documented("ukraine_war_2022").expected.support
    }


#: Facts in which a file opening later legitimately differs from the history at that month: what
#: the run learns (trust), what exits set and a run must produce (sovereignty sensitivity), and ties
#: that the history receives through an offer event but a later file states as a fact.
MOVED_IN_THE_RUN = {"trust", "sovereignty_sensitivity"}
EVENT_TIES = {("AZE", "ties_west"), ("KGZ", "ties_us")}


def facts_at(scenario: Scenario, month: str) -> dict[tuple[str, str], float]:
    """Each member fact as the file states it for ``month``: baseline, then undated and dated
    overrides in date order (``docs/scenarios.md``: a dated value holds until the next)."""
    base = baseline_member_facts()
    out = {(m, k): float(base[k][i]) for k in MEMBER_FACTS for i, m in enumerate(MEMBERS)}
    for f in sorted(scenario.facts, key=lambda f: f.date or scenario.scenario.start):
        if (f.date or scenario.scenario.start) <= month:
            out[(f.member, f.field)] = f.value
    return out


@pytest.mark.unit
@pytest.mark.parametrize("path", [p for p in DOCUMENTED if p.stem != HISTORY], ids=lambda p: p.stem)
def test_the_history_has_the_facts_of_each_file_at_its_opening_month(path: Path):
    scenario = load_scenario(path)
    month = scenario.scenario.start
    history = facts_at(load_scenario(SCENARIOS / f"{HISTORY}.toml"), month)
    own = facts_at(scenario, month)
    differ = {
        key: (history[key], own[key])
        for key in own
        if abs(history[key] - own[key]) > 1e-3
        and key[1] not in MOVED_IN_THE_RUN
        and key not in EVENT_TIES
    }
    assert not differ


@pytest.mark.unit
def test_the_history_runs_from_the_entry_into_force_to_december_2025_with_all_nine_parties():
    meta = load_scenario(SCENARIOS / f"{HISTORY}.toml").scenario
    assert (meta.start, meta.end, meta.format) == ("1994-04", "2025-12", 2)
    assert set(load_scenario(SCENARIOS / f"{HISTORY}.toml").members.values()) == {"active"}


@pytest.mark.unit
@pytest.mark.parametrize("path", DOCUMENTED, ids=lambda p: p.stem)
def test_every_expected_entry_cites_a_source_row_that_exists(path: Path):
    doc = load_documented(path)
    known = source_rows("episodes.csv") | source_rows("membership_events.csv")
    entries = [*doc.expected.crisis, *doc.expected.membership, *doc.expected.support]
    assert entries
    for entry in entries:
        assert entry.row in known, (doc.id, entry)
        assert entry.row in entry.note, (doc.id, entry)
    for c in doc.expected.crisis:
        assert c.row is not None and c.row.startswith("E"), (doc.id, c.event)


def _adjacent(names: list[str], ladder: tuple[str, ...]) -> bool:
    ranks = sorted(ladder.index(n) for n in names)
    return ranks == list(range(ranks[0], ranks[0] + len(ranks)))


@pytest.mark.unit
def test_sets_of_acceptable_answers_are_adjacent_on_their_ladders():
    assert _adjacent(["none", "statement"], RUNG_NAMES)
    assert not _adjacent(["words", "troops"], BILATERAL_NAMES)
    for doc in documented():
        for c in doc.expected.crisis:
            assert _adjacent(c.response, RUNG_NAMES), (doc.id, c.event)
            if c.russia is not None:
                assert _adjacent(c.russia, BILATERAL_NAMES), (doc.id, c.event)


@pytest.mark.unit
def test_appeal_and_russia_are_coded_wherever_a_member_was_affected():
    """Only Russia's war on an outsider leaves both out (the affected state is not a member)."""
    for doc in documented():
        events = {e.id: e for e in doc.scenario.events}
        for c in doc.expected.crisis:
            member_affected = events[c.event].target in MEMBERS
            assert (c.appeal is not None) == member_affected, (doc.id, c.event)
            assert (c.russia is not None) == member_affected, (doc.id, c.event)


def _summits(scenario: Scenario) -> dict[str, str]:
    return {e.date: e.id for e in scenario.events if e.shock == "summit"}


@pytest.mark.unit
@pytest.mark.parametrize("path", DOCUMENTED, ids=lambda p: p.stem)
def test_a_documented_file_has_every_council_session_the_rows_date_in_its_window(path: Path):
    scenario = load_scenario(path)
    start, end = scenario.scenario.start, scenario.scenario.end
    inside = {d for d in COUNCIL_SESSIONS if start <= d <= end}
    assert set(_summits(scenario)) == inside
    for date, event_id in _summits(scenario).items():
        (event,) = [e for e in scenario.events if e.id == event_id]
        assert COUNCIL_SESSIONS[date] in event.note, event_id


@pytest.mark.unit
def test_only_internal_unrest_is_ever_framed_as_foreign_backed():
    """Honesty rule 3 of docs/scenarios.md: framing is the requester's, for unrest alone."""
    for path in PATHS:
        for e in load_scenario(path).events:
            if e.kind in CRISIS_KINDS:
                assert e.framed_foreign is False or e.kind == "internal_unrest", (path.stem, e.id)


@pytest.mark.unit
@pytest.mark.parametrize("path", WHATIFS, ids=lambda p: p.stem)
def test_a_what_if_continues_from_the_end_of_the_history(path: Path):
    scenario = load_scenario(path)
    history = load_scenario(SCENARIOS / f"{HISTORY}.toml")
    assert scenario.scenario.continues == HISTORY
    assert months_between(history.scenario.end, scenario.scenario.start) == 1
    # what the history's end state carries is not restated as an override
    assert not scenario.facts
    assert scenario.members == STATUSES_END_2025


def _start_status(run, member: str) -> list[str]:
    """Each world's status when the run opened: the first move's origin, else the final status."""
    members = run.tables["members"]
    moves = run.tables["transitions"]
    final = members[members["member"] == member].set_index("world")["final_status"]
    first = moves[moves["member"] == member].sort_values("step").groupby("world").first()
    start = final.copy()
    start.loc[first.index] = first["from_status"]
    return list(start.sort_index())


@pytest.mark.regression
def test_each_world_of_a_what_if_opens_where_the_same_world_of_the_history_ended():
    worlds, seed = 40, 11
    history = simulate(load_scenario(SCENARIOS / f"{HISTORY}.toml"), n_worlds=worlds, seed=seed)
    whatif = simulate(
        load_scenario(SCENARIOS / "whatif_baseline_2026_2030.toml"), n_worlds=worlds, seed=seed
    )
    for member in MEMBERS:
        ended = history.tables["members"]
        ended = list(ended[ended["member"] == member].sort_values("world")["final_status"])
        assert _start_status(whatif, member) == ended, member


@pytest.mark.unit
def test_the_scenario_table_of_the_docs_lists_every_shipped_file():
    doc = (ROOT / "docs" / "scenarios.md").read_text(encoding="utf-8")
    table = doc.split("## 5. The scenarios")[1].split("\n\n")[1]
    listed = [line.split("|")[1].strip() for line in table.splitlines()[2:]]
    assert sorted(listed) == sorted(p.stem for p in PATHS)
