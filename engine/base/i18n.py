"""Messages to people in Dutch (the default) or English, through gettext catalogues.

The code writes every message in English (the msgid); the Dutch text comes from the catalogue
`regelwerk/engine/locale/nl/LC_MESSAGES/regelwerk.mo`, shipped in the package. The language is, in
this order: `set_language()` (the `--lang` option), `$REGELWERK_LANG`, then the first of
`$LC_ALL`, `$LC_MESSAGES`, `$LANG` that names a language (`C` and `POSIX` name none); a
language other than Dutch or English, or none at all, gives Dutch. So a policy author never
reads two languages on one screen: the decisions' own texts come from the rule files, in
Dutch, and the engine's messages follow them unless English is asked for.

A message is translated when it is made, so choose the language before building an engine.
"""

from __future__ import annotations

import gettext
import os
from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache, lru_cache

DOMAIN = "regelwerk"
LANGUAGES = ("nl", "en")
DEFAULT = "nl"
_ENV = ("REGELWERK_LANG", "LC_ALL", "LC_MESSAGES", "LANG")

_chosen: str | None = None


def set_language(lang: str | None) -> None:
    """Use `lang` ('nl' or 'en') from now on; None goes back to the environment's choice."""
    global _chosen
    if lang is not None and lang not in LANGUAGES:
        raise ValueError(f"unknown language {lang!r}; known: {', '.join(LANGUAGES)}")
    _chosen = lang


@contextmanager
def language_set(lang: str) -> Iterator[None]:
    """Messages in `lang` inside the block (for comparing a message in either language)."""
    global _chosen
    before, _chosen = _chosen, lang
    try:
        yield
    finally:
        _chosen = before


def language() -> str:
    """The language messages are given in now: 'nl' or 'en'."""
    if _chosen is not None:
        return _chosen
    for var in _ENV:
        found = _language_of(os.environ.get(var, ""))
        if found is not None:
            return found if found in LANGUAGES else DEFAULT
    return DEFAULT


@lru_cache(maxsize=64)
def _language_of(value: str) -> str | None:
    """'en' of 'en_GB.UTF-8', 'nl' of 'nl_BE@euro'; None for '', 'C', 'POSIX', 'C.UTF-8'."""
    code = value.split(":")[0].split(".")[0].split("@")[0].split("_")[0].split("-")[0].lower()
    return None if code in ("", "c", "posix") else code


@cache
def _catalogue(lang: str) -> gettext.NullTranslations:
    """The compiled catalogue of a language, read from the package (English: the msgids)."""
    if lang == "en":
        return gettext.NullTranslations()
    from importlib import resources

    try:
        mo = resources.files("regelwerk.engine").joinpath("locale", lang, "LC_MESSAGES",
                                                           DOMAIN + ".mo")
        with mo.open("rb") as handle:
            return gettext.GNUTranslations(handle)
    except (ModuleNotFoundError, OSError):  # pragma: no cover - a broken installation
        return gettext.NullTranslations()


def _(message: str) -> str:
    """`message` (English, as written in the code) in the current language."""
    return _catalogue(language()).gettext(message)


def ngettext(singular: str, plural: str, n: int) -> str:
    """The singular or plural form for n, in the current language."""
    return _catalogue(language()).ngettext(singular, plural, n)


def N_(message: str) -> str:
    """Marks a message for the catalogue where it is defined; `_()` translates it where used."""
    return message
