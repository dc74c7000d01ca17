"""Booleans are no numbers: `-b`, `x + b` or `add_months(d, b)` with a yes/no fact or
parameter is refused when the file is loaded, where the declared type says so.

What the file cannot show (a step whose value is true or false) is refused when the
decision runs, as a case error naming the step (see `expr`)."""

from __future__ import annotations

from typing import Any

from .expr import Node, parse
from .facts import FactSpec
from .model import Output, Param, Step

_ARITHMETIC = frozenset({"+", "-", "*", "/"})
_COUNTS = {"add_days": "days", "add_months": "months", "add_years": "years"}


def bools_as_numbers(steps: list[Step], outputs: list[Output], raw_outputs: dict,
                     facts: dict[str, FactSpec],
                     params: dict[str, Param]) -> list[tuple[tuple, str, int]]:
    """(path inside the decision, message, column in the expression) for every place where
    an expression computes with a value declared true or false."""
    found: list[tuple[tuple, str, int]] = []
    for i, step in enumerate(steps):
        if step.kind == "value":
            found.extend((("steps", i, "value"), message, col)
                         for message, col in _check(step.source, facts, params))
    for output in outputs:
        where = ("outputs", output.name)
        if isinstance(raw_outputs.get(output.name), dict):
            where += ("value",)
        found.extend((where, message, col)
                     for message, col in _check(output.value.source, facts, params))
    return found


def _check(text: str, facts: dict[str, FactSpec], params: dict[str, Param]):
    stack = [parse(text)]
    while stack:
        node = stack.pop()
        stack.extend(node.args)
        if node.kind == "unary" or (node.kind == "binary" and node.value in _ARITHMETIC):
            operands = node.args
            doing = f"'{node.value}'"
        elif node.kind == "call" and node.value in _COUNTS:
            operands = node.args[1:]
            doing = f"the number of {_COUNTS[node.value]} of {node.value}()"
        else:
            continue
        for operand in operands:
            what = _boolean(operand, facts, params)
            if what:
                yield f"{what} is true or false, not a number: it cannot be {doing}", operand.col


def _boolean(node: Node, facts: dict[str, FactSpec], params: dict[str, Param]) -> Any:
    """How a message names the operand when it is declared true or false, else None."""
    if node.kind == "lit" and isinstance(node.value, bool):
        return "true" if node.value else "false"
    if node.kind != "name":
        return None
    spec = facts.get(node.value)
    if spec is not None and spec.type == "bool":
        return f"fact {node.value!r}"
    param = params.get(node.value)
    if param is not None and isinstance(param.value, bool):
        return f"parameter {node.value!r}"
    return None
