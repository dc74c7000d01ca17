"""Validating rule files against the JSON Schemas in `schemas/`, with file, line and column.

Errors are collected, not stopped at: a policy author sees every mistake of a file at once.
An unknown key names its closest allowed key, because a misspelt key is the usual cause.
"""

from __future__ import annotations

import datetime as _dt
import difflib
import json
from functools import lru_cache
from importlib import resources
from typing import Any

from ..base.dates import date_problem
from ..base.errors import Problem
from ..base.i18n import N_, _

RULESET_SCHEMA = "ruleset.schema.json"
CASES_SCHEMA = "cases.schema.json"
# Editors that read this comment (the YAML language server: VS Code, IntelliJ, Neovim) check
# a file against the schema it names while it is typed.
MODELINE = "# yaml-language-server: $schema="


def schema_text(name: str = RULESET_SCHEMA) -> str:
    return resources.files("regelwerk.schemas").joinpath(name).read_text("utf-8")


def schema_id(name: str = RULESET_SCHEMA) -> str:
    """The schema's stable, published `$id` (it changes only with an incompatible schema)."""
    return json.loads(schema_text(name))["$id"]


def with_modeline(text: str, name: str = RULESET_SCHEMA) -> str:
    """`text` of a YAML file with the editor's schema comment as its first line, unless the
    file names a schema already."""
    if MODELINE in "\n".join(text.splitlines()[:5]):
        return text
    return f"{MODELINE}{schema_id(name)}\n{text}"


@lru_cache(maxsize=4)
def _validator(name: str = RULESET_SCHEMA):
    import jsonschema

    schema = json.loads(schema_text(name))
    cls = jsonschema.validators.validator_for(schema)
    cls.check_schema(schema)
    return cls(schema, format_checker=cls.FORMAT_CHECKER)


def jsonable(value: Any) -> Any:
    """The document as JSON types (dates as ISO text), for the schema."""
    if isinstance(value, dict):
        return {k: jsonable(v) for k, v in value.items()}
    if isinstance(value, list):
        return [jsonable(v) for v in value]
    if isinstance(value, _dt.date):
        return value.isoformat()
    return value


def _allowed_keys(schema: dict) -> list[str]:
    return list(schema.get("properties", {}))


def _message(error) -> tuple[list, str, bool]:
    """(path, message, point at key) for one schema error, in words a policy author reads."""
    path = list(error.absolute_path)
    v = error.validator
    if v == "additionalProperties" and isinstance(error.instance, dict):
        allowed = _allowed_keys(error.schema)
        extra = [k for k in error.instance if k not in allowed]
        if extra:
            key = extra[0]
            hint = difflib.get_close_matches(str(key), allowed, n=1)
            did = (_("; did you mean {name!r}?").format(name=hint[0]) if hint
                   else _("; allowed: {names}").format(names=", ".join(allowed)))
            return path + [key], _("unknown key {key!r}").format(key=key) + did, True
    if v == "required":
        missing = error.message.split("'")[1] if "'" in error.message else error.message
        return path, _("missing key {key!r}").format(key=missing), False
    if v == "enum":
        allowed = ", ".join(map(str, error.validator_value))
        return path, _("{value!r} is not one of: {choices}").format(
            value=error.instance, choices=allowed), False
    if v == "pattern" and isinstance(error.instance, str):
        return path, _("{value!r} is not in the expected form").format(value=error.instance), False
    if v == "format" and error.validator_value == "date":
        return path, date_problem(error.instance), False
    if v == "type":
        want = error.validator_value
        return path, _("expected {want}, got {value}").format(
            want=_(" or ").join(_(w) for w in want) if isinstance(want, list) else _(want),
            value=_kind(error.instance)), False
    if v == "propertyNames":
        return path, _("{value!r} is not a valid name").format(value=error.instance), False
    if v == "oneOf" and "x-message" in error.schema:
        # the schema states in words what its alternatives mean
        return path, _(error.schema["x-message"]), False
    if v == "oneOf" and error.context:
        import jsonschema

        best = jsonschema.exceptions.best_match(error.context)
        sub_path, msg, at_key = _message(best)
        return sub_path, msg, at_key
    return path, error.message, False


# The words of the schema's types and messages, for the catalogue.
_SCHEMA_WORDS = (N_("string"), N_("object"), N_("array"), N_("integer"), N_("number"),
                 N_("boolean"), N_("null"),
                 N_("a step has exactly one of: value, table (with 'with'), op, checks"))


def _kind(value: Any) -> str:
    if isinstance(value, bool):
        return _("true/false")
    if isinstance(value, dict):
        return _("a mapping")
    if isinstance(value, list):
        return _("a list")
    if value is None:
        return _("nothing")
    if isinstance(value, str):
        return _("text {value!r}").format(value=value)
    if isinstance(value, (int, float)):
        return _("the number {value!r}").format(value=value)
    return f"{type(value).__name__} {value!r}"


def validate(located, name: str = RULESET_SCHEMA) -> list[Problem]:
    """Every schema problem of a loaded document, in file order."""
    validator = _validator(name)
    problems: list[Problem] = []
    seen: set = set()
    for error in validator.iter_errors(jsonable(located.data)):
        path, message, at_key = _message(error)
        line, col = located.key_where(tuple(path)) if at_key else located.where(tuple(path))
        problem = Problem(located.file, line, col, message)
        if (line, col, message) not in seen:
            seen.add((line, col, message))
            problems.append(problem)
    problems.sort(key=lambda p: (p.line, p.col))
    return problems
