"""A small, closed expression language for conditions and values in rule files.

Why our own: rule files must never run Python. This grammar has no attribute access,
no calls other than a fixed table of functions, no loops and no assignment, so every
expression terminates in time linear in its length. Expressions are parsed once and
compiled into Python functions; evaluating one does no parsing. The generated source is
made of the compiler's own statements: constants and helpers reach it as values, and a
name from a rule file appears only as a string literal made by repr(), which reads back as
that same text (keyword names of operations are identifiers checked when registered).

Grammar (lowest precedence first):

    expr    := or
    or      := and ("or" and)*
    and     := not ("and" not)*
    not     := "not" not | compare
    compare := sum (("==" | "!=" | "<" | "<=" | ">" | ">=" | "in" | "not in") sum)?
    sum     := product (("+" | "-") product)*
    product := unary (("*" | "/") unary)*
    unary   := "-" unary | atom
    atom    := NUMBER | DATE | STRING | "true" | "false" | "null"
             | NAME "(" [expr ("," expr)*] ")"   -- a function from FUNCTIONS
             | NAME                              -- a fact, parameter, step or item field
             | "(" expr ")" | "[" [expr ("," expr)*] "]"

NAME may be dotted (`trainee.in_ambt`); DATE is `YYYY-MM-DD`; STRING is quoted with ' or ".
A name is resolved at compile time by a resolver the caller gives; an unknown name is
an error at its column. `null` compares equal only to itself; ordering comparisons with
null are false; arithmetic and functions given null return null (unless said otherwise).
"""

from __future__ import annotations

import datetime as _dt
import itertools
import math
import re
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

from dateutil.relativedelta import relativedelta

from ..base.dates import date_problem
from ..base.i18n import _
from ..ops.dayset import DaySet
from .codeobjects import compiled

Env = dict
Evaluator = Callable[[Env], Any]

MAX_LENGTH = 2000
MAX_DEPTH = 40
MAX_SIZE = 1_000_000  # characters of a text or items of a list that `+` may build


class ExprError(Exception):
    """A syntax or name error in an expression, at a 0-based column of its text."""

    def __init__(self, message: str, col: int = 0):
        super().__init__(message)
        self.message = message
        self.col = col


# ---------------------------------------------------------------- functions


def _days_incl(first: _dt.date, last: _dt.date) -> int:
    return (last - first).days + 1


def _difference(a, b):
    if a is None:
        return None
    if b is None:
        return list(a)
    drop = set(b)
    return [x for x in a if x not in drop]


def _normalize(text: str) -> str:
    return " ".join(text.split()).casefold()


def _get(mapping, key, default=None):
    if mapping is None or key is None:
        return default
    value = mapping.get(key, default)
    return default if value is None else value


def _counted(days: Any, name: str) -> bool:
    """Whether `days` is counted days (a DaySet from the service_days operation); False for
    null (the function then gives null), a TypeError for anything else."""
    if days is None:
        return False
    if not isinstance(days, DaySet):
        raise TypeError(f"{name}() needs counted days from service_days")
    return True


# Each asks `_counted` only when it is not plainly a DaySet: one Python call per use.

def _first_day(days: DaySet):
    if days.__class__ is DaySet or _counted(days, "_first_day"):
        return days.first()
    return None


def _nth_day(days: DaySet, n):
    if days.__class__ is DaySet or _counted(days, "_nth_day"):
        return None if n is None else days.nth(n)
    return None


def _count_days(days: DaySet, until=None):
    if days.__class__ is DaySet or _counted(days, "_count_days"):
        return days.count(until)
    return None


def _whole(n: Any, what: str) -> Any:
    """`n` when it is a whole number (true and false are not numbers), else a TypeError."""
    if isinstance(n, bool) or not isinstance(n, int):
        shown = _show(n) if isinstance(n, bool) else f"{_kind(n)} {_show(n)}"
        raise TypeError(f"{what} must be a whole number, not {shown}")
    return n


def _show(value: Any) -> str:
    text = {True: "true", False: "false"}.get(value, None) if isinstance(value, bool) else None
    text = text or repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


def _add_days(d, n):
    _whole(n, "the number of days of add_days()")
    return _plus_days(d, n)


