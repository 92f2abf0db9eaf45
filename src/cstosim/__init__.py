"""cstosim: an agent-based simulator of the Collective Security Treaty Organization."""

from .model import AllianceModel
from .parameters import PARAMETERS, defaults
from .runner import SimulationResult, run_batch, run_scenario, simulate
from .scenario import Scenario, load_scenario

__all__ = [
    "PARAMETERS",
    "AllianceModel",
    "Scenario",
    "SimulationResult",
    "defaults",
    "load_scenario",
    "run_batch",
    "run_scenario",
    "simulate",
]
