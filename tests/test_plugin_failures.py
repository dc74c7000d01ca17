"""A plugin whose code fails while deciding is named; the other plugins go on deciding.

The plugin `kapot` is installed as an entry point in a temporary site folder (as pip would)
and contributes an operation that raises and a calendar class whose days cannot be told.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import write_case
from fake_install import register_distribution, site_fixture  # noqa: F401 - the fixture `site`

PLUGIN = """\
from pathlib import Path
from regelwerk.engine.ops.calendars import Calendar
from regelwerk.engine.ops.hookspecs import hookimpl
from regelwerk.engine.ops import Arg, Operation


def ontplof(x):
    raise RuntimeError(f"kapot bij {x}")


class KapotteKalender(Calendar):
    def is_working_day(self, d):
        raise LookupError(f"geen gegevens voor {d}")


@hookimpl
def regelwerk_register_rules(register):
    register(Path(__file__).parent / "kapot_regels")


@hookimpl
def regelwerk_register_operations(register):
    register(Operation("ontplof", ontplof, {"x": Arg()}, "faalt altijd"))


@hookimpl
def regelwerk_register_calendars(register):
    register(KapotteKalender("kapot.kal", "BE"))
"""

RULES = """\
id: kapot.regels
title: Regels van een plugin die faalt
source: geen.txt
versions:
  - version: "1"
    in_force_from: 2020-01-01
    decisions:
      operatie:
        title: Gebruikt een operatie die faalt
        inputs:
          x: {type: integer, label: X}
        steps:
          - name: uitkomst
            op: ontplof
            args: {x: x}
        outputs: {uitkomst: uitkomst}
      kalender:
        title: Telt werkdagen in een kalender die faalt
        inputs:
          datum: {type: date, label: Datum}
        steps:
          - name: termijn
            op: working_days_after
            args: {start: datum, days: 3, calendar: "'kapot.kal'"}
        outputs: {termijn: termijn}
"""

KLACHT = {"klacht": {"ontvangen_op": "2026-06-01", "schriftelijk": True}}


@pytest.fixture
def kapot(site: Path) -> Path:
    (site / "kapot.py").write_text(PLUGIN, encoding="utf-8")
    (site / "kapot_regels").mkdir()
    (site / "kapot_regels" / "regels.yaml").write_text(RULES, encoding="utf-8")
    register_distribution(site, "regelwerk-kapot", "1.0", {"kapot": "kapot"})
    return site


@pytest.mark.parametrize("decision, case, message", [
    ("kapot.regels.operatie", {"x": 7},
     ("error: plugin 'kapot' failed in operation 'ontplof' (step 'uitkomst'): "
      "RuntimeError: kapot bij 7")),
    ("kapot.regels.kalender", {"datum": "2026-06-01"},
     ("error: plugin 'kapot' failed in calendar 'kapot.kal': "
      "LookupError: geen gegevens voor 2026-01-01")),  # the year's days are indexed at once
])
def test_a_plugin_failing_while_deciding_is_named(cli, kapot, tmp_path, decision, case, message):
    for command in ("decide", "explain"):
        res = cli(command, decision, "--case", write_case(tmp_path, case), "--on", "2026-06-02")
        assert res.exit_code == 4
        assert res.stderr.strip().splitlines() == [message]
        assert res.stdout == ""


def test_the_other_plugins_keep_deciding(cli, kapot, tmp_path):
    lines = [{"decision": "kapot.regels.operatie", "case": {"x": 1}},
             {"decision": "ovsg.klacht.antwoordtermijn", "case": KLACHT},
             {"decision": "kapot.regels.kalender", "case": {"datum": "2026-06-01"}},
             {"decision": "go.jobtraining.toelating", "case": {"trainee": {"in_ambt": False}}}]
    path = tmp_path / "cases.jsonl"
    path.write_text("".join(json.dumps({**line, "on": "2026-06-02"}) + "\n" for line in lines),
                    encoding="utf-8")
    res = cli("decide", "--cases", str(path))
    assert res.exit_code == 1
    out = [json.loads(line) for line in res.stdout.splitlines()]
    assert "plugin 'kapot' failed in operation 'ontplof'" in out[0]["error"]
    assert out[1]["result"]["uiterste_antwoorddatum"] == "2026-08-17"
    assert "plugin 'kapot' failed in calendar 'kapot.kal'" in out[2]["error"]
    assert out[3]["result"]["toegelaten"] is False
