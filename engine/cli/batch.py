"""Batch decisions: JSON Lines in, JSON Lines out, in input order, one error per bad line."""

from __future__ import annotations

import contextlib
import json
import sys

import click

from ..errors import RegelwerkError, UsageError
from ..yamlsource import load_json_record
from .output import dumps


def _lines(path: str):
    if path == "-":
        yield from sys.stdin.buffer
        return
    try:
        handle = open(path, "rb")
    except OSError as err:
        raise UsageError(f"--cases {path}: {err.strerror or err}") from None
    with handle:
        yield from handle


def run_batch(state, decision: str | None, path: str, on: str | None) -> int:
    """Decide every line; returns the exit status (0 when every line was decided)."""
    from ..api import parse_on

    engine = state.engine
    default_on = parse_on(on) if on else None
    failed = 0
    out = sys.stdout
    log = state.log
    with log.writer() if log is not None else contextlib.nullcontext() as writer:
        for number, raw in enumerate(_lines(path), start=1):
            if not raw.strip():
                continue
            try:
                line = load_json_record(raw)
                if not isinstance(line, dict):
                    raise UsageError("a line must be a JSON object {decision, on, case}")
                did = line.get("decision", decision)
                if not did:
                    raise UsageError("no decision on this line or on the command line")
                day = parse_on(line["on"]) if line.get("on") else (default_on or parse_on(None))
                case = line.get("case", {})
                result = engine.decide(did, case, day)
                payload = result.as_dict()
            except json.JSONDecodeError as err:
                failed += 1
                payload = {"line": number,
                           "error": f"invalid JSON at column {err.colno}: {err.msg}"}
            except RegelwerkError as err:
                failed += 1
                payload = {"line": number, "error": str(err)}
            except RecursionError:
                failed += 1
                payload = {"line": number, "error": "nesting too deep"}
            else:
                if writer is not None:
                    payload["log_id"] = writer.add(result, case)
            out.write(dumps(payload) + "\n")
    out.flush()
    return 0 if failed == 0 else 1