def _plus_days(d, n: int):
    """A date `n` days on; past the calendar's edges (years 1 and 9999) an error naming both."""
    try:
        return d + _dt.timedelta(days=n)
    except OverflowError:
        if not isinstance(d, _dt.date):
            raise
        raise OverflowError(f"{d.isoformat()} plus {n:,} days lies outside the calendar "
                            "(years 1 to 9999)") from None


def _add_months(d, n):
    if type(d) is _dt.date and type(n) is int:
        return _shifted(d, n)
    return d + relativedelta(months=_whole(n, "the number of months of add_months()"))


def _add_years(d, n):
    if type(d) is _dt.date and type(n) is int:
        return _shifted(d, 12 * n)
    return d + relativedelta(years=_whole(n, "the number of years of add_years()"))


def _shifted(d: _dt.date, months: int) -> _dt.date:
    """A date moved by whole months as relativedelta moves it (the same day of the month,
    else the month's last day), without building one: that costs more than a whole step."""
    year, month = divmod(d.year * 12 + d.month - 1 + months, 12)
    month += 1
    if not _dt.MINYEAR <= year <= _dt.MAXYEAR:
        raise ValueError(f"year {year} is out of range: {d.isoformat()} plus {months:,} months "
                         "lies outside the calendar (years 1 to 9999)")
    # the month's length first, then the date: relativedelta's order, so its errors too
    day = d.day
    if day > 28:
        length = _MONTH_DAYS[month] if month != 2 else 28 + (
            year % 4 == 0 and (year % 100 != 0 or year % 400 == 0))
        day = min(length, day)
    return d.replace(year=year, month=month, day=day)


_MONTH_DAYS = (0, 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)  # by month; February apart


def _if(condition, then, otherwise=None):
    return then if condition else otherwise


@dataclass(frozen=True)
class Function:
    fn: Callable
    min_args: int
    max_args: int
    doc: str
    nullsafe: bool = False  # given null for any argument, the result is null (fn is not called)
    inline: str = ""  # the function as Python source over its arguments {0}, {1}, when so simple


FUNCTIONS: dict[str, Function] = {
    "is_set": Function(lambda x: x is not None, 1, 1, "waar als de waarde gegeven is",
                       inline="{0} is not None"),
    "count": Function(len, 1, 1, "aantal elementen van een lijst", nullsafe=True),
    "all": Function(lambda xs: all(xs), 1, 1, "waar als alle elementen waar zijn", nullsafe=True),
    "any": Function(lambda xs: any(xs), 1, 1, "waar als een element waar is", nullsafe=True),
    "difference": Function(_difference, 2, 2, "elementen van a die niet in b staan"),
    "lower": Function(str.lower, 1, 1, "tekst in kleine letters", nullsafe=True),
    "trim": Function(str.strip, 1, 1, "tekst zonder spaties rondom", nullsafe=True),
    "normalize": Function(_normalize, 1, 1, "tekst zonder spaties rondom, kleine letters",
                          nullsafe=True),
    "get": Function(_get, 2, 3, "waarde bij een sleutel, of de standaardwaarde"),
    "min": Function(min, 2, 2, "kleinste van twee waarden", nullsafe=True),
    "max": Function(max, 2, 2, "grootste van twee waarden", nullsafe=True),
    "add_days": Function(_add_days, 2, 2, "datum plus dagen", nullsafe=True),
    "add_months": Function(
        _add_months, 2, 2,
        "datum plus maanden; bestaat de dag niet, dan de laatste dag van de maand", nullsafe=True,
    ),
    "add_years": Function(
        _add_years, 2, 2,
        "datum plus jaren; 29 februari wordt 28 februari in een gewoon jaar", nullsafe=True,
    ),
    # the date arithmetic written out in the expression's function: no call per use
    "days_between": Function(lambda a, b: (b - a).days, 2, 2, "dagen van a tot b", nullsafe=True,
                             inline="({1} - {0}).days"),
    "days_incl": Function(_days_incl, 2, 2, "dagen van a tot en met b", nullsafe=True,
                          inline="({1} - {0}).days + 1"),
    "day": Function(lambda d: d.day, 1, 1, "dag van de maand", nullsafe=True, inline="{0}.day"),
    "month": Function(lambda d: d.month, 1, 1, "maand van een datum", nullsafe=True,
                      inline="{0}.month"),
    "year": Function(lambda d: d.year, 1, 1, "jaar van een datum", nullsafe=True,
                     inline="{0}.year"),
    "if": Function(_if, 2, 3, "if(voorwaarde, dan, anders): de ene of de andere waarde"),
    "first_day": Function(_first_day, 1, 1, "eerste getelde dag"),
    "nth_day": Function(_nth_day, 2, 2, "de n-de getelde dag (leeg als er minder zijn)"),
    "count_days": Function(
        _count_days, 1, 2, "getelde dagen, tot en met een datum (leeg = alle)"
    ),
}

