"""Working-day calendars: hand-checked dates, and properties against a naive day-by-day count.

Weekdays used below (checked against a wall calendar): 2025-04-20 and 2026-04-05 and 2027-03-28
are Easter Sundays; 2026-06-01 is a Monday; 2026-07-11 and 2026-08-15 are Saturdays; 2025-08-15
is a Friday; 2025-12-19 is a Friday and 2026-01-05 a Monday.
"""

from __future__ import annotations

import subprocess
import sys
from datetime import date, datetime, timedelta

import holidays
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from regelwerk.engine.ops.calendars import (
    Calendar,
    CalendarClash,
    CalendarRegistry,
    UnknownCalendar,
    add_working_days,
    count_working_days,
    explain_working_days,
    in_windows,
    parse_month_day,
)

BE = Calendar("be", "BE", label="België")
NL = Calendar("nl", "NL", label="Nederland")
SUMMER = [((7, 11), (8, 15))]  # the OVSG complaint rule's suspension: 11 July - 15 August
WINTER = [((12, 20), (1, 5))]  # wraps the year end


# --- parse_month_day ---------------------------------------------------------------------------


def test_parse_month_day_reads_month_then_day():
    assert parse_month_day("07-11") == (7, 11)
    assert parse_month_day("08-15") == (8, 15)
    assert parse_month_day("02-29") == (2, 29)  # exists in leap years


@pytest.mark.parametrize("text", ["13-01", "02-30", "7/11", "7-11", "00-10", "04-31", "", "07-11x"])
def test_parse_month_day_rejects_non_days(text):
    with pytest.raises(ValueError, match="invalid month-day"):
        parse_month_day(text)


# --- holidays as the package gives them --------------------------------------------------------


@pytest.mark.parametrize(
    "day, name",
    [
        # Easter Monday = Easter + 1, Ascension = Easter + 39, Whit Monday = Easter + 50.
        (date(2025, 4, 21), "Paasmaandag"),
        (date(2026, 4, 6), "Paasmaandag"),
        (date(2027, 3, 29), "Paasmaandag"),
        (date(2025, 5, 29), "O. L. H. Hemelvaart"),
        (date(2026, 5, 14), "O. L. H. Hemelvaart"),
        (date(2027, 5, 6), "O. L. H. Hemelvaart"),
        (date(2025, 6, 9), "Pinkstermaandag"),
        (date(2026, 5, 25), "Pinkstermaandag"),
        (date(2027, 5, 17), "Pinkstermaandag"),
        (date(2026, 7, 21), "Nationale feestdag"),
        (date(2026, 8, 15), "O. L. V. Hemelvaart"),
        (date(2026, 11, 1), "Allerheiligen"),
        (date(2026, 11, 11), "Wapenstilstand"),
        (date(2026, 12, 25), "Kerstmis"),
    ],
)
def test_belgian_holidays_in_dutch(day, name):
    assert BE.holiday_name(day) == name
    assert not BE.is_working_day(day)


def test_belgium_has_no_public_holiday_on_26_december_nor_good_friday():
    """The package lists 26 December and Good Friday for BE only as bank holidays."""
    assert BE.holiday_name(date(2025, 12, 26)) is None
    assert BE.is_working_day(date(2025, 12, 26))  # a Friday
    assert BE.is_working_day(date(2025, 4, 18))  # Good Friday
    assert NL.holiday_name(date(2025, 12, 26)) == "Tweede kerstdag"
    assert NL.holiday_name(date(2025, 4, 18)) == "Goede vrijdag"


def test_kings_day_moves_to_26_april_when_27_april_is_a_sunday():
    assert date(2025, 4, 27).weekday() == 6
    assert NL.holiday_name(date(2025, 4, 26)) == "Koningsdag"
    assert NL.holiday_name(date(2025, 4, 27)) is None
    assert NL.holiday_name(date(2026, 4, 27)) == "Koningsdag"
    assert BE.holiday_name(date(2026, 4, 27)) is None


def test_kings_day_is_skipped_in_the_netherlands_and_not_in_belgium():
    """Friday 24 April 2026 + 1 working day: Monday 27 April, except in NL (Koningsdag)."""
    friday = date(2026, 4, 24)
    assert add_working_days(BE, friday, 1) == date(2026, 4, 27)
    assert add_working_days(NL, friday, 1) == date(2026, 4, 28)


