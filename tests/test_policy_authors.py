"""What a policy author meets when editing rule files: typed parameters, words that follow the
numbers, a citation for every changed value, and yearly windows written as a Fleming writes
them. Everything through the CLI, on copies of the installed rule files."""

from __future__ import annotations

import json
import re

from conftest import DATA, write_case

AUTHORS = DATA / "authors"
DUUR = {"vormingsattest": {"datum": "2025-06-01"},
        "aanstellingen": [{"van": "2025-09-01", "soort": "proeftijd"}]}
CITE = "besluit van de raad van bestuur van 1 juli 2027, art. 2"


def _line_of(text: str, needle: str) -> int:
    return text.splitlines().index(next(x for x in text.splitlines() if needle in x)) + 1


def _edit(path, old: str, new: str) -> str:
    text = path.read_text(encoding="utf-8")
    assert old in text
    text = text.replace(old, new, 1)
    path.write_text(text, encoding="utf-8")
    return text


# -- parameter values are typed


def test_a_word_for_a_number_is_refused_where_it_is_written(cli, rules_copy, tmp_path):
    folder = rules_copy("go")
    path = folder / "jobtraining.yaml"
    text = _edit(path, "        value: 10\n", "        value: tien\n")
    line = _line_of(text, "value: tien")
    res = cli("--rules", str(folder), "rules", "validate")
    assert res.exit_code == 1
    assert (f"{path}:{line}:16: parameter 'duur_maanden' is a whole number (type: integer), "
            "not 'tien'") in res.stdout
    # and no decision is blamed on the case: the rule file is broken (exit 3), at its place
    res = cli("--rules", str(folder), "decide", "go.jobtraining.duur",
              "--case", write_case(tmp_path, DUUR), "--on", "2026-11-22")
    assert res.exit_code == 3
    assert f"{path}:{line}:16: parameter 'duur_maanden'" in res.stderr
    assert "invalid literal" not in res.stderr


def test_new_version_refuses_a_value_of_another_type_or_out_of_bounds(cli, rules_copy):
    folder = rules_copy("go")
    path = folder / "jobtraining.yaml"
    before = path.read_bytes()
    for value, message in [
        ("12.5", ("--set duur_maanden: parameter 'duur_maanden' is a whole number "
                 "(type: integer), not 12.5")),
        ("0", "--set duur_maanden: parameter 'duur_maanden' must be at least 1, not 0"),
        ("twaalf", "--set duur_maanden: duur_maanden is a number (10), not text ('twaalf')"),
    ]:
        res = cli("--rules", str(folder), "rules", "new-version", "go.jobtraining",
                  "--from", "2027-09-01", "--set", f"duur_maanden={value}")
        assert res.exit_code == 2, res.stdout
        assert message in res.stderr
    assert path.read_bytes() == before


def test_an_undeclared_type_is_that_of_the_first_version(cli, monkeypatch):
    monkeypatch.chdir(AUTHORS)
    res = cli("rules", "validate", "inferred_type.yaml")
    assert res.exit_code == 1
    assert ("inferred_type.yaml:27:24: parameter 'drempel' is a whole number "
            "(type: integer), not 'twaalf'") in res.stdout


def test_bounds_and_declared_types_are_checked_at_the_line(cli, monkeypatch):
    monkeypatch.chdir(AUTHORS)
    res = cli("rules", "validate", "bad_bounds.yaml")
    assert res.exit_code == 1
    assert res.stdout.splitlines() == [
        "bad_bounds.yaml:11:16: parameter 'drempel' must be at least 1, not 0",
        ("bad_bounds.yaml:20:14: parameter 'naam' is of type text: only integer, number, date "
        "take min"),
        "bad_bounds.yaml:24:16: parameter 'vanaf' is a number (type: number), not 2013-01-01",
        ("bad_bounds.yaml:30:39: unknown parameter 'drempl' in text: a title, description or "
        "label can name parameters only; did you mean 'drempel'?"),
        "1 rule file, 0 example files: 4 errors, 0 warnings",
    ]


# -- words follow the numbers


