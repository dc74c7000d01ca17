"""Deciding one line of a batch and logging it: shared by `decide --cases` and the HTTP
server's batch endpoint, so both answer a line, good or bad, with the same bytes.

A line that is decided becomes its result as `decide --format json` prints it, with the
`log_id` it got in the decision log; a line that cannot be decided becomes
`{"line": N, "error": "..."}` and the next line goes on.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from ..base.errors import RegelwerkError, UsageError
from ..base.i18n import _
from ..rulefiles.yamlsource import load_json_record

DECIDED, FAILED, INTERNAL = 0, 1, 2  # what became of a line
RECORD_KEYS = frozenset({"decision", "on", "case"})


def read_json_line(item: bytes) -> Any:
    """One line of JSON Lines as a record, held to the rules of case files; UsageError
    naming the column when it is not JSON."""
    try:
        return load_json_record(item)  # bytes: the fast decoder reads them as they are
    except json.JSONDecodeError as err:
        raise UsageError(_("invalid JSON at column {col}: {problem}")
                         .format(col=err.colno, problem=err.msg)) from None
    except UnicodeDecodeError as err:
        raise UsageError(_("not UTF-8 text ({reason})").format(reason=err.reason)) from None


def decide_json_line(engine: Any, item: bytes, decision: str | None,
                     on: Any) -> tuple[Any, Any, bytes | None]:
    """Decide one JSON line `{decision, on, case}`: the result, the case facts it was
    decided on, and the line as the log keeps it (None when it carried more than a record)."""
    record = read_json_line(item)
    result = engine.decide_record(record, decision, on)
    raw = item if record.keys() <= RECORD_KEYS else None
    return result, record.get("case", {}), raw


def error_line(number: int, message: str) -> bytes:
    return json.dumps({"line": number, "error": message}, ensure_ascii=False, allow_nan=False,
                      separators=(",", ":")).encode("utf-8")


def decide_line(number: int, decide: Callable[..., tuple], args: tuple, builder: Any,
                blocks: list) -> tuple[bytes, int]:
    """Line `number` decided by `decide(*args)` (which gives result, case, logged line) as
    one output line (UTF-8, no newline) and DECIDED, FAILED or INTERNAL. With a decision-log
    `builder`, the decision is added to its block and the line carries its log id; a block
    that is full is moved to `blocks` first, to be written before the line is handed out."""
    pieces: list[bytes] = []
    status = decide_into(pieces, number, decide, args, builder, blocks)
    return b"".join(pieces), status


def decide_into(out: list[bytes], number: int, decide: Callable[..., tuple], args: tuple,
                builder: Any, blocks: list) -> int:
    """`decide_line`, its line appended to `out` as pieces (joined, they are the line), so
    a chunk of lines is copied once, when it is joined."""
    try:
        result, case, record = decide(*args)
        if builder is None:
            out += (result.json_opened_bytes(), b"}")
        else:
            out += builder.log_line(result, case, result.json_opened_bytes(), record, blocks)
        return DECIDED
    except RegelwerkError as err:
        out.append(error_line(number, str(err)))
        return FAILED
    except RecursionError:
        out.append(error_line(number, "the line is nested too deeply"))
        return FAILED
    except Exception as err:  # noqa: BLE001 - a bug: name it on its line, go on
        message = f"internal error: {type(err).__name__}: {' '.join(str(err).split())}"
        out.append(error_line(number, message))
        return INTERNAL
