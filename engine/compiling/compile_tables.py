"""Compiling a version's decision tables: rows with their conditions (cells) and outcomes,
the named hit policy (unique, first, collect), overlapping rows of a unique table refused,
and the text shown when no row matches. Also how a compiled table is called from a step."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ..base.errors import CaseError
from ..base.i18n import _
from .core import Abort, CompilerCore
from .expr import Ref
from .model import Param
from .scope import Scope, format_value
from .tables import COMPARISONS, Cell, Row, Table, overlapping_pairs


class TableCompiler(CompilerCore):
    """The tables part of the compiler."""

    def table(self, name: str, raw: dict, path: tuple, params: dict[str, Param]) -> Table:
        scope = Scope({}, params)
        inputs, outputs = list(raw["inputs"]), list(raw["outputs"])
        rows: list[Row] = []
        ok = True
        for i, rraw in enumerate(raw["rows"]):
            row, row_ok = self._row(name, i, rraw, path + ("rows", i), scope, inputs, outputs)
            rows.append(row)
            ok = ok and row_ok
        if raw["hit_policy"] == "unique":
            ok = self._no_overlaps(name, rows, inputs, path) and ok
        no_match = None
        if "no_match" in raw:
            resolve = _table_resolver(inputs + ["bekende_waarden"], scope)
            try:
                no_match = self.template(raw["no_match"], resolve, path + ("no_match",))
            except Abort:
                ok = False
        if not ok:
            raise Abort
        table = Table(
            name=name,
            label=self.fixed(raw.get("label", name), params, path + ("label",),
                             scope.used_params),
            citation=raw.get("citation", ""),
            hit_policy=raw["hit_policy"],
            inputs=inputs,
            outputs=outputs,
            rows=rows,
            ignore_case=bool(raw.get("ignore_case", False)),
            no_match=no_match.render if no_match else None,
            params=list(scope.used_params.values()),
        )
        _generate(table)
        return table

    def _row(self, name: str, i: int, rraw: dict, rpath: tuple, scope: Scope,
             inputs: list[str], outputs: list[str]) -> tuple[Row, bool]:
        """Row `i` of table `name`, and whether it compiled without problems."""
        cells, ok = self._cells(name, rraw.get("when") or {}, rpath, scope, inputs)
        then = dict(rraw["then"])
        templates, then_ok = self._then(name, i, then, rpath, scope, inputs, outputs)
        line, _ = self.doc.where(rpath)
        return Row(i, cells, then, rraw.get("citation", ""), line, templates), ok and then_ok

    def _cells(self, name: str, when: dict, rpath: tuple, scope: Scope,
               inputs: list[str]) -> tuple[dict[str, Cell], bool]:
        cells: dict[str, Cell] = {}
        ok = True
        for cname, craw in when.items():
            if cname not in inputs:
                self.problem(rpath + ("when", cname),
                             _("table {name!r} has no input {key!r}; inputs: {known}").format(
                                 name=name, key=cname, known=", ".join(inputs)),
                             key=True)
                ok = False
                continue
            try:
                cells[cname] = self.cell(craw, scope, rpath + ("when", cname))
            except Abort:
                ok = False
        return cells, ok

    def _then(self, name: str, i: int, then: dict, rpath: tuple, scope: Scope,
              inputs: list[str], outputs: list[str]) -> tuple[dict, bool]:
        """The row's outcomes: texts with placeholders compiled, every output given once."""
        templates = {}
        ok = True
        for oname, ovalue in then.items():
            if isinstance(ovalue, str) and "{" in ovalue:
                try:
                    templates[oname] = self.template(
                        ovalue, _table_resolver(inputs, scope), rpath + ("then", oname)
                    ).render
                except Abort:
                    ok = False
        for oname in then:
            if oname not in outputs:
                self.problem(rpath + ("then", oname),
                             _("table {name!r} has no output {key!r}; outputs: {known}").format(
                                 name=name, key=oname, known=", ".join(outputs)),
                             key=True)
                ok = False
        for oname in outputs:
            if oname not in then:
                self.problem(rpath + ("then",), _("row {n} of table {name!r} gives no {key!r}")
                             .format(n=i + 1, name=name, key=oname))
                ok = False
        return templates, ok

    def _no_overlaps(self, name: str, rows: list[Row], inputs: list[str], path: tuple) -> bool:
        """A unique table's rows must not overlap; each overlapping pair is a problem."""
        pairs, more = overlapping_pairs(rows, inputs)
        for a, b in pairs:
            self.problem(path + ("rows", b),
                         _("rows {a} and {b} of unique table {name!r} overlap").format(
                             a=a + 1, b=b + 1, name=name))
        if more:
            self.problem(path + ("rows",), _("more rows of unique table {name!r} overlap; only the "
                                             "first {n} pairs are listed").format(
                                                 name=name, n=len(pairs)))
        return not pairs

    def cell(self, raw: Any, scope: Scope, path: tuple) -> Cell:
        if isinstance(raw, dict):
            (op, operand), = raw.items()
            if op not in COMPARISONS:
                self.problem(path, _("unknown comparison {op!r}").format(op=op))
                raise Abort
            if isinstance(operand, str):
                compiled = self.expr(operand, scope, path + (op,))
                return Cell("compare", op=op, operand=compiled.evaluate, source=f"{op} {operand}",
                            constant=compiled.constant)
            return Cell("compare", op=op, operand=lambda env, v=operand: v, source=f"{op} {operand!r}",
                        constant=True)
        if isinstance(raw, list):
            return Cell("one_of", value=list(raw), source=format_value(raw))
        return Cell("equal", value=raw, source=format_value(raw))


def _table_resolver(names: list[str], scope: Scope) -> Callable[[str], Ref | None]:
    """Names in a table's texts: its inputs (filled per call) and parameters."""

    def resolve(n: str) -> Ref | None:
        if n in names:
            return Ref("table", n, lambda values, k=n: values.get(k), code=f"env.get({n!r})")
        return scope.resolve(n)

    return resolve


def table_caller(table: Table) -> Callable[[dict, dict], Any]:
    """Evaluate a table on input values: its outputs (collect: a list of them)."""
    return table.call


def _generate(table: Table) -> None:
    """Generate the table's `call`; no row, or two rows of a unique table, is a CaseError."""

    def no_match(values: dict) -> Any:
        shown = ", ".join(f"{k}={format_value(v)!r}" for k, v in values.items())
        if table.no_match is not None:
            fill = dict(values)
            fill["bekende_waarden"] = format_value(table.known_values())
            raise CaseError(table.no_match(fill))
        raise CaseError(_("no row of table {name!r} matches {values}").format(
            name=table.name, values=shown))

    def both_match(hits: list[int]) -> Any:
        nums = " and ".join(str(table.rows[i].index + 1) for i in hits)
        raise CaseError(_("rows {rows} of unique table {name!r} both match").format(
            rows=nums, name=table.name))

    table.generate(no_match, both_match)


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
