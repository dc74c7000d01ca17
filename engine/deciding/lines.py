"""Deciding batch lines: one JSON Lines line or CSV row at a time, an error in place of a
line that cannot be decided, and the decisions added to a decision-log block builder.

The one implementation of a batch line, used by `decide --cases` (in-process or in its
worker processes) and by the Dask path (`distributed`), so every way of running a batch
gives the same answer, byte for byte, for every line.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from itertools import islice
from typing import Any

from ..base.errors import RegelwerkError, UsageError
from ..rulefiles.yamlsource import load_json_record

_RECORD_KEYS = {"decision", "on", "case"}
_TRUE = {"true", "ja", "yes", "waar", "1"}
_FALSE = {"false", "nee", "no", "onwaar", "0"}


class Lines(tuple):
    """A chunk of JSON Lines as one block of bytes: (first line number, bytes, line count).

    Handing a worker one block instead of a list of lines keeps the reading process cheap:
    it neither splits nor pickles lines one by one."""


def jsonl_chunks(stream: Any, size: int) -> Iterator[Lines]:
    """A binary stream of JSON Lines as chunks of `size` lines (see `Lines`)."""
    number = 1
    while True:
        lines = list(islice(stream, size))
        if not lines:
            return
        yield Lines((number, b"".join(lines), len(lines)))
        number += len(lines)


def chunk_items(chunk: Any) -> Iterable[tuple[int, Any]]:
    """(line number, line) for every non-blank line of a chunk; parsing is left to the worker."""
    if not isinstance(chunk, Lines):
        return chunk
    first, data, _count = chunk
    return ((n, raw) for n, raw in enumerate(data.split(b"\n"), start=first) if raw.strip())


def chunk_len(chunk: Any) -> int:
    return chunk[2] if isinstance(chunk, Lines) else len(chunk)


class CsvRow(dict):
    """A CSV row as text by column name; cells are typed by the decision's declared inputs."""


class BadRow(str):
    """A row that cannot be read; the text says why."""


def _cell(spec: Any, text: str) -> Any:
    """A CSV cell as the declared type of its fact (text that does not fit is left as text,
    so the fact check names the value)."""
    kind = getattr(spec, "type", "text")
    value = text.strip()
    if kind == "bool":
        low = value.casefold()
        return True if low in _TRUE else False if low in _FALSE else value
    if kind in ("integer", "number"):
        try:
            return int(value)
        except ValueError:
            pass
        if kind == "number":
            try:
                return float(value)
            except ValueError:
                pass
        return value
    if kind == "list":
        try:
            return json.loads(value)
        except ValueError:
            return value
    return text if kind == "text" else value


def _csv_record(engine: Any, row: dict, decision: str | None, on: Any) -> dict:
    did = row.pop("decision", "").strip() or decision
    day = row.pop("on", "").strip() or on
    case: dict = {}
    if did:
        from ..deciding.api import parse_on

        specs = {s.name: s for s in engine.resolve(did, parse_on(day))[2].inputs}
        for name, text in row.items():
            if text.strip():
                case[name] = _cell(specs.get(name), text)
    return {"decision": did, "on": day, "case": case}


def decide_one(engine: Any, item: Any, decision: str | None, on: Any) -> tuple[Any, Any, Any]:
    """The result of one line, the case facts it was decided on, and the line as JSON
    (UTF-8 bytes; None for a CSV row)."""
    if isinstance(item, BadRow):
        raise UsageError(str(item))
    raw = None
    if isinstance(item, CsvRow):
        record = _csv_record(engine, dict(item), decision, on)
    else:
        try:
            raw = item
            record = load_json_record(item.decode("utf-8"))
        except json.JSONDecodeError as err:
            raise UsageError(f"invalid JSON at column {err.colno}: {err.msg}") from None
        except UnicodeDecodeError as err:
            raise UsageError(f"not UTF-8 text ({err.reason})") from None
    result = engine.decide_record(record, decision, on)
    if not record.keys() <= _RECORD_KEYS:
        raw = None  # the log keeps what was decided on, not what else the line carried
    return result, record.get("case", {}), raw


def decide_chunk(engine: Any, chunk: Any, decision: str | None, on: Any,
                 builder: Any = None) -> tuple[bytes, int, int, list]:
    """Decide a chunk of lines: (output lines, lines failed, internal errors, decision-log
    blocks to write). `builder`, when given, is a decision-log block builder
    (`log.blocks.BlockBuilder`): each decision is added to it and its line gets a `log_id`."""
    blocks = []
    out: list[bytes] = []  # encoded line by line: the log keeps the same bytes
    failed = internal = 0
    for number, item in chunk_items(chunk):
        try:
            result, case, record = decide_one(engine, item, decision, on)
            text = result.as_json().encode("utf-8")
            if builder is not None:
                if builder.full():
                    blocks.append(builder.take())
                logged = builder.add(result, case, text, record)
                text = b"".join((text[:-1], b',"log_id":"', logged.encode(), b'"}'))
            out.append(text)
            continue
        except RegelwerkError as err:
            message = str(err)
        except RecursionError:
            message = "the line is nested too deeply"
        except Exception as err:  # noqa: BLE001 - a bug: name it on its line, go on
            internal += 1
            message = f"internal error: {type(err).__name__}: {' '.join(str(err).split())}"
        failed += 1
        out.append(json.dumps({"line": number, "error": message}, ensure_ascii=False,
                              separators=(",", ":")).encode("utf-8"))
    out.append(b"")
    if builder is not None and len(builder):
        blocks.append(builder.take())
    return b"\n".join(out), failed, internal, blocks
