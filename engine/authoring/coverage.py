"""Which parts of a rule set the worked examples exercise, and which none does.

As `opa test --coverage` does for policies: every decision-table row, step, step note and
decision note of the rule sets the examples are about is an item; a check counts twice,
once for each outcome (met and not met), because each has a text of its own that a
person reads. An item is covered when some example's evaluation reaches it. Items are
keyed by their place in the file, so a decision that a later version inherits is the
same item in both versions.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any, Self

from ..base.errors import RegelwerkError
from ..base.i18n import _
from ..compiling.model import Decision, RuleSet
from ..compiling.tables import Table
from .examples import Example, ExampleFile


@dataclass(frozen=True)
class Item:
    """One part of a rule file that an example can exercise."""

    kind: str  # row, step, check, note
    line: int
    name: str

    def as_dict(self) -> dict:
        return {"kind": self.kind, "line": self.line, "name": self.name}


@dataclass
class RulesetCoverage:
    ruleset: str
    file: str
    items: list[Item] = field(default_factory=list)
    covered: set[Item] = field(default_factory=set)

    @property
    def missed(self) -> list[Item]:
        return [i for i in self.items if i not in self.covered]

    @property
    def percent(self) -> float:
        return 100.0 if not self.items else round(100 * len(self.covered) / len(self.items), 1)

    def as_dict(self) -> dict:
        return {"ruleset": self.ruleset, "file": self.file, "total": len(self.items),
                "covered": len(self.covered), "percent": self.percent,
                "not_covered": [i.as_dict() for i in self.missed]}


# ------------------------------------------------------------------ what there is


class _Places:
    """Where a rule file writes each check and note of a decision (the compiled model keeps
    the lines of steps and rows only); the last version that writes a decision wins."""

    def __init__(self, ruleset: RuleSet) -> None:
        from ..rulefiles.yamlsource import load_yaml_bytes

        located = load_yaml_bytes(ruleset.text, ruleset.file)
        self.checks: dict[tuple[str, str], list[tuple[str, int]]] = {}
        self.notes: dict[tuple[str, int], int] = {}
        for v, version in enumerate(located.data["versions"]):
            for dname, draw in (version.get("decisions") or {}).items():
                path = ("versions", v, "decisions", dname)
                for i, sraw in enumerate(draw.get("steps") or []):
                    self.checks[(dname, sraw.get("name"))] = [
                        (c.get("name", f"check_{j + 1}"),
                         located.where(path + ("steps", i, "checks", j))[0])
                        for j, c in enumerate(sraw.get("checks") or [])]
                for i, _note in enumerate(draw.get("notes") or [], 1):
                    self.notes[(dname, i)] = located.where(path + ("notes", i - 1))[0]

    def check_line(self, decision: str, step: Any, check: str) -> int:
        found = dict(self.checks.get((decision, step.name), []))
        return found.get(check, step.line)


def _check_item(places: _Places, decision: Decision, step: Any, check: str,
                outcome: str) -> Item:
    return Item("check", places.check_line(decision.name, step, check),
                f"{decision.name}: check {check} of step {step.name} ({outcome})")


def _note_item(places: _Places, decision: Decision, i: int) -> Item:
    return Item("note", places.notes.get((decision.name, i), decision.line),
                f"{decision.name}: note {i}")


def _decision_items(places: _Places, decision: Decision) -> Iterator[Item]:
    for step in decision.steps:
        yield Item("step", step.line, f"{decision.name}: step {step.name}")
        if step.note is not None:
            yield Item("note", step.line, f"{decision.name}: note of step {step.name}")
        for check, _line in places.checks.get((decision.name, step.name), []):
            for outcome in ("voldaan", "niet voldaan"):
                yield _check_item(places, decision, step, check, outcome)
    for i, _note in enumerate(decision.notes, 1):
        yield _note_item(places, decision, i)


def _row_item(table: Table, index: int, line: int) -> Item:
    return Item("row", line, f"table {table.name}: row {index + 1}")


def items_of(ruleset: RuleSet, places: _Places) -> list[Item]:
    """Every item of a rule set, in file order, each once."""
    found: dict[Item, None] = {}
    for version in ruleset.versions:
        for table in version.tables.values():
            if table is not None:
                found.update((_row_item(table, r.index, r.line), None) for r in table.rows)
        for decision in version.decisions.values():
            found.update((item, None) for item in _decision_items(places, decision))
    return sorted(found, key=lambda i: (i.line, i.kind != "row", i.name))


# ------------------------------------------------------------------ what examples reach


def _reached(places: _Places, decision: Decision, env: dict) -> Iterator[Item]:
    for step in decision.steps:
        if step.name not in env:
            return  # the evaluation stopped before this step
        yield Item("step", step.line, f"{decision.name}: step {step.name}")
        note = step.note
        if note is not None and (note.when is None or _true(note.when.evaluate, env)):
            yield Item("note", step.line, f"{decision.name}: note of step {step.name}")
        if step.kind == "checks" and step.detail is not None:
            for row in step.detail(env, env[step.name]):
                if row["van_toepassing"]:
                    outcome = "voldaan" if row["voldaan"] else "niet voldaan"
                    yield _check_item(places, decision, step, row["check"], outcome)
    for i, note in enumerate(decision.notes, 1):
        if note.when is None or _true(note.when.evaluate, env):
            yield _note_item(places, decision, i)


def _true(evaluate: Any, env: dict) -> bool:
    try:
        return bool(evaluate(env))
    except Exception:  # noqa: BLE001 - a note that cannot be evaluated is not reached
        return False


class _RowRecorder:
    """Records the rows every table of the given rule sets matches, while installed."""

    def __init__(self, rulesets: list[RuleSet]) -> None:
        self.tables = [t for rs in rulesets for v in rs.versions for t in v.tables.values()
                       if t is not None]
        self.reached: set[Item] = set()

    def __enter__(self) -> Self:
        self.stops = [table.observe(
            lambda row, table=table: self.reached.add(_row_item(table, row.index, row.line)))
            for table in self.tables]
        return self

    def __exit__(self, *exc: object) -> None:
        for stop in reversed(self.stops):  # a table in two versions: undone in turn
            stop()


def measure(engine: Any, files: list[ExampleFile]) -> list[RulesetCoverage]:
    """The coverage of the rule sets the example files are about, by their examples."""
    catalog = engine.catalog
    wanted = [f.ruleset for f in files if f.ruleset in catalog.rulesets and not f.problems]
    rulesets = [catalog.rulesets[rid] for rid in dict.fromkeys(wanted)]
    places = {rs.id: _Places(rs) for rs in rulesets}
    reports = {rs.id: RulesetCoverage(rs.id, rs.file, items_of(rs, places[rs.id]))
               for rs in rulesets}
    with _RowRecorder(rulesets) as rows:
        for example_file in files:
            if example_file.ruleset not in reports or example_file.problems:
                continue
            for example in example_file.examples:
                for item in _evaluate(engine, example, places[example_file.ruleset]):
                    reports[example_file.ruleset].covered.add(item)
    for report in reports.values():
        report.covered = (report.covered | rows.reached) & set(report.items)
    return list(reports.values())


def _evaluate(engine: Any, example: Example, places: _Places) -> list[Item]:
    try:
        ruleset, version, decision = engine.resolve(example.decision, example.on)
    except RegelwerkError:
        return []
    env: dict = {}
    try:
        _, env = engine.evaluate(ruleset, version, decision, example.facts, example.on)
    except RegelwerkError:
        env = _partial(engine, decision, example)
    return list(_reached(places, decision, env))


def _partial(engine: Any, decision: Decision, example: Example) -> dict:
    """The steps an evaluation that fails got through (an example that expects an error)."""
    from ..compiling.compiler import PEIL
    from ..compiling.facts import read_facts

    try:
        env = read_facts(decision.inputs, example.facts, decision.id)
    except RegelwerkError:
        return {}
    env[PEIL] = example.on
    for name, run in decision.plan:
        try:
            env[name] = run(env)
        except Exception:  # noqa: BLE001 - where the example's expected error is raised
            break
    return env


# ------------------------------------------------------------------ text


def render(reports: list[RulesetCoverage]) -> list[str]:
    """The coverage as lines: per rule set how much, then each item no example reaches."""
    out = [_("coverage by the worked examples (table rows, steps, checks met and not met, "
             "notes):")]
    for report in reports:
        out.append(_("{ruleset} ({file}): {n} of {total} ({percent:g}%)").format(
            ruleset=report.ruleset, file=report.file, n=len(report.covered),
            total=len(report.items), percent=report.percent))
        for item in report.missed:
            out.append("  " + _("not covered: {file}:{line}: {item}").format(
                file=report.file, line=item.line, item=item.name))
    if not reports:
        out.append(_("no rule set has worked examples"))
    return out
