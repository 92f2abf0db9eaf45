"""cstosim: an agent-based simulator of the Collective Security Treaty Organization.

The public names are imported on first use, so that ``cstosim list`` does not pay for Mesa,
SciPy and Matplotlib.
"""

from importlib import import_module

_EXPORTS = {
    "PARAMETERS": "parameters",
    "defaults": "parameters",
    "AllianceModel": "model",
    "SimulationResult": "runner",
    "run_batch": "runner",
    "run_scenario": "runner",
    "simulate": "runner",
    "Scenario": "scenario",
    "load_scenario": "scenario",
    "run_sweep": "sweep",
}
__all__ = sorted(_EXPORTS)


def __getattr__(name: str):
    if name not in _EXPORTS:
        raise AttributeError(f"module 'cstosim' has no attribute {name!r}")
    return getattr(import_module(f".{_EXPORTS[name]}", __name__), name)
