"""Read rule files (YAML) and case files (JSON or YAML) safely, keeping the place of every value.

This is a security boundary: a file is only ever parsed into plain data. ruamel.yaml is used for
its compose step alone (text to node tree); this module builds the Python values itself, so no
tag can create an object, and aliases are measured before they are expanded.
"""

from __future__ import annotations

import codecs
import datetime as dt
import json
import math
import os
import re
import sys
from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING, Any

from ..base.dates import date_problem
from ..base.errors import CaseFileError, Problem, RuleFileError, UsageError
from ..base.i18n import N_, _, ngettext
from ..base.located import Located
from . import yamlhints

if TYPE_CHECKING:  # pragma: no cover
    from ruamel.yaml.nodes import Node


def _import_ruamel() -> None:
    """Import the YAML reader when a YAML file is first read, not before: a JSON case (and a
    batch of JSON Lines) never needs it, and it costs a start a tenth of its time."""
    global YAML, MarkedYAMLError, MappingNode, ScalarNode, SequenceNode, ReaderError
    global _MaxDepthExceeded
    from ruamel.yaml import YAML, composer
    from ruamel.yaml.error import MarkedYAMLError
    from ruamel.yaml.nodes import MappingNode, ScalarNode, SequenceNode
    from ruamel.yaml.reader import ReaderError

    # ruamel.yaml >= 0.19 stops deep nesting itself; before that, `except ()` catches nothing
    # and deep nesting is caught by RecursionError or by _Builder.measure.
    _MaxDepthExceeded = getattr(composer, "MaxDepthExceededError", ())

_TAG = "tag:yaml.org,2002:"
_STR, _NULL, _BOOL, _INT, _FLOAT = (_TAG + s for s in ("str", "null", "bool", "int", "float"))
_STAMP, _SEQ, _MAP = (_TAG + s for s in ("timestamp", "seq", "map"))
_MERGE, _VALUE = _TAG + "merge", _TAG + "value"

# Plain '<<' and '=' resolve to the merge and value tags; anywhere but a merge key they are text.
_TEXT_TAGS = frozenset({_STR, _MERGE, _VALUE})
_SCALAR_KINDS = {
    _STR: N_("text"),
    _MERGE: N_("text"),
    _VALUE: N_("text"),
    _NULL: N_("empty"),
    _BOOL: N_("true/false"),
    _INT: N_("a number"),
    _FLOAT: N_("a number"),
    _STAMP: N_("a date"),
}
_VALUE_KINDS = (
    (bool, N_("true/false")),
    (str, N_("text")),
    (list, N_("a list")),
    (dict, N_("a mapping")),
    ((int, float), N_("a number")),
    (dt.date, N_("a date")),
)
N_("a tagged value"), N_("rule files"), N_("case files")  # words of the messages below
_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
# A lone surrogate ("\ud800" in JSON or YAML) is no character: it cannot be written as UTF-8
_SURROGATE = re.compile("[\ud800-\udfff]")
_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F]")  # how one is written in JSON
_JSON_CONSTANT = re.compile(r'"(?:[^"\\]|\\.)*"|(-?Infinity|NaN)', re.DOTALL)


@dataclass(frozen=True)
class Limits:
    """Bounds on what one file may cost to read, so a hostile file cannot exhaust memory or time."""

    max_bytes: int = 2_000_000
    max_depth: int = 64
    max_nodes: int = 200_000


DEFAULT_LIMITS = Limits()
CASE_LIMITS = Limits(max_bytes=50_000_000, max_nodes=5_000_000)


