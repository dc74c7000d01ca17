"""Compiling a validated rule file into a RuleSet, with the cross-checks a schema cannot make.

Every name an expression reads is resolved here (a misspelt parameter is an error at its
line and column), every operation and table is looked up, amendments are applied, and
overlapping versions are refused. All problems of a file are collected and reported at once.
"""

from __future__ import annotations

import datetime as _dt
import difflib
import keyword
import operator
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from ..base.errors import CaseError, PluginError, Problem, RegelwerkError
from ..ops import Operation, OperationRegistry
from .expr import (
    Compiled,
    ExprError,
    Ref,
    compile_call,
    compile_expr,
    compile_mapping,
    compile_text,
)
from .facts import FactSpec, parse_date
from .model import Decision, Note, Output, Param, RuleSet, Step, Template, Version
from .tables import COMPARISONS, Cell, Row, Table, overlapping_pairs

PEILDATUM = "peildatum"
MAX_VERSIONS = 500  # each version is compiled whole: bounds the work a crafted file can ask
ITEM = "@item"
PEIL = "@peildatum"

_PLACEHOLDER = re.compile(r"\{([A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*)\}")


class _Abort(Exception):
    """Stop compiling the current element; its problem is already recorded."""


@dataclass
class Context:
    """What compiling needs besides the file: the registries the plugins filled."""

    operations: OperationRegistry
    calendars: Any = None


def format_value(value: Any) -> str:
    """A value as it reads in a Dutch text."""
    if value is None:
        return "—"
    if value is True:
        return "ja"
    if value is False:
        return "nee"
    if isinstance(value, _dt.date):
        return value.isoformat()
    if isinstance(value, (list, tuple)):
        return ", ".join(format_value(v) for v in value)
    return str(value)


def _read_path(value: Any, path: list[str], name: str) -> Any:
    for key in path:
        if value is None:
            return None
        if not isinstance(value, dict):
            raise CaseError(f"cannot read {key!r} of {format_value(value)!r} in {name!r}")
        value = value.get(key)
    return value


def _path_reader(head: Callable[[dict], Any], path: list[str], name: str) -> Callable:
    """A reader of `name`, a path into the value `head` reads: one key into a mapping, the
    usual case, is read at once; anything else as `_read_path` says."""
    if len(path) == 1:
        key = path[0]

        def read(env: dict) -> Any:
            value = head(env)
            if type(value) is dict:
                return value.get(key)
            return _read_path(value, path, name)

        return read
    return lambda env: _read_path(head(env), path, name)


# ------------------------------------------------------------------ scope


def _entry(kind: str, name: str, key: str) -> Ref:
    """A name that is an entry of the environment: a fact, a step or the peildatum."""
    return Ref(kind, name, operator.itemgetter(key), code=f"env[{key!r}]")


@dataclass
class _StepInfo:
    item_fields: list[str] | None = None


