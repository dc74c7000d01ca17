"""Decisions logged through the Python API (`LogWriter.add`): the case is stored as the very
text `json_text` writes, whatever Python values it holds; what could not be written as JSON is
refused as before and adds nothing; personal facts are hashed; and `log show`, `explain --id`,
`log replay` and `log export` read API-logged decisions back on both backends."""

from __future__ import annotations

import datetime as _dt
import decimal
import enum
import json
import sqlite3

import pytest
from conftest import log_text
from regelwerk.engine.base.jsonvalues import json_text, json_values
from regelwerk.engine.deciding.api import Engine
from regelwerk.engine.log.blocks import unpack
from regelwerk.engine.log.decisionlog import hash_value, open_log

DUUR = "go.jobtraining.duur"
GELDIGHEID = "go.vormingsattest.geldigheid"
ON = "2026-11-22"
CASE = {"vormingsattest": {"datum": "2025-06-01"},
        "aanstellingen": [{"van": "2025-09-01", "soort": "proeftijd"}]}


class Kleur(enum.Enum):
    ROOD = "rood"


class Niveau(enum.IntEnum):
    HOOG = 3


# Values a program may put in a case, each with what the log must read back: the values the
# text `json_text` writes reads back as (what the API logged before it wrote msgspec's text).
ODD_VALUES = {
    "a float written with an exponent": 1e16,
    "a small float": 1.5e-7,
    "negative zero": -0.0,
    "an int beyond 64 bits": 2**70,
    "a date": _dt.date(2026, 1, 2),
    "a datetime in UTC": _dt.datetime(2026, 1, 2, 10, 30, tzinfo=_dt.UTC),
    "a naive datetime": _dt.datetime(2026, 1, 2, 10, 30, 0, 123000),
    "a time": _dt.time(10, 30),
    "a timedelta": _dt.timedelta(days=1),
    "a decimal": decimal.Decimal("1.50"),
    "a tuple": (1, "twee"),
    "a set": {3},
    "an enum": Kleur.ROOD,
    "an int enum": Niveau.HOOG,
    "keys that are not text": {2: "a", None: "b", 1.5: "c"},
    "text to escape": 'tab\tquote" backslash\\ \x01 \u2028 \U0001f600 é',
    "nothing": None,
}


def _logged(log_url: str, case: dict, **options) -> object:
    result = Engine().decide(DUUR, CASE, ON)
    log = open_log(log_url, **options)
    with log.writer() as writer:
        decision_id = writer.add(result, case)
    return log.get(decision_id)


@pytest.mark.parametrize("value", ODD_VALUES.values(), ids=ODD_VALUES.keys())
def test_a_case_is_logged_as_the_values_its_json_text_reads_back_as(log_url, value):
    case = {**CASE, "extra": value, "nested": [{"extra": value}]}
    entry = _logged(log_url, case)
    assert entry.facts == json.loads(json_text(case))


@pytest.mark.parametrize("value", ODD_VALUES.values(), ids=ODD_VALUES.keys())
def test_a_case_record_is_stored_as_the_text_json_text_writes(tmp_path, value):
    case = {**CASE, "extra": value, "nested": [{"extra": value}]}
    log = open_log(tmp_path / "log.sqlite")
    with log.writer() as writer:
        writer.add(Engine().decide(DUUR, CASE, ON), case)
    with sqlite3.connect(tmp_path / "log.sqlite") as conn:
        [(stored,)] = conn.execute("SELECT entries FROM blocks").fetchall()
    record = b'[{"case":' + json_text(case).encode("utf-8") + b"},"
    assert unpack(stored).startswith(record)


@pytest.mark.parametrize("value", ODD_VALUES.values(), ids=ODD_VALUES.keys())
def test_json_values_gives_what_json_text_reads_back_as(value):
    case = {"extra": value, "list": [value, {"in": value}]}
    before = json.loads(json_text(case))
    # the same values of the same types: written again, the very same text
    assert json_text(json_values(case)) == json_text(before)


@pytest.mark.parametrize("bad", [float("nan"), float("inf")], ids=["NaN", "Infinity"])
def test_json_values_refuses_nan_and_infinity_as_json_text_does(bad):
    for encode in (json_text, json_values):
        with pytest.raises(ValueError, match="Out of range float values"):
            encode({"a": [bad]})


