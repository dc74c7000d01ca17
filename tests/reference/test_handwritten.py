"""Tests of the hand-written reference implementation (tests/reference/handwritten.py).

Expected values are worked out by hand from the calendar; the reasoning is in the
comments. The acceptance data in tests/data/go_boundaries.yaml is run through the
reference implementation as well, and a per-day brute force (written here, in a
few lines) checks the interval arithmetic of go.jobtraining.duur on random cases.
"""

from __future__ import annotations

import calendar
from datetime import date, timedelta
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from ruamel.yaml import YAML

from .handwritten import DECISIONS, NotDecidable, decide

ON = date(2026, 11, 22)

OUTPUTS = {
    "go.jobtraining.toelating": {"toegelaten", "redenen"},
    "go.jobtraining.mentor": {"mentor", "aangeduid_door", "kandidaat_noemt_mentor", "schendingen"},
    "go.jobtraining.duur": {
        "startdatum",
        "einddatum",
        "getelde_dagen",
        "vereiste_dagen",
        "aanstellingen",
    },
    "go.jobtraining.contactmomenten": {"volledig", "aantal", "ontbrekende_themas"},
    "go.jobtraining.dossier": {"volledig", "ontbrekend"},
    "go.vormingsattest.geldigheid": {"geldig", "uiterste_datum", "vervolg"},
    "ovsg.klacht.antwoordtermijn": {"ontvankelijk", "uiterste_antwoorddatum"},
    "ovsg.begeleiding.stappenplan": {"stap", "actie"},
    "ovsg.werkingscode.toepassing": {"van_toepassing", "reden"},
    "omo.dienstverlening.categorie": {"dienstverleningslijn", "naam"},
}


def duur(attest, *aanstellingen, afwezigheden=(), on=ON):
    case = {
        "vormingsattest": {"datum": attest},
        "aanstellingen": [dict(zip(("van", "tot", "soort"), a)) for a in aanstellingen],
    }
    if afwezigheden:
        case["afwezigheden"] = [{"van": v, "tot": t} for v, t in afwezigheden]
    return decide("go.jobtraining.duur", case, on)


def core(result):
    return {k: result[k] for k in ("startdatum", "einddatum", "getelde_dagen", "vereiste_dagen")}


# ---------------------------------------------------------------------------
# Worked examples of regulations.md
# ---------------------------------------------------------------------------


def test_duur_worked_example_september():
    # Sep 2025 .. Jun 2026: 30+31+30+31+31+28+31+30+31+30 = 303 days, all outside the summer window.
    r = duur("2025-06-01", ("2025-09-01", None, "proeftijd"))
    assert core(r) == {
        "startdatum": "2025-09-01",
        "einddatum": "2026-06-30",
        "getelde_dagen": 303,
        "vereiste_dagen": 303,
    }
    assert [a["telt"] for a in r["aanstellingen"]] == [True]


def test_duur_worked_example_february():
    # Feb..Nov 2026 = 28+31+30+31+30+31+31+30+31+30 = 303 required.
    # 2026-02-01..2026-12-31 = 334 days, minus 5 Jul..15 Aug (27 + 15 = 42) = 292 counted;
    # 11 more -> 2027-01-11.
    r = duur("2025-06-01", ("2026-02-01", None, "proeftijd"))
    assert core(r) == {
        "startdatum": "2026-02-01",
        "einddatum": "2027-01-11",
        "getelde_dagen": 303,
        "vereiste_dagen": 303,
    }


def test_klacht_worked_example():
    # From Tue 2026-06-02: June has 4+5+5+5+2 = 21 weekdays (no holiday), July 1-3 and 6-10 add 8
    # -> 29; 11 Jul - 15 Aug suspended; Sun 16 Aug; Mon 17 Aug is the 30th.
    r = decide(
        "ovsg.klacht.antwoordtermijn",
        {"klacht": {"ontvangen_op": "2026-06-01", "schriftelijk": True}},
        ON,
    )
    assert r == {"ontvankelijk": True, "uiterste_antwoorddatum": "2026-08-17"}


# ---------------------------------------------------------------------------
# go.jobtraining.duur: hand-computed boundaries
# ---------------------------------------------------------------------------


