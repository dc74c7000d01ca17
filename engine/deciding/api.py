"""The engine's public API: load the rules once, then decide and explain many cases.

    from regelwerk.engine import Engine
    engine = Engine()                       # plugins and their rule files, compiled once
    result = engine.decide("go.jobtraining.duur", case, on=date(2026, 11, 22))
    result.outputs["einddatum"]             # Python values (dates as datetime.date)
    result.as_dict()                        # JSON-ready, as `regelwerk decide --format json`
    engine.explain(...)                     # the full trail as plain data
"""

from __future__ import annotations

import datetime as _dt
import os
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from ..base.dates import date_problem
from ..base.errors import CaseError, RegelwerkError, RuleFileError, UsageError
from ..base.i18n import _
from ..base.jsonvalues import (  # noqa: F401 - re-exported
    _dumps,
    _encode_text,
    json_text,
    msgspec_encoder,
    plain_json,
    to_json,
)
from ..compiling.compiler import PEIL, Context
from ..compiling.facts import describe_unknown, given_facts, parse_date, read_facts, unknown_facts
from ..compiling.model import Decision, RuleSet, Version
from ..compiling.readers import reader_of
from ..ops.plugins import Contributions, load_plugins
from ..rulefiles.loader import Catalog, build_catalog


def parse_on(text: str | _dt.date | None) -> _dt.date:
    """The peildatum from text (`YYYY-MM-DD`); today when None."""
    if text is None:
        return _dt.date.today()
    try:
        return parse_date(text)
    except (ValueError, TypeError):
        raise CaseError(_("peildatum {problem}").format(problem=date_problem(text))) from None


@dataclass
class Result:
    """One decision made: what was decided, on which date, by which version, with what outcome."""

    decision: str
    on: _dt.date
    ruleset: RuleSet
    version: Version
    outputs: dict[str, Any]
    notes: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)  # facts given that nothing reads, say

    def as_dict(self) -> dict:
        data = {
            "decision": self.decision,
            "on": self.on.isoformat(),
            "ruleset": self.ruleset.summary(self.version),
            "result": to_json(self.outputs),
            "uitleg": self.notes,
        }
        if self.warnings:
            data["warnings"] = self.warnings
        return data

    def as_json(self) -> str:
        """`as_dict()` as one line of JSON, the same text `json.dumps` gives, built faster:
        what surrounds the date and the outcome is serialised once per decision of a
        version, dates are turned into text by the JSON encoder itself."""
        return self.json_opened() + "}"

    def json_opened(self) -> str:
        """`as_json()` without its closing brace, for a line that adds a key (the decision
        log's `log_id`) without copying the rest."""
        outputs, notes = self.json_parts()
        opening, middle = _json_frame(self.decision, self.ruleset, self.version)
        warnings = f',"warnings":{_dumps(self.warnings)}' if self.warnings else ""
        return f'{opening}{self.on.isoformat()}{middle}{outputs},"uitleg":{notes}{warnings}'

    def json_opened_bytes(self) -> bytes:
        """`json_opened()` as UTF-8: what a batch prints and logs. A result of plain values
        (see `jsonvalues.plain_json`) is written straight as bytes by msgspec, the same
        bytes at half the cost; any other goes through `json_opened`."""
        outputs, notes, warnings = self.outputs, self.notes, self.warnings
        encode = msgspec_encoder()
        try:
            if encode is not None and plain_json(outputs) and plain_json(notes) and (
                    not warnings or plain_json(warnings)):
                frame = self.__dict__.get("_frame") or _json_frame_bytes(
                    self.decision, self.ruleset, self.version)
                return b'%b%b%b%b,"uitleg":%b%b' % (
                    frame[0], self.on.isoformat().encode("ascii"), frame[1], encode(outputs),
                    encode(notes), b',"warnings":%b' % encode(warnings) if warnings else b"")
        except (RecursionError, UnicodeEncodeError):  # json_opened says what is wrong
            pass
        return self.json_opened().encode("utf-8")

    def json_parts(self) -> tuple[str, str]:
        """The outputs and the notes as JSON text, encoded once (the log stores the same)."""
        parts = self.__dict__.get("_json_parts")
        if parts is None:
            # notes are texts: encoded one by one, as the encoder would, without starting it
            notes = f'[{",".join(map(_encode_text, self.notes))}]'
            parts = self._json_parts = (_dumps(self.outputs), notes)
        return parts


_EVALUATION_ERRORS = (TypeError, ValueError, ArithmeticError, AttributeError, KeyError,
                      RecursionError)


def _cannot(what: str, err: Exception, decision: Decision) -> CaseError:
    return CaseError(_("{what} cannot be evaluated: {problem}").format(what=what, problem=err),
                     decision=decision.id)


