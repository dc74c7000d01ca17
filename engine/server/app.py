"""The HTTP API and the web page, as a Starlette application built once per worker process.

Every endpoint runs on the worker's event loop: the engine is used from one thread only,
and deciding a case takes microseconds, so there is nothing to gain from a thread pool.
Each decision is in the decision log, committed, before its reply is sent.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as _dt
import functools
import os
from importlib import resources
from typing import Any

import anyio
from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from ..base.errors import UnknownName
from ..deciding.api import Engine, parse_on
from ..log.decisionlog import log_from_options
from ..rulefiles.yamlsource import load_json_record
from .auth import Access, load_access
from .config import ServerConfig
from .errors import HttpError, message_of
from .http import SECURITY_HEADERS, bearer, endpoint, error_reply, query, reply
from .schemas import facts_schema, openapi

PAGE_POLICY = ("default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; "
               "connect-src 'self'; frame-src 'self'; img-src data:; base-uri 'none'; "
               "form-action 'none'")
DOCS_POLICY = "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'"
MAX_LOG_LIST = 1000


@functools.cache
def software_version() -> str:
    """regelwerk's installed version, asked of its metadata once per worker process."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("regelwerk")
    except PackageNotFoundError:  # pragma: no cover - a source tree
        return "?"


class Server:
    """What one worker process serves with: its engine, its log writer, who may do what."""

    def __init__(self, config: ServerConfig) -> None:
        self.config = config
        self.engine = Engine(config.rules)
        self.log = log_from_options(config.log_path, config.no_log)
        self.access: Access = load_access(config.auth)
        self.writer: Any = None
        self._auditor: Any = None
        self._commit: asyncio.Future | None = None

    @contextlib.contextmanager
    def running(self):
        """The log writer for the life of the worker (one connection, kept open)."""
        if self.log is None:
            yield
            return
        with self.log.writer() as writer:
            self.writer = writer
            try:
                yield
            finally:
                self.writer = None

    # -- who may do what
    def allow(self, request: Request, role: str) -> None:
        """Nothing when the request may do what `role` may; else 401 or 403."""
        if role == "decide" and self.access.decide == "open":
            return
        token = bearer(request)
        what = "reading the decision log" if role == "auditor" else "deciding"
        challenge = {"www-authenticate": "Bearer"}
        if token is None:
            hint = "" if self.access.holders else " (this server has none: start it with --auth FILE)"
            raise HttpError(401, f"{what} needs a token with the role {role} "
                                 f"(Authorization: Bearer TOKEN){hint}", challenge)
        holder = self.access.holder(token)
        if holder is None:
            raise HttpError(401, "unknown token", challenge)
        if not holder.may(role):
            raise HttpError(403, f"{what} needs the role {role}; this token has the role "
                                 f"{holder.role}")

    # -- the log
    async def log_decision(self, result: Any, case: dict) -> str | None:
        """Log a decision made and wait until it is committed; its id (None when the server
        keeps no log). The decisions of requests being answered at the same moment are
        committed together, in one transaction: one commit, not one each, and so less
        waiting for the write lock that the workers share."""
        if self.writer is None:
            return None
        decision_id = self.writer.add(result, case)
        if self._commit is None:
            loop = asyncio.get_running_loop()
            self._commit = loop.create_future()
            loop.call_soon(self._flush)  # once the requests ready to run have added theirs
        await asyncio.shield(self._commit)
        return decision_id

    def _flush(self) -> None:
        done, self._commit = self._commit, None
        try:
            self.writer.flush()
        except Exception as err:  # noqa: BLE001 - every request of the group gets it (503)
            done.set_exception(err)
        else:
            done.set_result(None)

    def need_log(self) -> Any:
        if self.log is None:
            raise HttpError(404, "this server keeps no decision log (--no-log)")
        return self.log

    @property
    def auditor(self) -> Any:
        if self._auditor is None:
            from ..log.audit import Auditor

            self._auditor = Auditor(self.engine, self.need_log())
        return self._auditor


# ------------------------------------------------------------------ helpers


def peildatum(params: dict) -> _dt.date:
    return parse_on(params.get("on"))


async def read_body(request: Request, server: Server) -> bytes:
    """The request body, within the size and time limits (413, 408)."""
    limit = server.config.max_body
    length = request.headers.get("content-length", "")
    if length.isdigit() and int(length) > limit:
        raise HttpError(413, f"the request is {int(length):,} bytes, more than the limit of "
                             f"{limit:,} bytes")
    chunks, size = [], 0
    try:
        with anyio.fail_after(server.config.timeout):
            async for chunk in request.stream():
                size += len(chunk)
                if size > limit:
                    raise HttpError(413, f"the request is more than the limit of {limit:,} bytes")
                chunks.append(chunk)
    except TimeoutError:
        raise HttpError(408, f"the request did not arrive within {server.config.timeout:g} s"
                        ) from None
    return b"".join(chunks)


