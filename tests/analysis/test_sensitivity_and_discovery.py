"""Sensitivity indices, PRIM scenario discovery and the sweep figures."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from numpy.testing import assert_allclose

from cstosim.analysis.discovery import LIMIT_COLUMNS, TRAJECTORY_COLUMNS, PrimResult, prim_boxes
from cstosim.analysis.sensitivity import (
    MORRIS_COLUMNS,
    SOBOL_COLUMNS,
    morris_indices,
    sobol_indices,
)
from cstosim.experiments import samplers
from cstosim.plots import sweeps as sweep_plots

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
NAMES = [f"x{i}" for i in range(6)]
UNIT = [(0.0, 1.0)] * 6


def _sobol_design(d: int) -> tuple[dict, np.ndarray]:
    names, bounds = NAMES[:d], UNIT[:d]
    return samplers.problem(names, bounds), samplers.sample("sobol", names, bounds, 1024, seed=0)


@pytest.mark.unit
def test_sobol_single_parameter_outcome() -> None:
    problem, x = _sobol_design(6)
    table = sobol_indices(problem, x[:, 2], seed=0)
    assert list(table.columns) == list(SOBOL_COLUMNS)
    assert list(table["parameter"]) == NAMES
    assert_allclose(table.loc[2, ["S1", "ST"]].to_numpy(dtype=float), 1.0, atol=0.05)
    others = table.drop(index=2)[["S1", "ST"]].to_numpy(dtype=float)
    assert np.abs(others).max() < 0.05


@pytest.mark.unit
def test_sobol_additive_outcome() -> None:
    # Var(x1) = 1/12 and Var(2 x2) = 4/12, so the shares are 1/5 and 4/5, with no interaction
    problem, x = _sobol_design(2)
    table = sobol_indices(problem, x[:, 0] + 2 * x[:, 1], seed=0)
    assert_allclose(table["S1"], [0.2, 0.8], atol=0.05)
    assert_allclose(table["ST"], [0.2, 0.8], atol=0.05)


@pytest.mark.unit
def test_morris_linear_outcome() -> None:
    names, bounds = NAMES[:2], UNIT[:2]
    x = samplers.sample("morris", names, bounds, 20, seed=0)
    table = morris_indices(samplers.problem(names, bounds), x, 3 * x[:, 0] + 0 * x[:, 1], seed=0)
    assert list(table.columns) == list(MORRIS_COLUMNS)
    assert_allclose(table["mu_star"], [3.0, 0.0], atol=1e-9)
    assert_allclose(table["mu"], [3.0, 0.0], atol=1e-9)
    assert_allclose(table["sigma"], [0.0, 0.0], atol=1e-9)


@pytest.mark.unit
def test_constant_outcome_gives_zero_indices() -> None:
    problem, x = _sobol_design(3)
    sobol = sobol_indices(problem, np.full(len(x), 7.0), seed=0)
    assert list(sobol.columns) == list(SOBOL_COLUMNS)
    assert (sobol.drop(columns="parameter").to_numpy() == 0).all()
    xm = samplers.sample("morris", NAMES[:3], UNIT[:3], 10, seed=0)
    morris = morris_indices(problem, xm, np.zeros(len(xm)), seed=0)
    assert list(morris.columns) == list(MORRIS_COLUMNS)
    assert (morris.drop(columns="parameter").to_numpy() == 0).all()


@pytest.mark.unit
def test_missing_or_misshapen_outcome_is_refused() -> None:
    problem, x = _sobol_design(3)
    y = x[:, 0].copy()
    y[5] = np.nan
    with pytest.raises(ValueError, match="missing or infinite"):
        sobol_indices(problem, y, seed=0)
    with pytest.raises(ValueError, match="multiple of 5"):
        sobol_indices(problem, x[:-1, 0], seed=0)


@pytest.fixture(scope="module")
def prim_case() -> tuple[pd.DataFrame, np.ndarray, PrimResult]:
    rng = np.random.default_rng(0)
    x = pd.DataFrame(rng.random((2000, 3)), columns=["x0", "x1", "x2"])
    y = ((x["x0"] > 0.7) & (x["x1"] < 0.4)).to_numpy()
    return x, y, prim_boxes(x, y)


@pytest.mark.unit
@pytest.mark.slow
def test_prim_finds_the_box(prim_case) -> None:
    _, y, result = prim_case
    assert list(result.trajectory.columns) == list(TRAJECTORY_COLUMNS)
    assert list(result.limits.columns) == list(LIMIT_COLUMNS)
    limits = result.limits.set_index("parameter")
    assert list(limits.index[limits["restricted"]]) == ["x0", "x1"]
    assert abs(limits.loc["x0", "low"] - 0.7) < 0.05
    assert abs(limits.loc["x1", "high"] - 0.4) < 0.05
    chosen = result.trajectory.loc[result.chosen]
    assert chosen["density"] > 0.8
    assert chosen["coverage"] >= result.min_coverage
    eligible = result.trajectory[result.trajectory["coverage"] >= result.min_coverage]
    assert chosen["density"] == eligible["density"].max()
    assert result.base_rate == pytest.approx(y.mean())


@pytest.mark.unit
@pytest.mark.slow
def test_prim_takes_integer_parameters() -> None:
    rng = np.random.default_rng(1)
    x = pd.DataFrame({"a": rng.integers(0, 10, 500), "b": rng.integers(0, 10, 500)})
    result = prim_boxes(x, (x["a"] >= 7).to_numpy())
    limits = result.limits.set_index("parameter")
    assert limits.loc["a", "restricted"] and not limits.loc["b", "restricted"]


@pytest.mark.unit
@pytest.mark.slow
@pytest.mark.parametrize("value", [False, True])
def test_prim_refuses_a_one_sided_outcome(value: bool) -> None:
    x = pd.DataFrame({"a": np.linspace(0, 1, 50)})
    with pytest.raises(ValueError, match="needs both cases and non-cases"):
        prim_boxes(x, np.full(50, value))


def _is_png(path) -> bool:
    return path.is_file() and path.stat().st_size > 1000 and path.read_bytes()[:8] == PNG_MAGIC


@pytest.mark.unit
def test_heatmap_grid_and_scattered(tmp_path) -> None:
    grid = pd.DataFrame(
        samplers.sample("grid", ["a", "b"], [(0, 1), (0, 2)], 4, 0), columns=["a", "b"]
    )
    grid["m"] = grid["a"] * grid["b"]
    assert _is_png(sweep_plots.plot_heatmap(grid, "a", "b", "m", tmp_path / "grid.png"))
    lhs = pd.DataFrame(
        samplers.sample("lhs", ["a", "b"], [(0, 1), (0, 2)], 300, 0), columns=["a", "b"]
    )
    lhs["m"] = np.where(lhs["a"] > 0.9, np.nan, lhs["a"] + lhs["b"])
    path = sweep_plots.plot_heatmap(lhs, "a", "b", "m", tmp_path / "sub" / "lhs.png", label="M")
    assert _is_png(path)


@pytest.mark.unit
def test_heatmap_cells() -> None:
    # a grid axis gets one cell per level, a scattered one equal-width cells over its range
    edges, levels = sweep_plots._edges(np.repeat([0.0, 0.5, 1.0], 4), bins=12)
    assert_allclose(levels, [0.0, 0.5, 1.0])
    assert_allclose(edges, [-0.25, 0.25, 0.75, 1.25])
    edges, levels = sweep_plots._edges(np.linspace(0, 1, 40), bins=5)
    assert levels is None
    assert_allclose(edges, np.linspace(0, 1, 6))


@pytest.mark.unit
def test_sensitivity_plots(tmp_path) -> None:
    problem, x = _sobol_design(3)
    sobol = sobol_indices(problem, x[:, 0] + x[:, 1] * x[:, 2], seed=0)
    assert _is_png(sweep_plots.plot_sensitivity(sobol, "sobol", "m", tmp_path / "sobol.png"))
    xm = samplers.sample("morris", NAMES[:3], UNIT[:3], 10, seed=0)
    morris = morris_indices(problem, xm, xm[:, 0] ** 2 + xm[:, 1], seed=0)
    assert _is_png(sweep_plots.plot_sensitivity(morris, "morris", "m", tmp_path / "morris.png"))
    with pytest.raises(ValueError, match="unknown method"):
        sweep_plots.plot_sensitivity(sobol, "fast", "m", tmp_path / "fast.png")


@pytest.mark.unit
@pytest.mark.slow
def test_prim_plot(tmp_path, prim_case) -> None:
    result = prim_case[2]
    bounds = {c: (0.0, 1.0) for c in ("x0", "x1", "x2")}
    assert _is_png(sweep_plots.plot_prim(result, tmp_path / "prim.png", "y", bounds=bounds))


@pytest.mark.unit
def test_compare_plot(tmp_path) -> None:
    table = pd.DataFrame(
        {
            "metric": ["p_a", "trust", "n_wars"],
            "baseline": [0.4, 0.6, 3.0],
            "variant": [0.5, 0.6, 2.0],
            "diff": [0.1, 0.0, -1.0],
            "ci_low": [0.05, -0.02, np.nan],
            "ci_high": [0.15, 0.02, np.nan],
            "n_pairs": [100, 100, 1],
        }
    )
    assert _is_png(sweep_plots.plot_compare(table, tmp_path / "compare.png", "what if"))
