"""Worked examples next to the rules: `<name>.cases.yaml` files, checked, run and compared.

A file names its rule set and lists cases: the facts, the peildatum, and either the outputs
expected (`expect`, only the outputs worth checking) or a part of the error expected
(`expect_error`). The same files are run by `regelwerk rules test`, by the pytest plugin
and shown as examples by `regelwerk rules docs`, so an example is written once.

Examples are tested against the rule files in their own folder, which replace the installed
rule set of the same id: an edited copy of a folder is tested with the examples it holds.
"""

from __future__ import annotations

import datetime as _dt
import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..base.errors import Problem, RegelwerkError, RuleFileError
from ..base.i18n import _, language, language_set
from ..base.suggest import did_you_mean
from ..rulefiles.loader import CASE_SUFFIXES, Catalog, _display, rule_files

CASES_SCHEMA = "cases.schema.json"


@dataclass
class Example:
    """One worked example: a case, its peildatum, and what the decision must give."""

    name: str
    decision: str
    on: _dt.date
    facts: dict
    expect: dict | None
    expect_error: str | None
    description: str = ""
    file: str = ""
    line: int = 0
    index: int = 0


@dataclass
class ExampleFile:
    """A `.cases.yaml` file as read: its examples, or the problems that stop reading it."""

    path: Path
    file: str  # as messages name it
    ruleset: str | None
    examples: list[Example] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    located: Any = None


def is_example_file(path: Path) -> bool:
    return path.name.endswith(CASE_SUFFIXES)


def example_paths(folder: Path, recursive: bool = True) -> list[Path]:
    """The example files in a folder (and below it), or the file itself."""
    if folder.is_file():
        return [folder]
    found = folder.rglob("*") if recursive else folder.glob("*")
    return sorted(p for p in found if p.is_file() and is_example_file(p))


def load_example_file(path: Path) -> ExampleFile:
    """Read and check the form of an example file (safe YAML, schema); never raises."""
    from ..rulefiles import schema, yamlsource

    name = _display(path)
    try:
        located = yamlsource.load_yaml_file(path, name=name)
    except RuleFileError as err:
        return ExampleFile(path, name, None, problems=list(err.problems))
    data = located.data
    ruleset = data.get("ruleset") if isinstance(data.get("ruleset"), str) else None
    result = ExampleFile(path, name, ruleset, located=located)
    result.problems = schema.validate(located, CASES_SCHEMA)
    if result.problems:
        return result
    seen: dict[str, int] = {}
    for i, raw in enumerate(data["cases"]):
        where = ("cases", i)
        line = located.where(where)[0]
        if ("expect" in raw) == ("expect_error" in raw):
            result.problems.append(located.problem(
                where, _("example {name!r}: give either 'expect' or 'expect_error'").format(
                    name=raw["name"])))
            continue
        if raw["name"] in seen:
            result.problems.append(located.problem(
                where + ("name",), _("example {name!r} is defined twice (first at line {line})")
                .format(name=raw["name"], line=seen[raw["name"]])))
            continue
        seen[raw["name"]] = line
        result.examples.append(Example(
            name=raw["name"],
            decision=raw["decision"],
            on=_dt.date.fromisoformat(schema.jsonable(raw["on"])),
            facts=raw["facts"],
            expect=raw.get("expect"),
            expect_error=raw.get("expect_error"),
            description=" ".join(str(raw.get("description", "")).split()),
            file=name,
            line=line,
            index=i,
        ))
    return result


def check_against(example_file: ExampleFile, catalog: Catalog) -> list[Problem]:
    """Cross-checks with the rule sets in use: rule set, decisions and output names exist."""
    located = example_file.located
    rid = example_file.ruleset
    if located is None or rid is None or rid in catalog.broken:
        return []  # the file cannot be read, or the rule file is broken: reported already
    ruleset = catalog.rulesets.get(rid)
    if ruleset is None:
        return [located.problem(("ruleset",), _("unknown rule set {id!r}").format(id=rid)
                                + did_you_mean(rid, catalog.rulesets))]
    problems: list[Problem] = []
    for ex in example_file.examples:
        where = ("cases", ex.index)
        name = ex.decision.removeprefix(rid + ".")
        if name == ex.decision or name not in ruleset.decision_names():
            hint = did_you_mean(ex.decision, [f"{rid}.{n}" for n in ruleset.decision_names()])
            problems.append(located.problem(
                where + ("decision",), _("rule set {id!r} has no decision {name!r}").format(
                    id=rid, name=ex.decision) + hint))
            continue
        if ex.expect is None:
            continue
        version = next((v for v in ruleset.versions if v.in_force_on(ex.on)), None)
        decision = version.decisions.get(name) if version else None
        if decision is None:
            continue  # no version in force that day: running the example says so
        outputs = [o.name for o in decision.outputs]
        for key in ex.expect:
            if key not in outputs:
                problems.append(located.problem(
                    where + ("expect", key),
                    _("{decision} has no output {key!r}").format(decision=ex.decision, key=key)
                    + did_you_mean(key, outputs)
                    + _(" (outputs: {known})").format(known=", ".join(outputs))))
    return problems


