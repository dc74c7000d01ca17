"""The indexed working-day count agrees with walking the calendar one day at a time."""

from __future__ import annotations

from datetime import date

from hypothesis import given, settings
from hypothesis import strategies as st
from regelwerk.engine.ops.calendars import Calendar, _advance, add_working_days, checked_windows

BE = Calendar("test.be", "BE")
NL = Calendar("test.nl", "NL")
WINDOWS = st.sampled_from([
    (),
    (((7, 11), (8, 15)),),
    (((12, 20), (1, 5)),),  # wraps the year end
    (((2, 29), (3, 2)), ((7, 1), (7, 31))),
    (((1, 1), (1, 1)), ((12, 24), (12, 31))),
])


@settings(max_examples=300, deadline=None)
@given(start=st.dates(date(1990, 1, 1), date(2060, 12, 31)), n=st.integers(1, 700),
       windows=WINDOWS, calendar=st.sampled_from([BE, NL]))
def test_index_agrees_with_the_walk(start, n, windows, calendar):
    checked = checked_windows(windows)
    assert add_working_days(calendar, start, n, windows) == _advance(calendar, start, n, checked,
                                                                     None)


def test_the_end_of_the_calendar_is_an_overflow():
    import pytest

    with pytest.raises(OverflowError):
        add_working_days(BE, date(9999, 12, 1), 40)
