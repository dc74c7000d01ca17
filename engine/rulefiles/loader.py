"""Finding, reading, validating and compiling rule files into a catalog of rule sets.

Plugins contribute rule folders; `--rules DIR` folders are read after them, and a rule set
found there replaces the installed rule set of the same id (all its versions). Each file
is read, validated and compiled once; deciding never touches a file again.

A `--rules` folder is a draft someone is working on: one broken file in it (whatever it
is, even one whose id cannot be read) stops every decision, so the installed rule set it
was meant to replace never answers in its place (`Catalog.draft_errors`).
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..base.errors import Problem, RuleFileError, UnknownName, UsageError
from ..base.i18n import _
from ..compiling.compiler import Context, FileCompiler
from ..compiling.model import RuleSet

RULE_SUFFIXES = (".yaml", ".yml")
CASE_SUFFIXES = (".cases.yaml", ".cases.yml")


def rule_files(folder: Path) -> list[Path]:
    """The rule files in a folder and below it (example-case files are not rule files)."""
    if folder.is_file():
        return [folder]
    found = [
        p for p in folder.rglob("*")
        if p.is_file() and p.name.endswith(RULE_SUFFIXES) and not p.name.endswith(CASE_SUFFIXES)
    ]
    return sorted(found)


def rules_folder(directory: str) -> Path:
    """A `--rules` folder, or one rule file, as given; a usage error naming it otherwise:
    an empty name, a path that does not exist, a device, a pipe or a file that is no rule
    file are never read as "no rules"."""
    if not directory or not str(directory).strip():
        raise UsageError("--rules '': give the folder of the rule files")
    folder = Path(directory)
    try:
        if folder.is_dir():
            return folder
        is_file, exists = folder.is_file(), folder.exists()
    except OSError as err:
        raise UsageError(f"--rules {directory}: {err.strerror or err}") from None
    if is_file and folder.name.endswith(RULE_SUFFIXES) and not folder.name.endswith(CASE_SUFFIXES):
        return folder
    if not exists:
        raise UsageError(_("--rules {path}: no such folder").format(path=directory))
    raise UsageError(_("--rules {path}: not a folder of rule files (nor a rule file .yaml)")
                     .format(path=directory))


@dataclass
class Catalog:
    """The rule sets in use, by id, and their decisions by decision id."""

    rulesets: dict[str, RuleSet] = field(default_factory=dict)
    decisions: dict[str, tuple[RuleSet, str]] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)
    broken: dict[str, list[Problem]] = field(default_factory=dict)  # rule-set id -> problems
    broken_files: dict[str, list[Problem]] = field(default_factory=dict)
    draft_errors: list[Problem] = field(default_factory=list)  # errors in --rules folders

    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "error"]

    def check_drafts(self) -> None:
        """Raise RuleFileError when a file in a `--rules` folder has an error: a broken draft
        is refused, never replaced by the installed rule set it was meant to change."""
        if self.draft_errors:
            raise RuleFileError(self.draft_errors)

    def decision(self, decision_id: str) -> tuple[RuleSet, str]:
        """The rule set and decision name of a decision id, or a clear error."""
        if not isinstance(decision_id, str):
            raise UsageError(_("a decision id is text such as 'go.jobtraining.duur', not {value!r}")
                             .format(value=decision_id)[:200])
        found = self.decisions.get(decision_id)
        if found is not None:
            return found
        ruleset_id = decision_id.rpartition(".")[0]
        for rid, problems in self.broken.items():
            if decision_id.startswith(rid + ".") or rid == ruleset_id:
                raise RuleFileError(problems)
        self.check_drafts()  # with a broken draft no decision is registered: say why
        if self.broken_files and not self.broken:
            raise RuleFileError([p for ps in self.broken_files.values() for p in ps])
        import difflib  # only an unknown decision pays for importing it

        close = difflib.get_close_matches(decision_id, list(self.decisions), n=3)
        hint = _("; did you mean {name}?").format(name=", ".join(close)) if close else ""
        raise UnknownName(_("unknown decision {id!r}{hint} (see 'regelwerk rules list')")
                         .format(id=decision_id, hint=hint))


def _display(path: Path) -> str:
    try:
        rel = os.path.relpath(path)
        return rel if not rel.startswith("..") else str(path)
    except ValueError:
        return str(path)


def compile_file(path: Path, ctx: Context, origin: str, display: str | None = None):
    """Read, validate and compile one rule file: (RuleSet or None, problems, id or None)."""
    name = display or _display(path)
    try:
        raw = path.read_bytes()
    except OSError as err:
        return None, [Problem(name, 1, 1, _("cannot read: {reason}").format(
            reason=err.strerror or err))], None
    return compile_bytes(raw, name, ctx, origin)


def compile_bytes(raw: bytes, name: str, ctx: Context, origin: str = ""):
    """Validate and compile the text of a rule file (shown as `name` in messages), such as
    a rule set kept in the decision log: (RuleSet or None, problems, id or None).

    Text read and validated before (the same bytes) skips YAML and the schema: see
    rulecache."""
    from ..base import cache as rulecache

    sha256 = hashlib.sha256(raw).hexdigest()
    located = rulecache.load(sha256, name)
    if located is None:
        from . import schema, yamlsource

        try:
            located = yamlsource.load_yaml_bytes(raw, name)
        except RuleFileError as err:
            return None, err.problems, None
        rid = located.data.get("id") if isinstance(located.data.get("id"), str) else None
        try:
            problems = schema.validate(located)
        except RecursionError:  # nesting is bounded when read; a last guard all the same
            problems = [Problem(name, 1, 1, "rule file nested too deeply to check")]
        if problems:
            return None, problems, rid
        rulecache.store(sha256, located)
    compiler = FileCompiler(located, ctx, sha256=sha256, origin=origin, text=raw)
    try:
        ruleset = compiler.compile()
    except RecursionError:  # whatever nests too deeply, it is this file's problem, not ours
        compiler.problems.append(Problem(name, 1, 1, "rule file nested too deeply to compile"))
        ruleset = None
    rid = located.data.get("id") if isinstance(located.data.get("id"), str) else None
    return ruleset, compiler.problems, rid


def build_catalog(plugin_folders: Iterable[tuple[str, Any]], extra_dirs: Iterable[str],
                  ctx: Context) -> Catalog:
    """Compile every rule file: plugin folders first, then `--rules` folders, which override."""
    catalog = Catalog()
    origins: dict[str, str] = {}
    overridden: set[str] = set()

    def add(path: Path, origin: str, overriding: bool) -> None:
        ruleset, problems, rid = compile_file(path, ctx, origin)
        catalog.problems.extend(problems)
        if overriding:
            catalog.draft_errors.extend(p for p in problems if p.severity == "error")
        if ruleset is None:
            key = rid or str(path)
            target = catalog.broken if rid else catalog.broken_files
            target.setdefault(key, []).extend(p for p in problems if p.severity == "error")
            return
        previous = catalog.rulesets.get(ruleset.id)
        # A --rules folder replaces an installed rule set; two definitions at one level clash.
        if previous is not None and (not overriding or ruleset.id in overridden):
            clash = Problem(ruleset.file, 1, 1,
                            _("rule set {id!r} is defined twice: here ({origin}) and in {file} "
                              "({other})").format(id=ruleset.id, origin=origin,
                                                  file=previous.file, other=origins[ruleset.id]))
            catalog.problems.append(clash)
            if overriding:
                catalog.draft_errors.append(clash)
            catalog.broken.setdefault(ruleset.id, []).append(clash)
            return
        if overriding:
            overridden.add(ruleset.id)
        catalog.rulesets[ruleset.id] = ruleset
        origins[ruleset.id] = origin
        if overriding:
            catalog.broken.pop(ruleset.id, None)

    for plugin, folder in plugin_folders:
        for path in rule_files(Path(str(folder))):
            add(path, f"plugin {plugin}", overriding=False)
    for directory in extra_dirs:
        for path in rule_files(rules_folder(directory)):
            add(path, f"--rules {directory}", overriding=True)

    for ruleset in catalog.rulesets.values():
        if ruleset.id in catalog.broken or catalog.draft_errors:
            continue
        for name in ruleset.decision_names():
            catalog.decisions[f"{ruleset.id}.{name}"] = (ruleset, name)
    return catalog
