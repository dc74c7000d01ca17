"""The compiled form of a rule set: versions in force by date, each with its decisions.

Everything here is built once when rule files are loaded; deciding a case only calls the
functions compiled for it (see `compiler.py` and `expr.py`)."""

from __future__ import annotations

import datetime as _dt
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from ..base.errors import NoVersionInForce
from ..base.i18n import N_, _
from .expr import Compiled, Ref
from .facts import FactSpec
from .generated import notes_runner, steps_runner
from .tables import Table


@dataclass
class Param:
    """A parameter as in force in a version: value, Dutch label, citation, where it was set."""

    name: str
    value: Any
    label: str
    citation: str
    unit: str = ""
    version: str = ""  # the version that set this value
    line: int = 0
    type: str = ""  # integer, number, date, text, bool, list, mapping, yearly window
    minimum: Any = None
    maximum: Any = None
    own_citation: bool = True  # False: a changed value cited to its version, not its own text
    shown: str = ""  # the value as a person reads it, when not plain ("5 juli – 15 augustus")


@dataclass
class Template:
    """A Dutch text with `{name}` placeholders filled in from the decision's scope."""

    source: str
    render: Callable[[dict], str]  # the text with its placeholders filled in
    constant: bool = False  # it reads nothing of a case (only parameters, or no names)
    inline: tuple | None = None  # as `Compiled.inline`, for generated code


@dataclass
class Note:
    text: Template
    when: Compiled | None = None
    citation: str = ""


@dataclass
class Step:
    """One step of a decision: it binds `name` to a value computed from the scope."""

    name: str
    kind: str  # value, table, op, checks
    source: str  # the expression, the table name or the operation name
    run: Callable[[dict], Any]  # a Python error in it is named with the step by Engine.run
    refs: list[Ref]
    label: str = ""
    citation: str = ""
    line: int = 0
    note: Note | None = None
    detail: Callable[[dict, Any], Any] | None = None  # trail details, computed only to explain
    tables: list[str] = field(default_factory=list)  # the decision tables the step reads
    description: Template | None = None  # what the step does, in Dutch (`omschrijving`)
    operation: str = ""  # an `op` step: the operation's own Dutch label and description
    value: Compiled | None = None  # a `value` step: its expression (`run` is its evaluator)


@dataclass
class Output:
    name: str
    value: Compiled
    label: str = ""


@dataclass
class Decision:
    """A compiled decision of one version."""

    id: str
    name: str
    title: str
    description: str
    citation: str
    inputs: list[FactSpec]
    steps: list[Step]
    outputs: list[Output]
    notes: list[Note]
    params: list[Param]  # the parameters it reads, in order of first use
    line: int = 0
    plan: list[tuple[str, Callable[[dict], Any]]] = field(default_factory=list)
    output_plan: list[tuple[str, Callable[[dict], Any]]] = field(default_factory=list)
    # (when or None, text, what a message calls the text): the steps' notes, then its own
    note_plan: list[tuple[Callable[[dict], Any] | None, Callable[[dict], str], str]] = field(
        default_factory=list)
    # the steps and outputs as one generated function: run(env, outputs) fills both in order
    run: Callable[[dict, dict], None] = field(default=None, repr=False)
    # the notes as one generated function: the texts of those that apply in env
    notes_in: Callable[[dict], list[str]] = field(default=None, repr=False)

    def __post_init__(self) -> None:
        self.plan = [(s.name, s.run) for s in self.steps]
        self.output_plan = [(o.name, o.value.evaluate) for o in self.outputs]
        notes = [(s.note, f"the note of step {s.name!r}") for s in self.steps if s.note]
        notes += [(note, "a note") for note in self.notes]
        self.note_plan = [(note.when.evaluate if note.when else None, note.text.render, what)
                          for note, what in notes]
        self.run = steps_runner(self.steps, self.outputs)
        self.notes_in = notes_runner([(note.when, note.text) for note, _what in notes])

    def failing_note(self, env: dict) -> str:
        """What a message calls the note that fails in `env` (`notes_in` raised): its text
        when that fails, else "a note" (its condition failed). Worked out only after a
        failure, by evaluating the notes again one by one."""
        for when, text, text_is in self.note_plan:
            try:
                if when is not None and not when(env):
                    continue
            except Exception:  # noqa: BLE001 - the failure being named, raised before
                return N_("a note")
            try:
                text(env)
            except Exception:  # noqa: BLE001 - as above
                return text_is
        return N_("a note")


@dataclass
class Version:
    """A version of a rule set with everything in force in it (amendments applied)."""

    name: str
    in_force_from: _dt.date
    in_force_until: _dt.date | None  # as written
    amends: str | None
    citation: str
    description: str
    params: dict[str, Param]
    tables: dict[str, Table]
    decisions: dict[str, Decision]
    line: int = 0
    until: _dt.date | None = None  # effective: as written, or the day before the next version

    def in_force_on(self, day: _dt.date) -> bool:
        return self.in_force_from <= day and (self.until is None or day <= self.until)


@dataclass
class RuleSet:
    """A rule set from one file: id, source text and its dated versions."""

    id: str
    title: str
    source: str
    organisation: str
    description: str
    file: str
    sha256: str
    versions: list[Version]  # by in_force_from
    origin: str = ""  # the plugin or --rules folder it came from
    strict_facts: bool = False
    text: bytes = b""
    personal_data: list[str] = field(default_factory=list)  # facts logged only as a hash

    def version_on(self, day: _dt.date, decision: str | None = None) -> Version:
        for version in self.versions:
            if version.in_force_on(day):
                return version
        first = self.versions[0].in_force_from
        who = decision or self.id
        if day < first:
            raise NoVersionInForce(
                _("no version of {id} is in force on {day}: the first comes into force on "
                  "{first}").format(id=self.id, day=day.isoformat(), first=first.isoformat()),
                decision=who,
            )
        raise NoVersionInForce(
            _("no version of {id} is in force on {day}").format(id=self.id, day=day.isoformat()),
            decision=who,
        )

    def version_named(self, name: str) -> Version | None:
        return next((v for v in self.versions if v.name == name), None)

    def decision_names(self) -> list[str]:
        names: list[str] = []
        for version in self.versions:
            names.extend(n for n in version.decisions if n not in names)
        return names

    def summary(self, version: Version) -> dict:
        """The rule-set block of a result: which version decided, where it lives."""
        return {
            "id": self.id,
            "title": self.title,
            "version": version.name,
            "in_force_from": version.in_force_from.isoformat(),
            "in_force_until": version.until.isoformat() if version.until else None,
            "file": self.file,
            "sha256": self.sha256,
        }
