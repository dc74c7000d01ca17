"""Bounds that hold whatever a rule file or a case says: long expressions compile, values stay
finite and valid, one fact has one value, and a bad batch line fails alone.

Each test drives the command line as a user would and checks the one-line message, the exit
status and that nothing else was printed or decided.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

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
    chain = " and ".join(["x == 1"] * 150)
    folder = _rules(tmp_path, [f"s={chain}"], "s")
    data = cli.json("--rules", str(folder), "decide", "test.grens.d", "--case", "-",
                    "--on", "2026-01-01", input='{"x": 1}')
    assert data["result"]["uit"] is True


def test_every_command_still_works_next_to_a_long_chain(cli, tmp_path):
    folder = _rules(tmp_path, ["s=" + "+".join(["x"] * 500)], "s")
    res = cli("--rules", str(folder), "rules", "validate")
    assert res.exit_code == 0, res.stderr
    res = cli("--rules", str(folder), "rules", "list")
    assert res.exit_code == 0 and "test.grens" in res.stdout


# ------------------------------------------------------------ booleans are not numbers


def test_minus_a_bool_fact_is_a_case_error(cli, tmp_path):
    folder = _rules(tmp_path, ["s=-b"], "s")
    res = _decide(cli, tmp_path, folder, {"x": 1, "b": True})
    assert res.exit_code == 1
    assert _one_error(res) == ("error: test.grens.d: step 's' cannot be evaluated: "
                               "cannot apply '-' to true/false")


def test_add_days_with_a_bool_is_a_case_error(cli, tmp_path):
    folder = _rules(tmp_path, ["s=add_days(peildatum, b)"], "s")
    res = _decide(cli, tmp_path, folder, {"x": 1, "b": True})
    assert res.exit_code == 1
    assert _one_error(res) == ("error: test.grens.d: step 's' cannot be evaluated: the number "
                               "of days of add_days() must be a whole number, not true")


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
