"""A readable document of a rule set as in force on a date, for people who never open YAML.

Per decision: what it decides, its inputs, its outputs, how it works, its parameters with
citations, its decision tables and its worked examples; then the version history. The
document is built once as plain data and rendered as Markdown here, or as one HTML page
(`ruledocs_html`).
"""

from __future__ import annotations

import datetime as _dt
import re
from typing import Any

from ..base.jsonvalues import to_json
from ..compiling.facts import FactSpec
from ..compiling.model import Decision, RuleSet, Version
from ..deciding.trail import _compact as show_value
from ..deciding.trail import rule_file_name
from .examples import Example
from .versiondiff import change_summary, compare_versions, param_dict, row_dict

TYPE_WORDS = {"bool": "ja/nee", "date": "datum", "text": "tekst", "integer": "geheel getal",
              "number": "getal", "list": "lijst"}
HIT_POLICY_WORDS = {"unique": "precies één rij past", "first": "de eerste rij die past geldt",
                    "collect": "alle rijen die passen gelden"}
STEP_WORDS = {"value": "berekening", "table": "beslistabel", "op": "bewerking",
              "checks": "voorwaarden"}


def build(ruleset: RuleSet, on: _dt.date, examples: list[Example]) -> dict:
    """The document's content: the version in force on `on`, its decisions, the history."""
    version = ruleset.version_on(on)
    return {
        "ruleset": {"id": ruleset.id, "title": ruleset.title, "organisation": ruleset.organisation,
                    "source": ruleset.source, "description": ruleset.description,
                    "file": ruleset.file, "sha256": ruleset.sha256},
        "on": on.isoformat(),
        "version": _version_entry(ruleset, version),
        "decisions": [_decision(ruleset, version, d, examples)
                      for d in version.decisions.values()],
        "history": [_version_entry(ruleset, v, current=v is version) for v in ruleset.versions],
    }


def _version_entry(ruleset: RuleSet, version: Version, current: bool = False) -> dict:
    base = ruleset.version_named(version.amends) if version.amends else None
    changes = change_summary(compare_versions(ruleset, base, ruleset, version)) if base else []
    return {"version": version.name, "in_force_from": version.in_force_from.isoformat(),
            "in_force_until": version.until.isoformat() if version.until else None,
            "amends": version.amends, "citation": version.citation,
            "description": version.description, "changes": changes, "current": current}


def _fact(spec: FactSpec) -> dict:
    items = spec.items
    entry = {"name": spec.name, "type": TYPE_WORDS.get(spec.type, spec.type),
             "required": spec.required, "label": spec.label,
             "one_of": to_json(spec.one_of), "default": to_json(spec.default)}
    if isinstance(items, dict):
        entry["fields"] = [_fact(f) for f in items.values()]
    elif isinstance(items, FactSpec):
        entry["type"] = f"lijst van {TYPE_WORDS.get(items.type, items.type)}"
    return entry


def _decision(ruleset: RuleSet, version: Version, decision: Decision,
              examples: list[Example]) -> dict:
    table_names = list(dict.fromkeys(t for s in decision.steps for t in s.tables))
    tables = [version.tables[n] for n in table_names if n in version.tables]
    raw_steps = {s.get("name"): s for s in _raw_steps(ruleset, version, decision.name)}
    values = {name: p.value for name, p in version.params.items()}
    steps = [_step(s, i, raw_steps.get(s.name, {}), version, values)
             for i, s in enumerate(decision.steps, 1)]
    numbers = {s.name: i for i, s in enumerate(decision.steps, 1)}
    return {
        "id": decision.id,
        "title": decision.title,
        "description": decision.description,
        "citation": decision.citation,
        "inputs": [_fact(f) for f in decision.inputs],
        "outputs": [{"name": o.name, "label": placeholders(o.label, values),
                     "expression": o.value.source,
                     "from_step": _from_step(o.value.source, numbers, steps)}
                    for o in decision.outputs],
        "steps": steps,
        "notes": [placeholders(n.text.source, values) for n in decision.notes],
        "parameters": [param_dict(p) for p in decision.params],
        "tables": [{"name": t.name, "label": t.label, "citation": t.citation,
                    "hit_policy": t.hit_policy,
                    "hit_policy_words": HIT_POLICY_WORDS.get(t.hit_policy, t.hit_policy),
                    "inputs": t.inputs, "outputs": t.outputs,
                    "rows": [_filled_row(row_dict(t, r), values) for r in t.rows]}
                   for t in tables],
        "examples": [_example(ruleset, version, ex) for ex in examples
                     if ex.decision == decision.id],
    }


def _raw_steps(ruleset: RuleSet, version: Version, name: str) -> list[dict]:
    """The steps of a decision as written, from the version that (last) wrote it."""
    from ..rulefiles.yamlsource import load_yaml_bytes

    raws = {str(v["version"]): v for v in load_yaml_bytes(ruleset.text, ruleset.file)
            .data["versions"]}
    current: str | None = version.name
    while current in raws:
        raw = raws[current]
        decisions = raw.get("decisions") or {}
        if name in decisions:
            return decisions[name].get("steps") or []
        current = str(raw["amends"]) if "amends" in raw else None
    return []


