"""Adding a version to a rule file: it amends the last version and states only what changes.

The file keeps its comments and layout (ruamel.yaml's round trip is used for writing only;
the file was read and checked by the safe loader first). The new text is written to a
temporary file in the same folder, flushed to disk, compiled as a rule file, and only then
moved over the old file in one step (`os.replace`): a crash at any moment leaves either the
old file or the new one, whole. The temporary file's name does not end in `.yaml`, so a
leftover one is never read as a rule file.
"""

from __future__ import annotations

import datetime as _dt
import hashlib
import io
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..base.atomicfile import write_atomically
from ..base.errors import Problem, RuleFileError, UsageError
from ..base.i18n import _
from ..base.jsonvalues import to_json
from ..base.suggest import did_you_mean
from ..compiling import paramtypes
from ..compiling.compiler import Context
from ..compiling.model import RuleSet
from ..rulefiles.schema import with_modeline
from ..rulefiles.yamlsource import _value_kind


@dataclass
class Change:
    name: str
    old: Any
    new: Any
    citation: str = ""  # the text that sets the new value (--cite NAME=TEXT)


@dataclass
class NewVersion:
    """What `new-version` writes: the version, the one it amends and the parameters it sets."""

    ruleset: str
    file: str
    name: str
    amends: str
    in_force_from: _dt.date
    citation: str = ""
    changes: list[Change] = field(default_factory=list)

    def as_dict(self) -> dict:
        return {"ruleset": self.ruleset, "file": self.file, "version": self.name,
                "amends": self.amends, "in_force_from": self.in_force_from.isoformat(),
                "citation": self.citation,
                "parameters": [{"name": c.name, "old": to_json(c.old), "new": to_json(c.new),
                                "citation": c.citation} for c in self.changes]}


def parse_assignment(text: str) -> tuple[str, Any]:
    """`PARAM=VALUE` with the value read as YAML: `12`, `2026-09-01`, `text`, `[a, b]`."""
    from ..rulefiles.yamlsource import load_yaml_bytes

    name, sep, raw = text.partition("=")
    name = name.strip()
    if not sep or not name:
        raise UsageError(_("--set {text!r}: write PARAM=VALUE, e.g. --set duur_maanden=12")
                         .format(text=text))
    if not raw.strip():
        raise UsageError(_("--set {text!r}: give a value after '='").format(text=text))
    try:
        value = load_yaml_bytes(raw.encode("utf-8"), f"--set {name}", expect_mapping=False).data
    except RuleFileError as err:
        raise UsageError(f"--set {text!r}: {err.problems[0].message}") from None
    return name, value


def parse_citation(text: str) -> tuple[str, str]:
    """`PARAM=TEXT`: the citation of one parameter's new value."""
    name, sep, cited = text.partition("=")
    name, cited = name.strip(), cited.strip()
    if not sep or not name or not cited:
        raise UsageError(_("--cite {text!r}: write PARAM=TEXT, e.g. --cite "
                           "duur_maanden=\"besluit van 1 juli 2027 §2\"").format(text=text))
    return name, cited


def plan(ruleset: RuleSet, start: _dt.date, sets: list[tuple[str, Any]], *,
         name: str | None = None, citation: str = "",
         cites: list[tuple[str, str]] = ()) -> NewVersion:
    """Check the request against the rule set and say what will be written."""
    base = ruleset.versions[-1]
    if start <= base.in_force_from:
        raise UsageError(_("the new version must come into force after the last one: version "
                           "{name} of {id} is in force from {day}").format(
                               name=base.name, id=ruleset.id, day=base.in_force_from))
    name = name or start.isoformat()
    if ruleset.version_named(name) is not None:
        raise UsageError(_("{id} already has a version {name!r}").format(id=ruleset.id, name=name))
    changes: list[Change] = []
    for pname, value in sets:
        param = base.params.get(pname)
        if param is None:
            hint = did_you_mean(pname, base.params)
            raise UsageError(_("--set {name}: version {version} of {id} has no parameter "
                               "{name!r}{hint} (a new parameter needs a label and a citation: "
                               "add it to the file by hand)").format(
                                   name=pname, version=base.name, id=ruleset.id, hint=hint))
        if _value_kind(value) != _value_kind(param.value):
            raise UsageError(_("--set {name}: {name} is {kind} ({value}), not {other} ({new})")
                             .format(name=pname, kind=_(_value_kind(param.value)),
                                     value=_show(param.value), other=_(_value_kind(value)),
                                     new=_show(value)))
        wrong = "; ".join(m for _where, m in paramtypes.value_problems(
            pname, param.type, value, param.minimum, param.maximum))
        if wrong:
            raise UsageError(f"--set {pname}: {wrong}")
        if to_json(value) == to_json(param.value):
            raise UsageError(_("--set {name}: {name} is already {value} in version {version}")
                             .format(name=pname, value=_show(value), version=base.name))
        if any(c.name == pname for c in changes):
            raise UsageError(_("--set {name} is given twice").format(name=pname))
        changes.append(Change(pname, param.value, value))
    cited = dict(cites)
    for pname, _text in cites:
        change = next((c for c in changes if c.name == pname), None)
        if change is None:
            raise UsageError(_("--cite {name}: give its new value with --set {name}=VALUE; "
                               "--cite says which text sets it").format(name=pname))
        change.citation = cited[pname]
    return NewVersion(ruleset.id, ruleset.file, name, base.name, start, citation, changes)


