"""Editors help: the rule-file schema has a stable id, `rules schema` writes it, and the files
regelwerk writes name it in the line the YAML language server reads."""

from __future__ import annotations

import json

import jsonschema
import pytest

RULESET_ID = "https://regelwerk.example/schemas/ruleset-1.json"
CASES_ID = "https://regelwerk.example/schemas/cases-1.json"
MODELINE = "# yaml-language-server: $schema="


@pytest.mark.parametrize("args, schema_id", [((), RULESET_ID), (("--examples",), CASES_ID)])
def test_rules_schema_writes_the_schema_with_its_stable_id(cli, tmp_path, args, schema_id):
    res = cli("rules", "schema", *args)
    assert res.exit_code == 0, res.stderr
    schema = json.loads(res.stdout)
    assert schema["$id"] == schema_id
    jsonschema.Draft202012Validator.check_schema(schema)
    out = tmp_path / "schema.json"
    res = cli("rules", "schema", *args, "-o", str(out))
    assert res.exit_code == 0 and json.loads(out.read_text(encoding="utf-8")) == schema
    assert schema_id in res.stderr


def test_every_built_in_file_names_its_schema(installed_rules):
    files = sorted(installed_rules.glob("*/*.yaml"))
    assert files
    for path in files:
        first = path.read_text(encoding="utf-8").splitlines()[0]
        want = CASES_ID if path.name.endswith(".cases.yaml") else RULESET_ID
        assert first == MODELINE + want, path


@pytest.mark.parametrize("keep_line", [True, False])
def test_new_version_writes_the_schema_line_once(cli, rules_copy, keep_line):
    folder = rules_copy("go")
    path = folder / "vormingsattest.yaml"
    text = path.read_text(encoding="utf-8")
    if not keep_line:
        text = text.split("\n", 1)[1]
        path.write_text(text, encoding="utf-8")
    res = cli("--rules", str(folder), "rules", "new-version", "go.vormingsattest",
              "--from", "2027-09-01", "--set", "geldigheid_jaren=8", "--citation", "besluit §2")
    assert res.exit_code == 0, res.stderr
    written = path.read_text(encoding="utf-8")
    assert written.startswith(MODELINE + RULESET_ID + "\n")
    assert written.count(MODELINE) == 1
    assert written.split("\n", 1)[1].startswith(text.split("\n", 1)[1][:40] if keep_line
                                                else text[:40])
