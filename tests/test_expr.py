"""The expression language: what it computes, and that it cannot reach beyond its values."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from regelwerk.engine.compiling.expr import MAX_DEPTH, MAX_LENGTH, ExprError, Ref, compile_expr

FACTS = {"a": 3, "b": 4, "d": dt.date(2024, 2, 29), "s": "BaO", "xs": ["x", "y"], "m": {"k": 1},
         "none": None}


def resolve(name):
    head, _, rest = name.partition(".")
    if head in FACTS:
        if rest:
            return Ref("fact", name, lambda env, h=head, r=rest: env[h].get(r))
        return Ref("fact", name, lambda env, h=head: env[h])
    return None


def ev(text):
    return compile_expr(text, resolve)(FACTS)


@pytest.mark.parametrize("text, value", [
    ("a + b * 2", 11),
    ("(a + b) * 2", 14),
    ("a < b and not (a == b)", True),
    ("s in ['BaO', 'SO']", True),
    ("'z' not in xs", True),
    ("m.k", 1),
    ("add_years(d, 7)", dt.date(2031, 2, 28)),
    ("add_months(2024-08-31, 10)", dt.date(2025, 6, 30)),
    ("days_incl(2025-01-01, 2025-01-30)", 30),
    ("days_between(2025-09-01, 2026-07-01)", 303),
    ("none < 3", False),
    ("none == null", True),
    ("add_days(none, 3)", None),
    ("difference(['a', 'b', 'c'], ['b'])", ["a", "c"]),
    ("if(a > b, 'groot', 'klein')", "klein"),
    ("get(m, 'q', 'standaard')", "standaard"),
    ("normalize('  Planning  &  Control ')", "planning & control"),
    ("d - 2024-02-01", 28),
])
def test_values(text, value):
    assert ev(text) == value


@pytest.mark.parametrize("text, message, col", [
    ("a +", "unexpected 'end of expression'", 3),
    ("__import__('os')", "unknown function '__import__'", 0),
    ("open('x')", "unknown function 'open'", 0),
    ("a; b", "unexpected character ';'", 1),
    ("lambda: 1", "unexpected character ':'", 6),
    ("xs[0]", "unexpected '['", 2),
    ("count(xs, xs)", "count() takes 1 argument(s), got 2", 0),
    ("2024-02-30", "2024-02-30 does not exist: February 2024 has 29 days", 0),
    ("b == onbekend", "unknown name 'onbekend'", 5),
])
def test_refused_with_column(text, message, col):
    with pytest.raises(ExprError) as err:
        compile_expr(text, resolve)
    assert err.value.message.startswith(message)
    assert err.value.col == col


def test_dotted_names_read_mapping_keys_never_attributes():
    from regelwerk.engine.compiling.compiler import Scope
    from regelwerk.engine.compiling.model import Param

    scope = Scope({}, {"p": Param("p", {"k": 1}, "label", "citation")})
    assert compile_expr("p.k", scope.resolve)({}) == 1
    assert compile_expr("p.__class__", scope.resolve)({}) is None
    assert compile_expr("p.keys", scope.resolve)({}) is None
    with pytest.raises(ExprError, match="unknown name 'q.__class__'"):
        compile_expr("q.__class__", scope.resolve)


def test_length_and_depth_are_bounded():
    with pytest.raises(ExprError, match="longer than"):
        compile_expr("a + " * MAX_LENGTH + "a", resolve)
    with pytest.raises(ExprError, match="nested deeper"):
        compile_expr("(" * (MAX_DEPTH + 1) + "a" + ")" * (MAX_DEPTH + 1), resolve)
    with pytest.raises(ExprError, match="nested deeper"):
        compile_expr("not " * (MAX_DEPTH + 1) + "a", resolve)


def test_constant_parts_are_folded():
    compiled = compile_expr("add_months(2024-08-31, 10)", resolve)
    assert compiled.constant


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=80))
def test_any_text_compiles_or_fails_cleanly(text):
    try:
        compiled = compile_expr(text, resolve)
    except ExprError:
        return
    try:
        compiled(FACTS)
    except (TypeError, ValueError, ArithmeticError, OverflowError, AttributeError):
        pass  # a type mismatch at run time; the engine reports it as a CaseError
