"""The commands that present results, in-process: ``plot`` on every kind of results folder,
``new`` with the user's scenario folder, and ``--scenarios-dir``."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from cstosim.cli import main as cli_main
from cstosim.experiments import storage
from cstosim.inputs.catalogue import USER_SCENARIOS
from cstosim.inputs.parameters import load_set
from tests.support import validation_folder
from tests.test_results import _compare_folder

pytestmark = [pytest.mark.unit]


def _calibration_folder(folder: Path) -> Path:
    folder.mkdir()
    values = dict(load_set().values)
    accepted = {k: {"q05": v, "q50": v, "q95": v} for k, v in values.items()}
    record = {"name": "fit-test", "values": values, "provenance": {"abc_accepted": accepted}}
    storage.write_json(record, folder / "fit-test.json")
    storage.write_table(pd.DataFrame({"loss": [1.0, 0.5]}), folder / "evaluated.parquet")
    return folder


@pytest.mark.parametrize(
    ("make", "drawn"),
    [
        (_compare_folder, ["compare.png"]),
        (validation_folder, ["validation.png", "scores.png", "reliability.png"]),
        (_calibration_folder, ["parameters.png"]),
    ],
)
def test_plot_draws_every_kind_of_folder(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], make, drawn: list[str]
) -> None:
    folder = make(tmp_path / "folder")
    assert cli_main(["plot", str(folder)]) == 0
    assert capsys.readouterr().out == "".join(f"plot: {folder / name}\n" for name in drawn)
    for name in drawn:
        assert (folder / name).read_bytes()[:4] == b"\x89PNG"


def test_plot_on_an_unfinished_sweep_is_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = tmp_path / "sweep"
    folder.mkdir()
    storage.write_json({"n_chunks": 3}, folder / "sweep.json")
    assert cli_main(["plot", str(folder)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "unfinished sweep" in err


def test_new_scaffolds_into_the_folder_where_ids_then_resolve(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(USER_SCENARIOS, raising=False)  # restored after the test
    mine = tmp_path / "mine"
    argv = ["new", "quiet_border", "--from", "kgz_tjk_2021", "--scenarios-dir", str(mine)]
    assert cli_main(argv) == 0
    assert f"wrote: {mine / 'quiet_border.toml'}" in capsys.readouterr().out
    out = tmp_path / "run"
    run = ["run", "quiet_border", "--worlds", "4", "--quiet", "--no-plot", "--out", str(out)]
    assert cli_main(run) == 2  # not found without the folder
    assert "quiet_border: unknown scenario" in capsys.readouterr().err
    assert cli_main(["--scenarios-dir", str(mine), *run]) == 0
    assert storage.read_meta(out)["scenario_id"] == "quiet_border"
    assert cli_main(argv) == 2  # the id is taken now
    assert "exists" in capsys.readouterr().err
    assert cli_main(["--scenarios-dir", str(mine), "list"]) == 0
    assert capsys.readouterr().out.splitlines()[-1].startswith("quiet_border ")


def test_a_scenarios_dir_that_is_a_file_is_refused_in_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(USER_SCENARIOS, raising=False)
    blocker = tmp_path / "file"
    blocker.write_text("x")
    assert cli_main(["--scenarios-dir", str(blocker), "list"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and f"{blocker} is not a folder" in err
