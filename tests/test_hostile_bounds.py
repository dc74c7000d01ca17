"""Bounds that hold whatever a rule file or a case says: long expressions compile, values stay
finite and valid, one fact has one value, and a bad batch line fails alone.

Each test drives the command line as a user would and checks the one-line message, the exit
status and that nothing else was printed or decided.
"""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

RULES = """\
id: test.grens
title: Grenzen
source: x.txt
versions:
  - version: "1"
    in_force_from: 2024-01-01
    parameters:
      p: {{value: {param}, label: P, citation: "x §1"}}
    decisions:
      d:
        title: D
        inputs:
          x: {{type: integer, label: X}}
          b: {{type: bool, required: false, label: B}}
        steps:
{steps}
        outputs:
          uit: {output}
"""


def _rules(tmp_path: Path, steps: list[str], output: str, param: str = "1") -> Path:
    folder = tmp_path / "rules"
    folder.mkdir(exist_ok=True)
    text = "\n".join(f"          - name: {name}\n            value: {value}"
                     for name, value in (s.split("=", 1) for s in steps))
    (folder / "grens.yaml").write_text(RULES.format(steps=text, output=output, param=param),
                                       encoding="utf-8")
    return folder


def _decide(cli, tmp_path: Path, folder: Path, case: dict | str, *extra: str):
    path = tmp_path / "case.json"
    path.write_text(case if isinstance(case, str) else json.dumps(case), encoding="utf-8")
    return cli("--rules", str(folder), "decide", "test.grens.d", "--case", str(path),
               "--on", "2026-01-01", *extra)


def _one_error(result) -> str:
    assert "Traceback" not in result.stderr and "internal error" not in result.stderr
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert len(lines) == 1, lines
    return lines[0]


# ------------------------------------------------------------ long expressions compile


@pytest.mark.parametrize("op, expected", [("+", 500), ("*", 1), ("-", -498)])
def test_a_chain_of_500_terms_compiles_and_decides(cli, tmp_path, op, expected):
    chain = op.join(["x"] * 500)  # 999 characters: inside the limit of 2000
    folder = _rules(tmp_path, [f"s={chain}"], "s")
    data = cli.json("--rules", str(folder), "decide", "test.grens.d", "--case", "-",
                    "--on", "2026-01-01", input='{"x": 1}')
    assert data["result"]["uit"] == expected


def test_a_chain_of_and_compiles_and_decides(cli, tmp_path):
    chain = " and ".join(["b"] * 330)  # 1,975 characters
    folder = _rules(tmp_path, [f"s={chain}"], "s")
    data = cli.json("--rules", str(folder), "decide", "test.grens.d", "--case", "-",
                    "--on", "2026-01-01", input='{"x": 1, "b": true}')
    assert data["result"]["uit"] is True


def test_every_command_still_works_next_to_a_long_chain(cli, tmp_path):
    folder = _rules(tmp_path, ["s=" + "+".join(["x"] * 500)], "s")
    res = cli("--rules", str(folder), "rules", "validate")
    assert res.exit_code == 0, res.stderr
    res = cli("--rules", str(folder), "rules", "list")
    assert res.exit_code == 0 and "test.grens" in res.stdout


# ------------------------------------------------------------ booleans are not numbers


@pytest.mark.parametrize("value, col, message", [
    ("-b", 21, "fact 'b' is true or false, not a number: it cannot be '-'"),
    ("x + b", 24, "fact 'b' is true or false, not a number: it cannot be '+'"),
    ("add_months(peildatum, b)", 42, "fact 'b' is true or false, not a number: it cannot be "
                                     "the number of months of add_months()"),
])
def test_a_bool_fact_used_as_a_number_is_refused_when_loaded(cli, tmp_path, value, col,
                                                             message):
    folder = _rules(tmp_path, [f"s={value}"], "s")
    res = _decide(cli, tmp_path, folder, {"x": 1, "b": True})
    assert res.exit_code == 3
    assert _one_error(res) == f"error: {folder / 'grens.yaml'}:17:{col}: {message}"


@pytest.mark.parametrize("value, message", [
    ("-s0", "cannot apply '-' to true/false"),
    ("add_days(peildatum, s0)",
     "the number of days of add_days() must be a whole number, not true"),
])
def test_a_bool_step_used_as_a_number_is_a_case_error(cli, tmp_path, value, message):
    folder = _rules(tmp_path, ["s0=x > 0", f"s={value}"], "s")
    res = _decide(cli, tmp_path, folder, {"x": 1})
    assert res.exit_code == 1
    assert _one_error(res) == f"error: test.grens.d: step 's' cannot be evaluated: {message}"


