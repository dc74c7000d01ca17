"""What one version of a rule set changes against another, in terms a policy author uses.

Parameters (old and new value, with citations), decision-table rows added, removed or
changed, decisions added, removed or changed, and the dates in force. Versions are compared
as compiled (amendments applied), so an inherited value is the same value, and two copies
of a rule set (the installed one and a draft) can be compared version by version.
"""

from __future__ import annotations

from typing import Any

from ..base.jsonvalues import to_json
from ..compiling.compiler import format_value
from ..compiling.model import Decision, Param, RuleSet, Version
from ..compiling.statictexts import source_of
from ..compiling.tables import Cell, Row, Table
from ..deciding.trail import _compact as show_value

PARAM_FIELDS = ("value", "label", "citation", "unit")


def version_summary(ruleset: RuleSet, version: Version) -> dict:
    return {
        "version": version.name,
        "in_force_from": version.in_force_from.isoformat(),
        "in_force_until": version.until.isoformat() if version.until else None,
        "amends": version.amends,
        "citation": version.citation,
        "file": ruleset.file,
    }


def compare_versions(old_rs: RuleSet, old: Version, new_rs: RuleSet, new: Version) -> dict:
    """Everything that differs between two compiled versions, as plain JSON-ready data."""
    before, after = version_summary(old_rs, old), version_summary(new_rs, new)
    return {
        "ruleset": new_rs.id,
        "from": before,
        "to": after,
        "version": [{"field": k, "old": before[k], "new": after[k]}
                    for k in ("in_force_from", "in_force_until", "amends", "citation")
                    if before[k] != after[k]],
        "parameters": _compare_params(old.params, new.params),
        "tables": _compare_tables(old.tables, new.tables),
        "decisions": _compare_decisions(old_rs.id, old.decisions, new.decisions),
    }


def has_changes(diff: dict) -> bool:
    """Whether a version comparison found anything besides the version's own dates."""
    return any(diff[k][kind] for k in ("parameters", "tables", "decisions")
               for kind in ("added", "removed", "changed"))


def compare_copies(installed: RuleSet, draft: RuleSet) -> dict:
    """Version by version: which versions a draft adds, removes or changes against the installed."""
    versions = []
    names = [v.name for v in installed.versions]
    names += [v.name for v in draft.versions if v.name not in names]
    for name in names:
        old, new = installed.version_named(name), draft.version_named(name)
        if new is None:
            versions.append({"version": name, "status": "removed",
                             "summary": version_summary(installed, old)})
            continue
        if old is None:
            base = draft.version_named(new.amends) if new.amends else None
            entry = {"version": name, "status": "added", "summary": version_summary(draft, new)}
            if base is not None:
                entry["changes"] = compare_versions(draft, base, draft, new)
            versions.append(entry)
            continue
        diff = compare_versions(installed, old, draft, new)
        changed = has_changes(diff) or diff["version"]
        versions.append({"version": name, "status": "changed" if changed else "unchanged",
                         "summary": version_summary(draft, new),
                         **({"changes": diff} if changed else {})})
    return {"ruleset": draft.id, "installed": installed.file, "draft": draft.file,
            "versions": versions}


# ------------------------------------------------------------------ parameters


def param_dict(param: Param) -> dict:
    data = {"name": param.name, "value": to_json(param.value), "unit": param.unit,
            "label": param.label, "citation": param.citation, "set_in_version": param.version,
            "type": param.type}
    if param.shown:
        data["shown"] = param.shown
    return data


def _compare_params(old: dict[str, Param], new: dict[str, Param]) -> dict:
    result: dict[str, list] = {"added": [], "removed": [], "changed": []}
    for name in [*old, *(n for n in new if n not in old)]:
        if name not in new:
            result["removed"].append(param_dict(old[name]))
        elif name not in old:
            result["added"].append(param_dict(new[name]))
        else:
            a, b = param_dict(old[name]), param_dict(new[name])
            fields = [f for f in PARAM_FIELDS if a[f] != b[f]]
            if fields:
                result["changed"].append({"name": name, "fields": fields, "old": a, "new": b})
    return result


