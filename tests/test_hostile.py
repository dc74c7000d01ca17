"""Hostile and broken input: the corpus in tests/data/hostile, run through the CLI.

Each rule file and case there is paired in corpus.yaml with the exit status and the message
it must produce. Nothing in them may run: the Python tags would create a file
`hostile-marker` in the working folder if they were ever executed.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from conftest import DATA
from hypothesis import given
from hypothesis import strategies as st
from regelwerk.engine.rulefiles.yamlsource import load_yaml_file

HOSTILE = DATA / "hostile"
CORPUS = load_yaml_file(HOSTILE / "corpus.yaml").data
DEFAULT_DECISION = "go.jobtraining.toelating"


def _clean(result) -> str:
    """The first error line, after checking the answer is an honest failure."""
    output = result.stdout + result.stderr
    assert "Traceback" not in output and "internal error" not in output, output
    assert result.stdout == "", "a refused input must print no result"
    lines = result.stderr.splitlines()
    assert lines, "expected a message on standard error"
    assert all(line.startswith(("error: ", "warning: ")) for line in lines), lines
    return lines[0]


def test_every_file_in_the_corpus_has_an_expectation_and_back():
    for kind in ("rules", "cases"):
        on_disk = {p.name for p in (HOSTILE / kind).iterdir()}
        assert on_disk == set(CORPUS[kind]), kind


@pytest.mark.parametrize("name", sorted(CORPUS["rules"]))
def test_hostile_rule_file(cli, tmp_path, monkeypatch, name):
    expected = CORPUS["rules"][name]
    folder = tmp_path / "rules"
    folder.mkdir()
    shutil.copy(HOSTILE / "rules" / name, folder / name)
    monkeypatch.chdir(tmp_path)
    res = cli("--rules", "rules", "rules", "list")
    assert res.exit_code == expected["exit"]
    assert _clean(res).startswith(f"error: {Path('rules') / name}:{expected['message']}")
    assert not (tmp_path / "hostile-marker").exists()


@pytest.mark.parametrize("name", sorted(CORPUS["cases"]))
def test_hostile_case(cli, tmp_path, monkeypatch, name):
    expected = CORPUS["cases"][name]
    shutil.copy(HOSTILE / "cases" / name, tmp_path / name)
    monkeypatch.chdir(tmp_path)
    decision = expected.get("decision", DEFAULT_DECISION)
    res = cli("decide", decision, "--case", name, "--on", "2026-01-01")
    assert res.exit_code == expected["exit"]
    assert expected["message"] in _clean(res)
    assert not (tmp_path / "hostile-marker").exists()


def test_a_rule_file_over_the_size_limit_is_refused_unread(cli, tmp_path):
    folder = tmp_path / "rules"
    folder.mkdir()
    path = folder / "groot.yaml"
    with path.open("w", encoding="utf-8") as handle:
        handle.write("id: test.groot\n# " + "x" * 2_000_000 + "\n")
    res = cli("--rules", str(folder), "rules", "list")
    assert res.exit_code == 3
    assert _clean(res) == (f"error: {path}:1:1: file is 2,000,018 bytes, more than the limit "
                           "of 2,000,000 bytes")


def test_a_case_file_over_the_size_limit_is_refused(cli, tmp_path):
    path = tmp_path / "groot.json"
    with path.open("w", encoding="utf-8") as handle:
        handle.write('{"trainee": {"in_ambt": true}, "x": "' + "x" * 50_000_000 + '"}')
    res = cli("decide", DEFAULT_DECISION, "--case", str(path), "--on", "2026-01-01")
    assert res.exit_code == 2
    assert _clean(res) == (f"error: {path}:1:1: file is 50,000,039 bytes, more than the limit "
                           "of 50,000,000 bytes")


def test_a_case_with_more_values_than_the_limit_is_refused(cli, tmp_path):
    path = tmp_path / "veel.json"
    path.write_text('{"trainee": {"in_ambt": true}, "x": [' + "0," * 5_000_000 + "0]}",
                    encoding="utf-8")
    res = cli("decide", DEFAULT_DECISION, "--case", str(path), "--on", "2026-01-01")
    assert res.exit_code == 2
    assert _clean(res) == f"error: {path}: file holds more than 5,000,000 values"


def test_hostile_batch_lines_fail_alone(cli, tmp_path):
    good = {"decision": DEFAULT_DECISION, "on": "2026-01-01",
            "case": {"trainee": {"in_ambt": True}, "vormingsattest": {"datum": "2020-01-01"}}}
    import json

    lines = [
        '{"decision": "go.jobtraining.toelating", "case": ' + "[" * 100_000 + "]" * 100_000 + "}",
        json.dumps(good),
        '{"decision": "go.jobtraining.toelating", "on": "2026-01-01", "case": {"trainee": ',
        "[1, 2]",
        '{"decision": 5}',
        '{"decision": "go.jobtraining.toelating", "on": 20260101, "case": {}}',
        '{"decision": "go.jobtraining.toelating", "on": "2026-01-01", "case": []}',
        json.dumps(good),
        '{"decision": "go.jobtraining.toelating", "on": "2026-01-01", "case": '
        '{"trainee": {"in_ambt": true}, "trainee": {"in_ambt": false}}}',
        '{"decision": "go.jobtraining.toelating", "on": "2026-01-01", "case": {"n": NaN}}',
    ]
    path = tmp_path / "cases.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    res = cli("--no-log", "decide", "--cases", str(path))
    assert res.exit_code == 1
    out = [json.loads(line) for line in res.stdout.splitlines()]
    assert [o.get("line") for o in out] == [1, None, 3, 4, 5, 6, 7, None, 9, 10]
    assert out[0]["error"] == "nesting too deep (more than 64 levels)"
    assert out[8]["error"] == "duplicate key 'trainee' in a JSON object"
    assert out[9]["error"] == "NaN is not allowed in a case file: give a number"
    assert "invalid JSON" in out[2]["error"]
    assert out[4]["error"] == "a decision id is text such as 'go.jobtraining.duur', not 5"
    assert out[5]["error"] == "peildatum 20260101 is not a date YYYY-MM-DD"
    assert out[6]["error"] == f"{DEFAULT_DECISION}: a case must be an object of facts"
    assert out[1]["result"]["toegelaten"] is True and out[7] == out[1]


def test_docs_written_to_a_file_replace_it_whole_or_say_why_not(cli, tmp_path):
    target = tmp_path / "jobtraining.md"
    target.write_text("oude inhoud\n", encoding="utf-8")
    res = cli("rules", "docs", "go.jobtraining", "--on", "2026-01-01", "-o", str(target))
    assert res.exit_code == 0
    assert target.read_text(encoding="utf-8").startswith("#")
    assert [p.name for p in tmp_path.iterdir()] == ["jobtraining.md"]  # no temporary left
    missing = tmp_path / "bestaat_niet" / "x.md"
    res = cli("rules", "docs", "go.jobtraining", "-o", str(missing))
    assert res.exit_code == 2
    assert _clean(res) == f"error: cannot write {missing}: No such file or directory"


TABLE_RULES = """\
id: test.tabel
title: Tabel
source: x.txt
versions:
  - version: "1"
    in_force_from: 2024-01-01
    tables:
      t:
        label: T
        citation: "x §1"
        hit_policy: unique
        inputs: [a, b]
        outputs: [uit]
        rows:
{rows}
    decisions:
      d:
        title: D
        inputs:
          a: {{type: text, label: A}}
          b: {{type: text, label: B}}
        steps:
          - name: m
            table: t
            with: {{a: a, b: b}}
        outputs: {{uit: m.uit}}