def test_holidays_are_built_once_per_year_and_read_only():
    year = BE.holidays_in_year(2026)
    assert BE.holidays_in_year(2026) is year
    assert Calendar("other", "BE").holidays_in_year(2026) is year  # shared across calendars
    assert len(year) == 12 and all(d.year == 2026 for d in year)
    with pytest.raises(TypeError):
        year[date(2026, 1, 2)] = "nope"  # type: ignore[index]


def test_importing_the_module_does_not_import_holidays():
    code = "import sys, regelwerk.engine.ops.calendars; print('holidays' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_unknown_country_is_reported_on_first_use():
    cal = Calendar("xx", "XX")
    with pytest.raises(ValueError, match="no public holidays for country 'XX'"):
        cal.is_working_day(date(2026, 6, 2))


def test_a_datetime_is_refused():
    with pytest.raises(TypeError, match="expected a date"):
        BE.is_working_day(datetime(2026, 12, 25, 9, 0))
    with pytest.raises(TypeError, match="expected a date"):
        add_working_days(BE, datetime(2026, 6, 1, 9, 0), 30, SUMMER)


def test_weekend_must_leave_a_working_day():
    with pytest.raises(ValueError, match="no working day"):
        Calendar("never", "BE", weekend=frozenset(range(7)))
    with pytest.raises(ValueError, match="0 \\(Monday\\) to 6"):
        Calendar("odd", "BE", weekend=frozenset({7}))


def test_custom_weekend():
    """With only Sunday off, Saturday 6 June 2026 counts."""
    six_day = Calendar("six", "BE", weekend=frozenset({6}))
    assert add_working_days(six_day, date(2026, 6, 5), 1) == date(2026, 6, 6)


# --- add_working_days: small holiday cases ----------------------------------------------------


@pytest.mark.parametrize(
    "start, n, expected",
    [
        # Easter Monday: from the Friday before, the 1st working day is the Tuesday.
        (date(2025, 4, 18), 1, date(2025, 4, 22)),
        (date(2026, 4, 3), 1, date(2026, 4, 7)),
        (date(2027, 3, 26), 1, date(2027, 3, 30)),
        # Ascension (Thursday): from the Wednesday, the 1st is the Friday.
        (date(2025, 5, 28), 1, date(2025, 5, 30)),
        (date(2026, 5, 13), 1, date(2026, 5, 15)),
        (date(2027, 5, 5), 1, date(2027, 5, 7)),
        # Whit Monday: from the Friday before, the 1st is the Tuesday.
        (date(2025, 6, 6), 1, date(2025, 6, 10)),
        (date(2026, 5, 22), 1, date(2026, 5, 26)),
        (date(2027, 5, 14), 1, date(2027, 5, 18)),
        # 21 July 2025 is a Monday: Friday 18 July + 1 = Tuesday 22 July (no window here).
        (date(2025, 7, 18), 1, date(2025, 7, 22)),
        # 15 August 2025 is a Friday: Thursday 14 + 1 = Monday 18.
        (date(2025, 8, 14), 1, date(2025, 8, 18)),
        # 1 November 2027 is a Monday: Friday 29 October + 1 = Tuesday 2 November.
        (date(2027, 10, 29), 1, date(2027, 11, 2)),
        # 11 November 2026 is a Wednesday: Tuesday 10 + 1 = Thursday 12.
        (date(2026, 11, 10), 1, date(2026, 11, 12)),
        # 25 December 2025 is a Thursday, 26 December is no BE holiday: Wed 24 + 1 = Fri 26.
        (date(2025, 12, 24), 1, date(2025, 12, 26)),
        # The start itself never counts, even when it is a working day.
        (date(2026, 6, 1), 1, date(2026, 6, 2)),
    ],
)
def test_belgian_holidays_are_skipped(start, n, expected):
    assert add_working_days(BE, start, n) == expected


def test_good_friday_and_second_christmas_day_count_in_belgium_not_in_the_netherlands():
    assert add_working_days(BE, date(2025, 4, 17), 1) == date(2025, 4, 18)
    assert add_working_days(NL, date(2025, 4, 17), 1) == date(2025, 4, 22)  # Fri, Sat-Mon
    assert add_working_days(NL, date(2025, 12, 24), 1) == date(2025, 12, 29)


