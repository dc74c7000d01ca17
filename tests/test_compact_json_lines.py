"""Compact JSON Lines (as most tools write them) are read by the fast decoder; every check of
a case file holds for them just as for lines written with spaces."""

from __future__ import annotations

import json

import pytest

DECISION = "go.jobtraining.toelating"
GOOD = {"decision": DECISION, "on": "2026-01-01",
        "case": {"trainee": {"in_ambt": True}, "vormingsattest": {"datum": "2020-01-01"}}}


def _compact(value) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def _run(cli, tmp_path, lines: list[str]) -> list[dict]:
    path = tmp_path / "cases.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    res = cli("--no-log", "decide", "--cases", str(path))
    return [json.loads(line) for line in res.stdout.splitlines()]


@pytest.mark.parametrize(("line", "error"), [
    (('{"decision":"go.jobtraining.toelating","on":"2026-01-01","case":'
     '{"trainee":{"in_ambt":true},"trainee":{"in_ambt":false}}}'),
     "duplicate key 'trainee' in a JSON object"),
    ('{"decision":"go.jobtraining.toelating","on":"2026-01-01","on":"2026-01-02","case":{}}',
     "duplicate key 'on' in a JSON object"),
    (('{"decision":"go.jobtraining.toelating","on":"2026-01-01","case":'
     '{"trainee":{"in_ambt":true},"x":[{"a":1,"a":1}]}}'),
     "duplicate key 'a' in a JSON object"),
    ('{"decision":"go.jobtraining.toelating","on":"2026-01-01","case":{"n":NaN}}',
     "NaN is not allowed in a case file: give a number"),
    ('{"decision":"go.jobtraining.toelating","on":"2026-01-01","case":{"n":1e400}}',
     "1e400 is too large a number for a case file"),
    ('{"decision":"go.jobtraining.toelating","on":"2026-01-01","case":{"x":'
     + "[" * 70 + "]" * 70 + "}}",
     "nesting too deep (more than 64 levels)"),
])
def test_a_compact_line_is_held_to_every_check(cli, tmp_path, line, error):
    out = _run(cli, tmp_path, [_compact(GOOD), line, _compact(GOOD)])
    assert out[1] == {"line": 2, "error": error}
    assert out[0]["result"]["toegelaten"] is True and out[2] == out[0]


def test_compact_and_spaced_lines_give_the_same_answers(cli, tmp_path):
    cases = [GOOD, {**GOOD, "case": {**GOOD["case"], "opmerking": "één \u2028 regel\\n"}},
             {**GOOD, "case": {"trainee": {"in_ambt": 1}}}]
    compact = _run(cli, tmp_path, [_compact(c) for c in cases])
    spaced = _run(cli, tmp_path, [json.dumps(c) for c in cases])
    assert compact == spaced
    assert "warnings" in compact[1] and "error" in compact[2]


def test_a_compact_line_with_a_lone_surrogate_is_refused_as_a_spaced_one(cli, tmp_path):
    line = ('{"decision":"go.jobtraining.toelating","on":"2026-01-01","case":'
            '{"trainee":{"in_ambt":true},"naam":"x\\ud800y"}}')
    compact = _run(cli, tmp_path, [line])
    spaced = _run(cli, tmp_path, [line.replace('":', '": ')])
    assert compact == spaced
    assert compact[0]["line"] == 1 and "surrogate" in compact[0]["error"]
