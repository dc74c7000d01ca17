"""ovsg.klacht.antwoordtermijn: boundaries, the trail, calendars by plugin, and a differential test.

The boundary data (tests/data/ovsg_klacht_boundaries.yaml) was counted by hand; the
differential test compares the engine with the independent tests/reference/handwritten.py
on random receipt dates.
"""

from __future__ import annotations

import json
from datetime import date, timedelta
from pathlib import Path

import pytest
from conftest import DATA, write_case
from hypothesis import given, settings
from hypothesis import strategies as st
from reference.handwritten import decide as reference_decide
from regelwerk.engine.deciding.api import Engine
from ruamel.yaml import YAML
from test_go_boundaries import check_boundary

DECISION = "ovsg.klacht.antwoordtermijn"
ITEMS = YAML(typ="safe").load((DATA / "ovsg_klacht_boundaries.yaml").read_text(encoding="utf-8"))


def klacht(received: str, written: bool = True) -> dict:
    return {"klacht": {"ontvangen_op": received, "schriftelijk": written}}


@pytest.mark.parametrize("item", ITEMS, ids=[i["id"] for i in ITEMS])
def test_klacht_boundary(cli, tmp_path, item):
    check_boundary(cli, tmp_path, item)


def test_explain_shows_calendar_holidays_suspension_and_citations(cli, tmp_path):
    res = cli("explain", DECISION, "--case", write_case(tmp_path, klacht("2026-05-08")),
              "--on", "2026-05-08")
    assert res.exit_code == 0, res.stderr
    out = res.stdout
    assert "regelset: ovsg.klacht versie 2009-05-08 (in werking vanaf 2009-05-08)" in out
    assert "antwoordtermijn = 30 werkdagen" in out and "[001_cab1d0af50fd2a82.txt §7]" in out
    assert "opschorting = 11 juli – 15 augustus  — Elk jaar opgeschort" in out
    assert "kalender ovsg.be (Belgische werkdagen): weekend en feestdagen van BE tellen niet" in out
    assert "30 werkdagen geteld vanaf de dag na 2026-05-08" in out
    assert "elk jaar opgeschort: 11 juli t/m 15 augustus" in out
    assert "niet geteld: 2026-05-14 (feestdag: O. L. H. Hemelvaart)" in out
    assert "niet geteld: 2026-05-25 (feestdag: Pinkstermaandag)" in out
    assert "uiterste_antwoorddatum = 2026-06-23" in out


def test_explain_names_the_suspended_run_month_first(cli, tmp_path):
    res = cli("explain", DECISION, "--case", write_case(tmp_path, klacht("2026-07-01")),
              "--on", "2026-07-01", "--format", "json")
    step = json.loads(res.stdout)["steps"][-1]
    suspended = [s for s in step["details"]["niet_geteld"] if s["soort"] == "opgeschort"]
    assert suspended == [{"soort": "opgeschort", "van": "2026-07-11", "tot": "2026-08-15",
                          "reden": "opgeschort (11 juli t/m 15 augustus)"}]


def test_an_oral_complaint_is_told_to_be_written(cli, tmp_path):
    out = cli.json("decide", DECISION, "--case", write_case(tmp_path, klacht("2026-06-01", False)),
                   "--on", "2026-06-02")
    assert out["result"] == {"ontvankelijk": False, "uiterste_antwoorddatum": None}
    assert any("schriftelijk" in note and "coördinator van de dienst" in note
               for note in out["uitleg"])


def test_the_number_of_days_and_the_window_are_policy_in_the_rule_file(cli, tmp_path, rules_copy):
    folder = rules_copy("ovsg")
    path = folder / "klacht.yaml"
    text = path.read_text(encoding="utf-8")
    text = text.replace("value: 30\n", "value: 20\n").replace("tot: 15 augustus", "tot: 31 juli")
    path.write_text(text, encoding="utf-8")
    case = write_case(tmp_path, klacht("2026-06-01"))
    out = cli.json("--rules", str(folder), "decide", DECISION, "--case", case, "--on", "2026-06-02")
    # Jun 2-5 (4), 8-12 (9), 15-19 (14), 22-26 (19), Mon Jun 29 (20)
    assert out["result"]["uiterste_antwoorddatum"] == "2026-06-29"
    text = text.replace("value: 20\n", "value: 30\n")
    path.write_text(text, encoding="utf-8")
    out = cli.json("--rules", str(folder), "decide", DECISION, "--case", case, "--on", "2026-06-02")
    # 29 by Jul 10 as before; suspended until 31 Jul; Mon Aug 3 is the 30th
    assert out["result"]["uiterste_antwoorddatum"] == "2026-08-03"


# --- calendars come from plugins -------------------------------------------------------------

KALENDERS = str(DATA / "kalenders")


@pytest.mark.parametrize("org, expected", [("ovsg", "2026-04-27"), ("omo", "2026-04-28")])
def test_kings_day_is_a_holiday_for_omo_and_not_for_ovsg(cli, tmp_path, org, expected):
    """Friday 24 April 2026 + 1 working day: Monday 27 April is King's Day in the Netherlands."""
    out = cli.json("--rules", KALENDERS, "decide", f"proef.werkdagen.{org}",
                   "--case", write_case(tmp_path, {"datum": "2026-04-24"}), "--on", "2026-04-24")
    assert out["result"] == {"volgende_werkdag": expected}


def test_the_omo_trail_names_kings_day(cli, tmp_path):
    res = cli("--rules", KALENDERS, "explain", "proef.werkdagen.omo",
              "--case", write_case(tmp_path, {"datum": "2026-04-24"}), "--on", "2026-04-24")
    assert "kalender omo.nl (Nederlandse werkdagen): weekend en feestdagen van NL" in res.stdout
    assert "niet geteld: 2026-04-27 (feestdag: Koningsdag)" in res.stdout


def test_calendar_mistakes_are_refused_when_the_rule_file_is_loaded(cli, tmp_path):
    res = cli("--rules", str(DATA / "kalenders_fout"), "decide", "proef.onbekend.termijn",
              "--case", write_case(tmp_path, {"datum": "2026-04-24"}))
    assert res.exit_code == 3
    assert res.stderr.splitlines() == [
        "error: " + str(Path("tests/data/kalenders_fout/onbekende_kalender.yaml"))
        + ":20:19: unknown calendar 'be'; known: omo.nl, ovsg.be",
    ]
    res = cli("--rules", str(DATA / "kalenders_fout"), "decide", "proef.opschorting.termijn",
              "--case", write_case(tmp_path, {"datum": "2026-04-24"}))
    assert res.exit_code == 3
    assert res.stderr.splitlines() == [
        "error: " + str(Path("tests/data/kalenders_fout/foute_opschorting.yaml"))
        + ":20:19: suspended[0]: invalid month-day '15-08': no such day in a year "
        "(month 1-12, day valid for it)",
    ]


# --- differential: the engine against the hand-written reference -----------------------------

ENGINE: list[Engine] = []


def engine() -> Engine:
    if not ENGINE:
        ENGINE.append(Engine())
    return ENGINE[0]


@settings(max_examples=300, deadline=None)
@given(received=st.dates(date(2010, 1, 1), date(2040, 12, 31)), written=st.booleans())
def test_engine_agrees_with_the_reference(received, written):
    case = klacht(received.isoformat(), written)
    on = received + timedelta(days=1)
    ours = engine().decide(DECISION, case, on).as_dict()["result"]
    assert ours == reference_decide(DECISION, case, on)