def load_yaml_bytes(
    raw: bytes, name: str, *, expect_mapping: bool = True, limits: Limits = DEFAULT_LIMITS,
    kind: str = "rule files",
) -> Located:
    """Parse YAML bytes into plain data with positions; raise RuleFileError with all problems."""
    if len(raw) > limits.max_bytes:
        raise RuleFileError([Problem(name, 1, 1, _too_big(len(raw), limits.max_bytes))])
    root = _compose(_decode(raw, name), name, limits)
    if root is None or (str(root.tag) == _NULL and root.value == ""):
        raise RuleFileError([Problem(name, 1, 1, _("file is empty"))])
    builder = _Builder(name, limits, kind)
    try:
        builder.measure(root)
        data = builder.build(root, ())
    except RecursionError:
        raise RuleFileError([Problem(name, 1, 1, _("nesting too deep"))]) from None
    if expect_mapping and not isinstance(root, MappingNode):
        top = _("a rule file must be a mapping (key: value) at the top, not {kind}").format(
            kind=_(_node_kind(root)))
        builder.problems.insert(0, Problem(name, 1, 1, top))
    if builder.problems:
        raise RuleFileError(builder.problems)
    return Located(data, name, builder.positions, builder.key_positions)


def load_yaml_file(
    path: str | os.PathLike,
    *,
    name: str | None = None,
    expect_mapping: bool = True,
    limits: Limits = DEFAULT_LIMITS,
) -> Located:
    """Read and parse a YAML file (see load_yaml_bytes); name is how messages call the file."""
    name = str(path) if name is None else name
    try:
        raw = _read_bytes(path, name, limits.max_bytes)
    except OSError as exc:
        raise RuleFileError([Problem(name, 1, 1, _("cannot read file: {reason}")
                                     .format(reason=_reason(exc)))]) from None
    return load_yaml_bytes(raw, name, expect_mapping=expect_mapping, limits=limits)


def load_case_file(path: str, *, stdin_bytes: bytes | None = None) -> dict:
    """Read a case's facts from JSON or YAML ('-' is stdin); raise CaseFileError if unreadable."""
    name = "<stdin>" if path == "-" else str(path)
    try:
        if path == "-":
            raw = sys.stdin.buffer.read() if stdin_bytes is None else stdin_bytes
        else:
            raw = _read_bytes(path, name, CASE_LIMITS.max_bytes)
        if len(raw) > CASE_LIMITS.max_bytes:
            limit = CASE_LIMITS.max_bytes
            message = (_("more than the limit of {limit:,} bytes").format(limit=limit)
                       if path == "-" else _too_big(len(raw), limit))  # a stream is read only to the limit
            raise CaseFileError(name, message, 1, 1)
        suffix = os.path.splitext(name)[1].lower()
        if suffix == ".json" or (suffix not in (".yaml", ".yml") and raw.lstrip()[:1] == b"{"):
            data = _load_json(raw, name, CASE_LIMITS)
        else:
            data = load_yaml_bytes(raw, name, expect_mapping=False, limits=CASE_LIMITS,
                                   kind="case files").data
    except OSError as exc:
        raise CaseFileError(name, _("cannot read case file: {reason}").format(reason=_reason(exc))) from None
    except RuleFileError as err:
        first, more = err.problems[0], len(err.problems) - 1
        extra = ngettext(" (and {n} more problem)", " (and {n} more problems)", more).format(
            n=more) if more else ""
        raise CaseFileError(name, first.message + extra, first.line, first.col) from None
    if not isinstance(data, dict):
        kind = _value_kind(data)
        message = _("a case file must be a mapping of facts at the top ({{...}}), not {kind}").format(
            kind=_(kind))
        raise CaseFileError(name, message, 1, 1)
    return data


