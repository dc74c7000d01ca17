"""The audit trail of a decision: what went in, which rules and parameters, each step, what came out.

Built only when someone asks (`explain`); deciding never pays for it. The trail is plain
data (JSON-ready) and renders as a tree for the terminal or as Markdown for a dossier.
"""

from __future__ import annotations

import datetime as _dt
from typing import Any

from ..base.jsonvalues import to_json
from ..compiling.compiler import PEIL, format_value
from ..compiling.model import Decision, RuleSet, Version

_KIND_WORDS = {"value": "berekening", "table": "beslistabel", "op": "bewerking",
               "checks": "voorwaarden"}


def _step_inputs(step, env: dict) -> dict:
    seen: dict[str, Any] = {}
    for ref in step.refs:
        if ref.kind in ("item", "table") or ref.name in seen:
            continue
        try:
            seen[ref.name] = ref.value if ref.constant else ref.read(env)
        except Exception:  # noqa: BLE001 - the trail shows what it can
            seen[ref.name] = None
    return seen


def build_trail(ruleset: RuleSet, version: Version, decision: Decision, case: dict, env: dict,
                outputs: dict, notes: list[str], on: _dt.date, given: list[str]) -> dict:
    declared = {f.name for f in decision.inputs}
    facts = []
    for spec in decision.inputs:
        facts.append({
            "name": spec.name,
            "label": spec.label,
            "value": env.get(spec.name),
            "given": _given(spec.name, given),
        })
    unused = [g for g in given if not any(g == d or g.startswith(d + ".") for d in declared)]
    params = [{
        "name": p.name, "label": p.label, "value": p.value, "unit": p.unit,
        "citation": p.citation, "set_in_version": p.version,
        **({"shown": p.shown} if p.shown else {}),
    } for p in decision.params]
    steps = []
    for step in decision.steps:
        value = env.get(step.name)
        entry = {
            "name": step.name,
            "label": step.label,
            "kind": step.kind,
            "source": step.source,
            "citation": step.citation,
            "inputs": _step_inputs(step, env),
            "result": value,
        }
        if step.description is not None:
            entry["description"] = step.description.render(env)
        if step.operation:
            entry["operation"] = step.operation
        if step.detail is not None:
            entry["details"] = step.detail(env, value)
        if step.note is not None and (step.note.when is None or step.note.when.evaluate(env)):
            entry["note"] = step.note.text.render(env)
        steps.append(entry)
    trail = {
        "decision": decision.id,
        "title": decision.title,
        "citation": decision.citation,
        "on": on,
        "ruleset": ruleset.summary(version),
        "ruleset_source": ruleset.source,
        "version": {
            "name": version.name,
            "in_force_from": version.in_force_from,
            "in_force_until": version.until,
            "amends": version.amends,
            "citation": version.citation,
        },
        "facts": facts,
        "unused_facts": unused,
        "parameters": params,
        "steps": steps,
        "result": outputs,
        "output_labels": {o.name: o.label for o in decision.outputs if o.label},
        "uitleg": notes,
    }
    env.pop(PEIL, None)
    return to_json(trail)


def rule_file_name(path: str) -> str:
    """A rule file as its rule folder knows it (`go/jobtraining.yaml`), never the path of an
    installation or a home folder; the content hash beside it says which text it was."""
    from pathlib import PurePath

    p = PurePath(path)
    return f"{p.parent.name}/{p.name}" if p.parent.name else p.name


def _given(name: str, given: list[str]) -> bool:
    return any(g == name or g.startswith(name + ".") for g in given)


# ------------------------------------------------------------------ rendering


def _short(value: Any, width: int = 0) -> str:
    """A value on one line, whole: an auditor reads every item and every reason in full."""
    if isinstance(value, (dict, list)) and value:
        return _compact(value)
    return format_value(value)


def _shown_before(name: str, value: Any, earlier: dict[str, int], facts: set[str]) -> str | None:
    """Where a list or mapping an input of a step holds was shown already, so it is named
    instead of repeated; None for a value to show here."""
    if isinstance(value, (dict, list)) and value:
        if name in earlier:
            return f"(de uitkomst van stap {earlier[name]}, hierboven)"
        if name in facts:
            return "(zie de feiten, hierboven)"
    return None


def _compact(value: Any) -> str:
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k}: {_compact(v)}" for k, v in value.items()) + "}"
    if isinstance(value, list):
        return "[" + ", ".join(_compact(v) for v in value) + "]"
    return format_value(value)