def test_a_float_with_an_exponent_reads_back_equal_from_the_log_and_log_show(cli, tmp_path):
    log_path = tmp_path / "log.sqlite"
    entry = _logged(str(log_path), {**CASE, "bedrag": 1e16, "klein": 1e-7})
    assert entry.facts["bedrag"] == 1e16 and isinstance(entry.facts["bedrag"], float)
    assert entry.facts["klein"] == 1e-7
    shown = cli.json("--log", str(log_path), "log", "show", entry.id)
    assert shown["facts"] == {**CASE, "bedrag": 1e16, "klein": 1e-7}


@pytest.mark.parametrize("bad", [float("nan"), float("inf"), float("-inf")],
                         ids=["NaN", "Infinity", "-Infinity"])
def test_a_case_holding_nan_or_infinity_is_refused_as_before_and_adds_nothing(tmp_path, bad):
    case = {**CASE, "bedrag": bad}
    result = Engine().decide(DUUR, case, ON)  # a fact it does not read: decided, with a warning
    with pytest.raises(ValueError, match="Out of range float values are not JSON compliant"):
        json_text(case)  # what the log refused it with before
    log = open_log(tmp_path / "log.sqlite")
    with log.writer() as writer:
        with pytest.raises(ValueError, match="Out of range float values are not JSON compliant"):
            writer.add(result, case)
        later = writer.add(result, CASE)
    assert later.endswith("-1")
    assert [e.id for e in log.entries()] == [later]


def test_a_case_holding_a_lone_surrogate_is_refused_as_before(tmp_path):
    case = {**CASE, "naam": "An \ud800"}
    with pytest.raises(UnicodeEncodeError):
        json_text(case).encode("utf-8")
    log = open_log(tmp_path / "log.sqlite")
    with log.writer() as writer:
        with pytest.raises(UnicodeEncodeError):
            writer.add(Engine().decide(DUUR, CASE, ON), case)
    assert log.count() == 0


def test_personal_facts_logged_through_the_api_are_only_hashes(log_url):
    # trainee.naam is personal data of the rule set; opmerking is hashed by the log's option
    case = {**CASE, "trainee": {"naam": "An Peeters"}, "opmerking": "belde om 9 uur",
            "bedrag": 1e16}
    entry = _logged(log_url, case, hash_facts=["opmerking"])
    assert sorted(entry.hashed_facts) == ["opmerking", "trainee.naam"]
    assert entry.facts == {**CASE, "trainee": {"naam": hash_value("An Peeters")},
                           "opmerking": hash_value("belde om 9 uur"), "bedrag": 1e16}
    text = log_text(log_url)
    assert b"Peeters" not in text and b"belde om" not in text
    # a case that holds none of them is logged as it is
    plain = _logged(log_url, {**CASE, "trainee": {"in_ambt": True}})
    assert plain.hashed_facts == [] and plain.facts == {**CASE, "trainee": {"in_ambt": True}}


def test_decisions_logged_through_the_api_are_shown_explained_replayed_and_exported(
        cli, log_url):
    engine = Engine()
    attest = {"vormingsattest": {"datum": _dt.date(2024, 1, 1)}}
    log = open_log(log_url)
    with log.writer() as writer:
        ids = [writer.add(engine.decide(DUUR, CASE, ON), CASE),
               writer.add(engine.decide(GELDIGHEID, attest, ON), attest)]
    shown = cli.json("log", "show", ids[1])
    assert shown["facts"] == {"vormingsattest": {"datum": "2024-01-01"}}
    assert shown["result"] == json.loads(engine.decide(GELDIGHEID, attest, ON).as_json())["result"]
    for decision_id in ids:
        assert cli.json("explain", "--id", decision_id)["log"]["reproduced"] is True
    report = cli.json("log", "replay", "--all")
    assert [r["status"] for r in report["replayed"]] == ["same", "same"]
    exported = cli("log", "export")
    assert exported.exit_code == 0, exported.stderr
    assert [json.loads(line)["id"] for line in exported.stdout.splitlines()] == ids
