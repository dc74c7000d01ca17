"""The engine's own generic operations, registered through the plugin manager like any other."""

from __future__ import annotations

import datetime as _dt
from collections.abc import Callable
from functools import lru_cache
from typing import Any

from ..base.errors import CaseError
from ..base.i18n import _
from . import Arg, Operation, workdays
from .calendars import windows_from_rule
from .dayset import DaySet
from .hookspecs import hookimpl


def _filter(list: list, where: Callable[[dict], Any]) -> list:
    return [item for item in (list or []) if where(item)]


def _pluck(list: list, field: str) -> list:
    return [item.get(field) for item in (list or [])]


def _classify(list: list, table, with_: Callable[[dict], dict]) -> list[dict]:
    try:
        # {**a, **b} costs half of dict(a, **b); the same dict for a record and a table's row
        return [{**item, **table(with_(item))} for item in list or []]
    except TypeError:
        # an item that is no record, a table that gives a list: what dict() says, in its order
        return [dict(item, **table(with_(item))) for item in list or []]


def _service_days(periods, where, not_before=None, exclude=None, exclude_yearly=None,
                  start_field="van", end_field="tot") -> DaySet:
    intervals = []
    for i, item in enumerate(periods or []):
        start, end = item.get(start_field), item.get(end_field)
        if end is not None and end < start:
            raise _reversed(start_field, start, end_field, end, f"periode {i + 1}")
        if not where(item):
            continue
        if not_before is not None:
            if end is not None and end < not_before:
                continue
            if not_before > start:  # max(start, not_before), without the call
                start = not_before
        intervals.append((start, end))
    excluded = []
    for i, item in enumerate(exclude or []):
        start, end = item.get(start_field), item.get(end_field)
        if end is not None and end < start:
            raise _reversed(start_field, start, end_field, end, f"uitsluiting {i + 1}")
        excluded.append((start, end if end is not None else _dt.date.max))
    return DaySet(intervals, excluded, _yearly(exclude_yearly))


def _reversed(start_field: str, start: Any, end_field: str, end: Any, fact: str) -> CaseError:
    return CaseError(_("{end_field} {end} lies before {start_field} {start}").format(
        end_field=end_field, end=end, start_field=start_field, start=start), fact=fact)


# the value last read (a rule's parameter, the same list every time), a copy of it to see
# that it is unchanged, and its windows
_LAST_YEARLY: tuple = (None, None, ())


def _yearly(value: Any) -> tuple:
    """Yearly windows as the rule file writes them, parsed once per distinct value."""
    global _LAST_YEARLY
    last, copy, windows = _LAST_YEARLY
    if value is last and value == copy:  # cheaper than making the key below
        return windows
    try:
        key = tuple((str(w["van"]), str(w["tot"])) for w in value or ())
    except (TypeError, KeyError, IndexError):
        return windows_from_rule(value, "exclude_yearly")  # says what is wrong
    windows = _parsed_yearly(key)
    if type(value) is list and all(type(w) is dict for w in value):
        _LAST_YEARLY = (value, [dict(w) for w in value], windows)
    return windows


@lru_cache(maxsize=256)
def _parsed_yearly(key: tuple[tuple[str, str], ...]) -> tuple:
    return windows_from_rule([{"van": a, "tot": b} for a, b in key], "exclude_yearly")


def _check_service_days(args: dict[str, Any], ctx: Any) -> str | None:
    if "exclude_yearly" in args:
        try:
            windows_from_rule(args["exclude_yearly"], "exclude_yearly")
        except (TypeError, ValueError) as err:
            return str(err)
    return None


OPERATIONS = [
    Operation(
        "filter",
        _filter,
        {"list": Arg(doc="de lijst"), "where": Arg("item", doc="voorwaarde per element", item_of="list")},
        "De elementen van een lijst die aan een voorwaarde voldoen.",
        label="filteren",
        item_fields=lambda fields, tables: fields.get("list"),
    ),
    Operation(
        "pluck",
        _pluck,
        {"list": Arg(doc="de lijst"), "field": Arg("text", doc="naam van het veld")},
        "De waarden van één veld van elk element van een lijst.",
        label="één veld nemen",
    ),
    Operation(
        "classify",
        _classify,
        {
            "list": Arg(doc="de lijst"),
            "table": Arg("table", doc="de beslistabel die elk element beoordeelt"),
            "with": Arg("bindings", doc="de invoer van de tabel, per element", item_of="list"),
        },
        "Beoordeelt elk element van een lijst met een beslistabel; voegt de uitkomsten toe.",
        label="elk element beoordelen",
        item_fields=lambda fields, tables: (fields.get("list") or []) + tables["table"].outputs,
    ),
    Operation(
        "service_days",
        _service_days,
        {
            "periods": Arg(doc="perioden met begin- en einddatum (einde leeg = open)"),
            "where": Arg("item", doc="welke perioden tellen", item_of="periods"),
            "not_before": Arg(required=False, doc="dagen vóór deze datum tellen niet"),
            "exclude": Arg(required=False, doc="perioden die niet tellen (afwezigheden)"),
            "exclude_yearly": Arg(required=False, doc="jaarlijkse vensters {van, tot} "
                                  "(bv. 5 juli, 15 augustus) die niet tellen"),
            "start_field": Arg("text", False, "veld met de begindatum (standaard van)"),
            "end_field": Arg("text", False, "veld met de einddatum (standaard tot)"),
        },
        "Getelde dagen over perioden: overlappende dagen één keer, min uitsluitingen.",
        label="dagen dienst tellen",
        check=_check_service_days,
        explain=lambda args, result: result.describe(),
    ),
]


@hookimpl
def regelwerk_register_operations(register):
    for op in OPERATIONS + workdays.OPERATIONS:
        register(op)
