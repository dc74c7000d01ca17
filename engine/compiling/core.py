"""What every part of the rule-file compiler shares: the file being compiled, the problems
found in it (each placed at its line and column), and compiling one expression or one text
with placeholders. The parts (`compile_versions`, `compile_tables`, `compile_decisions`,
`compile_steps`, `compile_ops`) build on `CompilerCore`; `compiler.FileCompiler` joins them."""

from __future__ import annotations

import datetime as _dt
import functools
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from ..base.dates import date_problem
from ..base.errors import Problem
from ..base.i18n import _
from ..base.suggest import unknown_name_hint
from ..ops import OperationRegistry
from . import statictexts
from .expr import Compiled, ExprError, Ref, compile_expr, compile_text_inline
from .facts import parse_date
from .model import Template
from .scope import Scope, format_value


class Abort(Exception):
    """Stop compiling the current element; its problem is already recorded."""


@dataclass
class Context:
    """What compiling needs besides the file: the registries the plugins filled."""

    operations: OperationRegistry
    calendars: Any = None


class CompilerCore:
    """One rule file (already schema-valid) being compiled, and the problems found in it."""

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
    @functools.cached_property
    def source_text(self) -> str:
        """The rule file as text, decoded once, for hints that quote or search it."""
        return self.text.decode("utf-8", "replace")

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
        lines = self.source_text.splitlines()
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
        except RecursionError:  # a last guard: expressions are bounded to stay far from it
            self.problem(path, "expression too deeply nested to compile")
            raise Abort from None
        except ExprError as err:
            hint = unknown_name_hint(unknown[-1], scope.names(), scope.params,
                                     self.source_text) if unknown else ""
            shown = text if len(text) <= 80 else text[:77] + "..."
            self.problem(path, _("{problem} in {text!r}").format(problem=err.message, text=shown)
                         + hint, col_offset=err.col)
            raise Abort from None

    def template(self, text: str, resolve: Callable[[str], Ref | None], path: tuple) -> Template:
        pieces: list[str | Ref] = []
        pos = 0
        for m in statictexts.PLACEHOLDER.finditer(text):
            pieces.append(text[pos:m.start()])
            ref = resolve(m.group(1))
            if ref is None:
                self.problem(path, _("unknown name {name!r} in text").format(name=m.group(1))
                             + self._text_hint(m.group(1), resolve), col_offset=m.start(1))
                raise Abort
            pieces.append(ref)
            pos = m.end()
        pieces.append(text[pos:])
        pieces = [p for p in pieces if p != ""]
        render, inline = compile_text_inline(pieces, format_value)
        return Template(text, render, all(isinstance(p, str) or p.constant for p in pieces),
                        inline)

    def _text_hint(self, name: str, resolve: Callable) -> str:
        """Did-you-mean for a placeholder, from the scope `resolve` belongs to (if any)."""
        scope = getattr(resolve, "__self__", None)
        if not isinstance(scope, Scope):
            return ""
        return unknown_name_hint(name, scope.names(), scope.params,
                                 self.source_text)

    def fixed(self, text: str, params: dict, path: tuple, used: dict | None = None) -> str:
        """A title, description or label with `{parameter}` filled in for this version; the
        parameters it names count as read (into `used`)."""
        filled, wrong, names = statictexts.fill(text, params, format_value,
                                                self.source_text)
        if wrong is not None:
            self.problem(path, wrong[1], col_offset=wrong[0])
        if used is not None:
            for name in names:
                used.setdefault(name, params[name])
        return filled

    def date(self, value: Any, path: tuple) -> _dt.date:
        try:
            return parse_date(value)
        except (ValueError, TypeError):
            self.problem(path, date_problem(value))
            raise Abort from None
