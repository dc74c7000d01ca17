"""Printing results: one function per output format, chosen by name."""

from __future__ import annotations

import json
from typing import Any

from ..compiler import format_value


def dumps(data: Any) -> str:
    return json.dumps(data, ensure_ascii=False, separators=(",", ":"))


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
