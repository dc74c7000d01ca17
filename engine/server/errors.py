"""Engine errors as HTTP answers: the CLI's one-line message as `{"error": ...}`, with the
status that says what kind of failure it is. Never a stack trace."""

from __future__ import annotations

from ..base.errors import (
    CaseError,
    CaseFileError,
    RegelwerkError,
    RuleFileError,
    UnknownName,
    UsageError,
    printable,
)
from ..log.decisionlog import LogError


class HttpError(RegelwerkError):
    """An answer other than 200, with its status and one line."""

    def __init__(self, status: int, message: str, headers: dict | None = None):
        super().__init__(message)
        self.status = status
        self.headers = headers or {}


def status_of(err: Exception) -> int:
    """The HTTP status of an engine error (see README, "Serving over HTTP")."""
    if isinstance(err, HttpError):
        return err.status
    if isinstance(err, CaseError):
        return 422  # no decision for this case: exit 1 on the command line
    if isinstance(err, LogError):
        return 503  # the log cannot be used: nothing is decided (exit 5)
    if isinstance(err, CaseFileError):
        return 400
    if isinstance(err, UnknownName):
        return 404
    if isinstance(err, UsageError):
        return 400
    return 500  # a broken rule file, a failing plugin, a bug


def message_of(err: Exception) -> str:
    """One line: the engine's message, or for a bug its kind and text (never a traceback)."""
    if isinstance(err, RuleFileError):
        lines = err.lines()
        more = f" (and {len(lines) - 1} more problem(s))" if len(lines) > 1 else ""
        return printable(lines[0] + more)
    if isinstance(err, RegelwerkError):
        return printable(" ".join(str(err).split()))
    if isinstance(err, RecursionError):
        return "the request is nested too deeply"
    text = printable(" ".join(str(err).split()))
    return f"internal error: {type(err).__name__}: {text}"