def test_duur_waarnemend_29_vs_30_days():
    # 2024-09-01..09-29 is 29 days (tot - van + 1): not counted at all.
    r = duur("2024-01-10", ("2024-09-01", "2024-09-29", "waarnemend"))
    assert core(r) == {
        "startdatum": None,
        "einddatum": None,
        "getelde_dagen": 0,
        "vereiste_dagen": None,
    }
    assert r["aanstellingen"][0]["telt"] is False
    # 2024-09-01..09-30 is 30 days: counts; Sep 2024..Jun 2025 = 303 (Feb 2025 has 28).
    r = duur("2024-01-10", ("2024-09-01", "2024-09-30", "waarnemend"))
    assert core(r) == {
        "startdatum": "2024-09-01",
        "einddatum": None,
        "getelde_dagen": 30,
        "vereiste_dagen": 303,
    }
    assert r["aanstellingen"][0]["telt"] is True


def test_duur_start_31_august_clamps():
    # 2024-08-31 + 10 months = 2025-06-30 (June has no 31st). [08-31, 06-30) = 1 + 302 = 303 days,
    # no summer days in between -> the 303rd day is 2025-06-29.
    r = duur("2024-08-31", ("2024-08-31", None, "proeftijd"))
    assert core(r) == {
        "startdatum": "2024-08-31",
        "einddatum": "2025-06-29",
        "getelde_dagen": 303,
        "vereiste_dagen": 303,
    }


def test_duur_summer_window_edges():
    # Jun 1..Jul 4 = 30 + 4 = 34 counted; Jul 5..Aug 15 excluded; Aug 16..31 = 16 -> 50.
    # Jun 2025..Mar 2026 = 30+31+31+30+31+30+31+31+28+31 = 304 required.
    r = duur("2025-01-01", ("2025-06-01", "2025-08-31", "waarnemend"))
    assert core(r) == {
        "startdatum": "2025-06-01",
        "einddatum": None,
        "getelde_dagen": 50,
        "vereiste_dagen": 304,
    }
    # 4 July and 16 August are the only counted days of 2025-07-04..08-16.
    r = duur("2025-01-01", ("2025-07-04", "2025-08-16", "waarnemend"))
    assert core(r) == {
        "startdatum": "2025-07-04",
        "einddatum": None,
        "getelde_dagen": 2,
        "vereiste_dagen": 304,
    }
    # 5 July..15 August (42 days, so the appointment counts) contains no counted day.
    r = duur("2025-01-01", ("2025-07-05", "2025-08-15", "waarnemend"))
    assert core(r) == {
        "startdatum": None,
        "einddatum": None,
        "getelde_dagen": 0,
        "vereiste_dagen": None,
    }
    assert r["aanstellingen"][0]["telt"] is True


def test_duur_start_on_summer_edges():
    # Start 4 July: +10 months = 2026-05-04, 31+31+30+31+30+31+31+28+31+30 = 304 days.
    # Jul 4 (1), Aug 16-31 (17), Sep (47), Oct (78), Nov (108), Dec (139), Jan (170), Feb (198),
    # Mar (229), Apr (259), May (290), Jun 1-14 (304).
    r = duur("2025-01-01", ("2025-07-04", None, "proeftijd"))
    assert (r["startdatum"], r["einddatum"], r["vereiste_dagen"]) == (
        "2025-07-04",
        "2026-06-14",
        304,
    )
    # Start 5 July and 15 August: first counted day 16 August; +10 months = 2026-06-16 -> 304 days;
    # Aug 16-31 (16) ... May (289), Jun 1-15 (304).
    for van in ("2025-07-05", "2025-08-15", "2025-08-16"):
        r = duur("2025-01-01", (van, None, "proeftijd"))
        assert (r["startdatum"], r["einddatum"], r["vereiste_dagen"]) == (
            "2025-08-16",
            "2026-06-15",
            304,
        )


def test_duur_attest_after_appointment_start():
    # Start 2025-10-15; +10 months = 2026-08-15: 31+30+31+31+28+31+30+31+30+31 = 304.
    # Oct 15-31 (17), Nov (47), Dec (78), Jan (109), Feb (137), Mar (168), Apr (198), May (229),
    # Jun (259), Jul 1-4 (263), Aug 16-31 (279), Sep 1-25 (304).
    r = duur("2025-10-15", ("2025-09-01", None, "proeftijd"))
    assert core(r) == {
        "startdatum": "2025-10-15",
        "einddatum": "2026-09-25",
        "getelde_dagen": 304,
        "vereiste_dagen": 304,
    }


