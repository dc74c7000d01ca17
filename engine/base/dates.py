"""Why a text is not a date, in words: a date that does not exist is named as such."""

from __future__ import annotations

import calendar
import re

from .i18n import _

_ISO = re.compile(r"([0-9]{4})-([0-9]{2})-([0-9]{2})")


def month_name(month: int) -> str:
    """The name of a month (1-12) in the language of the messages."""
    names = (_("January"), _("February"), _("March"), _("April"), _("May"), _("June"),
             _("July"), _("August"), _("September"), _("October"), _("November"),
             _("December"))
    return names[month - 1]


def date_problem(text: object) -> str:
    """Why `text` is not a date: it does not exist (2026-02-30, month 13), or it is not
    written YYYY-MM-DD. The text is quoted, so the message names the value."""
    shown = repr(text if not isinstance(text, str) or len(text) <= 60 else text[:57] + "...")
    found = _ISO.fullmatch(text) if isinstance(text, str) else None
    if found is None:
        return _("{value} is not a date YYYY-MM-DD").format(value=shown)
    year, month, day = (int(part) for part in found.groups())
    if year < 1:
        return _("{value} does not exist: there is no year 0").format(value=shown)
    if not 1 <= month <= 12:
        return _("{value} does not exist: there is no month {month}").format(
            value=shown, month=month)
    last = calendar.monthrange(year, month)[1] if year else 31
    if not 1 <= day <= last:
        return _("{value} does not exist: {month} {year} has {days} days").format(
            value=shown, month=month_name(month), year=year, days=last)
    return _("{value} is not a date YYYY-MM-DD").format(value=shown)
