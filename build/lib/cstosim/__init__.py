"""cstosim: an agent-based simulator of the Collective Security Treaty Organization.

Layers, top down (``docs/architecture.md``): the CLI and :mod:`cstosim.api`; :mod:`.plots`;
:mod:`.analysis`; :mod:`.experiments`; :mod:`.core`; :mod:`.inputs`. The public names below are
imported on first use, so that ``cstosim list`` does not pay for Mesa, SciPy and Matplotlib.
"""

from importlib import import_module

_EXPORTS = {
    "PARAMETERS": "inputs.parameters",
    "defaults": "inputs.parameters",
    "load_set": "inputs.parameters",
    "AllianceModel": "core.model",
    "run_batch": "api",
    "run_scenario": "api",
    "simulate": "api",
    "Scenario": "api",
    "load_scenario": "api",
    "run_sweep": "api",
    "run_compare": "api",
    "run_validation": "api",
    "run_calibration": "api",
    "plot_results": "api",
    "open_results": "api",
    "new_scenario": "api",
    "Result": "results",
    "RunResult": "results",
    "BatchResult": "results",
    "SweepResult": "results",
    "CompareResult": "results",
    "ValidationResult": "results",
    "CalibrationResult": "results",
    "write_report": "report",
}
__all__ = sorted([*_EXPORTS, "__version__"])


def __getattr__(name: str):
    if name == "__version__":  # read on use: importlib.metadata costs 0.1 s at start-up
        from importlib.metadata import PackageNotFoundError, version

        try:
            return version("cstosim")
        except PackageNotFoundError:  # a source tree that was never installed
            return "0+unknown"
    if name not in _EXPORTS:
        raise AttributeError(f"module 'cstosim' has no attribute {name!r}")
    return getattr(import_module(f".{_EXPORTS[name]}", __name__), name)
