"""`regelwerk plugins`: which plugins are loaded, their version, and what each contributes."""

from __future__ import annotations

import json
from pathlib import Path

import click

from ..ops.plugins import folder_path


def _inside(file: str, folders: list[Path]) -> bool:
    path = Path(file).resolve()
    return any(path.is_relative_to(folder) for folder in folders)


def describe(engine) -> list[dict]:
    """Every plugin with its version, rule sets, calendars and operations, or its error."""
    catalog = engine.catalog
    calendars = engine.contributions.calendars
    out = []
    for info in engine.contributions.plugins:
        folders = [folder_path(f).resolve() for f in info.rule_folders]
        broken = sorted({p.file for p in catalog.errors() if _inside(p.file, folders)})
        out.append({
            "name": info.name,
            "version": info.version,
            "module": info.module,
            "rule_sets": sorted(rid for rid, rs in catalog.rulesets.items()
                                if rs.origin == f"plugin {info.name}"),
            "broken_rule_files": broken,
            "calendars": [{"name": c, "country": calendars.get(c).country,
                           "label": calendars.get(c).label} for c in info.calendars],
            "operations": sorted(info.operations),
            "rule_folders": [str(f) for f in info.rule_folders],
            "error": info.error,
        })
    return out


def _text(plugin: dict) -> list[str]:
    version = f" {plugin['version']}" if plugin["version"] else ""
    lines = [f"{plugin['name']}{version}  ({plugin['module']})"]
    if plugin["error"]:
        return lines + [f"  error: {plugin['error']}"]
    if plugin["rule_sets"]:
        lines.append(f"  rule sets:  {', '.join(plugin['rule_sets'])}")
    if plugin["broken_rule_files"]:
        lines.append(f"  broken rule files:  {', '.join(plugin['broken_rule_files'])} "
                     "(see 'regelwerk rules list')")
    if plugin["calendars"]:
        lines.append("  calendars:  " + ", ".join(
            f"{c['name']} ({c['label'] + ', ' if c['label'] else ''}{c['country']})"
            for c in plugin["calendars"]))
    if plugin["operations"]:
        lines.append(f"  operations: {', '.join(plugin['operations'])}")
    if len(lines) == 1:
        lines.append("  (contributes nothing)")
    return lines


@click.command("plugins")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text")
@click.pass_obj
def plugins(state, fmt):
    """List the loaded plugins, their version and what each contributes; name those that failed."""
    data = describe(state.engine_quiet)
    if fmt == "json":
        click.echo(json.dumps(data, ensure_ascii=False, allow_nan=False, indent=2))
        return
    for plugin in data:
        click.echo("\n".join(_text(plugin)))


def register(group: click.Group) -> None:
    group.add_command(plugins)
