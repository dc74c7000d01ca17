"""Checking rule files and their example files before they are used, every problem at once.

The errors are those of loading (YAML, schema, names, tables, versions; see `compiler.py`)
and of the example files. On top come warnings, which do not stop a rule set from being
used: a parameter nothing reads, a gap between versions, and a last version that ends
soon or has ended, so that rules never expire by surprise.
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..base.errors import Problem, UsageError
from ..base.i18n import _, ngettext
from ..base.suggest import did_you_mean
from ..compiling.model import RuleSet
from ..rulefiles.loader import Catalog, rule_files
from .examples import (
    ExampleFile,
    check_against,
    example_files_in_use,
    example_paths,
    is_example_file,
    load_example_file,
    merge_dirs,
    rule_dirs_for,
)
from .ruletexts import text_warnings

DEFAULT_WARN_DAYS = 90


@dataclass
class Report:
    """What `validate` found: the files it read and their problems, in file order."""

    rule_files: list[str] = field(default_factory=list)
    example_files: list[str] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "error"]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.problems if p.severity != "error"]

    def summary(self) -> str:
        files = ngettext("{n} rule file", "{n} rule files", len(self.rule_files)).format(
            n=len(self.rule_files)) + ", " + ngettext(
            "{n} example file", "{n} example files", len(self.example_files)).format(
            n=len(self.example_files))
        if not self.problems:
            return _("{files}: no problems").format(files=files)
        errors, warnings = len(self.errors), len(self.warnings)
        return _("{files}: {errors}, {warnings}").format(
            files=files, errors=ngettext("{n} error", "{n} errors", errors).format(n=errors),
            warnings=ngettext("{n} warning", "{n} warnings", warnings).format(n=warnings))

    def as_dict(self) -> dict:
        return {
            "ok": not self.errors,
            "rule_files": self.rule_files,
            "example_files": self.example_files,
            "errors": len(self.errors),
            "warnings": len(self.warnings),
            "problems": [p.as_dict() for p in self.problems],
        }


@dataclass
class Selection:
    """Which files to check: explicit paths, or (None) every rule set in use."""

    rule_files: list[Path]
    example_files: list[Path]
    rules_dirs: list[str]  # what the engine must load for these files to be the ones in use


def select(paths: Iterable[str]) -> Selection:
    """The rule and example files at the given paths (folders are searched)."""
    rules: list[Path] = []
    examples: list[Path] = []
    dirs: list[Path] = []
    for text in paths:
        path = Path(text)
        if not path.exists():
            raise UsageError(_("{path}: no such file or folder").format(path=text))
        if path.is_dir():
            rules.extend(rule_files(path))
            examples.extend(example_paths(path))
            dirs.append(path)
        elif is_example_file(path):
            examples.append(path)
            dirs.extend(Path(d) for d in rule_dirs_for([path]))
        elif path.name.endswith((".yaml", ".yml")):
            rules.append(path)
            dirs.append(path)
        else:
            raise UsageError(_("{path}: not a rule file, an example file (.cases.yaml) or a "
                               "folder").format(path=text))
    return Selection(_unique(rules), _unique(examples), merge_dirs(dirs))


def _unique(paths: list[Path]) -> list[Path]:
    seen: dict[Path, Path] = {}
    for p in paths:
        seen.setdefault(p.resolve(), p)
    return list(seen.values())


def validate(catalog: Catalog, read_folders: Iterable[Any], selection: Selection | None = None,
             *, today: _dt.date | None = None, warn_days: int = DEFAULT_WARN_DAYS) -> Report:
    """Every problem of the selected files (default: all files the catalog read)."""
    today = today or _dt.date.today()
    if selection is None:
        files = [p for folder in read_folders for p in rule_files(Path(str(folder)))]
        wanted = None
        example_files = example_files_in_use(catalog)
    else:
        files = selection.rule_files
        wanted = {p.resolve() for p in files}
        example_files = [load_example_file(p) for p in selection.example_files]

    def chosen(file: str) -> bool:
        return wanted is None or Path(file).resolve() in wanted

    report = Report(rule_files=[str(p) for p in files],
                    example_files=[e.file for e in example_files])
    report.problems.extend(p for p in catalog.problems if chosen(p.file))
    for ruleset in catalog.rulesets.values():
        if chosen(ruleset.file):
            report.problems.extend(ruleset_warnings(ruleset, today, warn_days))
    report.problems.extend(example_problems(example_files, catalog))
    report.problems.sort(key=lambda p: (p.file, p.line, p.col))
    return report


def example_problems(example_files: list[ExampleFile], catalog: Catalog) -> list[Problem]:
    problems: list[Problem] = []
    for example_file in example_files:
        problems.extend(example_file.problems)
        problems.extend(check_against(example_file, catalog))
    return problems


def ruleset_warnings(ruleset: RuleSet, today: _dt.date, warn_days: int) -> list[Problem]:
    """Unused parameters, gaps between versions, and a last version that ends (soon)."""
    from ..rulefiles.yamlsource import load_yaml_bytes

    located = load_yaml_bytes(ruleset.text, ruleset.file)  # loaded before: only for places
    index = {str(v["version"]): i for i, v in enumerate(located.data["versions"])}
    problems: list[Problem] = []

    def warn(version: str, key: tuple, message: str) -> None:
        line, col = located.key_where(("versions", index[version], *key))
        problems.append(Problem(ruleset.file, line, col, message, "warning"))

    for version in ruleset.versions:
        for name, param in version.params.items():
            if param.version != version.name:
                continue  # inherited: judged where it is set
            heirs = [v for v in ruleset.versions
                     if name in v.params and v.params[name].version == version.name]
            if not any(name in _read_params(v) for v in heirs):
                read = set().union(*(_read_params(v) for v in heirs)) - {name}
                warn(version.name, ("parameters", name),
                     _("parameter {name!r} is not read by any decision, table or text")
                     .format(name=name) + did_you_mean(name, read, 0.8))
    problems.extend(text_warnings(ruleset, located))
    one_day = _dt.timedelta(days=1)
    for a, b in zip(ruleset.versions, ruleset.versions[1:]):
        if a.in_force_until is not None and a.in_force_until + one_day < b.in_force_from:
            warn(a.name, ("in_force_until",),
                 _("no version of {id} is in force from {first} to {last}").format(
                     id=ruleset.id, first=a.in_force_until + one_day,
                     last=b.in_force_from - one_day))
    last = ruleset.versions[-1]
    if last.in_force_until is not None:
        left = (last.in_force_until - today).days
        if left < 0:
            warn(last.name, ("in_force_until",),
                 _("version {name!r} ended on {day} and no later version follows: no version "
                   "of {id} is in force after it").format(
                     name=last.name, day=last.in_force_until, id=ruleset.id))
        elif left <= warn_days:
            warn(last.name, ("in_force_until",),
                 _("version {name!r} ends on {day}, in {n} days, and no later version follows")
                 .format(name=last.name, day=last.in_force_until, n=left))
    return problems


def _read_params(version: Any) -> set[str]:
    """The parameters a version's decisions and tables read (texts included)."""
    names = {p.name for d in version.decisions.values() for p in d.params}
    names.update(p.name for t in version.tables.values() for p in t.params)
    return names
