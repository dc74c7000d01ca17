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
from dataclasses import dataclass, field
from typing import Any, Iterable

from .compiler import PEIL, Context
from .errors import CaseError, RuleFileError
from .facts import describe_unknown, given_facts, parse_date, read_facts, unknown_facts
from .loader import Catalog, build_catalog
from .model import Decision, RuleSet, Version
from .plugins import Contributions, load_plugins


def to_json(value: Any) -> Any:
    """Python values of a decision as JSON values: dates as ISO text, tuples as lists."""
    if isinstance(value, _dt.date):
        return value.isoformat()
    if isinstance(value, dict):
        return {str(k): to_json(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [to_json(v) for v in value]
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    describe = getattr(value, "describe", None)
    if callable(describe):
        return to_json(describe())
    return str(value)


def parse_on(text: str | _dt.date | None) -> _dt.date:
    """The peildatum from text (`YYYY-MM-DD`); today when None."""
    if text is None:
        return _dt.date.today()
    try:
        return parse_date(text)
    except (ValueError, TypeError):
        raise CaseError(f"peildatum {text!r} is not a date YYYY-MM-DD") from None


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


_EVALUATION_ERRORS = (TypeError, ValueError, ArithmeticError, AttributeError, KeyError,
                      RecursionError)


def _evaluate(fn: Any, env: dict, what: str, decision: str | None = None) -> Any:
    """An output or note of a decision; a Python error in it is a CaseError naming it."""
    try:
        return fn(env)
    except _EVALUATION_ERRORS as err:
        raise CaseError(f"{what} cannot be evaluated: {err}", decision=decision) from None


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
                f"version {version.name!r} of {ruleset.id} (in force on {on.isoformat()}) "
                f"has no decision {name!r}", decision=decision_id)
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
            raise CaseError(f"{message} (rule set {ruleset.id} accepts only the facts it "
                            "declares: strict_facts)", decision=decision.id)
        return [f"{decision.id}: {message}"]

    def run(self, decision: Decision, case: dict, on: _dt.date) -> tuple[dict, dict]:
        """Evaluate a compiled decision: (outputs, the environment it ran in)."""
        env = read_facts(decision.inputs, case, decision.id)
        env[PEIL] = on
        try:
            for name, run in decision.plan:
                env[name] = run(env)
            outputs = {}
            for name, value in decision.output_plan:
                outputs[name] = _evaluate(value, env, f"output {name!r}")
        except CaseError as err:
            if err.decision is None:
                raise CaseError(err.detail, decision=decision.id, fact=err.fact) from None
            raise
        return outputs, env

    def decide(self, decision_id: str, case: dict, on: _dt.date | str | None = None) -> Result:
        day = parse_on(on)
        ruleset, version, decision = self.resolve(decision_id, day)
        warnings = self.check_facts(ruleset, decision, case)
        outputs, env = self.run(decision, case, day)
        notes = self._notes(decision, env)
        return Result(decision_id, day, ruleset, version, outputs, notes, warnings)

    @staticmethod
    def _notes(decision: Decision, env: dict) -> list[str]:
        notes = []

        def applies(note) -> bool:
            return note.when is None or bool(_evaluate(note.when.evaluate, env, "a note",
                                                       decision.id))

        for step in decision.steps:
            note = step.note
            if note is not None and applies(note):
                notes.append(_evaluate(note.text.render, env, f"the note of step {step.name!r}",
                                       decision.id))
        for note in decision.notes:
            if applies(note):
                notes.append(_evaluate(note.text.render, env, "a note", decision.id))
        return notes

    def explain(self, decision_id: str, case: dict, on: _dt.date | str | None = None) -> dict:
        """The full trail of one evaluation, as plain JSON-ready data."""
        from .trail import build_trail

        day = parse_on(on)
        ruleset, version, decision = self.resolve(decision_id, day)
        self.check_facts(ruleset, decision, case)
        outputs, env = self.run(decision, case, day)
        notes = self._notes(decision, env)
        return build_trail(ruleset, version, decision, case, env, outputs, notes, day,
                           given_facts(case))
