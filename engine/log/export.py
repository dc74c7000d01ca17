"""`log export`: the logged decisions for other tools, as JSON Lines or Parquet.

Both read the log as a stream (any backend), so memory stays flat for a log of any size.
JSON Lines: one entry a line, shaped as `log show --format json` prints it. Parquet (with
pyarrow): a column per field; facts and outputs, whose shape differs per decision, as JSON
text (`json_extract` in DuckDB, `from_json` in Spark read them).
"""

from __future__ import annotations

import contextlib
import datetime as _dt
import os
import tempfile
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import IO, Any

from ..base.errors import UsageError
from ..base.jsonvalues import json_text
from .entry import Entry

ROW_GROUP = 50_000  # Parquet rows per group: a few tens of MB in memory at most


def write_jsonl(entries: Iterable[Entry], out: IO[bytes]) -> int:
    """Write entries as JSON Lines (UTF-8); returns how many."""
    n = 0
    for entry in entries:
        out.write(json_text(entry.as_dict()).encode("utf-8") + b"\n")
        n += 1
    return n


def _columns() -> tuple[Any, Any]:
    try:
        import pyarrow as pa
        import pyarrow.parquet as pq
    except ImportError:
        raise UsageError("log export --format parquet needs pyarrow (pip install pyarrow)") from None
    schema = pa.schema([
        ("id", pa.string()), ("made_at", pa.timestamp("us", tz="UTC")),
        ("decision", pa.string()), ("peildatum", pa.date32()), ("ruleset_id", pa.string()),
        ("version", pa.string()), ("sha256", pa.string()), ("facts", pa.string()),
        ("hashed_facts", pa.list_(pa.string())), ("outputs", pa.string()),
        ("notes", pa.list_(pa.string())), ("engine", pa.string())])
    return schema, pq


def _row(entry: Entry) -> dict:
    return {"id": entry.id, "made_at": _dt.datetime.fromisoformat(entry.made_at),
            "decision": entry.decision, "peildatum": _dt.date.fromisoformat(entry.peildatum),
            "ruleset_id": entry.ruleset_id, "version": entry.version, "sha256": entry.sha256,
            "facts": json_text(entry.facts), "hashed_facts": entry.hashed_facts,
            "outputs": json_text(entry.outputs), "notes": entry.notes, "engine": entry.engine}


def _groups(entries: Iterable[Entry]) -> Iterator[list[dict]]:
    group: list[dict] = []
    for entry in entries:
        group.append(_row(entry))
        if len(group) >= ROW_GROUP:
            yield group
            group = []
    if group:
        yield group


def write_parquet(entries: Iterable[Entry], path: Path) -> int:
    """Write entries to a Parquet file (Zstandard-compressed); returns how many."""
    import pyarrow as pa

    schema, pq = _columns()
    n = 0
    with pq.ParquetWriter(str(path), schema, compression="zstd") as writer:
        for group in _groups(entries):
            writer.write_table(pa.Table.from_pylist(group, schema=schema))
            n += len(group)
    return n


def export(entries: Iterable[Entry], fmt: str, target: str | None, stdout: IO[bytes]) -> int:
    """Export to `target` (written whole or not at all: a temporary file moved into place at
    the end) or, for JSON Lines, to stdout when `target` is None or '-'."""
    if fmt == "parquet":
        _columns()  # pyarrow missing: say so before reading the log
        if target in (None, "-"):
            raise UsageError("log export --format parquet writes a file: give -o FILE")
    if target in (None, "-"):
        return write_jsonl(entries, stdout)
    path = Path(target)
    try:
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    except OSError as err:
        raise UsageError(f"-o {target}: {err.strerror or err}") from None
    try:
        if fmt == "parquet":
            os.close(fd)
            n = write_parquet(entries, Path(tmp))
        else:
            with os.fdopen(fd, "wb") as out:
                n = write_jsonl(entries, out)
        os.replace(tmp, path)
    finally:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
    return n
