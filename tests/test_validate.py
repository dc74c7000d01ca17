"""`regelwerk rules validate`: every problem of every file at once, each at its line and column."""

from __future__ import annotations

import datetime as dt
import json
import types
from pathlib import Path

import pytest
from conftest import DATA
from regelwerk.engine.authoring.validate import ruleset_warnings, validate
from regelwerk.engine.deciding.api import Engine
from regelwerk.engine.ops import Arg, Operation, calendar_check
from regelwerk.engine.ops.calendars import Calendar
from regelwerk.engine.ops.hookspecs import hookimpl


def _expected(folder: Path) -> dict[str, list[tuple[int, int, str, str]]]:
    """FILE: LINE:COL: [warning: ]text lines of a folder's expected.txt, by file."""
    found: dict[str, list] = {}
    for line in (folder / "expected.txt").read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        name, _, rest = line.partition(": ")
        found.setdefault(name.rstrip(":"), [])
        if not rest:
            continue
        place, _, text = rest.partition(": ")
        row, col = place.split(":")
        severity = "error"
        if text.startswith("warning: "):
            severity, text = "warning", text[len("warning: "):]
        found[name].append((int(row), int(col), severity, text))
    return found


CASES = [(DATA / "validate", name, want) for name, want in _expected(DATA / "validate").items()]
CASES += [(DATA / "examples", name, want) for name, want in _expected(DATA / "examples").items()]


@pytest.mark.parametrize("folder, name, want", CASES, ids=[c[1] for c in CASES])
def test_each_problem_at_its_line_and_column(cli, monkeypatch, folder, name, want):
    monkeypatch.chdir(folder)
    res = cli("rules", "validate", name, "--format", "json")
    report = json.loads(res.stdout)
    got = [(p["line"], p["col"], p["severity"], p["message"]) for p in report["problems"]]
    assert len(got) == len(want), got
    for (line, col, severity, message), (w_line, w_col, w_severity, text) in zip(got, want):
        assert (line, col, severity) == (w_line, w_col, w_severity), message
        assert text in message
    assert {p["file"] for p in report["problems"]} <= {name}
    has_errors = any(s == "error" for _, _, s, _ in want)
    assert res.exit_code == (1 if has_errors else 0)
    assert report["ok"] is not has_errors


def test_text_output_is_one_problem_a_line_then_a_summary(cli, monkeypatch):
    monkeypatch.chdir(DATA / "validate")
    res = cli("rules", "validate", "misspelt_parameter.yaml", "impossible_date.yaml")
    assert res.exit_code == 1
    assert res.stdout.splitlines() == [
        "impossible_date.yaml:7:20: '2024-02-30' does not exist: February 2024 has 29 days",
        ("misspelt_parameter.yaml:19:28: unknown name 'drempl' in 'aantal >= drempl'; did you "
         "mean 'drempel'?"),
        "2 rule files, 0 example files: 2 errors, 0 warnings",
    ]


def test_warnings_alone_exit_zero(cli, monkeypatch):
    monkeypatch.chdir(DATA / "validate")
    res = cli("rules", "validate", "warnings_only.yaml")
    assert res.exit_code == 0
    assert "warnings_only.yaml:14:7: warning: parameter 'ongebruikt'" in res.stdout
    assert res.stdout.splitlines()[-1] == "1 rule file, 0 example files: 0 errors, 6 warnings"


def test_the_rules_in_use_and_their_examples_are_clean(cli):
    res = cli("rules", "validate", "--format", "json")
    assert res.exit_code == 0, res.stdout
    report = json.loads(res.stdout)
    assert report["problems"] == []
    assert any(f.endswith("jobtraining.yaml") for f in report["rule_files"])
    assert any(f.endswith("jobtraining.cases.yaml") for f in report["example_files"])


