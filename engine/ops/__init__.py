"""Operations and calendars: the generic, parameterised calculations rule files call, the
working-day calendars and day sets they count with, and the plugin hooks through which an
organisation adds rule folders, operations and calendars (`hookspecs`, `plugins`).

May import: `base`.

Named operations are what rule files call from a step (`op: service_days`).

An operation is Python: generic, parameterised arithmetic (days of service, working days,
list filters). Which operation a decision uses, with which arguments, is in the rule
file. Each argument has a kind, so the compiler can check a call when it loads the file:

- `value`: an expression, evaluated in the decision's scope;
- `item`: an expression evaluated once per list item, with the item's fields in scope
  (the operation receives a function of the item);
- `table`: the name of one of the version's decision tables;
- `bindings`: a mapping of names to per-item expressions (`with:` of a table);
- `text`: a literal text, never an expression (a field name, say).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

ARG_KINDS = ("value", "item", "table", "bindings", "text")


@dataclass(frozen=True)
class Arg:
    kind: str = "value"
    required: bool = True
    doc: str = ""
    item_of: str = ""  # for `item` and `bindings`: the argument holding the list


@dataclass
class Operation:
    """A named operation: its Python function, its arguments and how to explain it."""

    name: str
    fn: Callable[..., Any]
    args: dict[str, Arg]
    doc: str
    # fields of the items of the list it returns, from the fields of its list arguments
    # and the tables it was given
    item_fields: Callable[[dict[str, Any], dict[str, Any]], list[str] | None] | None = None
    # check the arguments known when the file is loaded (literals and parameters), with the
    # compile context (its `.calendars`); returns None, a message, or (argument, message) to
    # point at that argument
    check: Callable[[dict[str, Any], Any], str | tuple[str, str] | None] | None = None
    # details for the trail, from the arguments and the result
    explain: Callable[[dict[str, Any], Any], Any] | None = None
    source: str = field(default="regelwerk")
    # an operation that reads what plugins registered (a calendar by name, say) receives the
    # compile context as the keyword argument `context`, in `fn` and in `explain`'s arguments
    needs_context: bool = False
    # a short Dutch name of what it does, shown with `doc` in explanations and the docs
    label: str = ""


class OperationClash(Exception):
    pass


class OperationRegistry:
    """Operations by name; plugins add, none replaces another's."""

    def __init__(self) -> None:
        self._ops: dict[str, Operation] = {}

    def register(self, op: Operation, *, source: str = "regelwerk") -> None:
        """Add an operation; a name already taken is a clash naming both plugins."""
        if not isinstance(op, Operation):
            raise TypeError(f"{source}: expected an Operation, got {type(op).__name__}")
        for arg in op.args:  # they become keyword arguments of the call compiled for a step
            if not (isinstance(arg, str) and arg.isidentifier()):
                raise TypeError(f"{source}: operation {op.name!r}: argument name {arg!r} is "
                                "not a Python identifier")
        for arg_name, arg in op.args.items():  # the compiler compiles each kind its own way
            kind = getattr(arg, "kind", None)
            if kind not in ARG_KINDS:
                raise TypeError(f"{source}: operation {op.name!r}: argument {arg_name!r} has "
                                f"kind {kind!r}; kinds: {', '.join(ARG_KINDS)}")
        if op.name in self._ops:
            other = self._ops[op.name].source
            raise OperationClash(
                f"operation {op.name!r} is registered by both {other!r} and {source!r}"
            )
        op.source = source
        self._ops[op.name] = op

    def get(self, name: str) -> Operation | None:
        return self._ops.get(name)

    def copy(self) -> OperationRegistry:
        """A registry with the same operations, to add a plugin's to before committing them."""
        other = OperationRegistry()
        other._ops = dict(self._ops)
        return other

    def names(self) -> list[str]:
        return sorted(self._ops)

    def __iter__(self):
        return iter(self._ops.values())


def calendar_check(arg: str = "calendar") -> Callable[[dict[str, Any], Any],
                                                     tuple[str, str] | None]:
    """An operation `check` for an argument naming a calendar: it must be one a plugin registered.

    Use it so a misspelt calendar in a rule file is reported when the file is loaded, at the
    argument, instead of when a case is decided.
    """

    def check(args: dict[str, Any], ctx: Any) -> tuple[str, str] | None:
        name = args.get(arg)
        registry = getattr(ctx, "calendars", None)
        if name is None or registry is None:
            return None  # not known when loading (an expression on facts): checked when deciding
        if not isinstance(name, str) or name not in registry.names():
            known = ", ".join(registry.names()) or "(none)"
            return arg, f"unknown calendar {name!r}; known: {known}"
        return None

    return check
