"""JSON Schemas of the facts each decision declares, and the OpenAPI description of the API.

A decision's inputs (`FactSpec`s, dotted names) become one JSON Schema (2020-12, the
dialect of OpenAPI 3.1) of nested objects: `trainee.onderwijsniveau` is property
`onderwijsniveau` of object `trainee`. Clients build forms from it and check a case before
sending it; the engine checks every case again in any event.
"""

from __future__ import annotations

import datetime as _dt
from typing import Any

from ..base.jsonvalues import to_json
from ..compiling.facts import FactSpec
from ..compiling.model import Decision, RuleSet

DIALECT = "https://json-schema.org/draft/2020-12/schema"
DATE_PATTERN = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$"
_SCALARS = {"bool": {"type": "boolean"}, "text": {"type": "string"},
            "integer": {"type": "integer"}, "number": {"type": "number"},
            "date": {"type": "string", "format": "date", "pattern": DATE_PATTERN}}


def fact_schema(spec: FactSpec) -> dict:
    """The JSON Schema of one declared fact (a list of records included)."""
    if spec.type == "list":
        items = spec.items
        if isinstance(items, dict):
            item = _object({name: fact_schema(f) for name, f in items.items()},
                           [name for name, f in items.items() if f.required], closed=True)
        elif isinstance(items, FactSpec):
            item = fact_schema(items)
        else:
            item = {}
        schema: dict[str, Any] = {"type": "array", "items": item}
    else:
        schema = dict(_SCALARS.get(spec.type, {}))
    if spec.one_of is not None:
        schema["enum"] = to_json(spec.one_of)
    if spec.label:
        schema["title"] = spec.label
    if spec.default is not None:
        schema["default"] = to_json(spec.default)
    return schema


def _object(properties: dict, required: list[str], closed: bool) -> dict:
    schema: dict[str, Any] = {"type": "object", "properties": properties}
    if required:
        schema["required"] = required
    if closed:
        schema["additionalProperties"] = False
    return schema


def facts_schema(ruleset: RuleSet, decision: Decision, on: _dt.date | None = None) -> dict:
    """The JSON Schema of a case for a decision: nested objects along the dotted names.
    Facts a decision does not declare are refused only where the rule set refuses them
    (`strict_facts`); elsewhere the engine warns about them."""
    tree: dict[str, Any] = {}
    for spec in decision.inputs:
        *groups, last = spec.name.split(".")
        node = tree
        for group in groups:
            node = node.setdefault(group, {})
        node[last] = spec
    schema = _tree(tree, ruleset.strict_facts)
    schema["$schema"] = DIALECT
    schema["title"] = decision.title
    if decision.description:
        schema["description"] = " ".join(decision.description.split())
    schema["x-regelwerk"] = {"decision": decision.id, "ruleset": ruleset.id,
                             "on": on.isoformat() if on else None}
    return schema


def _tree(node: dict, strict: bool) -> dict:
    properties, required = {}, []
    for name, child in node.items():
        if isinstance(child, FactSpec):
            properties[name] = fact_schema(child)
            needed = child.required
        else:
            properties[name] = _tree(child, strict)
            needed = bool(properties[name].get("required"))
        if needed:
            required.append(name)
    return _object(properties, required, closed=strict)


# ------------------------------------------------------------------ OpenAPI


def _ref(name: str) -> dict:
    return {"$ref": f"#/components/schemas/{name}"}


_ERROR = {"description": "one line saying what is wrong",
          "content": {"application/json": {"schema": _ref("Error")}}}
_STATUS = {"400": "the request is malformed (not JSON, an unknown parameter)",
           "401": "a token is needed (Authorization: Bearer TOKEN)",
           "403": "the token's role does not allow this",
           "404": "unknown decision, rule set or decision id",
           "408": "the request took longer than the time limit",
           "413": "the request is larger than the size limit",
           "422": "no decision can be made for this case (a fact missing or wrong, a value "
                  "the regulation does not cover, no version in force)",
           "503": "the decision log cannot be used: nothing is decided"}
_ON = {"name": "on", "in": "query", "required": False,
       "description": "peildatum YYYY-MM-DD, the date on which the rules are applied "
                      "(default: today)",
       "schema": {"type": "string", "format": "date"}}
_TOKEN = [{"bearer": []}]


def _errors(*codes: str) -> dict:
    return {code: {**_ERROR, "description": _STATUS[code]} for code in codes}


def _json_reply(schema: dict, description: str) -> dict:
    return {"200": {"description": description,
                    "content": {"application/json": {"schema": schema}}}}


def _components(decisions: dict[str, dict]) -> dict:
    schemas = {
        "Error": {"type": "object", "required": ["error"],
                  "properties": {"error": {"type": "string"}}},
        "Decided": {"type": "object", "required": ["decision", "on", "ruleset", "result"],
                    "description": "as `regelwerk decide --format json` prints it, with the "
                                   "id it has in the decision log (null when not logged)",
                    "properties": {"decision": {"type": "string"},
                                   "on": {"type": "string", "format": "date"},
                                   "ruleset": {"type": "object"}, "result": {"type": "object"},
                                   "uitleg": {"type": "array", "items": {"type": "string"}},
                                   "warnings": {"type": "array", "items": {"type": "string"}},
                                   "log_id": {"type": ["string", "null"]}}},
        "Trail": {"type": "object", "description": "as `regelwerk explain --format json`"},
    }
    for did, schema in decisions.items():
        schemas[f"facts.{did}"] = {k: v for k, v in schema.items() if k != "$schema"}
    return {"schemas": schemas,
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer",
                                           "description": "a token from the auth file "
                                                          "(`regelwerk serve-token`)"}}}


