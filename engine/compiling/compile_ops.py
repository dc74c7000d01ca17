"""Compiling an operation step (`op: service_days`): the operation looked up in the registry
the plugins filled, each argument compiled by its kind (value, text, table, item, bindings),
the operation's own load-time check, and a plugin's failures named with its plugin."""

from __future__ import annotations

import keyword
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from ..base.errors import PluginError, RegelwerkError
from ..base.i18n import _
from ..ops import Arg, Operation
from .compile_tables import table_caller
from .core import Abort, CompilerCore
from .expr import Ref, compile_call, compile_per_item
from .model import Step
from .scope import ITEM, Scope, StepInfo
from .tables import Table

BUILTIN_SOURCE = "regelwerk"


@dataclass
class _Args:
    """An operation call's arguments as they are compiled."""

    evaluators: list[tuple[str, Callable]] = field(default_factory=list)
    refs: list[Ref] = field(default_factory=list)
    constants: dict[str, Any] = field(default_factory=dict)
    fields: dict[str, list[str] | None] = field(default_factory=dict)
    tables: dict[str, Table] = field(default_factory=dict)


class OperationCompiler(CompilerCore):
    """The operations part of the compiler; `used_table` comes from the steps part."""

    def operation(self, name: str, raw: dict, path: tuple, scope: Scope,
                  tables: dict[str, Table], common: dict):
        op = self._looked_up(raw, path)
        args_raw = raw.get("args") or {}
        apath = path + ("args",)
        args = _Args()
        # value arguments first: item arguments need the fields of the list they walk
        for key in sorted(args_raw, key=lambda k: op.args[k].kind != "value"):
            compile_arg = getattr(self, f"_arg_{op.args[key].kind}")
            compile_arg(key, op.args[key], args_raw[key], apath + (key,), scope, tables, args)
        self._op_check(op, args.constants, path, apath)
        run, detail = self._op_call(op, name, args)
        out_fields = None
        if op.item_fields is not None:
            out_fields = op.item_fields(args.fields, args.tables)
        words = f"{op.label} — {op.doc}" if op.label else op.doc
        return (Step(name, "op", op.name, run, args.refs, detail=detail,
                     tables=[t.name for t in args.tables.values()], operation=words, **common),
                StepInfo(out_fields))

    def _looked_up(self, raw: dict, path: tuple) -> Operation:
        """The operation a step names, its arguments known and the required ones given."""
        op: Operation | None = self.ctx.operations.get(raw["op"])
        if op is None:
            known = ", ".join(self.ctx.operations.names())
            self.problem(path + ("op",), _("unknown operation {name!r}; known: {known}").format(
                name=raw["op"], known=known))
            raise Abort
        args_raw = raw.get("args") or {}
        for key in args_raw:
            if key not in op.args:
                self.problem(path + ("args", key), _("operation {name!r} has no argument {key!r}; "
                                                     "arguments: {known}").format(
                    name=op.name, key=key, known=", ".join(op.args)), key=True)
                raise Abort
        missing = [k for k, a in op.args.items() if a.required and k not in args_raw]
        if missing:
            self.problem(path + ("op",), _("operation {name!r} needs {args}").format(
                name=op.name, args=", ".join(missing)))
            raise Abort
        return op

    def _arg_value(self, key: str, arg: Arg, value: Any, kpath: tuple, scope: Scope,
                   tables: dict[str, Table], args: _Args) -> None:
        if not isinstance(value, str):
            args.evaluators.append((key, lambda env, v=value: v))
            args.constants[key] = value
            return
        c = self.expr(value, scope, kpath)
        args.refs.extend(c.refs)
        args.evaluators.append((key, c.evaluate))
        args.fields[key] = scope.fields_of(value.strip())
        if c.constant:
            args.constants[key] = c.evaluate({})

    def _arg_text(self, key: str, arg: Arg, value: Any, kpath: tuple, scope: Scope,
                  tables: dict[str, Table], args: _Args) -> None:
        if not isinstance(value, str):
            self.problem(kpath, _("argument {key!r} must be text").format(key=key))
            raise Abort
        args.evaluators.append((key, lambda env, v=value: v))
        args.constants[key] = value

    def _arg_table(self, key: str, arg: Arg, value: Any, kpath: tuple, scope: Scope,
                   tables: dict[str, Table], args: _Args) -> None:
        table = self.used_table(value, tables, kpath, scope)
        args.tables[key] = table
        call = table_caller(table)
        args.evaluators.append((key, lambda env, call=call: lambda values: call(values, env)))

    def _arg_item(self, key: str, arg: Arg, value: Any, kpath: tuple, scope: Scope,
                  tables: dict[str, Table], args: _Args) -> None:
        if not isinstance(value, str):
            self.problem(kpath, _("argument {key!r} must be an expression").format(key=key))
            raise Abort
        iscope = scope.for_items(args.fields.get(arg.item_of))
        c = self.expr(value, iscope, kpath)
        args.refs.extend(r for r in c.refs if r.kind != "item")
        args.evaluators.append((key, compile_per_item([(key, value)], iscope.resolve, ITEM,
                                                      single=True)))

    def _arg_bindings(self, key: str, arg: Arg, value: Any, kpath: tuple, scope: Scope,
                      tables: dict[str, Table], args: _Args) -> None:
        if not isinstance(value, dict):
            self.problem(kpath, _("argument {key!r} must map names to expressions").format(key=key))
            raise Abort
        iscope = scope.for_items(args.fields.get(arg.item_of))
        texts = []
        for bkey, btext in value.items():
            c = self.expr(str(btext), iscope, kpath + (bkey,))
            args.refs.extend(r for r in c.refs if r.kind != "item")
            texts.append((bkey, str(btext)))
        # all bindings as one function of an item (each compiled alone first, for its errors)
        args.evaluators.append((key, compile_per_item(texts, iscope.resolve, ITEM)))

    def _op_check(self, op: Operation, constants: dict, path: tuple, apath: tuple) -> None:
        """The operation's own check of the arguments known when the file is loaded."""
        if op.check is None:
            return
        message = op.check(constants, self.ctx)
        if isinstance(message, tuple):  # (argument, message): point at that argument
            arg, message = message
            self.problem(apath + (arg,), message)
            raise Abort
        if message:
            self.problem(path + ("args",), message)
            raise Abort

    def _op_call(self, op: Operation, step: str, args: _Args) -> tuple[Callable, Any]:
        """The step's run function and its trail detail (None when the operation has none)."""
        # an argument named like a Python keyword (`with`) reaches the function as `with_`
        pairs = tuple((k + "_" if keyword.iskeyword(k) else k, f) for k, f in args.evaluators)
        if op.needs_context:
            pairs += (("context", lambda env, ctx=self.ctx: ctx),)
        run = compile_call(op.fn, list(pairs))
        detail = None
        if op.explain is not None:
            def detail(env, value, explain=op.explain, pairs=pairs):
                return explain({k: f(env) for k, f in pairs}, value)

        if op.source != BUILTIN_SOURCE:  # a plugin's code: its failures name the plugin
            run = _plugin_guard(op, step, run)
            if detail is not None:
                detail = _plugin_guard(op, step, detail, "explaining ")
        return run, detail


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
