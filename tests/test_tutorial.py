"""The tutorial notebook runs from top to bottom, so that it never falls behind the API."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.support import ROOT

TUTORIAL = ROOT / "docs" / "tutorial.ipynb"
TIMEOUT_S = 600


@pytest.mark.e2e
@pytest.mark.slow
def test_the_tutorial_notebook_executes(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import nbformat
    from nbclient import NotebookClient

    monkeypatch.setenv("MPLBACKEND", "module://matplotlib_inline.backend_inline")
    notebook = nbformat.read(TUTORIAL, as_version=4)
    client = NotebookClient(
        notebook,
        timeout=TIMEOUT_S,
        kernel_name="python3",
        resources={"metadata": {"path": tmp_path}},
    )
    client.execute()  # raises CellExecutionError, with the cell and its traceback, on any error

    code = [c for c in notebook.cells if c.cell_type == "code"]
    kinds = [{k for out in c.outputs for k in out.get("data", {})} for c in code]
    figures = [c.source for c, k in zip(code, kinds, strict=True) if "image/png" in k]
    assert len(figures) == 4, "the four plot cells show a figure each"
    assert all("plot" in source for source in figures)
    summaries = [c.source for c, k in zip(code, kinds, strict=True) if "text/html" in k]
    assert any(source.strip().endswith("run") for source in summaries), "a run's HTML summary"
    assert (tmp_path / "results" / "tutorial" / "sweep" / "report.html").is_file()
    assert sorted(os.listdir(tmp_path / "results" / "tutorial")) == ["compare", "sweep"]