def test_duur_overlap_counts_once():
    # Union Sep 1..Nov 30 = 91 days, not 61 + 61.
    r = duur(
        "2025-01-01",
        ("2025-09-01", "2025-10-31", "waarnemend"),
        ("2025-10-01", "2025-11-30", "waarnemend"),
    )
    assert core(r) == {
        "startdatum": "2025-09-01",
        "einddatum": None,
        "getelde_dagen": 91,
        "vereiste_dagen": 303,
    }


def test_duur_absence():
    # 30 absent days in November push the end 30 counted days past 2026-06-30:
    # Jul 1-4 (4) + Aug 16..Sep 10 (26).
    r = duur(
        "2025-06-01", ("2025-09-01", None, "proeftijd"), afwezigheden=[("2025-11-01", "2025-11-30")]
    )
    assert (r["startdatum"], r["einddatum"]) == ("2025-09-01", "2026-09-10")
    # An absence at the start moves the start.
    r = duur(
        "2025-06-01", ("2025-09-01", None, "proeftijd"), afwezigheden=[("2025-09-01", "2025-09-07")]
    )
    assert (r["startdatum"], r["einddatum"]) == ("2025-09-08", "2026-08-18")


def test_duur_no_appointments_and_output_shape():
    r = duur("2025-01-01")
    assert r == {
        "startdatum": None,
        "einddatum": None,
        "getelde_dagen": 0,
        "vereiste_dagen": None,
        "aanstellingen": [],
    }


@pytest.mark.parametrize(
    "case",
    [
        {
            "vormingsattest": {"datum": "2025-01-01"},
            "aanstellingen": [{"van": "2025-09-30", "tot": "2025-09-01", "soort": "proeftijd"}],
        },
        {
            "vormingsattest": {"datum": "2025-01-01"},
            "aanstellingen": [{"van": "2025-09-01", "soort": "vast"}],
        },
        {"vormingsattest": {"datum": "2025-01-01"}, "aanstellingen": [{"soort": "proeftijd"}]},
        {
            "vormingsattest": {"datum": "2025-01-01"},
            "aanstellingen": [{"van": 20250901, "soort": "proeftijd"}],
        },
        {"vormingsattest": {"datum": "2025-01-01"}, "aanstellingen": "geen lijst"},
        {"vormingsattest": {"datum": "2025-01-01"}},
        {"vormingsattest": {"datum": "2025-13-01"}, "aanstellingen": []},
        {"aanstellingen": [{"van": "2025-09-01", "soort": "proeftijd"}]},
        {
            "vormingsattest": {"datum": "2025-01-01"},
            "aanstellingen": [],
            "afwezigheden": [{"van": "2025-10-02", "tot": "2025-10-01"}],
        },
    ],
)
def test_duur_not_decidable(case):
    with pytest.raises(NotDecidable):
        decide("go.jobtraining.duur", case, ON)


# A per-day brute force of the reference interpretation, independent of the interval code.
def _add_months(d: date, n: int) -> date:
    y, m = divmod(d.month - 1 + n, 12)
    y, m = d.year + y, m + 1
    return date(y, m, min(d.day, calendar.monthrange(y, m)[1]))


def _brute_duur(attest, apps, absences):
    def telt(v, t, s):
        return s == "proeftijd" or t is None or (t - v).days + 1 >= 30

    far = date(2032, 12, 31)
    counting = [(v, t or far) for v, t, s in apps if telt(v, t, s)]
    days = []
    d = date(2019, 1, 1)
    while d <= far:
        if (
            d >= attest
            and any(v <= d <= t for v, t in counting)
            and not (date(d.year, 7, 5) <= d <= date(d.year, 8, 15))
            and not any(v <= d <= t for v, t in absences)
        ):
            days.append(d)
        d += timedelta(days=1)
    if not days:
        return None, None, 0, None
    req = (_add_months(days[0], 10) - days[0]).days
    end = days[req - 1] if len(days) >= req else None
    return days[0], end, req if end else len(days), req


_day = st.dates(min_value=date(2020, 1, 1), max_value=date(2026, 12, 31))
_app = st.tuples(
    _day, st.one_of(st.none(), st.integers(0, 400)), st.sampled_from(["waarnemend", "proeftijd"])
)
_abs = st.tuples(_day, st.integers(0, 120))