@dataclass
class Scope:
    """The names an expression of a decision can read, and what each one is."""

    facts: dict[str, FactSpec]
    params: dict[str, Param]
    steps: dict[str, _StepInfo] = field(default_factory=dict)
    item_fields: list[str] | None = None
    in_item: bool = False
    used_params: dict[str, Param] = field(default_factory=dict)

    def for_items(self, fields: list[str] | None) -> Scope:
        return Scope(self.facts, self.params, self.steps, fields, True, self.used_params)

    def resolve(self, name: str) -> Ref | None:
        if self.in_item and (name in (self.item_fields or ()) or
                             (self.item_fields is None and "." not in name and
                              not self._known(name))):
            return Ref("item", name, lambda env, n=name: env[ITEM].get(n),
                       code=f"env[{ITEM!r}].get({name!r})")
        if name == PEILDATUM:
            return _entry("builtin", name, PEIL)
        if name in self.steps:
            return _entry("step", name, name)
        if name in self.facts:
            return _entry("fact", name, name)
        if name in self.params:
            param = self.params[name]
            self.used_params.setdefault(name, param)
            return Ref("param", name, lambda env, v=param.value: v, True, param.value)
        head, _, rest = name.partition(".")
        if rest:
            path = rest.split(".")
            if self.in_item and head in (self.item_fields or ()):
                return Ref("item", name,
                           _path_reader(lambda env, h=head: env[ITEM].get(h), path, name))
            if head in self.steps:
                return Ref("step", name, _path_reader(operator.itemgetter(head), path, name))
            if head in self.params:
                param = self.params[head]
                self.used_params.setdefault(head, param)
                value = _read_path(param.value, path, name)
                return Ref("param", name, lambda env, v=value: v, True, value)
        return None

    def names(self) -> list[str]:
        """Every name an expression in this scope can read (for "did you mean")."""
        return [PEILDATUM, *self.steps, *self.facts, *self.params, *(self.item_fields or ())]

    def _known(self, name: str) -> bool:
        return name == PEILDATUM or name in self.steps or name in self.facts or name in self.params

    def fields_of(self, source: str) -> list[str] | None:
        """The item fields of a list named by a bare name, when known."""
        if source in self.facts:
            return self.facts[source].fields
        if source in self.steps:
            return self.steps[source].item_fields
        if self.in_item and source in (self.item_fields or ()):
            return None
        if source in self.params:
            value = self.params[source].value
            if isinstance(value, list) and value and isinstance(value[0], dict):
                return list(value[0])
        return None


# ------------------------------------------------------------------ compiler


