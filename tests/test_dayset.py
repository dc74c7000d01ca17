"""Counted days by interval arithmetic agree with counting day by day."""

from __future__ import annotations

import datetime as dt

from hypothesis import given, settings
from hypothesis import strategies as st
from regelwerk.engine.ops.dayset import DaySet, merge

SUMMER = [((7, 5), (8, 15))]
dates = st.dates(min_value=dt.date(2015, 1, 1), max_value=dt.date(2030, 12, 31))


def interval():
    return st.tuples(dates, st.integers(0, 700)).map(
        lambda t: (t[0], t[0] + dt.timedelta(days=t[1])))


def naive(periods, excluded, yearly, upto):
    days = []
    d = min(p[0] for p in periods)
    while d <= upto:
        inside = any(s <= d and (e is None or d <= e) for s, e in periods)
        out = any(s <= d <= e for s, e in excluded)
        md = (d.month, d.day)
        win = any((a <= md <= b) if a <= b else (md >= a or md <= b) for a, b in yearly)
        if inside and not out and not win:
            days.append(d)
        d += dt.timedelta(days=1)
    return days


@settings(max_examples=150, deadline=None)
@given(st.lists(interval(), min_size=1, max_size=4), st.lists(interval(), max_size=3),
       st.booleans(), st.integers(1, 900))
def test_nth_and_count_match_day_by_day(periods, excluded, open_last, n):
    if open_last:
        periods = periods[:-1] + [(periods[-1][0], None)]
    horizon = max((p[1] or p[0]) for p in periods) + dt.timedelta(days=2600)
    expected = naive(periods, excluded, SUMMER, horizon)
    days = DaySet(periods, excluded, SUMMER)
    assert days.first() == (expected[0] if expected else None)
    assert days.nth(n) == (expected[n - 1] if n <= len(expected) else None)
    if not open_last:
        assert days.count() == len(expected)
        cut = expected[len(expected) // 2] if expected else None
        if cut:
            assert days.count(cut) == expected.index(cut) + 1


def test_wrap_around_window_and_29_february():
    days = DaySet([(dt.date(2023, 12, 1), dt.date(2024, 3, 31))], [], [((12, 20), (1, 5)),
                                                                         ((2, 29), (2, 29))])
    expected = naive(days.periods, [], [((12, 20), (1, 5)), ((2, 29), (2, 29))],
                     dt.date(2024, 3, 31))
    assert days.count() == len(expected)


def test_merge_keeps_open_ends_and_joins_adjacent():
    d = dt.date
    assert merge([(d(2025, 1, 10), None), (d(2025, 1, 1), d(2025, 1, 9))]) == [(d(2025, 1, 1), None)]
    assert merge([(d(2025, 1, 1), d(2025, 1, 5)), (d(2025, 1, 7), d(2025, 1, 8))]) == [
        (d(2025, 1, 1), d(2025, 1, 5)), (d(2025, 1, 7), d(2025, 1, 8))]


def test_a_period_reaching_the_first_and_last_year_of_the_calendar_ends():
    # The yearly window of year 0 or year 10000 does not exist; looking for it must not loop.
    days = DaySet([(dt.date(1, 1, 1), dt.date(9999, 12, 31))], [], [((7, 5), (8, 15))])
    assert days.nth(303) == dt.date(1, 12, 11)  # 302 days on, plus 42 days of window
    assert days.first() == dt.date(1, 1, 1)
    late = DaySet([(dt.date(9990, 1, 1), None)], [], [((12, 24), (1, 2))])
    assert late.nth(10**6) is None
    assert late.count(dt.date(9999, 12, 31)) > 3000


def _month_days():
    def valid(md):
        try:
            dt.date(2000, *md)  # a leap year: 29 February is a day some years have
        except ValueError:
            return False
        return True
    return st.tuples(st.integers(1, 12), st.integers(1, 31)).filter(valid)


def _in_year(year, md):
    month, day = md
    while True:
        try:
            return dt.date(year, month, day)
        except ValueError:  # 29 February of a common year: its 28 February
            day -= 1


def _in_window(d, window):
    first, last = window
    for year in (d.year - 1, d.year):
        start = _in_year(year, first)
        end = _in_year(year if last >= first else year + 1, last)
        if start <= d <= end:
            return True
    return False


def naive_runs(periods, excluded, yearly, upto):
    """The counted days up to `upto` as maximal runs, found one day at a time."""
    runs = []
    d = min(p[0] for p in periods)
    while d <= upto:
        if (any(s <= d and (e is None or d <= e) for s, e in periods)
                and not any(s <= d <= e for s, e in excluded)
                and not any(_in_window(d, w) for w in yearly)):
            if runs and runs[-1][1] == d - dt.timedelta(days=1):
                runs[-1][1] = d
            else:
                runs.append([d, d])
        d += dt.timedelta(days=1)
    return [tuple(r) for r in runs]


@settings(max_examples=150, deadline=None)
@given(st.lists(interval(), min_size=1, max_size=5), st.lists(interval(), max_size=4),
       st.lists(st.tuples(_month_days(), _month_days()), max_size=3), st.booleans(),
       st.integers(1, 1500), st.sampled_from(["nth first", "count first"]))
def test_stretches_are_the_runs_of_days_counted_one_by_one(periods, excluded, yearly,
                                                           open_last, n, order):
    # several yearly windows (also across New Year and on 29 February), exclusions that
    # overlap them and the periods, questions asked in either order on one set
    if open_last:
        periods = periods[:-1] + [(periods[-1][0], None)]
    horizon = max((p[1] or p[0]) for p in periods) + dt.timedelta(days=1500)
    runs = naive_runs(periods, excluded, yearly, horizon)
    days = [r[0] + dt.timedelta(days=i) for r in runs for i in range((r[1] - r[0]).days + 1)]
    ds = DaySet(periods, excluded, yearly)
    cut = days[len(days) // 3] if days else horizon
    if order == "count first":
        assert ds.count(cut) == sum(1 for d in days if d <= cut)
    # past the horizon the day-by-day count knows nothing: a later day or none at all
    nth, first = ds.nth(n), ds.first()
    assert nth == days[n - 1] if n <= len(days) else nth is None or nth > horizon
    assert first == days[0] if days else first is None or first > horizon
    assert ds.count(cut) == sum(1 for d in days if d <= cut)
    found = []
    for start, end in ds.stretches():
        if start > horizon:
            break
        found.append((start, horizon if end is None or end > horizon else end))
    if found and runs and found[-1][1] == horizon and runs[-1][1] == horizon:
        assert found == runs
    else:
        assert found == [r for r in runs if r[0] <= horizon]