# ---------------------------------------------------------------- tokens

_TOKEN = re.compile(
    r"""
    (?P<ws>\s+)
  | (?P<date>[0-9]{4}-[0-9]{2}-[0-9]{2})(?![0-9-])
  | (?P<number>[0-9]+(?:\.[0-9]+)?)
  | (?P<string>'[^'\\]*'|"[^"\\]*")
  | (?P<name>[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*)
  | (?P<op>==|!=|<=|>=|<|>|\+|-|\*|/|\(|\)|\[|\]|,)
    """,
    re.VERBOSE,
)
_KEYWORDS = {"and", "or", "not", "in", "true", "false", "null"}


@dataclass(frozen=True)
class Token:
    kind: str
    text: str
    col: int


def tokenize(text: str) -> list[Token]:
    if len(text) > MAX_LENGTH:
        raise ExprError(_("expression longer than {n} characters").format(n=MAX_LENGTH), 0)
    tokens: list[Token] = []
    pos = 0
    while pos < len(text):
        m = _TOKEN.match(text, pos)
        if not m:
            raise ExprError(_("unexpected character {char!r}").format(char=text[pos]), pos)
        kind = m.lastgroup or ""
        if kind != "ws":
            word = m.group()
            if kind == "name" and word in _KEYWORDS:
                kind = "kw"
            tokens.append(Token(kind, word, pos))
        pos = m.end()
    tokens.append(Token("end", "", len(text)))
    return tokens


# ---------------------------------------------------------------- syntax tree


@dataclass
class Node:
    kind: str  # lit, name, call, list, unary, binary, and, or, not
    col: int
    value: Any = None  # literal value, name, operator or function name
    args: tuple = ()


