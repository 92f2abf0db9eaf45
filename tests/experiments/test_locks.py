"""Output folders: one writer at a time, clean leftovers, atomic writes that fail in one line."""

from __future__ import annotations

import errno
import os
import threading
from pathlib import Path

import pandas as pd
import pytest

from cstosim.experiments import locks, runs, storage
from cstosim.inputs.errors import UserError
from tests.support import MINI


@pytest.mark.unit
def test_a_locked_folder_refuses_a_second_writer_in_one_line(tmp_path):
    entered, release, refused = threading.Event(), threading.Event(), []

    def holder() -> None:
        with locks.folder_lock(tmp_path):
            entered.set()
            release.wait(10)

    thread = threading.Thread(target=holder)
    thread.start()
    entered.wait(10)
    try:
        with pytest.raises(UserError) as info, locks.folder_lock(tmp_path):
            refused.append("entered")
    finally:
        release.set()
        thread.join()
    message = str(info.value)
    assert refused == [] and "\n" not in message
    assert f"{tmp_path}: another cstosim run (pid {os.getpid()}" in message
    assert "choose another --out folder" in message
    assert not (tmp_path / locks.LOCK_NAME).exists()  # released and removed
    with locks.folder_lock(tmp_path):  # free again
        pass


@pytest.mark.unit
def test_the_same_thread_may_nest(tmp_path):
    with locks.folder_lock(tmp_path), locks.folder_lock(tmp_path / "." / ""):
        assert (tmp_path / locks.LOCK_NAME).is_file()
    assert list(tmp_path.iterdir()) == []


@pytest.mark.unit
def test_leftover_temporaries_of_dead_writers_are_removed(tmp_path):
    dead = 2**22 + 12345  # above any pid this machine hands out
    (tmp_path / "chunks").mkdir()
    stale = tmp_path / "chunks" / f".chunk-000001.parquet.{dead}-0123abcd.tmp"
    live = tmp_path / f".meta.json.{os.getpid()}-0123abcd.tmp"
    keep = tmp_path / "chunks" / "chunk-000000.parquet"
    for path in (stale, live, keep):
        path.write_bytes(b"x")
    with locks.folder_lock(tmp_path):
        pass
    assert not stale.exists() and live.exists() and keep.exists()


@pytest.mark.unit
@pytest.mark.parametrize("code", [errno.ENOSPC, errno.EACCES, errno.EDQUOT])
def test_a_failed_write_is_one_line_and_keeps_the_old_file(tmp_path, monkeypatch, code):
    path = tmp_path / "meta.json"
    storage.write_json({"old": 1}, path)

    def fail(fd: int) -> None:
        raise OSError(code, os.strerror(code))

    monkeypatch.setattr(storage.os, "fsync", fail)
    with pytest.raises(UserError) as info:
        storage.write_json({"new": 2}, path)
    message = str(info.value)
    assert message.startswith(f"{path}: cannot write here ({os.strerror(code)}); ")
    assert "\n" not in message
    assert storage.read_json(path) == {"old": 1}
    assert [p.name for p in tmp_path.iterdir()] == ["meta.json"]


@pytest.mark.unit
def test_a_rewrite_cut_short_leaves_no_completion_mark(tmp_path, monkeypatch, mini):
    result = runs.simulate(mini, 4, seed=1, log_worlds=0)
    runs.write_result(result, tmp_path)
    assert storage.is_complete(tmp_path)
    real, written = storage.write_table, []

    def third_fails(df: pd.DataFrame, path: Path) -> None:
        if len(written) == 2:
            raise OSError(errno.ENOSPC, "No space left on device")
        written.append(path)
        real(df, path)

    monkeypatch.setattr(runs.storage, "write_table", third_fails)
    with pytest.raises(OSError):
        runs.write_result(result, tmp_path)
    assert not storage.is_complete(tmp_path), "new tables under the old meta.json"


@pytest.mark.e2e
def test_a_batch_folder_refuses_other_settings_in_one_line(tmp_path):
    out = tmp_path / "batch"
    runs.run_batch([MINI], n_worlds=3, seed=1, out=out, progress=False)
    before = (out / "mini" / "meta.json").stat().st_mtime_ns
    cases = [
        (dict(seed=2), "seed (was 1, now 2)", "--seed"),
        (dict(n_worlds=4), "worlds (was 3, now 4)", "--worlds"),
        (dict(parameters={"need_weight": 9.5}), "need_weight: was", "--set"),
        (dict(facts={"KAZ.dependency": 0.2}), "KAZ.dependency: was None, now 0.2", "--set"),
    ]
    for change, said, option in cases:
        settings = dict(n_worlds=3, seed=1) | change
        with pytest.raises(UserError) as info:
            runs.run_batch([MINI], out=out, progress=False, **settings)
        message = str(info.value)
        assert message.startswith(f"{out / 'mini'}: made with other ")
        assert said in message and option in message and "another --out" in message
    runs.run_batch([MINI], n_worlds=3, seed=1, out=out, progress=False)  # same: skipped
    assert (out / "mini" / "meta.json").stat().st_mtime_ns == before
