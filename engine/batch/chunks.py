"""Chunks of a batch: lines read in blocks (`input`), CSV rows typed by the decision's inputs, and a
chunk decided line by line (with `lines`, one line's answer) into its output and the
decision-log blocks to write.

Used by `decide --cases` (in-process or in its worker processes) and by the Dask path
(`distributed`), so every way of running a batch answers every line with the same bytes.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

import msgspec  # noqa: F401 - a batch's results are written with it (jsonvalues.msgspec_encoder)

from ..base.errors import UsageError
from ..rulefiles.yamlsource import load_json_record
from .input import TOO_LONG, BadRow, CsvRow, Lines, jsonl_chunks, too_long_message
from .lines import DECIDED, INTERNAL, decide_into, decide_json_line

__all__ = ["BadRow", "CsvRow", "Lines", "chunk_items", "chunk_len", "csv_record", "decide_chunk",
           "decide_one", "jsonl_chunks"]

_TRUE = {"true", "ja", "yes", "waar", "1"}
_FALSE = {"false", "nee", "no", "onwaar", "0"}


def chunk_items(chunk: Any) -> Iterable[tuple[int, Any]]:
    """(line number, line) for every non-blank line of a chunk; parsing is left to the worker."""
    if not isinstance(chunk, Lines):
        return chunk
    first, data, _count = chunk
    return ((n, raw) for n, raw in enumerate(data.split(b"\n"), start=first) if raw.strip())


def chunk_len(chunk: Any) -> int:
    return chunk[2] if isinstance(chunk, Lines) else len(chunk)


def _cell(spec: Any, text: str) -> Any:
    """A CSV cell as the declared type of its fact (text that does not fit is left as text,
    so the fact check names the value)."""
    kind = getattr(spec, "type", "text")
    value = text.strip()
    if kind == "bool":
        low = value.casefold()
        return True if low in _TRUE else False if low in _FALSE else value
    if kind in ("integer", "number"):
        if not value.isascii() or "_" in value:  # int() reads '３', '٣' and '1_000'
            return value
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
    if kind == "list":  # held to the rules of JSON case files: no NaN, no duplicate keys
        try:
            return load_json_record(value)
        except json.JSONDecodeError:
            return value  # not JSON: the fact check names the text
    return text if kind == "text" else value


def csv_record(engine: Any, row: dict, decision: str | None, on: Any) -> dict:
    did = row.pop("decision", "").strip() or decision
    day = row.pop("on", "").strip() or on
    case: dict = {}
    if did:
        from ..deciding.api import parse_on

        specs = {s.name: s for s in engine.resolve(did, parse_on(day))[2].inputs}
        for name, text in row.items():
            if text.strip():
                try:
                    case[name] = _cell(specs.get(name), text)
                except UsageError as err:  # a JSON cell: say which column it is
                    raise UsageError(f"column {name}: {err}") from None
    return {"decision": did, "on": day, "case": case}


def decide_one(engine: Any, item: Any, decision: str | None, on: Any) -> tuple[Any, Any, Any]:
    """The result of one line, the case facts it was decided on, and the line as JSON
    (UTF-8 bytes; None for a CSV row)."""
    if isinstance(item, BadRow):
        raise UsageError(str(item))
    if isinstance(item, CsvRow):
        record = csv_record(engine, dict(item), decision, on)
        return engine.decide_record(record, decision, on), record.get("case", {}), None
    if item.startswith(TOO_LONG):  # what the reader put in place of a line over the limit
        raise UsageError(too_long_message())
    return decide_json_line(engine, item, decision, on)


def decide_chunk(engine: Any, chunk: Any, decision: str | None, on: Any,
                 builder: Any = None) -> tuple[bytes, int, int, list]:
    """Decide a chunk of lines: (output lines, lines failed, internal errors, decision-log
    blocks to write). `builder`, when given, is a decision-log block builder
    (`log.blocks.BlockBuilder`): each decision is added to it and its line gets a `log_id`."""
    blocks: list = []
    out: list[bytes] = []  # the pieces of the lines, encoded once: the log keeps the same bytes
    failed = internal = 0
    for number, item in chunk_items(chunk):
        status = decide_into(out, number, decide_one, (engine, item, decision, on), builder,
                             blocks)
        out.append(b"\n")
        if status != DECIDED:
            failed += 1
            internal += status == INTERNAL
    if builder is not None and len(builder):
        blocks.append(builder.take())
    return b"".join(out), failed, internal, blocks