# ------------------------------------------------------------------ tables


def cell_text(cell: Cell | None) -> str:
    """A row's test on one input, as it reads: `BaO`, `[BaO, SO]`, `>= minimum_dagen`."""
    if cell is None or cell.kind == "any":
        return "(elke)"
    if cell.kind == "one_of":
        return "[" + ", ".join(format_value(v) for v in cell.value) + "]"
    if cell.kind == "equal":
        return "(leeg)" if cell.value is None else format_value(cell.value)
    return cell.source


def row_dict(table: Table, row: Row) -> dict:
    return {"row": row.index + 1,
            "when": {name: cell_text(row.cells.get(name)) for name in table.inputs},
            "then": to_json(row.then), "citation": row.citation}


def _compare_tables(old: dict[str, Table], new: dict[str, Table]) -> dict:
    result: dict[str, list] = {"added": [], "removed": [], "changed": []}
    for name in [*old, *(n for n in new if n not in old)]:
        if name not in new:
            result["removed"].append({"name": name, "label": old[name].label})
        elif name not in old:
            result["added"].append({"name": name, "label": new[name].label,
                                    "rows": [row_dict(new[name], r) for r in new[name].rows]})
        else:
            changes = _compare_table(old[name], new[name])
            if changes:
                result["changed"].append({"name": name, "label": new[name].label, **changes})
    return result


def _compare_table(old: Table, new: Table) -> dict:
    settings = [{"field": f, "old": getattr(old, f), "new": getattr(new, f)}
                for f in ("label", "citation", "hit_policy", "inputs", "outputs")
                if source_of(getattr(old, f)) != source_of(getattr(new, f))]
    before = [row_dict(old, r) for r in old.rows]
    after = [row_dict(new, r) for r in new.rows]
    left = [r for r in before if not any(_same_row(r, a) for a in after)]
    right = [r for r in after if not any(_same_row(b, r) for b in before)]
    changed = []
    for key in ("when", "then"):  # the same test with another outcome, or the other way round
        for b in list(left):
            match = next((a for a in right if a[key] == b[key]), None)
            if match is not None:
                left.remove(b)
                right.remove(match)
                changed.append({"old": b, "new": match})
    if not (settings or left or right or changed):
        return {}
    return {"settings": settings, "rows_added": right, "rows_removed": left,
            "rows_changed": changed}


def _same_row(a: dict, b: dict) -> bool:
    return a["when"] == b["when"] and a["then"] == b["then"] and a["citation"] == b["citation"]


# ------------------------------------------------------------------ decisions


def _signature(decision: Decision) -> dict[str, dict[str, Any]]:
    """What a decision is made of, part by part, to say which part changed."""
    return {
        "beschrijving": {"title": {"t": source_of(decision.title)},
                         "description": {"t": source_of(decision.description)},
                         "citation": {"t": decision.citation}},
        "invoer": {f.name: {"type": f.type, "required": f.required, "one_of": f.one_of,
                            "default": to_json(f.default), "label": f.label,
                            "fields": f.fields} for f in decision.inputs},
        "stap": {s.name: {"kind": s.kind, "source": s.source, "label": source_of(s.label),
                          "citation": s.citation,
                          "note": s.note.text.source if s.note else None} for s in decision.steps},
        "uitkomst": {o.name: {"value": o.value.source, "label": source_of(o.label)}
                     for o in decision.outputs},
        "toelichting": {str(i): {"text": n.text.source, "when": n.when.source if n.when else None}
                        for i, n in enumerate(decision.notes, 1)},
    }