class _Builder:
    """Turns a composed node tree into plain data, recording positions and every problem."""

    def __init__(self, name: str, limits: Limits, kind: str = "rule files") -> None:
        self.name = name
        self.limits = limits
        self.kind = kind  # what the file is, for messages: "rule files", "case files"
        self.problems: list[Problem] = []
        self.reported: set[Problem] = set()
        self.positions: dict[tuple, tuple[int, int]] = {}
        self.key_positions: dict[tuple, tuple[int, int]] = {}

    def fail(self, node: Node, message: str) -> RuleFileError:
        """The single fatal error for a tree that must not be built at all."""
        return RuleFileError([Problem(self.name, *_place(node), message)])

    def error(self, node: Node, message: str) -> None:
        """Record a problem once, though an alias may expand its node many times."""
        problem = Problem(self.name, *_place(node), message)
        if problem not in self.reported:
            self.reported.add(problem)
            self.problems.append(problem)

    def measure(self, root: Node) -> None:
        """Check expanded size, depth and alias cycles per distinct node, before expanding any."""
        limits = self.limits
        seen: dict[int, tuple[int, int]] = {}  # id(node) -> (expanded node count, height)
        active: set[int] = set()  # nodes being visited: meeting one again is an alias cycle

        def visit(node: Node, depth: int) -> tuple[int, int]:
            if id(node) not in seen:
                if id(node) in active:
                    raise self.fail(node, _("alias *{name} is used inside its own anchor &{name} "
                                            "(recursive alias)").format(name=node.anchor))
                if depth > limits.max_depth:
                    raise self.fail(node, _too_deep(limits))
                active.add(id(node))
                size, height = 1, 0
                for child in _children(node):
                    child_size, child_height = visit(child, depth + 1)
                    size, height = size + child_size, max(height, child_height + 1)
                    if size > limits.max_nodes:
                        raise self.fail(node, _("document expands to more than {n:,} nodes "
                                                "(nested aliases?)").format(n=limits.max_nodes))
                active.discard(id(node))
                seen[id(node)] = size, height
            size, height = seen[id(node)]
            if depth + height > limits.max_depth:
                raise self.fail(node, _too_deep(limits))
            return size, height

        visit(root, 0)

    def build(self, node: Node, path: tuple) -> Any:
        """Plain data for node at path; a node with a tag we do not allow becomes a problem."""
        self.positions[path] = _place(node)
        tag = str(node.tag)
        if isinstance(node, ScalarNode):
            return self.scalar(node, tag)
        if isinstance(node, SequenceNode) and tag == _SEQ:
            return [self.build(item, (*path, i)) for i, item in enumerate(node.value)]
        if isinstance(node, MappingNode) and tag == _MAP:
            return self.mapping(node, path)
        self.error(node, _tag_not_allowed(tag, self.kind))
        return None

    def scalar(self, node: ScalarNode, tag: str) -> Any:
        """The value of a scalar by its resolved tag (YAML 1.2 core schema, dates without time)."""
        if tag in _TEXT_TAGS:
            if _SURROGATE.search(node.value):
                self.error(node, _lone_surrogate(node.value))
            return node.value
        convert = _CONVERTERS.get(tag)
        if convert is None:
            self.error(node, _tag_not_allowed(tag, self.kind))
            return None
        try:
            return convert(node.value)
        except ValueError as exc:
            self.error(node, str(exc))
            return None

    def mapping(self, node: MappingNode, path: tuple) -> dict:
        """A dict in file order; a repeated key is a problem at the repeat, the first one counts."""
        result: dict[str, Any] = {}
        for key_node, value_node in node.value:
            key = self.key(key_node)
            if key is None:
                continue
            key_path = (*path, key)
            if key in result:
                first = self.key_positions[key_path][0]
                self.error(key_node, _("duplicate key {key} (first at line {line})")
                           .format(key=_show(key), line=first))
                continue
            self.key_positions[key_path] = _place(key_node)
            result[key] = self.build(value_node, key_path)
        return result

    def key(self, node: Node) -> str | None:
        """The key as text, or None after recording why it cannot be one."""
        tag = str(node.tag)
        if tag == _MERGE and isinstance(node, ScalarNode):
            self.error(node, _("merge keys (<<) are not supported; write the keys out in full"))
        elif isinstance(node, ScalarNode) and tag in _TEXT_TAGS:
            if _SURROGATE.search(node.value):
                self.error(node, _lone_surrogate(node.value))
                return None
            return node.value
        elif isinstance(node, ScalarNode) and tag not in _CONVERTERS:
            self.error(node, _tag_not_allowed(tag, self.kind))
        else:
            quote = (_("; put {value} in quotes").format(value=_show(node.value))
                     if isinstance(node, ScalarNode) else "")
            self.error(node, _("keys must be text, not {kind}").format(kind=_(_node_kind(node)))
                       + quote)
        return None


