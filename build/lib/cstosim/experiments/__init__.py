"""Experiments: evaluating worlds (runs, batches, sweeps, what-ifs, validation, calibration),
the executors they run on, and the result files they write.

It imports :mod:`cstosim.core` and :mod:`cstosim.inputs`; it never draws a figure.
"""
