"""Printing results: one function per output format, chosen by name."""

from __future__ import annotations

import io
import json
import os
import sys
from typing import Any

from ..base.errors import UsageError
from ..compiling.compiler import format_value


def stdin_stream(option: str, what: str) -> Any:
    """Standard input as a binary stream for `option -`; a clear usage error when it is
    closed (`what`: the case, the cases)."""
    stream = getattr(sys.stdin, "buffer", None)
    if stream is None or stream.closed:
        raise UsageError(f"{option} -: standard input is closed; give a file, or pipe {what} in")
    return stream

def for_terminal(text: str) -> str:
    """Text to print: control and bidirectional-override characters that a case or a rule file
    put into it are shown escaped, line by line, so they cannot rewrite what is shown."""
    from ..base.errors import printable

    return "\n".join(printable(line) for line in text.split("\n"))


def dumps(data: Any) -> str:
    return json.dumps(data, ensure_ascii=False, allow_nan=False, separators=(",", ":"))


def decision_text(payload: dict, title: str = "") -> str:
    rs = payload["ruleset"]
    lines = [f"{payload['decision']}" + (f" — {title}" if title else "")]
    lines.append(f"peildatum {payload['on']} · {rs['id']} versie {rs['version']} "
                 f"(in werking vanaf {rs['in_force_from']})")
    width = max((len(k) for k in payload["result"]), default=0)
    for key, value in payload["result"].items():
        lines.append(f"  {key.ljust(width)}  {_value(value)}")
    for note in payload.get("uitleg", []):
        lines.append(f"ⓘ {note}")
    if payload.get("log_id"):
        lines.append(f"(beslissing {payload['log_id']} in het logboek)")
    return "\n".join(lines)


def _value(value: Any) -> str:
    if isinstance(value, list) and value and isinstance(value[0], dict):
        return "\n" + "\n".join("      - " + ", ".join(f"{k}: {format_value(v)}"
                                                       for k, v in item.items())
                                 for item in value)
    if isinstance(value, list):
        return "—" if not value else "; ".join(format_value(v) for v in value)
    return format_value(value)


def decision_json(payload: dict, title: str = "") -> str:
    return dumps(payload)


DECISION_FORMATS = {"text": decision_text, "json": decision_json}


def silence_stdout() -> None:
    """After the reader went away (`| head`), drop what is left instead of failing at exit."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError, io.UnsupportedOperation):
        pass

