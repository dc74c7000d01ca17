"""`rules docs` and `explain` speak Dutch, not code: each step says what it does, parameters
are filled in, notes are shown, no path of the installation leaks in, and explain shows
every appointment and its reason in full, a list shown once."""

from __future__ import annotations

import json
import re

import pytest
from conftest import DUTCH, write_case

RULESETS = ["go.jobtraining", "go.vormingsattest", "ovsg.klacht", "ovsg.begeleiding",
            "ovsg.werkingscode", "omo.dienstverlening"]


def _docs(cli, ruleset: str, fmt: str = "markdown") -> str:
    res = cli("rules", "docs", ruleset, "--on", "2026-11-22", "--format", fmt, env=DUTCH)
    assert res.exit_code == 0, res.stderr
    return res.stdout


def test_the_steps_say_in_dutch_what_they_do(cli):
    md = _docs(cli, "go.jobtraining")
    for code in ("add_months(startdatum, duur_maanden)", "get(niveau_aliassen",
                 "days_between(", "first_day(telling)"):
        assert code not in md
    assert ("4. **Startdatum plus de duur in maanden** (§4.2): De startdatum plus 10 maanden."
            in md)
    assert ("1. **Welke aanstellingen tellen mee** (§4.2): Elke aanstelling wordt beoordeeld: "
            "een proeftijd telt mee, een waarnemende aanstelling telt mee als ze geen einddatum "
            "heeft of minstens 30 kalenderdagen duurt.") in md
    assert "    - bewerking: dagen dienst tellen — Getelde dagen over perioden" in md


def test_placeholders_of_parameters_are_filled_and_notes_shown(cli):
    md = _docs(cli, "go.jobtraining")
    assert "{minimum_dagen_waarneming}" not in md and "‹minimum_dagen_waarneming›" not in md
    assert "‹attest_vanaf›" not in md and "vóór 2013-01-01 (§4.1)" in md
    assert ("    - toelichting (als van toepassing): dagen tellen vanaf het vormingsattest "
            "(‹vormingsattest.datum›)") in md


@pytest.mark.parametrize("ruleset", RULESETS)
def test_every_step_and_output_is_described(cli, ruleset):
    doc = json.loads(_docs(cli, ruleset, "json"))
    for decision in doc["decisions"]:
        for step in decision["steps"]:
            assert step["description"], f"{decision['id']}: step {step['name']}"
        for output in decision["outputs"]:
            assert output["label"], f"{decision['id']}: output {output['name']}"
    md = _docs(cli, ruleset)
    assert "| — |" not in md.split("### Uitkomsten")[1].split("###")[0]


@pytest.mark.parametrize("fmt", ["markdown", "html"])
def test_no_english_and_no_installation_path(cli, installed_rules, fmt):
    text = _docs(cli, "go.jobtraining", fmt)
    assert str(installed_rules) not in text and "site-packages" not in text
    assert "go/jobtraining.yaml" in text
    for english in ("missing", "the first comes into force", "is not one of"):
        assert english not in text


def test_the_html_shows_a_formula_only_folded_away(cli):
    html = _docs(cli, "go.jobtraining", "html")
    assert "<details><summary>formule</summary><code>add_months(startdatum, duur_maanden)" \
        in html
    assert "De startdatum plus 10 maanden." in html


APPOINTMENTS = {"vormingsattest": {"datum": "2024-06-01"}, "aanstellingen": [
    {"van": "2024-09-01", "tot": "2024-09-20", "soort": "waarnemend"},
    {"van": "2024-10-01", "tot": "2025-03-31", "soort": "waarnemend"},
    {"van": "2025-04-01", "soort": "proeftijd"}]}
REASONS = ["waarnemende aanstelling van minder dan 30 dagen (20 dagen): telt niet mee",
           "waarnemende aanstelling van minstens 30 dagen (182 dagen): telt mee",
           "toegelaten tot de proeftijd: telt mee"]


def test_explain_shows_every_appointment_and_its_reason_in_full(cli, tmp_path):
    case = write_case(tmp_path, APPOINTMENTS)
    res = cli("explain", "go.jobtraining.duur", "--case", case, "--on", "2026-11-22")
    assert res.exit_code == 0, res.stderr
    assert "…" not in res.stdout.split("├─ feiten")[1]
    for reason in REASONS:
        assert f"reden: {reason}}}" in res.stdout
    # the step says what it does and which operation does it, in Dutch
    assert "Elke aanstelling wordt beoordeeld" in res.stdout
    assert "bewerking classify: elk element beoordelen" in res.stdout


def test_explain_in_markdown_shows_a_mapping_once(cli, tmp_path):
    case = write_case(tmp_path, APPOINTMENTS)
    res = cli("explain", "go.jobtraining.duur", "--case", case, "--on", "2026-11-22",
              "--format", "markdown")
    assert res.exit_code == 0, res.stderr
    md = res.stdout
    assert len(re.findall(r"getelde_stukken", md)) == 1, "the count of days, shown once"
    assert md.count("(de uitkomst van stap 2, hierboven)") == 3
    for reason in REASONS:
        assert md.count(reason) == 2  # as the step's result and as the outcome
