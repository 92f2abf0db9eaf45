"""Result folders: atomic writes, round trips, unwritable paths, reading runs back."""

from __future__ import annotations

import json
import re
from datetime import datetime
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from cstosim.experiments.storage import (
    find_runs,
    is_complete,
    prepare_output_dir,
    provenance,
    read_run,
    write_json,
    write_table,
)
from cstosim.inputs.errors import UserError

pytestmark = [pytest.mark.unit]


def small_table() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "world": np.array([0, 1, 2], dtype=np.int64),
            "step": np.array([3, 3, 7], dtype=np.int32),
            "date": ["2010-06", "2010-06", "2010-10"],
            "backs": [True, False, True],
            "deploy_size": [0.0, 1500.5, np.nan],
        }
    )


def test_write_table_leaves_only_the_target(tmp_path: Path) -> None:
    write_table(small_table(), tmp_path / "crises.parquet")
    assert [p.name for p in tmp_path.iterdir()] == ["crises.parquet"]


def test_written_files_get_ordinary_permissions(tmp_path: Path) -> None:
    plain = tmp_path / "plain"
    plain.write_bytes(b"")
    write_table(small_table(), tmp_path / "t.parquet")
    write_json({}, tmp_path / "meta.json")
    assert (tmp_path / "t.parquet").stat().st_mode == plain.stat().st_mode
    assert (tmp_path / "meta.json").stat().st_mode == plain.stat().st_mode


def test_failed_write_leaves_no_file(tmp_path: Path) -> None:
    bad = pd.DataFrame({"mixed": [1, "a", object()]})
    with pytest.raises(ValueError):  # pyarrow.ArrowInvalid
        write_table(bad, tmp_path / "bad.parquet")
    assert list(tmp_path.iterdir()) == []


def test_failed_write_keeps_the_previous_file(tmp_path: Path) -> None:
    path = tmp_path / "t.parquet"
    write_table(small_table(), path)
    with pytest.raises(ValueError):
        write_table(pd.DataFrame({"mixed": [1, "a", object()]}), path)
    pd.testing.assert_frame_equal(pd.read_parquet(path), small_table())
    assert [p.name for p in tmp_path.iterdir()] == ["t.parquet"]


def test_write_table_replaces_existing_file(tmp_path: Path) -> None:
    path = tmp_path / "t.parquet"
    write_table(small_table(), path)
    write_table(small_table().head(1), path)
    assert len(pd.read_parquet(path)) == 1


def test_table_round_trip_keeps_dtypes(tmp_path: Path) -> None:
    df = small_table()
    write_table(df, tmp_path / "t.parquet")
    back = pd.read_parquet(tmp_path / "t.parquet")
    assert dict(back.dtypes) == dict(df.dtypes)
    pd.testing.assert_frame_equal(back, df)


def test_write_json_converts_numpy(tmp_path: Path) -> None:
    obj = {
        "n": np.int64(5),
        "x": np.float32(0.5),
        "flag": np.bool_(True),
        "arr": np.arange(3),
        "path": tmp_path,
    }
    write_json(obj, tmp_path / "meta.json")
    text = (tmp_path / "meta.json").read_text()
    assert json.loads(text) == {
        "arr": [0, 1, 2],
        "flag": True,
        "n": 5,
        "path": str(tmp_path),
        "x": 0.5,
    }
    assert text.index('"arr"') < text.index('"x"')  # keys sorted
    assert [p.name for p in tmp_path.iterdir()] == ["meta.json"]


def test_prepare_output_dir_creates_parents_and_accepts_existing(tmp_path: Path) -> None:
    target = tmp_path / "a" / "b"
    assert prepare_output_dir(target) == target
    assert target.is_dir()
    assert prepare_output_dir(target) == target
    assert list(target.iterdir()) == []  # the probe file is gone


def test_prepare_output_dir_under_a_file_is_a_user_error(tmp_path: Path) -> None:
    blocker = tmp_path / "file.txt"
    blocker.write_text("not a folder")
    target = blocker / "results"
    with pytest.raises(UserError) as info:
        prepare_output_dir(target)
    message = str(info.value)
    assert str(target) in message
    assert "--out" in message
    assert "\n" not in message


def test_read_run_without_meta_is_a_user_error(tmp_path: Path) -> None:
    write_table(small_table(), tmp_path / "crises.parquet")
    with pytest.raises(UserError, match="no meta.json") as info:
        read_run(tmp_path)
    assert str(tmp_path) in str(info.value)


def test_read_run_returns_tables_and_empty_frames_for_absent_ones(tmp_path: Path) -> None:
    write_table(small_table(), tmp_path / "crises.parquet")
    write_json({"scenario_id": "x", "n_worlds": 3}, tmp_path / "meta.json")
    run = read_run(tmp_path)
    assert run.meta == {"scenario_id": "x", "n_worlds": 3}
    pd.testing.assert_frame_equal(run.crises, small_table())
    assert run.steps.empty and run.log.empty and run.support.empty


def test_find_runs_on_a_run_and_on_a_batch(tmp_path: Path) -> None:
    for name in ("b_run", "a_run"):
        (tmp_path / name).mkdir()
        write_json({}, tmp_path / name / "meta.json")
    (tmp_path / "unfinished").mkdir()
    assert find_runs(tmp_path) == [tmp_path / "a_run", tmp_path / "b_run"]
    assert find_runs(tmp_path / "a_run") == [tmp_path / "a_run"]
    assert is_complete(tmp_path / "a_run") and not is_complete(tmp_path / "unfinished")


def test_find_runs_with_no_run_is_a_user_error(tmp_path: Path) -> None:
    with pytest.raises(UserError, match=re.escape(str(tmp_path))):
        find_runs(tmp_path)
    with pytest.raises(UserError, match="no such folder"):
        find_runs(tmp_path / "missing")


def test_provenance_fields() -> None:
    info = provenance()
    keys = {"package_version", "git_revision", "python", "numpy", "pandas", "mesa", "created_utc"}
    assert keys <= info.keys()
    assert info["numpy"] == np.__version__
    assert info["git_revision"]
    assert datetime.fromisoformat(info["created_utc"]).tzinfo is not None