class _Parser:
    def __init__(self, text: str):
        self.tokens = tokenize(text)
        self.i = 0
        self.depth = 0

    def peek(self) -> Token:
        return self.tokens[self.i]

    def take(self) -> Token:
        tok = self.tokens[self.i]
        self.i += 1
        return tok

    def expect(self, text: str) -> Token:
        tok = self.take()
        if tok.text != text or tok.kind in ("string",):
            raise ExprError(_("expected {want!r}, found {found!r}").format(
                want=text, found=tok.text or _("end of expression")), tok.col)
        return tok

    def at(self, *texts: str) -> bool:
        tok = self.peek()
        return tok.kind in ("op", "kw") and tok.text in texts

    def parse(self) -> Node:
        node = self.expr()
        tok = self.peek()
        if tok.kind != "end":
            raise ExprError(_("unexpected {found!r}").format(found=tok.text), tok.col)
        return node

    def nested(self, fn: Callable[[], Node]) -> Node:
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise ExprError(_("expression nested deeper than {n} levels").format(n=MAX_DEPTH),
                            self.peek().col)
        try:
            return fn()
        finally:
            self.depth -= 1

    def expr(self) -> Node:
        return self.nested(self.or_)

    def or_(self) -> Node:
        node = self.and_()
        while self.at("or"):
            col = self.take().col
            node = Node("or", col, args=(node, self.and_()))
        return node

    def and_(self) -> Node:
        node = self.not_()
        while self.at("and"):
            col = self.take().col
            node = Node("and", col, args=(node, self.not_()))
        return node

    def not_(self) -> Node:
        if self.at("not"):
            col = self.take().col
            return Node("not", col, args=(self.nested(self.not_),))
        return self.compare()

    def compare(self) -> Node:
        node = self.sum()
        if self.at("==", "!=", "<", "<=", ">", ">=", "in"):
            tok = self.take()
            return Node("binary", tok.col, tok.text, (node, self.sum()))
        if self.at("not") and self.tokens[self.i + 1].text == "in":
            col = self.take().col
            self.take()
            return Node("binary", col, "not in", (node, self.sum()))
        return node

    def sum(self) -> Node:
        node = self.product()
        while self.at("+", "-"):
            tok = self.take()
            node = Node("binary", tok.col, tok.text, (node, self.product()))
        return node

    def product(self) -> Node:
        node = self.unary()
        while self.at("*", "/"):
            tok = self.take()
            node = Node("binary", tok.col, tok.text, (node, self.unary()))
        return node

    def unary(self) -> Node:
        if self.at("-"):
            col = self.take().col
            return Node("unary", col, "-", (self.nested(self.unary),))
        return self.atom()

    def atom(self) -> Node:
        tok = self.take()
        if tok.kind == "number":
            return Node("lit", tok.col, _number(tok))
        if tok.kind == "date":
            try:
                return Node("lit", tok.col, _dt.date.fromisoformat(tok.text))
            except ValueError:
                raise ExprError(date_problem(tok.text).replace(repr(tok.text), tok.text, 1),
                                tok.col) from None
        if tok.kind == "string":
            return Node("lit", tok.col, tok.text[1:-1])
        if tok.kind == "kw" and tok.text in ("true", "false", "null"):
            return Node("lit", tok.col, {"true": True, "false": False, "null": None}[tok.text])
        if tok.kind == "name":
            if self.at("("):
                return self.call(tok)
            return Node("name", tok.col, tok.text)
        if tok.text == "(":
            node = self.expr()
            self.expect(")")
            return node
        if tok.text == "[":
            items = self.items("]")
            return Node("list", tok.col, args=tuple(items))
        raise ExprError(_("unexpected {found!r}").format(found=tok.text or _("end of expression")),
                        tok.col)

    def items(self, close: str) -> list[Node]:
        items: list[Node] = []
        if not self.at(close):
            items.append(self.expr())
            while self.at(","):
                self.take()
                items.append(self.expr())
        self.expect(close)
        return items

    def call(self, name_tok: Token) -> Node:
        fn = FUNCTIONS.get(name_tok.text)
        if fn is None:
            known = ", ".join(sorted(FUNCTIONS))
            raise ExprError(_("unknown function {name!r}; known: {known}").format(
                name=name_tok.text, known=known), name_tok.col)
        self.take()  # (
        args = self.items(")")
        if not fn.min_args <= len(args) <= fn.max_args:
            want = fn.min_args if fn.min_args == fn.max_args else f"{fn.min_args}-{fn.max_args}"
            raise ExprError(
                _("{name}() takes {want} argument(s), got {n}").format(
                    name=name_tok.text, want=want, n=len(args)), name_tok.col
            )
        return Node("call", name_tok.col, name_tok.text, tuple(args))


def _number(tok: Token) -> int | float:
    """A number literal a rule can compute with: ASCII digits (the tokenizer sees to that),
    a whole number of at most MAX_BITS bits, a finite decimal."""
    text = tok.text
    if "." in text:
        value = float(text)
        if not math.isfinite(value):
            raise ExprError(f"number {_clipped(text)} is too large", tok.col)
        return value
    if len(text) > 1300 or int(text).bit_length() > MAX_BITS:  # 1300 digits: > 4096 bits
        raise ExprError(f"number {_clipped(text)} is too large: a whole number has at most "
                        f"{MAX_BITS} bits (about 1,233 digits)", tok.col)
    return int(text)


def _clipped(text: str) -> str:
    return text if len(text) <= 20 else f"{text[:8]}...{text[-8:]} ({len(text):,} digits)"


def parse(text: str) -> Node:
    """Parse an expression into a syntax tree (raises ExprError with a column)."""
    return _Parser(text).parse()


# ---------------------------------------------------------------- compiling


@dataclass(frozen=True)
class Ref:
    """What a name resolved to: how to read it at run time, and what it is (for the trail)."""

    kind: str  # fact, param, step, item, builtin
    name: str
    read: Evaluator
    constant: bool = False
    value: Any = None
    code: str | None = None  # `read` as Python source over `env`, when a plain lookup


Resolver = Callable[[str], "Ref | None"]


def _order(op: str) -> Callable[[Any, Any], bool]:
    import operator

    cmp = {"<": operator.lt, "<=": operator.le, ">": operator.gt, ">=": operator.ge}[op]

    def compare(a, b):
        if a is None or b is None:
            return False
        return cmp(a, b)

    return compare