def _step(step: Any, number: int, raw: dict, version: Version, values: dict) -> dict:
    """A step as the document shows it: what it does in Dutch (its own description, the
    operation's, the decision table's title) and, only as a last resort, its formula."""
    table = version.tables.get(step.source) if step.kind == "table" else None
    return {"name": step.name, "number": number, "title": step.label or step.name,
            "label": step.label, "kind": STEP_WORDS.get(step.kind, step.kind),
            "source": step.source, "citation": step.citation, "tables": step.tables,
            "description": placeholders(step.description.source, values)
            if step.description else "",
            "operation": step.operation,
            "table_label": table.label if table is not None else "",
            "checks": [{"test": c["test"], "when": c.get("when", ""),
                        "pass": placeholders(c.get("pass", ""), values),
                        "fail": placeholders(c["fail"], values), "citation": c.get("citation", "")}
                       for c in raw.get("checks", [])],
            "note": placeholders(step.note.text.source, values) if step.note else ""}


def _filled_row(row: dict, values: dict) -> dict:
    """A table row whose texts have the parameters' values in place of their placeholders."""
    row["then"] = {k: placeholders(v, values) if isinstance(v, str) else v
                   for k, v in row["then"].items()}
    return row


def _from_step(expression: str, numbers: dict[str, int], steps: list[dict]) -> str:
    """`stap 2: <its title>` for an output that is a step's result (or a field of it)."""
    head, _dot, field = expression.strip().partition(".")
    if head not in numbers or not re.fullmatch(r"[A-Za-z_][\w.]*", expression.strip()):
        return ""
    n = numbers[head]
    return f"stap {n}: {steps[n - 1]['title']}" + (f" ({field})" if field else "")


def how_words(s: dict) -> str:
    """How a step works, in words: the operation, the decision table, or else the formula
    (as `code`, for steps the rule file does not describe)."""
    if s["operation"]:
        return f"{s['kind']}: {s['operation']}"
    if s["table_label"]:
        return f"volgens de beslistabel ‘{s['table_label']}’"
    if s["description"]:
        return ""
    return f"{s['kind']}: `{s['source']}`"


def placeholders(text: str, values: dict | None = None) -> str:
    """A rule file's text with its `{name}` placeholders filled with the parameters' values;
    a name a case gives (a fact, a step's result) is shown as ‹name›."""
    values = values or {}

    def fill(m: re.Match) -> str:
        name = m.group(1)
        return show(values[name]) if name in values else f"‹{name}›"

    return _PLACEHOLDER.sub(fill, text)


_PLACEHOLDER = re.compile(r"\{([A-Za-z_][A-Za-z0-9_.]*)\}")


def _example(ruleset: RuleSet, version: Version, ex: Example) -> dict:
    other = next((v for v in ruleset.versions if v.in_force_on(ex.on)), None)
    if other is None:
        decided_by = "geen versie in werking op de peildatum"
    elif other is version:
        decided_by = ""
    else:
        decided_by = f"versie {other.name}"
    return {"name": ex.name, "description": ex.description, "on": ex.on.isoformat(),
            "facts": flatten(ex.facts), "expect": flatten(ex.expect or {}),
            "expect_error": ex.expect_error, "decided_by": decided_by}


def flatten(data: dict, prefix: str = "") -> list[tuple[str, Any]]:
    """Nested facts as (dotted name, value) pairs, values in JSON form; lists stay one value."""
    out: list[tuple[str, Any]] = []
    for key, value in data.items():
        name = f"{prefix}{key}"
        if isinstance(value, dict) and value:
            out.extend(flatten(value, name + "."))
        else:
            out.append((name, to_json(value)))
    return out


def show(value: Any) -> str:
    """A value as a person reads it: ja/nee, dates ISO, lists in brackets, (leeg) for none."""
    if value is None:
        return "(leeg)"
    if isinstance(value, list) and not value:
        return "(geen)"
    return show_value(to_json(value))


def in_force_words(entry: dict) -> str:
    until = f" t/m {entry['in_force_until']}" if entry["in_force_until"] else ""
    return f"vanaf {entry['in_force_from']}{until}"


# ------------------------------------------------------------------ Markdown


def slug(title: str) -> str:
    """The anchor Markdown renderers give a heading: lower case, words joined by '-'."""
    return re.sub(r"[^\w\- ]", "", title.lower()).replace(" ", "-")


def _cell(text: Any) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


def _table(header: list[str], rows: list[list[Any]]) -> list[str]:
    out = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    out += ["| " + " | ".join(_cell(c) for c in row) + " |" for row in rows]
    return out + [""]