@settings(max_examples=60, deadline=None)
@given(_day, st.lists(_app, max_size=4), st.lists(_abs, max_size=3))
def test_duur_matches_per_day_brute_force(attest, apps, absences):
    apps = [(v, None if n is None else v + timedelta(days=n), s) for v, n, s in apps]
    absences = [(v, v + timedelta(days=n)) for v, n in absences]
    case = {
        "vormingsattest": {"datum": attest.isoformat()},
        "aanstellingen": [
            {"van": v.isoformat(), "tot": t and t.isoformat(), "soort": s} for v, t, s in apps
        ],
        "afwezigheden": [{"van": v.isoformat(), "tot": t.isoformat()} for v, t in absences],
    }
    r = decide("go.jobtraining.duur", case, ON)
    start, end, counted, req = _brute_duur(attest, apps, absences)
    assert r["startdatum"] == (start and start.isoformat())
    assert r["einddatum"] == (end and end.isoformat())
    assert r["getelde_dagen"] == counted
    assert r["vereiste_dagen"] == req


# ---------------------------------------------------------------------------
# Other GO decisions
# ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "in_ambt, attest, expected",
    [
        (True, "2013-01-01", True),  # first day of 2013: admitted
        (True, "2012-12-31", False),  # last day of 2012: too old
        (False, "2020-01-01", False),  # not in ambt
        (True, None, False),  # no attest
    ],
)
def test_toelating(in_ambt, attest, expected):
    r = decide(
        "go.jobtraining.toelating",
        {"trainee": {"in_ambt": in_ambt}, "vormingsattest": {"datum": attest}},
        ON,
    )
    assert r["toegelaten"] is expected
    assert r["redenen"] and all(isinstance(t, str) for t in r["redenen"])


def test_toelating_flat_dotted_keys():
    r = decide(
        "go.jobtraining.toelating",
        {"trainee.in_ambt": True, "vormingsattest.datum": "2013-01-01"},
        ON,
    )
    assert r["toegelaten"] is True
    r = decide("go.jobtraining.toelating", {"trainee.in_ambt": True}, ON)
    assert r["toegelaten"] is False


@pytest.mark.parametrize(
    "case",
    [
        {"vormingsattest": {"datum": "2020-01-01"}},  # in_ambt missing
        {"trainee": {"in_ambt": None}, "vormingsattest": {"datum": "2020-01-01"}},
        {"trainee": {"in_ambt": "ja"}, "vormingsattest": {"datum": "2020-01-01"}},
        {"trainee": {"in_ambt": 1}, "vormingsattest": {"datum": "2020-01-01"}},
        {"trainee": {"in_ambt": True}, "vormingsattest": {"datum": "2026-02-30"}},
        {"trainee": {"in_ambt": True}, "vormingsattest": {"datum": 20200101}},
        {"trainee": {"in_ambt": True}, "vormingsattest": {"datum": "20200101"}},
    ],
)
def test_toelating_not_decidable(case):
    with pytest.raises(NotDecidable):
        decide("go.jobtraining.toelating", case, ON)


@pytest.mark.parametrize(
    "niveau, soort",
    [
        ("BaO", "lokaal"),
        ("BuBaO", "lokaal"),
        ("SO", "lokaal"),
        ("BuSO", "lokaal"),
        ("CLB", "centraal"),
        ("CVO", "centraal"),
        ("VWO", "centraal"),
        ("DKO", "centraal"),
        ("LSC", "centraal"),
    ],
)
def test_mentor_table(niveau, soort):
    r = decide(
        "go.jobtraining.mentor",
        {"trainee": {"onderwijsniveau": niveau, "scholengroep": "SG Gent"}},
        ON,
    )
    assert r["mentor"] == soort
    assert r["kandidaat_noemt_mentor"] is (soort == "lokaal")
    assert r["schendingen"] == []
    assert isinstance(r["aangeduid_door"], str) and r["aangeduid_door"]


@pytest.mark.parametrize(
    "niveau, mentor, n",
    [
        ("BaO", {"scholengroep": "SG Gent", "evalueert_trainee": False}, 0),
        ("BaO", {"scholengroep": "SG Brugge"}, 1),
        ("BaO", {"evalueert_trainee": True}, 1),
        ("BaO", {"scholengroep": "SG Brugge", "evalueert_trainee": True}, 2),
        ("CLB", {"scholengroep": "GO! centraal", "evalueert_trainee": False}, 0),
        ("CLB", {"scholengroep": "GO! centraal", "evalueert_trainee": True}, 1),
    ],
)
def test_mentor_checks(niveau, mentor, n):
    case = {"trainee": {"onderwijsniveau": niveau, "scholengroep": "SG Gent"}, "mentor": mentor}
    assert len(decide("go.jobtraining.mentor", case, ON)["schendingen"]) == n