def test_date_arithmetic_past_the_calendar_names_the_date(cli, tmp_path):
    folder = _rules(tmp_path, ["s=peildatum + x"], "s")
    res = _decide(cli, tmp_path, folder, {"x": 3_000_000})
    assert res.exit_code == 1
    assert _one_error(res) == ("error: test.grens.d: step 's' cannot be evaluated: 2026-01-01 "
                               "plus 3,000,000 days lies outside the calendar (years 1 to 9999)")


# ------------------------------------------------------------ numbers are finite


@pytest.mark.parametrize("value", [".inf", "-.inf", "1e999", ".nan"])
def test_new_version_refuses_a_number_that_is_not_finite(cli, rules_copy, value):
    folder = rules_copy("go")
    before = (folder / "jobtraining.yaml").read_bytes()
    res = cli("--rules", str(folder), "rules", "new-version", "go.jobtraining",
              "--from", "2027-09-01", "--set", f"duur_maanden={value}")
    assert res.exit_code == 2
    assert _one_error(res).startswith(f"error: --set 'duur_maanden={value}': '{value}' is not a")
    assert (folder / "jobtraining.yaml").read_bytes() == before


def test_log_list_as_json_is_always_valid_json(cli, tmp_path):
    folder = _rules(tmp_path, ["s=x * 1.5"], "s")
    res = _decide(cli, tmp_path, folder, {"x": 3})
    assert res.exit_code == 0, res.stderr
    res = cli("log", "list", "--format", "json")
    assert res.exit_code == 0
    entries = json.loads(res.stdout, parse_constant=lambda word: pytest.fail(word))
    assert entries[-1]["result"]["uit"] == 4.5


def test_a_float_parameter_too_large_is_refused_before_anything_prints(cli, tmp_path):
    folder = _rules(tmp_path, ["s=x * p"], "s", param="1e999")
    res = _decide(cli, tmp_path, folder, {"x": 3})
    assert res.exit_code == 3
    assert _one_error(res).endswith("grens.yaml:8:18: '1e999' is not a finite number")


# ------------------------------------------------------------ one fact, one value in a batch


def _batch(cli, tmp_path: Path, name: str, text: str | bytes, *extra: str):
    path = tmp_path / name
    if isinstance(text, str):
        text = text.encode("utf-8")
    path.write_bytes(text)
    res = cli("--no-log", "decide", "--cases", str(path), *extra)
    assert "Traceback" not in res.stderr and "internal error" not in res.stdout + res.stderr
    return res, [json.loads(line) for line in res.stdout.splitlines()]


GOOD_CSV_ROW = "omo.dienstverlening.categorie,2026-01-15,ICT\n"


def test_csv_columns_for_one_fact_twice_fail_that_line(cli, tmp_path):
    text = ("decision,on,vormingsattest,vormingsattest.datum,trainee.in_ambt\n"
            "go.jobtraining.toelating,2026-01-15,2025-06-01,2010-01-01,true\n"
            "go.jobtraining.toelating,2026-01-15,,2025-06-01,true\n")
    res, out = _batch(cli, tmp_path, "twice.csv", text)
    assert res.exit_code == 1
    assert out[0] == {"line": 2, "error": "go.jobtraining.toelating: vormingsattest.datum: "
                      "given twice, as 'vormingsattest' ('2025-06-01') and as "
                      "'vormingsattest.datum' ('2010-01-01'): give each fact once"}
    assert out[1]["result"]["toegelaten"] is True


def test_a_json_line_with_one_fact_twice_fails_alone(cli, tmp_path):
    case = {"vormingsattest": {"datum": "2025-06-01"}, "vormingsattest.datum": "2010-01-01",
            "trainee": {"in_ambt": True}}
    lines = [json.dumps({"decision": "go.jobtraining.toelating", "on": "2026-01-15",
                         "case": case}),
             json.dumps({"decision": "go.jobtraining.toelating", "on": "2026-01-15",
                         "case": {"vormingsattest.datum": "2025-06-01",
                                  "trainee": {"in_ambt": True}}})]
    res, out = _batch(cli, tmp_path, "twice.jsonl", "\n".join(lines) + "\n")
    assert res.exit_code == 1
    assert out[0]["line"] == 1 and "given twice" in out[0]["error"]
    assert out[1]["result"]["toegelaten"] is True


