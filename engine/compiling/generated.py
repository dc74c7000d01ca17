"""Python functions generated from compiled parts of a decision (its steps and outputs, its
notes, a checks step, a decision table), so that deciding a case runs straight-line code
instead of loops over lists of evaluators.

The rule of `expr.py` holds here too: the generated source is made of our own statements;
a value or a function reaches it as a global of the function (`c0`, `c1`, ...), and a name
from a rule file appears only as a string literal made by repr(). A plain read of a name
(`env['x']`, as `Ref.code` gives it) is written inline, so it costs no call.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from .codeobjects import compiled
from .expr import Compiled, Ref


class Source:
    """The statements of one generated function and the values its globals hold."""

    def __init__(self) -> None:
        self.lines: list[str] = []
        self.names: dict[str, Any] = {}
        self.depth = 1

    def line(self, statement: str) -> None:
        self.lines.append("    " * self.depth + statement)

    def name(self, value: Any) -> str:
        """A global of the function holding `value` (`c0`, `c1`, ...: an expression written
        in has globals `g...` and temporaries `t...` of its own)."""
        key = f"c{len(self.names)}"
        self.names[key] = value
        return key

    def constant(self, value: Any) -> str:
        if value is None or value is True or value is False:
            return repr(value)
        return self.name(value)

    def read(self, fn: Callable[[dict], Any], refs: list[Ref] = ()) -> str:
        """Source giving what `fn(env)` gives: a plain read of a name (an evaluator that is
        the reader of its only name) written inline, else the call itself."""
        if len(refs) == 1 and fn is refs[0].read and refs[0].code:
            return f"({refs[0].code})"
        return f"{self.name(fn)}(env)"

    def value(self, compiled: Compiled) -> str:
        """Source giving the value of a compiled expression in `env`."""
        return self.written_in(compiled.evaluate, compiled.inline, compiled.refs)

    def text(self, template: Any) -> str:
        """Source giving a `Template`'s text in `env`: made once when it reads no case."""
        if template.constant:
            return self.constant(template.render({}))
        return self.written_in(template.render, template.inline)

    def written_in(self, evaluate: Callable[[dict], Any], inline: tuple | None,
                   refs: list[Ref] = ()) -> str:
        """Source giving what `evaluate(env)` gives: its statements (`Compiled.inline`)
        written in here, so it costs no call, unless `evaluate` was wrapped since."""
        if inline is None or inline[0] is not evaluate:
            return self.read(evaluate, refs)
        _evaluate, lines, result, names = inline
        for depth, text in lines:
            self.lines.append("    " * (self.depth + depth - 1) + text)
        self.names.update(names)
        return result

    def function(self, name: str, params: str) -> Callable:
        """The statements as `def name(params)`, compiled once (or kept from an earlier
        start: see codeobjects.py)."""
        body = "\n".join(self.lines) or "    pass"
        namespace = dict(self.names)
        exec(compiled(f"def {name}({params}):\n{body}\n", f"<{name}>"), namespace)
        return namespace[name]


def steps_runner(steps: list, outputs: list) -> Callable[[dict, dict], None]:
    """A decision's steps and outputs as one function `run(env, outputs)`: each step's value
    is set in `env` and each output's in `outputs` the moment it is made, in order, so what
    stopped a failing run is the first name missing from them."""
    code = Source()
    for step in steps:
        if step.value is not None and step.run is step.value.evaluate:
            code.line(f"env[{step.name!r}] = {code.value(step.value)}")
        else:
            code.line(f"env[{step.name!r}] = {code.read(step.run, step.refs)}")
    for output in outputs:
        code.line(f"outputs[{output.name!r}] = {code.value(output.value)}")
    return code.function("run", "env, outputs")


def notes_runner(notes: list[tuple[Compiled | None, Any]]) -> Callable[[dict], list[str]]:
    """The notes of a decision, each (`when` or None, text template), as one function of
    `env` giving the texts of those that apply, in order."""
    code = Source()
    code.line("notes = []")
    for when, text in notes:
        if when is None:
            code.line(f"notes.append({code.text(text)})")
        else:
            code.line(f"if {code.value(when)}:")
            code.depth += 1  # what the text needs is made only when it applies
            code.line(f"notes.append({code.text(text)})")
            code.depth -= 1
    code.line("return notes")
    return code.function("notes", "env")