def test_titles_and_descriptions_follow_the_version_in_force(cli, rules_copy, tmp_path):
    folder = rules_copy("go")
    res = cli("--rules", str(folder), "rules", "new-version", "go.jobtraining",
              "--from", "2027-09-01", "--set", "duur_maanden=12", "--set",
              "attest_vanaf=2014-01-01", "--cite", f"duur_maanden={CITE}",
              "--cite", f"attest_vanaf={CITE}", "--citation", CITE)
    assert res.exit_code == 0, res.stderr
    case = write_case(tmp_path, DUUR)
    for on, months in (("2027-08-31", 10), ("2027-09-01", 12)):
        res = cli("--rules", str(folder), "decide", "go.jobtraining.duur", "--case", case,
                  "--on", on)
        title = f"Duur van de jobtraining ({months} maanden effectieve dienst)"
        assert res.stdout.splitlines()[0] == f"go.jobtraining.duur — {title}"
        trail = cli.json("--rules", str(folder), "explain", "go.jobtraining.duur",
                         "--case", case, "--on", on)
        assert trail["title"] == title
        docs = cli("--rules", str(folder), "rules", "docs", "go.jobtraining", "--on", on).stdout
        assert f"## {title}" in docs
    docs = cli("--rules", str(folder), "rules", "docs", "go.jobtraining",
               "--on", "2027-09-01").stdout
    assert "vormingsattest hebben dat afgeleverd werd vanaf 2014-01-01 komen in aanmerking" \
        in docs
    # the diff says what changed in the rule text: the parameters, not the decisions
    diff = cli.json("--rules", str(folder), "rules", "diff", "go.jobtraining")
    assert {p["name"] for p in diff["parameters"]["changed"]} == {"duur_maanden",
                                                                  "attest_vanaf"}
    assert diff["decisions"]["changed"] == []


def test_a_number_in_a_text_that_is_a_parameters_value_is_a_warning(cli, rules_copy):
    folder = rules_copy("go")
    path = folder / "jobtraining.yaml"
    text = _edit(path, "({duur_maanden} maanden effectieve dienst)",
                 "(10 maanden effectieve dienst)")
    line = _line_of(text, "(10 maanden effectieve dienst)")
    res = cli("--rules", str(folder), "rules", "validate")
    assert res.exit_code == 0
    assert (f"{path}:{line}:41: warning: 10 in this text is the value of parameter "
            "'duur_maanden': write {duur_maanden} so that the text follows a new value"
            ) in res.stdout


# -- a changed value carries its own citation


def test_a_new_value_carries_its_own_citation(cli, rules_copy, tmp_path):
    folder = rules_copy("go")
    path = folder / "jobtraining.yaml"
    res = cli("--rules", str(folder), "rules", "new-version", "go.jobtraining",
              "--from", "2027-09-01", "--set", "duur_maanden=12",
              "--cite", f"duur_maanden={CITE}", "--citation", "besluit van 1 juli 2027")
    assert res.exit_code == 0, res.stderr
    assert f"  duur_maanden: 10 → 12 [{CITE}]" in res.stdout
    assert path.read_text(encoding="utf-8").endswith(
        f'      duur_maanden: {{value: 12, citation: "{CITE}"}}\n')
    trail = cli.json("--rules", str(folder), "explain", "go.jobtraining.duur",
                     "--case", write_case(tmp_path, DUUR), "--on", "2027-09-01")
    duur = next(p for p in trail["parameters"] if p["name"] == "duur_maanden")
    assert (duur["value"], duur["citation"]) == (12, CITE)
    text = cli("--rules", str(folder), "explain", "go.jobtraining.duur",
               "--case", write_case(tmp_path, DUUR), "--on", "2027-09-01").stdout
    assert f"duur_maanden = 12 maanden  — Duur van de jobtraining in effectief gepresteerde " \
           f"dienst [{CITE}]" in text
    diff = cli("--rules", str(folder), "rules", "diff", "go.jobtraining").stdout
    assert ("      waarde: 10 maanden → 12 maanden\n"
            f"      bron: 004_818087524ef516da.txt §4.2 → {CITE}\n") in diff
    docs = cli("--rules", str(folder), "rules", "docs", "go.jobtraining",
               "--on", "2027-09-01").stdout
    assert f"| `duur_maanden` | 12 maanden | Duur van de jobtraining in effectief gepresteerde " \
           f"dienst | {CITE} |" in docs
    res = cli("--rules", str(folder), "rules", "validate")
    assert res.exit_code == 0 and "warning" not in res.stdout, res.stdout


def test_a_new_value_without_a_citation_of_its_own_is_a_warning(cli, rules_copy, tmp_path):
    folder = rules_copy("go")
    path = folder / "jobtraining.yaml"
    res = cli("--rules", str(folder), "rules", "new-version", "go.jobtraining",
              "--from", "2027-09-01", "--set", "duur_maanden=12")
    assert res.exit_code == 0, res.stderr
    text = path.read_text(encoding="utf-8")
    version_line = _line_of(text, '- version: "2027-09-01"')
    param_line = _line_of(text, "duur_maanden: {value: 12}")
    res = cli("--rules", str(folder), "rules", "validate")
    assert res.exit_code == 0
    assert [line for line in res.stdout.splitlines() if ": warning: " in line] == [
        (f"{path}:{version_line}:5: warning: version '2027-09-01' has no citation: name the text "
        "that makes it (citation: ...)"),
        (f"{path}:{param_line}:7: warning: parameter 'duur_maanden' gets a new value without a "
        "citation of its own: it is cited to '004_818087524ef516da.txt §4.2', which gave the "
        "old value; add citation: with the text that sets it (new-version --cite "
        "duur_maanden=...)"),
    ]