@pytest.mark.parametrize("cell, message", [
    ('"[{""datum"": ""2026-01-01"", ""datum"": ""2026-01-02"", ""begeleider"": ""mentor""}]"',
     "duplicate key 'datum' in a JSON object"),
    ('"[NaN]"', "NaN is not allowed in a case file: give a number"),
    ('"[""\\ud800""]"', "[0]: text '\\ud800' holds a lone surrogate \\ud800: not valid Unicode"),
])
def test_csv_cells_holding_json_get_the_checks_of_case_files(cli, tmp_path, cell, message):
    text = ("decision,on,contactmomenten\n"
            f"go.jobtraining.contactmomenten,2026-01-15,{cell}\n"
            "go.jobtraining.contactmomenten,2026-01-15,[]\n")
    res, out = _batch(cli, tmp_path, "lists.csv", text)
    assert res.exit_code == 1
    assert out[0]["line"] == 2 and out[0]["error"].endswith(message)
    assert "result" in out[1]


# ------------------------------------------------------------ one bad line fails alone


def test_a_csv_cell_over_the_csv_modules_field_limit_is_read_as_any_other(cli, tmp_path):
    text = ("decision,on,verzoek.domein\n"
            f"omo.dienstverlening.categorie,2026-01-15,{'x' * 200_000}\n" + GOOD_CSV_ROW)
    res, out = _batch(cli, tmp_path, "big.csv", text)
    assert res.exit_code == 1
    assert out[0]["line"] == 2 and "is geen domein" in out[0]["error"]
    assert out[1]["result"]["dienstverleningslijn"]


def test_an_unclosed_quote_at_the_end_of_a_csv_file_fails_that_line(cli, tmp_path):
    text = ("decision,on,verzoek.domein\n" + GOOD_CSV_ROW +
            'omo.dienstverlening.categorie,2026-01-15,"ICT\n')
    res, out = _batch(cli, tmp_path, "open.csv", text)
    assert res.exit_code == 1
    assert "result" in out[0]
    assert out[1] == {"line": 3,
                      "error": "a quoted cell is not closed before the end of the file"}


def test_a_quoted_cell_may_hold_a_line_break(cli, tmp_path):
    text = ("decision,on,verzoek.domein\n"
            'omo.dienstverlening.categorie,2026-01-15,"IC\nT"\n' + GOOD_CSV_ROW)
    _res, out = _batch(cli, tmp_path, "break.csv", text)
    assert [o.get("line") for o in out] == [3, None]
    assert "'IC\\u000aT' is geen domein" in out[0]["error"]


def test_a_bad_utf8_csv_row_fails_alone(cli, tmp_path):
    text = (b"decision,on,verzoek.domein\n"
            b"omo.dienstverlening.categorie,2026-01-15,\xe9\n" + GOOD_CSV_ROW.encode())
    _res, out = _batch(cli, tmp_path, "latin.csv", text)
    assert out[0] == {"line": 2, "error": "not UTF-8 text (invalid continuation byte)"}
    assert "result" in out[1]


@pytest.mark.parametrize("kind", ["jsonl", "csv"])
def test_a_line_over_the_limit_fails_alone_and_is_never_held_whole(cli, tmp_path, kind):
    good = json.dumps({"decision": "omo.dienstverlening.categorie", "on": "2026-01-15",
                       "case": {"verzoek": {"domein": "ICT"}}}) + "\n"
    if kind == "csv":
        head, good = "decision,on,verzoek.domein\n", GOOD_CSV_ROW
        long = "omo.dienstverlening.categorie,2026-01-15," + "x" * 50_000_001 + "\n"
    else:
        head = ""
        long = '{"decision": "' + "x" * 50_000_001 + '"}\n'
    res, out = _batch(cli, tmp_path, f"long.{kind}", head + good + long + good)
    assert res.exit_code == 1
    first = 1 + (kind == "csv")
    assert out[1] == {"line": first + 1,
                      "error": "line longer than the limit of 50,000,000 bytes"}
    assert "result" in out[0] and out[2] == out[0]


def test_standard_input_closed_is_a_usage_error(cli):
    import os
    import subprocess
    import sys

    for option in ("--cases", "--case"):
        done = subprocess.run([sys.executable, "-m", "regelwerk", "--no-log", "decide",
                               "go.jobtraining.toelating", option, "-"],
                              capture_output=True, text=True, timeout=60, check=False,
                              preexec_fn=lambda: os.close(0))  # as `regelwerk ... <&-`
        assert done.returncode == 2, done.stderr
        assert done.stderr == (f"error: {option} -: standard input is closed; give a file, or "
                               f"pipe the {option[2:]} in\n")


