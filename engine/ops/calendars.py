"""Working-day calendars that organisation plugins provide and rule files name.

No policy lives here: how many days, which calendar and which suspension windows apply
all come from the rule files as arguments. A calendar knows only its weekend and the
public holidays of one country (from the `holidays` package, built once per year per
process). Counting starts on the day after the start date and jumps over a suspension
window in one step, so a deadline of a few thousand working days stays cheap.
"""

from __future__ import annotations

import calendar as _stdcal
import re
from array import array
from bisect import bisect_right
from collections.abc import Mapping, Sequence
from datetime import MAXYEAR, date, datetime, timedelta
from functools import cache, lru_cache
from types import MappingProxyType
from typing import Any

from ..base.i18n import _

YearlyWindow = tuple[tuple[int, int], tuple[int, int]]
"""((month, day) first, (month, day) last), inclusive, every year; may wrap the year end."""

_ONE_DAY = timedelta(days=1)
_WEEKDAY_NAMES = ("maandag", "dinsdag", "woensdag", "donderdag", "vrijdag", "zaterdag", "zondag")
_MONTH_DAY = re.compile(r"(\d\d)-(\d\d)")
MONTHS = ("januari", "februari", "maart", "april", "mei", "juni", "juli", "augustus",
          "september", "oktober", "november", "december")
_NAMED_DAY = re.compile(r"(\d{1,2})\s+([a-z]+)\.?")
_MONTH_BY_NAME = {**{name[:3]: i for i, name in enumerate(MONTHS, 1)},
                  **{name: i for i, name in enumerate(MONTHS, 1)}, "sept": 9}


def parse_month_day(text: str) -> tuple[int, int]:
    """Read a rule file's yearly date into (month, day).

    Day first with the month named in Dutch, as a Fleming writes it: "5 juli", "15 augustus"
    (the first three letters will do: "5 jul"). The older numeric form "MM-DD" is still read
    month first ("07-11" is 11 July), as it always was, so no existing file changes meaning;
    `validate` warns about it, because a reader takes "07-05" for 7 May."""
    cleaned = " ".join(text.split()).lower()
    named = _NAMED_DAY.fullmatch(cleaned)
    if named is not None:
        month = _MONTH_BY_NAME.get(named[2])
        if month is None:
            raise ValueError(_("invalid month-day {text!r}: {month!r} is not a month; write the "
                               "day and the month, e.g. '5 juli'").format(text=text, month=named[2]))
        day = int(named[1])
        _check_month_day((month, day), text)
        return month, day
    match = _MONTH_DAY.fullmatch(cleaned)
    if match is None:
        raise ValueError(_("invalid month-day {text!r}: write the day and the month, e.g. "
                           "'5 juli' or '15 augustus'").format(text=text))
    month, day = int(match[1]), int(match[2])
    _check_month_day((month, day), text)
    return month, day


def is_numeric_month_day(text: Any) -> bool:
    """Whether a yearly date is written in the old numeric form "MM-DD" (read month first)."""
    return isinstance(text, str) and _MONTH_DAY.fullmatch(text.strip()) is not None


def format_month_day(month_day: tuple[int, int]) -> str:
    """(7, 5) as a Fleming reads it: "5 juli"."""
    month, day = month_day
    return f"{day} {MONTHS[month - 1]}"


def format_window(window: YearlyWindow) -> str:
    """A yearly window as "5 juli – 15 augustus" (both days included)."""
    return f"{format_month_day(window[0])} – {format_month_day(window[1])}"


def windows_from_rule(value: Any, where: str) -> tuple[YearlyWindow, ...]:
    """Read yearly windows as rule files give them (`[{van: "11 juli", tot: "15 augustus"}]`)."""
    if value is None:
        return ()
    if not isinstance(value, (list, tuple)):
        raise TypeError(_("{where} must be a list of {{van, tot}} (e.g. van: '5 juli'), got "
                          "{value!r}").format(where=where, value=value))
    windows = []
    for i, window in enumerate(value):
        if not isinstance(window, Mapping) or "van" not in window or "tot" not in window:
            raise ValueError(_("{where}[{i}] must have van and tot (e.g. '5 juli'), got "
                               "{window!r}").format(where=where, i=i, window=window))
        try:
            windows.append((parse_month_day(str(window["van"])), parse_month_day(str(window["tot"]))))
        except ValueError as err:
            raise ValueError(f"{where}[{i}]: {err}") from None
    return tuple(windows)