def render_text(trail: dict) -> str:
    """The trail as a tree a person reads in a terminal."""
    rs = trail["ruleset"]
    v = trail["version"]
    out = [f"{trail['decision']} — {trail['title']}"]
    if trail.get("citation"):
        out.append(f"  bron: {trail['ruleset_source']} {trail['citation']}")
    out.append(f"  peildatum: {trail['on']}")
    until = f" t/m {v['in_force_until']}" if v.get("in_force_until") else ""
    out.append(f"  regelset: {rs['id']} versie {v['name']} (in werking vanaf {v['in_force_from']}"
               f"{until})" + (f", wijzigt {v['amends']}" if v.get("amends") else ""))
    out.append(f"  bestand: {rule_file_name(rs['file'])} (sha256 {rs['sha256'][:16]}…)")
    log = trail.get("log")
    if log:
        out.append(f"  logboek: beslissing {log['id']}, genomen op {log['made_at']} "
                   f"({log['engine']}), opnieuw uitgerekend met de regels van toen")
        if log.get("hashed_facts"):
            out.append(f"  alleen als hash gelogd: {', '.join(log['hashed_facts'])}")
        if not log.get("reproduced", True):
            out.append("  ⚠ de uitkomst wijkt af van de gelogde uitkomst: "
                       f"{_compact(log['logged_result'])}")
    out += _text_facts(trail)
    out.append("├─ parameters")
    for i, p in enumerate(trail["parameters"]):
        unit = f" {p['unit']}" if p.get("unit") else ""
        out.append(f"│  {'└' if i == len(trail['parameters']) - 1 else '├'}─ {p['name']} = "
                   f"{p.get('shown') or _short(p['value'])}{unit}  — {p['label']} "
                   f"[{p['citation']}]")
    out += _text_steps(trail)
    out.append("└─ uitkomst")
    labels = trail.get("output_labels", {})
    for k, val in trail["result"].items():
        label = f"  — {labels[k]}" if k in labels else ""
        if _is_records(val):
            out.append(f"   • {k}:{label}")
            out.extend(f"       {n}. {_compact(item)}" for n, item in enumerate(val, 1))
        else:
            out.append(f"   • {k} = {_short(val)}{label}")
    for note in trail["uitleg"]:
        out.append(f"   ⓘ {note}")
    return "\n".join(out)


def _text_facts(trail: dict) -> list[str]:
    """The facts, a list of records one item a line."""
    out: list[str] = []
    out.append("├─ feiten")
    for i, f in enumerate(trail["facts"]):
        mark = "" if f["given"] else " (niet gegeven)"
        label = f"  — {f['label']}" if f["label"] else ""
        last = i == len(trail["facts"]) - 1
        if _is_records(f["value"]):
            out.append(f"│  {'└' if last else '├'}─ {f['name']}:{label}")
            out.extend(f"│  {'   ' if last else '│  '}    {n}. {_compact(item)}"
                       for n, item in enumerate(f["value"], 1))
            continue
        out.append(f"│  {'└' if last else '├'}─ {f['name']} = {_short(f['value'])}{mark}{label}")
    if trail["unused_facts"]:
        out.append(f"│  (gegeven maar niet gebruikt: {', '.join(trail['unused_facts'])})")
    return out


def _text_steps(trail: dict) -> list[str]:
    """Each step: what it does, its inputs (named when shown before), details, result."""
    out: list[str] = []
    out.append("├─ stappen")
    earlier: dict[str, int] = {}
    facts = {f["name"] for f in trail["facts"]}
    for i, s in enumerate(trail["steps"]):
        last = i == len(trail["steps"]) - 1
        branch, pad = ("└", "   ") if last else ("├", "│  ")
        title = s["label"] or s["name"]
        cite = f" [{s['citation']}]" if s.get("citation") else ""
        out.append(f"│  {branch}─ {i + 1}. {title}{cite}")
        if s.get("description"):
            out.append(f"│  {pad}  {s['description']}")
        out.append(f"│  {pad}  {_step_kind_words(s)}")
        for k, val in s["inputs"].items():
            out.append(f"│  {pad}  met {k} = {_shown_before(k, val, earlier, facts) or _short(val)}")
        earlier[s["name"]] = i + 1
        out.extend(f"│  {pad}  {line}" for line in _detail_lines(s))
        if _is_records(s["result"]):
            out.append(f"│  {pad}  → {s['name']}:")
            out.extend(f"│  {pad}      {n}. {_compact(item)}"
                       for n, item in enumerate(s["result"], 1))
        else:
            out.append(f"│  {pad}  → {s['name']} = {_short(s['result'])}")
        if s.get("note"):
            out.append(f"│  {pad}  ⓘ {s['note']}")
    return out