@pytest.mark.parametrize("niveau", ["HO", "vwo", "", 3])
def test_mentor_unknown_niveau(niveau):
    with pytest.raises(NotDecidable):
        decide(
            "go.jobtraining.mentor",
            {"trainee": {"onderwijsniveau": niveau, "scholengroep": "SG"}},
            ON,
        )


THEMAS = [
    "schoolorganisatorisch",
    "pedagogisch-didactisch",
    "personeelsgericht",
    "les bijwonen en bespreken",
]


def _moment(thema, aanwezig=True):
    return {"datum": "2025-10-01", "begeleider": "mentor", "thema": thema, "aanwezig": aanwezig}


def test_contactmomenten():
    four = [_moment(t) for t in THEMAS]
    r = decide("go.jobtraining.contactmomenten", {"contactmomenten": four}, ON)
    assert r == {"volledig": True, "aantal": 4, "ontbrekende_themas": []}
    # 3 moments: lesson theme missing.
    r = decide("go.jobtraining.contactmomenten", {"contactmomenten": four[:3]}, ON)
    assert r == {
        "volledig": False,
        "aantal": 3,
        "ontbrekende_themas": ["les bijwonen en bespreken"],
    }
    # A theme that was only on a non-attended moment does not count.
    moments = [
        _moment(THEMAS[0]),
        _moment(THEMAS[1], False),
        _moment(THEMAS[2]),
        _moment(THEMAS[3]),
        _moment(THEMAS[0]),
    ]
    r = decide("go.jobtraining.contactmomenten", {"contactmomenten": moments}, ON)
    assert r == {"volledig": False, "aantal": 4, "ontbrekende_themas": ["pedagogisch-didactisch"]}
    r = decide("go.jobtraining.contactmomenten", {"contactmomenten": []}, ON)
    assert r == {"volledig": False, "aantal": 0, "ontbrekende_themas": THEMAS}


@pytest.mark.parametrize(
    "documenten, ontbrekend",
    [
        (["verantwoordingsdocument", "RL1"], []),
        (["verantwoordingsdocument", "RL1", "betalingsbewijs"], []),
        (["betalingsbewijs"], ["verantwoordingsdocument", "RL1"]),
        (["RL1"], ["verantwoordingsdocument"]),
        (["verantwoordingsdocument", "rl1"], ["RL1"]),
        ([], ["verantwoordingsdocument", "RL1"]),
    ],
)
def test_dossier(documenten, ontbrekend):
    r = decide("go.jobtraining.dossier", {"documenten": documenten}, ON)
    assert r == {"volledig": not ontbrekend, "ontbrekend": ontbrekend}


def test_geldigheid_29_february():
    # 2020-02-29 + 7 years: 2027 is not a leap year -> 2027-02-28, inclusive.
    attest = {"vormingsattest": {"datum": "2020-02-29"}}
    r = decide("go.vormingsattest.geldigheid", attest, date(2027, 2, 28))
    assert r == {"geldig": True, "uiterste_datum": "2027-02-28", "vervolg": None}
    r = decide("go.vormingsattest.geldigheid", attest, date(2027, 3, 1))
    assert r["geldig"] is False and r["uiterste_datum"] == "2027-02-28"
    assert "jury" in r["vervolg"] and "scholengroep" in r["vervolg"]
    on_time = {**attest, "certificaat": {"datum": "2027-02-28"}}
    assert decide("go.vormingsattest.geldigheid", on_time, date(2027, 3, 1))["geldig"] is True
    too_late = {**attest, "certificaat": {"datum": "2027-03-01"}}
    assert decide("go.vormingsattest.geldigheid", too_late, date(2027, 3, 1))["geldig"] is False
    # 2016-02-29 + 7 = 2023-02-28; 2021-02-28 + 7 = 2028-02-28 (not moved to the 29th).
    assert (
        decide("go.vormingsattest.geldigheid", {"vormingsattest.datum": "2016-02-29"}, ON)[
            "uiterste_datum"
        ]
        == "2023-02-28"
    )
    assert (
        decide("go.vormingsattest.geldigheid", {"vormingsattest.datum": "2021-02-28"}, ON)[
            "uiterste_datum"
        ]
        == "2028-02-28"
    )


