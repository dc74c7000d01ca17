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
