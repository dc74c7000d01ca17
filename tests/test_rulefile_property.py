"""Property: whatever a rule file says, `rules validate` and `decide` work or refuse cleanly.

Rule files are generated in the shape the rule-file JSON Schema gives them (checked against
the schema, so they reach the compiler rather than stop at the schema): facts, parameters,
a decision table, steps of every kind and outputs, with expressions built from the names in
scope, and hostile values among the ordinary ones (numbers that are not finite or too
large, dates at the calendar's edges, non-ASCII digits, lists nesting earlier steps again
and again). Each file is validated and one generated case decided through the command
line: the answer is a result, or one-line messages with a documented exit status, within a
time bound; never a traceback, never an internal error.
"""

from __future__ import annotations

import json
import re
import time
from pathlib import Path

import jsonschema
import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

SCHEMA = json.loads((Path(__file__).parent.parent / "schemas" / "ruleset.schema.json")
                    .read_text(encoding="utf-8"))
SECONDS = 10  # per command; the usual run takes a fraction of a second on a loaded machine
FACTS = {"x": "integer", "b": "bool", "d": "date", "t": "text", "xs": "list"}
RAW = "@raw:"  # a parameter value written into the YAML as it is, not as JSON text

numbers = st.one_of(st.integers(-1000, 1000), st.sampled_from([0, 1, 10**20, 2**4096]))
date_texts = st.sampled_from(["2024-01-01", "2026-02-28", "0001-01-01", "9999-12-31",
                              "2024-02-29"])
literals = st.one_of(
    numbers.map(str), date_texts, st.sampled_from(["'a'", '"tekst"', "true", "false", "null",
                                                   "1.5", "[]", "３", "1" * 1300]),
)
param_values = st.one_of(
    numbers, st.booleans(), date_texts, st.lists(st.integers(0, 9), max_size=4),
    st.sampled_from([RAW + "1e999", RAW + ".inf", RAW + "2024-01-01", "tekst"]),
)
FUNCTIONS = {"is_set": 1, "count": 1, "add_days": 2, "add_months": 2, "add_years": 2,
             "days_between": 2, "if": 3, "difference": 2, "min": 2, "max": 2, "lower": 1}


def expressions(names: list[str], depth: int = 2) -> st.SearchStrategy[str]:
    """Expressions of the rule language over the names in scope (and some unknown ones)."""
    known = st.sampled_from([*names, "peildatum"])
    atoms = st.one_of(known, known, literals, st.just("onbekend"))
    if depth == 0:
        return atoms
    inner = expressions(names, depth - 1)
    return st.one_of(
        atoms,
        st.tuples(inner, st.sampled_from(["+", "-", "*", "/", "==", "<", "and", "or", "in"]),
                  inner).map(lambda t: f"{t[0]} {t[1]} {t[2]}"),
        inner.map(lambda e: f"not ({e})"),
        inner.map(lambda e: f"-({e})"),
        st.lists(inner, max_size=4).map(lambda items: f"[{', '.join(items)}]"),
        st.sampled_from(sorted(FUNCTIONS)).flatmap(
            lambda fn: st.lists(inner, min_size=FUNCTIONS[fn], max_size=FUNCTIONS[fn])
            .map(lambda args: f"{fn}({', '.join(args)})")),
    )


@st.composite
def rule_files(draw) -> dict:
    facts = draw(st.lists(st.sampled_from(sorted(FACTS)), min_size=1, max_size=4, unique=True))
    inputs = {f: {"type": FACTS[f], "label": f, "required": draw(st.booleans())} for f in facts}
    params = {f"p{i}": {"value": draw(param_values), "label": "P", "citation": "x §1"}
              for i in range(draw(st.integers(0, 3)))}
    table = {"hit_policy": draw(st.sampled_from(["unique", "first", "collect"])),
             "inputs": ["a"], "outputs": ["o"],
             "rows": [{"when": {"a": v}, "then": {"o": o}} for v, o in
                      draw(st.lists(st.tuples(st.integers(0, 3), st.sampled_from(
                          [1, "tekst", "{a}", [1, 2]])), min_size=1, max_size=3))]}
    steps: list[dict] = []
    names = [*facts, *params]
    for i in range(draw(st.integers(0, 6))):
        kind = draw(st.sampled_from(["value", "value", "repeat", "table", "op", "checks"]))
        step: dict = {"name": f"s{i}"}
        if kind == "value":
            step["value"] = draw(expressions(names))
        elif kind == "repeat":  # the hostile shape: an earlier value held again and again
            step["value"] = "[" + ", ".join([draw(st.sampled_from(names))] * 12) + "]"
        elif kind == "table":
            step.update(table="t", **{"with": {"a": draw(expressions(names, 1))}})
        elif kind == "op":
            op = draw(st.sampled_from(["filter", "pluck"]))
            step.update(op=op, args={"list": draw(st.sampled_from(names)),
                                     **({"where": "true"} if op == "filter" else {"field": "van"})})
        else:
            shown = draw(st.sampled_from(names))
            step["checks"] = [{"test": draw(expressions(names, 1)), "fail": f"niet {{{shown}}}",
                               "pass": "wel"}]
        steps.append(step)
        names.append(step["name"])
    outputs = {f"u{i}": draw(expressions(names, 1)) for i in range(draw(st.integers(1, 3)))}
    decision = {"title": "D", "inputs": inputs, "steps": steps, "outputs": outputs}
    version = {"version": "1", "in_force_from": draw(date_texts), "parameters": params,
               "tables": {"t": table}, "decisions": {"d": decision}}
    return {"id": "test.eigenschap", "title": "T", "source": "x.txt", "versions": [version]}