def _arith(op: str) -> Callable[[Any, Any], Any]:
    import operator

    fn = {"+": operator.add, "-": operator.sub, "*": operator.mul, "/": operator.truediv}[op]

    def apply(a, b):
        if a is None or b is None:
            return None
        if op == "-" and isinstance(a, _dt.date) and isinstance(b, _dt.date):
            return (a - b).days
        if isinstance(a, _dt.date) and _is_number(b) and isinstance(b, int) and op in "+-":
            return _plus_days(a, b if op == "+" else -b)
        if _is_number(a) and _is_number(b):
            return _bounded(fn(a, b))
        # Only numbers multiply: 'x' * 1000000000 would build a text of a gigabyte.
        if op == "+" and type(a) is type(b) and isinstance(a, (str, list)):
            if len(a) + len(b) > MAX_SIZE:
                raise ValueError(f"'+' would build {_kind(a)} longer than {MAX_SIZE:,}")
            return a + b
        raise TypeError(f"cannot apply '{op}' to {_kind(a)} and {_kind(b)}")

    return apply


def _negated(a: Any) -> Any:
    if _is_number(a):
        return -a
    raise TypeError(f"cannot apply '-' to {_kind(a)}")


MAX_BITS = 4096  # a whole number of more than about 1,200 digits is no quantity of a rule


def _bounded(number: Any) -> Any:
    """A number a rule can use: repeated multiplication cannot grow it without limit."""
    if isinstance(number, int):
        if number.bit_length() > MAX_BITS:
            raise ValueError(f"a number of more than {MAX_BITS} bits is too large")
    elif not math.isfinite(number):
        raise ValueError("the result is not a finite number")
    return number


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _kind(value: Any) -> str:
    for types, word in ((bool, "true/false"), (str, "text"), (list, "a list"),
                        (dict, "a mapping"), ((int, float), "a number"), (_dt.date, "a date")):
        if isinstance(value, types):
            return word
    return type(value).__name__


@dataclass
class Compiled:
    """A compiled expression: its source, its evaluator and the names it reads."""

    source: str
    evaluate: Evaluator
    refs: list[Ref]
    constant: bool
    # (evaluate, statements as (indentation, text), the result's source, its globals): for
    # writing the expression into a bigger generated function (see `generated.Source.value`);
    # its temporaries and globals have names no other expression's have
    inline: tuple | None = None

    def __call__(self, env: Env) -> Any:
        return self.evaluate(env)


def compile_expr(text: str, resolve: Resolver) -> Compiled:
    """Parse and compile `text`; names are resolved now, so unknown names fail at load time."""
    refs: list[Ref] = []
    node = parse(text)
    if node.kind == "name":  # a name alone: its reader is the whole evaluator
        ref = _resolved(node, resolve, refs)
        if ref.constant:
            value = ref.value
            return Compiled(text, lambda env: value, refs, True)
        return Compiled(text, ref.read, refs, False)
    code = _Code()
    operand = _compile(node, resolve, refs, code)
    if operand.constant:
        value = operand.value
        return Compiled(text, lambda env: value, refs, True)
    evaluate = code.function(operand.text)
    return Compiled(text, evaluate, refs, False,
                    (evaluate, tuple(code.lines), operand.text, dict(code.names)))


def _resolved(node: Node, resolve: Resolver, refs: list[Ref]) -> Ref:
    ref = resolve(node.value)
    if ref is None:
        raise ExprError(_("unknown name {name!r}").format(name=node.value), node.col)
    refs.append(ref)
    return ref


# An expression becomes the source of one Python function, compiled once: every node of
# its tree is a statement setting a local variable, so evaluating it makes no call per
# node. Statements rather than one nested expression: a long chain (`a + b + ... + z`)
# stays flat, and operands are evaluated from left to right as the grammar reads.


@dataclass(frozen=True)
class _Operand:
    """What a node compiled to: Python source naming its value, and the value if constant."""

    text: str
    constant: bool = False
    value: Any = None


_SERIAL = itertools.count(1)  # names of temporaries and globals, unique in the process