class FileCompiler:
    """Compiles one rule file (already schema-valid) and records its problems."""

    def __init__(self, located: Any, ctx: Context, *, sha256: str = "", origin: str = "",
                 text: bytes = b""):
        self.doc = located
        self.data = located.data
        self.file = located.file
        self.ctx = ctx
        self.sha256 = sha256
        self.origin = origin
        self.text = text
        self.problems: list[Problem] = []
        self._effective: dict[str, tuple] = {}  # version name -> (params, tables, decisions)
        self._effective_failed: set[str] = set()  # versions whose amendments are broken

    # -- problem helpers
    def problem(self, path: tuple, message: str, *, col_offset: int = 0, key: bool = False,
                severity: str = "error") -> None:
        line, col = self.doc.key_where(path) if key else self.doc.where(path)
        if col_offset:
            col += col_offset + self._quote_offset(path)
        self.problems.append(Problem(self.file, line, col, message, severity))

    def _quote_offset(self, path: tuple) -> int:
        """Columns to skip for the opening quote of a quoted scalar, so columns point inside."""
        node = self.data
        try:
            for key in path:
                node = node[key]
        except (KeyError, IndexError, TypeError):
            return 0
        if not isinstance(node, str):
            return 0
        line, col = self.doc.where(path)
        lines = self.text.decode("utf-8", "replace").splitlines() if self.text else []
        if 0 < line <= len(lines):
            ch = lines[line - 1][col - 1:col]
            if ch in ("'", '"'):
                return 1
        return 0

    def expr(self, text: str, scope: Scope, path: tuple) -> Compiled:
        unknown: list[str] = []

        def resolve(name: str) -> Ref | None:
            ref = scope.resolve(name)
            if ref is None:
                unknown.append(name)
            return ref

        try:
            return compile_expr(text, resolve)
        except ExprError as err:
            close = difflib.get_close_matches(unknown[-1], scope.names(), n=1) if unknown else []
            hint = f"; did you mean {close[0]!r}?" if close else ""
            shown = text if len(text) <= 80 else text[:77] + "..."
            self.problem(path, f"{err.message} in {shown!r}{hint}", col_offset=err.col)
            raise _Abort from None

    def template(self, text: str, resolve: Callable[[str], Ref | None], path: tuple) -> Template:
        pieces: list[str | Ref] = []
        pos = 0
        for m in _PLACEHOLDER.finditer(text):
            pieces.append(text[pos:m.start()])
            ref = resolve(m.group(1))
            if ref is None:
                self.problem(path, f"unknown name {m.group(1)!r} in text", col_offset=m.start(1))
                raise _Abort
            pieces.append(ref)
            pos = m.end()
        pieces.append(text[pos:])
        return Template(text, compile_text([p for p in pieces if p != ""], format_value))

    # -- the file
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
            except _Abort:
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

    def date(self, value: Any, path: tuple) -> _dt.date:
        try:
            return parse_date(value)
        except (ValueError, TypeError):
            self.problem(path, f"{value!r} is not a valid date YYYY-MM-DD")
            raise _Abort from None

    def check_overlaps(self, versions: list[Version], raw_by_name: dict) -> None:
        for a, b in zip(versions, versions[1:]):
            if a.in_force_until is not None and a.in_force_until < a.in_force_from:
                idx = raw_by_name[a.name][0]
                self.problem(("versions", idx, "in_force_until"),
                             f"version {a.name!r} ends before it starts")
            if a.in_force_from == b.in_force_from or (
                a.in_force_until is not None and a.in_force_until >= b.in_force_from
            ):
                idx = raw_by_name[b.name][0]
                self.problem(
                    ("versions", idx, "in_force_from"),
                    f"versions {a.name!r} and {b.name!r} are both in force on "
                    f"{b.in_force_from.isoformat()}",
                )
            a.until = a.in_force_until or (b.in_force_from - _dt.timedelta(days=1))
        if versions:
            versions[-1].until = versions[-1].in_force_until

    # -- versions and amendments
    def version(self, name: str, index: int, raw: dict, raw_by_name: dict,
                seen: tuple = ()) -> Version:
        path = ("versions", index)
        start = self.date(raw["in_force_from"], path + ("in_force_from",))
        until = None
        if "in_force_until" in raw:
            until = self.date(raw["in_force_until"], path + ("in_force_until",))
        params, tables_raw, decisions_raw = self.effective(name, index, raw, raw_by_name, seen)
        for pname, param in params.items():
            if param.version != name:
                continue  # inherited: reported where it is set
            if not param.citation:
                self.problem(path + ("parameters", pname), f"parameter {pname!r} has no citation")
            if not param.label:
                self.problem(path + ("parameters", pname), f"parameter {pname!r} has no label")
        tables: dict[str, Table] = {}
        failed = False
        for tname, (tpath, traw) in tables_raw.items():
            try:
                tables[tname] = self.table(tname, traw, tpath, params)
            except _Abort:
                tables[tname] = None  # its problems are reported; steps using it say no more
                failed = True
        decisions: dict[str, Decision] = {}
        rid = self.data["id"]
        for dname, (dpath, draw) in decisions_raw.items():
            try:
                decisions[dname] = self.decision(f"{rid}.{dname}", dname, draw, dpath, params, tables)
            except _Abort:
                failed = True
        if failed:
            raise _Abort
        line, _ = self.doc.where(path)
        return Version(
            name=name,
            in_force_from=start,
            in_force_until=until,
            amends=str(raw["amends"]) if "amends" in raw else None,
            citation=raw.get("citation", ""),
            description=raw.get("description", ""),
            params=params,
            tables=tables,
            decisions=decisions,
            line=line,
        )

    def effective(self, name: str, index: int, raw: dict, raw_by_name: dict, seen: tuple = ()):
        """Parameters, tables and decisions in force in a version, following `amends`.

        The chain of amendments is walked without recursion and each version's result is
        kept, so a long chain costs its length once, in whatever order the file lists it."""
        known, failed = self._effective, self._effective_failed
        chain = [(name, index, raw)]
        on_chain = {name}
        while True:
            vname, vindex, vraw = chain[-1]
            if vname in failed:
                raise _Abort
            if vname in known or "amends" not in vraw:
                break
            base_name = str(vraw["amends"])
            path = ("versions", vindex)
            if base_name not in raw_by_name:
                self.problem(path + ("amends",),
                             f"version {vname!r} amends {base_name!r}, which does not exist; "
                             f"versions: {', '.join(raw_by_name)}")
                failed.update(on_chain)
                raise _Abort
            if base_name in on_chain:
                self.problem(path + ("amends",),
                             f"versions amend each other in a circle: {vname!r}")
                failed.update(on_chain)
                raise _Abort
            on_chain.add(base_name)
            chain.append((base_name, *raw_by_name[base_name]))
        result = None
        for vname, vindex, vraw in reversed(chain):
            if vname not in known:
                known[vname] = self._amended(vname, vindex, vraw, result)
            result = known[vname]
        return result

    def _amended(self, name: str, index: int, raw: dict, base: tuple | None):
        """What a version is in force with: its base's parameters, tables and decisions
        (if it amends one), with its own on top."""
        path = ("versions", index)
        if base is not None:
            params, tables, decisions = (dict(part) for part in base)
        else:
            params, tables, decisions = {}, {}, {}
        for pname, praw in (raw.get("parameters") or {}).items():
            inherited = params.get(pname)
            line, _ = self.doc.where(path + ("parameters", pname))
            params[pname] = Param(
                name=pname,
                value=praw["value"],
                label=praw.get("label") or (inherited.label if inherited else ""),
                citation=praw.get("citation") or (inherited.citation if inherited else ""),
                unit=praw.get("unit") or (inherited.unit if inherited else ""),
                version=name,
                line=line,
            )
        for tname, traw in (raw.get("tables") or {}).items():
            tables[tname] = (path + ("tables", tname), traw)
        for dname, draw in (raw.get("decisions") or {}).items():
            decisions[dname] = (path + ("decisions", dname), draw)
        return params, tables, decisions

    # -- tables
    def table(self, name: str, raw: dict, path: tuple, params: dict[str, Param]) -> Table:
        scope = Scope({}, params)
        inputs, outputs = list(raw["inputs"]), list(raw["outputs"])
        rows: list[Row] = []
        ok = True
        for i, rraw in enumerate(raw["rows"]):
            rpath = path + ("rows", i)
            cells: dict[str, Cell] = {}
            for cname, craw in (rraw.get("when") or {}).items():
                if cname not in inputs:
                    self.problem(rpath + ("when", cname),
                                 f"table {name!r} has no input {cname!r}; inputs: {', '.join(inputs)}",
                                 key=True)
                    ok = False
                    continue
                try:
                    cells[cname] = self.cell(craw, scope, rpath + ("when", cname))
                except _Abort:
                    ok = False
            then = dict(rraw["then"])
            templates = {}
            for oname, ovalue in then.items():
                if isinstance(ovalue, str) and "{" in ovalue:
                    try:
                        templates[oname] = self.template(
                            ovalue, self._table_resolver(inputs, scope), rpath + ("then", oname)
                        ).render
                    except _Abort:
                        ok = False
            for oname in then:
                if oname not in outputs:
                    self.problem(rpath + ("then", oname),
                                 f"table {name!r} has no output {oname!r}; outputs: {', '.join(outputs)}",
                                 key=True)
                    ok = False
            for oname in outputs:
                if oname not in then:
                    self.problem(rpath + ("then",), f"row {i + 1} of table {name!r} gives no {oname!r}")
                    ok = False
            line, _ = self.doc.where(rpath)
            rows.append(Row(i, cells, then, rraw.get("citation", ""), line, templates))
        if raw["hit_policy"] == "unique":
            pairs, more = overlapping_pairs(rows, inputs)
            for a, b in pairs:
                self.problem(path + ("rows", b),
                             f"rows {a + 1} and {b + 1} of unique table {name!r} overlap")
                ok = False
            if more:
                self.problem(path + ("rows",), f"more rows of unique table {name!r} overlap; "
                             f"only the first {len(pairs)} pairs are listed")
        no_match = None
        if "no_match" in raw:
            resolve = self._table_resolver(inputs + ["bekende_waarden"], scope)
            try:
                no_match = self.template(raw["no_match"], resolve, path + ("no_match",))
            except _Abort:
                ok = False
        if not ok:
            raise _Abort
        return Table(
            name=name,
            label=raw.get("label", name),
            citation=raw.get("citation", ""),
            hit_policy=raw["hit_policy"],
            inputs=inputs,
            outputs=outputs,
            rows=rows,
            ignore_case=bool(raw.get("ignore_case", False)),
            no_match=no_match.render if no_match else None,
            params=list(scope.used_params.values()),
        )

    @staticmethod
    def _table_resolver(names: list[str], scope: Scope) -> Callable[[str], Ref | None]:
        """Names in a table's texts: its inputs (filled per call) and parameters."""

        def resolve(n: str) -> Ref | None:
            if n in names:
                return Ref("table", n, lambda values, k=n: values.get(k), code=f"env.get({n!r})")
            return scope.resolve(n)

        return resolve

    def cell(self, raw: Any, scope: Scope, path: tuple) -> Cell:
        if isinstance(raw, dict):
            (op, operand), = raw.items()
            if op not in COMPARISONS:
                self.problem(path, f"unknown comparison {op!r}")
                raise _Abort
            if isinstance(operand, str):
                compiled = self.expr(operand, scope, path + (op,))
                return Cell("compare", op=op, operand=compiled.evaluate, source=f"{op} {operand}")
            return Cell("compare", op=op, operand=lambda env, v=operand: v, source=f"{op} {operand!r}")
        if isinstance(raw, list):
            return Cell("one_of", value=list(raw), source=format_value(raw))
        return Cell("equal", value=raw, source=format_value(raw))

    # -- decisions
    def decision(self, did: str, name: str, raw: dict, path: tuple, params: dict[str, Param],
                 tables: dict[str, Table]) -> Decision:
        facts: dict[str, FactSpec] = {}
        for fname, fraw in raw["inputs"].items():
            facts[fname] = self.fact(fname, fraw, path + ("inputs", fname))
        scope = Scope(facts, params)
        steps: list[Step] = []
        failed = False
        for i, sraw in enumerate(raw.get("steps") or []):
            spath = path + ("steps", i)
            sname = sraw["name"]
            clash = self._clash(sname, scope)
            if clash:
                self.problem(spath + ("name",), f"step {sname!r} has the same name as {clash}")
                failed = True
                continue
            try:
                step, info = self.step(sraw, spath, scope, tables)
            except _Abort:
                failed = True
                scope.steps[sname] = _StepInfo()  # keep later steps from cascading errors
                continue
            steps.append(step)
            scope.steps[sname] = info
            if "note" in sraw:  # a step's note may speak of the step's own result
                try:
                    step.note = self.note(sraw["note"], spath + ("note",), scope)
                except _Abort:
                    failed = True
        outputs: list[Output] = []
        for oname, oraw in raw["outputs"].items():
            opath = path + ("outputs", oname)
            text = oraw if isinstance(oraw, str) else oraw["value"]
            if not isinstance(oraw, str):
                opath = opath + ("value",)
            try:
                value = self.expr(text, scope, opath)
            except _Abort:
                failed = True
                continue
            label = "" if isinstance(oraw, str) else oraw.get("label", "")
            outputs.append(Output(oname, value, label))
        notes: list[Note] = []
        for i, nraw in enumerate(raw.get("notes") or []):
            try:
                notes.append(self.note(nraw, path + ("notes", i), scope))
            except _Abort:
                failed = True
        if failed:
            raise _Abort
        line, _ = self.doc.key_where(path)
        return Decision(
            id=did,
            name=name,
            title=raw["title"],
            description=raw.get("description", ""),
            citation=raw.get("citation", ""),
            inputs=list(facts.values()),
            steps=steps,
            outputs=outputs,
            notes=notes,
            params=list(scope.used_params.values()),
            line=line,
        )

    def _clash(self, name: str, scope: Scope) -> str | None:
        if name in scope.steps:
            return "an earlier step"
        if name in scope.facts:
            return "an input"
        if name in scope.params:
            return "a parameter"
        if name == PEILDATUM:
            return "the peildatum"
        return None

    def fact(self, name: str, raw: dict, path: tuple) -> FactSpec:
        items = raw.get("items")
        if isinstance(items, dict):
            items = {k: self.fact(k, v, path + ("items", k)) for k, v in items.items()}
        elif isinstance(items, str):
            items = FactSpec(name + "[]", items)
        if items is not None and raw["type"] != "list":
            self.problem(path + ("items",), f"{name!r} has items but is not a list")
            raise _Abort
        default = raw.get("default")
        if default is not None and raw["type"] == "date":
            default = self.date(default, path + ("default",))
        return FactSpec(
            name=name,
            type=raw["type"],
            required=raw.get("required", True),
            label=raw.get("label", ""),
            one_of=raw.get("one_of"),
            default=default,
            items=items,
        )

    def note(self, raw: dict, path: tuple, scope: Scope) -> Note:
        when = self.expr(raw["when"], scope, path + ("when",)) if "when" in raw else None
        text = self.template(raw["text"], scope.resolve, path + ("text",))
        return Note(text, when, raw.get("citation", ""))

    def step(self, raw: dict, path: tuple, scope: Scope, tables: dict[str, Table]):
        name = raw["name"]
        line, _ = self.doc.where(path)
        common = dict(label=raw.get("label", ""), citation=raw.get("citation", ""), line=line)
        if "value" in raw:
            compiled = self.expr(raw["value"], scope, path + ("value",))
            fields = scope.fields_of(raw["value"].strip())
            return Step(name, "value", raw["value"], compiled.evaluate,
                        compiled.refs, **common), _StepInfo(fields)
        if "table" in raw:
            table = self._table(raw["table"], tables, path + ("table",), scope)
            bind, refs = self.bindings(table, raw["with"], scope, path + ("with",))
            call = table_caller(table)

            def run(env, bind=bind, call=call):
                return call(bind(env), env)

            detail = table_detail(table, bind)
            info = _StepInfo(None)
            return Step(name, "table", table.name, run, refs, detail=detail,
                        tables=[table.name], **common), info
        if "checks" in raw:
            return self.checks(name, raw["checks"], path + ("checks",), scope, common)
        return self.operation(name, raw, path, scope, tables, common)

    def _table(self, tname: str, tables: dict[str, Table], path: tuple,
               scope: Scope) -> Table:
        table = tables.get(tname)
        if table is None and tname in tables:
            raise _Abort  # the table itself is wrong, and reported
        if table is None:
            known = ", ".join(tables) or "none"
            self.problem(path, f"unknown table {tname!r}; tables: {known}")
            raise _Abort
        for param in table.params:  # the decision reads what its tables read
            scope.used_params.setdefault(param.name, param)
        return table

    def bindings(self, table: Table, raw: dict, scope: Scope, path: tuple):
        missing = [n for n in table.inputs if n not in raw]
        if missing:
            self.problem(path, f"table {table.name!r} needs {', '.join(missing)} in 'with'")
            raise _Abort
        compiled: list[tuple[str, Callable]] = []
        refs: list[Ref] = []
        for key, text in raw.items():
            if key not in table.inputs:
                self.problem(path + (key,), f"table {table.name!r} has no input {key!r}", key=True)
                raise _Abort
            c = self.expr(text, scope, path + (key,))
            compiled.append((key, c.evaluate))
            refs.extend(c.refs)

        return compile_mapping(compiled), refs

    def checks(self, name: str, raw: list, path: tuple, scope: Scope, common: dict):
        compiled = []
        refs: list[Ref] = []
        for i, craw in enumerate(raw):
            cpath = path + (i,)
            test = self.expr(craw["test"], scope, cpath + ("test",))
            when = self.expr(craw["when"], scope, cpath + ("when",)) if "when" in craw else None
            passed = (self.template(craw["pass"], scope.resolve, cpath + ("pass",))
                      if "pass" in craw else None)
            failed = self.template(craw["fail"], scope.resolve, cpath + ("fail",))
            refs.extend(test.refs)
            if when is not None:
                refs.extend(when.refs)
            compiled.append((craw.get("name", f"check_{i + 1}"), when, test, passed, failed,
                             craw.get("citation", "")))

        def run(env, checks=tuple(compiled)):
            met: list[str] = []
            unmet: list[str] = []
            for _n, when, test, passed, failed, _c in checks:
                if when is not None and not when.evaluate(env):
                    continue
                if test.evaluate(env):
                    if passed is not None:
                        met.append(passed.render(env))
                else:
                    unmet.append(failed.render(env))
            ok = not unmet
            return {"voldaan": ok, "redenen": met if ok else unmet, "voldaan_aan": met,
                    "niet_voldaan": unmet}

        def detail(env, value, checks=tuple(compiled)):
            rows = []
            for cname, when, test, _p, _f, citation in checks:
                applies = when is None or bool(when.evaluate(env))
                rows.append({
                    "check": cname,
                    "test": test.source,
                    "van_toepassing": applies,
                    "voldaan": bool(test.evaluate(env)) if applies else None,
                    "citation": citation,
                })
            return rows

        return (Step(name, "checks", f"{len(compiled)} voorwaarden", run, refs,
                     detail=detail, **common),
                _StepInfo(None))

    def operation(self, name: str, raw: dict, path: tuple, scope: Scope,
                  tables: dict[str, Table], common: dict):
        op: Operation | None = self.ctx.operations.get(raw["op"])
        if op is None:
            known = ", ".join(self.ctx.operations.names())
            self.problem(path + ("op",), f"unknown operation {raw['op']!r}; known: {known}")
            raise _Abort
        args_raw = raw.get("args") or {}
        apath = path + ("args",)
        for key in args_raw:
            if key not in op.args:
                self.problem(apath + (key,), f"operation {op.name!r} has no argument {key!r}; "
                             f"arguments: {', '.join(op.args)}", key=True)
                raise _Abort
        missing = [k for k, a in op.args.items() if a.required and k not in args_raw]
        if missing:
            self.problem(path + ("op",), f"operation {op.name!r} needs {', '.join(missing)}")
            raise _Abort
        evaluators: list[tuple[str, Callable]] = []
        refs: list[Ref] = []
        constants: dict[str, Any] = {}
        fields: dict[str, list[str] | None] = {}
        used_tables: dict[str, Table] = {}
        # value arguments first: item arguments need the fields of the list they walk
        order = sorted(args_raw, key=lambda k: op.args[k].kind != "value")
        for key in order:
            arg = op.args[key]
            value = args_raw[key]
            kpath = apath + (key,)
            if arg.kind == "value":
                if isinstance(value, str):
                    c = self.expr(value, scope, kpath)
                    refs.extend(c.refs)
                    evaluators.append((key, c.evaluate))
                    fields[key] = scope.fields_of(value.strip())
                    if c.constant:
                        constants[key] = c.evaluate({})
                else:
                    evaluators.append((key, lambda env, v=value: v))
                    constants[key] = value
            elif arg.kind == "text":
                if not isinstance(value, str):
                    self.problem(kpath, f"argument {key!r} must be text")
                    raise _Abort
                evaluators.append((key, lambda env, v=value: v))
                constants[key] = value
            elif arg.kind == "table":
                table = self._table(value, tables, kpath, scope)
                used_tables[key] = table
                call = table_caller(table)
                evaluators.append((key, lambda env, call=call: lambda values: call(values, env)))
            elif arg.kind in ("item", "bindings"):
                iscope = scope.for_items(fields.get(arg.item_of))
                if arg.kind == "item":
                    if not isinstance(value, str):
                        self.problem(kpath, f"argument {key!r} must be an expression")
                        raise _Abort
                    c = self.expr(value, iscope, kpath)
                    refs.extend(r for r in c.refs if r.kind != "item")
                    evaluators.append((key, _per_item(c.evaluate)))
                else:
                    if not isinstance(value, dict):
                        self.problem(kpath, f"argument {key!r} must map names to expressions")
                        raise _Abort
                    pairs = []
                    for bkey, btext in value.items():
                        c = self.expr(str(btext), iscope, kpath + (bkey,))
                        refs.extend(r for r in c.refs if r.kind != "item")
                        pairs.append((bkey, c.evaluate))
                    evaluators.append((key, _per_item(compile_mapping(pairs))))
        if op.check is not None:
            message = op.check(constants, self.ctx)
            if isinstance(message, tuple):  # (argument, message): point at that argument
                arg, message = message
                self.problem(apath + (arg,), message)
                raise _Abort
            if message:
                self.problem(path + ("args",), message)
                raise _Abort
        fn = op.fn
        # an argument named like a Python keyword (`with`) reaches the function as `with_`
        pairs = tuple((k + "_" if keyword.iskeyword(k) else k, f) for k, f in evaluators)
        if op.needs_context:
            pairs += (("context", lambda env, ctx=self.ctx: ctx),)

        run = compile_call(fn, list(pairs))
        detail = None
        if op.explain is not None:
            def detail(env, value, explain=op.explain, pairs=pairs):
                return explain({k: f(env) for k, f in pairs}, value)

        if op.source != BUILTIN_SOURCE:  # a plugin's code: its failures name the plugin
            run = _plugin_guard(op, name, run)
            if detail is not None:
                detail = _plugin_guard(op, name, detail, "explaining ")

        out_fields = None
        if op.item_fields is not None:
            out_fields = op.item_fields(fields, used_tables)
        return (Step(name, "op", op.name, run, refs, detail=detail,
                     tables=[t.name for t in used_tables.values()], **common),
                _StepInfo(out_fields))


