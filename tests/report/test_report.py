"""``cstosim report``: one self-contained HTML file for any results folder, checked as text and
rendered offline in Debian's chromium."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from markupsafe import escape

from cstosim import api
from cstosim.cli import main as cli_main
from cstosim.experiments import storage
from cstosim.inputs.parameters import load_set
from cstosim.inputs.scenario import load_scenario
from cstosim.plots.validation import validation_figures
from cstosim.report import write_report
from tests.plots.test_run_plots import make_run
from tests.support import ARTIFACTS, MINI, browser_page, validation_folder
from tests.test_results import _compare_folder

#: Anything that would make a browser fetch something: src/href to another place, CSS url().
_FETCHES = re.compile(r"""(?:src|href)\s*=\s*["'](?!data:|#)|url\(|@import""", re.IGNORECASE)


def _check_self_contained(text: str) -> None:
    assert not _FETCHES.search(text), _FETCHES.search(text)
    assert "<script" not in text.lower()


@pytest.fixture(scope="module")
def batch(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A small real batch: the mini fixture and one shipped scenario, with a changed parameter."""
    out = tmp_path_factory.mktemp("report") / "batch"
    api.run_batch(
        [MINI, "kgz_tjk_2021"], 40, seed=5, out=out, parameters={"need_weight": 9.5}, progress=False
    )
    return out


@pytest.mark.unit
@pytest.mark.slow
def test_a_batch_report_holds_everything_the_issue_lists(batch: Path) -> None:
    path = write_report(batch)
    assert path == batch / "report.html"
    text = path.read_text(encoding="utf-8")
    _check_self_contained(text)
    meta = storage.read_meta(batch / "mini")
    pset = load_set()
    shipped = load_scenario("kgz_tjk_2021").scenario
    for part in (
        "A small fixture for tests; not history.",  # the scenario's notes
        "<li>tests</li>",  # and sources
        str(escape(shipped.notes[0])),
        str(escape(shipped.sources[-1])),
        f"{pset.name} (sha {pset.sha256[:12]})",  # the parameter set
        "need_weight = 9.5",  # the override
        meta["git_revision"],
        meta["package_version"],
        "Alliance response per crisis: share of worlds [95% interval]",
        "Status at the end of the run",
    ):
        assert part in text, part
    assert re.search(r"<dt>seed</dt><dd>5</dd>", text)
    assert re.search(r"\d+\.\d% \[\d+\.\d%–\d+\.\d%\]", text), "shares with intervals"
    # the summary, then four figures per run, all embedded
    assert text.count('src="data:image/png;base64,') == 1 + 4 * 2


@pytest.mark.unit
@pytest.mark.slow
def test_a_run_report_says_when_the_scenario_file_is_gone(tmp_path: Path) -> None:
    run = make_run(tmp_path / "synthetic")
    text = write_report(run, tmp_path / "out" / "r.html").read_text(encoding="utf-8")
    _check_self_contained(text)
    assert "scenario file was not found" in text
    assert text.count('src="data:image/png;base64,') == 4


@pytest.mark.unit
def test_a_validation_report_holds_its_summary(tmp_path: Path) -> None:
    folder = validation_folder(tmp_path / "val")
    overall = storage.read_json(folder / "summary.json")["kinds"]["overall"]
    text = write_report(folder).read_text(encoding="utf-8")
    _check_self_contained(text)
    model = overall["model"]
    assert f"documented outcome modal in {model['modal']} of {overall['checks']} checks" in text
    assert f"model: mean Brier {model['brier']:.3f}" in text
    assert f"zero-parameter rule: mean Brier {overall['rule']['brier']:.3f}" in text
    assert text.count('src="data:image/png;base64,') == len(validation_figures(folder))


@pytest.mark.unit
def test_report_command_prints_where_it_wrote(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = _compare_folder(tmp_path / "cmp")  # one figure: quick
    assert cli_main(["report", str(folder), "--out", str(tmp_path / "r.html")]) == 0
    assert capsys.readouterr().out == f"report: {tmp_path / 'r.html'}\n"
    assert cli_main(["report", str(tmp_path / "nothing")]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "no such folder" in err


@pytest.mark.e2e
@pytest.mark.slow
def test_a_report_renders_offline_in_a_browser(batch: Path) -> None:
    report = write_report(batch)
    ARTIFACTS.mkdir(exist_ok=True)
    shutil.copy(report, ARTIFACTS / "report.html")
    own = report.resolve().as_uri()

    def the_file(url: str) -> bool:
        return url == own or url.startswith("data:")

    with browser_page(1280, 1600, the_file) as (page, watched):
        page.goto(own)
        images = page.eval_on_selector_all(
            "img", "imgs => imgs.map(i => [i.complete, i.naturalWidth, i.alt])"
        )
        page.screenshot(path=str(ARTIFACTS / "report.png"), full_page=False)
    assert len(images) == 9
    broken = [alt for complete, width, alt in images if not complete or width == 0]
    assert broken == [], f"broken images: {broken}"
    assert watched.refused == [], f"requests left the page: {watched.refused}"
    assert watched.errors == [], f"console errors: {watched.errors}"
