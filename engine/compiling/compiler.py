"""Compiling a validated rule file into a RuleSet, with the cross-checks a schema cannot make.

Every name an expression reads is resolved here (a misspelt parameter is an error at its
line and column), every operation and table is looked up, amendments are applied, and
overlapping versions are refused. All problems of a file are collected and reported at once.

Each part of a rule file is compiled by a piece of its own, which reads alone:
`compile_versions` (versions, parameters, amendments), `compile_tables` (decision tables),
`compile_decisions` (inputs, outputs, notes), `compile_steps` (value, table and checks steps)
and `compile_ops` (operation steps); `core` holds what they share, `scope` the names an
expression can read. `FileCompiler` joins the parts and compiles the whole file.
"""

from __future__ import annotations

from .compile_decisions import DecisionCompiler
from .compile_ops import OperationCompiler
from .compile_steps import StepCompiler
from .compile_tables import TableCompiler
from .compile_versions import VersionCompiler
from .core import Abort, Context
from .model import RuleSet, Version
from .scope import PEIL, Scope, format_value

# What the rest of the engine imports from here: the compiler, its context, and how a value
# reads in a Dutch text.
__all__ = ["MAX_VERSIONS", "PEIL", "Context", "FileCompiler", "Scope", "format_value"]

MAX_VERSIONS = 500  # each version is compiled whole: bounds the work a crafted file can ask


class FileCompiler(VersionCompiler, TableCompiler, DecisionCompiler, StepCompiler,
                   OperationCompiler):
    """Compiles one rule file (already schema-valid) and records its problems."""

    def compile(self) -> RuleSet | None:
        data = self.data
        versions_raw = data["versions"]
        if len(versions_raw) > MAX_VERSIONS:
            self.problem(("versions", MAX_VERSIONS),
                         f"a rule set has at most {MAX_VERSIONS} versions, this one "
                         f"{len(versions_raw)}: move old versions to a rule file of their own")
            return None
        raw_by_name: dict[str, tuple[int, dict]] = {}
        for i, v in enumerate(versions_raw):
            name = str(v["version"])
            if name in raw_by_name:
                self.problem(("versions", i, "version"), f"version {name!r} is defined twice")
                continue
            raw_by_name[name] = (i, v)

        versions: list[Version] = []
        for name, (i, raw) in raw_by_name.items():
            try:
                versions.append(self.version(name, i, raw, raw_by_name))
            except Abort:
                continue
        if any(p.severity == "error" for p in self.problems):
            return None
        versions.sort(key=lambda v: v.in_force_from)
        self.check_overlaps(versions, raw_by_name)
        if any(p.severity == "error" for p in self.problems):
            return None
        return RuleSet(
            id=data["id"],
            title=data["title"],
            source=data["source"],
            organisation=data.get("organisation", ""),
            description=data.get("description", ""),
            file=self.file,
            sha256=self.sha256,
            versions=versions,
            origin=self.origin,
            strict_facts=bool(data.get("strict_facts", False)),
            text=self.text,
            personal_data=list(data.get("personal_data", [])),
        )
