"""How large a step's value can grow, bounded whatever a rule file says.

A list holds its items by reference, so steps that nest lists (`s2: [s1, s1]`,
`s3: [s2, s2]`, ...) build in a few microseconds a value that, written out as JSON or as a
text, is 2^60 items: one decision would never finish and never stop growing. Each step and
output therefore gets, when the file is loaded, a bound on its size as a linear function of
the size of the case: `constant + copies × case`, worked out from the names it reads (a
fact counts once, an earlier step by its own bound, a parameter by its size). From that:

- `copies` beyond MAX_COPIES, or a constant beyond MAX_VALUE: refused when the file is
  loaded, at the step (the growth is exponential, or the value too large for any case);
- `copies` beyond FREE_COPIES: the value is measured each time the step runs (counting by
  reference, without walking a shared part twice), and refused beyond MAX_VALUE;
- otherwise the value can only be a few times the case: nothing is measured, so the usual
  rule file pays nothing for this.

Sizes count every value once per reference, and a text one per 64 characters.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Any, NamedTuple

from .expr import Node, parse
from .facts import FactSpec
from .model import Note, Output, Param, Step, Template
from .statictexts import PLACEHOLDER
from .tables import Table

MAX_VALUE = 1_000_000  # items in one value, every reference counted, a text per 64 characters
FREE_COPIES = 100  # a value at most this many times the case is never measured
MAX_COPIES = 1_000_000  # a value that may hold the case more often is refused when loaded
_TEXT_UNIT = 64
_TEXT_FACTOR = 2  # a value shown in a text (`{name}`) takes at most about twice its size


class Bound(NamedTuple):
    """A value is at most `constant + copies × (the size of the case)`."""

    constant: int
    copies: int

    def __add__(self, other: Bound) -> Bound:  # type: ignore[override]
        return Bound(self.constant + other.constant, self.copies + other.copies)

    def times(self, factor: int) -> Bound:
        return Bound(self.constant * factor, self.copies * factor)


class TooLarge(ValueError):
    """A value over MAX_VALUE; a ValueError, so a decision names the step that made it."""


def measure(value: Any, limit: int = MAX_VALUE) -> int:
    """The size of a value written out in full (every reference counted, each list or
    mapping walked once however often it is referenced); TooLarge beyond `limit`."""
    if not isinstance(value, (list, tuple, dict)):
        return _scalar(value)
    known: dict[int, int] = {}
    frames = [_frame(value)]
    while True:
        frame = frames[-1]
        for item in frame[1]:
            if isinstance(item, (list, tuple, dict)):
                size = known.get(id(item))
                if size is None:
                    frames.append(_frame(item))
                    break
            else:
                size = _scalar(item)
            frame[2] += size
            if frame[2] > limit:
                raise TooLarge(_too_large(limit))
        else:
            frames.pop()
            known[id(frame[0])] = frame[2]
            if not frames:
                return frame[2]
            frames[-1][2] += frame[2]
            if frames[-1][2] > limit:
                raise TooLarge(_too_large(limit))


def _frame(value: Any) -> list:
    if isinstance(value, dict):
        return [value, iter(value.values()), 1 + sum(_scalar(k) for k in value)]
    return [value, iter(value), 1]


def _scalar(value: Any) -> int:
    if isinstance(value, str):
        return 1 + len(value) // _TEXT_UNIT
    if isinstance(value, int) and not isinstance(value, bool):
        return 1 + value.bit_length() // 256
    return 1


def _too_large(limit: int) -> str:
    return (f"its value is larger than {limit:,} items (written out in full, every "
            f"reference counted, a text one per {_TEXT_UNIT} characters)")


def check_decision(steps: list[Step], outputs: list[Output], raws: list[dict],
                   facts: dict[str, FactSpec], params: dict[str, Param],
                   tables: dict[str, Table], notes: list[Note] = ()) -> list[tuple[tuple, str]]:
    """Bound every step, output and note text (steps as compiled, in order, with their raw
    text), one by one and all together: the trail of a decision writes every one of them out.

    Returns the problems as (path inside the decision, message). When the values together
    can hold the case more than FREE_COPIES times, every value that reads the case is
    measured as it is made, against one budget of MAX_VALUE items for the whole evaluation.
    Call it only when every step compiled."""
    sizer = _Sizer(facts, params, tables)
    problems: list[tuple[tuple, str]] = []
    total = Bound(0, 0)
    bounds: list[tuple[Any, Bound]] = []
    for i, (step, raw) in enumerate(zip(steps, raws)):
        bound = sizer.step(step, raw)
        sizer.steps[step.name] = bound
        where = ("steps", i, next((k for k in ("value", "table", "checks", "op") if k in raw),
                                  "name"))
        total = _add(problems, where, f"step {step.name!r}", bound, total)
        bounds.append((step, bound))
    for output in outputs:
        bound = sizer.expr(output.value.source)
        total = _add(problems, ("outputs", output.name), f"output {output.name!r}", bound, total)
        bounds.append((output, bound))
    texts = [s.note for s in steps if s.note is not None] + list(notes)
    for note in texts:
        bound = sizer.text(note.text.source)
        total += bound
        bounds.append((note, bound))
    if not problems:
        verdict = _verdict("its steps, outputs and notes together", total)
        if verdict:
            problems.append(((), verdict))
    if problems or total.copies <= FREE_COPIES:
        return problems
    for part, bound in bounds:
        if bound.copies:
            _measure_part(part)
    return problems


def _add(problems: list, where: tuple, what: str, bound: Bound, total: Bound) -> Bound:
    verdict = _verdict(what, bound)
    if verdict:
        problems.append((where, verdict))
    return total + bound


def _measure_part(part: Any) -> None:
    """Make a step, an output or a note measure what it makes, against the evaluation's
    budget."""
    if isinstance(part, Step):
        part.run = _measured(part.run)
    elif isinstance(part, Output):
        part.value = dataclasses.replace(part.value, evaluate=_measured(part.value.evaluate))
    else:
        part.text = Template(part.text.source, _measured(part.text.render))


def _verdict(what: str, bound: Bound) -> str | None:
    if bound.copies > MAX_COPIES:
        return (f"{what} can hold the case's facts {bound.copies:,} times over (more than "
                f"{MAX_COPIES:,}): a list that holds an earlier step several times, step after "
                "step ([s, s] of [s, s] ...), grows exponentially")
    if bound.constant > MAX_VALUE:
        return (f"{what} builds a value of {bound.constant:,} items from parameters and "
                f"literals alone, more than the limit of {MAX_VALUE:,}")
    return None


SPENT = "@size"  # what the measured values of one evaluation came to so far, in its env


def _measured(run: Callable[[dict], Any]) -> Callable[[dict], Any]:
    def measured(env: dict) -> Any:
        value = run(env)
        spent = env.get(SPENT, 0)
        try:
            env[SPENT] = spent + measure(value, MAX_VALUE - spent)
        except TooLarge:
            if not spent:
                raise
            raise TooLarge(_TOGETHER) from None
        return value

    return measured


_TOGETHER = (f"with the values made before it, the decision's values are larger than "
             f"{MAX_VALUE:,} items (written out in full, every reference counted, a text one "
             f"per {_TEXT_UNIT} characters)")


class _Sizer:
    """Bounds of the names a decision reads, and of what its steps build from them."""

    def __init__(self, facts: dict[str, FactSpec], params: dict[str, Param],
                 tables: dict[str, Table]):
        self.facts = facts
        self.params = params
        self.tables = tables
        self.steps: dict[str, Bound] = {}
        self._param_sizes: dict[str, int] = {}

    def name(self, kind: str, name: str) -> Bound:
        head = name.partition(".")[0]
        if kind == "step" or (kind == "" and head in self.steps):
            return self.steps.get(head, Bound(0, 1))
        if kind == "param" or (kind == "" and head in self.params):
            return Bound(self._param_size(head), 0)
        if kind == "fact" or (kind == "" and name in self.facts):
            spec = self.facts.get(name)
            default = spec.default if spec is not None else None
            return Bound(_size(default) if default is not None else 0, 1)
        if kind in ("builtin", ""):
            return Bound(1, 0)
        return Bound(0, 1)  # an item of a list, a table's input: part of the case

    def refs(self, refs: list) -> Bound:
        total = Bound(0, 0)
        for ref in refs:
            total += self.name(ref.kind, ref.name)
        return total

    def text(self, template: str) -> Bound:
        total = Bound(1 + len(template) // _TEXT_UNIT, 0)
        for name in PLACEHOLDER.findall(template):
            total += self.name("", name).times(_TEXT_FACTOR)
        return total

    def expr(self, text: str) -> Bound:
        """An expression's bound from its tree: comparisons, arithmetic on numbers and most
        functions give one value, whatever they read; lists and `+` hold their parts."""
        bounds: dict[int, Bound] = {}
        order: list[Node] = []
        stack = [parse(text)]
        while stack:  # children before parents, without recursion
            node = stack.pop()
            order.append(node)
            stack.extend(node.args)
        for node in reversed(order):
            parts = [bounds[id(a)] for a in node.args]
            bounds[id(node)] = self._node(node, parts)
        return bounds[id(order[0])]

    def _node(self, node: Node, parts: list[Bound]) -> Bound:
        kind = node.kind
        if kind == "lit":
            return Bound(_size(node.value), 0)
        if kind == "name":
            return self.name("", node.value)
        if kind == "list":
            return _sum([Bound(1, 0), *parts])
        if kind == "binary" and node.value == "+":
            return _sum(parts)  # joins texts and lists
        if kind == "call" and node.value in _PART_OF_ARGUMENTS:
            return _widest(parts)  # if, get, min, max, difference, lower, ...: one of them
        return Bound(_NUMBER, 0)  # a number, a date, true or false

    def step(self, step: Step, raw: dict) -> Bound:
        if step.kind == "value":
            return self.expr(step.source)
        bound = self.refs(step.refs) + Bound(1 + len(str(step.source)), 0)
        if step.kind == "checks":
            texts = Bound(1, 0)
            for check in raw["checks"]:
                for key in ("pass", "fail"):
                    if key in check:
                        texts += self.text(check[key])
            return Bound(5, 0) + texts.times(2)  # `redenen` holds one of the two lists again
        if step.kind == "table":
            return self.table(self.tables.get(step.source), bound)
        if step.kind == "op":
            for value in (raw.get("args") or {}).values():
                if not isinstance(value, str):  # expressions are in the refs already
                    bound += Bound(_size(value), 0)
            for tname in step.tables:  # each item gets a row's outputs (classify)
                table = self.tables.get(tname)
                if table is not None:
                    bound = bound.times(1 + self.table(table, Bound(0, 0)).constant)
        return bound

    def table(self, table: Table | None, inputs: Bound) -> Bound:
        """A table's result: a row's outputs (every row's, collect), its texts filled in
        from the inputs."""
        if table is None:
            return inputs
        rows = []
        for row in table.rows:
            size = Bound(1 + _size(row.then), 0)
            for value in row.then.values():
                if isinstance(value, str):
                    size += inputs.times(_TEXT_FACTOR * len(PLACEHOLDER.findall(value)))
            rows.append(size)
        if not rows:
            return Bound(1, 0)
        if table.hit_policy == "collect":
            total = Bound(1, 0)
            for size in rows:
                total += size
            return total
        return Bound(max(r.constant for r in rows), max(r.copies for r in rows))

    def _param_size(self, name: str) -> int:
        size = self._param_sizes.get(name)
        if size is None:
            param = self.params.get(name)
            size = self._param_sizes[name] = _size(param.value) if param is not None else 1
        return size


_NUMBER = 1 + 4096 // 256  # the largest number an expression may compute
# functions whose value is (a part of) one of their arguments
_PART_OF_ARGUMENTS = frozenset({"if", "get", "min", "max", "difference", "lower", "trim",
                                "normalize"})


def _sum(bounds: list[Bound]) -> Bound:
    return Bound(sum(b.constant for b in bounds), sum(b.copies for b in bounds))


def _widest(bounds: list[Bound]) -> Bound:
    return Bound(max((b.constant for b in bounds), default=1),
                 max((b.copies for b in bounds), default=0))


def _size(value: Any) -> int:
    return measure(value, limit=1 << 62)
