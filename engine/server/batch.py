"""POST /api/batch: JSON Lines in, JSON Lines out, in input order, streamed both ways.

The body is read as it arrives and each line is answered as soon as it is decided, with the
same bytes `decide --cases` prints (see `batch.lines`), so memory stays flat however long the
stream. The decisions of each piece of input are committed to the decision log before their
lines are sent. A raw ASGI endpoint: Starlette's streaming response would listen for the
client going away on the same channel that brings the body.
"""

from __future__ import annotations

import json
import time
from typing import Any

import anyio
from starlette.requests import Request

from ..batch.lines import decide_json_line, decide_line, error_line
from ..deciding.api import parse_on
from .errors import message_of
from .http import SECURITY_HEADERS, error_reply, query


class _Splitter:
    """Cuts a byte stream into numbered lines, each at most `limit` bytes (a longer line is
    reported, not kept)."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.partial = bytearray()
        self.number = 0
        self.too_long = False

    def feed(self, data: bytes, final: bool) -> list[tuple[int, bytes | None]]:
        """The lines completed by `data`: (line number, line), None for one over the limit."""
        lines: list[tuple[int, bytes | None]] = []
        start = 0
        while True:
            end = data.find(b"\n", start)
            if end < 0:
                self._keep(data[start:])
                break
            self._keep(data[start:end])
            self._close(lines)
            start = end + 1
        if final and (self.partial or self.too_long):
            self._close(lines)
        return lines

    def _keep(self, piece: bytes) -> None:
        if self.too_long:
            return
        self.partial += piece
        if len(self.partial) > self.limit:
            self.too_long = True
            self.partial = bytearray()

    def _close(self, lines: list) -> None:
        self.number += 1
        if self.too_long:
            lines.append((self.number, None))
        elif self.partial.strip():
            lines.append((self.number, bytes(self.partial)))
        self.partial = bytearray()
        self.too_long = False


class BatchEndpoint:
    """The ASGI application of POST /api/batch."""

    async def __call__(self, scope: dict, receive: Any, send: Any) -> None:
        request = Request(scope, receive)
        server = request.app.state.server
        try:
            server.allow(request, "decide")
            params = query(request, "decision", "on")
            decision = params.get("decision")
            if decision:
                server.engine.catalog.decision(decision)  # unknown: 404 before any line
            day = parse_on(params.get("on"))
        except Exception as err:  # noqa: BLE001 - refused as a whole, one line
            await error_reply(err)(scope, receive, send)
            return
        headers = [(k.encode(), v.encode()) for k, v in SECURITY_HEADERS.items()]
        headers.append((b"content-type", b"application/x-ndjson; charset=utf-8"))
        await send({"type": "http.response.start", "status": 200, "headers": headers})
        run = _Run(server, decision, day)
        tail = await run.stream(receive, send)
        await send({"type": "http.response.body", "body": tail, "more_body": False})


class _Run:
    """One batch: decide what arrives, log it, send it, until the body ends or a limit."""

    def __init__(self, server: Any, decision: str | None, day: Any) -> None:
        self.server = server
        self.decision = decision
        self.day = day
        self.splitter = _Splitter(server.config.max_body)
        self.builder = server.log.builder() if server.writer is not None else None
        self.deadline = time.monotonic() + server.config.batch_timeout

    async def stream(self, receive: Any, send: Any) -> bytes:
        """Answer every line; the last bytes to send (a line saying why it stopped early)."""
        config = self.server.config
        while True:
            try:
                with anyio.fail_after(config.timeout):
                    message = await receive()
            except TimeoutError:
                return _stop(f"no input for {config.timeout:g} s: the lines after line "
                             f"{self.splitter.number} are not decided")
            if message["type"] != "http.request":
                return b""  # the client went away
            more = message.get("more_body", False)
            try:
                out = self.decide(self.splitter.feed(message.get("body", b""), final=not more))
            except Exception as err:  # noqa: BLE001 - the log failed: hand nothing unlogged out
                return _stop(f"{message_of(err)}: the lines from line "
                             f"{self.splitter.number} on are not decided")
            if out:
                await send({"type": "http.response.body", "body": out, "more_body": True})
            if not more:
                return b""
            if time.monotonic() > self.deadline:
                return _stop(f"the time limit of {config.batch_timeout:g} s is reached: the "
                             f"lines after line {self.splitter.number} are not decided")

    def decide(self, lines: list[tuple[int, bytes | None]]) -> bytes:
        """The output of these lines, their decisions committed to the log first."""
        engine, out, blocks = self.server.engine, [], []
        for number, line in lines:
            if line is None:
                out.append(error_line(number, "the line is longer than the limit of "
                                              f"{self.splitter.limit:,} bytes"))
                continue
            text, _status = decide_line(number, decide_json_line,
                                        (engine, line, self.decision, self.day),
                                        self.builder, blocks)
            out.append(text)
        if self.builder is not None:
            last = self.builder.take()
            if last is not None:
                blocks.append(last)
            for block in blocks:
                self.server.writer.write(block)
        return b"".join(line + b"\n" for line in out)


def _stop(message: str) -> bytes:
    """The last line of a batch stopped early: why, and from which line on."""
    return json.dumps({"error": message}, ensure_ascii=False, allow_nan=False).encode("utf-8") + b"\n"
