"""The rule-set document (`ruledocs.build`) as one self-contained HTML page.

Inline CSS, no script, no outside resource; every text from a rule file is escaped. Fit for
a browser, for printing, and for mailing to colleagues as a single file.
"""

from __future__ import annotations

from html import escape
from typing import Any

from .docs import how_words, in_force_words, rule_file_name, show

CSS = """
:root { --ink:#1f2933; --muted:#5f6b7a; --line:#d9dee5; --soft:#f4f6f9; --accent:#0b5cad;
        --accent-soft:#e8f1fb; --ok:#1d7a46; --warn:#9a5b00; }
* { box-sizing: border-box; }
body { margin:0; color:var(--ink); background:#fff; line-height:1.5;
       font:16px/1.55 -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif; }
header.page { background:var(--accent); color:#fff; padding:2.2rem 0 1.8rem; }
.wrap { max-width:980px; margin:0 auto; padding:0 1.5rem; }
header.page h1 { margin:0 0 .4rem; font-size:2rem; line-height:1.2; }
header.page .meta { opacity:.92; margin:.15rem 0; }
header.page code { background:rgba(255,255,255,.16); color:#fff; }
.stand { margin-top:1rem; display:inline-block; background:#fff; color:var(--accent);
         border-radius:6px; padding:.35rem .75rem; font-weight:600; }
main { padding:1.5rem 0 3rem; }
nav.toc { background:var(--soft); border:1px solid var(--line); border-radius:8px;
          padding:1rem 1.25rem; margin:1.5rem 0 2rem; }
nav.toc h2 { margin:0 0 .5rem; font-size:1rem; text-transform:uppercase; letter-spacing:.04em;
             color:var(--muted); }
nav.toc ol { margin:0; padding-left:1.3rem; }
nav.toc a { color:var(--accent); text-decoration:none; }
nav.toc a:hover { text-decoration:underline; }
section.decision { border:1px solid var(--line); border-radius:10px; padding:1.5rem 1.75rem;
                   margin:0 0 2rem; box-shadow:0 1px 2px rgba(16,24,40,.05); }
section.decision > h2 { margin:0 0 .3rem; font-size:1.5rem; line-height:1.25; }
.sub { color:var(--muted); margin:0 0 1rem; }
h3 { font-size:1.05rem; margin:1.6rem 0 .6rem; padding-bottom:.25rem;
     border-bottom:2px solid var(--accent-soft); }
h4 { font-size:1rem; margin:1.2rem 0 .4rem; }
p.desc { margin:.5rem 0 1rem; max-width:72ch; }
code { font:0.88em/1.4 "SFMono-Regular", Consolas, "Liberation Mono", Menlo, monospace;
       background:var(--soft); border-radius:4px; padding:.08em .35em; }
table { border-collapse:collapse; width:100%; margin:.4rem 0 1rem; font-size:.94rem; }
th, td { text-align:left; vertical-align:top; padding:.45rem .6rem;
         border-bottom:1px solid var(--line); }
th { background:var(--soft); font-weight:600; color:#334155; }
tbody tr:nth-child(even) td { background:#fafbfc; }
td { overflow-wrap:break-word; }
td > code:first-child { white-space:nowrap; }
td.val { font-weight:600; min-width:8rem; }
td.cite, span.cite { color:var(--muted); font-size:.9em; }
th.then, td.then { border-left:2px solid var(--accent-soft); }
.badge { display:inline-block; font-size:.78rem; font-weight:600; border-radius:999px;
         padding:.05rem .55rem; background:var(--accent-soft); color:var(--accent); }
.badge.opt { background:var(--soft); color:var(--muted); }
ol.steps { padding-left:1.3rem; margin:.3rem 0 1rem; }
ol.steps li { margin:.35rem 0; }
ol.steps .how { color:var(--muted); font-size:.92rem; }
.examples { display:grid; grid-template-columns:repeat(auto-fill, minmax(420px, 1fr)); gap:1rem; }
.example { border:1px solid var(--line); border-radius:8px; padding:.9rem 1rem; background:#fff; }
.example h4 { margin:0 0 .2rem; font-size:.98rem; }
.example .when { color:var(--muted); font-size:.88rem; margin-bottom:.4rem; }
.example p { margin:.3rem 0 .6rem; font-size:.93rem; }
.example table { font-size:.88rem; margin:.2rem 0 .5rem; }
.example th { width:45%; background:none; font-weight:500; color:var(--muted); }
.example .label { font-size:.78rem; text-transform:uppercase; letter-spacing:.05em;
                  color:var(--muted); margin-top:.4rem; }
.example .error { color:var(--warn); font-weight:600; }
.example.wide { grid-column:1 / -1; }
.example td ul { margin:0; padding-left:1.1rem; }
.example.wide > table > tbody > tr > th { width:28%; }
.example table.records { margin:.1rem 0 .3rem; font-size:.84rem; width:auto; min-width:60%; }
.example table.records th { width:auto; background:var(--soft); color:#334155; font-weight:600; }
.example td.records-cell { padding:0 .6rem .3rem; }
ul.checks { margin:.3rem 0 .2rem; padding-left:1.1rem; font-size:.93rem; }
ul.checks li { margin:.2rem 0; }
.history td.now { font-weight:700; }
span.date { white-space:nowrap; }
.history ul { margin:0; padding-left:1.1rem; }
footer { color:var(--muted); font-size:.85rem; border-top:1px solid var(--line);
         padding-top:1rem; margin-top:2rem; }
@media print { header.page { background:none; color:var(--ink); padding:0; }
               header.page code { color:var(--ink); } .stand { border:1px solid var(--line); }
               section.decision { box-shadow:none; break-inside:avoid-page; } }
"""