@pytest.mark.parametrize("n", [0, -1, 1.5, True])
def test_n_must_be_a_whole_number_of_at_least_one(n):
    with pytest.raises(ValueError, match="whole number >= 1"):
        add_working_days(BE, date(2026, 6, 1), n)
    with pytest.raises(ValueError, match="whole number >= 1"):
        explain_working_days(BE, date(2026, 6, 1), n)


# --- the OVSG complaint rule: BE, 30 working days, suspended 11 July - 15 August --------------


@pytest.mark.parametrize(
    "received, deadline",
    [
        # Reference: Mon 1 June 2026. June 2-30 holds 21 working days, July 1-10 another 8
        # (29); 11 July - 15 August is suspended, Sunday 16 August is weekend; Mon 17 August
        # is the 30th.
        (date(2026, 6, 1), date(2026, 8, 17)),
        # Friday 5 June: June 8-30 = 17, July 1-10 = 8 (25), then August 17-21 -> Fri 21 Aug.
        (date(2026, 6, 5), date(2026, 8, 21)),
        # Saturday 6 and Sunday 7 June: counting starts on Monday 8 June, as from Friday.
        (date(2026, 6, 6), date(2026, 8, 21)),
        (date(2026, 6, 7), date(2026, 8, 21)),
        # Thursday 9 July: Friday 10 July is the 1st, Mon 17 August the 2nd ... so one
        # working day before the 10 July case below: Thursday 24 September.
        (date(2026, 7, 9), date(2026, 9, 24)),
        # Friday 10 July: the day after is already suspended; Mon 17 August is the 1st,
        # and six full weeks later (no holidays) Fri 25 September is the 30th.
        (date(2026, 7, 10), date(2026, 9, 25)),
        # 11 July, 21 July (inside the window), 15 August, Sunday 16 August: all the same.
        (date(2026, 7, 11), date(2026, 9, 25)),
        (date(2026, 7, 21), date(2026, 9, 25)),
        (date(2026, 8, 15), date(2026, 9, 25)),
        (date(2026, 8, 16), date(2026, 9, 25)),
        # Monday 17 August: Tue 18 is the 1st; 30 working days later is Mon 28 September.
        (date(2026, 8, 17), date(2026, 9, 28)),
        # 2025: 15 August is a Friday, 16 August a Saturday. Thu 10 July 2025: Fri 11 July
        # is suspended; Mon 18 August is the 1st, so Fri 26 September the 30th.
        (date(2025, 7, 10), date(2025, 9, 26)),
        (date(2025, 7, 9), date(2025, 9, 25)),  # Thu 10 July counts as 1st
        (date(2025, 8, 15), date(2025, 9, 26)),
        (date(2025, 8, 16), date(2025, 9, 26)),
    ],
)
def test_ovsg_complaint_deadline(received, deadline):
    assert add_working_days(BE, received, 30, SUMMER) == deadline
    assert count_working_days(BE, received + timedelta(1), deadline, SUMMER) == 30


def test_ovsg_reference_trail():
    trail = explain_working_days(BE, date(2026, 6, 1), 30, SUMMER)
    weekends = [date(2026, 6, d) for d in (6, 7, 13, 14, 20, 21, 27, 28)]
    weekends += [date(2026, 7, 4), date(2026, 7, 5)]
    expected = [{"date": d, "why": ["zaterdag", "zondag"][d.weekday() - 5]} for d in weekends]
    expected += [
        # 21 July (holiday) and the weekends in between are part of the run, not own entries.
        {"from": date(2026, 7, 11), "to": date(2026, 8, 15), "why": "opgeschort (11 juli t/m 15 augustus)"},
        {"date": date(2026, 8, 16), "why": "zondag"},
    ]
    assert trail == {"result": date(2026, 8, 17), "counted": 30, "skipped": expected}


def test_trail_names_holidays():
    """Fri 22 May 2026 + 1: Sat, Sun (Pinksteren, reported as Sunday), Whit Monday."""
    trail = explain_working_days(BE, date(2026, 5, 22), 1)
    assert trail["result"] == date(2026, 5, 26)
    assert trail["skipped"] == [
        {"date": date(2026, 5, 23), "why": "zaterdag"},
        {"date": date(2026, 5, 24), "why": "zondag"},
        {"date": date(2026, 5, 25), "why": "feestdag: Pinkstermaandag"},
    ]