"""


def test_a_unique_table_of_many_overlapping_rows_lists_the_first_overlaps(cli, tmp_path):
    rows = "\n".join("          - when: {a: x}\n            then: {uit: 1}" for _ in range(3000))
    folder = tmp_path / "rules"
    folder.mkdir()
    (folder / "tabel.yaml").write_text(TABLE_RULES.format(rows=rows), encoding="utf-8")
    res = cli("--rules", str(folder), "rules", "list")
    assert res.exit_code == 3
    lines = res.stderr.splitlines()
    assert len(lines) == 21
    assert lines[0].endswith("rows 1 and 2 of unique table 't' overlap")
    assert lines[-1].endswith("more rows of unique table 't' overlap; only the first 20 pairs "
                              "are listed")


@given(st.lists(st.tuples(st.one_of(st.none(), st.lists(st.integers(0, 4), min_size=1,
                                                          max_size=3)),
                          st.one_of(st.none(), st.just(">="), st.integers(0, 3))),
                max_size=12))
def test_overlapping_pairs_agrees_with_comparing_every_pair(spec):
    from regelwerk.engine.compiling.tables import Cell, Row, cells_overlap, overlapping_pairs

    def cell(value):
        if value is None:
            return None
        if value == ">=":
            return Cell("compare", op=">=")
        if isinstance(value, list):
            return Cell("one_of", value)
        return Cell("equal", value)

    rows = [Row(i, {k: c for k, c in (("a", cell(a)), ("b", cell(b))) if c is not None}, {}, "", 0)
            for i, (a, b) in enumerate(spec)]
    naive = [(i, j) for i in range(len(rows)) for j in range(i + 1, len(rows))
             if all(cells_overlap(rows[i].cells.get(n), rows[j].cells.get(n)) for n in "ab")]
    found, more = overlapping_pairs(rows, ["a", "b"], limit=1000)
    assert (found, more) == (naive, False)
    found, more = overlapping_pairs(rows, ["a", "b"], limit=3)
    assert more == (len(naive) > 3) and set(found) <= set(naive)


def test_hidden_characters_in_a_case_are_shown_escaped(cli, tmp_path):
    import json

    case = {"trainee": {"onderwijsniveau": "BaO", "scholengroep": "SG \u202eA\x1b[2J"}}
    path = tmp_path / "case.json"
    path.write_text(json.dumps(case), encoding="utf-8")
    for command in ("explain", "decide"):
        res = cli(command, "go.jobtraining.mentor", "--case", str(path), "--on", "2026-01-01")
        assert res.exit_code == 0, res.stderr
        assert "\u202e" not in res.stdout and "\x1b" not in res.stdout
        if command == "explain":
            assert "SG \\u202eA\\u001b[2J" in res.stdout
    data = cli.json("decide", "go.jobtraining.mentor", "--case", str(path), "--on", "2026-01-01")
    assert data["result"]["mentor"] == "lokaal"  # JSON carries the value itself, for machines


def test_a_huge_value_in_a_case_gives_a_short_message(cli, tmp_path):
    import json

    path = tmp_path / "case.json"
    path.write_text(json.dumps({"verzoek": {"domein": "x" * 1_000_000}}), encoding="utf-8")
    res = cli("decide", "omo.dienstverlening.categorie", "--case", str(path), "--on", "2026-01-01")
    assert res.exit_code == 1
    message = _clean(res)
    assert len(message) < 2100
    assert "characters left out" in message
    assert message.startswith("error: omo.dienstverlening.categorie: verzoek.domein 'xxx")
    assert message.endswith("bestuurlijke evenementen, persvragen")  # what would be right


REKEN_RULES = """\
id: test.reken
title: Rekenen met feiten
source: x.txt
versions:
  - version: "1"
    in_force_from: 2024-01-01
    decisions:
      d:
        title: D
        inputs:
          x: {type: integer, label: X}
          y: {type: integer, label: Y}
          t: {type: text, required: false, label: T}
          n: {type: number, required: false, label: N}
        steps:
          - name: herhaald
            value: if(is_set(t), t * x, null)
          - name: groot
            value: if(is_set(n), n * n * n * n, null)
        outputs:
          deling: x / y
          herhaald: herhaald
          groot: groot