def e(value: Any) -> str:
    return escape(str(value), quote=True)


def _anchor(decision_id: str) -> str:
    return "d-" + decision_id.replace(".", "-")


def render_html(doc: dict) -> str:
    """The whole page, as text."""
    rs, v = doc["ruleset"], doc["version"]
    org = f"{e(rs['organisation'])} · " if rs["organisation"] else ""
    parts = [
        "<!DOCTYPE html>",
        '<html lang="nl"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{e(rs['title'])} ({e(rs['id'])}), stand op {e(doc['on'])}</title>",
        f"<style>{CSS}</style></head><body>",
        '<header class="page"><div class="wrap">',
        f"<h1>{e(rs['title'])}</h1>",
        f'<p class="meta">{org}regelset <code>{e(rs["id"])}</code> · bron {e(rs["source"])}</p>',
        (f'<div class="stand">Stand op {e(doc["on"])}: versie {e(v["version"])}, in werking '
         f"{_dates(in_force_words(v))}</div>"),
        "</div></header>",
        '<main class="wrap">',
    ]
    if rs["description"]:
        parts.append(f'<p class="desc">{e(rs["description"])}</p>')
    if v["citation"]:
        parts.append(f'<p class="desc"><span class="cite">Rechtsgrond van deze versie: '
                     f"{e(v['citation'])}</span></p>")
    parts.append('<nav class="toc"><h2>Beslissingen</h2><ol>')
    parts += [f'<li><a href="#{_anchor(d["id"])}">{e(d["title"])}</a> '
              f"<code>{e(d['id'])}</code></li>" for d in doc["decisions"]]
    parts.append("</ol></nav>")
    parts += [_decision(d) for d in doc["decisions"]]
    parts.append(_history(doc["history"]))
    parts.append(f"<footer>Gemaakt door regelwerk uit {e(rule_file_name(rs['file']))} (sha256 "
                 f"<code>{e(rs['sha256'][:16])}…</code>). De regels zelf staan in dat bestand; "
                 "dit document beschrijft ze.</footer>")
    parts.append("</main></body></html>")
    return "\n".join(parts) + "\n"


