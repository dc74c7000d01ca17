"""The batch writes a result's JSON straight as bytes (msgspec) when its values are plain:
those bytes must be the very bytes the json module's text gives, for every value, and a value
msgspec would write otherwise (a float with an exponent, NaN, a datetime, a subclass) must go
the json module's way."""

from __future__ import annotations

import datetime as dt
import enum
import json
import math
import subprocess
import sys

import msgspec  # noqa: F401 - the fast way is taken once msgspec is imported
from hypothesis import given
from hypothesis import strategies as st
from regelwerk.engine.base.jsonvalues import json_text, plain_json_bytes

_scalars = (st.text() | st.integers() | st.booleans() | st.none() | st.dates()
            | st.floats(allow_nan=True, allow_infinity=True) | st.datetimes())
_values = st.recursive(
    _scalars,
    lambda inner: (st.lists(inner, max_size=4) | st.tuples(inner, inner)
                   | st.dictionaries(st.text(max_size=5), inner, max_size=4)),
    max_leaves=12)


def _json_module(value):
    try:
        return json_text(value).encode("utf-8")
    except (ValueError, UnicodeEncodeError) as err:
        return type(err)


@given(_values)
def test_plain_bytes_are_the_json_modules_bytes(value):
    fast = plain_json_bytes(value)
    if fast is not None:
        assert fast == _json_module(value)


_plain_scalars = (st.text().filter(lambda t: not any(0xD800 <= ord(c) <= 0xDFFF for c in t))
                  | st.integers() | st.booleans() | st.none() | st.dates())


@given(st.recursive(_plain_scalars, lambda inner: st.lists(inner, max_size=4)
                    | st.dictionaries(st.text(max_size=5), inner, max_size=4), max_leaves=12))
def test_values_without_floats_take_the_fast_way(value):
    assert plain_json_bytes(value) == json_text(value).encode("utf-8")


class Colour(enum.Enum):
    RED = 1


def test_what_msgspec_writes_otherwise_goes_the_json_modules_way():
    for value in (1e16, 1e-7, -2.5e300, math.nan, math.inf, [1.0, 1e22],
                  dt.datetime(2024, 1, 2, 3, 4, 5), dt.timedelta(days=1), Colour.RED,
                  {1: "a"}, {"a": {1, 2}}, b"x", "x\ud800", ["x\udfff"]):
        assert plain_json_bytes(value) is None, value
    for value in (0.0, -0.0, 0.0001, 9999999999999998.0, 1.5, [0.1, {"a": 2.25}]):
        assert plain_json_bytes(value) == json.dumps(value, separators=(",", ":")).encode()


def test_a_batch_line_with_a_float_written_with_an_exponent_is_as_before(cli, tmp_path):
    """An unread fact with such a float comes back in the warning text only; a decision's
    output with one is written by the json module: the line is the same either way."""
    from regelwerk.engine.deciding.api import Result

    line = {"decision": "go.jobtraining.toelating", "on": "2026-01-01",
            "case": {"trainee": {"in_ambt": True}, "vormingsattest": {"datum": "2020-01-01"}}}
    path = tmp_path / "cases.jsonl"
    path.write_text(json.dumps(line) + "\n", encoding="utf-8")
    res = cli("--no-log", "decide", "--cases", str(path))
    printed = json.loads(res.stdout)
    from regelwerk import Engine

    result = Engine().decide_record(line)
    assert printed == json.loads(result.as_json())
    odd = Result(result.decision, result.on, result.ruleset, result.version,
                 {"n": 1e16, "when": dt.date(2024, 2, 29)}, ["één"], ["w"])
    assert odd.json_opened_bytes() == odd.json_opened().encode("utf-8")
    assert b'"n":1e+16' in odd.json_opened_bytes()
    plain = Result(result.decision, result.on, result.ruleset, result.version,
                   {"n": 16, "when": dt.date(2024, 2, 29)}, ["één \u2028"], ["w"])
    assert plain.json_opened_bytes() == plain.json_opened().encode("utf-8")


def test_a_single_logged_decision_does_without_msgspec(tmp_path):
    """One `decide` with the log on writes its result by the json module (the same bytes)
    and does not pay msgspec's import; the log holds the decision as the batch would."""
    code = ("import sys\nfrom regelwerk.engine.cli import main\n"
            "try:\n    main(sys.argv[1:])\nexcept SystemExit as stop:\n    code = stop.code\n"
            "print('msgspec' in sys.modules, code, file=sys.stderr)\n")
    log = tmp_path / "decisions.sqlite"
    case = tmp_path / "case.json"
    case.write_text('{"trainee": {"in_ambt": true}, "vormingsattest": {"datum": "2020-01-01"}}')
    done = subprocess.run([sys.executable, "-c", code, "--log", str(log), "decide",
                           "go.jobtraining.toelating", "--case", str(case), "--on", "2026-01-01",
                           "--format", "json"], capture_output=True, text=True, timeout=60)
    assert done.stderr.split()[-2:] == ["False", "0"], done.stderr
    printed = json.loads(done.stdout)
    shown = subprocess.run([sys.executable, "-m", "regelwerk", "--log", str(log), "log", "show",
                            printed["log_id"], "--format", "json"],
                           capture_output=True, text=True, timeout=60)
    assert json.loads(shown.stdout)["result"] == printed["result"]
