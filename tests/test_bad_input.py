"""Bad input gets one clear line naming the place and the value, and a non-zero exit."""

from __future__ import annotations

import json

import pytest
from conftest import write_case

TOELATING = "go.jobtraining.toelating"


def _error(result) -> str:
    lines = result.stderr.strip().splitlines()
    assert lines, "expected a message on standard error"
    return lines[0]


def test_unknown_decision(cli, tmp_path):
    res = cli("decide", "go.jobtraining.toelatin", "--case", write_case(tmp_path, {}))
    assert res.exit_code == 2
    assert "unknown decision 'go.jobtraining.toelatin'" in _error(res)
    assert "did you mean go.jobtraining.toelating" in _error(res)


@pytest.mark.parametrize("case, fact, words", [
    ({}, "trainee.in_ambt", "missing"),
    ({"trainee": {"in_ambt": "ja"}}, "trainee.in_ambt", "expected true or false, got 'ja'"),
    ({"trainee": {"in_ambt": True}, "vormingsattest": {"datum": "2026-02-30"}},
     "vormingsattest.datum", "'2026-02-30' does not exist: February 2026 has 28 days"),
    ({"trainee": {"in_ambt": True}, "vormingsattest": {"datum": 20200101}},
     "vormingsattest.datum", "expected a date YYYY-MM-DD, got 20200101"),
])
def test_malformed_facts(cli, tmp_path, case, fact, words):
    res = cli("decide", TOELATING, "--case", write_case(tmp_path, case), "--on", "2026-01-01")
    assert res.exit_code == 1
    assert _error(res) == f"error: {TOELATING}: {fact}: {words}"


def test_wrong_item_in_a_list_is_named_with_its_index(cli, tmp_path):
    case = {"vormingsattest": {"datum": "2025-01-01"},
            "aanstellingen": [{"van": "2025-01-01", "soort": "proeftijd"},
                              {"van": "2025-03-01", "soort": "vast"}]}
    res = cli("decide", "go.jobtraining.duur", "--case", write_case(tmp_path, case),
              "--on", "2026-01-01")
    assert res.exit_code == 1
    assert "aanstellingen[1].soort: 'vast' is not one of: waarnemend, proeftijd" in _error(res)


def test_appointment_ending_before_it_starts(cli, tmp_path):
    case = {"vormingsattest": {"datum": "2025-01-01"},
            "aanstellingen": [{"van": "2025-03-01", "tot": "2025-02-01", "soort": "proeftijd"}]}
    res = cli("decide", "go.jobtraining.duur", "--case", write_case(tmp_path, case),
              "--on", "2026-01-01")
    assert res.exit_code == 1
    assert "tot 2025-02-01 lies before van 2025-03-01" in _error(res)


def test_malformed_json_case_names_line_and_column(cli, tmp_path):
    path = tmp_path / "case.json"
    path.write_text('{"trainee": {"in_ambt": true,}}')
    res = cli("decide", TOELATING, "--case", str(path))
    assert res.exit_code == 2
    assert f"{path}:1:" in _error(res)


def test_missing_case_file(cli, tmp_path):
    res = cli("decide", TOELATING, "--case", str(tmp_path / "nope.json"))
    assert res.exit_code == 2
    assert "nope.json" in _error(res)


def test_value_the_regulation_does_not_cover(cli, tmp_path):
    case = {"trainee": {"onderwijsniveau": "HO", "scholengroep": "A"}}
    res = cli("decide", "go.jobtraining.mentor", "--case", write_case(tmp_path, case))
    assert res.exit_code == 1
    msg = _error(res)
    assert "go.jobtraining.mentor: onderwijsniveau 'HO' valt niet onder de jobtraining" in msg
    assert "BaO, BuBaO, SO, BuSO, CLB, CVO, DKO, LSC" in msg


def test_peildatum_before_the_first_version(cli, tmp_path):
    case = {"trainee": {"in_ambt": True}}
    res = cli("decide", TOELATING, "--case", write_case(tmp_path, case), "--on", "2024-02-01")
    assert res.exit_code == 1
    assert "no version of go.jobtraining is in force on 2024-02-01" in _error(res)
    assert "first comes into force on 2024-02-02" in _error(res)


def test_impossible_peildatum(cli, tmp_path):
    res = cli("decide", TOELATING, "--case", write_case(tmp_path, {}), "--on", "2026-13-01")
    assert res.exit_code == 1
    assert "peildatum '2026-13-01' does not exist: there is no month 13" in _error(res)


def test_broken_rule_file_is_reported_with_file_line_and_column(cli, tmp_path, rules_copy):
    folder = rules_copy("go")
    path = folder / "jobtraining.yaml"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("value: add_months(startdatum, duur_maanden)",
                                 "value: add_months(startdatum, duur_maand)"), encoding="utf-8")
    line = next(i for i, t in enumerate(path.read_text().splitlines(), 1) if "duur_maand)" in t)
    res = cli("--rules", str(folder), "decide", "go.jobtraining.duur",
              "--case", write_case(tmp_path, {}))
    assert res.exit_code == 3
    col = path.read_text().splitlines()[line - 1].index("duur_maand)") + 1
    assert _error(res) == (f"error: {path}:{line}:{col}: unknown name 'duur_maand' in "
                           "'add_months(startdatum, duur_maand)'; did you mean 'duur_maanden'?")