cases = st.fixed_dictionaries({}, optional={
    "x": numbers, "b": st.booleans(), "d": date_texts, "t": st.text(max_size=10),
    "xs": st.lists(st.integers(), max_size=3)})


def _yaml(doc: dict) -> str:
    """The rule file as YAML (JSON is YAML 1.2), raw parameter values written as they are."""
    text = json.dumps(doc, ensure_ascii=False, indent=1)
    return re.sub(r'"@raw:([^"]*)"', r"\1", text)


def _without_raw(doc: dict) -> dict:
    return json.loads(json.dumps(doc).replace(RAW, ""))


def _clean(result, codes: set[int]) -> int:
    output = result.stdout + result.stderr
    assert "Traceback" not in output and "internal error" not in output, output[-2000:]
    assert result.exit_code in codes, (result.exit_code, output[-2000:])
    assert all(line.startswith(("error: ", "warning: ")) for line in result.stderr.splitlines()
               if line), result.stderr[-2000:]
    return result.exit_code


def _run(cli, doc: dict, case: dict, folder: Path) -> tuple[int, int]:
    """(exit of `rules validate`, exit of `decide`) for a rule file and a case."""
    (folder / "eigenschap.yaml").write_text(_yaml(doc), encoding="utf-8")
    path = folder / "case.json"
    path.write_text(json.dumps(case), encoding="utf-8")
    start = time.monotonic()
    validated = _clean(cli("--rules", str(folder), "rules", "validate",
                           str(folder / "eigenschap.yaml")), {0, 1})
    assert time.monotonic() - start < SECONDS
    start = time.monotonic()
    result = cli("--no-log", "--rules", str(folder), "decide", "test.eigenschap.d", "--case",
                 str(path), "--on", "2026-06-01", "--format", "json")
    decided = _clean(result, {0, 1, 2, 3})
    assert time.monotonic() - start < SECONDS
    if decided == 0:  # valid JSON: no NaN, no Infinity
        json.loads(result.stdout, parse_constant=lambda word: pytest.fail(word))
    return validated, decided


@settings(max_examples=30, deadline=None, suppress_health_check=list(HealthCheck))
@given(doc=rule_files(), case=cases)
def test_any_rule_file_validates_and_decides_or_refuses_cleanly(cli, tmp_path_factory, doc,
                                                                case):
    jsonschema.validate(_without_raw(doc), SCHEMA)  # the shape the schema gives a file
    validated, decided = _run(cli, doc, case, tmp_path_factory.mktemp("regels"))
    event(f"validate exit {validated}, decide exit {decided}")
    assert (validated == 0) == (decided != 3)


def test_a_file_of_the_generated_shape_decides(cli, tmp_path):
    """The generator's files reach the compiler and can be decided: one made by hand in
    its shape, with a step of each kind."""
    steps = [{"name": "s0", "value": "x + 1"}, {"name": "s1", "table": "t", "with": {"a": "1"}},
             {"name": "s2", "op": "filter", "args": {"list": "xs", "where": "true"}},
             {"name": "s3", "checks": [{"test": "s0 > 1", "fail": "niet {s0}", "pass": "wel"}]},
             {"name": "s4", "value": "[" + ", ".join(["xs"] * 12) + "]"}]
    doc = {"id": "test.eigenschap", "title": "T", "source": "x.txt", "versions": [{
        "version": "1", "in_force_from": "2024-01-01",
        "parameters": {"p0": {"value": RAW + "7", "label": "P", "citation": "x §1"}},
        "tables": {"t": {"hit_policy": "unique", "inputs": ["a"], "outputs": ["o"],
                         "rows": [{"when": {"a": 1}, "then": {"o": "{a}"}}]}},
        "decisions": {"d": {"title": "D", "inputs": {
            "x": {"type": "integer", "label": "x"}, "xs": {"type": "list", "label": "xs"}},
            "steps": steps, "outputs": {"u0": "s0 + p0", "u1": "s1.o", "u2": "s3.voldaan",
                                        "u3": "count(s4) + count(s2)"}}}}]}
    jsonschema.validate(_without_raw(doc), SCHEMA)
    assert _run(cli, doc, {"x": 2, "xs": [1, 2]}, tmp_path) == (0, 0)