def render_markdown(doc: dict) -> str:
    rs, v = doc["ruleset"], doc["version"]
    out = [f"# {rs['title']}", ""]
    out.append(f"Regelset `{rs['id']}`" + (f" van {rs['organisation']}" if rs["organisation"]
                                           else "") + f" · bron {rs['source']}")
    out += ["", f"Stand op {doc['on']}: versie {v['version']}, in werking {in_force_words(v)}"
            + (f" ({v['citation']})" if v["citation"] else "") + ".", ""]
    if rs["description"]:
        out += [rs["description"], ""]
    out += ["## Beslissingen", ""]
    out += [f"- [{d['title']}](#{slug(d['title'])}) (`{d['id']}`)"
            for d in doc["decisions"]] + [""]
    for d in doc["decisions"]:
        out += _decision_markdown(d)
    out += ["## Versiegeschiedenis", ""]
    out += _table(["versie", "in werking", "wijzigt", "bron", "wijzigingen"], [
        [h["version"] + (" (deze)" if h["current"] else ""), in_force_words(h),
         h["amends"] or "—", h["citation"] or "—",
         "; ".join(h["changes"]) or ("eerste versie" if not h["amends"] else "—")]
        for h in doc["history"]])
    out.append(f"Bestand {rule_file_name(rs['file'])} · sha256 {rs['sha256'][:16]}…")
    return "\n".join(out) + "\n"


def _decision_markdown(d: dict) -> list[str]:
    out = [f"## {d['title']}", "", f"`{d['id']}`" + (f" · {d['citation']}" if d["citation"]
                                                      else ""), ""]
    if d["description"]:
        out += [d["description"], ""]
    out += ["### Invoer", ""]
    rows = []
    for f in d["inputs"]:
        rows.append([f"`{f['name']}`", f["type"], "ja" if f["required"] else "nee",
                     _fact_words(f)])
        rows += [[f"`{f['name']}[].{g['name']}`", g["type"], "ja" if g["required"] else "nee",
                  _fact_words(g)] for g in f.get("fields", [])]
    out += _table(["feit", "soort", "verplicht", "omschrijving"], rows)
    out += ["### Uitkomsten", ""]
    out += _table(["uitkomst", "omschrijving", "komt uit"],
                  [[f"`{o['name']}`", o["label"] or "—", o["from_step"] or f"`{o['expression']}`"]
                   for o in d["outputs"]])
    if d["steps"]:
        out += ["### Werkwijze", ""] + _steps_markdown(d["steps"]) + [""]
    if d["notes"]:
        out += ["### Toelichting", ""] + [f"- {n}" for n in d["notes"]] + [""]
    if d["parameters"]:
        out += ["### Parameters", ""]
        out += _table(["parameter", "waarde", "omschrijving", "bron"],
                      [[f"`{p['name']}`", (p.get("shown") or show(p["value"]))
                        + (f" {p['unit']}" if p["unit"] else ""),
                        p["label"], p["citation"]] for p in d["parameters"]])
    for t in d["tables"]:
        out += [f"### Beslistabel: {t['label']}", "",
                f"`{t['name']}` · {t['hit_policy_words']} ({t['hit_policy']})"
                + (f" · {t['citation']}" if t["citation"] else ""), ""]
        out += _table([f"als {n}" for n in t["inputs"]] + [f"dan {n}" for n in t["outputs"]]
                      + ["bron"],
                      [[r["when"][n] for n in t["inputs"]]
                       + [show(r["then"].get(n)) for n in t["outputs"]]
                       + [r["citation"] or "—"] for r in t["rows"]])
    if d["examples"]:
        out += ["### Voorbeelden", ""]
        for ex in d["examples"]:
            by = f", {ex['decided_by']}" if ex["decided_by"] else ""
            out += [f"**{ex['name']}** (peildatum {ex['on']}{by})", ""]
            if ex["description"]:
                out += [ex["description"], ""]
            out.append("Gegeven: " + ("; ".join(f"{k} = {show(v)}" for k, v in ex["facts"])
                                      or "(niets)"))
            out.append("")
            if ex["expect_error"]:
                out.append(f"Uitkomst: geen beslissing, melding met \"{ex['expect_error']}\"")
            else:
                out.append("Uitkomst: " + "; ".join(f"{k} = {show(v)}" for k, v in ex["expect"]))
            out.append("")
    return out


def _steps_markdown(steps: list[dict]) -> list[str]:
    out = []
    for s in steps:
        cite = f" ({s['citation']})" if s["citation"] else ""
        if s["checks"]:
            out.append(f"{s['number']}. **{s['title']}**{cite}: {s['description'] or ''}"
                       .rstrip() + (" Voorwaarden:" if s["description"] else " alle voorwaarden:"))
            for c in s["checks"]:
                when = " (als van toepassing)" if c["when"] else ""
                test = c["pass"] or f"`{c['test']}`"
                out.append(f"    - {test}{when}; anders: {c['fail']}")
        else:
            how = how_words(s)
            out.append(f"{s['number']}. **{s['title']}**{cite}: {s['description'] or how}")
            if s["description"] and how:
                out.append(f"    - {how}")
        if s["note"]:
            out.append(f"    - toelichting (als van toepassing): {s['note']}")
    return out


def _fact_words(f: dict) -> str:
    words = f["label"] or ""
    if f.get("one_of"):
        words += f" (één van: {', '.join(map(str, f['one_of']))})"
    if f.get("default") not in (None, []):
        words += f" (standaard {show(f['default'])})"
    return words.strip() or "—"