def test_cite_needs_a_set_and_a_text(cli, rules_copy):
    folder = rules_copy("go")
    for args, message in [
        (["--set", "duur_maanden=12", "--cite", "minimum_contactmomenten=x"],
         "--cite minimum_contactmomenten: give its new value with --set"),
        (["--set", "duur_maanden=12", "--cite", "duur_maanden"], ("--cite 'duur_maanden': write "
         "PARAM=TEXT")),
    ]:
        res = cli("--rules", str(folder), "rules", "new-version", "go.jobtraining",
                  "--from", "2027-09-01", *args)
        assert res.exit_code == 2
        assert message in res.stderr


# -- yearly windows read as a Fleming reads them


def test_yearly_windows_are_shown_day_first_with_the_month_named(cli, tmp_path):
    case = write_case(tmp_path, DUUR)
    text = cli("explain", "go.jobtraining.duur", "--case", case, "--on", "2026-11-22").stdout
    assert "zomerperiode = 5 juli – 15 augustus  — Elk jaar niet meegerekend" in text
    docs = cli("rules", "docs", "go.jobtraining", "--on", "2026-11-22").stdout
    assert "| `zomerperiode` | 5 juli – 15 augustus |" in docs
    klacht = write_case(tmp_path, {"klacht": {"ontvangen_op": "2026-06-01",
                                              "schriftelijk": True}}, "klacht.json")
    text = cli("explain", "ovsg.klacht.antwoordtermijn", "--case", klacht,
               "--on", "2026-06-01").stdout
    assert "opschorting = 11 juli – 15 augustus" in text
    assert "opgeschort van 11 juli – 15 augustus (beide dagen inbegrepen)" in \
        cli("rules", "docs", "ovsg.klacht", "--on", "2026-06-01").stdout


def test_the_old_month_first_form_keeps_its_meaning_and_is_a_warning(cli, monkeypatch,
                                                                      tmp_path):
    monkeypatch.chdir(AUTHORS)
    res = cli("rules", "validate", "windows.yaml")
    assert res.exit_code == 0
    assert res.stdout.splitlines()[:2] == [
        ("windows.yaml:19:19: warning: '07-05' is read month first, as 5 juli, while a reader "
        "may take it for day-month: write '5 juli'"),
        ("windows.yaml:19:33: warning: '08-15' is read month first, as 15 augustus, while a "
        "reader may take it for day-month: write '15 augustus'"),
    ]
    # 1-10 July 2025: 1-4 July count, 5-10 July lie in the window either way
    case = write_case(tmp_path, {"perioden": [{"van": "2025-07-01", "tot": "2025-07-10"}]})
    out = cli.json("--rules", "windows.yaml", "decide", "test.vensters.dagen", "--case", case,
                   "--on", "2025-01-01")
    assert out["result"] == {"nieuw": 4, "vroeger": 4}


def test_a_month_that_does_not_exist_is_refused_at_its_place(cli, tmp_path):
    path = tmp_path / "windows.yaml"
    path.write_text((AUTHORS / "windows.yaml").read_text(encoding="utf-8").replace(
        "tot: 15 augustus", "tot: 15 augusti"), encoding="utf-8")
    res = cli("rules", "validate", str(path))
    assert res.exit_code == 1
    assert res.stdout.splitlines()[0] == (
        f"{path}:13:32: parameter 'zomer'[0] tot: invalid month-day '15 augusti': 'augusti' is "
        "not a month; write the day and the month, e.g. '5 juli'")


def test_the_schema_knows_parameter_types(cli):
    from regelwerk.engine.rulefiles.schema import schema_text

    schema = json.loads(schema_text())
    parameter = schema["$defs"]["parameter"]["properties"]
    assert "yearly window" in parameter["type"]["enum"]
    assert {"min", "max"} <= set(parameter)


# -- examples show their coverage


def test_coverage_lists_what_no_example_exercises(cli, monkeypatch):
    monkeypatch.chdir(AUTHORS)
    res = cli("rules", "test", "--coverage", "coverage")
    assert res.exit_code == 0, res.stdout
    lines = res.stdout.splitlines()
    start = lines.index("coverage by the worked examples (table rows, steps, checks met and "
                        "not met, notes):")
    assert lines[start + 1:] == [
        "test.dekking (coverage/kort.yaml): 4 of 7 (57.1%)",
        "  not covered: coverage/kort.yaml:24: table groep: row 2",
        ("  not covered: coverage/kort.yaml:36: toets: check genoeg of step voorwaarden "
        "(niet voldaan)"),
        "  not covered: coverage/kort.yaml:43: toets: note 1",
    ]
    data = cli.json("rules", "test", "--coverage", "coverage")
    [report] = data["coverage"]
    assert (report["ruleset"], report["total"], report["covered"]) == ("test.dekking", 7, 4)
    assert [(i["kind"], i["line"]) for i in report["not_covered"]] == [
        ("row", 24), ("check", 36), ("note", 43)]