# Converters for the resolved scalar tags: a ValueError carries the message for the user.


def _to_null(text: str) -> None:
    if text.lower() not in ("", "~", "null"):
        raise ValueError(_("{value} is not empty (null)").format(value=_show(text)))


def _to_bool(text: str) -> bool:
    if text.lower() not in ("true", "false"):
        raise ValueError(_("{value} is not true or false").format(value=_show(text)))
    return text.lower() == "true"


def _to_int(text: str) -> int:
    digits = text.replace("_", "").lstrip("+-")
    if len(digits) > 1 and digits[0] == "0" and digits.isdigit():
        raise ValueError(_("{value} starts with 0: put it in quotes if it is a code, or leave out "
                           "the 0 if it is a number").format(value=_show(text)))
    try:
        number = int(text.replace("_", ""), 0)
    except ValueError:
        message = _("{value} is not a whole number; put it in quotes if it is text").format(
            value=_show(text))
        raise ValueError(message) from None
    if number.bit_length() > MAX_BITS:
        raise ValueError(f"{_show(text)} is too large: a whole number has at most {MAX_BITS} "
                         "bits (about 1,233 digits)")
    return number


MAX_BITS = 4096  # as for numbers an expression computes (compiling.expr.MAX_BITS)


def _to_float(text: str) -> float:
    try:
        number = float(text.replace("_", "").lower().replace(".inf", "inf"))
    except ValueError:
        number = math.nan
    if math.isnan(number):
        raise ValueError(_("{value} is not a number; put it in quotes if it is text").format(
            value=_show(text)))
    if math.isinf(number):  # .inf, 1e999: no rule can compare with it, and JSON cannot hold it
        raise ValueError(_("{value} is not a finite number").format(value=_show(text)))
    return number


def _to_date(text: str) -> dt.date:
    if not _DATE.fullmatch(text):
        if any(mark in text for mark in "Tt :"):
            raise ValueError(_("only dates YYYY-MM-DD are supported, not a date and time: {value}")
                             .format(value=_show(text)))
        raise ValueError(_("write dates as YYYY-MM-DD, not {value}").format(value=_show(text)))
    try:
        return dt.date(int(text[:4]), int(text[5:7]), int(text[8:]))
    except ValueError:
        raise ValueError(date_problem(text)) from None


_CONVERTERS = {_NULL: _to_null, _BOOL: _to_bool, _INT: _to_int, _FLOAT: _to_float, _STAMP: _to_date}


def _compose(text: str, name: str, limits: Limits) -> Node | None:
    """Parse text into ruamel's node tree only (never constructing objects); syntax -> Problem."""
    if "YAML" not in globals():
        _import_ruamel()
    # typ="base", pure=True: the plain Python parser, no comment tokens, the most limited
    # constructor (never called); ruamel counts the top node as depth 1.
    yaml = YAML(typ="base", pure=True)
    yaml.max_depth = limits.max_depth + 1
    yaml.composer.warn_double_anchors = False
    try:
        root = yaml.compose(text)
    except _MaxDepthExceeded as exc:
        problem = Problem(name, *_mark_place(exc.problem_mark), _too_deep(limits))
    except MarkedYAMLError as exc:
        problem = _syntax_problem(name, exc, text)
    except ReaderError as exc:
        problem = _reader_problem(name, text, exc)
    except RecursionError:
        problem = Problem(name, 1, 1, _("nesting too deep"))
    except Exception as exc:  # noqa: BLE001 - anything else the parser raises is a Problem too
        detail = _clip(" ".join(f"{type(exc).__name__}: {exc}".split()), 200)
        problem = Problem(name, 1, 1, _("cannot read this file as YAML ({detail})").format(
            detail=detail))
    else:
        if yaml.version in (None, (1, 2)):
            return root
        major, minor = yaml.version
        message = _("only YAML 1.2 is supported: remove the line '%YAML {major}.{minor}'").format(
            major=major, minor=minor)
        problem = Problem(name, 1, 1, message)
    raise RuleFileError([problem])


