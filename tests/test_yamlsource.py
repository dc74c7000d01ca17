"""Tests for the safe YAML/JSON reader: every bad file fails with one clear, placed message."""

from __future__ import annotations

import datetime as dt
import re
import time
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from regelwerk.engine.base.errors import CaseFileError, RuleFileError, UsageError
from regelwerk.engine.rulefiles.yamlsource import (
    Limits,
    Located,
    load_case_file,
    load_yaml_bytes,
    load_yaml_file,
)

DATA = Path(__file__).parent / "data" / "yaml"
EXPECTATION = re.compile(r"(?P<file>[^:]+): (?:(?P<line>\d+):(?P<col>\d+)|-): (?P<text>.+)")


def expectations(folder: Path) -> dict[str, list[tuple[int | None, int | None, str]]]:
    """Read folder/expected.txt: for each file, the (line, col, message part) of each problem.

    A place written as '-' means the message cannot name one (line and col are None).
    """
    expected: dict[str, list[tuple[int | None, int | None, str]]] = {}
    for raw in (folder / "expected.txt").read_text(encoding="utf-8").splitlines():
        if raw.strip() and not raw.startswith("#"):
            match = EXPECTATION.fullmatch(raw)
            assert match, f"bad line in expected.txt: {raw!r}"
            line, col = (int(match[g]) if match[g] else None for g in ("line", "col"))
            place = (line, col, match["text"])
            expected.setdefault(match["file"], []).append(place)
    return expected


BAD = expectations(DATA / "bad")
BAD_CASES = expectations(DATA / "bad_cases")


def problems_of(path: Path) -> list[tuple[int, int, str]]:
    with pytest.raises(RuleFileError) as caught:
        load_yaml_file(path, name=path.name)
    assert all(p.file == path.name for p in caught.value.problems)
    return [(p.line, p.col, p.message) for p in caught.value.problems]


def test_every_bad_file_has_an_expectation_and_back():
    on_disk = {p.name for p in (DATA / "bad").iterdir() if p.name != "expected.txt"}
    assert on_disk == set(BAD)
    on_disk = {p.name for p in (DATA / "bad_cases").iterdir() if p.name != "expected.txt"}
    assert on_disk == set(BAD_CASES)


@pytest.mark.parametrize("name", sorted(BAD))
def test_bad_rule_file(name: str):
    found = problems_of(DATA / "bad" / name)
    expected = BAD[name]
    assert [(line, col) for line, col, _ in found] == [(line, col) for line, col, _ in expected]
    for (_, _, message), (_, _, part) in zip(found, expected, strict=True):
        assert part in message
        assert "\n" not in message


@pytest.mark.parametrize("name", sorted(BAD_CASES))
def test_bad_case_file(name: str):
    path = DATA / "bad_cases" / name
    with pytest.raises(CaseFileError) as caught:
        load_case_file(str(path))
    [(line, col, part)] = BAD_CASES[name]
    assert (caught.value.line, caught.value.col) == (line, col)
    assert str(caught.value).startswith(f"{path}:{line}:{col}: " if line else f"{path}: ")
    assert part in str(caught.value)
    assert "\n" not in str(caught.value)


def test_billion_laughs_fails_fast():
    start = time.perf_counter()
    with pytest.raises(RuleFileError) as caught:
        load_yaml_file(DATA / "bad" / "billion_laughs.yaml")
    assert time.perf_counter() - start < 1.0
    assert len(caught.value.problems) == 1


def test_alias_expansion_limit_counts_every_use():
    text = "a: &a [1, 2, 3]\nb: [*a, *a, *a]\n"
    assert load_yaml_bytes(text.encode(), "f").data["b"] == [[1, 2, 3]] * 3
    with pytest.raises(RuleFileError, match="more than 10 nodes"):
        load_yaml_bytes(text.encode(), "f", limits=Limits(max_nodes=10))


def test_a_problem_in_an_aliased_node_is_reported_once():
    text = "x: &a {b: !custom 1}\ny: [*a, *a, *a]\n"
    with pytest.raises(RuleFileError) as caught:
        load_yaml_bytes(text.encode(), "f")
    assert caught.value.lines() == ["f:1:11: tag !custom is not allowed in rule files"]


def test_aliases_through_a_chain_count_as_nesting():
    chain = "a0: &a0 [1]\n" + "".join(f"a{i}: &a{i} [*a{i - 1}]\n" for i in range(1, 80))
    with pytest.raises(RuleFileError, match="nesting too deep"):
        load_yaml_bytes(chain.encode(), "f")


def test_absurd_nesting_is_refused_quickly():
    start = time.perf_counter()
    with pytest.raises(RuleFileError, match="nesting too deep"):
        load_yaml_bytes(b"[" * 100_000, "f")
    assert time.perf_counter() - start < 5.0


