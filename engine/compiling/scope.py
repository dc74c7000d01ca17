"""What an expression in a rule file can read: the names in scope (facts, parameters, earlier
steps, list item fields, the peildatum), how each is read from a decision's environment, and
how a value is shown in a Dutch text."""

from __future__ import annotations

import datetime as _dt
import operator
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from ..base.errors import CaseError
from .expr import Ref
from .facts import FactSpec
from .model import Param

PEILDATUM = "peildatum"
ITEM = "@item"
PEIL = "@peildatum"


def format_value(value: Any) -> str:
    """A value as it reads in a Dutch text."""
    kind = type(value)  # the usual kinds first, each as the rules below would show it
    if kind is str:
        return value
    if kind is _dt.date:
        return value.isoformat()
    if kind is int:
        return str(value)
    if value is None:
        return "—"
    if value is True:
        return "ja"
    if value is False:
        return "nee"
    if isinstance(value, _dt.date):
        return value.isoformat()
    if isinstance(value, (list, tuple)):
        return ", ".join(format_value(v) for v in value)
    return str(value)


def _read_path(value: Any, path: list[str], name: str) -> Any:
    for key in path:
        if value is None:
            return None
        if not isinstance(value, dict):
            raise CaseError(f"cannot read {key!r} of {format_value(value)!r} in {name!r}")
        value = value.get(key)
    return value


def _path_reader(head: Callable[[dict], Any], path: list[str], name: str) -> Callable:
    """A reader of `name`, a path into the value `head` reads: one key into a mapping, the
    usual case, is read at once; anything else as `_read_path` says."""
    if len(path) == 1:
        key = path[0]

        def read(env: dict) -> Any:
            value = head(env)
            if type(value) is dict:
                return value.get(key)
            return _read_path(value, path, name)

        return read
    return lambda env: _read_path(head(env), path, name)


def _entry(kind: str, name: str, key: str) -> Ref:
    """A name that is an entry of the environment: a fact, a step or the peildatum."""
    return Ref(kind, name, operator.itemgetter(key), code=f"env[{key!r}]")


@dataclass
class StepInfo:
    item_fields: list[str] | None = None
    mapping: bool = False  # its value is always a dict (a table's row, a checks result)


@dataclass
class Scope:
    """The names an expression of a decision can read, and what each one is."""

    facts: dict[str, FactSpec]
    params: dict[str, Param]
    steps: dict[str, StepInfo] = field(default_factory=dict)
    item_fields: list[str] | None = None
    in_item: bool = False
    used_params: dict[str, Param] = field(default_factory=dict)

    def for_items(self, fields: list[str] | None) -> Scope:
        return Scope(self.facts, self.params, self.steps, fields, True, self.used_params)

    def resolve(self, name: str) -> Ref | None:
        if self.in_item and (name in (self.item_fields or ()) or
                             (self.item_fields is None and "." not in name and
                              not self._known(name))):
            return Ref("item", name, lambda env, n=name: env[ITEM].get(n),
                       code=f"env[{ITEM!r}].get({name!r})")
        if name == PEILDATUM:
            return _entry("builtin", name, PEIL)
        if name in self.steps:
            return _entry("step", name, name)
        if name in self.facts:
            return _entry("fact", name, name)
        if name in self.params:
            param = self.params[name]
            self.used_params.setdefault(name, param)
            return Ref("param", name, lambda env, v=param.value: v, True, param.value)
        head, _, rest = name.partition(".")
        if rest:
            path = rest.split(".")
            if self.in_item and head in (self.item_fields or ()):
                return Ref("item", name,
                           _path_reader(lambda env, h=head: env[ITEM].get(h), path, name))
            if head in self.steps:
                # one key of a step that is always a dict: `read` comes to this plain lookup
                code = (f"env[{head!r}].get({path[0]!r})"
                        if self.steps[head].mapping and len(path) == 1 else None)
                return Ref("step", name, _path_reader(operator.itemgetter(head), path, name),
                           code=code)
            if head in self.params:
                param = self.params[head]
                self.used_params.setdefault(head, param)
                value = _read_path(param.value, path, name)
                return Ref("param", name, lambda env, v=value: v, True, value)
        return None

    def names(self) -> list[str]:
        """Every name an expression in this scope can read (for "did you mean")."""
        return [PEILDATUM, *self.steps, *self.facts, *self.params, *(self.item_fields or ())]

    def _known(self, name: str) -> bool:
        return name == PEILDATUM or name in self.steps or name in self.facts or name in self.params

    def fields_of(self, source: str) -> list[str] | None:
        """The item fields of a list named by a bare name, when known."""
        if source in self.facts:
            return self.facts[source].fields
        if source in self.steps:
            return self.steps[source].item_fields
        if self.in_item and source in (self.item_fields or ()):
            return None
        if source in self.params:
            value = self.params[source].value
            if isinstance(value, list) and value and isinstance(value[0], dict):
                return list(value[0])
        return None
