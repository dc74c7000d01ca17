"""Sets of calendar days as intervals: periods, minus exclusions, minus yearly windows.

Counting days of service one day at a time is slow for long careers and impossible for
open-ended appointments. A DaySet keeps the periods as merged intervals and produces the
counted stretches lazily, so "the 303rd counted day" of an open-ended appointment is found
by adding up stretch lengths.
"""

from __future__ import annotations

import datetime as _dt
import operator
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field

Interval = tuple[_dt.date, "_dt.date | None"]  # inclusive; None = open-ended
MonthDay = tuple[int, int]
YearlyWindow = tuple[MonthDay, MonthDay]

_LAST = _dt.date.max - _dt.timedelta(days=400)
_ONE = _dt.timedelta(days=1)
_FIRST_YEAR = _dt.MINYEAR


_START = operator.itemgetter(0)


def merge(intervals: Sequence[Interval]) -> list[Interval]:
    """Sorted, disjoint, non-adjacent intervals covering the same days (open end = None)."""
    if not isinstance(intervals, (list, tuple)):
        intervals = list(intervals)
    if len(intervals) < 2:
        return [(start, end) for start, end in intervals]
    out: list[Interval] = []
    ordered = iter(sorted(intervals, key=_START))
    first, last = next(ordered)
    for start, end in ordered:
        if last is None:  # open-ended: it covers every interval that starts later
            break
        if (start - last).days <= 1:  # overlapping or adjacent (no +1 day past 9999-12-31)
            if end is None or end > last:
                last = end
            continue
        out.append((first, last))
        first, last = start, end
    out.append((first, last))
    return out


def _on(year: int, md: MonthDay) -> _dt.date:
    month, day = md
    while True:
        try:
            return _dt.date(year, month, day)
        except ValueError:  # 29 February in a common year: the last day of the month
            if day <= 28:  # not a day that is missing in some years: the date is impossible
                raise
            day -= 1


def window_in_year(window: YearlyWindow, year: int) -> tuple[_dt.date, _dt.date]:
    """The window's dates starting in `year` (a window may run into the next year)."""
    first, last = window
    end_year = year if last >= first else year + 1
    return _on(year, first), _on(end_year, last)


_YEARS: dict[YearlyWindow, dict[int, tuple]] = {}


def _years_of(window: YearlyWindow) -> dict[int, tuple]:
    """A yearly window's occurrences that may hold a day of a year, by year: filled as years
    are asked (one lookup of a number instead of hashing the window and the year, and no
    dates made, for every stretch)."""
    found = _YEARS.get(window)
    if found is None:
        if len(_YEARS) >= 256:
            _YEARS.clear()
        found = _YEARS[window] = {}
    return found


def _candidates(window: YearlyWindow, year: int) -> tuple:
    """The window's occurrences that can end on or after a day of `year`, in order: the one
    starting the year before only when the window runs into the next year; none outside the
    calendar (the windows of year 0 and of year 9999 cannot be placed)."""
    first, last = window
    years = (year - 1, year, year + 1) if last < first else (year, year + 1)
    return tuple(window_in_year(window, y) for y in years if _FIRST_YEAR <= y < _dt.MAXYEAR)


def _first_occurrence(windows: list[tuple[YearlyWindow, dict]], cursor: _dt.date) -> tuple | None:
    """Of the windows' occurrences that end on or after `cursor`, the one that starts first
    (the first window's when two start together). A window's occurrences of later years
    start and end later, so its first that ends in time is also the one that starts first."""
    best = None
    this = cursor.year
    for window, years in windows:
        candidates = years.get(this)
        if candidates is None:
            candidates = years[this] = _candidates(window, this)
        for found in candidates:
            if found[1] >= cursor:
                if best is None or found[0] < best[0]:
                    best = found
                break
    return best