def test_adjacent_windows_make_one_run_naming_both():
    windows = [((7, 11), (7, 31)), ((8, 1), (8, 15))]
    trail = explain_working_days(BE, date(2026, 7, 10), 1, windows)
    assert trail["skipped"][0] == {
        "from": date(2026, 7, 11),
        "to": date(2026, 8, 15),
        "why": "opgeschort (11 juli t/m 31 juli, 1 augustus t/m 15 augustus)",
    }
    assert trail["result"] == add_working_days(BE, date(2026, 7, 10), 1, SUMMER)


# --- windows ---------------------------------------------------------------------------------


def test_wrap_around_window():
    """20 December - 5 January: Fri 19 Dec 2025 + 1 jumps to Tuesday 6 January 2026."""
    assert in_windows(date(2025, 12, 20), WINTER)
    assert in_windows(date(2026, 1, 5), WINTER)
    assert not in_windows(date(2025, 12, 19), WINTER)
    assert not in_windows(date(2026, 1, 6), WINTER)
    assert add_working_days(BE, date(2025, 12, 19), 1, WINTER) == date(2026, 1, 6)
    assert add_working_days(BE, date(2026, 1, 2), 1, WINTER) == date(2026, 1, 6)
    trail = explain_working_days(BE, date(2025, 12, 19), 1, WINTER)
    assert trail["skipped"] == [
        {"from": date(2025, 12, 20), "to": date(2026, 1, 5), "why": "opgeschort (20 december t/m 5 januari)"}
    ]
    assert count_working_days(BE, date(2025, 12, 1), date(2026, 1, 31), WINTER) == 15 + 19


def test_windows_may_be_lists_as_read_from_yaml():
    assert in_windows(date(2026, 7, 21), [[[7, 11], [8, 15]]])
    assert add_working_days(BE, date(2026, 6, 1), 30, [[[7, 11], [8, 15]]]) == date(2026, 8, 17)


def test_window_ending_on_29_february_ends_on_28_february_in_other_years():
    windows = [((2, 20), (2, 29))]
    assert add_working_days(BE, date(2026, 2, 19), 1, windows) == date(2026, 3, 2)  # Mon
    assert add_working_days(BE, date(2028, 2, 18), 1, windows) == date(2028, 3, 1)  # Wed


@pytest.mark.parametrize(
    "windows, message",
    [
        ([((1, 1), (12, 31))], "cover the whole year"),
        ([((3, 1), (2, 29))], "cover the whole year"),
        ([((7, 1), (12, 31)), ((1, 1), (6, 30))], "cover the whole year"),
        ([((7, 32), (8, 15))], "invalid month-day"),
        ([((7, 11),)], "invalid suspension windows"),
    ],
)
def test_bad_windows_are_refused(windows, message):
    with pytest.raises(ValueError, match=message):
        add_working_days(BE, date(2026, 6, 1), 1, windows)


def test_a_window_is_jumped_not_walked():
    """No day inside the window is ever looked at, whatever n."""
    looked_at: list[date] = []

    class Watched(Calendar):
        def is_working_day(self, d: date) -> bool:
            looked_at.append(d)
            return super().is_working_day(d)

    add_working_days(Watched("w", "BE"), date(2026, 6, 1), 3000, SUMMER)
    count_working_days(Watched("w", "BE"), date(2026, 6, 1), date(2036, 6, 1), SUMMER)
    assert looked_at and not any(in_windows(d, SUMMER) for d in looked_at)


def test_count_is_zero_when_last_is_before_first():
    assert count_working_days(BE, date(2026, 6, 2), date(2026, 6, 1)) == 0
    assert count_working_days(BE, date(2026, 6, 1), date(2026, 6, 1)) == 1


# --- registry --------------------------------------------------------------------------------


