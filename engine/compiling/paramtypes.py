"""Parameter types and bounds: what kind of value a parameter holds, checked where it is set.

A parameter declares its `type` (integer, number, date, text, bool, list, mapping or
`yearly window`) and optional bounds (`min`, `max`); without a declaration the type is
read from the value of the first version that sets it, and every later value must be of
that type. So `value: tien` for a number of months, or 12.5 where whole months are meant,
is refused where it is written (by `validate`, by `new-version --set` and when the file is
loaded) instead of failing every decision later. The bounds live in the rule file; this
module holds no policy number.
"""

from __future__ import annotations

import datetime as _dt
import math
from typing import Any

from ..base.i18n import N_, _
from ..ops.calendars import format_window, parse_month_day, windows_from_rule

TYPES: dict[str, str] = {  # translated where a message is made
    "integer": N_("a whole number"),
    "number": N_("a number"),
    "date": N_("a date YYYY-MM-DD"),
    "text": N_("a text"),
    "bool": N_("true or false"),
    "list": N_("a list"),
    "mapping": N_("a mapping of names to values"),
    "yearly window": N_("a list of yearly periods {van: '5 juli', tot: '15 augustus'}"),
}
BOUNDED = ("integer", "number", "date")


def infer(value: Any) -> str:
    """The type a parameter gets from its first value when the file declares none."""
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "number"
    if isinstance(value, _dt.date):
        return "date"
    if isinstance(value, str):
        return "text"
    if isinstance(value, dict):
        return "mapping"
    if isinstance(value, list) and value and all(
            isinstance(v, dict) and set(v) == {"van", "tot"} for v in value):
        try:  # read as windows only when they are (the operations report bad ones)
            windows_from_rule(value, "value")
        except (TypeError, ValueError):
            return "list"
        return "yearly window"
    return "list"


def _fits(kind: str, value: Any) -> bool:
    if kind == "integer":
        return isinstance(value, int) and not isinstance(value, bool)
    if kind == "number":
        return (isinstance(value, (int, float)) and not isinstance(value, bool)
                and math.isfinite(value))
    if kind == "date":
        return isinstance(value, _dt.date)
    if kind == "text":
        return isinstance(value, str)
    if kind == "bool":
        return isinstance(value, bool)
    if kind == "mapping":
        return isinstance(value, dict)
    return isinstance(value, list)  # list, yearly window (its windows are read below)


def check(name: str, kind: str, value: Any, minimum: Any = None, maximum: Any = None) -> str:
    """Why `value` cannot be the value of parameter `name`, or "" when it can."""
    if not _fits(kind, value):
        return _("parameter {name!r} is {what} (type: {kind}), not {value}").format(
            name=name, what=_(TYPES[kind]), kind=kind, value=_shown(value))
    if minimum is not None and value < minimum:
        return _("parameter {name!r} must be at least {bound}, not {value}").format(
            name=name, bound=_shown(minimum), value=_shown(value))
    if maximum is not None and value > maximum:
        return _("parameter {name!r} must be at most {bound}, not {value}").format(
            name=name, bound=_shown(maximum), value=_shown(value))
    return ""


def window_problems(name: str, value: list) -> list[tuple[tuple, str]]:
    """Each day of a list of yearly windows that cannot be read, at its own place."""
    problems: list[tuple[tuple, str]] = []
    for i, window in enumerate(value):
        if not isinstance(window, dict) or set(window) != {"van", "tot"}:
            problems.append((("value", i), _(
                "parameter {name!r}[{i}] must be {{van, tot}}, e.g. {{van: 5 juli, tot: 15 "
                "augustus}}, not {value}").format(name=name, i=i, value=_shown(window))))
            continue
        for end in ("van", "tot"):
            try:
                parse_month_day(str(window[end]))
            except ValueError as err:
                problems.append((("value", i, end), f"parameter {name!r}[{i}] {end}: {err}"))
    return problems


def check_bound(name: str, kind: str, bound: Any, which: str) -> str:
    """Why a declared bound (`min` or `max`) does not suit the type, or ""."""
    if bound is None:
        return ""
    if kind not in BOUNDED:
        return _("parameter {name!r} is of type {kind}: only {kinds} take {which}").format(
            name=name, kind=kind, kinds=", ".join(BOUNDED), which=which)
    if not _fits(kind, bound) and not (kind == "number" and _fits("integer", bound)):
        return _("{which} of parameter {name!r} must be {what}, not {value}").format(
            which=which, name=name, what=_(TYPES[kind]), value=_shown(bound))
    return ""


def shown(kind: str, value: Any) -> str:
    """A value as a person reads it in explain, diff and docs ("5 juli – 15 augustus")."""
    if kind == "yearly window":
        try:
            return "; ".join(format_window(w) for w in windows_from_rule(value, "value"))
        except (TypeError, ValueError):
            pass
    return ""


def _shown(value: Any) -> str:
    if isinstance(value, _dt.date):
        return value.isoformat()
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def settle(name: str, raw: dict, inherited: Any, version_citation: str
           ) -> tuple[dict[str, Any], list[tuple[tuple, str]]]:
    """What a version's entry for a parameter means, beyond its value and label: its type
    and bounds (declared, else inherited, else read from the value), its citation, and the
    problems of the entry as (key of the entry to point at, message).

    A value that differs from the one it replaces, given without a citation of its own,
    is cited to the version's citation (the text that made the change), not to the text
    that set the old value; `validate` warns about it."""
    kind = raw.get("type") or (inherited.type if inherited is not None else "") \
        or infer(raw["value"])
    minimum = raw.get("min", inherited.minimum if inherited else None)
    maximum = raw.get("max", inherited.maximum if inherited else None)
    problems: list[tuple[tuple, str]] = []
    for key, bound in (("min", minimum), ("max", maximum)):
        message = check_bound(name, kind, bound, key)
        if message:
            problems.append(((key if key in raw else "value",), message))
    if not problems:
        problems.extend(value_problems(name, kind, raw["value"], minimum, maximum))
    own = "citation" in raw
    changed = inherited is not None and not _same(inherited.value, raw["value"])
    if own:
        citation = raw["citation"]
    elif changed and version_citation:
        citation = version_citation
    else:
        citation = inherited.citation if inherited is not None else ""
    fields = {"type": kind, "minimum": minimum, "maximum": maximum, "citation": citation,
              "own_citation": own or not changed, "shown": shown(kind, raw["value"])}
    return fields, problems


def value_problems(name: str, kind: str, value: Any, minimum: Any = None,
                   maximum: Any = None) -> list[tuple[tuple, str]]:
    """What is wrong with a parameter's value for its type and bounds, as (key of the entry
    to point at, message): the value itself, or for a yearly window its days."""
    message = check(name, kind, value, minimum, maximum)
    if message:
        return [(("value",), message)]
    return window_problems(name, value) if kind == "yearly window" else []


def _same(a: Any, b: Any) -> bool:
    return type(a) is type(b) and a == b
