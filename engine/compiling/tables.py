"""Decision tables with a named hit policy (DMN's unique, first and collect).

A row's `when` holds one cell per input: left out = any value; a plain value = equal;
a list = one of; `null` = the value is absent; a mapping with one comparison
(`{">=": minimum_dagen}`) = compare, where a text operand is an expression (so it can
name a parameter). Tables of plain cells on one input are looked up in a dictionary.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from .expr import _order

HIT_POLICIES = ("unique", "first", "collect")
COMPARISONS = ("==", "!=", "<", "<=", ">", ">=", "in", "not in")


def _norm(value: Any, ignore_case: bool) -> Any:
    """With `ignore_case`, text compares without case and without spaces around it."""
    if ignore_case and isinstance(value, str):
        return value.strip().casefold()
    return value


@dataclass
class Cell:
    """One cell of a row: a test on one input value."""

    kind: str  # any, equal, one_of, compare
    value: Any = None
    op: str = ""
    operand: Callable[[dict], Any] | None = None
    source: str = ""

    def plain_values(self) -> list | None:
        if self.kind == "equal":
            return [self.value]
        if self.kind == "one_of":
            return list(self.value)
        return None


@dataclass
class Row:
    index: int
    cells: dict[str, Cell]
    then: dict[str, Any]
    citation: str = ""
    line: int = 0
    # texts of `then` with {placeholders}, filled from the table's input values
    templates: dict[str, Callable[[dict], str]] = field(default_factory=dict)

    def outputs(self, values: dict) -> dict:
        out = dict(self.then)
        for name, render in self.templates.items():
            out[name] = render(values)
        return out


@dataclass
class Table:
    """A compiled decision table."""

    name: str
    label: str
    citation: str
    hit_policy: str
    inputs: list[str]
    outputs: list[str]
    rows: list[Row]
    ignore_case: bool = False
    no_match: Callable[[dict], str] | None = None
    params: list = field(default_factory=list)  # the parameters its cells and texts read
    _index: dict | None = field(default=None, init=False, repr=False)
    _tests: list = field(default_factory=list, init=False, repr=False)

    def __post_init__(self) -> None:
        self._tests = [(row, self._row_test(row)) for row in self.rows]
        if len(self.inputs) == 1 and self.hit_policy in ("unique", "first"):
            self._index = self._build_index(self.inputs[0])

    def _build_index(self, name: str) -> dict | None:
        index: dict = {}
        for row in self.rows:
            cell = row.cells.get(name)
            values = cell.plain_values() if cell else None
            if values is None:
                return None  # a wildcard or comparison row: scan instead
            for value in values:
                index.setdefault(_norm(value, self.ignore_case), row)
        return index

    def _row_test(self, row: Row) -> Callable[[dict, dict], Any]:
        """A test of a row on input values: true when every cell matches."""
        tests = []
        ic = self.ignore_case
        for name, cell in row.cells.items():
            if cell.kind == "any":
                continue
            if cell.kind == "equal":
                want = _norm(cell.value, ic)
                if ic:
                    tests.append(lambda v, env, n=name, w=want: _norm(v[n], True) == w)
                else:
                    tests.append(lambda v, env, n=name, w=want: v[n] == w)
            elif cell.kind == "one_of":
                wants = [_norm(x, ic) for x in cell.value]
                tests.append(lambda v, env, n=name, w=wants: _norm(v[n], ic) in w)
            else:
                tests.append(_compare_test(name, cell))
        if len(tests) == 1:
            return tests[0]

        def test(values: dict, env: dict) -> bool:
            for cell_test in tests:  # a loop, not all() over a generator: rows are many
                if not cell_test(values, env):
                    return False
            return True

        return test

    def known_values(self) -> list:
        """The plain values the rows name for the (first) input, for messages."""
        seen: list = []
        for row in self.rows:
            for name in self.inputs[:1]:
                cell = row.cells.get(name)
                for v in (cell.plain_values() or []) if cell else []:
                    if v not in seen:
                        seen.append(v)
        return seen

    def matches(self, values: dict, env: dict) -> list[Row]:
        """The rows that match, as the hit policy wants them (unique: all, to check)."""
        if self._index is not None:
            row = self._index.get(_norm(values[self.inputs[0]], self.ignore_case))
            return [row] if row is not None else []
        found = []
        for row, test in self._tests:
            if test(values, env):
                found.append(row)
                if self.hit_policy == "first":
                    break
        return found


def _compare_test(name: str, cell: Cell) -> Callable[[dict, dict], bool]:
    operand = cell.operand
    op = cell.op
    if op == "==":
        return lambda v, env: v[name] == operand(env)
    if op == "!=":
        return lambda v, env: v[name] != operand(env)
    if op == "in":
        return lambda v, env: v[name] in (operand(env) or ())
    if op == "not in":
        return lambda v, env: v[name] not in (operand(env) or ())
    cmp = _order(op)
    return lambda v, env: cmp(v[name], operand(env))


def cells_overlap(a: Cell | None, b: Cell | None) -> bool:
    """Whether two cells can both match one value (comparisons are assumed to overlap)."""
    if a is None or b is None or a.kind == "any" or b.kind == "any":
        return True
    va, vb = a.plain_values(), b.plain_values()
    if va is None or vb is None:
        return True
    return any(x in vb for x in va)


MAX_OVERLAPS = 20  # overlapping row pairs reported per table; the rest are summed up
_MAX_KEYS = 10_000  # value combinations indexed per row; a row with more is compared pairwise


class _Pairs:
    """Overlapping row pairs found so far, each once, up to a limit."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.found: list[tuple[int, int]] = []
        self.seen: set[tuple[int, int]] = set()

    def add(self, a: int, b: int) -> bool:
        """Note a pair; True when there are more than the limit."""
        pair = (min(a, b), max(a, b))
        if pair not in self.seen:
            self.seen.add(pair)
            self.found.append(pair)
        return len(self.found) > self.limit


