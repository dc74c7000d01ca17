"""`working_days_after`: the n-th working day after a date, in a calendar a plugin provides.

Which calendar, how many days and which yearly windows suspend the count all come from
the rule file (as parameters); this module only counts. The calendar is looked up by name
in the registry the plugins filled, so a rule file naming an unknown calendar is refused
when it is loaded, with the names that do exist.
"""

from __future__ import annotations

import datetime as _dt
from functools import lru_cache
from typing import Any

from ..base.errors import CaseError, PluginError
from . import Arg, Operation
from .calendars import (
    Calendar,
    UnknownCalendar,
    YearlyWindow,
    add_working_days,
    checked_windows,
    explain_working_days,
    format_month_day,
    windows_from_rule,
)


def _registry_names(context: Any) -> list[str]:
    registry = getattr(context, "calendars", None)
    return registry.names() if registry is not None else []


def _calendar(context: Any, name: Any) -> Calendar:
    """The calendar called `name`, or a CaseError listing the calendars that exist."""
    registry = getattr(context, "calendars", None)
    try:
        if registry is None or not isinstance(name, str):
            raise UnknownCalendar(str(name), _registry_names(context))
        return registry.get(name)
    except UnknownCalendar as err:
        raise CaseError(str(err)) from None


@lru_cache(maxsize=256)
def _parsed_windows(key: tuple[tuple[str, str], ...]) -> tuple[YearlyWindow, ...]:
    """Each distinct set of windows is parsed and checked once per process."""
    rule = [{"van": first, "tot": last} for first, last in key]
    return checked_windows(windows_from_rule(rule, "suspended"))


def _windows(value: Any) -> tuple[YearlyWindow, ...]:
    """Windows as the rule file writes them (`[{van: "07-11", tot: "08-15"}]`), checked."""
    if not value:
        return ()
    try:
        key = tuple((str(w["van"]), str(w["tot"])) for w in value)
    except (TypeError, KeyError, IndexError):
        windows_from_rule(value, "suspended")  # raises the message that says what is wrong
        raise
    return _parsed_windows(key)


def _days(days: Any) -> int:
    if isinstance(days, bool) or not isinstance(days, int) or days < 1:
        raise ValueError(f"days must be a whole number of at least 1, got {days!r}")
    return days


def working_days_after(start: _dt.date | None, days: int, calendar: str,
                       context: Any, suspended: Any = None) -> _dt.date | None:
    """The `days`-th working day after `start` (which never counts); None without a start."""
    if start is None:
        return None
    cal = _calendar(context, calendar)
    n, windows = _days(days), _windows(suspended)
    return _in_calendar(context, cal, add_working_days, start, n, windows)


def _in_calendar(context: Any, cal: Calendar, count: Any, *args: Any) -> Any:
    """Count in a calendar; a calendar class of a plugin that fails is named with its plugin."""
    try:
        return count(cal, *args)
    except (CaseError, OverflowError):  # OverflowError: counted past the year 9999
        raise
    except Exception as err:
        if type(cal) is Calendar:  # the engine's own class: an error of ours or of the case
            raise
        source = context.calendars.source_of(cal.name)
        raise PluginError(source, f"calendar {cal.name!r}", err) from None


def _check(args: dict[str, Any], ctx: Any) -> str | None:
    """Refuse, when the file is loaded, what is wrong in literal and parameter arguments."""
    if "calendar" in args:
        name = args["calendar"]
        known = _registry_names(ctx)
        if not isinstance(name, str) or name not in known:
            return str(UnknownCalendar(str(name), known))
    try:
        if "days" in args:
            _days(args["days"])
        if "suspended" in args:
            _windows(args["suspended"])
    except (TypeError, ValueError) as err:
        return str(err)
    return None


def _explain(args: dict[str, Any], result: Any) -> dict[str, Any]:
    """The calendar used and every day not counted, with why, for the trail."""
    start, name = args["start"], args["calendar"]
    cal = _calendar(args["context"], name)
    windows = _windows(args.get("suspended"))
    detail: dict[str, Any] = {
        "kalender": name,
        "omschrijving": cal.label,
        "land": cal.country,
        "vanaf": start,
        "werkdagen": args["days"],
        "opgeschort": [{"van": format_month_day(a), "tot": format_month_day(b)}
                       for a, b in windows],
        "niet_geteld": [],
        "uitkomst": result,
    }
    if start is None:
        return detail
    trail = _in_calendar(args["context"], cal, explain_working_days, start, _days(args["days"]),
                         windows)
    for entry in trail["skipped"]:
        if "from" in entry:
            detail["niet_geteld"].append(
                {"soort": "opgeschort", "van": entry["from"], "tot": entry["to"],
                 "reden": entry["why"]})
        else:
            kind = "weekend" if entry["date"].weekday() in cal.weekend else "feestdag"
            detail["niet_geteld"].append(
                {"soort": kind, "datum": entry["date"], "reden": entry["why"]})
    return detail


OPERATIONS = [
    Operation(
        "working_days_after",
        working_days_after,
        {
            "start": Arg(doc="de dag waarna geteld wordt (telt zelf niet mee; leeg = geen uitkomst)"),
            "days": Arg(doc="het aantal werkdagen"),
            "calendar": Arg(doc="de naam van de kalender (een plugin levert ze)"),
            "suspended": Arg(required=False,
                             doc="jaarlijkse vensters {van, tot} (bv. 11 juli, 15 augustus) "
                                 "waarin niet geteld wordt"),
        },
        "De n-de werkdag na een datum in een kalender, buiten jaarlijkse opschortingen.",
        label="werkdagen tellen",
        check=_check,
        explain=_explain,
        needs_context=True,
    ),
]
