"""Golden outputs of two canonical scenarios at a fixed seed: any change of the numbers shows here.

The goldens live in ``tests/golden/<scenario>.json`` and are written by
``tests/golden/regenerate.py`` (read its docstring before running it). Shares of worlds are exact
fractions and must match to 1e-12; trust means are sums of floats and must match to 1e-9.
"""

from __future__ import annotations

import importlib.util
import json

import numpy as np
import pytest

from cstosim.inputs.parameters import defaults
from tests.support import GOLDEN_DIR

pytestmark = [pytest.mark.regression]


def _load_regenerate():
    spec = importlib.util.spec_from_file_location("golden_regenerate", GOLDEN_DIR / "regenerate.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


regenerate = _load_regenerate()
TOLERANCE = {"trust_mean_last_step": 1e-9}  # every other output is a share: 1e-12
HOW_TO_REGENERATE = (
    f"If this change is deliberate (a model change, re-calibrated default parameters, a corrected "
    f"scenario file), regenerate with\n    {regenerate.COMMAND}\nand say why in the commit message "
    f"(see the docstring of tests/golden/regenerate.py); otherwise find out what moved the numbers."
)


def _why(golden: dict, fresh: dict) -> list[str]:
    """What differs in the inputs the golden was made from: likely causes of a mismatch."""
    old, new = golden["provenance"], fresh["provenance"]
    hints = []
    moved = {
        k: (old["parameters"].get(k), v)
        for k, v in new["parameters"].items()
        if old["parameters"].get(k) != v
    }
    moved.update({k: (v, None) for k, v in old["parameters"].items() if k not in new["parameters"]})
    if moved:
        hints.append(
            "default parameters changed since the golden was written: "
            + ", ".join(f"{k} {a} -> {b}" for k, (a, b) in sorted(moved.items()))
        )
    if old["scenario_hash"] != new["scenario_hash"]:
        hints.append("the scenario file's situation changed (situation hash differs)")
    hints.append(f"golden written at revision {old['git_revision']} on {old['generated_utc']}")
    return hints


@pytest.mark.parametrize("scenario_id", regenerate.SCENARIOS)
def test_outputs_match_golden(scenario_id: str) -> None:
    path = regenerate.golden_path(scenario_id)
    if not path.exists():
        pytest.fail(f"{path} is missing. {HOW_TO_REGENERATE}")
    golden = json.loads(path.read_text(encoding="utf-8"))
    assert golden["provenance"]["seed"] == regenerate.SEED
    assert golden["provenance"]["n_worlds"] == regenerate.N_WORLDS
    fresh = regenerate.summarise(scenario_id)

    header = f"{scenario_id}: outputs differ from {path}.\n" + "\n".join(_why(golden, fresh))
    old, new = regenerate.flatten(golden["outputs"]), regenerate.flatten(fresh["outputs"])
    if old.keys() != new.keys():
        pytest.fail(
            f"{header}\n"
            + "\n".join(regenerate.changes(golden["outputs"], fresh["outputs"]))
            + f"\n{HOW_TO_REGENERATE}"
        )
    for group in golden["outputs"]:
        keys = sorted(k for k in old if k.startswith(f"{group}/"))
        try:
            np.testing.assert_allclose(
                [new[k] for k in keys],
                [old[k] for k in keys],
                rtol=0,
                atol=TOLERANCE.get(group, 1e-12),
                err_msg=group,
            )
        except AssertionError as exc:
            moved = regenerate.changes({k: old[k] for k in keys}, {k: new[k] for k in keys})
            pytest.fail(
                f"{header}\n{group}:\n" + "\n".join(moved) + f"\n{exc}\n{HOW_TO_REGENERATE}"
            )


def test_goldens_cover_the_canonical_scenarios() -> None:
    for scenario_id in regenerate.SCENARIOS:
        golden = json.loads(regenerate.golden_path(scenario_id).read_text(encoding="utf-8"))
        outputs = golden["outputs"]
        assert outputs["response"] and outputs["request"], scenario_id
        assert set(outputs["trust_mean_last_step"]) == set(regenerate.TRUST_MEMBERS)
        for shares in (*outputs["response"].values(), *outputs["final_status"].values()):
            assert sum(shares.values()) == pytest.approx(1.0, abs=1e-12)


def test_goldens_record_the_parameters_they_were_made_with() -> None:
    """Not a failure by itself: the comparison above is what matters. This keeps the provenance
    complete so that a mismatch can name changed defaults."""
    for scenario_id in regenerate.SCENARIOS:
        golden = json.loads(regenerate.golden_path(scenario_id).read_text(encoding="utf-8"))
        assert set(golden["provenance"]["parameters"]) == set(defaults()), HOW_TO_REGENERATE
