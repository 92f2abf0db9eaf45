"""Baseline facts: the derivation from the packaged tables, provenance, and the affinity matrix."""

from __future__ import annotations

import csv
import io
import re
import statistics
from importlib import resources
from pathlib import Path

import numpy as np
import pytest
from numpy.testing import assert_allclose

from cstosim.inputs import facts
from cstosim.inputs.facts import (
    MEMBER_FACTS,
    WORLD_FACTS,
    baseline_affinity,
    baseline_member_facts,
    baseline_world_facts,
)
from cstosim.inputs.vocabulary import ACTOR_INDEX, ACTORS, MEMBER_INDEX, MEMBERS
from tests.support import ROOT

pytestmark = [pytest.mark.unit]

REPO = ROOT
SOURCE_INDICATORS = REPO / "data" / "sources" / "indicators.csv"
ORIGINAL_COLUMNS = ("member", "indicator", "value", "unit", "year", "source", "confidence", "notes")


def rows(name: str) -> list[dict[str, str]]:
    text = resources.files("cstosim.inputs.data").joinpath(name).read_text(encoding="utf-8")
    return list(csv.DictReader(io.StringIO(text)))


def used(member: str, indicator: str) -> float:
    """``value_used`` of one packaged indicator row."""
    (row,) = [
        r for r in rows("indicators.csv") if (r["member"], r["indicator"]) == (member, indicator)
    ]
    return float(row["value_used"])


def coded(member: str, coding: str) -> float:
    (row,) = [r for r in rows("codings.csv") if (r["member"], r["coding"]) == (member, coding)]
    return float(row["value"])


def fact(name: str, member: str) -> float:
    return float(baseline_member_facts()[name][MEMBER_INDEX[member]])


# --- shapes and ranges ---------------------------------------------------------------------------


def test_member_facts_cover_every_fact_with_one_value_per_member_in_unit_range():
    got = baseline_member_facts()
    assert tuple(got) == MEMBER_FACTS
    for name, values in got.items():
        assert values.shape == (len(MEMBERS),), name
        assert values.dtype == np.float64
        assert np.all(np.isfinite(values)), name
        assert values.min() >= 0.0 and values.max() <= 1.0, name


def test_world_facts_are_the_declared_ones_in_unit_range():
    got = baseline_world_facts()
    assert tuple(got) == WORLD_FACTS
    assert all(0.0 <= v <= 1.0 for v in got.values())
    assert got["russia_bandwidth"] == 1.0


def test_results_are_fresh_copies():
    first = baseline_member_facts()
    first["trust"][:] = -5.0
    assert baseline_member_facts()["trust"].min() >= 0.0
    aff = baseline_affinity()
    aff[:] = 9.0
    assert baseline_affinity().max() <= 1.0
    world = baseline_world_facts()
    world["integration"] = 7.0
    assert baseline_world_facts()["integration"] <= 1.0


# --- the weighting, by hand ----------------------------------------------------------------------


def test_tajikistan_dependency_by_hand_from_the_csv_values():
    remit = used("TJK", "remittances_pct_gdp")
    from_russia = used("TJK", "migration_flows_to_russia_share")
    trade = used("TJK", "trade_with_russia_share")
    arms = used("TJK", "arms_imports_from_russia_share")
    assert (remit, from_russia, trade, arms) == (48.2, 80.0, 20.6, 94.0)
    base, eaeu = coded("TJK", "russian_base"), coded("TJK", "eaeu")
    assert (base, eaeu) == (1.0, 0.0)
    expected = (
        min(1.0, remit / 50) + from_russia / 100 + trade / 100 + arms / 100 + base + eaeu
    ) / 6
    assert_allclose(fact("dependency", "TJK"), expected)
    assert_allclose(expected, (0.964 + 0.80 + 0.206 + 0.94 + 1.0 + 0.0) / 6)


def test_kazakhstan_dependency_by_hand_from_the_csv_values():
    trade = used("KAZ", "trade_with_russia_share")
    arms = used("KAZ", "arms_imports_from_russia_share")
    assert (trade, arms) == (18.6, 88.0)
    base, eaeu = coded("KAZ", "russian_base"), coded("KAZ", "eaeu")
    assert (base, eaeu) == (0.5, 1.0)
    # no remittance rows for Kazakhstan: those components are left out of the mean
    expected = (trade / 100 + arms / 100 + base + eaeu) / 4
    assert_allclose(fact("dependency", "KAZ"), expected)
    assert_allclose(expected, 0.6415)


def test_capacity_from_personnel_and_russian_conventions():
    assert_allclose(fact("capacity", "TJK"), 8800 / (8800 + 50_000))
    assert_allclose(fact("capacity", "BLR"), 48600 / (48600 + 50_000))
    assert_allclose(facts.capacity(50_000), 0.5)
    for name, value in {"dependency": 1.0, "alignment": 1.0, "capacity": 1.0}.items():
        assert fact(name, "RUS") == value
    assert fact("ties_west", "RUS") == 0.0 and fact("bilateral_patron", "RUS") == 1.0


def test_alignment_from_structural_ties_only():
    # Belarus: EAEU, union state, bases, SCO and no usable Western tie (sanctions)
    assert fact("alignment", "BLR") == 1.0
    # Armenia: EAEU and a base, no SCO membership, a working Western partnership
    assert_allclose(fact("alignment", "ARM"), (1 + 0 + 1 + 0 + (1 - 0.5)) / 5)
    assert fact("alignment", "GEO") == 0.0


def test_sanctions_close_western_ties():
    assert facts.open_western_ties(0.5, 1.0) == 0.0
    assert facts.open_western_ties(0.5, 0.0) == 0.5
    assert fact("ties_west", "BLR") == 0.0 and fact("ties_us", "BLR") == 0.0


