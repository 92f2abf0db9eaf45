"""The input-facing conventions of the command: check, schema, --set facts, help, pipes."""

from __future__ import annotations

import argparse
import json
import subprocess
import sys

import pytest

from cstosim import api
from cstosim.cli import build_parser
from cstosim.cli import main as cli_main
from cstosim.experiments import storage
from tests.support import MINI, ROOT, SCENARIOS


def run(capsys, *argv) -> tuple[int, str, list[str]]:
    code = cli_main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err.splitlines()


@pytest.mark.e2e
def test_check_prints_ok_or_one_line_per_file(tmp_path, capsys):
    bad = tmp_path / "mini.toml"
    bad.write_text(MINI.read_text().replace("severity = 0.8", "severity = 8", 1))
    spec = ROOT / "sweeps" / "armenia_2022_grid.toml"
    code, out, err = run(capsys, "check", MINI, spec, bad, tmp_path / "none.toml")
    assert code == 2
    assert out.splitlines() == [f"OK {MINI}", f"OK {spec}"]
    assert len(err) == 2 and all(line.startswith("cstosim: error: ") for line in err)
    assert f"{bad}: events.1.severity: must be at most 1.0" in err[0]
    assert "no such input file" in err[1]
    code, out, err = run(capsys, "check", *sorted(SCENARIOS.glob("*.toml")))
    assert code == 0 and err == [] and len(out.splitlines()) == len(list(SCENARIOS.glob("*")))


@pytest.mark.e2e
@pytest.mark.parametrize("kind", ["scenario", "sweep"])
def test_schema_prints_the_json_schema(capsys, kind):
    code, out, _ = run(capsys, "schema", kind)
    assert code == 0 and json.loads(out) == api.json_schema(kind)


@pytest.mark.e2e
def test_set_takes_facts_in_run_batch_and_validate(tmp_path, capsys):
    fact = ("--set", "KAZ.dependency=0.2", "--set", "need_weight=9.5")
    common = ("--worlds", "3", "--quiet", *fact)
    assert run(capsys, "run", MINI, *common, "--no-plot", "--out", tmp_path / "r")[0] == 0
    meta = storage.read_meta(tmp_path / "r")
    assert meta["facts"] == {"KAZ.dependency": 0.2} and meta["parameters"]["need_weight"] == 9.5
    assert run(capsys, "batch", MINI, *common, "--no-plot", "--out", tmp_path / "b")[0] == 0
    assert storage.read_meta(tmp_path / "b" / "mini")["facts"] == {"KAZ.dependency": 0.2}
    assert run(capsys, "validate", MINI, *common, "--out", tmp_path / "v")[0] == 0
    code, _, err = run(capsys, "run", MINI, "--set", "KAZ.dependancy=0.2", "--out", tmp_path / "x")
    assert code == 2 and len(err) == 1 and "did you mean 'dependency'?" in err[0]


@pytest.mark.e2e
@pytest.mark.parametrize(
    ("argv", "said"),
    [
        (("run", MINI, "--worlds", "abc"), "--worlds: invalid int value: 'abc'"),
        (("run", MINI, "--worlds", "99999999999999999999"), "must be at most 10,000,000"),
        (("run", MINI, "--workers", "100000"), "--workers 100000: must be at most 256"),
        (("batch", "--wrlds", "3"), "--wrlds (did you mean '--worlds'?); see 'cstosim batch"),
        (("sweep",), "the following arguments are required: spec"),
        (("schema", "scenaro"), "invalid choice: 'scenaro'"),
        (("run", "a\nb"), "a\\nb: unknown scenario"),
        (("run", MINI, "--out", ""), "--out: give a path, not an empty string"),
    ],
)
def test_bad_arguments_are_one_line(tmp_path, capsys, argv, said):
    code, out, err = run(capsys, *argv, "--out", tmp_path / "o")
    assert code == 2 and out == "" and len(err) == 1, err
    assert err[0].startswith("cstosim: error: ") and said in err[0], err[0]
    assert not (tmp_path / "o").exists()


def _parsers(parser: argparse.ArgumentParser):
    yield parser
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for sub in action.choices.values():
                yield from _parsers(sub)


@pytest.mark.unit
def test_every_option_shows_its_default_and_help_has_no_markup():
    for parser in _parsers(build_parser()):
        text = parser.format_help()
        for mark in ("``", ":class:", ":func:", "**", "%(", "None)"):
            assert mark not in text, (parser.prog, mark)
        for action in parser._actions:
            takes_value = action.option_strings and action.nargs != 0
            if takes_value and action.dest not in ("help", "version"):
                formatter = parser._get_formatter()
                assert "default" in formatter._expand_help(action), (parser.prog, action.dest)


@pytest.mark.e2e
@pytest.mark.slow
def test_a_closed_pipe_ends_quietly():
    done = subprocess.run(
        f"{sys.executable} -m cstosim list | head -1",
        shell=True,
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    assert len(done.stdout.splitlines()) == 1
    assert done.stderr == "", done.stderr


@pytest.mark.e2e
def test_a_hostile_parameter_set_file_is_one_line(tmp_path, capsys):
    deep = tmp_path / "deep.json"
    deep.write_text('{"name": "x", "values": ' + "[" * 5000 + "]" * 5000 + "}")
    endless = tmp_path / "endless.json"
    endless.symlink_to("/dev/zero")
    for path, said in ((deep, "nested too deep"), (endless, "not a regular file")):
        code, _, err = run(capsys, "params", "--parameters", path)
        assert code == 2 and len(err) == 1 and said in err[0], err
