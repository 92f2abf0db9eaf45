"""Analysis: tables computed from finished result files (sensitivity indices, PRIM boxes).

It imports :mod:`cstosim.experiments` (to read result folders) and the layers below.
"""