def test_regime_history_makes_uzbekistan_the_most_sovereignty_sensitive():
    sov = baseline_member_facts()["sovereignty_sensitivity"]
    assert sov[MEMBER_INDEX["UZB"]] == 1.0
    assert sov.argmax() == MEMBER_INDEX["UZB"]
    for member in ("RUS", "BLR", "KAZ", "KGZ", "TJK", "ARM"):
        assert sov[MEMBER_INDEX[member]] == 0.25


def test_trust_prior_and_threat_baselines():
    for member in MEMBERS:
        former = member in ("UZB", "AZE", "GEO")
        assert fact("trust", member) == (0.3 if former else 0.6)
    assert fact("threat", "ARM") == pytest.approx(0.5)
    assert fact("threat", "TJK") == pytest.approx(0.5)
    assert fact("threat", "KGZ") == pytest.approx(0.3)
    assert fact("threat", "KAZ") == pytest.approx(0.1)
    assert np.all(baseline_member_facts()["unrest"] == 0.1)


# --- affinity ------------------------------------------------------------------------------------


def test_affinity_is_symmetric_with_unit_diagonal_and_on_the_scale():
    aff = baseline_affinity()
    assert aff.shape == (len(ACTORS), len(ACTORS))
    assert_allclose(aff, aff.T)
    assert_allclose(np.diag(aff), 1.0)
    off = aff[~np.eye(len(ACTORS), dtype=bool)]
    assert set(np.unique(off)) <= {-1.0, -0.5, 0.0, 0.5, 1.0}


def test_required_affinity_pairs_are_coded():
    required = [
        ("RUS", "BLR"), ("RUS", "AZE"), ("RUS", "TUR"), ("RUS", "GEO"), ("RUS", "UKR"),
        ("ARM", "AZE"), ("ARM", "TUR"), ("BLR", "AZE"), ("KGZ", "TJK"), ("UZB", "TJK"),
        ("AZE", "TUR"), ("TJK", "TALIBAN"), ("RUS", "ARM"), ("KAZ", "ARM"), ("KGZ", "ARM"),
        ("TJK", "ARM"),
    ]  # fmt: skip
    required += [(ca, other) for ca in ("KAZ", "KGZ", "TJK", "UZB") for other in ("AZE", "TUR")]
    listed = {frozenset((r["a"], r["b"])) for r in rows("affinity.csv")}
    missing = [pair for pair in required if frozenset(pair) not in listed]
    assert not missing


def test_selected_affinities():
    aff = baseline_affinity()

    def a(x: str, y: str) -> float:
        return float(aff[ACTOR_INDEX[x], ACTOR_INDEX[y]])

    assert a("RUS", "BLR") == 1.0
    assert a("AZE", "ARM") == -1.0
    assert a("UKR", "RUS") == -1.0
    assert a("TJK", "KGZ") == -0.5
    assert a("KAZ", "AZE") > a("KAZ", "ARM")  # Central Asians lean toward Azerbaijan
    assert a("KAZ", "CHN") == 0.0  # unlisted pairs are neutral


# --- provenance ----------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["indicators.csv", "codings.csv", "affinity.csv"])
def test_every_packaged_row_has_a_source(name: str):
    table = rows(name)
    assert table
    for row in table:
        assert row["source"].strip(), row
        if name != "indicators.csv":
            assert row["basis"].strip(), row


def test_codings_name_known_members_and_finite_numbers():
    for row in rows("codings.csv"):
        assert row["member"] in MEMBERS
        assert np.isfinite(float(row["value"]))


def test_value_used_is_the_first_number_printed_in_value():
    for row in rows("indicators.csv"):
        first = re.search(r"\d[\d,]*(?:\.\d+)?", row["value"])
        assert first is not None, row
        assert float(first.group().replace(",", "")) == float(row["value_used"]), row
        assert row["reading"].strip(), row


def test_imputed_codings_follow_their_stated_rule():
    imputed = [r for r in rows("codings.csv") if r["basis"].startswith("imputed: median of ")]
    assert {r["member"] for r in imputed} >= {"GEO", "UZB", "AZE"}
    measures = {
        (r["member"], r["indicator"]): float(r["value_used"]) for r in rows("indicators.csv")
    }
    measures |= {(r["member"], r["coding"]): float(r["value"]) for r in rows("codings.csv")}
    for row in imputed:
        donors = re.findall(r"\b[A-Z]{3}\b", row["basis"].split(";")[0])
        assert donors, row
        expected = statistics.median(measures[(m, row["coding"])] for m in donors)
        assert float(row["value"]) == expected, row


def test_un_general_assembly_votes_are_not_read():
    """ES-11 votes are an outcome of the Ukraine-war scenario; reading them would be circular."""
    assert not [r for r in rows("indicators.csv") if "unga" in r["indicator"].lower()]
    assert not [r for r in rows("codings.csv") if "unga" in r["coding"].lower()]
    assert "unga" not in Path(facts.__file__).read_text(encoding="utf-8").lower()


def test_packaged_indicator_rows_are_unchanged_copies_of_the_shared_table():
    with SOURCE_INDICATORS.open(newline="", encoding="utf-8") as f:
        shared = {tuple(r[c] for c in ORIGINAL_COLUMNS) for r in csv.DictReader(f)}
    for row in rows("indicators.csv"):
        assert tuple(row[c] for c in ORIGINAL_COLUMNS) in shared, row


def test_docs_table_matches_the_derivation():
    doc = (REPO / "docs" / "facts.md").read_text(encoding="utf-8")
    assert facts.facts_table() in doc