def _table(header: list[str], rows: list[list[str]], classes: list[str] | None = None,
           table_class: str = "") -> str:
    """A table of already-escaped cells; `classes` gives each column's class."""
    classes = classes or [""] * len(header)

    def cls(i: int) -> str:
        return f' class="{classes[i]}"' if classes[i] else ""

    head = "".join(f"<th{cls(i)}>{h}</th>" for i, h in enumerate(header))
    body = "".join("<tr>" + "".join(f"<td{cls(i)}>{c}</td>" for i, c in enumerate(row))
                   + "</tr>" for row in rows)
    attr = f' class="{table_class}"' if table_class else ""
    return f"<table{attr}><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _decision(d: dict) -> str:
    out = [f'<section class="decision" id="{_anchor(d["id"])}">',
           f"<h2>{e(d['title'])}</h2>",
           f'<p class="sub"><code>{e(d["id"])}</code>'
           + (f" · {e(d['citation'])}" if d["citation"] else "") + "</p>"]
    if d["description"]:
        out.append(f'<p class="desc">{e(d["description"])}</p>')
    out.append("<h3>Invoer</h3>")
    rows = []
    for f in d["inputs"]:
        rows.append(_fact_row(f, f["name"]))
        rows += [_fact_row(g, f"{f['name']}[].{g['name']}") for g in f.get("fields", [])]
    out.append(_table(["feit", "soort", "", "omschrijving"], rows) if rows
               else '<p class="desc">Deze beslissing vraagt geen gegevens.</p>')
    out.append("<h3>Uitkomsten</h3>")
    out.append(_table(["uitkomst", "omschrijving", "komt uit"], [
        [f"<code>{e(o['name'])}</code>", e(o["label"] or "—"),
         e(o["from_step"]) if o["from_step"] else f"<code>{e(o['expression'])}</code>"]
        for o in d["outputs"]]))
    if d["steps"]:
        out.append('<h3>Werkwijze</h3><ol class="steps">')
        out += [_step(s) for s in d["steps"]]
        out.append("</ol>")
    if d["notes"]:
        out.append('<h3>Toelichting</h3><ul class="notes">')
        out += [f"<li>{e(n)}</li>" for n in d["notes"]]
        out.append("</ul>")
    if d["parameters"]:
        out.append("<h3>Parameters</h3>")
        out.append(_table(["parameter", "waarde", "omschrijving", "bron"], [
            [f"<code>{e(p['name'])}</code>",
             e((p.get("shown") or show(p["value"])) + (f" {p['unit']}" if p["unit"] else "")),
             e(p["label"]), e(p["citation"])] for p in d["parameters"]],
            ["", "val", "", "cite"]))
    for t in d["tables"]:
        out.append(f"<h3>Beslistabel: {e(t['label'])}</h3>")
        cite = f" · {e(t['citation'])}" if t["citation"] else ""
        out.append(f'<p class="sub"><code>{e(t["name"])}</code> · {e(t["hit_policy_words"])} '
                   f"({e(t['hit_policy'])}){cite}</p>")
        header = ([f"als {e(n)}" for n in t["inputs"]] + [f"dan {e(n)}" for n in t["outputs"]]
                  + ["bron"])
        classes = ([""] * len(t["inputs"]) + ["then"] + [""] * (len(t["outputs"]) - 1)
                   + ["cite"])
        out.append(_table(header, [
            [e(r["when"][n]) for n in t["inputs"]] + [e(show(r["then"].get(n)))
                                                      for n in t["outputs"]]
            + [e(r["citation"] or "—")] for r in t["rows"]], classes))
    if d["examples"]:
        out.append('<h3>Voorbeelden</h3><div class="examples">')
        out += [_example(ex) for ex in d["examples"]]
        out.append("</div>")
    out.append("</section>")
    return "\n".join(out)


def _step(s: dict) -> str:
    """One step: its title, what it does in Dutch, how (the operation, the table; a formula
    only for a step the rule file does not describe, folded away), its note."""
    cite = f' <span class="cite">{e(s["citation"])}</span>' if s["citation"] else ""
    parts = [f"<li><strong>{e(s['title'])}</strong>{cite}"]
    if s["description"]:
        parts.append(f"<br>{e(s['description'])}")
    if s["checks"]:
        parts.append('<ul class="checks">' + "".join(
            f"<li>{e(c['pass']) if c['pass'] else '<code>' + e(c['test']) + '</code>'}"
            + (' <span class="cite">(als van toepassing)</span>' if c["when"] else "")
            + f'<br><span class="how">anders: {e(c["fail"])}</span></li>'
            for c in s["checks"]) + "</ul>")
    elif s["operation"] or s["table_label"]:
        parts.append(f'<br><span class="how">{e(how_words(s))}</span>')
    elif not s["description"]:
        parts.append(f'<br><span class="how">{e(s["kind"])}: <code>{e(s["source"])}</code></span>')
    if s["note"]:
        parts.append(f'<br><span class="how">toelichting (als van toepassing): {e(s["note"])}</span>')
    if s["source"] and s["kind"] == "berekening" and s["description"]:
        parts.append(f'<details><summary>formule</summary><code>{e(s["source"])}</code></details>')
    return "".join(parts) + "</li>"


