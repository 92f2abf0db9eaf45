"""The architecture holds: layers, the honesty contracts, and Mesa used as Mesa means."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from cstosim.core.model import AllianceModel
from tests.support import ROOT

pytestmark = [pytest.mark.unit]


def test_import_contracts_are_kept() -> None:
    """Layers top-down, no plotting below plots/, and [expected] out of the model's reach."""
    lint = Path(sys.executable).with_name("lint-imports")
    done = subprocess.run(
        [str(lint), "--config", str(ROOT / "pyproject.toml")],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "0 broken" in done.stdout


class _DrawsFromMesa(AllianceModel):
    """A model whose step draws from Mesa's generator, as a careless new rule might."""

    def step(self) -> None:
        self.rng.random()
        super().step()


def test_drawing_from_mesa_generators_inside_a_step_fails_loudly(mini) -> None:
    model = _DrawsFromMesa(mini, n_worlds=3, seed=1)
    with pytest.raises(RuntimeError, match="WorldStreams"):
        model.step()
    with pytest.raises(RuntimeError, match="WorldStreams"):
        AllianceModel(mini, n_worlds=3, seed=1).random.random()


def test_mesa_keeps_the_clock_and_the_registry(mini) -> None:
    model = AllianceModel(mini, n_worlds=2, seed=1)
    states = list(model.agents)
    assert [m.code for m in states] == [
        "RUS",
        "BLR",
        "KAZ",
        "KGZ",
        "TJK",
        "ARM",
        "UZB",
        "AZE",
        "GEO",
    ]
    assert model.time == 0
    model.step()
    model.step()
    assert model.time == 2 and model.month == 1
    model.run_to_end()
    assert model.time == mini.n_steps
    assert len(model.recorder.dates) == mini.n_steps
    assert np.all(model.russia.status == 1)
