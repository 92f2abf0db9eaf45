"""Core: the Mesa model, its agents, the decision rules, random streams and records.

It imports only :mod:`cstosim.inputs`. Everything here is deterministic given a seed.
"""
