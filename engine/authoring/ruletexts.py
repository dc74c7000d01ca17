"""Warnings about what a rule file says, beyond what stops it from loading.

- a number in a title, description, label or text that equals a parameter's value: it
  will not follow the parameter when a new version changes it (write `{parameter}`);
- a parameter value changed from the version before without a citation of its own, and a
  version without a citation: a changed value must be traceable to the text that changed it;
- a yearly day written in the numeric form "MM-DD": it is read month first ("07-05" is
  5 juli) while a Fleming reads 7 May; named months ("5 juli") say one thing only;
- a gap in a `unique` or `first` table over inputs with known values (`one_of`, `bool`):
  a combination of values no row covers gives no decision, as DMN analysers warn.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterator
from typing import Any

from ..base.errors import Problem
from ..base.i18n import N_, _
from ..compiling.model import Param, RuleSet, Version
from ..compiling.tables import Table, _norm
from ..ops.calendars import format_month_day, is_numeric_month_day, parse_month_day

_NUMBER = re.compile(r"(?<![\w§.,/{-])(\d+(?:,\d+)?)(?![\w}]|[.,/-]\d)")
_TEXT_KEYS = ("title", "description", "label", "pass", "fail", "text", "no_match")
MAX_COMBINATIONS = 4096  # a table over more combinations than this is not checked for gaps


def text_warnings(ruleset: RuleSet, located: Any) -> list[Problem]:
    """Every warning of this module for one rule set (`located`: its file with places)."""
    problems: list[Problem] = []
    lines = ruleset.text.decode("utf-8", "replace").splitlines()
    raw_versions = located.data["versions"]
    index = {str(v["version"]): i for i, v in enumerate(raw_versions)}
    for version in ruleset.versions:
        i = index[version.name]
        raw = raw_versions[i]
        path = ("versions", i)

        def warn(key: tuple, message: str, col: int = 0, *, at_key: bool = False,
                 path: tuple = path) -> None:
            where = located.key_where if at_key else located.where
            line, column = where(path + key)
            problems.append(Problem(ruleset.file, line, column + col, message, "warning"))

        if not raw.get("citation"):
            warn((), _("version {name!r} has no citation: name the text that makes it "
                       "(citation: ...)").format(name=version.name))
        for key, message in _citation_warnings(version, raw):
            warn(key, message, at_key=True)
        for key, message in _month_day_warnings(raw):
            warn(key, message)
        for key, text in _texts(raw):
            for col, message in _numbers_in(text, version.params):
                warn(key, message, _column(lines, located.where(path + key), text, col))
        for key, message in _gap_warnings(version, raw):
            warn(key, message, at_key=True)
    return problems


# ------------------------------------------------------------------ citations


def _citation_warnings(version: Version, raw: dict) -> Iterator[tuple[tuple, str]]:
    for name, praw in (raw.get("parameters") or {}).items():
        param = version.params.get(name)
        if param is None or param.own_citation or "citation" in praw:
            continue
        cited = (_("it is cited to the version's citation ({citation!r})")
                 if param.citation and param.citation == raw.get("citation")
                 else _("it is cited to {citation!r}, which gave the old value")).format(
                     citation=param.citation)
        yield (("parameters", name),
               _("parameter {name!r} gets a new value without a citation of its own: {cited}; "
                 "add citation: with the text that sets it (new-version --cite {name}=...)")
               .format(name=name, cited=cited))


# ------------------------------------------------------------------ yearly days


def _month_day_warnings(raw: dict) -> Iterator[tuple[tuple, str]]:
    for name, praw in (raw.get("parameters") or {}).items():
        value = praw.get("value")
        if not isinstance(value, list):
            continue
        for i, window in enumerate(value):
            if not isinstance(window, dict):
                continue
            for end in ("van", "tot"):
                text = window.get(end)
                if not is_numeric_month_day(text):
                    continue
                try:
                    named = format_month_day(parse_month_day(text))
                except ValueError:
                    continue  # reported as an error where it is read
                yield (("parameters", name, "value", i, end),
                       _("{text!r} is read month first, as {named}, while a reader may take it "
                         "for day-month: write {named!r}").format(text=text, named=named))


# ------------------------------------------------------------------ numbers in texts


def _texts(raw: Any, key: tuple = ()) -> Iterator[tuple[tuple, str]]:
    """(path, text) of every Dutch text a person reads in a version's raw entry."""
    if isinstance(raw, dict):
        for k, v in raw.items():
            if k in ("citation", "value", "when", "test", "with", "args", "inputs"):
                if k == "inputs" and isinstance(v, dict):
                    for fname, fraw in v.items():
                        if isinstance(fraw, dict) and isinstance(fraw.get("label"), str):
                            yield key + (k, fname, "label"), fraw["label"]
                continue
            if k in _TEXT_KEYS and isinstance(v, str):
                yield key + (k,), v
            elif k == "then" and isinstance(v, dict):
                yield from ((key + (k, o), t) for o, t in v.items() if isinstance(t, str))
            else:
                yield from _texts(v, key + (k,))
    elif isinstance(raw, list):
        for i, item in enumerate(raw):
            yield from _texts(item, key + (i,))