"""


@pytest.mark.parametrize("case, message", [
    ({"x": 1, "y": 0}, "test.reken.d: output 'deling' cannot be evaluated: division by zero"),
    ({"x": 10**9, "y": 1, "t": "ab"},
     "test.reken.d: step 'herhaald' cannot be evaluated: cannot apply '*' to text and a number"),
    ({"x": 1, "y": 1, "n": 1e300},
     "test.reken.d: step 'groot' cannot be evaluated: the result is not a finite number"),
    ({"x": 2**4000, "y": 1, "n": 2**4000},
     "test.reken.d: step 'groot' cannot be evaluated: a number of more than 4096 bits is too large"),
])
def test_arithmetic_on_case_values_is_bounded(cli, tmp_path, case, message):
    import json

    folder = tmp_path / "rules"
    folder.mkdir()
    (folder / "reken.yaml").write_text(REKEN_RULES, encoding="utf-8")
    path = tmp_path / "case.json"
    path.write_text(json.dumps(case), encoding="utf-8")
    res = cli("--rules", str(folder), "decide", "test.reken.d", "--case", str(path),
              "--on", "2026-01-01")
    assert res.exit_code == 1
    assert _clean(res) == f"error: {message}"


@given(st.one_of(
    st.binary(max_size=200),
    st.recursive(st.one_of(st.none(), st.booleans(), st.integers(), st.floats(),
                           st.text(max_size=10)),
                 lambda inner: st.one_of(st.lists(inner, max_size=4),
                                         st.dictionaries(st.text(max_size=5), inner, max_size=4)),
                 max_leaves=20).map(lambda v: __import__("json").dumps(v).encode()),
))
def test_any_bytes_as_a_json_case_give_facts_or_a_clean_error(raw):
    from regelwerk.engine.base.errors import CaseFileError
    from regelwerk.engine.rulefiles.yamlsource import load_case_file

    try:
        facts = load_case_file("-", stdin_bytes=b"{" + raw if raw[:1] != b"{" else raw)
    except CaseFileError as err:
        assert str(err) and "\n" not in str(err)
    else:
        assert isinstance(facts, dict)


def test_an_endless_case_on_standard_input_is_read_only_to_the_limit(cli):
    res = cli("decide", DEFAULT_DECISION, "--case", "-", input="{" + " " * 50_000_000)
    assert res.exit_code == 2
    assert _clean(res) == "error: <stdin>:1:1: more than the limit of 50,000,000 bytes"