async def read_case(request: Request, server: Server) -> dict:
    """The case facts in the body: JSON held to the rules of case files."""
    import json

    raw = await read_body(request, server)
    if not raw.strip():
        raise HttpError(400, "the request body is empty: send the case facts as a JSON object")
    try:
        case = load_json_record(raw)
    except json.JSONDecodeError as err:
        raise HttpError(400, f"request body: invalid JSON at line {err.lineno} column "
                             f"{err.colno}: {err.msg}") from None
    except UnicodeDecodeError as err:
        raise HttpError(400, f"request body: not UTF-8 text ({err.reason})") from None
    return case


def known_decision(server: Server, request: Request) -> str:
    decision = request.path_params["decision"]
    server.engine.catalog.decision(decision)  # unknown: a UsageError, 404
    return decision


def known_ruleset(server: Server, ruleset_id: str) -> Any:
    import difflib

    found = server.engine.catalog.rulesets.get(ruleset_id)
    if found is None:
        close = difflib.get_close_matches(ruleset_id, list(server.engine.catalog.rulesets), n=1)
        hint = f"; did you mean {close[0]}?" if close else ""
        raise UnknownName(f"unknown rule set {ruleset_id!r}{hint}")
    return found


# ------------------------------------------------------------------ endpoints


@endpoint
async def health(request: Request, server: Server) -> Response:
    query(request)
    catalog = server.engine.catalog
    return reply({"status": "ok", "version": software_version(), "worker": os.getpid(),
                  "rulesets": len(catalog.rulesets), "decisions": len(catalog.decisions),
                  "rule_file_errors": len(catalog.errors()),
                  "log": server.log is not None, "decide": server.access.decide})


async def _asked(request: Request, server: Server) -> tuple[str, _dt.date, dict]:
    """What a decide or explain request asks: the decision, its peildatum, the case."""
    server.allow(request, "decide")
    decision = known_decision(server, request)
    day = peildatum(query(request, "on"))
    return decision, day, await read_case(request, server)


@endpoint
async def decide(request: Request, server: Server) -> Response:
    decision, day, case = await _asked(request, server)
    result = server.engine.decide(decision, case, day)
    payload = result.as_dict()
    payload["log_id"] = await server.log_decision(result, case)
    return reply(payload)


@endpoint
async def explain(request: Request, server: Server) -> Response:
    decision, day, case = await _asked(request, server)
    return reply(server.engine.explain(decision, case, day))


def _ruleset_entry(ruleset: Any, day: _dt.date) -> dict:
    current = next((v for v in ruleset.versions if v.in_force_on(day)), None)
    return {
        "id": ruleset.id, "title": ruleset.title, "source": ruleset.source,
        "organisation": ruleset.organisation, "file": ruleset.file, "origin": ruleset.origin,
        "sha256": ruleset.sha256, "in_force": current.name if current else None,
        "versions": [{"version": v.name, "in_force_from": v.in_force_from.isoformat(),
                      "in_force_until": v.until.isoformat() if v.until else None,
                      "amends": v.amends, "citation": v.citation,
                      "decisions": [f"{ruleset.id}.{n}" for n in v.decisions]}
                     for v in ruleset.versions],
        "decisions": [f"{ruleset.id}.{n}" for n in ruleset.decision_names()],
    }


@endpoint
async def rulesets(request: Request, server: Server) -> Response:
    day = peildatum(query(request, "on"))
    catalog = server.engine.catalog
    return reply({"on": day.isoformat(),
                  "rulesets": [_ruleset_entry(catalog.rulesets[rid], day)
                               for rid in sorted(catalog.rulesets)],
                  "broken": sorted(catalog.broken)})


@functools.lru_cache(maxsize=64)
def _document(server: Server, ruleset_id: str, day: _dt.date) -> dict:
    from ..authoring import docs
    from ..authoring.examples import examples_of

    ruleset = known_ruleset(server, ruleset_id)
    return docs.build(ruleset, day, examples_of(ruleset))


@endpoint
async def ruleset_document(request: Request, server: Server) -> Response:
    day = peildatum(query(request, "on"))
    return reply(_document(server, request.path_params["ruleset"], day))


@endpoint
async def ruleset_html(request: Request, server: Server) -> Response:
    from ..authoring.docs_html import render_html

    day = peildatum(query(request, "on"))
    text = render_html(_document(server, request.path_params["ruleset"], day))
    return Response(text, 200, {**SECURITY_HEADERS, "content-security-policy": DOCS_POLICY},
                    media_type="text/html")


def _decision_entry(server: Server, decision_id: str, day: _dt.date) -> dict:
    try:
        ruleset, version, decision = server.engine.resolve(decision_id, day)
    except Exception as err:  # noqa: BLE001 - listed with the reason it cannot decide now
        return {"id": decision_id, "in_force": False, "error": message_of(err)}
    return {"id": decision_id, "title": decision.title, "ruleset": ruleset.id,
            "version": version.name, "in_force": True}


@endpoint
async def decisions(request: Request, server: Server) -> Response:
    day = peildatum(query(request, "on"))
    return reply({"on": day.isoformat(),
                  "decisions": [_decision_entry(server, did, day)
                                for did in sorted(server.engine.catalog.decisions)]})


