"""`regelwerk rules diff`: what a version changes, and what a draft changes against the install."""

from __future__ import annotations

import pytest
from conftest import DATA

AMENDMENT = (DATA / "diff" / "jobtraining_amendment.yaml").read_text(encoding="utf-8")


@pytest.fixture
def amended(rules_copy):
    """A copy of the GO! rules whose jobtraining has a second version (tables, decisions)."""
    folder = rules_copy("go")
    path = folder / "jobtraining.yaml"
    path.write_text(path.read_text(encoding="utf-8") + AMENDMENT, encoding="utf-8")
    return folder


def test_the_last_two_versions_by_default(cli, amended):
    diff = cli.json("--rules", str(amended), "rules", "diff", "go.jobtraining")
    assert (diff["from"]["version"], diff["to"]["version"]) == ("2024-02-02", "2027-09-01")
    assert {c["field"]: (c["old"], c["new"]) for c in diff["version"]} == {
        "in_force_from": ("2024-02-02", "2027-09-01"),
        "in_force_until": ("2027-08-31", None),
        "amends": (None, "2024-02-02"),
        "citation": (diff["from"]["citation"], "wijziging van de regeling (voorbeeld)"),
    }
    params = diff["parameters"]
    assert params["added"] == params["removed"] == []
    [kost] = params["changed"]
    assert (kost["name"], kost["fields"]) == ("kost_trainee", ["value", "citation"])
    assert (kost["old"]["value"], kost["new"]["value"]) == (50, 75)
    # a new value without a citation of its own is cited to the text that made the change,
    # never to the §6 text that says 50
    assert kost["new"]["citation"] == "wijziging van de regeling (voorbeeld)"
    [table] = diff["tables"]["changed"]
    assert table["name"] == "mentor_per_niveau"
    assert [r["when"] for r in table["rows_added"]] == [{"niveau": "HO"}]
    assert table["rows_removed"] == []
    [row] = table["rows_changed"]
    assert row["old"]["when"] == row["new"]["when"] == {"niveau": "[CLB, CVO, DKO, LSC]"}
    assert row["new"]["then"]["aangeduid_door"] == "de pedagogische diensten van het GO!"
    decisions = diff["decisions"]
    assert decisions["added"] == [{"id": "go.jobtraining.kost", "title": "Kost van de jobtraining"}]
    assert decisions["removed"] == []
    [dossier] = decisions["changed"]
    assert dossier["id"] == "go.jobtraining.dossier"
    assert {(c["part"], c["name"], c["change"]) for c in dossier["changes"]} == {
        ("uitkomst", "kost", "added"), ("toelichting", "1", "removed")}


def test_text_reads_as_old_and_new(cli, amended):
    res = cli("--rules", str(amended), "rules", "diff", "go.jobtraining")
    assert res.exit_code == 0, res.stderr
    lines = res.stdout.splitlines()
    assert lines[:2] == [
        "go.jobtraining: versie 2024-02-02 → versie 2027-09-01",
        "  in werking: vanaf 2024-02-02 t/m 2027-08-31 → vanaf 2027-09-01",
    ]
    text = res.stdout
    assert ("  ~ kost_trainee (Kost van de jobtraining voor de trainee)\n"
            "      waarde: 50 euro → 75 euro\n"
            "      bron: 004_818087524ef516da.txt §6 → wijziging van de regeling (voorbeeld)\n"
            ) in text
    assert ("      + rij 3: als niveau HO → mentor: centraal, aangeduid_door: de pedagogische "
            "diensten van het GO!, kandidaat_noemt_mentor: nee") in text
    assert "      ~ rij 2: als niveau [CLB, CVO, DKO, LSC]\n" in text
    assert "  + go.jobtraining.kost — Kost van de jobtraining" in text


def test_the_other_way_round(cli, amended):
    diff = cli.json("--rules", str(amended), "rules", "diff", "go.jobtraining",
                    "--from", "2027-09-01", "--to", "2024-02-02")
    assert diff["decisions"]["removed"] == [
        {"id": "go.jobtraining.kost", "title": "Kost van de jobtraining"}]
    assert [r["when"] for r in diff["tables"]["changed"][0]["rows_removed"]] == [{"niveau": "HO"}]


def test_a_draft_against_the_installed_rule_set(cli, amended):
    data = cli.json("--rules", str(amended), "rules", "diff", "go.jobtraining",
                    "--against-installed")
    assert data["draft"].endswith("jobtraining.yaml") and data["installed"] != data["draft"]
    first, second = data["versions"]
    # the installed version now ends the day before the new one
    assert first["status"] == "changed"
    assert first["changes"]["version"] == [
        {"field": "in_force_until", "old": None, "new": "2027-08-31"}]
    assert second["status"] == "added"
    assert second["changes"]["parameters"]["changed"][0]["name"] == "kost_trainee"
    text = cli("--rules", str(amended), "rules", "diff", "go.jobtraining", "--against-installed")
    assert "versie 2027-09-01 (vanaf 2027-09-01): nieuw, wijzigt 2024-02-02" in text.stdout


def test_an_unchanged_copy_shows_no_change(cli, rules_copy):
    folder = rules_copy("go")
    data = cli.json("--rules", str(folder), "rules", "diff", "go.vormingsattest",
                    "--against-installed")
    assert [v["status"] for v in data["versions"]] == ["unchanged"]


@pytest.mark.parametrize("args, message", [
    (["go.jobtraining"], "go.jobtraining has no version before 2024-02-02 to compare with"),
    (["go.jobtrainig"], "unknown rule set 'go.jobtrainig'; did you mean go.jobtraining?"),
    (["go.jobtraining", "--to", "2030-01-01"],
     "has no version '2030-01-01'; versions: 2024-02-02"),
    (["go.jobtraining", "--against-installed"],
     "go.jobtraining in use is the installed one"),
])
def test_what_cannot_be_compared_is_said(cli, args, message):
    res = cli("rules", "diff", *args)
    assert res.exit_code == 2
    assert message in res.stderr