def _numbers_in(text: str, params: dict[str, Param]) -> Iterator[tuple[int, str]]:
    numeric = {name: p.value for name, p in params.items()
               if isinstance(p.value, (int, float)) and not isinstance(p.value, bool)}
    years = {name: p.value.year for name, p in params.items()
             if hasattr(p.value, "year") and not isinstance(p.value, bool)}
    for match in _NUMBER.finditer(text):
        number = float(match[1].replace(",", "."))
        for name, value in numeric.items():
            if number == value:
                yield match.start(1), _number_message(match[1], name)
                break
        else:
            for name, year in years.items():
                if len(match[1]) == 4 and number == year:
                    yield match.start(1), _number_message(match[1], name, N_(" (its year)"))
                    break


def _number_message(number: str, name: str, what: str = "") -> str:
    return _("{number} in this text is the value of parameter {name!r}{what}: write {{{name}}} "
             "so that the text follows a new value").format(number=number, name=name,
                                                            what=_(what) if what else "")


def _column(lines: list[str], where: tuple[int, int], text: str, col: int) -> int:
    """Columns from a scalar's start to `col` of its text: exact for a text on one line
    (plain or quoted); 0 (the scalar's start) for a text folded over several lines."""
    line, start = where
    if not 0 < line <= len(lines):
        return 0
    rest = lines[line - 1][start - 1:]
    quoted = rest[:1] in ("'", '"')
    if rest[int(quoted):].startswith(text[:col + 1]) and "\n" not in text:
        return col + int(quoted)
    return 0


# ------------------------------------------------------------------ table gaps


def _gap_warnings(version: Version, raw: dict) -> Iterator[tuple[tuple, str]]:
    seen: set[str] = set()
    for dname, draw in (raw.get("decisions") or {}).items():
        decision = version.decisions.get(dname)
        if decision is None:
            continue
        facts = {f.name: f for f in decision.inputs}
        for table_name, bindings, fields in _table_uses(draw, facts):
            table = version.tables.get(table_name)
            if table is None or table.hit_policy == "collect" or table_name in seen:
                continue
            domains = {name: _domain(bindings.get(name), facts, fields) for name in table.inputs}
            known = {k: v for k, v in domains.items() if v}
            gap = _first_gap(table, known)
            if gap is not None:
                seen.add(table_name)
                shown = ", ".join(f"{k}={_show(v)}" for k, v in gap.items())
                yield (("tables", table_name) if table_name in (raw.get("tables") or {})
                       else ("decisions", dname),
                       _("no row of {policy} table {name!r} covers {values}: a case with these "
                         "values gets no decision; add a row for it").format(
                             policy=table.hit_policy, name=table_name, values=shown))


def _table_uses(draw: dict, facts: dict) -> Iterator[tuple[str, dict, dict]]:
    """(table, its `with` bindings, the item fields they read) for each step using a table."""
    for step in draw.get("steps") or []:
        if "table" in step and isinstance(step.get("with"), dict):
            yield step["table"], step["with"], {}
        args = step.get("args")
        if isinstance(args, dict) and isinstance(args.get("table"), str) \
                and isinstance(args.get("with"), dict):
            spec = facts.get(str(args.get("list", "")).strip())
            items = spec.items if spec is not None and isinstance(spec.items, dict) else {}
            yield args["table"], args["with"], items


def _domain(binding: Any, facts: dict, fields: dict) -> list | None:
    """The values a binding can take, when they are known: a fact's `one_of`, or a bool."""
    if not isinstance(binding, str):
        return None
    spec = fields.get(binding.strip()) or facts.get(binding.strip())
    if spec is None:
        return None
    if spec.one_of:
        return list(spec.one_of)
    if spec.type == "bool":
        return [True, False]
    return None


def _first_gap(table: Table, domains: dict[str, list]) -> dict | None:
    names = list(domains)
    total = 1
    for values in domains.values():
        total *= len(values)
    if not names or total > MAX_COMBINATIONS:
        return None
    for combination in itertools.product(*(domains[n] for n in names)):
        values = dict(zip(names, combination, strict=True))
        if not any(_may_match(row.cells, values, table.ignore_case) for row in table.rows):
            return values
    return None


def _may_match(cells: dict, values: dict, ignore_case: bool) -> bool:
    for name, value in values.items():
        cell = cells.get(name)
        if cell is None or cell.kind in ("any", "compare"):
            continue  # a comparison may match: judged only when decided
        wanted = cell.plain_values() or []
        if _norm(value, ignore_case) not in [_norm(w, ignore_case) for w in wanted]:
            return False
    return True


def _show(value: Any) -> str:
    if value is True:
        return "true"
    if value is False:
        return "false"
    return str(value)