def test_python_recursion_limit_is_reported_at_the_start():
    with pytest.raises(RuleFileError) as caught:
        load_yaml_bytes(b"[" * 10_000, "f", limits=Limits(max_depth=10**6))
    [problem] = caught.value.problems
    assert (problem.line, problem.col, problem.message) == (1, 1, "nesting too deep")


def test_no_tag_is_ever_constructed(tmp_path: Path):
    target = tmp_path / "created-by-yaml"
    text = f"a: !!python/object/apply:os.makedirs ['{target}']\n"
    with pytest.raises(RuleFileError, match="is not allowed"):
        load_yaml_bytes(text.encode(), "f")
    assert not target.exists()


def test_oversized_file(tmp_path: Path):
    path = tmp_path / "big.yaml"
    path.write_bytes(b"a: 1\n" + b"#" * 2_000_000)
    with pytest.raises(RuleFileError) as caught:
        load_yaml_file(path)
    [problem] = caught.value.problems
    assert (problem.line, problem.col) == (1, 1)
    assert "file is 2,000,005 bytes" in problem.message
    assert "limit of 2,000,000 bytes" in problem.message
    with pytest.raises(RuleFileError, match="file is 5 bytes, more than the limit of 4 bytes"):
        load_yaml_bytes(b"a: 1\n", "f", limits=Limits(max_bytes=4))


def test_missing_rule_file(tmp_path: Path):
    with pytest.raises(RuleFileError, match="file not found"):
        load_yaml_file(tmp_path / "nope.yaml")


def test_good_file_values_and_order():
    located = load_yaml_file(DATA / "good" / "positions.yaml")
    data = located.data
    assert located.file == str(DATA / "good" / "positions.yaml")
    assert list(data) == [
        "name",
        "valid_from",
        "flags",
        "rules",
        "zeta",
        "alpha",
        "defaults",
        "copy",
    ]
    assert data["valid_from"] == dt.date(2024, 9, 1)
    assert type(data["valid_from"]) is dt.date
    assert data["flags"] == {
        "strict": "yes",
        "count": 3,
        "ratio": 0.5,
        "nothing": None,
        "enabled": True,
    }
    assert data["rules"][0]["when"] == {"age": 18, "since": dt.date(2020, 1, 1)}
    assert data["rules"][1]["list"] == ["a", "b"]
    assert data["copy"] == data["defaults"] == {"rate": 10}
    assert data["copy"] is not data["defaults"]  # aliases are expanded into independent copies


def test_good_file_positions():
    located = load_yaml_file(DATA / "good" / "positions.yaml", name="rules.yaml")
    assert located.file == "rules.yaml"
    assert located.positions[("name",)] == (2, 7)
    assert located.key_positions[("name",)] == (2, 1)
    assert located.positions[("flags", "strict")] == (5, 11)
    assert located.key_positions[("flags", "strict")] == (5, 3)
    assert located.positions[("rules", 0)] == (11, 5)
    assert located.positions[("rules", 0, "when", "since")] == (12, 28)
    assert located.key_positions[("rules", 0, "when", "since")] == (12, 21)
    assert located.positions[("rules", 1, "list", 1)] == (16, 9)
    assert located.key_positions[("alpha",)] == (18, 1)


def test_where_falls_back_to_the_nearest_ancestor():
    located = load_yaml_file(DATA / "good" / "positions.yaml", name="rules.yaml")
    assert located.where(["rules", 1, "list", 1]) == (16, 9)
    assert located.where(("rules", 1, "missing", 3)) == (13, 5)
    assert located.key_where(("rules", 1, "list")) == (14, 5)
    assert located.key_where(("rules", 1)) == (13, 5)  # list items have no key
    assert Located({}, "x").where(("a",)) == (1, 1)
    problem = located.problem(("zeta",), "not used", severity="warning")
    assert str(problem) == "rules.yaml:17:7: warning: not used"


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("yes", "yes"),
        ("no", "no"),
        ("on", "on"),
        ("'2024-01-01'", "2024-01-01"),
        ("0x1F", 31),
        ("1_000", 1000),
        ("-1.5e2", -150.0),
        ("1e3", 1000.0),
        ("=", "="),
        ("2024-1-5", "2024-1-5"),
        ("!!str 5", "5"),
    ],
)
def test_scalars_follow_yaml_1_2(text: str, value: object):
    assert load_yaml_bytes(f"v: {text}\n".encode(), "f").data["v"] == value


@pytest.mark.parametrize(
    ("text", "part"),
    [
        ("012", "starts with 0"),
        (".nan", "is not a number"),
        ("-.inf", "is not a finite number"),  # no rule can compare with it, JSON cannot hold it
        ("1e999", "is not a finite number"),
        ("0x" + "f" * 1025, "a whole number has at most 4096 bits"),
        ("!!int abc", "is not a whole number"),
        ("!!bool maybe", "is not true or false"),
        ("!!timestamp 2024", "write dates as YYYY-MM-DD"),
        ("!!set {a}", "tag !!set is not allowed"),
    ],
)
def test_bad_scalars(text: str, part: str):
    with pytest.raises(RuleFileError) as caught:
        load_yaml_bytes(f"v: {text}\n".encode(), "f")
    [problem] = caught.value.problems
    assert (problem.line, problem.col) == (1, 4)
    assert part in problem.message


