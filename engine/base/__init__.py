"""Foundations every other part may use: errors, places in files, atomic writes, JSON values
and the on-disk cache.

May import: nothing else from the engine.
"""
