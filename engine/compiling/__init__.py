"""Compiling rule files: expressions, decision tables, facts, and the compiled model of a
rule set (its versions, parameters, steps, outputs and notes).

May import: `base`, `ops`.
"""
