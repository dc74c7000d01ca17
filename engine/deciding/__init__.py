"""Deciding: the `Engine` that applies the rule set in force on a peildatum to a case, and the
trail that explains a decision step by step.

May import: `base`, `ops`, `compiling`, `rulefiles`.
"""