# ---------------------------------------------------------------------------
# OVSG
# ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "ontvangen, deadline",
    [
        # Fri 2026-07-10: next day already suspended; 16 Aug is a Sunday; Mon 17 Aug = 1,
        # then 5 weekdays a week: Aug 21 (5), 28 (10), Sep 4 (15), 11 (20), 18 (25), 25 (30).
        ("2026-07-10", "2026-09-25"),
        # Received inside the suspension: same count.
        ("2026-07-11", "2026-09-25"),
        ("2026-08-15", "2026-09-25"),
        # Thu 2026-07-09: Fri 10 July = 1, then as above but one day earlier -> Thu 24 Sep.
        ("2026-07-09", "2026-09-24"),
        # Mon 2026-10-26: Oct 27-30 (4), Nov 2-6 (9), Nov 9-10 (11), Wed 11 Nov (Wapenstilstand) skip,
        # Nov 12-13 (13), 16-20 (18), 23-27 (23), Nov 30-Dec 4 (28), Dec 7 (29), Dec 8 (30).
        ("2026-10-26", "2026-12-08"),
        # Tue 2026-12-01: Dec 2-4 (3), 7-11 (8), 14-18 (13), 21-24 (17), Fri 25 Dec skipped,
        # 28-31 (21), Fri 1 Jan 2027 skipped, Jan 4-8 (26), Jan 11-14 (30).
        ("2026-12-01", "2027-01-14"),
    ],
)
def test_klacht_deadlines(ontvangen, deadline):
    r = decide(
        "ovsg.klacht.antwoordtermijn",
        {"klacht": {"ontvangen_op": ontvangen, "schriftelijk": True}},
        ON,
    )
    assert r == {"ontvankelijk": True, "uiterste_antwoorddatum": deadline}


def test_klacht_oral():
    r = decide(
        "ovsg.klacht.antwoordtermijn",
        {"klacht": {"ontvangen_op": "2026-06-01", "schriftelijk": False}},
        ON,
    )
    assert r == {"ontvankelijk": False, "uiterste_antwoorddatum": None}


@pytest.mark.parametrize(
    "klacht",
    [
        {"ontvangen_op": "2026-06-01"},
        {"ontvangen_op": "2026-06-01", "schriftelijk": "ja"},
        {"schriftelijk": True},
        {"ontvangen_op": "2026-06-31", "schriftelijk": True},
    ],
)
def test_klacht_not_decidable(klacht):
    with pytest.raises(NotDecidable):
        decide("ovsg.klacht.antwoordtermijn", {"klacht": klacht}, ON)


@pytest.mark.parametrize(
    "materialen, aanbod, specifiek, stap",
    [
        (True, True, True, 1),
        (True, False, False, 1),
        (False, True, True, 2),
        (False, True, False, 2),
        (False, False, True, 3),
        (False, False, False, 4),
    ],
)
def test_stappenplan(materialen, aanbod, specifiek, stap):
    case = {
        "vraag": {"via_materialen": materialen, "via_aanbod": aanbod, "sca_specifiek": specifiek}
    }
    r = decide("ovsg.begeleiding.stappenplan", case, ON)
    assert set(r) == OUTPUTS["ovsg.begeleiding.stappenplan"]
    assert r["stap"] == stap and isinstance(r["actie"], str)


def test_stappenplan_not_decidable():
    with pytest.raises(NotDecidable):
        decide(
            "ovsg.begeleiding.stappenplan",
            {"vraag": {"via_materialen": "neen", "via_aanbod": False, "sca_specifiek": False}},
            ON,
        )


@pytest.mark.parametrize(
    "soort, gesubsidieerd, lidmaatschap, expected",
    [
        ("BaO", True, "lid", True),
        ("leersteunnetwerk", True, "geaffilieerd", True),
        ("VWO", True, "lid", True),  # alias of CVO
        ("CLB", False, "lid", False),  # not subsidised
        ("SO", True, "geen", False),  # neither member nor affiliated
        ("HO", True, "lid", False),  # type not in §1: a decision, not an error
    ],
)
def test_werkingscode(soort, gesubsidieerd, lidmaatschap, expected):
    case = {
        "instelling": {"type": soort, "gesubsidieerd": gesubsidieerd, "lidmaatschap": lidmaatschap}
    }
    r = decide("ovsg.werkingscode.toepassing", case, ON)
    assert set(r) == OUTPUTS["ovsg.werkingscode.toepassing"]
    assert r["van_toepassing"] is expected and isinstance(r["reden"], str)


