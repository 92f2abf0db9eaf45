"""Plots: every figure, drawn from result files and analysis tables, in one style.

It imports the layers below; nothing below imports it.
"""