def _check_month_day(md: tuple[int, int], shown: object) -> None:
    """Reject a (month, day) that no year has; 29 February is allowed (it exists in leap years)."""
    try:
        date(2000, *md)
    except (TypeError, ValueError):
        raise ValueError(_("invalid month-day {shown!r}: no such day in a year (month 1-12, day "
                           "valid for it)").format(shown=shown)) from None


@cache
def _holidays_of(country: str, subdivision: str | None, year: int) -> Mapping[date, str]:
    """One year's public holidays of a country, in Dutch if available: built once and kept
    in the cache (see rulecache), so a process seldom imports the `holidays` package, which
    takes about 0.2 s of work (every worker of a batch would pay it)."""
    from ..base import cache as rulecache

    key = f"{country}:{subdivision or ''}:{year}:{rulecache.package_stamp('holidays')}"
    kept = _kept_holidays(rulecache.load_data("holidays", key), year)
    if kept is not None:
        return MappingProxyType(kept)
    found = _build_holidays(country, subdivision, year)
    rulecache.store_data("holidays", key, {d.isoformat(): n for d, n in found.items()})
    return MappingProxyType(found)


def _kept_holidays(kept: object, year: int) -> dict[date, str] | None:
    """Holidays as kept in the cache ({"YYYY-MM-DD": name}, days of `year` only), or None
    when they are not that (the cache checks its entries; this checks their shape)."""
    if not isinstance(kept, dict) or len(kept) > 366:
        return None
    found = {}
    for text, name in kept.items():
        try:
            day = date.fromisoformat(text) if len(text) == 10 else None
        except ValueError:
            return None
        if day is None or day.year != year or type(name) is not str:
            return None
        found[day] = name
    return found


def _build_holidays(country: str, subdivision: str | None, year: int) -> dict[date, str]:
    import holidays  # imported here: the package takes ~0.2 s to import

    try:
        probe = holidays.country_holidays(country, subdiv=subdivision)  # no years: builds nothing
        language = "nl" if "nl" in probe.supported_languages else None
        found = holidays.country_holidays(
            country, subdiv=subdivision, years=year, language=language
        )
    except NotImplementedError as err:  # how the package reports an unknown country/subdivision
        raise ValueError(f"no public holidays for country {country!r}: {err}") from None
    return dict(sorted(found.items()))


class Calendar:
    """Working days: weekdays outside the weekend that are not a country's public holidays."""

    def __init__(
        self,
        name: str,
        country: str,
        *,
        subdivision: str | None = None,
        label: str = "",
        weekend: frozenset[int] = frozenset({5, 6}),
    ) -> None:
        if not weekend <= frozenset(range(7)):
            raise ValueError(f"calendar {name!r}: weekend days are 0 (Monday) to 6 (Sunday)")
        if len(weekend) == 7:
            raise ValueError(f"calendar {name!r}: a seven-day weekend leaves no working day")
        self.name = name
        self.country = country
        self.subdivision = subdivision
        self.label = label
        self.weekend = frozenset(weekend)
        self._years: dict[int, Mapping[date, str]] = {}

    def __repr__(self) -> str:
        sub = f", subdivision={self.subdivision!r}" if self.subdivision else ""
        return f"Calendar({self.name!r}, {self.country!r}{sub})"

    def holidays_in_year(self, year: int) -> Mapping[date, str]:
        """The year's public holidays as a read-only {date: name}, built once per process."""
        found = self._years.get(year)
        if found is None:
            found = self._years[year] = _holidays_of(self.country, self.subdivision, year)
        return found

    def holiday_name(self, d: date) -> str | None:
        """The name of the public holiday on `d`, or None if it is none."""
        return self.holidays_in_year(_as_date(d).year).get(d)

    def is_working_day(self, d: date) -> bool:
        """Whether `d` is no weekend day and no public holiday (O(1) once its year is built)."""
        if _as_date(d).weekday() in self.weekend:
            return False
        found = self._years.get(d.year)
        if found is None:
            found = self.holidays_in_year(d.year)
        return d not in found