def _compare_decisions(rid: str, old: dict[str, Decision], new: dict[str, Decision]) -> dict:
    result: dict[str, list] = {"added": [], "removed": [], "changed": []}
    for name in [*old, *(n for n in new if n not in old)]:
        if name not in new:
            result["removed"].append({"id": f"{rid}.{name}", "title": old[name].title})
        elif name not in old:
            result["added"].append({"id": f"{rid}.{name}", "title": new[name].title})
        else:
            changes = []
            a, b = _signature(old[name]), _signature(new[name])
            for part in a:
                for key in [*a[part], *(k for k in b[part] if k not in a[part])]:
                    if key not in b[part]:
                        changes.append({"part": part, "name": key, "change": "removed"})
                    elif key not in a[part]:
                        changes.append({"part": part, "name": key, "change": "added"})
                    elif a[part][key] != b[part][key]:
                        changes.append({"part": part, "name": key, "change": "changed"})
            if changes:
                result["changed"].append({"id": f"{rid}.{name}", "title": new[name].title,
                                          "changes": changes})
    return result


# ------------------------------------------------------------------ text

_MARK = {"added": "+", "removed": "-", "changed": "~"}
_CHANGE_WORDS = {"added": "toegevoegd", "removed": "verwijderd", "changed": "gewijzigd"}


def _in_force(summary: dict) -> str:
    until = f" t/m {summary['in_force_until']}" if summary["in_force_until"] else ""
    return f"vanaf {summary['in_force_from']}{until}"


def _value(param: dict) -> str:
    unit = f" {param['unit']}" if param.get("unit") else ""
    return (param.get("shown") or show_value(param["value"])) + unit


def render_version_diff(diff: dict, indent: str = "") -> list[str]:
    """A version comparison as lines of text."""
    a, b = diff["from"], diff["to"]
    out = [f"{diff['ruleset']}: versie {a['version']} → versie {b['version']}",
           f"  in werking: {_in_force(a)} → {_in_force(b)}"]
    for change in diff["version"]:
        if change["field"] in ("amends", "citation"):
            word = "wijzigt" if change["field"] == "amends" else "bron"
            out.append(f"  {word}: {format_value(change['old'])} → {format_value(change['new'])}")
    out += _param_lines(diff["parameters"])
    out += _table_lines(diff["tables"])
    out += _decision_lines(diff["decisions"])
    if not has_changes(diff):
        out.append("geen wijzigingen in parameters, beslistabellen of beslissingen")
    return [indent + line for line in out]


def _param_lines(params: dict) -> list[str]:
    """The parameters part of a version comparison: changed, added and removed."""
    if not any(params.values()):
        return []
    out = ["parameters"]
    for p in params["changed"]:
        old, new = p["old"], p["new"]
        out.append(f"  ~ {p['name']} ({new['label']})")
        if "value" in p["fields"] or "unit" in p["fields"]:
            out.append(f"      waarde: {_value(old)} → {_value(new)}")
        for field, word in (("label", "omschrijving"), ("citation", "bron")):
            if field in p["fields"]:
                out.append(f"      {word}: {old[field]} → {new[field]}")
        if "citation" not in p["fields"]:
            out.append(f"      bron: {new['citation']}")
    for kind in ("added", "removed"):
        for p in params[kind]:
            out.append(f"  {_MARK[kind]} {p['name']} = {_value(p)}  ({p['label']}) "
                       f"[{p['citation']}]")
    return out


def _table_lines(tables: dict) -> list[str]:
    """The decision-tables part of a version comparison, row by row for a changed table."""
    if not any(tables.values()):
        return []
    out = ["beslistabellen"]
    for t in tables["added"]:
        out.append(f"  + {t['name']} ({t['label']}), {len(t['rows'])} rijen")
    for t in tables["removed"]:
        out.append(f"  - {t['name']} ({t['label']})")
    for t in tables["changed"]:
        out.append(f"  ~ {t['name']} ({t['label']})")
        for s in t["settings"]:
            out.append(f"      {s['field']}: {show_value(s['old'])} → "
                       f"{show_value(s['new'])}")
        out += [f"      + rij {r['row']}: {_row_text(r)}" for r in t["rows_added"]]
        out += [f"      - rij {r['row']}: {_row_text(r)}" for r in t["rows_removed"]]
        for c in t["rows_changed"]:
            out.extend(_changed_row(c["old"], c["new"]))
    return out


