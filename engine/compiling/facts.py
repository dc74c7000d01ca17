"""Case facts: the types a rule file declares for its inputs, and reading a case against them.

A case arrives as nested JSON (`{"trainee": {"in_ambt": true}}`) or with dotted keys
(`{"trainee.in_ambt": true}`); both spell the same fact. Every value is checked and
converted once, before any rule runs, so a rule never sees a wrong type.
"""

from __future__ import annotations

import datetime as _dt
import functools
import math
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from ..base.dates import date_problem
from ..base.errors import CaseError
from ..base.i18n import N_, _, language
from ..base.suggest import closest

MISSING = object()
MAX_UNKNOWN_SHOWN = 5

_TYPE_WORDS = {  # translated where a message is made
    "bool": N_("true or false"),
    "date": N_("a date YYYY-MM-DD"),
    "text": N_("text"),
    "integer": N_("a whole number"),
    "number": N_("a number"),
    "list": N_("a list"),
}


def _show(value: Any) -> str:
    text = repr(value) if isinstance(value, str) else _json_like(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _json_like(value: Any) -> str:
    if value is True:
        return "true"
    if value is False:
        return "false"
    if value is None:
        return "null"
    if isinstance(value, dict):
        return _("an object")
    if isinstance(value, list):
        return _("a list")
    return str(value)


def parse_date(value: Any) -> _dt.date:
    """A date from ISO `YYYY-MM-DD` text (or a date the YAML reader made); ValueError otherwise."""
    if type(value) is str:  # the usual case first: ISO text from JSON
        if len(value) == 10 and value[4] == "-" and value[7] == "-":
            return _fromisoformat(value)
        raise ValueError
    if isinstance(value, _dt.datetime):
        raise ValueError
    if isinstance(value, _dt.date):
        return value
    if isinstance(value, str) and len(value) == 10 and value[4] == "-" and value[7] == "-":
        return _dt.date.fromisoformat(value)
    raise ValueError


_fromisoformat = _dt.date.fromisoformat


@dataclass
class FactSpec:
    """One declared input: its name, type, whether it may be absent, and a Dutch label."""

    name: str
    type: str
    required: bool = True
    label: str = ""
    one_of: list | None = None
    default: Any = None
    items: FactSpec | dict[str, FactSpec] | None = None
    convert: Callable[[Any, str], Any] = field(init=False, repr=False)
    find: Callable[[dict], Any] = field(init=False, repr=False)  # its value in a case: lookup

    def __post_init__(self) -> None:
        self.convert = self._build()
        self.find = _finder(self.name)

    def _build(self) -> Callable[[Any, str], Any]:
        """The function that checks a value of this fact and gives it as the engine reads it."""
        make = _CONVERTERS.get(self.type)
        if make is None:  # pragma: no cover - the schema only admits the kinds below
            raise ValueError(f"unknown type {self.type}")
        return make(self, _failure(self.type))

    @property
    def fields(self) -> list[str] | None:
        """The field names of a list's items, when they are records."""
        if isinstance(self.items, dict):
            return list(self.items)
        return None


def _failure(kind: str) -> Callable[..., CaseError]:
    def fail(value: Any, where: str, what: str | None = None) -> CaseError:
        want = what or _(_TYPE_WORDS.get(kind, kind))
        return CaseError(_("expected {want}, got {value}").format(want=want, value=_show(value)),
                         fact=where)

    return fail


def _bool_converter(spec: FactSpec, fail: Callable) -> Callable[[Any, str], Any]:
    def convert(value, where):
        if value is True or value is False:
            return value
        raise fail(value, where)

    return convert


def _date_converter(spec: FactSpec, fail: Callable) -> Callable[[Any, str], Any]:
    def convert(value, where):
        try:
            return parse_date(value)
        except ValueError:
            if isinstance(value, str) and len(value) == 10:
                raise CaseError(date_problem(value), fact=where) from None
            raise fail(value, where) from None

    return convert


def _text_converter(spec: FactSpec, fail: Callable) -> Callable[[Any, str], Any]:
    allowed = spec.one_of

    def convert(value, where):
        if not isinstance(value, str):
            raise fail(value, where)
        if allowed is not None and value not in allowed:
            choices = ", ".join(map(str, allowed))
            message = _("{value!r} is not one of: {choices}")
            raise CaseError(message.format(value=value, choices=choices), fact=where)
        return value

    return convert


def _number_converter(spec: FactSpec, fail: Callable) -> Callable[[Any, str], Any]:
    numeric = (int,) if spec.type == "integer" else (int, float)

    def convert(value, where):
        if isinstance(value, bool) or not isinstance(value, numeric):
            raise fail(value, where)
        if isinstance(value, float) and not math.isfinite(value):
            message = _("expected a finite number, got {value}").format(value=value)
            raise CaseError(message, fact=where)
        return value

    return convert


def _list_converter(spec: FactSpec, fail: Callable) -> Callable[[Any, str], Any]:
    items = spec.items
    item = (None if items is None else items.convert if isinstance(items, FactSpec)
            else functools.partial(_convert_record, items))

    def convert(value, where):
        if not isinstance(value, list):
            raise fail(value, where)
        if item is None:
            return list(value)
        out: list = []
        try:
            for v in value:
                out.append(item(v, ""))
        except CaseError as err:
            # where the item is, only now: naming every item costs more than reading it
            raise CaseError(err.detail, fact=f"{where}[{len(out)}]{err.fact}") from None
        return out

    return convert


_CONVERTERS: dict[str, Callable[[FactSpec, Callable], Callable[[Any, str], Any]]] = {
    "bool": _bool_converter, "date": _date_converter, "text": _text_converter,
    "integer": _number_converter, "number": _number_converter, "list": _list_converter,
}


def _convert_record(fields: dict[str, FactSpec], value: Any, where: str) -> dict:
    if not isinstance(value, dict):
        raise CaseError(_("expected an object with {fields}, got {value}").format(
            fields=", ".join(fields), value=_show(value)), fact=where)
    out = {}
    for name, spec in fields.items():
        raw = value.get(name)
        if raw is None:
            if spec.required:
                raise CaseError(_("missing"), fact=f"{where}.{name}")
            out[name] = spec.default
        else:
            try:
                out[name] = spec.convert(raw, name)
            except CaseError as err:
                raise CaseError(err.detail, fact=f"{where}.{err.fact}") from None
    return out


_PARTS: dict[str, list[str]] = {}  # dotted fact names, split once


def lookup(case: dict, name: str) -> Any:
    """The value of a dotted fact in a case, nested or spelt with dots; MISSING if absent."""
    if name in case:
        return case[name]
    node: Any = case
    parts = _PARTS.get(name)
    if parts is None:
        parts = name.split(".")
        if len(_PARTS) < 10_000:  # names come from rule files: a bound only against misuse
            _PARTS[name] = parts
    for i, part in enumerate(parts):
        if not isinstance(node, dict):
            return MISSING
        if part in node:
            node = node[part]
            continue
        rest = ".".join(parts[i:])
        return node.get(rest, MISSING) if i else MISSING
    return node


def _finder(name: str) -> Callable[[dict], Any]:
    """`lookup` of one fact, spelt out for names of one and two parts (it runs for every
    declared fact of every case). A fact given in two spellings (`{"a": {"b": 1}, "a.b": 2}`)
    is a CaseError: one fact has one value. Nested, the usual way, costs no extra check:
    only a dotted key can collide with another spelling."""
    parts = name.split(".")
    if len(parts) == 1:
        return lambda case: case.get(name, MISSING)
    if len(parts) == 2:
        head, tail = parts

        def find(case: dict) -> Any:
            if name in case:
                node = case.get(head)
                if node is not None and (type(node) is not dict or node.get(tail) is not None):
                    _given_twice(case, name)
                return case[name]
            node = case.get(head)
            return node.get(tail, MISSING) if isinstance(node, dict) else MISSING

        return find

    def find_deep(case: dict) -> Any:
        found = _spellings(case, parts)
        if len(found) > 1:
            _given_twice(case, name)
        return found[0][1] if found else lookup(case, name)

    return find_deep


def _spellings(node: Any, parts: list[str], prefix: str = "") -> list[tuple[str, Any]]:
    """Every way a case gives a dotted fact, as (spelling, value): nested, dotted or mixed
    (`a.b.c`, `a: {b.c}`, `a.b: {c}`, `a: {b: {c}}`). A value where a group of facts
    belongs (`a: 5` for `a.b`) counts as one too: it cannot be both. Null is not given."""
    found: list[tuple[str, Any]] = []
    for i in range(1, len(parts) + 1):
        key = ".".join(parts[:i])
        value = node.get(key) if isinstance(node, dict) else None
        if value is None:
            continue
        spelt = f"{prefix}{key}"
        if i == len(parts):
            found.append((spelt, value))
        elif isinstance(value, dict):
            found.extend(_spellings(value, parts[i:], spelt + " › "))
        else:
            found.append((spelt, value))
    return found


def _given_twice(case: dict, name: str) -> None:
    (first, a), (second, b) = _spellings(case, name.split("."))[:2]
    raise CaseError(f"given twice, as {first!r} ({_show(a)}) and as {second!r} ({_show(b)}): "
                    "give each fact once", fact=name)


def given_facts(case: dict, prefix: str = "") -> list[str]:
    """Every leaf fact a case gives, as dotted names (lists are leaves)."""
    names: list[str] = []
    for key, value in case.items():
        name = f"{prefix}{key}"
        if isinstance(value, dict) and value:
            names.extend(given_facts(value, name + "."))
        else:
            names.append(name)
    return names


def _missing(case: dict, name: str) -> str:
    """Why a fact is missing: absent, or a value given where a group of facts belongs."""
    parts = name.split(".")
    for i in range(1, len(parts)):
        group = ".".join(parts[:i])
        value = lookup(case, group)
        if value is not MISSING and value is not None and not isinstance(value, dict):
            return _("missing: {group} is {value}, but it must be an object holding {rest}").format(
                group=group, value=_show(value), rest=".".join(parts[i:]))
    given = closest(name, [n for n in given_facts(case) if lookup(case, n) is not None], 0.8)
    if given is not None:  # a misspelt fact: the warning about it would come too late
        return _("missing; the case gives {given!r}: did you mean {name!r}?").format(
            given=given, name=name)
    return _("missing")


def read_facts(specs: list[FactSpec], case: dict, decision: str) -> dict[str, Any]:
    """Check and convert the declared facts of a case; raises CaseError naming the fact."""
    if not isinstance(case, dict):
        raise CaseError(_("a case must be an object of facts"), decision=decision)
    env: dict[str, Any] = {}
    for spec in specs:
        try:
            raw = spec.find(case)
        except CaseError as err:  # a fact given twice
            raise CaseError(err.detail, decision=decision, fact=err.fact) from None
        if raw is MISSING or raw is None:
            if spec.required:
                raise CaseError(_missing(case, spec.name), decision=decision, fact=spec.name)
            env[spec.name] = spec.default
            continue
        try:
            env[spec.name] = spec.convert(raw, spec.name)
        except CaseError as err:
            raise CaseError(err.detail, decision=decision, fact=err.fact) from None
    return env


def unknown_facts(specs: list[FactSpec], case: dict) -> list[str]:
    """Facts a case gives that the decision does not declare, as dotted names; the fields of
    a list's items count too (`aanstellingen[2].sort`). A misspelt fact is silently absent
    otherwise, so callers warn about these, or refuse them in a strict rule set."""
    if not isinstance(case, dict):
        return []
    declared, groups, lists, shape = _declared(specs)
    if _all_declared(case, shape) and _all_fields_declared(case, lists):
        return []  # the usual case, found without naming every fact the case gives
    unknown: list[str] = []
    if _unknown_along(case, shape, "", unknown):
        _unknown_fields(case, lists, unknown)
        return unknown
    unknown.clear()  # a key spelt with dots: only the full check below knows what it names
    for name in given_facts(case):
        if name in declared or name in groups:
            continue  # groups: an empty mapping or null where a group of facts belongs
        parts = name.split(".")
        if any(".".join(parts[:i]) in declared for i in range(1, len(parts))):
            continue  # inside a fact whose value is a mapping
        unknown.append(name)
    _unknown_fields(case, lists, unknown)
    return unknown


def _unknown_fields(case: dict, lists: list[FactSpec], unknown: list[str]) -> None:
    for spec in lists:
        fields = spec.items
        value = lookup(case, spec.name)
        if not isinstance(value, list):
            continue
        for i, item in enumerate(value):
            if isinstance(item, dict):
                unknown.extend(f"{spec.name}[{i}].{k}" for k in item if k not in fields)


def _unknown_along(case: dict, shape: dict, prefix: str, unknown: list[str]) -> bool:
    """Collect the undeclared facts of a case walking it along `shape`, in the order
    `given_facts` names them (what `unknown_facts` finds, without naming every fact given);
    False when a key is spelt with dots (the caller then does the full check)."""
    for key, value in case.items():
        if "." in key:
            return False
        inner = shape.get(key)
        if inner is True:
            continue
        nested = isinstance(value, dict) and value
        if inner is None:
            if nested:  # nothing below an undeclared name is declared
                unknown.extend(given_facts(value, f"{prefix}{key}."))
            else:
                unknown.append(prefix + key)
        elif nested and not _unknown_along(value, inner, f"{prefix}{key}.", unknown):
            return False
    return True


def _all_declared(case: dict, shape: dict) -> bool:
    """Whether every fact a case gives is declared, or lies inside a declared fact, or is a
    group of facts given empty (as `unknown_facts` judges them), walking the case's nested
    mappings along `shape`. False also when a key is spelt with dots: only the full check
    knows what those name."""
    for key, value in case.items():
        inner = shape.get(key)
        if inner is True:
            continue  # a declared fact: what lies inside it is its value
        if inner is None:
            return False
        if isinstance(value, dict) and value and not _all_declared(value, inner):
            return False
    return True


def _all_fields_declared(case: dict, lists: list[FactSpec]) -> bool:
    """Whether every item of these list facts gives only the fields its items declare."""
    for spec in lists:
        value = spec.find(case)
        if isinstance(value, list):
            fields = spec.items.keys()
            for item in value:
                if isinstance(item, dict) and not item.keys() <= fields:
                    return False
    return True


_DECLARED: dict[int, tuple[list, tuple[set, set, list, dict]]] = {}


def _declared(specs: list[FactSpec]) -> tuple[set[str], set[str], list[FactSpec], dict]:
    """A decision's declared fact names, the groups above them (`trainee` of
    `trainee.in_ambt`), its list facts with known item fields, and the declared names as a
    tree of their parts (a declared fact is True, a group a mapping); worked out once per
    list of specs (a decision's inputs), not for every case."""
    found = _DECLARED.get(id(specs))
    if found is None or found[0] is not specs:  # the id of a collected list may be reused
        names = {spec.name for spec in specs}
        groups = {".".join(parts[:i]) for parts in (n.split(".") for n in names)
                  for i in range(1, len(parts))}
        lists = [spec for spec in specs if spec.type == "list" and isinstance(spec.items, dict)]
        shape: dict = {}
        for name in names:
            *path, last = name.split(".")
            node = shape
            for part in path:
                node = node.setdefault(part, {})
                if node is True:  # inside a declared fact: that fact covers it
                    break
            else:
                node[last] = True
        if len(_DECLARED) > 10_000:  # engines built again and again in one process
            _DECLARED.clear()
        found = _DECLARED[id(specs)] = (specs, (names, groups, lists, shape))
    return found[1]


@functools.lru_cache(maxsize=4096)
def _closest(name: str, pool: tuple[str, ...]) -> str | None:
    """The declared name closest to an unknown one, worked out once per name: the same
    misspelt fact in every line of a batch must not cost a similarity search each time."""
    return closest(name, pool)


_DESCRIBED: dict[tuple, tuple[list[FactSpec], str]] = {}


def describe_unknown(unknown: list[str], specs: list[FactSpec]) -> str:
    """One line naming the unknown facts (the first few), with the closest declared name;
    made once per set of unknown names, decision and language (a batch whose every line
    carries the same undeclared fact gets the same warning on every line)."""
    key = (tuple(unknown), id(specs), language())
    found = _DESCRIBED.get(key)
    if found is None or found[0] is not specs:  # the id of a collected list may be reused
        if len(_DESCRIBED) > 10_000:
            _DESCRIBED.clear()
        found = _DESCRIBED[key] = (specs, _describe_unknown(unknown, specs))
    return found[1]


def _describe_unknown(unknown: list[str], specs: list[FactSpec]) -> str:
    names = tuple(spec.name for spec in specs)
    shown = []
    for name in unknown[:MAX_UNKNOWN_SHOWN]:
        base = name.rsplit("].", 1)[-1] if "]." in name else name
        pool = names
        if "]." in name:
            owner = next((s for s in specs if name.startswith(s.name + "[")), None)
            pool = tuple(owner.items) if owner is not None and isinstance(owner.items, dict) else ()
        close = _closest(base, pool)
        shown.append(f"{name!r}" + (_(" (did you mean {name!r}?)").format(name=close)
                                    if close else ""))
    more = len(unknown) - len(shown)
    extra = _(" and {n} more").format(n=more) if more > 0 else ""
    if len(unknown) == 1:
        return _("unknown fact {fact}: the decision does not read it").format(fact=shown[0])
    return _("unknown facts {facts}{more}: the decision does not read them").format(
        facts=", ".join(shown), more=extra)