def _show(value: Any) -> str:
    from ..compiling.compiler import format_value

    return repr(value) if isinstance(value, str) else format_value(value)


# ------------------------------------------------------------------ writing


def render(text: str, new: NewVersion) -> str:
    """The file's text with the new version appended to `versions`, layout and comments kept."""
    from ruamel.yaml.comments import CommentedMap
    from ruamel.yaml.scalarstring import DoubleQuotedScalarString as Quoted

    yaml, doc = _round_trip(text)
    if yaml is None:
        raise UsageError(_("{path}: its layout cannot be kept exactly (indentation is not the "
                           "same throughout the file); add the version by hand, or indent the "
                           "file consistently as in the README").format(path=new.file))
    item = CommentedMap()
    item["version"] = Quoted(new.name)
    item["amends"] = Quoted(new.amends)
    item["in_force_from"] = new.in_force_from
    if new.citation:
        item["citation"] = Quoted(new.citation)
    if new.changes:
        params = CommentedMap()
        for change in new.changes:
            entry = {"value": change.new}
            if change.citation:
                entry["citation"] = Quoted(change.citation)
            params[change.name] = _flow(entry)
        item["parameters"] = params
    versions = doc["versions"]
    versions.append(item)
    versions.yaml_set_comment_before_after_key(
        len(versions) - 1, before=f"\nversie {new.name}: wijzigt {new.amends}",
        indent=yaml.sequence_dash_offset)
    return with_modeline(_dump(yaml, doc))


def _round_trip(text: str) -> tuple[Any, Any]:
    """(yaml, document) set up to write `text` back byte for byte, or (None, None)."""
    from ruamel.yaml import YAML
    from ruamel.yaml.util import load_yaml_guess_indent

    _doc, seq_indent, dash_offset = load_yaml_guess_indent(text)
    seq_indent, dash_offset = seq_indent or 2, dash_offset or 0
    for mapping_indent in dict.fromkeys((2, seq_indent, 4)):
        yaml = YAML(typ="rt")
        yaml.width = 4096  # never fold a long line
        yaml.preserve_quotes = True
        yaml.indent(mapping=mapping_indent, sequence=seq_indent, offset=dash_offset)
        doc = yaml.load(text)
        if _dump(yaml, doc) == text:
            return yaml, doc
    return None, None


def _flow(value: Any) -> Any:
    """A value written inline (`{value: 12}`, `[a, b]`), as small amendments read best."""
    from ruamel.yaml.comments import CommentedMap, CommentedSeq

    if isinstance(value, dict):
        node = CommentedMap((k, _flow(v)) for k, v in value.items())
    elif isinstance(value, list):
        node = CommentedSeq(_flow(v) for v in value)
    else:
        return value
    node.fa.set_flow_style()
    return node


def _dump(yaml: Any, doc: Any) -> str:
    out = io.StringIO()
    yaml.dump(doc, out)
    return out.getvalue()


def write(ruleset: RuleSet, new: NewVersion, ctx: Context) -> None:
    """Write the new version atomically, after compiling the result; raise on any problem."""
    from ..rulefiles.loader import compile_file

    path = Path(ruleset.file)
    original = path.read_bytes()
    if hashlib.sha256(original).hexdigest() != ruleset.sha256:
        raise UsageError(_("{path} changed since it was read; run the command again")
                         .format(path=path))
    text = render(original.decode("utf-8"), new)

    def loads_and_unchanged(tmp: Path) -> None:
        compiled, problems, _rid = compile_file(tmp, ctx, ruleset.origin, display=str(path))
        errors = [p for p in problems if p.severity == "error"]
        if compiled is None or errors:
            raise RuleFileError(errors or [Problem(str(path), 1, 1, "the new text does not load")])
        if path.read_bytes() != original:
            raise UsageError(_("{path} changed while the new version was written; nothing was "
                               "changed, run the command again").format(path=path))

    write_atomically(path, text.encode("utf-8"), check=loads_and_unchanged)