def test_other_syntax_errors_are_one_placed_line():
    with pytest.raises(RuleFileError) as caught:
        load_yaml_bytes(b"a: 1\n---\nb: 2\n", "f")
    message = (
        "f:2:1: but found another document "
        "(expected a single document in the stream at line 1, column 1)"
    )
    assert caught.value.lines() == [message]
    with pytest.raises(RuleFileError, match=r"f:2:4: character U\+0007 is not allowed"):
        load_yaml_bytes(b"a: 1\nb: \x07\n", "f")


def test_top_level_need_not_be_a_mapping_when_not_expected():
    assert load_yaml_bytes(b"- 1\n- two\n", "f", expect_mapping=False).data == [1, "two"]
    with pytest.raises(RuleFileError, match="not text"):
        load_yaml_bytes(b"just words\n", "f")


def test_reused_anchor_names_are_allowed(recwarn: pytest.WarningsRecorder):
    located = load_yaml_bytes(b"a: &x 1\nb: &x 2\nc: *x\n", "f")
    assert located.data == {"a": 1, "b": 2, "c": 2}
    assert not recwarn.list


def test_a_300_line_file_loads_quickly():
    text = "\n".join(
        f"rule{i}:\n  name: 'rule {i}'\n  from: 2024-01-0{i % 9 + 1}\n  values: [1, 2, three]"
        for i in range(75)
    ).encode()
    load_yaml_bytes(text, "f")
    start = time.perf_counter()
    located = load_yaml_bytes(text, "f")
    assert time.perf_counter() - start < 1.0  # pure-Python parsing: tens of ms on a slow machine
    assert located.positions[("rule74", "values", 2)] == (300, 18)


YAMLISH = st.text(alphabet="ab1:-[]{}&*!#'\"\n \t|>?,.~<=%@`\\0\x07\ufeffé", max_size=80)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.one_of(st.binary(max_size=200), YAMLISH.map(lambda t: t.encode("utf-8"))))
def test_any_bytes_give_data_or_rule_file_error(raw: bytes):
    try:
        result: Located | RuleFileError = load_yaml_bytes(raw, "f", limits=Limits(max_nodes=5_000))
    except RuleFileError as err:
        result = err
    if isinstance(result, RuleFileError):
        assert result.problems
        assert all(p.line >= 1 and p.col >= 1 and "\n" not in p.message for p in result.problems)
    else:
        assert isinstance(result, Located)
        assert () in result.positions


@settings(max_examples=100, deadline=None)
@given(st.text(max_size=100))
def test_any_text_as_a_case_file(text: str):
    message = ""
    try:
        load_case_file("-", stdin_bytes=text.encode("utf-8", "surrogatepass"))
    except CaseFileError as err:
        message = str(err)
    assert "\n" not in message


def test_case_files_json_and_yaml_agree_except_for_dates():
    from_json = load_case_file(str(DATA / "good" / "case.json"))
    from_yaml = load_case_file(str(DATA / "good" / "case.yaml"))
    assert from_json["born"] == "2006-05-17"
    assert from_yaml["born"] == dt.date(2006, 5, 17)
    del from_json["born"], from_yaml["born"]
    assert from_json == from_yaml


def test_case_from_stdin_is_sniffed():
    assert load_case_file("-", stdin_bytes=b' {"a": [1, 2]}') == {"a": [1, 2]}
    assert load_case_file("-", stdin_bytes=b"a: 2024-02-29\n") == {"a": dt.date(2024, 2, 29)}
    with pytest.raises(CaseFileError, match=r"^<stdin>:1:7: Expecting value"):
        load_case_file("-", stdin_bytes=b'{"a": }')


def test_missing_case_file_is_a_usage_error(tmp_path: Path):
    path = tmp_path / "nope.json"
    with pytest.raises(UsageError, match=f"^{re.escape(str(path))}: .*file not found"):
        load_case_file(str(path))


def test_case_file_yaml_problems_are_counted():
    with pytest.raises(CaseFileError, match=r"\(and 1 more problem\)$") as caught:
        load_case_file(str(DATA / "bad_cases" / "bad_dates.yaml"))
    assert (caught.value.line, caught.value.col) == (2, 7)


def test_deep_json_case_is_a_clean_error(tmp_path: Path):
    path = tmp_path / "deep.json"
    path.write_text('{"a": ' + "[" * 100_000 + "]" * 100_000 + "}")
    with pytest.raises(CaseFileError, match="nesting too deep"):
        load_case_file(str(path))


def test_large_case_files_are_allowed(tmp_path: Path):
    path = tmp_path / "big.yaml"
    path.write_text("items:\n" + "".join(f"  - {i}\n" for i in range(10_000)))
    assert len(load_case_file(str(path))["items"]) == 10_000