@pytest.mark.parametrize("value", ["", "  "])
def test_an_empty_log_path_is_refused_not_replaced_by_the_default(cli, value):
    res = cli("--log", value, "decide", "go.jobtraining.duur", "--case", "examples/duur.json")
    assert res.exit_code == 2
    assert f"--log {value!r}: give the path of the decision log file" in res.stderr
    assert res.stdout == ""


# ------------------------------------------------------------ values stay bounded

LISTS = """\
id: test.lijsten
title: Lijsten
source: x.txt
versions:
  - version: "1"
    in_force_from: 2024-01-01
    parameters:
      veel: {{value: {param}, label: Veel, citation: "x §1"}}
    decisions:
      d:
        title: D
        inputs:
          xs: {{type: list, label: XS}}
        steps:
          - name: s1
            value: "[{s1}]"
          - name: s2
            value: "[{s2}]"
        outputs:
          aantal: count(s2)
          alles: s2
"""


def _lists(tmp_path: Path, s1: str, param: str = "[1]") -> Path:
    folder = tmp_path / "rules"
    folder.mkdir(exist_ok=True)
    text = LISTS.format(param=param, s1=", ".join([s1] * 14), s2=", ".join(["s1"] * 14))
    (folder / "lijsten.yaml").write_text(text, encoding="utf-8")
    return folder


def test_a_value_that_repeats_the_case_is_measured_and_refused_when_too_large(cli, tmp_path):
    folder = _lists(tmp_path, "xs")
    path = tmp_path / "klein.json"
    path.write_text(json.dumps({"xs": list(range(10))}), encoding="utf-8")
    data = cli.json("--rules", str(folder), "decide", "test.lijsten.d", "--case", str(path),
                    "--on", "2026-01-01")
    assert data["result"]["aantal"] == 14 and len(data["result"]["alles"][0][0]) == 10
    path.write_text(json.dumps({"xs": list(range(10_000))}), encoding="utf-8")
    res = cli("--rules", str(folder), "decide", "test.lijsten.d", "--case", str(path),
              "--on", "2026-01-01")
    assert res.exit_code == 1
    assert _one_error(res) == (
        "error: test.lijsten.d: step 's2' cannot be evaluated: with the values made before "
        "it, the decision's values are larger than 1,000,000 items (written out in full, every "
        "reference counted, a text one per 64 characters)")


def test_a_value_too_large_from_parameters_alone_is_refused_when_loaded(cli, tmp_path):
    folder = _lists(tmp_path, "veel", param="[" + ", ".join(["0"] * 100_000) + "]")
    res = cli("--rules", str(folder), "rules", "validate")
    assert res.exit_code == 1
    assert ("lijsten.yaml:16:20: step 's1' builds a value of 1,400,015 items from parameters "
            "and literals alone, more than the limit of 1,000,000") in res.stdout


def test_log_list_is_valid_json_even_for_infinity_logged_by_an_earlier_version(cli, tmp_path,
                                                                              private_decision_log):
    import sqlite3

    from regelwerk.engine.log.blocks import pack, unpack

    folder = _rules(tmp_path, ["s=x * 1.5"], "s")
    assert _decide(cli, tmp_path, folder, {"x": 3}).exit_code == 0
    with sqlite3.connect(private_decision_log) as db:  # as an earlier regelwerk wrote it
        key, stored = db.execute("SELECT key, entries FROM blocks").fetchone()
        text = unpack(stored).replace(b'"uit":4.5', b'"uit":Infinity,"nan":NaN,"big":1e999')
        db.execute("UPDATE blocks SET entries = ? WHERE key = ?", (pack(text), key))
    res = cli("log", "list", "--format", "json")
    assert res.exit_code == 0, res.stderr
    entry = json.loads(res.stdout, parse_constant=lambda word: pytest.fail(word))[-1]
    assert entry["result"] == {"uit": "Infinity", "nan": "NaN", "big": "1e999"}


def test_a_quote_inside_an_unquoted_csv_cell_is_a_character(cli, tmp_path):
    text = ("decision,on,verzoek.domein\n"
            'omo.dienstverlening.categorie,2026-01-15,5" scherm\n' + GOOD_CSV_ROW)
    _res, out = _batch(cli, tmp_path, "inch.csv", text)
    assert out[0]["line"] == 2 and "'5\" scherm' is geen domein" in out[0]["error"]
    assert "result" in out[1]


@given(st.lists(st.sampled_from(["a", '"', ",", "\n", '""', 'b"c', '"x\ny"', "\r\n", "é"]),
                max_size=14).map("".join))
