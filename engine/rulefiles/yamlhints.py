"""What a YAML syntax error means for someone editing a rule file, and where its cause is.

The YAML parser reports where it noticed a problem, in its own terms. The three mistakes a
policy author makes most are told here in words they can act on, at the place to change:
- a colon and a space inside a text (`label: Duur: in effectieve dienst`): the text must be
  put in quotes;
- a quote that is opened and not closed on its line: the parser complains lines later, so
  the problem is placed at the opening quote;
- a tab between words or after a colon: a tab there, not in the indentation.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..base.i18n import _

# What the parser says when a line is indented more or less than its neighbours.
INDENTATION_SIGNS = ("expected <block end>", "mapping values are not allowed here",
                     "did not find expected key", "expected <block mapping start>")


@dataclass(frozen=True)
class Hint:
    """A better message for a syntax error, and the place (1-based) it belongs to."""

    line: int
    col: int
    message: str


def explain(text: str, line: int, col: int, message: str) -> Hint | None:
    """A hint for the parser's `message` at line:col of `text`, or None to keep the message."""
    lines = text.split("\n")
    here = lines[line - 1] if 0 < line <= len(lines) else ""
    if "'\\t'" in message:
        return _tab(here, line, col, message)
    quote = _unclosed_quote(lines, line)
    if quote is not None:
        return quote
    if "mapping values are not allowed here" in message:
        return _colon_in_text(here, line, col, message)
    return None


def _tab(here: str, line: int, col: int, message: str) -> Hint:
    if not here[: col - 1].strip(" \t"):
        return Hint(line, col, message + _("; use spaces, not tabs, for indentation"))
    return Hint(line, col, _("a tab in a value: YAML reads only spaces between a key and its "
                             "value and inside a plain text; replace the tab with a space"))


def _colon_in_text(here: str, line: int, col: int, message: str) -> Hint | None:
    """`key: text: more`: the text holds ': ', which YAML reads as the start of a mapping."""
    stripped = here.lstrip(" ")
    lead = len(here) - len(stripped)
    if stripped.startswith("- "):
        lead += 2
        stripped = stripped[2:].lstrip(" ")
    key, sep, raw = stripped.partition(": ")
    value = raw.split(" #")[0].strip()
    if not sep or not value or value[0] in "\"'[{|>&*!" or ": " not in value + " ":
        return None
    quote = "'" if '"' in value else '"'
    fixed = f"{key}: {quote}{value}{quote}"
    start = lead + len(key) + len(sep) + (len(raw) - len(raw.lstrip(' '))) + 1
    return Hint(line, start, _("the text {value!r} holds a colon and a space, which YAML reads "
                               "as a new key; put the text in quotes: {fixed}")
                .format(value=value, fixed=fixed))


def _unclosed_quote(lines: list[str], line: int) -> Hint | None:
    """A quoted text that runs over the end of its line and on to the error (or to the end of
    the file): place the problem at its opening quote."""
    found = _quotes_over_line_ends(lines)
    for open_line, open_col, close_line in found:
        if open_line < line and (close_line is None or close_line >= line - 1):
            message = _("this quote is not closed on its line, so YAML reads the lines after "
                        "it as part of the text (up to line {line}); close the quote on line "
                        "{open_line}").format(line=line, open_line=open_line)
            return Hint(open_line, open_col, message)
    return None


def _quotes_over_line_ends(lines: list[str]) -> list[tuple[int, int, int | None]]:
    """(line, column of the opening quote, line of the closing quote or None) of every quoted
    text that does not end on the line it starts on. A plain reading of YAML: a quote opens
    a text only where a value can start (after ': ', '- ', '[', '{', ',' or at the start)."""
    found: list[tuple[int, int, int | None]] = []
    quote, start = "", (0, 0)
    for number, text in enumerate(lines, 1):
        i = 0
        while i < len(text):
            ch = text[i]
            if quote:
                if quote == '"' and ch == "\\":
                    i += 2
                    continue
                if ch == quote:
                    if quote == "'" and text[i + 1:i + 2] == "'":
                        i += 2
                        continue
                    if start[0] != number:
                        found.append((*start, number))
                    quote = ""
            elif ch == "#" and (i == 0 or text[i - 1] in " \t"):
                break
            elif ch in "\"'" and _value_starts(text[:i]):
                quote, start = ch, (number, i + 1)
            i += 1
    if quote:
        found.append((*start, None))
    return found


def _value_starts(before: str) -> bool:
    tail = before.rstrip(" ")
    return not tail or tail.endswith((":", "-", "[", "{", ",", "?")) and (
        tail != before or tail.endswith(("[", "{", ",")))
