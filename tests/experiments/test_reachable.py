"""Every kind of decision the record shows is reachable under the shipped parameters.

No rung may be fixed by the crisis kind alone: for each crisis kind, each answer the documented
record gives for that kind must have positive probability when a crisis of that kind hits an
active member; and where the treaty applies, a member must sometimes ask for Art. 2 consultations.
"""

from __future__ import annotations

import tomllib
from collections import defaultdict

import pytest

from cstosim.experiments.runs import simulate
from cstosim.inputs.expected import load_documented
from cstosim.inputs.scenario import Scenario, load_scenario
from cstosim.inputs.vocabulary import CRISIS_KINDS
from tests.support import SCENARIOS

pytestmark = [pytest.mark.regression]
WORLDS = 20_000
#: Who is hit, and by whom, for a crisis of each kind on an active member.
CASES = {
    "external_aggression": ("ARM", "AZE"),
    "insurgent_spillover": ("TJK", "TALIBAN"),
    "internal_unrest": ("KGZ", None),
    "disputed_territory_conflict": ("ARM", "AZE"),
    "intra_member_clash": ("KGZ", "TJK"),
    "nonmember_war_by_member": ("UKR", "RUS"),
}


def documented_answers() -> dict[str, dict[str, set[str]]]:
    """For each crisis kind, the Council's and Russia's answers the documented record gives."""
    answers: dict[str, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
    for path in sorted(SCENARIOS.glob("*.toml")):
        if load_scenario(path).scenario.hypothetical:
            continue
        doc = load_documented(path)
        kinds = {e.id: e.kind for e in doc.scenario.events}
        for c in doc.expected.crisis:
            answers[kinds[c.event]]["response"].update(c.response)
            answers[kinds[c.event]]["russia"].update(c.russia or ())
    return answers


def one_crisis(kind: str, severity: float, framed: bool = False) -> Scenario:
    target, source = CASES[kind]
    source_line = f'source = "{source}"\n' if source else ""
    if framed:  # unrest the government frames as foreign-backed, its survival at stake (E17)
        source_line += "framed_foreign = true\nregime_at_risk = true\n"
    text = f"""
[scenario]
id = "reach"
title = "Test: one {kind}"
hypothetical = true
start = "2021-09"
end = "2021-10"
notes = ["test"]
sources = ["tests"]
[members]
RUS = "active"
BLR = "active"
KAZ = "active"
KGZ = "active"
TJK = "active"
ARM = "active"
UZB = "withdrawn"
AZE = "withdrawn"
GEO = "withdrawn"
[[events]]
id = "crisis"
date = "2021-09"
kind = "{kind}"
target = "{target}"
{source_line}severity = {severity}
note = "test"
"""
    return Scenario.model_validate(tomllib.loads(text))


@pytest.fixture(scope="module")
def runs() -> dict[str, dict[str, object]]:
    out = {}
    for kind in CRISIS_KINDS:
        variants = [(0.4, False), (0.8, False)]
        if kind == "internal_unrest":
            variants.append((0.8, True))
        tables = [
            simulate(one_crisis(kind, s, framed), WORLDS, 11, log_worlds=0).tables["crises"]
            for s, framed in variants
        ]
        out[kind] = tables
    return out


@pytest.mark.parametrize("kind", CRISIS_KINDS)
def test_every_documented_answer_of_a_kind_is_reachable(kind, runs) -> None:
    answers = documented_answers()
    assert answers, "no documented crisis found"
    for column in ("response", "russia"):
        seen = set().union(*(set(t[column][t[column].notna()].astype(str)) for t in runs[kind]))
        missing = answers[kind][column] - seen
        assert not missing, f"{kind}: documented {column} {sorted(missing)} never happens"


@pytest.mark.parametrize("kind", ["external_aggression", "insurgent_spillover", "internal_unrest"])
def test_consultations_are_asked_where_the_treaty_applies(kind, runs) -> None:
    asked = sum(int((t["request"] == "consultations").sum()) for t in runs[kind])
    assert asked > 0, f"{kind}: no world asks for Art. 2 consultations"
