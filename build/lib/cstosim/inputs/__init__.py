"""Inputs: the model's vocabulary, parameter declarations and sets, facts, scenario files.

The bottom layer. It reads files and checks them; it imports nothing from the layers above.
"""
