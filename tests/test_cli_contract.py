"""The command line as interface.md fixes it: decide (text and JSON), explain, rules list."""

from __future__ import annotations

import json

from conftest import write_case

DUUR = {"vormingsattest": {"datum": "2025-06-01"},
        "aanstellingen": [{"van": "2025-09-01", "soort": "proeftijd"}]}


def test_decide_json_has_the_public_shape(cli, tmp_path):
    out = cli.json("decide", "go.jobtraining.duur", "--case", write_case(tmp_path, DUUR),
                   "--on", "2026-11-22")
    assert out["decision"] == "go.jobtraining.duur"
    assert out["on"] == "2026-11-22"
    assert out["ruleset"]["id"] == "go.jobtraining"
    assert out["ruleset"]["version"] == "2024-02-02"
    assert out["ruleset"]["in_force_from"] == "2024-02-02"
    assert len(out["ruleset"]["sha256"]) == 64
    result = out["result"]
    assert result["startdatum"] == "2025-09-01"
    assert result["vereiste_dagen"] == 303
    assert result["einddatum"] == "2026-06-30"
    assert result["getelde_dagen"] == 303
    assert [a["telt"] for a in result["aanstellingen"]] == [True]


def test_decide_text_names_version_and_outputs(cli, tmp_path):
    res = cli("decide", "go.jobtraining.duur", "--case", write_case(tmp_path, DUUR),
              "--on", "2026-11-22")
    assert res.exit_code == 0
    assert "go.jobtraining versie 2024-02-02" in res.stdout
    assert "einddatum" in res.stdout and "2026-06-30" in res.stdout


def test_case_from_stdin_and_yaml(cli, tmp_path):
    res = cli("decide", "go.jobtraining.toelating", "--case", "-", "--on", "2026-01-01",
              "--format", "json",
              input='{"trainee": {"in_ambt": true}, "vormingsattest": {"datum": "2013-01-01"}}')
    assert res.exit_code == 0, res.stderr
    assert json.loads(res.stdout)["result"]["toegelaten"] is True
    case = tmp_path / "case.yaml"
    case.write_text("trainee:\n  in_ambt: true\nvormingsattest:\n  datum: 2012-12-31\n")
    out = cli.json("decide", "go.jobtraining.toelating", "--case", str(case), "--on", "2026-01-01")
    assert out["result"]["toegelaten"] is False


def test_dotted_fact_names_are_accepted(cli, tmp_path):
    case = {"trainee.in_ambt": True, "vormingsattest.datum": "2020-05-05"}
    out = cli.json("decide", "go.jobtraining.toelating", "--case", write_case(tmp_path, case),
                   "--on", "2026-01-01")
    assert out["result"]["toegelaten"] is True


def test_explain_shows_version_facts_parameters_steps_and_outcome(cli, tmp_path):
    res = cli("explain", "go.jobtraining.duur", "--case", write_case(tmp_path, DUUR),
              "--on", "2026-11-22")
    assert res.exit_code == 0, res.stderr
    text = res.stdout
    assert "versie 2024-02-02 (in werking vanaf 2024-02-02)" in text
    assert "vormingsattest.datum = 2025-06-01" in text
    assert "duur_maanden = 10 maanden" in text
    assert "004_818087524ef516da.txt §4.2" in text
    assert "geteld: 2025-09-01 t/m 2026-06-30 (303 dagen)" in text
    assert "einddatum = 2026-06-30" in text


def test_explain_json_is_the_same_trail_for_machines(cli, tmp_path):
    res = cli("explain", "go.jobtraining.mentor", "--format", "json", "--on", "2026-01-01",
              "--case", write_case(tmp_path, {"trainee": {"onderwijsniveau": "VWO",
                                                          "scholengroep": "A"}, "extra": 1}))
    trail = json.loads(res.stdout)
    assert trail["version"]["name"] == "2024-02-02"
    assert {p["name"] for p in trail["parameters"]} == {"niveau_aliassen"}
    assert trail["parameters"][0]["citation"].startswith("004_818087524ef516da.txt")
    assert trail["unused_facts"] == ["extra"]
    steps = {s["name"]: s for s in trail["steps"]}
    assert steps["niveau"]["result"] == "CVO"
    assert "VWO gelezen als CVO" in steps["niveau"]["note"]
    assert steps["keuze"]["details"]["rijen"][0]["rij"] == 2


def test_rules_list_shows_rule_sets_versions_and_decisions(cli):
    res = cli("rules", "list")
    assert res.exit_code == 0
    assert "go.jobtraining — Jobtraining" in res.stdout
    assert "versie 2024-02-02: in werking vanaf 2024-02-02" in res.stdout
    for name in ("toelating", "mentor", "duur", "contactmomenten", "dossier"):
        assert f"go.jobtraining.{name}" in res.stdout
    assert "go.vormingsattest.geldigheid" in res.stdout