def test_registry():
    reg = CalendarRegistry()
    reg.register(BE, source="go")
    reg.register(NL, source="nl-po")
    assert reg.names() == ["be", "nl"]
    assert reg.get("be") is BE
    assert reg.source_of("nl") == "nl-po"
    with pytest.raises(CalendarClash, match="'be' is registered twice: by 'go' and by 'other'"):
        reg.register(Calendar("be", "BE"), source="other")
    with pytest.raises(UnknownCalendar) as caught:
        reg.get("fr")
    assert str(caught.value) == "unknown calendar 'fr'; known: be, nl"
    assert not isinstance(caught.value, KeyError)
    with pytest.raises(UnknownCalendar):
        reg.source_of("fr")
    with pytest.raises(TypeError, match="expected a Calendar"):
        reg.register("be", source="bad")  # type: ignore[arg-type]


# --- properties against a naive reference ----------------------------------------------------

_REFERENCE_HOLIDAYS: dict[tuple[str, int], set[date]] = {}


def _naive_holiday(country: str, d: date) -> bool:
    """Holidays straight from the package, independent of the module's caching and language."""
    key = (country, d.year)
    if key not in _REFERENCE_HOLIDAYS:
        _REFERENCE_HOLIDAYS[key] = set(holidays.country_holidays(country, years=d.year))
    return d in _REFERENCE_HOLIDAYS[key]


def _naive_suspended(d: date, windows) -> bool:
    md = (d.month, d.day)
    return any((f <= md <= last) if f <= last else (md >= f or md <= last) for f, last in windows)


def _naive_working(cal: Calendar, d: date, windows) -> bool:
    return d.weekday() < 5 and not _naive_holiday(cal.country, d) and not _naive_suspended(d, windows)


def _naive_add(cal: Calendar, start: date, n: int, windows) -> date:
    d = start
    while n:
        d += timedelta(1)
        n -= _naive_working(cal, d, windows)
    return d


_month_days = st.dates(date(2000, 1, 1), date(2000, 12, 31)).map(lambda d: (d.month, d.day))


@st.composite
def _window(draw) -> tuple[tuple[int, int], tuple[int, int]]:
    """A window of up to 90 days (so at most 3 leave most of the year); may wrap or hit 29 Feb."""
    first = draw(st.dates(date(2000, 1, 1), date(2000, 12, 31)))
    last = first + timedelta(draw(st.integers(0, 90)))
    return (first.month, first.day), (last.month, last.day)


_windows = st.lists(_window(), max_size=3)
_calendars = st.sampled_from([BE, NL])
_starts = st.dates(date(2000, 1, 1), date(2060, 12, 31))

_fast = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@_fast
@given(cal=_calendars, start=_starts, n=st.integers(1, 400), windows=_windows)
def test_add_matches_naive_reference(cal, start, n, windows):
    result = add_working_days(cal, start, n, windows)
    assert result == _naive_add(cal, start, n, windows)
    assert cal.is_working_day(result) and not in_windows(result, windows)
    assert count_working_days(cal, start + timedelta(1), result, windows) == n


@_fast
@given(cal=_calendars, start=_starts, n=st.integers(1, 60), windows=_windows)
def test_trail_accounts_for_every_day(cal, start, n, windows):
    trail = explain_working_days(cal, start, n, windows)
    assert trail["result"] == add_working_days(cal, start, n, windows)
    assert trail["counted"] == n
    skipped_days = 0
    for entry in trail["skipped"]:
        if "date" in entry:
            assert not cal.is_working_day(entry["date"])
            assert not in_windows(entry["date"], windows)
            skipped_days += 1
        else:
            assert entry["why"].startswith("opgeschort (")
            run = entry["to"] - entry["from"]
            assert all(in_windows(entry["from"] + timedelta(i), windows) for i in range(run.days + 1))
            skipped_days += run.days + 1
    assert (trail["result"] - start).days == n + skipped_days


@_fast
@given(cal=_calendars, first=_starts, span=st.integers(-5, 500), windows=_windows)
def test_count_matches_naive_reference(cal, first, span, windows):
    last = first + timedelta(span)
    naive = sum(_naive_working(cal, first + timedelta(i), windows) for i in range(span + 1))
    assert count_working_days(cal, first, last, windows) == naive


@_fast
@given(d=_starts, windows=_windows)
def test_in_windows_matches_naive_reference(d, windows):
    assume(windows)
    assert in_windows(d, windows) == _naive_suspended(d, windows)
