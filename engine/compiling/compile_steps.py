"""Compiling a decision's steps: a value (one expression), a table call (its `with`
bindings), or a list of checks (conditions with their reasons). Operation steps are compiled
by `compile_ops`."""

from __future__ import annotations

from collections.abc import Callable

from ..base.i18n import _
from .compile_tables import table_caller, table_detail
from .core import Abort, CompilerCore
from .expr import Compiled, Ref, compile_mapping
from .generated import Source
from .model import Step
from .scope import Scope, StepInfo
from .tables import Table


class StepCompiler(CompilerCore):
    """The steps part of the compiler; `operation` comes from the operations part."""

    def step(self, raw: dict, path: tuple, scope: Scope, tables: dict[str, Table]):
        name = raw["name"]
        line, _ = self.doc.where(path)
        common = dict(label=self.fixed(raw.get("label", ""), scope.params, path + ("label",),
                                       scope.used_params),
                      citation=raw.get("citation", ""), line=line)
        if raw.get("omschrijving"):
            common["description"] = self.template(raw["omschrijving"], scope.resolve,
                                                  path + ("omschrijving",))
        if "value" in raw:
            compiled = self.expr(raw["value"], scope, path + ("value",))
            fields = scope.fields_of(raw["value"].strip())
            return Step(name, "value", raw["value"], compiled.evaluate,
                        compiled.refs, value=compiled, **common), StepInfo(fields)
        if "table" in raw:
            return self.table_step(name, raw, path, scope, tables, common)
        if "checks" in raw:
            return self.checks(name, raw["checks"], path + ("checks",), scope, common)
        return self.operation(name, raw, path, scope, tables, common)

    def table_step(self, name: str, raw: dict, path: tuple, scope: Scope,
                   tables: dict[str, Table], common: dict):
        table = self.used_table(raw["table"], tables, path + ("table",), scope)
        compiled, refs = self.bindings(table, raw["with"], scope, path + ("with",))
        bind = compile_mapping([(key, c.evaluate) for key, c in compiled])
        return (Step(name, "table", table.name, _table_run(table_caller(table), compiled), refs,
                     detail=table_detail(table, bind), tables=[table.name], **common),
                StepInfo(None, mapping=table.hit_policy != "collect"))

    def used_table(self, tname: str, tables: dict[str, Table], path: tuple,
                   scope: Scope) -> Table:
        """The table a step or an operation names; the decision reads what the table reads."""
        table = tables.get(tname)
        if table is None and tname in tables:
            raise Abort  # the table itself is wrong, and reported
        if table is None:
            known = ", ".join(tables) or _("none")
            self.problem(path, _("unknown table {name!r}; tables: {known}").format(
                name=tname, known=known))
            raise Abort
        for param in table.params:
            scope.used_params.setdefault(param.name, param)
        return table

    def bindings(self, table: Table, raw: dict, scope: Scope, path: tuple):
        missing = [n for n in table.inputs if n not in raw]
        if missing:
            self.problem(path, _("table {name!r} needs {inputs} in 'with'").format(
                name=table.name, inputs=", ".join(missing)))
            raise Abort
        compiled: list[tuple[str, Compiled]] = []
        refs: list[Ref] = []
        for key, text in raw.items():
            if key not in table.inputs:
                self.problem(path + (key,), _("table {name!r} has no input {key!r}").format(
                    name=table.name, key=key), key=True)
                raise Abort
            c = self.expr(text, scope, path + (key,))
            compiled.append((key, c))
            refs.extend(c.refs)
        return compiled, refs

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
        checks = tuple(compiled)
        return (Step(name, "checks", f"{len(compiled)} voorwaarden", _checks_run(checks), refs,
                     detail=_checks_detail(checks), **common),
                StepInfo(None, mapping=True))


def _table_run(call: Callable, bindings: list[tuple[str, Compiled]]) -> Callable:
    """A table step: its table called on the values its `with` binds, as one function."""
    code = Source()
    values = ", ".join(f"{key!r}: {code.value(c)}" for key, c in bindings)
    code.line(f"return {code.name(call)}({{{values}}}, env)")
    return code.function("run", "env")


def _checks_run(checks: tuple) -> Callable:
    """A checks step's result: whether every check that applies is met, and the reasons
    (each met check's `pass` text, or each unmet check's `fail` text), as one generated
    function: the checks in order, each condition and test evaluated once."""
    code = Source()
    code.line("met = []")
    code.line("unmet = []")
    for _n, when, test, passed, failed, _c in checks:
        if when is not None:
            code.line(f"if {code.value(when)}:")
            code.depth += 1
        if passed is not None:
            code.line(f"if {code.value(test)}:")
            code.depth += 1
            code.line(f"met.append({code.text(passed)})")
            code.depth -= 1
            code.line("else:")
        else:
            code.line(f"if not {code.value(test)}:")
        code.depth += 1  # a text is made only in its own branch
        code.line(f"unmet.append({code.text(failed)})")
        code.depth -= 2 if when is not None else 1
    code.line("ok = not unmet")
    code.line("return {'voldaan': ok, 'redenen': met if ok else unmet, 'voldaan_aan': met, "
              "'niet_voldaan': unmet}")
    return code.function("run", "env")


def _checks_detail(checks: tuple) -> Callable:
    """For the trail: each check, whether it applied and whether it was met."""

    def detail(env, value, checks=checks):
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

    return detail
