"""Titles, descriptions and labels that name parameters: `{duur_maanden}` filled per version.

A title such as "Duur van de jobtraining ({duur_maanden} maanden effectieve dienst)" is
filled in with the values of the version in force when the file is compiled, so a new
version with another value says so in decide, explain, diff and docs without anyone
editing the words. The filled text remembers the text as written (`source`), so a
comparison of versions sees that the rule text itself did not change.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any, Self

from ..base.i18n import _
from ..base.suggest import unknown_name_hint

PLACEHOLDER = re.compile(r"\{([A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*)\}")


class FilledText(str):
    """A text with its placeholders filled in; `source` is the text as written."""

    source: str

    def __new__(cls, text: str, source: str) -> Self:
        made = super().__new__(cls, text)
        made.source = source
        return made


def source_of(text: str) -> str:
    """The text as the rule file writes it (placeholders unfilled)."""
    return getattr(text, "source", text)


def fill(text: str, params: dict[str, Any], show: Callable[[Any], str], file_text: str = ""
         ) -> tuple[str, tuple[int, str] | None, list[str]]:
    """(the text filled with the parameters' values, None, the parameters it names) or
    (text, (column, message), []) for the first placeholder that names no parameter."""
    if "{" not in text:
        return text, None, []
    pieces: list[str] = []
    names: list[str] = []
    pos = 0
    for match in PLACEHOLDER.finditer(text):
        head, _dot, rest = match[1].partition(".")
        param = params.get(head)
        if param is None:
            hint = unknown_name_hint(head, list(params), list(params), file_text)
            message = _("unknown parameter {name!r} in text: a title, description or label can "
                        "name parameters only").format(name=match[1]) + hint
            return text, (match.start(1), message), []
        value = param.value
        for key in rest.split(".") if rest else ():
            value = value.get(key) if isinstance(value, dict) else None
        shown = param.shown if not rest and param.shown else show(value)
        names.append(head)
        pieces += [text[pos:match.start()], shown]
        pos = match.end()
    pieces.append(text[pos:])
    return FilledText("".join(pieces), text), None, names