def _failing(decision: Decision, env: dict, outputs: dict) -> str:
    """What stopped a run of a decision: its first step, else its first output, without a value
    (checked only after a failure, so a run pays for no bookkeeping)."""
    for name, _run in decision.plan:
        if name not in env:
            return f"step {name!r}"
    return next(f"output {name!r}" for name, _value in decision.output_plan
                if name not in outputs)


_FRAMES: dict[tuple[str, int, int], tuple] = {}


def _frames(decision: str, ruleset: RuleSet, version: Version) -> tuple:
    """The JSON of a result before its date (`{"decision":…,"on":"`) and between the date and
    its outcome (`","ruleset":{…},"result":`), as text and as UTF-8, made once per decision
    of a version: (ruleset, version, opening, middle, opening bytes, middle bytes)."""
    key = (decision, id(ruleset), id(version))
    found = _FRAMES.get(key)
    if found is None or found[0] is not ruleset or found[1] is not version:
        if len(_FRAMES) >= 10_000:  # engines built again and again in one process
            _FRAMES.clear()
        opening = f'{{"decision":{_dumps(decision)},"on":"'
        middle = f'","ruleset":{_dumps(ruleset.summary(version))},"result":'
        found = _FRAMES[key] = (ruleset, version, opening, middle, opening.encode("utf-8"),
                                middle.encode("utf-8"))
    return found


def _json_frame(decision: str, ruleset: RuleSet, version: Version) -> tuple[str, str]:
    """A result's JSON around its date, as text (see `_frames`)."""
    return _frames(decision, ruleset, version)[2:4]


def _json_frame_bytes(decision: str, ruleset: RuleSet, version: Version) -> tuple[bytes, bytes]:
    """A result's JSON around its date, as UTF-8 (see `_frames`)."""
    return _frames(decision, ruleset, version)[4:6]


def rules_dirs_from_env() -> list[str]:
    value = os.environ.get("REGELWERK_RULES", "")
    return [p for p in value.split(os.pathsep) if p]


