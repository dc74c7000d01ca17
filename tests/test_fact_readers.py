"""A decision's generated fact reader reads a plain case exactly as the general reader does,
and gives way to it for anything else: it may only be stricter, never looser.

Cases come from each decision's declared inputs (tests/test_hostile_property.py), nested as a
user writes them and with dotted keys, well typed and noisy (wrong types, missing and extra
facts). Whenever the generated reader answers, the general reader must give the same facts
and find no undeclared one; and a whole batch decided with and without the generated readers
must give the same bytes.
"""

from __future__ import annotations

import datetime as dt
import random
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from regelwerk.engine.base.errors import RegelwerkError
from regelwerk.engine.compiling.facts import FactSpec, read_facts, unknown_facts
from regelwerk.engine.compiling.readers import make_reader, reader_of
from regelwerk.engine.deciding import api
from test_hostile_property import DECISIONS, ENGINE, ON, case_of

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "benchmarks"))
import cases as benchmark_cases  # noqa: E402  (benchmarks/cases.py)


def nested(case: dict) -> dict:
    """The case with dotted keys written as nested objects (the usual spelling)."""
    out: dict = {}
    for key, value in case.items():
        *groups, last = key.split(".")
        node = out
        for part in groups:
            inner = node.get(part)
            if not isinstance(inner, dict):
                inner = node[part] = {}
            node = inner
        node[last] = value
    return out


def agree(inputs: list[FactSpec], case: dict) -> bool:
    """Whether the generated reader agrees with the general one; True when it answered."""
    read = reader_of(inputs)(case)
    if read is None:
        return False
    facts, plain = read
    assert facts == read_facts(inputs, case, "d")
    assert [type(v) for v in facts.values()] == [
        type(v) for v in read_facts(inputs, case, "d").values()]
    assert (unknown_facts(inputs, case) == []) == plain
    return plain


@pytest.mark.parametrize("decision", DECISIONS)
def test_the_generated_reader_only_answers_what_the_general_one_would(decision):
    inputs = ENGINE.resolve(decision, ON)[2].inputs
    assert reader_of(inputs) is not None

    @settings(max_examples=80, deadline=None, database=None,
              suppress_health_check=[HealthCheck.too_slow])
    @given(case=case_of(inputs), spelling=st.sampled_from(["nested", "dotted"]))
    def check(case, spelling):
        if spelling == "nested":
            case = nested(case)
        agree(inputs, case)

    check()


def test_the_generated_reader_reads_plain_cases_and_refuses_the_rest():
    inputs = ENGINE.resolve("go.jobtraining.duur", ON)[2].inputs
    plain = {"vormingsattest": {"datum": "2024-03-01"},
             "aanstellingen": [{"van": "2024-09-01", "soort": "proeftijd"}]}
    assert agree(inputs, plain)
    assert reader_of(inputs)(plain)[0]["afwezigheden"] == []  # the declared default
    for extra in ({**plain, "extra": 1}, {**plain, "vormingsattest": {"datum": "2024-03-01",
                  "nummer": 7}}, {**plain, "aanstellingen": [{"van": "2024-09-01",
                                                               "soort": "proeftijd", "x": 1}]}):
        assert not agree(inputs, extra)  # read, but not plain: the caller names the extra
        assert reader_of(inputs)(extra) is not None
    for other in (
        {**plain, "vormingsattest.datum": "2024-03-01"},             # given twice
        {**plain, "vormingsattest": {"datum": "2024-02-30"}},        # impossible date
        {**plain, "vormingsattest": {"datum": "2024-3-1"}},          # not ISO
        {**plain, "vormingsattest": {"datum": dt.date(2024, 3, 1)}},  # a date object (YAML)
        {**plain, "vormingsattest": None},                           # required fact missing
        {**plain, "aanstellingen": [{"van": "2024-09-01", "soort": "vast"}]},  # not one_of
        {**plain, "vormingsattest": {"datum": "2024-03-01", "a.b": 1}},  # a dotted key
        {**plain, "aanstellingen": ({"van": "2024-09-01", "soort": "proeftijd"},)},
        {**plain, "afwezigheden": [{"van": "2024-09-01"}]},          # required field missing
        [plain],                                                     # not an object
    ):
        assert reader_of(inputs)(other) is None, other


def test_numbers_and_booleans_are_read_as_their_own_kind():
    inputs = [FactSpec("n", "number"), FactSpec("i", "integer"), FactSpec("b", "bool"),
              FactSpec("t", "list", items=FactSpec("t[]", "integer")),
              FactSpec("g.x", "text", required=False, default="leeg")]
    read = make_reader(inputs)
    assert agree(inputs, {"n": 1.5, "i": 3, "b": False, "t": [1, 2]})
    assert read({"n": 1, "i": 3, "b": True, "t": [], "g": None})[0]["g.x"] == "leeg"
    for bad in ({"n": float("inf")}, {"n": float("nan")}, {"n": True}, {"i": 1.0},
                {"i": True}, {"b": 0}, {"t": [1, "2"]}, {"t": [True]}, {"g": {"x": 5}},
                {"g": 5}):
        assert read({"n": 1, "i": 3, "b": True, "t": [], **bad}) is None, bad


def test_a_fact_inside_another_fact_is_left_to_the_general_reader():
    assert make_reader([FactSpec("a", "text"), FactSpec("a.b", "text")]) is None
    assert make_reader([FactSpec("a.b", "text"), FactSpec("a", "text")]) is None
    assert make_reader([]) is None


def test_a_batch_decides_the_same_with_and_without_the_generated_readers(monkeypatch):
    records = list(benchmark_cases.generate(2_000, seed=11))
    for record in records[::5]:  # an undeclared fact beside the declared ones: a warning
        record["case"] = {**record["case"], "opmerking": "zie dossier"}
    fast = api.Engine()
    monkeypatch.setattr(api, "reader_of", lambda specs: None)
    general = api.Engine()
    read_plainly = warned = 0
    for record in records:
        answers = []
        for engine in (fast, general):
            try:
                answers.append(engine.decide_record(record).as_json())
            except RegelwerkError as err:
                answers.append(str(err))
        assert answers[0] == answers[1], record
        warned += "opmerking" in answers[0]
        decision = fast.resolve(record["decision"], api.parse_on(record["on"]))[2]
        read_plainly += reader_of(decision.inputs)(record.get("case")) is not None
    assert read_plainly > len(records) * 0.8  # the usual case takes the generated path
    assert warned >= len(records[::5]) * 0.9


def test_random_shuffles_of_a_plain_case_keep_the_same_facts():
    inputs = ENGINE.resolve("go.jobtraining.mentor", ON)[2].inputs
    rng = random.Random(5)
    case = {"mentor": {"evalueert_trainee": False, "scholengroep": "SG 1"},
            "trainee": {"scholengroep": "SG 1", "onderwijsniveau": "BaO"}}
    for _ in range(20):
        shuffled = {k: dict(sorted(v.items(), key=lambda _: rng.random()))
                    for k, v in sorted(case.items(), key=lambda _: rng.random())}
        assert agree(inputs, shuffled)
