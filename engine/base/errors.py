"""The errors regelwerk reports. Each renders as one line naming the place and the value."""

from __future__ import annotations

from dataclasses import dataclass

from .i18n import _


class RegelwerkError(Exception):
    """Base of every error the engine reports to a user (never shown with a traceback)."""

    exit_code = 1


@dataclass(frozen=True)
class Problem:
    """One problem in a rule file, at a place in it (line and column are 1-based)."""

    file: str
    line: int
    col: int
    message: str
    severity: str = "error"  # "error" or "warning"

    def __str__(self) -> str:
        sev = "" if self.severity == "error" else _("warning: ")
        return f"{self.file}:{self.line}:{self.col}: {sev}{self.message}"

    def as_dict(self) -> dict:
        return {
            "file": self.file,
            "line": self.line,
            "col": self.col,
            "severity": self.severity,
            "message": self.message,
        }


class RuleFileError(RegelwerkError):
    """One or more rule files are wrong. Carries every problem found, not just the first."""

    exit_code = 3

    def __init__(self, problems: list[Problem]):
        self.problems = [p for p in problems if p.severity == "error"] or list(problems)
        super().__init__(str(self.problems[0]) if self.problems else "rule files are invalid")

    def lines(self) -> list[str]:
        return [str(p) for p in self.problems]


class UsageError(RegelwerkError):
    """The command was asked something that does not exist (unknown decision, missing file)."""

    exit_code = 2


class UnknownName(UsageError):
    """A decision, rule set or logged decision that does not exist: a usage error on the
    command line (exit 2), a 404 over HTTP. Its own class, so no caller reads the message."""


class CaseError(RegelwerkError):
    """The case cannot be decided: a fact is missing, of the wrong type, or not covered."""

    exit_code = 1

    def __init__(self, message: str, *, decision: str | None = None, fact: str | None = None):
        self.decision = decision
        self.fact = fact
        # values from the case reach the message: it stays one short line, whatever they hold
        self.detail = message = _shortened(printable(message))
        prefix = decision + ": " if decision else ""
        where = fact + ": " if fact else ""
        super().__init__(f"{prefix}{where}{message}")


class PluginError(RegelwerkError):
    """A plugin's code failed while deciding: the message names the plugin, not the case."""

    exit_code = 4

    def __init__(self, plugin: str, what: str, err: BaseException):
        self.plugin = plugin
        detail = " ".join(str(err).split()) or type(err).__name__
        super().__init__(f"plugin {plugin!r} failed in {what}: {type(err).__name__}: {detail}")


_HIDDEN = frozenset({"Cc", "Cf", "Cs", "Zl", "Zp"})  # control, format (bidi), surrogates, breaks


def printable(text: str) -> str:
    """Text for a terminal: control and bidirectional-override characters from a file or a
    case are shown as escapes (\\u202e), so a message cannot hide or rewrite what it reports."""
    import unicodedata

    if text.isprintable():
        return text
    out = []
    for ch in text:
        if ch == "\t" or unicodedata.category(ch) not in _HIDDEN:
            out.append(ch)
        else:
            out.append(f"\\u{ord(ch):04x}" if ord(ch) <= 0xFFFF else f"\\U{ord(ch):08x}")
    return "".join(out)


MAX_MESSAGE = 2000


def _shortened(text: str) -> str:
    """A message of at most about MAX_MESSAGE characters: its start and its end, which name
    what is wrong and what would be right, around a note of what was left out."""
    if len(text) <= MAX_MESSAGE:
        return text
    head, tail = text[: MAX_MESSAGE * 3 // 5], text[-(MAX_MESSAGE * 3 // 10):]
    return f"{head} ... ({len(text) - len(head) - len(tail):,} characters left out) ... {tail}"


class NoVersionInForce(CaseError):
    """No version of the rule set is in force on the peildatum."""


class CaseFileError(UsageError):
    """A case file cannot be read: missing, not valid JSON or YAML, or not a mapping at the top."""

    def __init__(self, file: str, message: str, line: int | None = None, col: int | None = None):
        self.file = file
        self.line = line
        self.col = col
        self.detail = printable(" ".join(message.split()))
        where = f"{file}:{line}:{col}" if line is not None and col is not None else file
        super().__init__(f"{where}: {self.detail}")