def _syntax_problem(name: str, exc: MarkedYAMLError, text: str = "") -> Problem:
    """One-line Problem from a ruamel scanner/parser/composer error, at its problem mark."""
    mark = exc.problem_mark or exc.context_mark
    message = " ".join(str(exc.problem or exc.context or "invalid YAML").split())
    context = exc.context_mark
    if exc.problem and exc.context and context and _mark_place(context) != _mark_place(mark):
        line, col = _mark_place(context)
        message += f" ({' '.join(exc.context.split())} at line {line}, column {col})"
    hint = yamlhints.explain(text, *_mark_place(mark), message)
    if hint is not None:
        return Problem(name, hint.line, hint.col, hint.message)
    if any(sign in message for sign in yamlhints.INDENTATION_SIGNS):
        message += _("; check the indentation: a key lines up with the other keys of its block")
    return Problem(name, *_mark_place(mark), message)


def _reader_problem(name: str, text: str, exc: ReaderError) -> Problem:
    """Problem for a character YAML does not accept (control characters), at its place."""
    line, col = _text_place(text, exc.position if isinstance(exc.position, int) else 0)
    char = f"U+{exc.character:04X}" if isinstance(exc.character, int) else repr(exc.character)
    return Problem(name, line, col, _("character {char} is not allowed in YAML ({reason})")
                   .format(char=char, reason=exc.reason))


def _decode(raw: bytes, name: str) -> str:
    """UTF-8 text of raw; a BOM or a bad byte is a Problem at its line and column."""
    if raw.startswith(codecs.BOM_UTF8):
        message = _("file starts with a byte-order mark: save it as UTF-8 without byte-order mark")
        raise RuleFileError([Problem(name, 1, 1, message)])
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line_start = raw.rfind(b"\n", 0, exc.start) + 1
        line = raw.count(b"\n", 0, exc.start) + 1
        col = len(raw[line_start : exc.start].decode("utf-8")) + 1
        message = _("byte \\x{byte:02x} is not UTF-8: save the file as UTF-8").format(
            byte=raw[exc.start])
        raise RuleFileError([Problem(name, line, col, message)]) from None


def _load_json(raw: bytes, name: str, limits: Limits = DEFAULT_LIMITS) -> Any:
    """Parse JSON case facts, refusing NaN/Infinity and duplicate keys."""
    text = _decode(raw, name)
    if not text.strip():
        raise CaseFileError(name, _("file is empty"), 1, 1)
    try:
        data = json.loads(text, parse_constant=_no_constant, parse_float=_finite,
                          object_pairs_hook=_unique_keys)
    except json.JSONDecodeError as exc:
        raise CaseFileError(name, exc.msg, exc.lineno, exc.colno) from None
    except RecursionError:
        raise CaseFileError(name, _("nesting too deep"), 1, 1) from None
    except _JsonConstant as exc:
        # json does not say where; outside strings the first such word is the one it refused.
        found = next((m for m in _JSON_CONSTANT.finditer(text) if m.group(1)), None)
        place = _text_place(text, found.start(1)) if found else (None, None)
        raise CaseFileError(name, str(exc), *place) from None
    except _JsonNumber as exc:
        raise CaseFileError(name, str(exc)) from None
    except ValueError as exc:  # duplicate keys, or an integer too long to convert
        message = str(exc)
        if "integer string conversion" in message:
            message = _("a number has more than 4300 digits: give a number a rule can use")
        raise CaseFileError(name, message) from None
    _check_json_size(data, name, limits)
    if "\\u" in text and _SURROGATE_ESCAPE.search(text):
        problem = lone_surrogate_in(data)
        if problem:
            raise CaseFileError(name, problem)
    return data