# ------------------------------------------------------------------ which rules, which files


def rule_dirs_for(paths: Iterable[Path]) -> list[str]:
    """The rule folders examples at these paths are tested against: the folder of each."""
    dirs = []
    for path in paths:
        folder = path if path.is_dir() else path.parent
        if rule_files(folder):
            dirs.append(folder)
    return merge_dirs(dirs)


def merge_dirs(dirs: Iterable[str | Path]) -> list[str]:
    """Rule folders without repeats: a folder inside another given one is read with it."""
    resolved: list[tuple[Path, str]] = []
    for d in dirs:
        real = Path(d).resolve()
        if not any(real == r or r in real.parents for r, _ in resolved):
            resolved = [(r, s) for r, s in resolved if real not in r.parents]
            resolved.append((real, str(d)))
    return [s for _, s in resolved]


def example_files_in_use(catalog: Catalog) -> list[ExampleFile]:
    """The example files next to the rule sets in use, each about one of them (or broken)."""
    folders: dict[Path, set[str]] = {}
    for ruleset in catalog.rulesets.values():
        folders.setdefault(Path(ruleset.file).parent, set()).add(ruleset.id)
    for rid, problems in catalog.broken.items():
        if problems:
            folders.setdefault(Path(problems[0].file).parent, set()).add(rid)
    found = []
    for folder, ids in folders.items():
        for path in example_paths(folder, recursive=False):
            example_file = load_example_file(path)
            rid = example_file.ruleset
            # examples of a rule set whose copy in use lives elsewhere (a --rules draft) are
            # the draft's business; a file about no known rule set is reported
            if rid is None or rid in ids or (rid not in catalog.rulesets
                                             and rid not in catalog.broken):
                found.append(example_file)
    return found


def examples_of(ruleset: Any) -> list[Example]:
    """The readable examples next to a rule set's file that are about it."""
    found: list[Example] = []
    for path in example_paths(Path(ruleset.file).parent, recursive=False):
        example_file = load_example_file(path)
        if example_file.ruleset == ruleset.id:
            found.extend(example_file.examples)
    return found


# ------------------------------------------------------------------ running


@dataclass
class Mismatch:
    """One output (or part of one) that differs from what the example expects."""

    where: str  # einddatum, aanstellingen[0].telt
    expected: Any
    got: Any
    missing: bool = False

    def __str__(self) -> str:
        if self.missing:
            return _("{where}: expected {want}, got no such output").format(
                where=self.where, want=show(self.expected))
        return _("{where}: expected {want}, got {got}").format(
            where=self.where, want=show(self.expected), got=show(self.got))


@dataclass
class Outcome:
    """The result of running one example."""

    example: Example
    passed: bool
    mismatches: list[Mismatch] = field(default_factory=list)
    result: dict | None = None  # the decision's outputs (JSON form), when one was made
    error: str | None = None  # the one-line error, when no decision was made
    problem: str = ""  # why it failed, in one line
    trail: str = ""  # the explanation of the decision, for a failure

    def as_dict(self) -> dict:
        ex = self.example
        return {
            "file": ex.file, "line": ex.line, "name": ex.name, "decision": ex.decision,
            "on": ex.on.isoformat(), "passed": self.passed, "problem": self.problem,
            "mismatches": [{"output": m.where, "expected": _jsonable(m.expected),
                            "got": m.got, "missing": m.missing} for m in self.mismatches],
            "result": self.result, "error": self.error,
        }


def show(value: Any) -> str:
    """A value as JSON, so `null`, `"null"`, `1` and `true` read differently."""
    return json.dumps(_jsonable(value), ensure_ascii=False, allow_nan=False)


def _jsonable(value: Any) -> Any:
    from ..base.jsonvalues import to_json

    return to_json(value)


def compare(expected: Any, got: Any, where: str) -> list[Mismatch]:
    """Where `got` differs from `expected`; a mapping checks only the keys it names."""
    if isinstance(expected, dict) and isinstance(got, dict):
        found: list[Mismatch] = []
        for key, want in expected.items():
            path = f"{where}.{key}" if where else str(key)
            if key not in got:
                found.append(Mismatch(path, want, None, missing=True))
            else:
                found.extend(compare(want, got[key], path))
        return found
    if isinstance(expected, list) and isinstance(got, list) and len(expected) == len(got):
        found = []
        for i, (want, have) in enumerate(zip(expected, got)):
            found.extend(compare(want, have, f"{where}[{i}]"))
        return found
    return [] if _same(_jsonable(expected), got) else [Mismatch(where, expected, got)]


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, bool) or isinstance(b, bool):
        return a is b
    if isinstance(a, (int, float)) and isinstance(b, (int, float)):
        return a == b
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b))
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(_same(a[k], b[k]) for k in a)
    return type(a) is type(b) and a == b


