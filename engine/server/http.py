"""What every endpoint shares: JSON replies, one-line errors, the query parameters, the
bearer token of a request."""

from __future__ import annotations

import functools
import logging
import os
from collections.abc import Callable
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from ..base.jsonvalues import json_text
from .errors import HttpError, message_of, status_of

LOGGER = logging.getLogger("regelwerk.server")
SECURITY_HEADERS = {"x-content-type-options": "nosniff", "referrer-policy": "no-referrer",
                    "x-frame-options": "SAMEORIGIN", "cache-control": "no-store"}


def bearer(request: Request) -> str | None:
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return None
    return token.strip()


def reply(data: Any, status: int = 200, headers: dict | None = None) -> Response:
    return Response(json_text(data).encode("utf-8"), status, {**SECURITY_HEADERS,
                                                              **(headers or {})},
                    media_type="application/json")


def error_reply(err: Exception) -> Response:
    status = status_of(err)
    message = message_of(err)
    if status >= 500:
        LOGGER.error("%s", message, exc_info=bool(os.environ.get("REGELWERK_DEBUG")))
    return reply({"error": message}, status, getattr(err, "headers", None))


def endpoint(handler: Callable) -> Callable:
    """An endpoint whose every failure is one line of JSON with its status."""

    @functools.wraps(handler)
    async def run(request: Request) -> Response:
        try:
            return await handler(request, request.app.state.server)
        except Exception as err:  # noqa: BLE001 - every failure gets its one-line answer
            return error_reply(err)

    return run


def query(request: Request, *known: str) -> dict[str, str]:
    """The query parameters, refusing one the endpoint does not know (a misspelt `on`
    would otherwise silently decide on today)."""
    params = dict(request.query_params)
    unknown = sorted(set(params) - set(known))
    if unknown:
        knows = ", ".join(known) or "none"
        raise HttpError(400, f"unknown query parameter {unknown[0]!r} (known: {knows})")
    return params


