"""Data read from a file, with the place of every value: what a message needs to point at.

Kept apart from the YAML reader (`yamlsource`), so that rule files taken from the cache
(`rulecache`) answer the same questions without importing it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from .errors import Problem


@dataclass
class Located:
    """Plain data read from a file, with the 1-based (line, col) of every value and mapping key."""

    data: Any
    file: str
    positions: dict[tuple, tuple[int, int]] = field(default_factory=dict)
    key_positions: dict[tuple, tuple[int, int]] = field(default_factory=dict)

    def where(self, path: Sequence) -> tuple[int, int]:
        """Place of the value at path, else of its nearest placed ancestor, else (1, 1)."""
        path = tuple(path)
        while path not in self.positions and path:
            path = path[:-1]
        return self.positions.get(path, (1, 1))

    def key_where(self, path: Sequence) -> tuple[int, int]:
        """Place of the key naming path (for messages about the key itself), else where(path)."""
        return self.key_positions.get(tuple(path)) or self.where(path)

    def problem(self, path: Sequence, message: str, severity: str = "error") -> Problem:
        """A Problem about the value at path, placed in this file."""
        line, col = self.where(path)
        return Problem(self.file, line, col, message, severity)