def test_csv_rows_are_split_as_the_csv_module_reads_them(text):
    import csv
    import io

    from regelwerk.engine.batch.input import _parsed, _records

    text += "\n"
    try:
        want = list(csv.reader(io.StringIO(text, newline=""), strict=True))
    except csv.Error:
        return  # what strict csv refuses, the batch refuses too (a row's error)
    lines = io.BytesIO(text.encode()).readlines()
    assert [_parsed(record, False) for _n, record in _records(lines, 10**6)] == want


@pytest.mark.parametrize("cell", ["３", "٣", "1_000"])
def test_a_csv_number_cell_holds_ascii_digits_only(cli, tmp_path, cell):
    # int() and float() read '３', '٣' and '1_000' as numbers; a YAML or JSON case does not,
    # and neither does an expression: a CSV cell is held to the same digits.
    _rules(tmp_path, ["s=x + 1"], "s")
    text = f"decision,on,x\ntest.grens.d,2026-01-15,{cell}\ntest.grens.d,2026-01-15,3\n"
    path = tmp_path / "digits.csv"
    path.write_text(text, encoding="utf-8")
    res = cli("--no-log", "--rules", str(tmp_path / "rules"), "decide", "--cases", str(path))
    out = [json.loads(line) for line in res.stdout.splitlines()]
    assert res.exit_code == 1
    assert out[0] == {"line": 2, "error": f"test.grens.d: x: expected a whole number, got {cell!r}"}
    assert out[1]["result"] == {"uit": 4}


def test_a_csv_cell_holding_bad_json_names_its_column(cli, tmp_path):
    text = ("decision,on,contactmomenten\n"
            'go.jobtraining.contactmomenten,2026-01-15,"[""\\ud800""]"\n')
    _res, out = _batch(cli, tmp_path, "column.csv", text)
    assert out[0] == {"line": 2, "error": "column contactmomenten: [0]: text '\\ud800' holds a "
                      "lone surrogate \\ud800: not valid Unicode"}


# ------------------------------------------------------------ a decision as a whole is bounded

MANY = """id: test.veel
title: T
source: x.txt
versions:
  - version: "1"
    in_force_from: 2024-01-01
    citation: "x.txt §1"
    decisions:
      d:
        title: D
        inputs:
          l: {{type: list, label: L}}
        steps:
{steps}
        outputs:
{outputs}
{notes}"""


def _many(tmp_path: Path, steps: int, outputs: str = "", note: str = "") -> Path:
    folder = tmp_path / "veel"
    folder.mkdir(exist_ok=True)
    copies = ", ".join(["l"] * 99)  # each value holds the case 99 times: under the free 100
    text = MANY.format(
        steps="\n".join(f"          - name: s{i}\n            value: \"[{copies}]\""
                        for i in range(steps)),
        outputs=outputs or "\n".join(f"          o{i}: s{i}" for i in range(steps)),
        notes=f"        notes:\n          - text: \"{note}\"" if note else "")
    (folder / "veel.yaml").write_text(text, encoding="utf-8")
    return folder


@pytest.mark.parametrize("shape", ["outputs", "explain", "note"])
def test_many_values_each_under_the_limit_are_bounded_together(cli, tmp_path, shape):
    if shape == "outputs":
        folder, command = _many(tmp_path, 200), "decide"
    elif shape == "explain":  # one small output, but the trail writes every step out
        folder, command = _many(tmp_path, 200, outputs="          n: count(s0)"), "explain"
    else:  # a note that shows every step
        folder = _many(tmp_path, 200, outputs="          n: count(s0)",
                       note="".join(f"{{s{i}}}" for i in range(200)))
        command = "decide"
    assert cli("--rules", str(folder), "rules", "validate").exit_code == 0
    path = tmp_path / "groot.json"
    path.write_text(json.dumps({"l": list(range(10_000))}), encoding="utf-8")
    started = time.monotonic()
    res = cli("--no-log", "--rules", str(folder), command, "test.veel.d", "--case", str(path),
              "--on", "2026-01-01")
    assert time.monotonic() - started < 20
    assert res.exit_code == 1
    assert "larger than 1,000,000 items" in _one_error(res)


def test_many_values_decide_when_the_case_is_small(cli, tmp_path):
    folder = _many(tmp_path, 200)
    path = tmp_path / "klein.json"
    path.write_text(json.dumps({"l": [1, 2]}), encoding="utf-8")
    data = cli.json("--no-log", "--rules", str(folder), "decide", "test.veel.d", "--case",
                    str(path), "--on", "2026-01-01")
    assert len(data["result"]["o199"]) == 99