def _decision_lines(decisions: dict) -> list[str]:
    """The decisions part of a version comparison: what changed in each."""
    if not any(decisions.values()):
        return []
    out = ["beslissingen"]
    for kind in ("added", "removed"):
        for d in decisions[kind]:
            out.append(f"  {_MARK[kind]} {d['id']} — {d['title']}")
    for d in decisions["changed"]:
        parts = ", ".join(f"{c['part']} {c['name']} {_CHANGE_WORDS[c['change']]}"
                          if c["part"] != "beschrijving" else f"{c['name']} gewijzigd"
                          for c in d["changes"])
        out.append(f"  ~ {d['id']}: {parts}")
    return out


def change_summary(diff: dict) -> list[str]:
    """What a version changes, one short line each, for a version history."""
    out = []
    for p in diff["parameters"]["changed"]:
        if "value" in p["fields"] or "unit" in p["fields"]:
            out.append(f"{p['new']['label']} ({p['name']}): "
                       f"{_value(p['old'])} → {_value(p['new'])}")
        else:
            out.append(f"{p['new']['label']} ({p['name']}): {', '.join(p['fields'])} gewijzigd")
    for kind, word in (("added", "nieuw"), ("removed", "geschrapt")):
        out.extend(f"parameter {p['name']} {word}: {_value(p)}" for p in diff["parameters"][kind])
        out.extend(f"beslistabel {t['name']} {word}" for t in diff["tables"][kind])
        out.extend(f"beslissing {d['id']} {word}" for d in diff["decisions"][kind])
    for t in diff["tables"]["changed"]:
        counts = [f"{len(t[k])} {w}" for k, w in (("rows_added", "rij(en) toegevoegd"),
                                                  ("rows_removed", "rij(en) geschrapt"),
                                                  ("rows_changed", "rij(en) gewijzigd")) if t[k]]
        counts += [f"{s['field']} gewijzigd" for s in t["settings"]]
        out.append(f"beslistabel {t['name']}: {', '.join(counts)}")
    for d in diff["decisions"]["changed"]:
        out.append(f"beslissing {d['id']}: " + ", ".join(
            f"{c['part']} {c['name']} {_CHANGE_WORDS[c['change']]}" for c in d["changes"]))
    return out


def _row_text(row: dict) -> str:
    return f"als {_when_text(row['when'])} → {_then_text(row['then'])}"


def _when_text(when: dict) -> str:
    return ", ".join(f"{k} {v}" for k, v in when.items())


def _then_text(then: dict) -> str:
    return ", ".join(f"{k}: {show_value(v)}" for k, v in then.items())


def _changed_row(old: dict, new: dict) -> list[str]:
    """A changed row: its test, then only the cells that changed."""
    moved = f" (nu rij {new['row']})" if new["row"] != old["row"] else ""
    out = [f"      ~ rij {old['row']}{moved}: als {_when_text(old['when'])}"]
    if old["when"] != new["when"]:
        out.append(f"          als: {_when_text(old['when'])} → {_when_text(new['when'])}")
    for key in dict.fromkeys([*old["then"], *new["then"]]):
        a, b = old["then"].get(key), new["then"].get(key)
        if a != b:
            out.append(f"          {key}: {show_value(a)} → {show_value(b)}")
    if old["citation"] != new["citation"]:
        out.append(f"          bron: {old['citation'] or '—'} → {new['citation'] or '—'}")
    return out


def render_copies(diff: dict) -> list[str]:
    """A draft against the installed rule set, version by version, as lines of text."""
    out = [f"{diff['ruleset']}: geïnstalleerd ({diff['installed']}) → ontwerp ({diff['draft']})"]
    words = {"unchanged": "ongewijzigd", "changed": "gewijzigd", "added": "nieuw",
             "removed": "verwijderd"}
    for v in diff["versions"]:
        s = v["summary"]
        amends = f", wijzigt {s['amends']}" if s["amends"] and v["status"] == "added" else ""
        out.append(f"versie {v['version']} ({_in_force(s)}): {words[v['status']]}{amends}")
        if "changes" in v:
            out.extend(render_version_diff(v["changes"], indent="    "))
    return out
