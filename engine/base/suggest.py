""""Did you mean ...?" for a misspelt name, and which of two spellings is the misspelt one.

A name that is not found is usually misspelt where it is read, and the hint names the
closest known name. But when the closest known name is a parameter that nothing else
reads, the misspelling is more likely in its definition (`duurmaanden:` where every
expression says `duur_maanden`): then the hint says to rename the definition, never to copy
the typo into the expressions.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from .i18n import _


def closest(name: str, names: Iterable[str], cutoff: float = 0.6) -> str | None:
    """The known name most like `name`, or None when none is close."""
    import difflib  # only a start that shows a hint pays for importing it

    found = difflib.get_close_matches(name, list(dict.fromkeys(names)), n=1, cutoff=cutoff)
    return found[0] if found else None


def did_you_mean(name: str, names: Iterable[str], cutoff: float = 0.6) -> str:
    """'; did you mean 'x'?' for the closest name, or '' when none is close."""
    found = closest(name, names, cutoff)
    return _("; did you mean {name!r}?").format(name=found) if found else ""


def reads_of(name: str, text: str) -> int:
    """How often a rule file's text reads `name`: as a word, not as a key (`name:`)."""
    pattern = rf"(?<![\w.]){re.escape(name)}(?!\w)(?!\s*:)"
    return len(re.findall(pattern, text))


def unknown_name_hint(name: str, names: Iterable[str], params: Iterable[str],
                      text: str) -> str:
    """The hint for an unknown name read in a rule file whose text is `text`.

    When the closest known name is a parameter the file reads nowhere, the parameter's
    definition is the misspelt one: say to rename it to the name the expressions read."""
    found = closest(name, names)
    if found is None:
        return ""
    if found in set(params) and text and reads_of(found, text) == 0:
        return _("; parameter {defined!r} is defined but read nowhere: did you mean to name "
                 "it {name!r}?").format(defined=found, name=name)
    return _("; did you mean {name!r}?").format(name=found)