class _Code:
    """The statements of an expression's function, and the values they name (its globals)."""

    def __init__(self) -> None:
        self.lines: list[tuple[int, str]] = []  # (indentation, statement)
        self.names: dict[str, Any] = {}
        self.depth = 1

    def emit(self, statement: str) -> None:
        self.lines.append((self.depth, statement))

    def temp(self) -> str:
        return f"t{next(_SERIAL)}"

    def constant(self, value: Any) -> _Operand:
        if value is None or value is True or value is False:
            return _Operand(repr(value), True, value)
        return _Operand(self.name(value), True, value)

    def read(self, ref: Ref) -> str:
        """Python source reading a name that is not constant."""
        return ref.code or f"{self.name(ref.read)}(env)"

    def name(self, value: Any) -> str:
        """A global of the function holding `value` (a constant, a helper function)."""
        key = f"g{next(_SERIAL)}"
        self.names[key] = value
        return key

    def function(self, result: str, start: int = 0) -> Evaluator:
        """The statements from `start` on as a function of `env` returning `result`."""
        lines = self.lines[start:]
        base = lines[0][0] - 1 if lines else 0
        body = "".join(f"{'    ' * (depth - base)}{text}\n" for depth, text in lines)
        namespace = dict(self.names)
        exec(compiled(f"def evaluate(env):\n{body}    return {result}\n", "<expression>"),
             namespace)
        return namespace["evaluate"]


_ORDER = ("<", "<=", ">", ">=")


_CHAINS = ("binary", "and", "or")


def _compile(node: Node, resolve: Resolver, refs: list[Ref], code: _Code) -> _Operand:
    """A node's operand. A left-associative chain (`x + x + ... + x`, `a and b and c`) is
    walked along its left side without recursion: its length is bounded only by the
    expression's, while nesting (parentheses, `not`, `-`) is bounded by MAX_DEPTH."""
    spine: list[Node] = []
    while node.kind in _CHAINS:
        spine.append(node)
        node = node.args[0]
    operand = _compile_one(node, [], resolve, refs, code)
    for parent in reversed(spine):
        operand = _compile_one(parent, [operand], resolve, refs, code)
    return operand


def _compile_one(node: Node, done: list[_Operand], resolve: Resolver, refs: list[Ref],
                 code: _Code) -> _Operand:
    """A node's operand, its first operand already compiled when `done` holds it."""
    kind = node.kind
    if kind == "lit":
        return code.constant(node.value)
    if kind == "name":
        ref = _resolved(node, resolve, refs)
        if ref.constant:
            return code.constant(ref.value)
        out = code.temp()
        code.emit(f"{out} = {code.read(ref)}")
        return _Operand(out)
    if kind in ("and", "or"):
        args = done or [_compile(node.args[0], resolve, refs, code)]
        start = len(code.lines)
        out = _short_circuit(node, args, resolve, refs, code)
    else:
        args = done + [_compile(a, resolve, refs, code) for a in node.args[len(done):]]
        start = len(code.lines)
        out = code.temp()
        code.emit(f"{out} = {_combine(node, [a.text for a in args], code)}")
    if all(a.constant for a in args):
        # nothing in it depends on a case: worked out once, now
        try:
            value = code.function(out, start)({})
        except (TypeError, ValueError, ArithmeticError) as err:
            # it fails for every case, so say so now
            raise ExprError(_("cannot be evaluated: {problem}").format(problem=err), node.col) from None
        except Exception:  # noqa: BLE001 - fold only what evaluates cleanly; report at run time
            return _Operand(out)
        del code.lines[start:]
        return code.constant(value)
    return _Operand(out)


def _short_circuit(node: Node, args: list[_Operand], resolve: Resolver, refs: list[Ref],
                   code: _Code) -> str:
    """`and`, `or`: the right operand is evaluated only when the left does not decide."""
    out = code.temp()
    left = args[0].text
    if node.kind == "and":
        code.emit(f"if not {left}:")
        code.emit(f"    {out} = False")
    else:
        code.emit(f"if {left}:")
        code.emit(f"    {out} = True")
    code.emit("else:")
    code.depth += 1
    right = _compile(node.args[1], resolve, refs, code)
    args.append(right)
    code.emit(f"{out} = not not {right.text}")
    code.depth -= 1
    return out