def _per_decision(did: str, title: str, decide_security: list) -> dict:
    """The decide and explain paths of one decision, with its facts schema as their body."""
    body = {"required": True, "description": "the case: its facts, nested or dotted",
            "content": {"application/json": {"schema": _ref(f"facts.{did}")}}}
    common = {"parameters": [_ON], "requestBody": body, "security": decide_security}
    return {
        f"/api/decide/{did}": {"post": {
            **common, "summary": f"decide: {title}", "operationId": f"decide {did}",
            "tags": ["decide"],
            "responses": {**_json_reply(_ref("Decided"), "the decision, with its log id"),
                          **_errors("400", "401", "403", "408", "413", "422", "503")}}},
        f"/api/explain/{did}": {"post": {
            **common, "summary": f"explain: {title}", "operationId": f"explain {did}",
            "tags": ["explain"],
            "responses": {**_json_reply(_ref("Trail"), "the whole trail (not logged)"),
                          **_errors("400", "401", "403", "408", "413", "422")}}},
    }


def _get(summary: str, tag: str, description: str, *, params: list | None = None,
         errors: tuple[str, ...] = ("404",), security: list | None = None,
         content: str = "application/json") -> dict:
    op: dict[str, Any] = {"summary": summary, "tags": [tag], "parameters": params or [],
                          "responses": {"200": {"description": description,
                                                "content": {content: {"schema": {}}}},
                                        **_errors(*errors)}}
    if security is not None:
        op["security"] = security
    return {"get": op}


def _path_param(name: str, description: str) -> dict:
    return {"name": name, "in": "path", "required": True, "description": description,
            "schema": {"type": "string"}}


def _fixed_paths(decide_security: list) -> dict:
    rid = _path_param("ruleset", "rule-set id, e.g. go.jobtraining")
    did = _path_param("decision", "decision id, e.g. go.jobtraining.duur")
    lid = _path_param("id", "decision id in the log, or its first characters (at least 6)")
    query = [{"name": n, "in": "query", "required": False, "schema": {"type": "string"},
              "description": d} for n, d in (
        ("decision", "only this decision"), ("ruleset", "only this rule set"),
        ("since", "made on or after this day (UTC)"), ("until", "made on or before this day"),
        ("limit", "at most this many, the newest"))]
    return {
        "/api/health": _get("health", "server", "the server is up: rule sets, log, version",
                            errors=()),
        "/api/rulesets": _get("rule sets in use, with versions and decisions", "rules",
                              "rule sets", params=[_ON], errors=("422",)),
        "/api/rulesets/{ruleset}": _get(
            "a rule set as in force on a date: decisions, inputs, parameters with "
            "citations, tables, worked examples, versions (`rules docs --format json`)",
            "rules", "the rule-set document", params=[rid, _ON], errors=("404", "422")),
        "/api/rulesets/{ruleset}/docs": _get(
            "the same document as one HTML page (`rules docs --format html`)", "rules",
            "an HTML page", params=[rid, _ON], errors=("404", "422"), content="text/html"),
        "/api/decisions": _get("every decision, with the version in force", "rules",
                               "decisions", params=[_ON], errors=("422",)),
        "/api/decisions/{decision}": _get(
            "one decision: inputs, outputs, parameters with citations, facts schema",
            "rules", "the decision", params=[did, _ON], errors=("404", "422")),
        "/api/decisions/{decision}/schema": _get(
            "the JSON Schema of the decision's facts", "rules", "a JSON Schema",
            params=[did, _ON], errors=("404", "422")),
        "/api/batch": {"post": {
            "summary": "decide many cases: JSON Lines in, JSON Lines out, in order, streamed",
            "tags": ["decide"], "security": decide_security,
            "parameters": [_ON, {"name": "decision", "in": "query", "required": False,
                                 "schema": {"type": "string"},
                                 "description": "for lines that name none"}],
            "requestBody": {"required": True, "content": {"application/x-ndjson": {
                "schema": {"type": "string"}}}},
            "responses": {"200": {"description": "one line per line, as `decide --cases`",
                                  "content": {"application/x-ndjson": {
                                      "schema": {"type": "string"}}}},
                          **_errors("401", "403", "404", "503")}}},
        "/api/log": _get("logged decisions, oldest first (auditor)", "log", "entries",
                         params=query, errors=("400", "401", "403"), security=_TOKEN),
        "/api/log/{id}": _get("everything logged of one decision (auditor)", "log",
                              "the entry", params=[lid], errors=("401", "403", "404"),
                              security=_TOKEN),
        "/api/log/{id}/trail": _get(
            "the trail of a logged decision as it was made (auditor)", "log", "the trail",
            params=[lid], errors=("401", "403", "404", "422"), security=_TOKEN),
    }


def openapi(engine: Any, on: _dt.date, *, decide_open: bool, version: str) -> dict:
    """The OpenAPI 3.1 description of the server, with the facts schema of every decision
    in force on `on` (a decision without a version in force then is left out)."""
    decide_security = [{}] if decide_open else _TOKEN
    paths = _fixed_paths(decide_security)
    schemas = {}
    for did in sorted(engine.catalog.decisions):
        try:
            ruleset, _version, decision = engine.resolve(did, on)
        except Exception:  # noqa: BLE001, S112 - not in force, or its rule file is broken
            continue
        schemas[did] = facts_schema(ruleset, decision, on)
        paths.update(_per_decision(did, decision.title, decide_security))
    return {
        "openapi": "3.1.0",
        "info": {"title": "regelwerk", "version": version,
                 "description": "Decide, explain and audit education regulations written as "
                                f"rule files. Fact schemas as in force on {on.isoformat()}."},
        "servers": [{"url": "/"}],
        "paths": paths,
        "components": _components(schemas),
    }