def test_unknown_facts_are_a_warning_with_the_closest_name(cli, tmp_path):
    case = {"trainee": {"in_ambt": True, "in_amt": False}, "vormingsattest": {"datum": "2020-01-01"}}
    res = cli("decide", TOELATING, "--case", write_case(tmp_path, case), "--on", "2026-01-01",
              "--format", "json")
    assert res.exit_code == 0
    warning = (f"{TOELATING}: unknown fact 'trainee.in_amt' (did you mean 'trainee.in_ambt'?): "
               "the decision does not read it")
    assert res.stderr.strip() == f"warning: {warning}"
    assert json.loads(res.stdout)["warnings"] == [warning]


def test_unknown_fields_of_list_items_are_named_with_their_index(cli, tmp_path):
    case = {"vormingsattest": {"datum": "2025-01-01"},
            "aanstellingen": [{"van": "2025-01-01", "soort": "proeftijd", "sort": "proeftijd"}]}
    res = cli("decide", "go.jobtraining.duur", "--case", write_case(tmp_path, case),
              "--on", "2026-01-01")
    assert res.exit_code == 0
    assert "unknown fact 'aanstellingen[0].sort' (did you mean 'soort'?)" in res.stderr


def test_a_strict_rule_set_refuses_unknown_facts(cli, tmp_path, rules_copy):
    folder = rules_copy("go")
    path = folder / "jobtraining.yaml"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("\nversions:", "\nstrict_facts: true\nversions:", 1),
                    encoding="utf-8")
    case = {"trainee": {"in_ambt": True}, "vormingsattest": {"datum": "2020-01-01"},
            **{f"extra{i}": i for i in range(7)}}
    res = cli("--rules", str(folder), "decide", TOELATING, "--case", write_case(tmp_path, case),
              "--on", "2026-01-01")
    assert res.exit_code == 1
    assert _error(res) == (f"error: {TOELATING}: unknown facts 'extra0', 'extra1', 'extra2', "
                           "'extra3', 'extra4' and 2 more: the decision does not read them "
                           "(rule set go.jobtraining accepts only the facts it declares: "
                           "strict_facts)")
    del case["extra0"], case["extra1"], case["extra2"], case["extra3"], case["extra4"]
    del case["extra5"], case["extra6"]
    res = cli("--rules", str(folder), "decide", TOELATING, "--case", write_case(tmp_path, case),
              "--on", "2026-01-01")
    assert res.exit_code == 0 and not res.stderr


@pytest.mark.parametrize("text, words", [
    ('{"trainee": {"in_ambt": true}, "n": 1e400}', "1e400 is too large a number for a case file"),
    ('{"n": ' + "7" * 5000 + "}", "a number has more than 4300 digits"),
    ('{"trainee": ' + "[" * 100 + "]" * 100 + "}", "nesting too deep (more than 64 levels)"),
    ('{"trainee": ' + "[" * 100_000 + "]" * 100_000 + "}", "nesting too deep"),
    ('{"trainee": {"in_ambt": tru', "Expecting value"),
])
def test_hostile_json_case_files(cli, tmp_path, text, words):
    path = tmp_path / "case.json"
    path.write_text(text, encoding="utf-8")
    res = cli("decide", TOELATING, "--case", str(path), "--on", "2026-01-01")
    assert res.exit_code == 2
    assert _error(res).startswith(f"error: {path}")
    assert words in _error(res)


def test_ten_thousand_appointments_in_one_case(cli, tmp_path):
    import datetime as dt

    start = dt.date(2000, 1, 1)
    appointments = [{"van": (start + dt.timedelta(days=3 * i)).isoformat(),
                     "tot": (start + dt.timedelta(days=3 * i + 40)).isoformat(),
                     "soort": "waarnemend"} for i in range(10_000)]
    case = {"vormingsattest": {"datum": "1999-01-01"}, "aanstellingen": appointments}
    out = cli.json("decide", "go.jobtraining.duur", "--case", write_case(tmp_path, case),
                   "--on", "2026-01-01")
    result = out["result"]
    assert result["startdatum"] == "2000-01-01"
    assert len(result["aanstellingen"]) == 10_000
    assert all(a["telt"] for a in result["aanstellingen"])


@pytest.mark.parametrize("value", [float("nan"), float("inf"), float("-inf")])
def test_a_number_fact_must_be_finite(value):
    from regelwerk.engine.base.errors import CaseError
    from regelwerk.engine.compiling.facts import FactSpec

    with pytest.raises(CaseError, match="n: expected a finite number"):
        FactSpec("n", "number").convert(value, "n")
    assert FactSpec("n", "number").convert(2.5, "n") == 2.5