def _says(engine: Any, ex: Example, message: str) -> bool:
    """Whether the error holds the text the example expects, in the language of the messages
    or in the other one: an example file holds for Dutch and English readers alike."""
    if ex.expect_error in message:
        return True
    other = "en" if language() == "nl" else "nl"
    with language_set(other):
        try:
            engine.decide(ex.decision, ex.facts, ex.on)
        except RegelwerkError as err:
            return ex.expect_error in str(err)
    return False


def run_example(engine: Any, ex: Example, *, trail: bool = True) -> Outcome:
    """Decide the example's case and compare; a failure carries the trail of the decision."""
    try:
        result = engine.decide(ex.decision, ex.facts, ex.on)
    except RuleFileError as err:
        return Outcome(ex, False, error=str(err),
                       problem=_("the rule file is broken: {problems}").format(
                           problems="; ".join(err.lines())))
    except RegelwerkError as err:
        message = str(err)
        if ex.expect_error is not None and _says(engine, ex, message):
            return Outcome(ex, True, error=message)
        if ex.expect_error is not None:
            problem = _("expected an error containing {want}, got {got}").format(
                want=show(ex.expect_error), got=show(message))
        else:
            problem = _("expected a decision, got the error: {message}").format(message=message)
        return Outcome(ex, False, error=message, problem=problem)
    got = result.as_dict()["result"]
    if ex.expect_error is not None:
        outcome = Outcome(ex, False, result=got, problem=(
            _("expected an error containing {want}, got a decision: ").format(
                want=show(ex.expect_error))
            + ", ".join(f"{k} = {show(v)}" for k, v in got.items())))
    else:
        mismatches = []
        for key, want in ex.expect.items():
            if key not in got:
                mismatches.append(Mismatch(key, want, None, missing=True))
            else:
                mismatches.extend(compare(want, got[key], key))
        outcome = Outcome(ex, not mismatches, mismatches, got)
        if mismatches:
            outcome.problem = _("{n} output(s) differ from the example").format(n=len(mismatches))
    if not outcome.passed and trail:
        from ..deciding.trail import render_text

        outcome.trail = render_text(engine.explain(ex.decision, ex.facts, ex.on))
    return outcome


@dataclass
class Run:
    """Example files run together: what stopped a file, and each example's outcome."""

    files: list[ExampleFile]
    problems: list[Problem] = field(default_factory=list)
    outcomes: list[Outcome] = field(default_factory=list)
    not_run: set[str] = field(default_factory=set)  # files with problems, as named

    @property
    def failed(self) -> list[Outcome]:
        return [o for o in self.outcomes if not o.passed]

    @property
    def ok(self) -> bool:
        return not self.failed and not self.problems

    def file_summary(self, example_file: ExampleFile) -> str:
        if example_file.file in self.not_run:
            return _("cannot be run")
        mine = [o for o in self.outcomes if o.example.file == example_file.file]
        bad = sum(not o.passed for o in mine)
        return (_("{n} passed").format(n=len(mine) - bad)
                + (_(", {n} failed").format(n=bad) if bad else ""))

    def as_dict(self) -> dict:
        return {"ok": self.ok, "passed": len(self.outcomes) - len(self.failed),
                "failed": len(self.failed), "files": [f.file for f in self.files],
                "problems": [p.as_dict() for p in self.problems],
                "examples": [o.as_dict() for o in self.outcomes]}


def run_files(engine: Any, files: list[ExampleFile], *, trail: bool = True) -> Run:
    """Check each file against the rule sets in use, then run the examples of sound ones."""
    run = Run(files)
    for example_file in files:
        problems = example_file.problems + check_against(example_file, engine.catalog)
        if problems:
            run.problems.extend(problems)
            run.not_run.add(example_file.file)
            continue
        run.outcomes.extend(run_example(engine, ex, trail=trail) for ex in example_file.examples)
    return run


def render_failure(outcome: Outcome) -> str:
    """A failed example as a person reads it: where, what, expected versus got, the trail."""
    ex = outcome.example
    lines = [f"{ex.file}:{ex.line}: {ex.name} ({ex.decision}, peildatum {ex.on.isoformat()})"]
    if ex.description:
        lines.append(f"  {ex.description}")
    if outcome.mismatches:
        lines.extend(f"  {m}" for m in outcome.mismatches)
    else:
        lines.append(f"  {outcome.problem}")
    if outcome.trail:
        lines.append("  " + _("trail:"))
        lines.extend(f"    {line}" for line in outcome.trail.splitlines())
    return "\n".join(lines)
