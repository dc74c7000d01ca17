"""Policy changes in YAML change outcomes, with no Python touched; versions apply by peildatum."""

from __future__ import annotations

from conftest import write_case

DUUR = {"vormingsattest": {"datum": "2025-06-01"},
        "aanstellingen": [{"van": "2025-09-01", "soort": "proeftijd"}]}

AMENDMENT = '''
  - version: "2027-09-01"
    amends: "2024-02-02"
    in_force_from: 2027-09-01
    citation: "wijziging van de regeling (voorbeeld)"
    parameters:
      duur_maanden: {value: 12}
'''


def _duur(cli, tmp_path, on, *rules):
    args = [a for r in rules for a in ("--rules", str(r))]
    return cli.json(*args, "decide", "go.jobtraining.duur", "--case", write_case(tmp_path, DUUR),
                    "--on", on)


def test_changing_a_parameter_in_a_copy_changes_the_outcome(cli, tmp_path, rules_copy):
    folder = rules_copy("go")
    path = folder / "jobtraining.yaml"
    text = path.read_text(encoding="utf-8")
    assert "      duur_maanden:\n        value: 10\n" in text
    path.write_text(text.replace("      duur_maanden:\n        value: 10\n",
                                 "      duur_maanden:\n        value: 12\n"), encoding="utf-8")
    before = _duur(cli, tmp_path, "2026-11-22")
    after = _duur(cli, tmp_path, "2026-11-22", folder)
    assert before["result"]["einddatum"] == "2026-06-30"
    # 2025-09-01 + 12 months = 2026-09-01: 365 days; the summer 5/7-15/8 is skipped (42 days)
    assert after["result"]["vereiste_dagen"] == 365
    assert after["result"]["einddatum"] == "2026-10-12"
    assert after["ruleset"]["file"] == str(path)


def test_rules_from_the_environment(cli, tmp_path, rules_copy):
    folder = rules_copy("go")
    path = folder / "jobtraining.yaml"
    path.write_text(path.read_text().replace("value: 10\n", "value: 12\n", 1))
    res = cli("decide", "go.jobtraining.duur", "--case", write_case(tmp_path, DUUR),
              "--on", "2026-11-22", "--format", "json", env={"REGELWERK_RULES": str(folder)})
    assert '"vereiste_dagen":365' in res.stdout


def test_a_later_version_applies_only_from_its_date(cli, tmp_path, rules_copy):
    folder = rules_copy("go")
    path = folder / "jobtraining.yaml"
    path.write_text(path.read_text(encoding="utf-8") + AMENDMENT, encoding="utf-8")
    before = _duur(cli, tmp_path, "2027-08-31", folder)
    on_day = _duur(cli, tmp_path, "2027-09-01", folder)
    assert before["ruleset"]["version"] == "2024-02-02"
    assert before["ruleset"]["in_force_until"] == "2027-08-31"
    assert before["result"]["vereiste_dagen"] == 303
    assert on_day["ruleset"]["version"] == "2027-09-01"
    assert on_day["ruleset"]["in_force_from"] == "2027-09-01"
    assert on_day["result"]["vereiste_dagen"] == 365
    # the amendment changed one number; everything else (other decisions too) is inherited
    toelating = cli.json("--rules", str(folder), "decide", "go.jobtraining.toelating", "--on",
                         "2027-09-01", "--case", write_case(tmp_path, {
                             "trainee": {"in_ambt": True}, "vormingsattest": {"datum": "2013-01-01"}},
                             "t.json"))
    assert toelating["result"]["toegelaten"] is True


def test_explain_names_the_version_that_set_a_parameter(cli, tmp_path, rules_copy):
    folder = rules_copy("go")
    path = folder / "jobtraining.yaml"
    path.write_text(path.read_text(encoding="utf-8") + AMENDMENT, encoding="utf-8")
    res = cli("--rules", str(folder), "explain", "go.jobtraining.duur", "--format", "json",
              "--case", write_case(tmp_path, DUUR), "--on", "2027-09-01")
    import json

    trail = json.loads(res.stdout)
    assert trail["version"]["amends"] == "2024-02-02"
    params = {p["name"]: p for p in trail["parameters"]}
    assert params["duur_maanden"]["value"] == 12
    assert params["duur_maanden"]["set_in_version"] == "2027-09-01"
    # a new value without a citation of its own is cited to the version that sets it, never
    # to the §4.2 text that says 10
    assert params["duur_maanden"]["citation"] == "wijziging van de regeling (voorbeeld)"
    assert params["zomerperiode"]["set_in_version"] == "2024-02-02"


def test_overlapping_versions_are_refused(cli, tmp_path, rules_copy):
    folder = rules_copy("go")
    path = folder / "jobtraining.yaml"
    text = path.read_text(encoding="utf-8")
    text = text.replace("    in_force_from: 2024-02-02\n",
                        "    in_force_from: 2024-02-02\n    in_force_until: 2027-12-31\n", 1)
    path.write_text(text + AMENDMENT, encoding="utf-8")
    res = cli("--rules", str(folder), "decide", "go.jobtraining.duur",
              "--case", write_case(tmp_path, DUUR))
    assert res.exit_code == 3
    assert "versions '2024-02-02' and '2027-09-01' are both in force on 2027-09-01" in res.stderr


def test_amending_a_version_that_does_not_exist(cli, tmp_path, rules_copy):
    folder = rules_copy("go")
    path = folder / "jobtraining.yaml"
    path.write_text(path.read_text(encoding="utf-8") +
                    AMENDMENT.replace('amends: "2024-02-02"', 'amends: "2024-02-03"'))
    res = cli("--rules", str(folder), "rules", "list")
    assert res.exit_code == 3
    assert "amends '2024-02-03', which does not exist; versions: 2024-02-02, 2027-09-01" in res.stderr