def _per_item(evaluate: Callable[[dict], Any]) -> Callable[[dict], Callable[[dict], Any]]:
    def bind(env):
        def for_item(item):
            env[ITEM] = item
            return evaluate(env)

        return for_item

    return bind


BUILTIN_SOURCE = "regelwerk"


def _plugin_guard(op: Operation, step: str, fn: Callable, doing: str = "") -> Callable:
    """A plugin operation that raises anything but an engine error is named with its plugin."""

    def guarded(*args):
        try:
            return fn(*args)
        except RegelwerkError:
            raise
        except Exception as err:  # noqa: BLE001 - whatever the plugin raises, name the plugin
            raise PluginError(op.source, f"{doing}operation {op.name!r} (step {step!r})",
                              err) from None

    return guarded


def table_caller(table: Table) -> Callable[[dict, dict], Any]:
    """Evaluate a table on input values: its outputs (collect: a list of them)."""
    policy = table.hit_policy

    def call(values: dict, env: dict) -> Any:
        rows = table.matches(values, env)
        if policy == "collect":
            return [r.outputs(values) for r in rows]
        if not rows:
            shown = ", ".join(f"{k}={format_value(v)!r}" for k, v in values.items())
            if table.no_match is not None:
                fill = dict(values)
                fill["bekende_waarden"] = format_value(table.known_values())
                raise CaseError(table.no_match(fill))
            raise CaseError(f"no row of table {table.name!r} matches {shown}")
        if policy == "unique" and len(rows) > 1:
            nums = " and ".join(str(r.index + 1) for r in rows)
            raise CaseError(f"rows {nums} of unique table {table.name!r} both match")
        return rows[0].outputs(values)

    return call


def table_detail(table: Table, bind: Callable[[dict], dict]):
    def detail(env: dict, value: Any) -> dict:
        values = bind(env)
        rows = table.matches(values, env)
        return {
            "tabel": table.name,
            "label": table.label,
            "hit_policy": table.hit_policy,
            "invoer": values,
            "rijen": [{"rij": r.index + 1, "citation": r.citation or table.citation,
                       "dan": r.then} for r in rows],
        }

    return detail