def _value_keys(row: Row, inputs: list[str]) -> set[tuple] | None:
    """Every combination of values a row of plain cells matches; None for a row with an open
    or compared cell, too many combinations, or a value that cannot be hashed."""
    sets = []
    for name in inputs:
        cell = row.cells.get(name)
        sets.append(None if cell is None or cell.kind == "any" else cell.plain_values())
    size = 1
    for values in sets:
        size *= len(values) if values is not None else _MAX_KEYS + 1
    if size > _MAX_KEYS:
        return None
    try:
        return set(itertools.product(*sets))
    except TypeError:
        return None


def overlapping_pairs(rows: list[Row], inputs: list[str],
                      limit: int = MAX_OVERLAPS) -> tuple[list[tuple[int, int]], bool]:
    """Pairs of rows (0-based, sorted) that can match one case, at most `limit`; and whether
    there are more.

    Rows of plain cells (values and lists of values) are indexed by every combination of their
    values, so two of them overlap exactly when they share a combination: thousands of rows
    are checked in about linear time. Rows with an open or compared cell are compared with
    every other row (`cells_overlap`).
    """
    pairs = _Pairs(limit)
    index: dict[tuple, list[int]] = {}
    loose: list[int] = []
    for i, row in enumerate(rows):
        keys = _value_keys(row, inputs)
        if keys is None:
            loose.append(i)
            continue
        for key in keys:
            index.setdefault(key, []).append(i)
    more = any(pairs.add(a, b) for same in index.values()
               for a, b in itertools.combinations(same, 2))
    if not more:
        more = _loose_pairs(rows, inputs, loose, pairs)
    return sorted(pairs.found)[:limit], more


def _loose_pairs(rows: list[Row], inputs: list[str], loose: list[int], pairs: _Pairs) -> bool:
    """Compare each loose row with every other row; True when the limit was passed."""
    loose_set = set(loose)
    for i in loose:
        for j in range(len(rows)):
            if j == i or (j in loose_set and j < i):
                continue
            if all(cells_overlap(rows[i].cells.get(n), rows[j].cells.get(n)) for n in inputs) \
                    and pairs.add(i, j):
                return True
    return False