def _is_records(value: Any) -> bool:
    return isinstance(value, list) and bool(value) and all(isinstance(v, dict) for v in value)


# ------------------------------------------------------------------ markdown


def _cell(value: Any) -> str:
    """A value in a Markdown table cell: whole, on one line, pipes escaped."""
    if isinstance(value, list) and value and not any(isinstance(v, (dict, list)) for v in value):
        text = "; ".join(format_value(v) for v in value)
    elif isinstance(value, str):
        text = value
    else:
        text = _compact(value) if isinstance(value, (dict, list)) and value else format_value(value)
    return " ".join(text.split()).replace("|", "\\|") or "—"


def render_markdown(trail: dict) -> str:
    """The trail as a Markdown document for a dossier: tables for facts, parameters and
    outcome, a section per step with its rule, inputs, details and result."""
    out = [f"# {trail['decision']} — {trail['title']}", ""]
    out += ["| | |", "|---|---|"] + [f"| {k} | {_cell(val)} |" for k, val in _md_header(trail)]
    out += [""] + _md_facts(trail) + _md_parameters(trail) + _md_steps(trail)
    out += ["## Uitkomst", "", "| Uitkomst | Omschrijving | Waarde |", "|---|---|---|"]
    labels = trail.get("output_labels", {})
    out += [f"| `{k}` | {_cell(labels.get(k, ''))} | {_cell(val)} |"
            for k, val in trail["result"].items()]
    if trail["uitleg"]:
        out += ["", "### Toelichting", ""] + [f"- {note}" for note in trail["uitleg"]]
    return "\n".join(out) + "\n"


def _md_header(trail: dict) -> list[tuple[str, Any]]:
    """The rows of the table that opens a dossier: date, rule set, version, sources, log."""
    rs, v = trail["ruleset"], trail["version"]
    until = f" tot en met {v['in_force_until']}" if v.get("in_force_until") else ""
    rows = [
        ("Peildatum", trail["on"]),
        ("Regelset", f"{rs['id']} — {rs['title']}"),
        ("Versie", f"{v['name']}, in werking vanaf {v['in_force_from']}{until}"
                   + (f", wijzigt {v['amends']}" if v.get("amends") else "")),
        ("Grondslag van de versie", v.get("citation") or "—"),
        ("Bron", f"{trail['ruleset_source']} {trail.get('citation') or ''}".strip()),
        ("Regelbestand", f"`{rule_file_name(rs['file'])}`"),
        ("Inhoudshash (sha256)", f"`{rs['sha256']}`"),
    ]
    log = trail.get("log")
    if log:
        made = (f"beslissing `{log['id']}`, genomen op {log['made_at']} "
                f"({log['engine']}); opnieuw uitgerekend met de regels van toen")
        rows.append(("Logboek", made))
        if log.get("hashed_facts"):
            rows.append(("Alleen als hash gelogd", ", ".join(log["hashed_facts"])))
        if not log.get("reproduced", True):
            rows.append(("Let op", "de uitkomst wijkt af van de gelogde uitkomst: "
                                   + _cell(log["logged_result"])))
    return rows


def _md_facts(trail: dict) -> list[str]:
    out = ["## Feiten", "", "| Feit | Omschrijving | Waarde | Gegeven |", "|---|---|---|---|"]
    out += [f"| `{f['name']}` | {_cell(f['label'] or '')} | {_cell(f['value'])} | "
            f"{'ja' if f['given'] else 'nee'} |" for f in trail["facts"]]
    if trail["unused_facts"]:
        out += ["", "Gegeven maar niet gebruikt: "
                + ", ".join(f"`{n}`" for n in trail["unused_facts"]) + "."]
    return out + [""]


def _md_parameters(trail: dict) -> list[str]:
    out = ["## Parameters", ""]
    if not trail["parameters"]:
        return out + ["Deze beslissing gebruikt geen parameters.", ""]
    out += ["| Parameter | Omschrijving | Waarde | Bron |", "|---|---|---|---|"]
    for p in trail["parameters"]:
        unit = f" {p['unit']}" if p.get("unit") else ""
        out.append(f"| `{p['name']}` | {_cell(p['label'])} | "
                   f"{_cell(p.get('shown') or p['value'])}{unit} | "
                   f"{_cell(p['citation'])} |")
    return out + [""]