def _as_date(d: Any) -> date:
    """Refuse a datetime (it never equals a date, so holiday look-ups would silently miss)."""
    if isinstance(d, datetime) or not isinstance(d, date):
        raise TypeError(f"expected a date, got {type(d).__name__} {d!r}")
    return d


def checked_windows(suspended: Sequence[Any]) -> tuple[YearlyWindow, ...]:
    """Check ((month, day), (month, day)) pairs (lists or tuples, as read from YAML) once."""
    try:
        key = tuple((tuple(first), tuple(last)) for first, last in suspended)
    except (TypeError, ValueError):
        raise ValueError(
            f"invalid suspension windows {suspended!r}: expected ((month, day), (month, day)) pairs"
        ) from None
    return _checked_windows(key) if key else ()


@cache
def _checked_windows(windows: tuple[YearlyWindow, ...]) -> tuple[YearlyWindow, ...]:
    """Validate each distinct set of windows once: real days, and at least one day left free."""
    for first, last in windows:
        _check_month_day(first, first)
        _check_month_day(last, last)
    day = date(2000, 1, 1)  # a leap year: every (month, day) occurs once
    while _window_of(day, windows) is not None:
        day += _ONE_DAY
        if day.year > 2000:
            raise ValueError(_("suspension windows {windows!r} cover the whole year")
                             .format(windows=windows))
    return windows


def _window_of(d: date, windows: tuple[YearlyWindow, ...]) -> YearlyWindow | None:
    """The first window that contains `d`, or None."""
    md = (d.month, d.day)
    for window in windows:
        first, last = window
        if (first <= md <= last) if first <= last else (md >= first or md <= last):
            return window
    return None


def in_windows(d: date, windows: Sequence[YearlyWindow]) -> bool:
    """Whether `d` falls inside any of the yearly windows."""
    return _window_of(_as_date(d), checked_windows(windows)) is not None


def _window_end(d: date, window: YearlyWindow) -> date:
    """The last day of the occurrence of `window` that contains `d`."""
    first, (month, day) = window
    year = d.year
    if first > (month, day) and (d.month, d.day) >= first:  # December part of a wrapping window
        year += 1
    if (month, day) == (2, 29) and not _stdcal.isleap(year):
        day = 28
    return date(year, month, day)


def _describe(windows: list[YearlyWindow]) -> str:
    """'opgeschort (11 juli t/m 15 augustus)', day first as a Fleming reads it."""
    spans = [f"{format_month_day(first)} t/m {format_month_day(last)}"
             for first, last in windows]
    return f"opgeschort ({', '.join(spans)})"


def _advance(
    cal: Calendar,
    start: date,
    n: int,
    windows: tuple[YearlyWindow, ...],
    skipped: list[dict[str, Any]] | None,
) -> date:
    """Walk to the n-th working day after `start`, noting skipped days in `skipped` if given."""
    d = start
    while n:
        d += _ONE_DAY
        window = _window_of(d, windows) if windows else None
        if window is not None:
            run_from, passed = d, []
            while window is not None:
                if window not in passed:
                    passed.append(window)
                d = _window_end(d, window)
                window = _window_of(d + _ONE_DAY, windows)
                if window is not None:
                    d += _ONE_DAY
            if skipped is not None:
                skipped.append({"from": run_from, "to": d, "why": _describe(passed)})
        elif cal.is_working_day(d):
            n -= 1
        elif skipped is not None:
            why = (
                _WEEKDAY_NAMES[d.weekday()]
                if d.weekday() in cal.weekend
                else f"feestdag: {cal.holiday_name(d)}"
            )
            skipped.append({"date": d, "why": why})
    return d


def _check_n(n: int) -> None:
    """Require a whole number of days of at least one."""
    if isinstance(n, bool) or not isinstance(n, int) or n < 1:
        raise ValueError(_("the number of working days must be a whole number >= 1, got {n!r}")
                         .format(n=n))


