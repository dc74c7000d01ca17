"""Property: whatever facts a case holds, every decision decides or fails with a clean error.

Cases are generated from each decision's declared inputs: mostly values of the declared
type (dates from year 1 to 9999, any text, huge and negative numbers, lists of records),
sometimes a value of another type, a missing fact or an extra one. The engine must answer
with a result that is valid JSON, or a RegelwerkError of one line; never anything else.
"""

from __future__ import annotations

import datetime as dt
import json
from importlib import resources
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from regelwerk.engine.base.errors import RegelwerkError
from regelwerk.engine.compiling.facts import FactSpec
from regelwerk.engine.deciding.api import Engine

ENGINE = Engine()
DECISIONS = sorted(ENGINE.catalog.decisions)
ON = dt.date(2026, 1, 1)

dates = st.one_of(
    st.dates(dt.date(2000, 1, 1), dt.date(2030, 12, 31)),
    st.dates(),
    st.sampled_from([dt.date.min, dt.date.max, dt.date(2024, 2, 29)]),
)
date_texts = st.one_of(
    dates.map(dt.date.isoformat),
    st.sampled_from(["2026-02-30", "2026-13-01", "2026-1-1", "01-01-2026", "2026-01-01T00:00",
                     "", "0000-00-00", "+2026-01-01"]),
)
# words the rule sets know (niveaus, domains, kinds), so that texts also reach their rows
VOCABULARY = ["BaO", "BuSO", "CLB", "CVO", "VWO", "HO", "ICT", " hrm ", "beleid", "persvragen",
              "lid", "geaffilieerd", "geen", "proeftijd", "waarnemend", "mentor",
              "begeleider_schoolontwikkeling", "pedagogisch-didactisch", "RL1",
              "verantwoordingsdocument", "SG Antwerpen", "ondersteuningsnetwerk"]
texts = st.one_of(st.sampled_from(VOCABULARY), st.text(max_size=40))
junk = st.one_of(
    st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False, allow_infinity=False),
    st.text(max_size=30), date_texts,
    st.lists(st.integers(), max_size=3),
    st.dictionaries(st.text(max_size=8), st.integers(), max_size=3),
)


def value_of(spec: FactSpec, noisy: bool) -> st.SearchStrategy:
    """A value for one declared fact: of its type, or (noisy) sometimes anything at all."""
    kind = spec.type
    if kind == "bool":
        good = st.booleans()
    elif kind == "date":
        good = date_texts
    elif kind == "text":
        good = texts
        if spec.one_of:
            good = st.one_of(st.sampled_from(list(spec.one_of)), good)
    elif kind == "integer":
        good = st.one_of(st.integers(-400, 4000), st.integers())
    elif kind == "number":
        good = st.one_of(st.integers(), st.floats(allow_nan=False, allow_infinity=False))
    elif isinstance(spec.items, dict):
        good = st.lists(record_of(spec.items, noisy), max_size=6)
    elif isinstance(spec.items, FactSpec):
        good = st.lists(value_of(spec.items, noisy), max_size=6)
    else:
        good = st.lists(junk, max_size=4)
    return st.one_of(good, junk) if noisy else good


def record_of(fields: dict[str, FactSpec], noisy: bool) -> st.SearchStrategy:
    required = {n: value_of(f, noisy) for n, f in fields.items() if f.required and not noisy}
    optional = {n: value_of(f, noisy) for n, f in fields.items() if n not in required}
    return st.fixed_dictionaries(required, optional=optional)


def case_of(inputs: list[FactSpec]) -> st.SearchStrategy:
    """Half the cases well typed with every required fact; the others noisy and incomplete."""

    def build(noisy: bool) -> st.SearchStrategy:
        required = {s.name: value_of(s, noisy) for s in inputs if s.required and not noisy}
        optional = {s.name: value_of(s, noisy) for s in inputs if s.name not in required}
        extra = st.dictionaries(st.sampled_from(["extra", "trainee.extra", "x.y.z"]), junk,
                                max_size=1 if noisy else 0)
        return st.builds(lambda given, more: {**given, **more},
                         st.fixed_dictionaries(required, optional=optional), extra)

    return st.booleans().flatmap(build)


@pytest.mark.parametrize("decision", DECISIONS)
def test_every_decision_decides_or_fails_cleanly(decision):
    inputs = ENGINE.resolve(decision, ON)[2].inputs
    peildatum = st.one_of(st.just(ON), st.dates(dt.date(2009, 1, 1), dt.date(2035, 12, 31)),
                          dates)

    @settings(max_examples=60, deadline=None, database=None,
              suppress_health_check=[HealthCheck.too_slow])
    @given(case=case_of(inputs), on=peildatum)
    def check(case, on):
        try:
            result = ENGINE.decide(decision, case, on)
        except RegelwerkError as err:
            message = str(err)
            assert message and "\n" not in message
            return
        json.dumps(result.as_dict())  # every result can be written as JSON
        json.dumps(ENGINE.explain(decision, case, on))

    check()


RULE_FILES = sorted(p for p in Path(str(resources.files("regelwerk.rules"))).rglob("*.yaml")
                    if not p.name.endswith(".cases.yaml"))
SMALL_RULE_FILES = [p for p in RULE_FILES if p.stat().st_size < 12_000]


@st.composite
def mutated_rule_file(draw) -> bytes:
    """An installed rule file with a few lines deleted, doubled, swapped, cut or garbled."""
    path = draw(st.sampled_from(SMALL_RULE_FILES))
    lines = path.read_bytes().split(b"\n")
    for _ in range(draw(st.integers(1, 4))):
        i = draw(st.integers(0, len(lines) - 1))
        action = draw(st.sampled_from(["delete", "double", "swap", "cut", "garble", "indent"]))
        if action == "delete":
            del lines[i]
        elif action == "double":
            lines.insert(i, lines[i])
        elif action == "swap" and i + 1 < len(lines):
            lines[i], lines[i + 1] = lines[i + 1], lines[i]
        elif action == "cut":
            lines[i] = lines[i][: draw(st.integers(0, max(0, len(lines[i]))))]
        elif action == "garble" and lines[i]:
            at = draw(st.integers(0, len(lines[i]) - 1))
            junk = draw(st.sampled_from([b"\t", b"\xff", b"&a ", b"*a", b"!!python/name:os ",
                                         b"{", b"]", b"'", b": ", b"- ", b"#", b"\x00"]))
            lines[i] = lines[i][:at] + junk + lines[i][at:]
        elif action == "indent":
            lines[i] = b"  " + lines[i]
    return b"\n".join(lines)


@settings(max_examples=60, deadline=None, database=None,
          suppress_health_check=[HealthCheck.too_slow])
@given(text=mutated_rule_file())
def test_a_damaged_rule_file_loads_or_is_refused_with_placed_problems(tmp_path_factory, text):
    from regelwerk.engine.rulefiles.loader import compile_file

    folder = tmp_path_factory.mktemp("regels")
    path = folder / "regels.yaml"
    path.write_bytes(text)
    ruleset, problems, _ = compile_file(path, _context(), "test")
    errors = [p for p in problems if p.severity == "error"]
    assert (ruleset is None) == bool(errors)
    for problem in problems:
        assert problem.line >= 1 and problem.col >= 1
        assert problem.message and "\n" not in problem.message


def _context():
    from regelwerk.engine.compiling.compiler import Context

    return Context(ENGINE.contributions.operations, ENGINE.contributions.calendars)
