"""Messages a policy author can act on: each trap of editing a rule file or a case, through
the CLI, with the place to change and what to change it to."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import write_case


def _edit(folder: Path, old: str, new: str, name: str = "jobtraining.yaml") -> Path:
    path = folder / name
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return path


def _validate(cli, folder: Path) -> list[str]:
    res = cli("--rules", str(folder), "rules", "validate", str(folder / "jobtraining.yaml"))
    return [line for line in res.stdout.splitlines() if ".yaml:" in line]


def _line_of(path: Path, text: str) -> int:
    return next(i for i, line in enumerate(path.read_text().splitlines(), 1) if text in line)


def test_a_colon_in_a_label_says_to_put_the_text_in_quotes(cli, rules_copy):
    folder = rules_copy("go")
    path = _edit(folder, "label: Duur van de jobtraining in effectief gepresteerde dienst",
                 "label: Duur: in effectieve dienst")
    line = _line_of(path, "label: Duur: in effectieve dienst")
    problems = _validate(cli, folder)
    assert len(problems) == 1
    assert problems[0].endswith(
        f"jobtraining.yaml:{line}:16: the text 'Duur: in effectieve dienst' holds a colon and a "
        "space, which YAML reads as a new key; put the text in quotes: "
        "label: \"Duur: in effectieve dienst\"")
    assert "indentation" not in problems[0]


def test_an_unclosed_quote_is_reported_where_it_opens(cli, rules_copy):
    folder = rules_copy("go")
    path = _edit(folder, 'citation: "004_818087524ef516da.txt §4.1"',
                 'citation: "004_818087524ef516da.txt §4.1')
    line = _line_of(path, 'citation: "004_818087524ef516da.txt §4.1')
    problems = _validate(cli, folder)
    assert len(problems) == 1
    assert f"jobtraining.yaml:{line}:19: this quote is not closed on its line" in problems[0]
    assert f"close the quote on line {line}" in problems[0]


@pytest.mark.parametrize("old, new", [
    ("label: Vormingsattest afgeleverd vanaf", "label:\tVormingsattest afgeleverd vanaf"),
    ("label: Vormingsattest afgeleverd vanaf", "label: Vormingsattest\tafgeleverd vanaf"),
])
def test_a_tab_inside_a_value_is_not_called_indentation(cli, rules_copy, old, new):
    folder = rules_copy("go")
    _edit(folder, old, new)
    problems = _validate(cli, folder)
    assert len(problems) == 1
    assert "a tab in a value" in problems[0] and "replace the tab with a space" in problems[0]
    assert "indentation" not in problems[0]


def test_a_tab_in_the_indentation_still_says_indentation(cli, rules_copy):
    folder = rules_copy("go")
    _edit(folder, "        label: Vormingsattest afgeleverd vanaf",
          "\tlabel: Vormingsattest afgeleverd vanaf")
    problems = _validate(cli, folder)
    assert "use spaces, not tabs, for indentation" in problems[0]


def test_a_misspelt_parameter_definition_is_the_one_to_rename(cli, rules_copy):
    folder = rules_copy("go")
    _edit(folder, "      duur_maanden:\n", "      duurmaanden:\n")
    problems = _validate(cli, folder)
    assert problems, "the uses of duur_maanden are unknown now"
    for problem in problems:
        assert ("unknown name 'duur_maanden'" in problem
                and "parameter 'duurmaanden' is defined but read nowhere: did you mean to name "
                    "it 'duur_maanden'?" in problem), problem
        assert "did you mean 'duurmaanden'" not in problem


def test_a_misspelt_use_still_suggests_the_definition(cli, rules_copy):
    folder = rules_copy("go")
    _edit(folder, "add_months(startdatum, duur_maanden)", "add_months(startdatum, duur_maandn)")
    problems = _validate(cli, folder)
    assert len(problems) == 1
    assert problems[0].endswith("; did you mean 'duur_maanden'?")


def test_a_misspelt_parameter_in_a_new_version_names_the_one_it_meant(cli, rules_copy):
    folder = rules_copy("go")
    res = cli("--rules", str(folder), "rules", "new-version", "go.jobtraining",
              "--from", "2027-09-01", "--set", "duur_maanden=12", "--citation", "besluit §2")
    assert res.exit_code == 0, res.stderr
    path = folder / "jobtraining.yaml"
    text = path.read_text(encoding="utf-8")
    head, tail = text.rsplit("duur_maanden:", 1)
    path.write_text(head + "duurmaanden:" + tail, encoding="utf-8")
    problems = _validate(cli, folder)
    assert problems
    assert all("did you mean 'duur_maanden'?" in p for p in problems), problems


def test_a_misspelt_required_fact_gets_a_did_you_mean(cli, tmp_path):
    case = write_case(tmp_path, {"trainee": {"in_amt": True},
                                 "vormingsattest": {"datum": "2024-01-01"}})
    res = cli("decide", "go.jobtraining.toelating", "--case", case, "--on", "2026-01-01")
    assert res.exit_code == 1
    assert res.stderr.strip() == (
        "error: go.jobtraining.toelating: trainee.in_ambt: missing; the case gives "
        "'trainee.in_amt': did you mean 'trainee.in_ambt'?")


@pytest.mark.parametrize("on, words", [
    ("2026-02-30", "peildatum '2026-02-30' does not exist: February 2026 has 28 days"),
    ("2026-13-01", "peildatum '2026-13-01' does not exist: there is no month 13"),
    ("2028-02-30", "peildatum '2028-02-30' does not exist: February 2028 has 29 days"),
])
def test_an_impossible_peildatum_is_said_not_to_exist(cli, on, words):
    res = cli("decide", "go.jobtraining.duur", "--case", "examples/duur.json", "--on", on)
    assert res.exit_code == 1
    assert res.stderr.strip() == f"error: {words}"
    assert "YYYY-MM-DD" not in res.stderr


def test_an_impossible_date_in_a_yaml_case_is_said_not_to_exist(cli, tmp_path):
    case = tmp_path / "case.yaml"
    case.write_text("vormingsattest:\n  datum: 2026-02-30\naanstellingen: []\n")
    res = cli("decide", "go.jobtraining.duur", "--case", str(case), "--on", "2026-11-22")
    assert res.exit_code == 2
    assert res.stderr.strip().endswith(
        "case.yaml:2:10: '2026-02-30' does not exist: February 2026 has 28 days")
