"""Decision values as JSON: dates as ISO text, tuples as lists, with one compact encoder
built once and shared by the output, the trail and the decision log."""

from __future__ import annotations

import datetime as _dt
import json
import operator
import sys
from typing import Any


def to_json(value: Any) -> Any:
    """Python values of a decision as JSON values: dates as ISO text, tuples as lists."""
    if isinstance(value, _dt.date):
        return value.isoformat()
    if isinstance(value, dict):
        return {str(k): to_json(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [to_json(v) for v in value]
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    describe = getattr(value, "describe", None)
    if callable(describe):
        return to_json(describe())
    return str(value)


def json_default(value: Any) -> Any:
    if isinstance(value, _dt.date):
        return value.isoformat()
    return to_json(value)


def _make_dumps():
    """One compact, non-ASCII-escaping JSON encoder built once (the C one when available):
    `JSONEncoder.encode` would build a new C encoder for every call."""
    from json import encoder as _enc

    if _enc.c_make_encoder is None:  # pragma: no cover - Python without the C accelerator
        return json.JSONEncoder(ensure_ascii=False, separators=(",", ":"), allow_nan=False,
                                default=json_default).encode
    try:
        # the last argument is allow_nan: never write NaN or Infinity, which are not JSON
        make = _enc.c_make_encoder(None, json_default, _enc.encode_basestring, None, ":", ",",
                                   False, False, False)
        # The same, turning what it cannot write into text by the value's own `isoformat`,
        # called from C: a decision's dates (most of what it cannot write) cost no Python
        # call each. A value without `isoformat` fails it, and the line is written again.
        dates = _enc.c_make_encoder(None, operator.methodcaller("isoformat"),
                                    _enc.encode_basestring, None, ":", ",", False, False, False)
    except TypeError:  # pragma: no cover - a Python whose C encoder takes other arguments
        return json.JSONEncoder(ensure_ascii=False, separators=(",", ":"), allow_nan=False,
                                default=json_default).encode

    def dumps(value: Any) -> str:
        if isinstance(value, str):
            return _enc.encode_basestring(value)
        try:
            return "".join(dates(value, 0))
        except (AttributeError, TypeError):
            return "".join(make(value, 0))

    return dumps


_dumps = _make_dumps()
_encode_text = json.encoder.encode_basestring  # a text as JSON, as `_dumps` writes one


_PLAIN = frozenset({str, int, bool, type(None), _dt.date})


def plain_json(value: Any) -> bool:
    """Whether msgspec's encoder writes `value` byte for byte as `json_text` does (checked
    for every character, integers of any size, dates): nothing but texts, integers,
    booleans, None, dates (not datetimes), floats that are written without an exponent
    (msgspec writes 1e16 where the json module writes 1e+16, and NaN as null), and lists,
    tuples and dicts with text keys of those."""
    kind = type(value)
    if kind in _PLAIN:
        return True
    if kind is float:
        return value == 0.0 or 1e-4 <= abs(value) < 1e16
    if kind is dict:
        for key, item in value.items():
            if type(key) is not str or (type(item) not in _PLAIN and not plain_json(item)):
                return False
        return True
    if kind is list or kind is tuple:
        for item in value:
            if type(item) not in _PLAIN and not plain_json(item):
                return False
        return True
    return False


def plain_json_bytes(value: Any) -> bytes | None:
    """`json_text(value)` as UTF-8, made straight as bytes by msgspec (three times the
    speed) when the value is plain (see `plain_json`) and msgspec is imported (see
    `msgspec_encoder`); else None, as for a value msgspec refuses (a lone surrogate):
    `json_text` says what is wrong with it."""
    encode = msgspec_encoder()
    try:
        if encode is not None and plain_json(value):
            return encode(value)
    except (RecursionError, UnicodeEncodeError):
        pass
    return None


def json_bytes(value: Any) -> bytes:
    """`json_text(value)` as UTF-8: by msgspec when it can (see `plain_json_bytes`), else by
    the json module, which raises for what is not JSON."""
    text = plain_json_bytes(value)
    return json_text(value).encode("utf-8") if text is None else text


_encoder: Any = None


def msgspec_encoder() -> Any:
    """msgspec's JSON encoder once msgspec is imported (a batch imports it to read its lines),
    else None: the json module writes the same bytes, and a single decision is not worth
    msgspec's import (7 ms of a start)."""
    global _encoder
    if _encoder is None:
        msgspec = sys.modules.get("msgspec")
        if msgspec is None:
            return None
        _encoder = msgspec.json.Encoder().encode
    return _encoder


def json_text(value: Any) -> str:
    """Decision values as compact JSON text (dates as ISO text, non-ASCII kept), the same
    text `json.dumps(to_json(value), ensure_ascii=False, separators=(",", ":"))` gives."""
    return _dumps(value)


def json_values(value: Any) -> Any:
    """A deep copy of values as plain JSON values: what `json.loads(json_text(value))`
    gives (dates as ISO text, tuples as lists), about twice as fast for plain values (see
    `plain_json`): their text, written by msgspec, read back by msgspec's decoder. Raises
    as `json_text` does."""
    text = plain_json_bytes(value)
    if text is not None:
        global _decoder
        if _decoder is None:
            import msgspec

            _decoder = msgspec.json.Decoder().decode
        try:
            return _decoder(text)
        except (RecursionError, ValueError):  # too deep for it: the json module decides
            pass
    return json.loads(_dumps(value))


_decoder: Any = None  # msgspec's JSON decoder, made on first use (see json_values)
