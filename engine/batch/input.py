"""Reading a batch file as a stream of bounded lines: JSON Lines in chunks, CSV row by row.

Every line is read with a bounded readline, so one endless line costs at most the limit in
memory and becomes that line's error; the lines after it are read and decided as usual. A
CSV row is found by its quotes (a quoted cell may hold line breaks) and parsed on its own,
so a row the csv module refuses (a cell over its field limit, a quote left open at the end
of the file) is that row's error, not the end of the run.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Iterator
from itertools import islice
from typing import Any

from ..base.errors import UsageError

MAX_LINE_BYTES = 50_000_000  # as a case file: a line is one case
# What a line over the limit is replaced by: no JSON line can be these bytes (NUL is not
# allowed in JSON), so only the error path of a line needs to look for it.
TOO_LONG = b"\x00line too long\x00"
_SKIP = 1 << 20  # the rest of a line over the limit is read and dropped this much at a time


def too_long_message(limit: int = MAX_LINE_BYTES) -> str:
    return f"line longer than the limit of {limit:,} bytes"


def bounded_lines(stream: Any, limit: int = MAX_LINE_BYTES) -> Iterator[bytes]:
    """The lines of a binary stream (each with its line break, if any); a line of more than
    `limit` bytes is read to its end without being kept and given as TOO_LONG + b"\\n"."""
    readline = stream.readline
    while True:
        line = readline(limit + 1)
        if not line:
            return
        if len(line) > limit and line[-1:] != b"\n":
            while True:  # drop the rest of the line
                rest = readline(_SKIP)
                if not rest or rest[-1:] == b"\n":
                    break
            line = TOO_LONG + b"\n"
        yield line


class Lines(tuple):
    """A chunk of JSON Lines as one block of bytes: (first line number, bytes, line count).

    Handing a worker one block instead of a list of lines keeps the reading process cheap:
    it neither splits nor pickles lines one by one."""


def jsonl_chunks(stream: Any, size: int, limit: int = MAX_LINE_BYTES) -> Iterator[Lines]:
    """JSON Lines in chunks of `size` lines, each line bounded by `limit` bytes."""
    lines = bounded_lines(stream, limit)
    number = 1
    while True:
        chunk = list(islice(lines, size))
        if not chunk:
            return
        yield Lines((number, b"".join(chunk), len(chunk)))
        number += len(chunk)


class CsvRow(dict):
    """A CSV row as text by column name; cells are typed by the decision's declared inputs."""


class BadRow(str):
    """A row that cannot be read; the text says why."""


def csv_items(stream: Any, path: str, limit: int = MAX_LINE_BYTES) -> Iterator[tuple[int, Any]]:
    """(line number, CsvRow or BadRow) for every CSV row after the header: columns
    `decision`, `on` and dotted facts. A header that cannot be read stops the run."""
    if csv.field_size_limit() < limit:  # a row is bounded by `limit` already
        csv.field_size_limit(limit)
    records = _records(bounded_lines(stream, limit), limit)
    header = None
    for number, record in records:
        row = _parsed(record, first=header is None)
        if header is None:
            header = _header(row, number, path)
            continue
        if isinstance(row, BadRow):
            yield number, row
        elif not any(cell.strip() for cell in row):
            continue
        elif len(row) != len(header):
            yield number, BadRow(f"expected {len(header)} columns, got {len(row)}")
        else:
            yield number, CsvRow(zip(header, row))


def _header(row: Any, number: int, path: str) -> list[str]:
    if isinstance(row, BadRow):
        raise UsageError(f"--cases {path}: line {number}: {row}")
    header = [h.strip() for h in row]
    if len(set(header)) != len(header):
        twice = sorted({h for h in header if header.count(h) > 1})
        raise UsageError(f"--cases {path}: line {number}: column {twice[0]!r} appears twice")
    return header


def _records(lines: Iterable[bytes], limit: int) -> Iterator[tuple[int, Any]]:
    """(line number, bytes or BadRow) per CSV record: physical lines joined while a quoted
    cell is open. The number is the record's last line, as the csv module counts."""
    pending: list[bytes] = []
    size = number = start = 0
    quoted = False
    for line in lines:
        number += 1
        if line.startswith(TOO_LONG):
            yield (start or number), BadRow(too_long_message(limit))
            pending, size, start, quoted = [], 0, 0, False
            continue
        if not pending:
            start = number
        pending.append(line)
        size += len(line)
        quoted = _still_quoted(line, quoted)
        if size > limit:
            yield start, BadRow(too_long_message(limit))
            pending, size, start, quoted = [], 0, 0, False
        elif not quoted:
            yield number, b"".join(pending)
            pending, size, start = [], 0, 0
    if pending:
        yield start, BadRow("a quoted cell is not closed before the end of the file")


def _still_quoted(line: bytes, quoted: bool) -> bool:
    """Whether a quoted cell is open at the end of `line`, given whether one was open at its
    start, read as the csv module reads: a quote opens a cell only where the cell starts,
    two quotes inside one are a quote, elsewhere a quote is a character like any other."""
    if not quoted and b'"' not in line:
        return False
    i, at_start = 0, not quoted
    while i < len(line):
        if quoted:
            j = line.find(b'"', i)
            if j < 0:
                return True
            if line[j + 1:j + 2] == b'"':
                i = j + 2
                continue
            quoted, at_start, i = False, False, j + 1
        elif at_start and line[i:i + 1] == b'"':
            quoted, i = True, i + 1
        else:
            j = line.find(b",", i)
            if j < 0:
                return False
            i, at_start = j + 1, True
    return quoted


def _parsed(record: Any, first: bool) -> Any:
    """A record's cells, or a BadRow saying why it cannot be read."""
    if isinstance(record, BadRow):
        return record
    try:
        text = record.decode("utf-8-sig" if first else "utf-8")
    except UnicodeDecodeError as err:
        return BadRow(f"not UTF-8 text ({err.reason})")
    try:
        return next(csv.reader([text]), [])
    except csv.Error as err:
        return BadRow(f"cannot read this CSV row: {err}")
