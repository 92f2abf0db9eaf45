"""``cstosim list`` reads scenario headers with the standard library alone, and says which file
it cannot read instead of failing on it."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from cstosim.inputs.catalogue import Header, read_header
from tests.support import SCENARIOS

pytestmark = pytest.mark.unit


def test_a_header_is_read_without_the_rest_of_the_file(tmp_path: Path) -> None:
    path = tmp_path / "x.toml"
    path.write_text(
        '[scenario]\nid = "x"\ntitle = "A title"\nstart = "2020-01"\nend = "2020-03"\n'
        "hypothetical = true\n[[events]]\nkind = 'not checked here'\n"
    )
    assert read_header(path) == Header("x", True, "2020-01", "2020-03", "A title")


@pytest.mark.parametrize("data", [b"[scenario\n", b"scenario = 3\n", b"\xff\xfe not utf-8"])
def test_an_unreadable_header_is_named_not_raised(tmp_path: Path, data: bytes) -> None:
    path = tmp_path / "broken.toml"
    path.write_bytes(data)
    head = read_header(path)
    assert head.id == "broken" and "cstosim check" in head.problem


def test_every_shipped_header_matches_its_validated_scenario() -> None:
    from cstosim.inputs.scenario import load_scenario

    for path in sorted(SCENARIOS.glob("*.toml")):
        sc, head = load_scenario(path), read_header(path)
        assert (head.id, head.hypothetical, head.start, head.end, head.title) == (
            sc.id,
            sc.scenario.hypothetical,
            sc.scenario.start,
            sc.scenario.end,
            sc.scenario.title,
        )
        assert not head.problem


def test_listing_imports_neither_pydantic_nor_numpy() -> None:
    probe = (
        "import sys, contextlib, io; from cstosim.cli import main\n"
        "with contextlib.redirect_stdout(io.StringIO()): main(['list'])\n"
        "print(sorted(m for m in ('pydantic', 'numpy') if m in sys.modules))"
    )
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"