@dataclass
class DaySet:
    """Days in `periods`, not in `excluded`, and not inside any yearly window."""

    periods: list[Interval]
    excluded: list[tuple[_dt.date, _dt.date]] = field(default_factory=list)
    yearly: list[YearlyWindow] = field(default_factory=list)
    furthest: _dt.date | None = None  # the last day a question was asked about (for the trail)

    def __post_init__(self) -> None:
        self.periods = merge(self.periods)
        if self.excluded:  # most cases have none: no merge, no copy
            self.excluded = [(s, e) for s, e in merge(self.excluded) if e is not None]
        else:
            self.excluded = []
        self.yearly = [(tuple(first), tuple(last)) for first, last in self.yearly]  # hashable
        # the stretches worked out so far, and what works out the rest: a decision asks for
        # the first day, the n-th and a count, and each question walks the same stretches
        self._found: list[Interval] = []
        self._more: Iterator[Interval] | None = None

    def _grow(self) -> bool:
        """Work out one more stretch; False when there are no more."""
        more = self._more
        if more is None:
            more = self._more = self._stretches()
        for stretch in more:
            self._found.append(stretch)
            return True
        return False

    def stretches(self) -> Iterator[Interval]:
        """The counted days as consecutive stretches, in order (the last may be open-ended);
        each is worked out once, however often they are walked."""
        found = self._found
        index = 0
        while index < len(found) or self._grow():  # another walk may have found more
            yield found[index]
            index += 1

    def _stretches(self) -> Iterator[Interval]:
        excluded = self.excluded
        last_ex = len(excluded)
        ex_index = 0
        windows = [(window, _years_of(window)) for window in self.yearly]
        for start, end in self.periods:
            cursor = start
            # the yearly windows' occurrence that starts first among those not over before
            # the cursor: kept while the cursor moves on within the period, found again once
            # the cursor has passed it (the others' next occurrences start later still)
            window = None
            while end is None or cursor <= end:
                if cursor > _LAST:
                    # an answer past here could be wrong (yearly windows of the next year
                    # cannot be placed): an error, not a silent "no day counts"
                    raise OverflowError(
                        f"counting days reaches {cursor.isoformat()}, too close to the end of "
                        f"the calendar (days are counted up to {_LAST.isoformat()})")
                if windows and (window is None or window[1] < cursor):
                    window = _first_occurrence(windows, cursor)
                # the exclusion that starts first among those not over before the cursor
                while ex_index < last_ex and excluded[ex_index][1] < cursor:
                    ex_index += 1
                if ex_index < last_ex:
                    excl = excluded[ex_index]
                    if window is not None and window[0] < excl[0]:
                        excl = window
                else:
                    excl = window
                if excl is None:
                    yield cursor, end
                    break
                xs, xe = excl
                if xs <= cursor:
                    if xe >= _LAST:
                        return  # excluded to the end of time: nothing more counts
                    cursor = xe + _ONE
                    continue
                stop = xs - _ONE if end is None else min(xs - _ONE, end)
                yield cursor, stop
                if xe >= _LAST:
                    return
                cursor = xe + _ONE

    # first, nth and count walk the stretches found so far by index, working out more as
    # they need them: no generator per question (most decisions ask about a few stretches)

    def first(self) -> _dt.date | None:
        found = self._found
        if found or self._grow():
            return found[0][0]
        return None

    def nth(self, n: int) -> _dt.date | None:
        """The n-th counted day (1-based), or None when there are fewer than n."""
        if n is None or n < 1:
            return None
        seen = 0
        found = self._found
        index = 0
        while index < len(found) or self._grow():
            start, end = found[index]
            index += 1
            length = None if end is None else (end - start).days + 1
            if length is None or seen + length >= n:
                try:
                    day = start + _dt.timedelta(days=n - seen - 1)
                except OverflowError:
                    raise OverflowError(f"counted day {n:,} from {start.isoformat()} lies past "
                                        "the end of the calendar (9999-12-31)") from None
                self._reach(day)
                return day
            seen += length
        return None

    def count(self, until: _dt.date | None = None) -> int | None:
        """Counted days up to and including `until` (all of them when None; None if endless)."""
        total = 0
        found = self._found
        index = 0
        while index < len(found) or self._grow():
            start, end = found[index]
            index += 1
            if until is not None and start > until:
                break
            stop = end if until is None else (until if end is None else min(end, until))
            if stop is None:
                return None
            total += (stop - start).days + 1
        if until is not None:
            self._reach(until)
        return total

    def _reach(self, day: _dt.date) -> None:
        if self.furthest is None or day > self.furthest:
            self.furthest = day

    def describe(self, limit: int = 40) -> dict:
        """A readable account for the trail: the periods, what was excluded, what counted."""
        horizon = self.furthest
        shown: list[dict] = []
        for start, end in self.stretches():
            if horizon is not None and start > horizon:
                break
            if len(shown) >= limit:
                shown.append({"…": "meer stukken weggelaten"})
                break
            stop = end if horizon is None or (end is not None and end <= horizon) else horizon
            days = None if stop is None else (stop - start).days + 1
            shown.append({"van": start, "tot": stop, "dagen": days})
            if horizon is None and end is None:
                break
        return {
            "perioden": [{"van": s, "tot": e} for s, e in self.periods],
            "uitgesloten": [{"van": s, "tot": e} for s, e in self.excluded],
            "jaarlijks_uitgesloten": [
                {"van": f"{a[0]:02d}-{a[1]:02d}", "tot": f"{b[0]:02d}-{b[1]:02d}"}
                for a, b in self.yearly
            ],
            "getelde_stukken": shown,
        }
