"""Steps, decision tables, checks and notes run as generated Python functions: every hit
policy and kind of cell gives the row the rule file says, and a failure is still named by
the step, the output or the note where it happened (tests/data/generated/gen.yaml)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import DATA

RULES = DATA / "generated"
BASE = {"code": "A", "domein": "alfa", "soort": "a", "n": 12, "kant": "boven", "deler": 4,
        "ok": True, "noemer": 3}


def _decide(cli, tmp_path: Path, **facts):
    path = tmp_path / "case.json"
    path.write_text(json.dumps({**BASE, **facts}), encoding="utf-8")
    return cli("--rules", str(RULES), "decide", "test.gen.d", "--case", str(path),
               "--on", "2025-01-01", "--format", "json")


def _result(cli, tmp_path: Path, **facts) -> dict:
    res = _decide(cli, tmp_path, **facts)
    assert res.exit_code == 0, res.stderr
    return json.loads(res.stdout)


def _error(cli, tmp_path: Path, **facts) -> str:
    res = _decide(cli, tmp_path, **facts)
    assert res.exit_code == 1 and res.stdout == "", (res.stdout, res.stderr)
    return res.stderr.strip()


def test_every_step_and_note_of_a_decision(cli, tmp_path):
    data = _result(cli, tmp_path)
    assert data["result"] == {
        "naam": "eerste", "tekst": "code A (grens 10)", "lijn": 1, "uitkomst": "groot",
        "deel": "boven",
        "verzameld": [{"m": "meer dan 1 (12)"}, {"m": "meer dan 2"}, {"m": "altijd"}],
        "toets": {"voldaan": False, "redenen": ["12 is niet kleiner dan 10"],
                  "voldaan_aan": ["in orde", "eerste code A"],
                  "niet_voldaan": ["12 is niet kleiner dan 10"]},
        "voldaan": False, "half": 25 / 3,
    }
    assert data["uitleg"] == ["keuze groot", "noemer 3", "altijd A"]


def test_checks_that_do_not_apply_and_texts_of_unmet_checks(cli, tmp_path):
    data = _result(cli, tmp_path, code="C", n=None, soort="b", ok=False, kant="midden")
    assert data["result"]["toets"] == {
        "voldaan": False, "redenen": ["niet in orde (C)", "andere code"],
        "voldaan_aan": [], "niet_voldaan": ["niet in orde (C)", "andere code"]}
    assert data["result"]["uitkomst"] == "leeg"  # a `null` cell matches an absent value
    assert data["result"]["verzameld"] == [{"m": "altijd"}]  # collect: only the open row
    assert data["result"]["tekst"] == "vast"


@pytest.mark.parametrize(("facts", "uitkomst"), [
    ({"soort": "q"}, "soort q onbekend"),  # `not in` a parameter
    ({"soort": "a", "n": 3, "kant": "onder"}, "klein"),  # `<` a parameter
    ({"soort": "b", "n": 2, "label": "y", "kant": "onder"}, "gelabeld y"),  # one of; `in`
])
def test_a_first_hit_table_takes_the_first_row_that_matches(cli, tmp_path, facts, uitkomst):
    assert _result(cli, tmp_path, **facts)["result"]["uitkomst"] == uitkomst


def test_an_ignore_case_table_looks_up_its_value_without_case_or_spaces(cli, tmp_path):
    assert _result(cli, tmp_path, domein="  BETA ")["result"]["lijn"] == 1


@pytest.mark.parametrize(("facts", "message"), [
    ({"code": "Q"}, "code 'Q' is onbekend; bekend: A, B, C"),  # the table's own text
    ({"domein": "gamma"}, "no row of table 'per_domein' matches domein='gamma'"),
    ({"soort": "b", "n": 9}, "no row of table 'eerste' matches soort='b', n='9', label='—'"),
    ({"kant": "nergens"}, "no row of table 'overlap' matches n='12', kant='nergens'"),
])
def test_no_row_that_matches_is_named_with_the_values(cli, tmp_path, facts, message):
    assert _error(cli, tmp_path, **facts) == f"error: test.gen.d: {message}"


@pytest.mark.parametrize(("facts", "what", "problem"), [
    ({"deler": 0}, "step 'deling'", "division by zero"),
    ({"deler": 1}, "output 'half'", "float division by zero"),
    ({"noemer": 0}, "a note", "division by zero"),  # the condition of the step's note
    ({"noemer": 1}, "a note", "division by zero"),  # the condition of the decision's note
])
def test_a_failure_is_named_by_where_it_happened(cli, tmp_path, facts, what, problem):
    assert _error(cli, tmp_path, **facts) == (
        f"error: test.gen.d: {what} cannot be evaluated: {problem}")


def test_coverage_sees_the_rows_generated_tables_match(cli, monkeypatch):
    """Coverage watches the generated tables: a dictionary lookup, a first-hit chain, a
    unique table that scans its rows and a collect table each report the rows they matched."""
    monkeypatch.chdir(DATA)
    data = cli.json("rules", "test", "--coverage", "generated")
    [report] = data["coverage"]
    rows = sorted(i["line"] for i in report["not_covered"] if i["kind"] == "row")
    # not covered: per_code row 2; eerste rows 1, 3, 4, 5; overlap rows 2 and 3
    assert rows == [24, 41, 45, 47, 49, 59, 61]
    assert (report["total"], report["covered"]) == (30, 20)