def _fact_row(f: dict, name: str) -> list[str]:
    badge = ('<span class="badge">verplicht</span>' if f["required"]
             else '<span class="badge opt">optioneel</span>')
    words = e(f["label"] or "—")
    if f.get("one_of"):
        words += f"<br><span class=\"cite\">één van: {e(', '.join(map(str, f['one_of'])))}</span>"
    return [f"<code>{e(name)}</code>", e(f["type"]), badge, words]


def _example(ex: dict) -> str:
    by = f" · {e(ex['decided_by'])}" if ex["decided_by"] else ""
    # a list of records with many fields needs the page's width
    wide = any(_records(v) and len({k for item in v for k in item}) > 3
               for _, v in [*ex["facts"], *ex["expect"]])
    out = [f'<div class="example{" wide" if wide else ""}">', f"<h4>{e(ex['name'])}</h4>",
           f'<div class="when">peildatum {e(ex["on"])}{by}</div>']
    if ex["description"]:
        out.append(f"<p>{e(ex['description'])}</p>")
    out.append('<div class="label">gegeven</div>')
    out.append(_pairs(ex["facts"]) if ex["facts"] else "<p>(niets)</p>")
    out.append('<div class="label">uitkomst</div>')
    if ex["expect_error"]:
        out.append(f'<p class="error">geen beslissing: melding met “{e(ex["expect_error"])}”</p>')
    else:
        out.append(_pairs(ex["expect"]))
    out.append("</div>")
    return "\n".join(out)


def _records(value: Any) -> bool:
    return isinstance(value, list) and bool(value) and all(isinstance(v, dict) for v in value)


def _pairs(pairs: list[tuple[str, Any]]) -> str:
    """Name and value rows; a list of records becomes a small table of its own."""
    rows = []
    for name, value in pairs:
        if _records(value):
            columns = list(dict.fromkeys(k for item in value for k in item))
            table = _table([e(c) for c in columns],
                           [[e(show(item.get(c))) for c in columns] for item in value],
                           table_class="records")
            rows.append(f'<tr><th colspan="2"><code>{e(name)}</code></th></tr>'
                        f'<tr><td colspan="2" class="records-cell">{table}</td></tr>')
        elif isinstance(value, list) and value:
            items = "".join(f"<li>{e(show(v))}</li>" for v in value)
            rows.append(f"<tr><th><code>{e(name)}</code></th><td><ul>{items}</ul></td></tr>")
        else:
            rows.append(f"<tr><th><code>{e(name)}</code></th><td>{e(show(value))}</td></tr>")
    return f"<table><tbody>{''.join(rows)}</tbody></table>"


def _dates(text: str) -> str:
    """Text with its ISO dates kept on one line each (a browser breaks after a hyphen)."""
    return " ".join(f'<span class="date">{e(w)}</span>' if w[:1].isdigit() else e(w)
                    for w in text.split())


def _history(history: list[dict]) -> str:
    rows = []
    for h in history:
        changes = ("<ul>" + "".join(f"<li>{e(c)}</li>" for c in h["changes"]) + "</ul>"
                   if h["changes"] else ("eerste versie" if not h["amends"] else "—"))
        now = ' <span class="badge">deze stand</span>' if h["current"] else ""
        rows.append([f"{e(h['version'])}{now}", _dates(in_force_words(h)),
                     _dates(h["amends"] or "—"),
                     e(h["citation"] or "—"), changes])
    return ('<section class="history"><h2>Versiegeschiedenis</h2>'
            + _table(["versie", "in werking", "wijzigt", "rechtsgrond", "wijzigingen"], rows,
                     ["", "", "", "cite", ""])
            + "</section>")