@endpoint
async def decision_detail(request: Request, server: Server) -> Response:
    decision_id = known_decision(server, request)
    day = peildatum(query(request, "on"))
    ruleset, version, decision = server.engine.resolve(decision_id, day)
    return reply({
        "id": decision.id, "title": decision.title, "description": decision.description,
        "citation": decision.citation, "on": day.isoformat(),
        "ruleset": ruleset.summary(version),
        "inputs": [{"name": s.name, "type": s.type, "required": s.required, "label": s.label}
                   for s in decision.inputs],
        "outputs": [{"name": o.name, "label": o.label} for o in decision.outputs],
        "parameters": [{"name": p.name, "value": p.value, "unit": p.unit, "label": p.label,
                        "citation": p.citation, "set_in_version": p.version}
                       for p in decision.params],
        "schema": facts_schema(ruleset, decision, day),
    })


@endpoint
async def decision_schema(request: Request, server: Server) -> Response:
    decision_id = known_decision(server, request)
    day = peildatum(query(request, "on"))
    ruleset, _version, decision = server.engine.resolve(decision_id, day)
    return reply(facts_schema(ruleset, decision, day),
                 headers={"content-type": "application/schema+json"})


@functools.lru_cache(maxsize=8)
def _openapi(server: Server, day: _dt.date) -> dict:
    return openapi(server.engine, day, decide_open=server.access.decide == "open",
                   version=software_version())


@endpoint
async def openapi_json(request: Request, server: Server) -> Response:
    return reply(_openapi(server, peildatum(query(request, "on"))))


def _limit(text: str | None) -> int:
    if text is None:
        return 100
    if not text.isdigit() or not 1 <= int(text) <= MAX_LOG_LIST:
        raise HttpError(400, f"limit {text!r}: give a whole number from 1 to {MAX_LOG_LIST}")
    return int(text)


@endpoint
async def log_list(request: Request, server: Server) -> Response:
    from ..log.audit import cli_date

    server.allow(request, "auditor")
    log = server.need_log()
    params = query(request, "decision", "ruleset", "since", "until", "limit")
    entries = list(log.iter_entries(
        decision=params.get("decision"), ruleset=params.get("ruleset"),
        since=cli_date(params.get("since"), "since"), until=cli_date(params.get("until"), "until"),
        limit=_limit(params.get("limit")), newest_first=True))
    return reply({"entries": [e.as_dict() for e in reversed(entries)]})


@endpoint
async def log_entry(request: Request, server: Server) -> Response:
    server.allow(request, "auditor")
    query(request)
    log = server.need_log()
    entry = log.get(request.path_params["id"])
    stored = log.ruleset_text(entry.sha256)
    data = entry.as_dict()
    data["ruleset"].update(file=stored.file, origin=stored.origin)
    return reply(data)


@endpoint
async def log_trail(request: Request, server: Server) -> Response:
    server.allow(request, "auditor")
    query(request)
    entry = server.need_log().get(request.path_params["id"])
    return reply(server.auditor.explain(entry))


@functools.cache
def page_text() -> bytes:
    return resources.files(__package__).joinpath("static/index.html").read_bytes()


async def page(request: Request) -> Response:
    return Response(page_text(), 200, {**SECURITY_HEADERS, "content-security-policy": PAGE_POLICY},
                    media_type="text/html; charset=utf-8")


async def not_found(request: Request, exc: HTTPException) -> Response:
    if exc.status_code == 405:
        return reply({"error": f"{request.method} is not allowed on {request.url.path}"}, 405)
    return reply({"error": f"no such endpoint: {request.url.path} (see /openapi.json)"},
                 exc.status_code if exc.status_code >= 400 else 404)


async def internal(request: Request, exc: Exception) -> Response:
    return error_reply(exc)


def routes() -> list[Route]:
    from .batch import BatchEndpoint

    return [
        Route("/", page),
        Route("/openapi.json", openapi_json),
        Route("/api/health", health),
        Route("/api/rulesets", rulesets),
        Route("/api/rulesets/{ruleset}", ruleset_document),
        Route("/api/rulesets/{ruleset}/docs", ruleset_html),
        Route("/api/decisions", decisions),
        Route("/api/decisions/{decision}", decision_detail),
        Route("/api/decisions/{decision}/schema", decision_schema),
        Route("/api/decide/{decision}", decide, methods=["POST"]),
        Route("/api/explain/{decision}", explain, methods=["POST"]),
        Route("/api/batch", BatchEndpoint(), methods=["POST"]),
        Route("/api/log", log_list),
        Route("/api/log/{id}", log_entry),
        Route("/api/log/{id}/trail", log_trail),
    ]


def build_app(config: ServerConfig) -> Starlette:
    """The application of one worker: its own engine and log writer."""
    server = Server(config)

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette):
        with server.running():
            yield

    app = Starlette(routes=routes(), lifespan=lifespan,
                    exception_handlers={404: not_found, 405: not_found, Exception: internal})
    app.state.server = server
    return app


def create_app() -> Starlette:
    """The uvicorn factory: the settings come from the environment (see config)."""
    return build_app(ServerConfig.from_env())