def _combine(node: Node, args: list[str], code: _Code) -> str:
    """Python source of a node's value from its operands (each a name or a literal)."""
    kind = node.kind
    if kind == "list":
        return f"[{', '.join(args)}]"
    if kind == "not":
        return f"not {args[0]}"
    if kind == "unary":  # only numbers have a minus: true and false are no numbers
        return f"None if {args[0]} is None else {code.name(_negated)}({args[0]})"
    if kind == "call":
        fn = FUNCTIONS[node.value]
        if fn.inline:
            call = fn.inline.format(*args)
        else:
            call = f"{code.name(fn.fn)}({', '.join(args)})"
        if fn.nullsafe:
            return f"None if {' or '.join(f'{a} is None' for a in args)} else {call}"
        return call
    a, b = args
    op = node.value
    if op in ("==", "!="):
        return f"{a} {op} {b}"
    if op == "in":
        return f"False if {b} is None else {a} in {b}"
    if op == "not in":
        return f"True if {b} is None else {a} not in {b}"
    if op in _ORDER:  # ordering with null is false
        return f"{a} is not None and {b} is not None and {a} {op} {b}"
    return f"{code.name(_arith(op))}({a}, {b})"


def compile_text(pieces: list[str | Ref], show: Callable[[Any], str]) -> Evaluator:
    """A text of literal pieces and names, each name's value shown with `show`, as one
    function of the environment. A constant (a parameter) is shown once, now."""
    return compile_text_inline(pieces, show)[0]


def compile_text_inline(pieces: list[str | Ref], show: Callable[[Any], str]) -> tuple:
    """`compile_text`, and the text as `Compiled.inline` has an expression."""
    code = _Code()
    shown = code.name(show)
    parts = []
    for piece in pieces:
        if isinstance(piece, str):
            parts.append(code.constant(piece).text)
        elif piece.constant:
            parts.append(code.constant(show(piece.value)).text)
        else:
            parts.append(f"{shown}({code.read(piece)})")
    result = " + ".join(parts) or "''"
    evaluate = code.function(result)
    return evaluate, (evaluate, (), f"({result})", dict(code.names))


def compile_mapping(values: list[tuple[str, Evaluator]]) -> Evaluator:
    """A mapping of names to what their evaluators give, as one function of the environment."""
    code = _Code()
    items = ", ".join(f"{name!r}: {code.name(value)}(env)" for name, value in values)
    return code.function(f"{{{items}}}")


def compile_call(fn: Callable, arguments: list[tuple[str, Evaluator]]) -> Evaluator:
    """`fn` called with keyword arguments (Python names) that evaluators give, as one
    function of the environment."""
    code = _Code()
    items = ", ".join(f"{name}={code.name(value)}(env)" for name, value in arguments)
    return code.function(f"{code.name(fn)}({items})")


def compile_per_item(texts: list[tuple[str, str]], resolve: Resolver, item_key: str,
                     single: bool = False) -> Callable[[Env], Callable[[Any], Any]]:
    """Expressions over the items of a list (already compiled one by one, so they are known
    to compile) as one function of an item, made once per step for its environment: a dict
    of their values by name, or with `single` the one value. One Python call per item, not
    one per expression and per name it reads."""
    prefix = f"env[{item_key!r}]."

    def local(name: str) -> Ref | None:  # a field of the item read from the local `item`
        ref = resolve(name)
        if ref is not None and ref.code is not None and ref.code.startswith(prefix):
            ref = replace(ref, code="item." + ref.code[len(prefix):])
        return ref

    code = _Code()
    code.depth = 2
    code.emit(f"env[{item_key!r}] = item")
    results = [(name, _compile(parse(text), local, [], code).text) for name, text in texts]
    if single:
        result = results[0][1]
    else:
        result = "{" + ", ".join(f"{name!r}: {text}" for name, text in results) + "}"
    body = "".join(f"{'    ' * depth}{text}\n" for depth, text in code.lines)
    namespace = dict(code.names)
    exec(compiled(f"def bind(env):\n    def for_item(item):\n{body}        return {result}\n"
                  "    return for_item\n", "<expression>"), namespace)
    return namespace["bind"]


def names_in(text: str) -> list[str]:
    """The names an expression reads (for cross-checks that do not compile)."""
    out: list[str] = []
    stack = [parse(text)]
    while stack:  # without recursion: a chain of terms is as long as the expression
        node = stack.pop()
        if node.kind == "name":
            out.append(node.value)
        stack.extend(reversed(node.args))
    return out