def lone_surrogate_in(data: Any) -> str | None:
    """What is wrong when a text (or a key) of JSON data holds a lone surrogate, else None.
    JSON can write one (`"\\ud800"`) though it is no character: it cannot be printed or
    logged as UTF-8, so it is refused as bad input, naming where it is."""
    stack: list[tuple[Any, str]] = [(data, "")]
    while stack:
        value, where = stack.pop()
        if isinstance(value, str):
            if _SURROGATE.search(value):
                return f"{where or 'a value'}: {_lone_surrogate(value)}"
        elif isinstance(value, dict):
            for key, item in value.items():
                path = f"{where}.{key}" if where else key
                if _SURROGATE.search(key):
                    return f"key {_lone_surrogate(key)}"
                stack.append((item, path))
        elif isinstance(value, list):
            stack.extend((item, f"{where}[{i}]") for i, item in enumerate(value))
    return None


def _lone_surrogate(text: str) -> str:
    found = _SURROGATE.search(text)
    code = f"\\u{ord(found.group()):04x}" if found else "?"
    shown = _clip(text.encode("ascii", "backslashreplace").decode("ascii"), 60)
    return f"text '{shown}' holds a lone surrogate {code}: not valid Unicode"


def load_json_record(raw: bytes | str) -> Any:
    """One JSON value of a stream of records (a line of JSON Lines), held to the rules of case
    files: no NaN or Infinity, no duplicate keys, within the case limits. A syntax error is
    raised as json.JSONDecodeError (the caller knows the line); anything else as UsageError."""
    if isinstance(raw, (bytes, bytearray)):  # a tuple: `bytes | bytearray` is built per call
        data = _canonical_record(raw)
        if data is not _NOT_CANONICAL:
            # within the limits by its text alone (see _within_limits), the usual line
            if len(raw) <= _MAX_NODES and raw.count(b"{") + raw.count(b"[") <= _MAX_DEPTH:
                return data
            return _within_limits(raw, data)
        raw = raw.decode("utf-8")  # UnicodeDecodeError: the caller names the line
    try:
        data = _record_decoder().decode(raw)
    except json.JSONDecodeError:
        raise
    except RecursionError:
        raise UsageError(_too_deep(CASE_LIMITS)) from None
    except ValueError as exc:  # NaN, a huge number, duplicate keys, too many digits
        raise UsageError(" ".join(str(exc).split())) from None
    return _within_limits(raw, data)


def _within_limits(raw: bytes | str, data: Any) -> Any:
    # A line can hold no more values than characters, nor be nested deeper than it has
    # opening brackets: most lines are within the limits by their text alone.
    if (len(raw) > CASE_LIMITS.max_nodes
            or raw.count("{" if isinstance(raw, str) else b"{")
            + raw.count("[" if isinstance(raw, str) else b"[") > CASE_LIMITS.max_depth):
        try:
            _check_json_size(data, "line", CASE_LIMITS)
        except CaseFileError as err:
            raise UsageError(err.detail) from None
    # a lone surrogate, rare: only then look at every text (a line the fast decoder read,
    # as bytes, holds none: it refuses one)
    if type(raw) is str and "\\u" in raw and _SURROGATE_ESCAPE.search(raw):
        problem = lone_surrogate_in(data)
        if problem:
            raise UsageError(problem)
    return data


_NOT_CANONICAL = object()
_MAX_NODES, _MAX_DEPTH = CASE_LIMITS.max_nodes, CASE_LIMITS.max_depth


def _canonical_record(raw: bytes) -> Any:
    """A line decoded by msgspec's decoder (five times the speed of the json module's), when
    the line is the very text that encoding its value again gives, else _NOT_CANONICAL.
    Such a line holds no duplicate key (encoding a mapping writes each key once), no NaN or
    Infinity and no number out of range (the decoder refuses them); anything else (spaces,
    escapes, an error) takes the strict decoder, which says what is wrong as before."""
    codec = _msgspec_json()
    try:
        data = codec.decode(raw)
    except Exception:  # noqa: BLE001 - whatever the fast decoder refuses, the strict one judges
        return _NOT_CANONICAL
    if codec.encode(data) != (raw[:-1] if raw[-1:] == b"\r" else raw):
        return _NOT_CANONICAL
    return data


@cache
def _msgspec_json() -> Any:
    import msgspec

    return msgspec.json