def test_a_folder_is_searched_and_all_its_files_reported(cli, monkeypatch):
    monkeypatch.chdir(DATA)
    res = cli("rules", "validate", "examples", "--format", "json")
    report = json.loads(res.stdout)
    assert res.exit_code == 1
    files = {p["file"] for p in report["problems"]}
    assert files == {f"examples/{n}" for n, w in _expected(DATA / "examples").items() if w}
    assert report["rule_files"] == ["examples/drempel.yaml"]


def test_a_draft_in_rules_is_what_is_validated(cli, rules_copy):
    folder = rules_copy("go")
    path = folder / "jobtraining.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace(
        "value: add_months(startdatum, duur_maanden)", "value: add_months(startdatum, duur)"),
        encoding="utf-8")
    res = cli("--rules", str(folder), "rules", "validate")
    assert res.exit_code == 1
    assert f"{path}:" in res.stdout and "unknown name 'duur'" in res.stdout


def test_unknown_path_is_a_usage_error(cli, tmp_path):
    res = cli("rules", "validate", str(tmp_path / "nowhere.yaml"))
    assert res.exit_code == 2
    assert "no such file or folder" in res.stderr


def test_last_version_ending_soon_is_a_warning(tmp_path):
    path = tmp_path / "drempel.yaml"
    text = (DATA / "examples" / "drempel.yaml").read_text(encoding="utf-8")
    path.write_text(text.replace('in_force_from: 2025-01-01\n',
                                 'in_force_from: 2025-01-01\n    in_force_until: 2027-03-31\n'),
                    encoding="utf-8")
    ruleset = Engine([str(tmp_path)]).catalog.rulesets["test.drempel"]
    line = text.splitlines().index("    in_force_from: 2025-01-01") + 2

    def messages(today: dt.date) -> list[str]:
        return [f"{p.line}:{p.col}: {p.message}" for p in ruleset_warnings(ruleset, today, 90)]

    assert messages(dt.date(2026, 12, 30)) == []  # 91 days before: not yet
    assert messages(dt.date(2027, 1, 1)) == [
        (f"{line}:5: version '2025-01-01' ends on 2027-03-31, in 89 days, and no later version "
         "follows")]
    assert "ended on 2027-03-31" in messages(dt.date(2027, 4, 1))[0]


# -- an operation that names a calendar: a plugin's check reports an unknown one when loading

def _working_days(start, n, calendar):  # pragma: no cover - never decided here
    return start


CALENDAR_PLUGIN = types.SimpleNamespace(
    regelwerk_register_operations=hookimpl(lambda register: register(Operation(
        "werkdagen_test", _working_days,
        {"start": Arg(), "n": Arg(), "calendar": Arg("text")},
        "test operation", check=calendar_check("calendar")))),
    regelwerk_register_calendars=hookimpl(lambda register: register(Calendar("be_test", "BE"))),
)

CALENDAR_RULES = '''id: test.kalender
title: Kalender
source: 001_cab1d0af50fd2a82.txt
versions:
  - version: "2024-01-01"
    in_force_from: 2024-01-01
    citation: "001_cab1d0af50fd2a82.txt §7"
    decisions:
      termijn:
        title: Termijn
        inputs:
          ontvangen: {type: date, label: Ontvangen}
        steps:
          - name: einde
            op: werkdagen_test
            args: {start: ontvangen, n: 30, calendar: %s}
        outputs:
          einde: einde
'''


@pytest.mark.parametrize("calendar, problems", [
    ("be_test", []),
    ("bee_test", ["16:55: unknown calendar 'bee_test'; known: be_test, omo.nl, ovsg.be"]),
])
def test_unknown_calendar_is_reported_at_the_argument(tmp_path, calendar, problems):
    (tmp_path / "kalender.yaml").write_text(CALENDAR_RULES % calendar, encoding="utf-8")
    engine = Engine([str(tmp_path)], plugins=[("kalender", CALENDAR_PLUGIN)])
    report = validate(engine.catalog, [str(tmp_path)], today=dt.date(2026, 1, 1))
    assert [f"{p.line}:{p.col}: {p.message}" for p in report.problems] == problems
