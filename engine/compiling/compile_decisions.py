"""Compiling one decision of a version: its inputs (facts), its steps in order, its
outputs and its notes, every name resolved in the decision's scope."""

from __future__ import annotations

from typing import Any

from ..base.i18n import N_, _
from .core import Abort, CompilerCore
from .facts import FactSpec
from .model import Decision, Note, Output, Param, Step
from .scope import PEILDATUM, Scope, StepInfo
from .sizes import check_decision
from .tables import Table
from .typecheck import bools_as_numbers


class DecisionCompiler(CompilerCore):
    """The decisions part of the compiler; `step` comes from the steps part."""

    def decision(self, did: str, name: str, raw: dict, path: tuple, params: dict[str, Param],
                 tables: dict[str, Table]) -> Decision:
        facts: dict[str, FactSpec] = {}
        for fname, fraw in raw["inputs"].items():
            facts[fname] = self.fact(fname, fraw, path + ("inputs", fname))
        scope = Scope(facts, params)
        for fname, spec in facts.items():
            self._fact_labels(spec, path + ("inputs", fname), scope)
        steps, steps_ok = self._steps(raw.get("steps") or [], path, scope, tables)
        outputs, outputs_ok = self._outputs(raw["outputs"], path, scope)
        notes, notes_ok = self._notes(raw.get("notes") or [], path, scope)
        if not (steps_ok and outputs_ok and notes_ok):
            raise Abort
        wrong = [(where, message, 0) for where, message in  # values that could grow unbounded
                 check_decision(steps, outputs, raw.get("steps") or [], facts, params, tables,
                                notes)]
        wrong += bools_as_numbers(steps, outputs, raw["outputs"], facts, params)
        for where, message, col in wrong:
            self.problem(path + where, message, col_offset=col)
        if wrong:
            raise Abort
        line, _ = self.doc.key_where(path)
        return Decision(
            id=did,
            name=name,
            title=self.fixed(raw["title"], params, path + ("title",), scope.used_params),
            description=self.fixed(raw.get("description", ""), params,
                                   path + ("description",), scope.used_params),
            citation=raw.get("citation", ""),
            inputs=list(facts.values()),
            steps=steps,
            outputs=outputs,
            notes=notes,
            params=list(scope.used_params.values()),
            line=line,
        )

    def _steps(self, raws: list, path: tuple, scope: Scope,
               tables: dict[str, Table]) -> tuple[list[Step], bool]:
        """The steps in order; each one's name joins the scope of the steps after it."""
        steps: list[Step] = []
        ok = True
        for i, sraw in enumerate(raws):
            spath = path + ("steps", i)
            sname = sraw["name"]
            clash = _clash(sname, scope)
            if clash:
                self.problem(spath + ("name",), _("step {name!r} has the same name as {other}")
                             .format(name=sname, other=_(clash)))
                ok = False
                continue
            try:
                step, info = self.step(sraw, spath, scope, tables)
            except Abort:
                ok = False
                scope.steps[sname] = StepInfo()  # keep later steps from cascading errors
                continue
            steps.append(step)
            scope.steps[sname] = info
            if "note" in sraw:  # a step's note may speak of the step's own result
                try:
                    step.note = self.note(sraw["note"], spath + ("note",), scope)
                except Abort:
                    ok = False
        return steps, ok

    def _outputs(self, raws: dict, path: tuple, scope: Scope) -> tuple[list[Output], bool]:
        outputs: list[Output] = []
        ok = True
        for oname, oraw in raws.items():
            opath = path + ("outputs", oname)
            text = oraw if isinstance(oraw, str) else oraw["value"]
            if not isinstance(oraw, str):
                opath = opath + ("value",)
            try:
                value = self.expr(text, scope, opath)
            except Abort:
                ok = False
                continue
            label = "" if isinstance(oraw, str) else self.fixed(
                oraw.get("label", ""), scope.params, path + ("outputs", oname, "label"),
                scope.used_params)
            outputs.append(Output(oname, value, label))
        return outputs, ok

    def _notes(self, raws: list, path: tuple, scope: Scope) -> tuple[list[Note], bool]:
        notes: list[Note] = []
        ok = True
        for i, nraw in enumerate(raws):
            try:
                notes.append(self.note(nraw, path + ("notes", i), scope))
            except Abort:
                ok = False
        return notes, ok

    def _fact_labels(self, spec: FactSpec, path: tuple, scope: Scope) -> None:
        """An input's label, and those of its items, with `{parameter}` filled in."""
        spec.label = self.fixed(spec.label, scope.params, path + ("label",), scope.used_params)
        if isinstance(spec.items, dict):
            for key, item in spec.items.items():
                self._fact_labels(item, path + ("items", key), scope)

    def fact(self, name: str, raw: dict, path: tuple) -> FactSpec:
        items: Any = raw.get("items")
        if isinstance(items, dict):
            items = {k: self.fact(k, v, path + ("items", k)) for k, v in items.items()}
        elif isinstance(items, str):
            items = FactSpec(name + "[]", items)
        if items is not None and raw["type"] != "list":
            self.problem(path + ("items",), _("{name!r} has items but is not a list").format(name=name))
            raise Abort
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


def _clash(name: str, scope: Scope) -> str | None:
    """What a step's name would hide, if anything."""
    if name in scope.steps:
        return N_("an earlier step")
    if name in scope.facts:
        return N_("an input")
    if name in scope.params:
        return N_("a parameter")
    if name == PEILDATUM:
        return N_("the peildatum")
    return None
