"""`explain` in its three forms (text tree, JSON, Markdown) covers every decision of every
organisation: version and hash, every fact, parameter with citation, step and output; and a
logged decision (`explain --id`) gives the same trail as the decision made."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from click.testing import CliRunner
from regelwerk.engine.authoring.examples import example_paths, load_example_file
from regelwerk.engine.cli import main
from regelwerk.engine.deciding.api import to_json

RULES = Path(__file__).parents[1] / "rules"


def _decision_ids() -> list[str]:
    result = CliRunner().invoke(main, ["--no-log", "rules", "list", "--format", "json"])
    assert result.exit_code == 0, result.output
    return [d for ruleset in json.loads(result.stdout) for d in ruleset["decisions"]]


def _richest_examples() -> dict[str, object]:
    """Per decision, the worked example (that decides) with the most facts."""
    best: dict[str, object] = {}
    for path in example_paths(RULES):
        for ex in load_example_file(path).examples:
            if ex.expect_error is not None:
                continue
            size = len(json.dumps(to_json(ex.facts)))
            if ex.decision not in best or size > len(json.dumps(to_json(best[ex.decision].facts))):
                best[ex.decision] = ex
    return best


DECISIONS = _decision_ids()
EXAMPLES = _richest_examples()


def test_every_decision_of_every_organisation_has_a_worked_example():
    assert {d.split(".")[0] for d in DECISIONS} == {"go", "ovsg", "omo"}
    assert set(DECISIONS) <= set(EXAMPLES), set(DECISIONS) - set(EXAMPLES)


def _case(tmp_path: Path, decision: str) -> tuple[str, str]:
    ex = EXAMPLES[decision]
    path = tmp_path / "case.json"
    path.write_text(json.dumps(to_json(ex.facts), ensure_ascii=False), encoding="utf-8")
    return str(path), ex.on.isoformat()


def _table_rows_are_well_formed(markdown: str) -> None:
    rows = [line for line in markdown.splitlines() if line.startswith("|")]
    assert rows
    widths = {len(re.findall(r"(?<!\\)\|", row)) for row in rows if not row.startswith("| |")}
    for block in re.split(r"\n(?!\|)", markdown):
        cells = [len(re.findall(r"(?<!\\)\|", line)) for line in block.splitlines()
                 if line.startswith("|")]
        assert len(set(cells)) <= 1, block
    assert widths


@pytest.mark.parametrize("decision", DECISIONS)
def test_explain_in_three_forms(cli, tmp_path, decision):
    case, on = _case(tmp_path, decision)
    data = cli.json("explain", decision, "--case", case, "--on", on)
    text = cli("explain", decision, "--case", case, "--on", on)
    markdown = cli("explain", decision, "--case", case, "--on", on, "--format", "markdown")
    assert text.exit_code == 0 and markdown.exit_code == 0, text.stderr + markdown.stderr
    text, markdown = text.stdout, markdown.stdout

    # JSON: the rule set, version, in-force date, file and content hash of what was evaluated
    rs = data["ruleset"]
    assert data["decision"] == decision and data["on"] == on
    assert re.fullmatch(r"[0-9a-f]{64}", rs["sha256"])
    assert rs["file"].endswith(".yaml") and data["version"]["in_force_from"]
    assert data["facts"] and all({"name", "label", "value", "given"} <= set(f)
                                 for f in data["facts"])
    assert all(p["citation"] and p["label"] for p in data["parameters"])
    assert data["steps"] and all("result" in s and "source" in s for s in data["steps"])
    assert set(data["result"]) == set(EXAMPLES[decision].expect) | set(data["result"])

    # text: a tree with the same content
    assert text.splitlines()[0].startswith(decision)
    assert f"versie {rs['version']}" in text and rs["sha256"][:16] in text
    assert f"in werking vanaf {data['version']['in_force_from']}" in text
    for f in data["facts"]:
        assert f"─ {f['name']} = " in text or f"─ {f['name']}:" in text
    for p in data["parameters"]:
        assert p["name"] in text and p["citation"] in text and p["label"] in text
    for s in data["steps"]:
        assert (s["label"] or s["name"]) in text and f"{s['name']}" in text
    for name in data["result"]:
        assert f"• {name}" in text
    assert "├─ feiten" in text and "└─ uitkomst" in text

    # Markdown: a document for a dossier
    assert markdown.startswith(f"# {decision} — ")
    for heading in ("## Feiten", "## Parameters", "## Stappen", "## Uitkomst"):
        assert heading in markdown
    assert f"`{rs['sha256']}`" in markdown
    assert "`" + "/".join(rs["file"].replace("\\", "/").split("/")[-2:]) + "`" in markdown
    for f in data["facts"]:
        assert f"| `{f['name']}` |" in markdown
    for p in data["parameters"]:
        assert f"| `{p['name']}` |" in markdown and p["citation"] in markdown
    for n, s in enumerate(data["steps"], 1):
        assert f"### {n}. {s['label'] or s['name']}" in markdown
    for name in data["result"]:
        assert f"| `{name}` |" in markdown
    _table_rows_are_well_formed(markdown)


@pytest.mark.parametrize("decision", DECISIONS)
def test_a_logged_decision_explains_as_it_was_made(cli, tmp_path, decision):
    case, on = _case(tmp_path, decision)
    made = cli.json("decide", decision, "--case", case, "--on", on)
    direct = cli.json("explain", decision, "--case", case, "--on", on)
    logged = cli.json("explain", "--id", made["log_id"])
    log = logged.pop("log")
    assert log["id"] == made["log_id"] and log["reproduced"] is True
    assert log["logged_result"] == made["result"]
    assert logged == direct


def test_markdown_writes_a_text_input_as_a_cell_even_when_it_opens_with_a_bracket(tmp_path):
    """Only a list or mapping shown before is named instead of shown; a text that happens to
    start with '(' is still written as a Markdown cell (pipes escaped, one line)."""
    case = tmp_path / "case.json"
    case.write_text(json.dumps({"t": "(a|b)\nc"}), encoding="utf-8")
    result = CliRunner().invoke(main, ["--no-log", "--rules", str(Path(__file__).parent / "data"
                                                                    / "explain"),
                                       "explain", "test.tekst.herhaal", "--case", str(case),
                                       "--on", "2026-01-01", "--format", "markdown"])
    assert result.exit_code == 0, result.output
    assert "- met `t` = (a\\|b) c" in result.stdout