def test_werkingscode_unknown_lidmaatschap():
    with pytest.raises(NotDecidable):
        decide(
            "ovsg.werkingscode.toepassing",
            {"instelling": {"type": "BaO", "gesubsidieerd": True, "lidmaatschap": "vriend"}},
            ON,
        )


# ---------------------------------------------------------------------------
# OMO
# ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "domein, lijn, naam",
    [
        ("HRM", 1, "ontzorging van schoolleiders"),
        ("  Planning & Control ", 1, "ontzorging van schoolleiders"),
        ("professionele ontwikkeling", 1, "ontzorging van schoolleiders"),
        ("kennisdeling", 2, "verbinden van scholen, schoolleiders en bureaucollega's"),
        ("VERBINDEN", 2, "verbinden van scholen, schoolleiders en bureaucollega's"),
        ("beleid", 3, "expertise voor de raad van bestuur"),
        ("belangenbehartiging", 3, "expertise voor de raad van bestuur"),
        ("persvragen", 4, "faciliteren van de raad van bestuur"),
        ("Bestuurlijke evenementen", 4, "faciliteren van de raad van bestuur"),
    ],
)
def test_omo(domein, lijn, naam):
    r = decide("omo.dienstverlening.categorie", {"verzoek": {"domein": domein}}, ON)
    assert r == {"dienstverleningslijn": lijn, "naam": naam}


def test_omo_unknown_domain_lists_known_ones():
    with pytest.raises(NotDecidable) as exc:
        decide("omo.dienstverlening.categorie", {"verzoek": {"domein": "catering"}}, ON)
    assert "catering" in str(exc.value) and "persvragen" in str(exc.value)


# ---------------------------------------------------------------------------
# Versions, dispatch, output names
# ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "decision, case, first_day",
    [
        ("go.jobtraining.dossier", {"documenten": []}, date(2024, 2, 2)),
        (
            "go.vormingsattest.geldigheid",
            {"vormingsattest": {"datum": "2020-01-01"}},
            date(2024, 2, 2),
        ),
        (
            "ovsg.begeleiding.stappenplan",
            {"vraag": {"via_materialen": True, "via_aanbod": True, "sca_specifiek": True}},
            date(2009, 5, 8),
        ),
        ("omo.dienstverlening.categorie", {"verzoek": {"domein": "HRM"}}, date(2020, 1, 1)),
    ],
)
def test_versions(decision, case, first_day):
    decide(decision, case, first_day)
    with pytest.raises(NotDecidable):
        decide(decision, case, first_day - timedelta(days=1))


def test_unknown_decision():
    with pytest.raises(KeyError):
        decide("go.jobtraining.onbekend", {}, ON)


def test_every_decision_covered():
    assert set(DECISIONS) == set(OUTPUTS)


# ---------------------------------------------------------------------------
# The engine's acceptance data, run through the reference implementation
# ---------------------------------------------------------------------------

_DATA = Path(__file__).resolve().parents[1] / "data" / "go_boundaries.yaml"
_ITEMS = YAML(typ="safe").load(_DATA.read_text(encoding="utf-8"))


def test_acceptance_data_shape():
    assert len(_ITEMS) >= 40
    assert len({item["id"] for item in _ITEMS}) == len(_ITEMS)
    assert {item["decision"] for item in _ITEMS} == {d for d in DECISIONS if d.startswith("go.")}
    for item in _ITEMS:
        assert ("expect" in item) != bool(item.get("expect_error")), item["id"]


@pytest.mark.parametrize("item", _ITEMS, ids=[item["id"] for item in _ITEMS])
def test_acceptance_data(item):
    on = date.fromisoformat(str(item["on"]))
    if item.get("expect_error"):
        with pytest.raises(NotDecidable):
            decide(item["decision"], item["case"], on)
        return
    result = decide(item["decision"], item["case"], on)
    assert set(result) == OUTPUTS[item["decision"]]
    for name, value in item["expect"].items():
        assert result[name] == value, name
    for name, n in item.get("expect_len", {}).items():
        assert len(result[name]) == n, name
    for name, records in item.get("expect_items", {}).items():
        assert len(result[name]) == len(records), name
        for got, want in zip(result[name], records):
            assert {k: got[k] for k in want} == want, name
