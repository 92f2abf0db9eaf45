"""Self-contained citations: every cited row and seed resolves inside the repository."""

from __future__ import annotations

import csv
import hashlib
import re
from pathlib import Path

import pytest

from tests.support import ROOT

pytestmark = [pytest.mark.unit]

REPO = ROOT
SOURCES = REPO / "data" / "sources"
BIBLIOGRAPHY = REPO / "docs" / "bibliography.md"

#: A row id of episodes.csv (E..) or membership_events.csv (M..): a capital and two digits.
ROW_ID = re.compile(r"\b[EM]\d{2}\b")
#: A seed article id; any S and three digits, so that a wrong number (S005) is caught too.
SEED_ID = re.compile(r"\bS\d{3}\b")
#: A citation of the model brief (outside the repository) instead of the underlying source.
BRIEF = re.compile(r"BRIEF\.md|\bbrief\s*§", re.IGNORECASE)
#: Former ways of citing a seed: "seed 003", "seeds 002 and 004", a file path, an author.
OLD_SEED = re.compile(r"\bseeds?[ /]+\d{3}(?!\d)|\bseeds: ", re.IGNORECASE)
ANCHOR = re.compile(r'<a id="([^"]+)"></a>')

HEADERS = {
    "episodes.csv": [
        "id",
        "start_date",
        "end_date",
        "episode",
        "affected_members",
        "other_parties",
        "nature",
        "formal_request",
        "treaty_basis_invoked",
        "csto_response_type",
        "csto_response_detail",
        "deployment_size",
        "russia_bilateral_response",
        "outcome_requester_stance",
        "casualties",
        "sources",
        "confidence",
        "notes_disagreements",
    ],
    "membership_events.csv": [
        "id",
        "date",
        "state",
        "event_type",
        "detail",
        "stated_reasons",
        "sources",
        "confidence",
        "notes",
    ],
    "indicators.csv": [
        "member",
        "indicator",
        "value",
        "unit",
        "year",
        "source",
        "confidence",
        "notes",
    ],
}
#: The tables whose rows have ids, and the ids' letter.
ID_TABLES = [("episodes.csv", "E"), ("membership_events.csv", "M")]


def table(name: str) -> list[dict[str, str]]:
    with (SOURCES / name).open(newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


def row_ids() -> set[str]:
    return {r["id"] for name, _ in ID_TABLES for r in table(name)}


def anchors() -> set[str]:
    return set(ANCHOR.findall(BIBLIOGRAPHY.read_text(encoding="utf-8")))


def citing_files(include_bibliography: bool = True) -> list[Path]:
    """The files whose citations must resolve: scenarios, docs, README and packaged data."""
    files = [
        *sorted((REPO / "scenarios").glob("*.toml")),
        *sorted((REPO / "docs").glob("*.md")),
        REPO / "README.md",
        *sorted((REPO / "src" / "cstosim").rglob("*.csv")),
    ]
    assert any(f.suffix == ".csv" for f in files), "the packaged data tables were not found"
    return [f for f in files if include_bibliography or f != BIBLIOGRAPHY]


def cited(pattern: re.Pattern[str], files: list[Path]) -> dict[str, set[str]]:
    """Each match of ``pattern`` in ``files``, with the files (relative paths) it occurs in."""
    found: dict[str, set[str]] = {}
    for f in files:
        for hit in pattern.findall(f.read_text(encoding="utf-8")):
            found.setdefault(hit, set()).add(str(f.relative_to(REPO)))
    return found


def unresolved(ids: dict[str, set[str]], known: set[str]) -> dict[str, list[str]]:
    return {i: sorted(where) for i, where in sorted(ids.items()) if i not in known}


# --- the copied source tables --------------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(HEADERS))
def test_source_tables_have_the_expected_columns(name: str):
    with (SOURCES / name).open(newline="", encoding="utf-8") as f:
        assert next(csv.reader(f)) == HEADERS[name]
    assert table(name)


@pytest.mark.parametrize(
    ("name", "prefix"), [("episodes.csv", "E"), ("membership_events.csv", "M")]
)
def test_source_row_ids_are_unique_and_well_formed(name: str, prefix: str):
    ids = [r["id"] for r in table(name)]
    assert len(ids) == len(set(ids))
    assert all(re.fullmatch(rf"{prefix}\d{{2}}", i) for i in ids), ids


def test_source_readme_gives_each_table_its_sha256():
    readme = (SOURCES / "README.md").read_text(encoding="utf-8")
    for name in HEADERS:
        digest = hashlib.sha256((SOURCES / name).read_bytes()).hexdigest()
        assert f"| `{name}` | {len(table(name))} | `{digest}` |" in readme, name


# --- citations -----------------------------------------------------------------------------------


def test_the_row_id_pattern_finds_the_ids_and_nothing_else():
    text = "E08, M13-M14 (E19; M21). Not: E1, E123, ES-11/1, 1E12, XE08, M2, S003, e08."
    assert ROW_ID.findall(text) == ["E08", "M13", "M14", "E19", "M21"]


def test_every_row_has_a_bibliography_entry():
    assert not row_ids() - anchors()


def test_bibliography_anchors_are_unique_and_its_links_resolve():
    text = BIBLIOGRAPHY.read_text(encoding="utf-8")
    ids = ANCHOR.findall(text)
    assert len(ids) == len(set(ids))
    assert not set(re.findall(r"\]\(#([^)]+)\)", text)) - set(ids)


def test_cited_row_ids_resolve_to_a_row_and_an_entry():
    ids = cited(ROW_ID, citing_files())
    assert ids, "no row id found: the scan is broken"
    assert not unresolved(ids, row_ids())
    assert not unresolved(ids, anchors())


def test_cited_seed_ids_resolve_to_an_entry():
    seeds = cited(SEED_ID, citing_files())
    assert set(seeds) >= {"S002", "S003", "S004"}, "seed ids missing: the scan is broken"
    assert not unresolved(seeds, anchors())
    assert {f"S{n:03d}" for n in range(5)} <= anchors()


def test_no_citation_of_the_brief_outside_the_bibliography():
    assert not cited(BRIEF, citing_files(include_bibliography=False))


def test_seed_articles_are_cited_by_id_not_by_file_or_author():
    assert not cited(OLD_SEED, citing_files(include_bibliography=False))


def test_source_code_cites_no_brief_and_only_known_rows():
    code = sorted((REPO / "src" / "cstosim").rglob("*.py"))
    assert code
    assert not cited(BRIEF, code)
    assert not unresolved(cited(ROW_ID, code), row_ids() & anchors())