class Engine:
    """Rules loaded and compiled once; `decide` does no file, YAML or schema work."""

    def __init__(self, rules: Iterable[str] = (), *, plugins: list[tuple[str, Any]] = (),
                 contributions: Contributions | None = None):
        self.contributions = contributions or load_plugins(list(plugins))
        ctx = Context(self.contributions.operations, self.contributions.calendars)
        self.catalog: Catalog = build_catalog(self.contributions.rule_folders, list(rules), ctx)
        # (decision id, peildatum as given) -> (day, rule set, version, decision): a batch
        # asks the same few thousand of them again and again
        self._resolved: dict[tuple[str, Any], tuple] = {}

    # -- looking things up
    def check(self) -> None:
        """Raise RuleFileError when any rule file has an error."""
        errors = self.catalog.errors()
        if errors:
            raise RuleFileError(errors)

    def resolve(self, decision_id: str, on: _dt.date) -> tuple[RuleSet, Version, Decision]:
        ruleset, name = self.catalog.decision(decision_id)
        version = ruleset.version_on(on, decision_id)
        decision = version.decisions.get(name)
        if decision is None:
            raise CaseError(
                _("version {version!r} of {id} (in force on {on}) has no decision {name!r}")
                .format(version=version.name, id=ruleset.id, on=on.isoformat(), name=name),
                decision=decision_id)
        return ruleset, version, decision

    # -- deciding
    @staticmethod
    def check_facts(ruleset: RuleSet, decision: Decision, case: dict) -> list[str]:
        """Warnings about facts the decision does not read; an error in a strict rule set."""
        unknown = unknown_facts(decision.inputs, case)
        if not unknown:
            return []
        message = describe_unknown(unknown, decision.inputs)
        if ruleset.strict_facts:
            raise CaseError(message + _(" (rule set {id} accepts only the facts it declares: "
                                        "strict_facts)").format(id=ruleset.id),
                            decision=decision.id)
        return [f"{decision.id}: {message}"]

    def decide(self, decision_id: str, case: dict, on: _dt.date | str | None = None) -> Result:
        return self._evaluation(decision_id, case, on)[0]

    def _evaluation(self, decision_id: str, case: dict,
                    on: _dt.date | str | None) -> tuple[Result, Decision, dict]:
        """One evaluation: its result, the decision and the environment it ran in."""
        key = (decision_id, on)
        found = self._resolved.get(key) if type(decision_id) is str and (
            type(on) is str or type(on) is _dt.date) else None
        if found is None:
            day = on if type(on) is _dt.date else parse_on(on)
            found = (day, *self.resolve(decision_id, day))
            found += (reader_of(found[3].inputs),
                      _json_frame_bytes(found[3].id, found[1], found[2]))
            if on is not None:  # today is another day tomorrow
                if len(self._resolved) >= 100_000:
                    self._resolved.clear()
                self._resolved[key] = found
        day, ruleset, version, decision, reader, frame = found
        # a plain case (declared facts, each of its type, perhaps undeclared ones beside them)
        # is read by the decision's generated reader; any other by the general one
        read = reader(case) if reader is not None else None
        if read is None:
            facts, warnings = None, self.check_facts(ruleset, decision, case)
        else:  # a case that gives undeclared facts too: name them
            facts, plain = read
            warnings = None if plain else self.check_facts(ruleset, decision, case)
        result, env = self.evaluate(ruleset, version, decision, case, day, warnings, facts)
        result._frame = frame  # see json_opened_bytes
        return result, decision, env

    def evaluate(self, ruleset: RuleSet, version: Version, decision: Decision, case: dict,
                 day: _dt.date, warnings: list[str] | None = None,
                 facts: dict | None = None) -> tuple[Result, dict]:
        """Evaluate a compiled decision of a rule-set version, installed or not (the decision
        log compiles the rule text of a logged decision again): the result and the
        environment it ran in. `facts`: the case's facts as `read_facts` gives them, when
        they were read already. A Python error in a step, an output or a note becomes a
        CaseError naming it (found only then: a run pays for no bookkeeping)."""
        env = read_facts(decision.inputs, case, decision.id) if facts is None else facts
        env[PEIL] = day
        outputs: dict[str, Any] = {}
        try:
            decision.run(env, outputs)
        except CaseError as err:
            if err.decision is None:
                raise CaseError(err.detail, decision=decision.id, fact=err.fact) from None
            raise
        except _EVALUATION_ERRORS as err:
            raise _cannot(_failing(decision, env, outputs), err, decision) from None
        try:
            notes = decision.notes_in(env)
        except _EVALUATION_ERRORS as err:
            raise _cannot(_(decision.failing_note(env)), err, decision) from None
        return Result(decision.id, day, ruleset, version, outputs, notes, warnings or []), env

    def explain(self, decision_id: str, case: dict, on: _dt.date | str | None = None) -> dict:
        """The full trail of one evaluation, as plain JSON-ready data."""
        return self.trail_of(*self._evaluation(decision_id, case, on), case)

    @staticmethod
    def trail_of(result: Result, decision: Decision, env: dict, case: dict) -> dict:
        """The trail of an evaluation made (see `evaluate`), as plain JSON-ready data."""
        from .trail import build_trail

        return build_trail(result.ruleset, result.version, decision, case, env, result.outputs,
                           result.notes, result.on, given_facts(case))

    # -- many cases
    def decide_record(self, record: Any, decision: str | None = None,
                      on: _dt.date | str | None = None) -> Result:
        """Decide one batch record `{"decision", "on", "case"}`; `decision` and `on` stand in
        for what the record leaves out (the peildatum defaults to today)."""
        return self._evaluation(*_record_args(record, decision, on))[0]

    def decide_many(self, records: Iterable[Any], *, decision: str | None = None,
                    on: _dt.date | str | None = None, trail: bool = False) -> Iterator[dict]:
        """Decide every record `{"decision", "on", "case"}` in order, as plain data.

        Yields, for each record, the decision as `regelwerk decide --format json` prints it
        (with its full `trail` when asked), or `{"line": n, "error": message}` (n counts
        records from 1) for a record that cannot be decided; a bad record never stops the
        others. `decision` and `on` are used where a record leaves them out.
        """
        day = parse_on(on) if on is not None else None
        for number, record in enumerate(records, start=1):
            try:
                if trail:
                    data = self.explain_record(record, decision, day)
                else:
                    data = self.decide_record(record, decision, day).as_dict()
            except RegelwerkError as err:
                data = {"line": number, "error": str(err)}
            yield data

    def explain_record(self, record: Any, decision: str | None = None,
                       on: _dt.date | str | None = None) -> dict:
        """A record's decision with its trail: `as_dict()` plus `"trail"` (see `explain`),
        from one evaluation."""
        did, case, day = _record_args(record, decision, on)
        result, compiled, env = self._evaluation(did, case, day)
        data = result.as_dict()
        data["trail"] = self.trail_of(result, compiled, env, case)
        return data


def _record_args(record: Any, decision: str | None, on: _dt.date | str | None) -> tuple:
    """(decision id, case, peildatum) of a batch record, the defaults standing in for what
    it leaves out."""
    if type(record) is not dict and not isinstance(record, Mapping):  # a JSON object: no ABC
        raise UsageError(_("a line must be a JSON object {decision, on, case}"))
    did = record.get("decision") or decision
    if not did:
        raise UsageError(_("no decision on this line or on the command line"))
    return did, record.get("case", {}), record.get("on") or on