def _md_steps(trail: dict) -> list[str]:
    """A section per step; a value an earlier step showed is named, not repeated."""
    out = ["## Stappen", ""]
    earlier: dict[str, int] = {}
    facts = {f["name"] for f in trail["facts"]}
    for n, s in enumerate(trail["steps"], 1):
        cite = f" ({s['citation']})" if s.get("citation") else ""
        out += [f"### {n}. {s['label'] or s['name']}{cite}", ""]
        if s.get("description"):
            out += [s["description"], ""]
        out.append(f"- {_step_kind_words(s, '`')}")
        for k, val in s["inputs"].items():
            out.append(f"- met `{k}` = {_shown_before(k, val, earlier, facts) or _cell(val)}")
        earlier[s["name"]] = n
        out.extend(f"- {line}" for line in _detail_lines(s))
        if _is_records(s["result"]):
            out.append(f"- **{s['name']}**:")
            out.extend(f"  {i}. {_cell(item)}" for i, item in enumerate(s["result"], 1))
        else:
            out.append(f"- **{s['name']}** = {_cell(s['result'])}")
        if s.get("note"):
            out.append(f"- ⓘ {s['note']}")
        out.append("")
    return out


TRAIL_FORMATS = {"text": render_text, "markdown": render_markdown}


def _step_kind_words(step: dict, quote: str = "") -> str:
    """How a step works: `berekening: <formula>`, `bewerking <name>: <what it does>`."""
    kind = _KIND_WORDS.get(step["kind"], step["kind"])
    if step.get("operation"):
        return f"{kind} {quote}{step['source']}{quote}: {step['operation']}"
    return f"{kind}: {quote}{step['source']}{quote}"


def _detail_lines(step: dict) -> list[str]:
    details = step.get("details")
    if not details:
        return []
    kind = step["kind"]
    lines: list[str] = []
    if kind == "table":
        if details["rijen"]:
            for row in details["rijen"]:
                cite = f" [{row['citation']}]" if row.get("citation") else ""
                lines.append(f"tabel {details['tabel']} ({details['hit_policy']}): rij {row['rij']}"
                             f"{cite}")
        else:
            lines.append(f"tabel {details['tabel']}: geen rij past")
    elif kind == "checks":
        for c in details:
            state = ("n.v.t." if not c["van_toepassing"] else
                     "voldaan" if c["voldaan"] else "niet voldaan")
            cite = f" [{c['citation']}]" if c.get("citation") else ""
            lines.append(f"voorwaarde {c['test']}: {state}{cite}")
    elif isinstance(details, dict) and "getelde_stukken" in details:
        lines.append("perioden die tellen: " + (", ".join(
            f"{p['van']} t/m {p['tot'] or 'open'}" for p in details["perioden"]) or "geen"))
        if details["uitgesloten"]:
            lines.append("uitgesloten: " + ", ".join(
                f"{p['van']} t/m {p['tot']}" for p in details["uitgesloten"]))
        if details["jaarlijks_uitgesloten"]:
            lines.append("elk jaar uitgesloten: " + ", ".join(
                f"{p['van']} t/m {p['tot']}" for p in details["jaarlijks_uitgesloten"]))
        for piece in details["getelde_stukken"]:
            if "van" in piece:
                lines.append(f"geteld: {piece['van']} t/m {piece['tot'] or 'open'}"
                             + (f" ({piece['dagen']} dagen)" if piece["dagen"] else ""))
            else:
                lines.append("…")
    elif isinstance(details, dict) and "niet_geteld" in details:
        lines.extend(_working_day_lines(details))
    else:
        lines.append(f"details: {_short(details, 80)}")
    return lines


def _working_day_lines(details: dict) -> list[str]:
    """A working-day count: the calendar, the suspension windows and every day not counted."""
    label = f" ({details['omschrijving']})" if details.get("omschrijving") else ""
    lines = [f"kalender {details['kalender']}{label}: weekend en feestdagen van "
             f"{details['land']} tellen niet"]
    if details["vanaf"] is None:
        return lines + ["geen begindatum: er wordt niet geteld"]
    lines.append(f"{details['werkdagen']} werkdagen geteld vanaf de dag na {details['vanaf']}")
    if details["opgeschort"]:
        lines.append("elk jaar opgeschort: " + ", ".join(
            f"{w['van']} t/m {w['tot']}" for w in details["opgeschort"]))
    skipped = details["niet_geteld"]
    weekend = [s for s in skipped if s["soort"] == "weekend"]
    if weekend:
        lines.append(f"niet geteld: {len(weekend)} weekenddagen")
    for s in skipped:
        if s["soort"] == "feestdag":
            lines.append(f"niet geteld: {s['datum']} ({s['reden']})")
        elif s["soort"] == "opgeschort":
            lines.append(f"niet geteld: {s['van']} t/m {s['tot']}: {s['reden']}")
    return lines
