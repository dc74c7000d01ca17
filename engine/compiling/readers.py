"""A decision's fact reader generated as one Python function: the usual case read in a
straight line.

`read_facts` and `unknown_facts` (facts.py) read any case: nested or dotted keys, facts
given twice, undeclared facts, every kind of wrong value, each with its message. Most cases
are plain: nested objects holding exactly the declared facts, each of its declared type.
For those, the function made here does the whole work in one call: it walks the case along
the declared names, notes whether an undeclared key is given (at every level it walks, and
in the items of a list of records), checks and converts each value, and returns the facts
as `read_facts` gives them with whether the case was plain: when it was not, the caller
names the undeclared facts with `unknown_facts` (a warning, or an error in a strict rule
set). At the first thing it cannot judge (a dotted key, a missing required fact, a value
of another type, an impossible date) it returns None, and the caller reads the case the
general way, which finds the same facts or says what is wrong. So the function never
decides anything the general reader would not: it is only allowed to be stricter.

The source is made of this module's own statements: a fact or field name from a rule file
enters it only as a string literal made by repr(); values (defaults, allowed texts, key
sets) are globals of the function.
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Callable

from .facts import FactSpec
from .generated import Source

Reader = Callable[[dict], "tuple[dict, bool] | None"]


class _Source(Source):
    """The reader's statements (see `generated.Source`), with names for its variables."""

    def __init__(self) -> None:
        super().__init__()
        self.names.update(_iso=_dt.date.fromisoformat, _dotted=_dotted)
        self.count = 0

    def var(self, prefix: str = "v") -> str:
        self.count += 1
        return f"{prefix}{self.count}"


def _check(src: _Source, spec: FactSpec, var: str) -> None:
    """Statements that convert the value in `var` (not None) as `spec.convert` would, or
    return None when `spec.convert` would refuse it (or might: being stricter is allowed)."""
    kind = spec.type
    if kind == "bool":
        src.line(f"if {var} is not True and {var} is not False: return None")
    elif kind == "date":
        src.line(f"if type({var}) is not str or len({var}) != 10 or {var}[4] != '-' "
                 f"or {var}[7] != '-': return None")
        src.line(f"{var} = _iso({var})")  # ValueError: an impossible date, read again
    elif kind == "text":
        src.line(f"if type({var}) is not str: return None")
        if spec.one_of is not None:
            src.line(f"if {var} not in {src.name(tuple(spec.one_of))}: return None")
    elif kind == "integer":
        src.line(f"if type({var}) is not int: return None")
    elif kind == "number":
        src.line(f"if type({var}) is not int and (type({var}) is not float "
                 f"or {var} - {var} != 0.0): return None")  # not finite: inf - inf is nan
    elif kind == "list":
        _check_list(src, spec, var)
    else:  # pragma: no cover - the schema admits only the kinds above
        raise ValueError(kind)


def _check_list(src: _Source, spec: FactSpec, var: str) -> None:
    src.line(f"if type({var}) is not list: return None")
    items = spec.items
    if items is None:
        src.line(f"{var} = list({var})")
        return
    out, item = src.var("o"), src.var("i")
    src.line(f"{out} = []")
    src.line(f"for {item} in {var}:")
    src.depth += 1
    if isinstance(items, FactSpec):
        _check(src, items, item)
        src.line(f"{out}.append({item})")
    else:
        src.line(f"if type({item}) is not dict: return None")
        _keys_declared(src, item, frozenset(items))
        values = []
        for name, field in items.items():
            value = src.var()
            src.line(f"{value} = {item}.get({name!r})")
            _optional(src, field, value)
            values.append(f"{name!r}: {value}")
        src.line(f"{out}.append({{{', '.join(values)}}})")
    src.depth -= 1
    src.line(f"{var} = {out}")


def _keys_declared(src: _Source, mapping: str, known: frozenset) -> None:
    """Statements checking that the keys of `mapping` are declared names: an undeclared
    name (no dots) only makes the case not plain (the caller then names it in a warning);
    a dotted key may spell a declared fact, which only the general reader judges."""
    src.line(f"if not {mapping}.keys() <= {src.name(known)}:")
    src.line(f"    if _dotted({mapping}, {src.name(known)}): return None")
    src.line("    plain = False")


def _dotted(mapping: dict, known: frozenset) -> bool:
    return any("." in key for key in mapping.keys() - known)


def _optional(src: _Source, spec: FactSpec, var: str) -> None:
    """`var` holds a fact's value as given, None when absent: its default, or converted."""
    if spec.required:
        src.line(f"if {var} is None: return None")
        _check(src, spec, var)
        return
    src.line(f"if {var} is None:")
    src.line(f"    {var} = {src.name(spec.default)}")
    src.line("else:")
    src.depth += 1
    _check(src, spec, var)
    src.depth -= 1


def _walk(src: _Source, node: dict, holder: str, specs: dict[str, FactSpec], prefix: str,
          found: dict[str, str]) -> None:
    """Statements reading every declared fact below `node` (a level of the declared names)
    from the mapping in `holder`, whose keys were checked to be declared at this level."""
    for key, inner in node.items():
        value = src.var()
        src.line(f"{value} = {holder}.get({key!r})")
        name = prefix + key
        if inner is True:
            _optional(src, specs[name], value)
            found[name] = value
            continue
        below = [s for n, s in specs.items() if n.startswith(name + ".")]
        if any(s.required for s in below):
            src.line(f"if {value} is None: return None")
        else:  # a group given null or not at all: every fact in it takes its default
            src.line(f"if {value} is None: {value} = {{}}")
        src.line(f"if type({value}) is not dict: return None")
        _keys_declared(src, value, frozenset(inner))
        _walk(src, inner, value, specs, name + ".", found)


def _shape(specs: list[FactSpec]) -> dict | None:
    """The declared names as a tree of their parts; None when one declared name lies inside
    another (`a` and `a.b`), which the general reader alone judges."""
    shape: dict = {}
    for spec in specs:
        *path, last = spec.name.split(".")
        node = shape
        for part in path:
            node = node.setdefault(part, {})
            if node is True:
                return None
        if last in node:
            return None
        node[last] = True
    return shape


def make_reader(specs: list[FactSpec]) -> Reader | None:
    """The fact reader of a decision with these inputs, or None when its facts are not
    plain enough for one (the general reader then reads every case)."""
    shape = _shape(specs)
    if shape is None or not specs:
        return None
    src = _Source()
    src.line("try:")
    src.depth += 1
    src.line("if type(case) is not dict: return None")
    src.line("plain = True")
    _keys_declared(src, "case", frozenset(shape))
    found: dict[str, str] = {}
    _walk(src, shape, "case", {s.name: s for s in specs}, "", found)
    env = ", ".join(f"{s.name!r}: {found[s.name]}" for s in specs)
    src.line(f"return {{{env}}}, plain")
    src.depth -= 1
    src.line("except (ValueError, TypeError):")  # an impossible date: read again, generally
    src.line("    return None")
    return src.function("read", "case")


_READERS: dict[int, tuple[list[FactSpec], Reader | None]] = {}


def reader_of(specs: list[FactSpec]) -> Reader | None:
    """`make_reader(specs)`, made once per list of specs (a decision's inputs)."""
    found = _READERS.get(id(specs))
    if found is None or found[0] is not specs:  # the id of a collected list may be reused
        if len(_READERS) > 10_000:  # engines built again and again in one process
            _READERS.clear()
        found = _READERS[id(specs)] = (specs, make_reader(specs))
    return found[1]