@cache
def _record_decoder() -> json.JSONDecoder:
    """One decoder for every record (json.loads with hooks would build one per call)."""
    return json.JSONDecoder(parse_constant=_no_constant, parse_float=_finite,
                            object_pairs_hook=_unique_keys)


def _check_json_size(data: Any, name: str, limits: Limits) -> None:
    """Refuse JSON nested deeper or holding more values than the limits (no recursion)."""
    stack = [(data, 0)]
    count = 0
    while stack:
        value, depth = stack.pop()
        count += 1
        if depth > limits.max_depth:
            raise CaseFileError(name, _too_deep(limits))
        if count > limits.max_nodes:
            raise CaseFileError(name, _("file holds more than {n:,} values").format(
                n=limits.max_nodes))
        if isinstance(value, dict):
            stack.extend((item, depth + 1) for item in value.values())
        elif isinstance(value, list):
            stack.extend((item, depth + 1) for item in value)


class _JsonNumber(ValueError):
    """A number too large for a float (1e400): no rule can compare with it."""


def _finite(text: str) -> float:
    number = float(text)
    if math.isinf(number):
        raise _JsonNumber(_("{value} is too large a number for a case file").format(
            value=_clip(text, 40)))
    return number


class _JsonConstant(ValueError):
    """NaN or Infinity in JSON: not a number a rule can compare with."""


def _no_constant(word: str) -> Any:
    raise _JsonConstant(_("{word} is not allowed in a case file: give a number").format(word=word))


def _unique_keys(pairs: list[tuple[str, Any]]) -> dict:
    result: dict[str, Any] = {}
    for key, value in pairs:
        if key in result:
            raise ValueError(_("duplicate key {key} in a JSON object").format(key=_show(key)))
        result[key] = value
    return result


def _read_bytes(path: str | os.PathLike, name: str, max_bytes: int) -> bytes:
    """The file's bytes, reading no more than one byte past the limit."""
    with open(path, "rb") as handle:
        raw = handle.read(max_bytes + 1)
        if len(raw) > max_bytes:
            size = max(os.fstat(handle.fileno()).st_size, len(raw))
            raise RuleFileError([Problem(name, 1, 1, _too_big(size, max_bytes))])
    return raw


def _children(node: Node) -> list[Node]:
    if isinstance(node, SequenceNode):
        return node.value
    if isinstance(node, MappingNode):
        return [item for pair in node.value for item in pair]
    return []


def _text_place(text: str, pos: int) -> tuple[int, int]:
    return text.count("\n", 0, pos) + 1, pos - text.rfind("\n", 0, pos)


def _place(node: Node) -> tuple[int, int]:
    return _mark_place(node.start_mark)


def _mark_place(mark: Any) -> tuple[int, int]:
    return (mark.line + 1, mark.column + 1) if mark is not None else (1, 1)


def _node_kind(node: Node) -> str:
    if isinstance(node, SequenceNode):
        return "a list"
    if isinstance(node, MappingNode):
        return "a mapping"
    return _SCALAR_KINDS.get(str(node.tag), "a tagged value")


def _value_kind(value: Any) -> str:
    return next((kind for types, kind in _VALUE_KINDS if isinstance(value, types)), "empty")


def _tag_not_allowed(tag: str, kind: str = "rule files") -> str:
    shown = "!!" + tag[len(_TAG) :] if tag.startswith(_TAG) else tag
    return _("tag {tag} is not allowed in {kind}").format(tag=_clip(shown, 60), kind=_(kind))


def _too_big(size: int, limit: int) -> str:
    return _("file is {size:,} bytes, more than the limit of {limit:,} bytes").format(
        size=size, limit=limit)


def _too_deep(limits: Limits) -> str:
    return _("nesting too deep (more than {n} levels)").format(n=limits.max_depth)


def _reason(exc: OSError) -> str:
    return _("file not found") if isinstance(exc, FileNotFoundError) else exc.strerror or str(exc)


def _clip(text: str, width: int = 60) -> str:
    return text if len(text) <= width else text[: width - 3] + "..."


def _show(text: str) -> str:
    """A value from the file quoted for a message, shortened so it cannot flood the message."""
    return repr(_clip(text))