def add_working_days(
    cal: Calendar, start: date, n: int, suspended: Sequence[YearlyWindow] = ()
) -> date:
    """The n-th working day after `start` (which never counts), outside every suspended window."""
    _check_n(n)
    start = _as_date(start)
    windows = checked_windows(suspended)
    n_asked = n
    # Counted days are looked up in a per-year index instead of walked one by one.
    year = start.year
    counted = _counted_days(cal, windows, year)
    i = bisect_right(counted, start.toordinal())
    while True:
        left = len(counted) - i
        if n <= left:
            return date.fromordinal(counted[i + n - 1])
        n -= left
        year += 1
        if year > MAXYEAR:
            raise OverflowError(_("working day {n:,} after {day} lies past the end of the "
                                  "calendar (9999-12-31)").format(n=n_asked, day=start.isoformat()))
        counted, i = _counted_days(cal, windows, year), 0


@lru_cache(maxsize=512)
def _counted_days(cal: Calendar, windows: tuple[YearlyWindow, ...], year: int) -> array:
    """The ordinals of a year's days that count: working days outside every window."""
    first = date(year, 1, 1).toordinal()
    last = date(year, 12, 31).toordinal()
    is_working_day = cal.is_working_day  # a plugin's calendar may decide this its own way
    days = array("l")
    for ordinal in range(first, last + 1):
        d = date.fromordinal(ordinal)
        if windows and _window_of(d, windows) is not None:
            continue
        if not is_working_day(d):
            continue
        days.append(ordinal)
    return days


def explain_working_days(
    cal: Calendar, start: date, n: int, suspended: Sequence[YearlyWindow] = ()
) -> dict[str, Any]:
    """`add_working_days` with a readable trail of every day skipped and why."""
    _check_n(n)
    skipped: list[dict[str, Any]] = []
    result = _advance(cal, _as_date(start), n, checked_windows(suspended), skipped)
    return {"result": result, "counted": n, "skipped": skipped}


def count_working_days(
    cal: Calendar, first: date, last: date, suspended: Sequence[YearlyWindow] = ()
) -> int:
    """The working days from `first` to `last` inclusive outside the windows; 0 if last < first."""
    d, last = _as_date(first), _as_date(last)
    windows = checked_windows(suspended)
    count = 0
    while d <= last:
        window = _window_of(d, windows) if windows else None
        if window is not None:
            d = _window_end(d, window)
        elif cal.is_working_day(d):
            count += 1
        d += _ONE_DAY
    return count


class CalendarClash(ValueError):
    """Two plugins registered a calendar under the same name."""


class UnknownCalendar(LookupError):
    """A rule file names a calendar no plugin registered."""

    def __init__(self, name: str, known: Sequence[str]) -> None:
        self.name = name
        self.known = list(known)
        super().__init__(f"unknown calendar {name!r}; known: {', '.join(self.known) or '(none)'}")


class CalendarRegistry:
    """The calendars plugins provide, by name, remembering which plugin gave each."""

    def __init__(self) -> None:
        self._calendars: dict[str, Calendar] = {}
        self._sources: dict[str, str] = {}

    def register(self, calendar: Calendar, *, source: str) -> None:
        """Add a plugin's calendar; a name already taken is a clash naming both plugins."""
        if not isinstance(calendar, Calendar):
            raise TypeError(f"{source}: expected a Calendar, got {type(calendar).__name__}")
        name = calendar.name
        if name in self._calendars:
            raise CalendarClash(
                f"calendar {name!r} is registered twice: by {self._sources[name]!r} "
                f"and by {source!r}"
            )
        self._calendars[name] = calendar
        self._sources[name] = source

    def copy(self) -> CalendarRegistry:
        """A registry with the same calendars, to add a plugin's to before committing them."""
        other = CalendarRegistry()
        other._calendars = dict(self._calendars)
        other._sources = dict(self._sources)
        return other

    def get(self, name: str) -> Calendar:
        """The calendar called `name`."""
        try:
            return self._calendars[name]
        except KeyError:
            raise UnknownCalendar(name, self.names()) from None

    def names(self) -> list[str]:
        """All registered calendar names, sorted."""
        return sorted(self._calendars)

    def source_of(self, name: str) -> str:
        """The plugin that registered the calendar called `name`."""
        self.get(name)
        return self._sources[name]