def test_every_built_in_rule_set_is_fully_covered_by_its_examples(cli):
    data = cli.json("rules", "test", "--coverage")
    assert data["ok"]
    assert {r["ruleset"] for r in data["coverage"]} == {
        "go.jobtraining", "go.vormingsattest", "ovsg.klacht", "ovsg.begeleiding",
        "ovsg.werkingscode", "omo.dienstverlening"}
    assert [(r["ruleset"], r["not_covered"]) for r in data["coverage"]
            if r["not_covered"]] == []
    assert all(r["total"] > 0 and r["percent"] == 100.0 for r in data["coverage"])


def test_a_gap_in_a_unique_table_over_known_values_is_a_warning(cli, monkeypatch):
    monkeypatch.chdir(AUTHORS)
    res = cli("rules", "validate", "gap.yaml")
    assert res.exit_code == 0
    assert res.stdout.splitlines() == [
        ("gap.yaml:10:7: warning: no row of unique table 'vergoeding' covers soort=proeftijd, "
        "in_ambt=false: a case with these values gets no decision; add a row for it"),
        "1 rule file, 0 example files: 0 errors, 1 warning",
    ]


# -- the walk-through of the README: the 10 → 12 month change, end to end


def test_the_readme_walk_through_makes_the_twelve_month_change(cli, rules_copy, tmp_path):
    folder = rules_copy("go")  # cp -r .../regelwerk/rules/go my-rules
    rules = ("--rules", str(folder))
    res = cli(*rules, "rules", "validate")
    assert res.exit_code == 0 and res.stdout.endswith(": no problems\n"), res.stdout
    res = cli(*rules, "rules", "test", "--coverage")
    assert res.exit_code == 0
    assert "go.jobtraining (" in res.stdout and "not covered" not in res.stdout

    res = cli(*rules, "rules", "new-version", "go.jobtraining", "--from", "2027-09-01",
              "--set", "duur_maanden=12", "--cite", f"duur_maanden={CITE}",
              "--citation", "besluit van de raad van bestuur van 1 juli 2027")
    assert res.exit_code == 0, res.stderr
    res = cli(*rules, "rules", "validate")
    assert res.exit_code == 0 and "warning" not in res.stdout, res.stdout
    assert cli(*rules, "rules", "test").exit_code == 0  # the examples of the old version hold

    diff = cli(*rules, "rules", "diff", "go.jobtraining").stdout
    assert ("  ~ duur_maanden (Duur van de jobtraining in effectief gepresteerde dienst)\n"
            "      waarde: 10 maanden → 12 maanden\n"
            f"      bron: 004_818087524ef516da.txt §4.2 → {CITE}\n") in diff

    # attest 2025-06-01, proeftijd from 2027-09-01: 12 months are 366 days (29 February 2028);
    # 308 days to 4 July 2028, none from 5 July to 15 August, 16 in August, 30 in September,
    # so the 366th counted day is 12 October 2028
    case = write_case(tmp_path, {"vormingsattest": {"datum": "2025-06-01"},
                                 "aanstellingen": [{"van": "2027-09-01", "soort": "proeftijd"}]})
    explained = cli(*rules, "explain", "go.jobtraining.duur", "--case", case,
                    "--on", "2027-09-01").stdout
    assert explained.startswith("go.jobtraining.duur — Duur van de jobtraining (12 maanden "
                                "effectieve dienst)\n")
    assert (f"duur_maanden = 12 maanden  — Duur van de jobtraining in effectief gepresteerde "
            f"dienst [{CITE}]") in explained
    assert "zomerperiode = 5 juli – 15 augustus" in explained
    out = cli.json(*rules, "decide", "go.jobtraining.duur", "--case", case, "--on", "2027-09-01")
    assert out["result"]["vereiste_dagen"] == 366
    assert out["result"]["einddatum"] == "2028-10-12"

    html = tmp_path / "jobtraining.html"
    res = cli(*rules, "rules", "docs", "go.jobtraining", "--on", "2027-09-01",
              "--format", "html", "-o", str(html))
    assert res.exit_code == 0, res.stderr
    page = html.read_text(encoding="utf-8")
    assert "Duur van de jobtraining (12 maanden effectieve dienst)" in page
    # the parameter table of the version in force (the worked examples, decided on an
    # earlier peildatum, still speak of 10 months: that version decided them)
    assert re.search(r"<code>duur_maanden</code>.*?12 maanden", page, re.DOTALL)
    assert CITE in page and "5 juli – 15 augustus" in page
