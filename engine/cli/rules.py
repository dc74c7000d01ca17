"""`regelwerk rules ...`: what the rule files hold."""

from __future__ import annotations

import json

import click


@click.group()
def rules():
    """Inspect the rule sets in use."""


@rules.command("list")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text")
@click.pass_obj
def list_(state, fmt):
    """List rule sets, their versions (with dates in force) and decisions."""
    engine = state.engine
    engine.check()
    data = []
    for rid in sorted(engine.catalog.rulesets):
        rs = engine.catalog.rulesets[rid]
        data.append({
            "id": rs.id,
            "title": rs.title,
            "source": rs.source,
            "file": rs.file,
            "origin": rs.origin,
            "versions": [{
                "version": v.name,
                "in_force_from": v.in_force_from.isoformat(),
                "in_force_until": v.until.isoformat() if v.until else None,
                "amends": v.amends,
                "decisions": list(v.decisions),
            } for v in rs.versions],
            "decisions": [f"{rs.id}.{n}" for n in rs.decision_names()],
        })
    if fmt == "json":
        click.echo(json.dumps(data, ensure_ascii=False, allow_nan=False, indent=2))
        return
    for rs in data:
        click.echo(f"{rs['id']} — {rs['title']}  ({rs['source']}; {rs['origin']})")
        for v in rs["versions"]:
            until = f" t/m {v['in_force_until']}" if v["in_force_until"] else ""
            amends = f", wijzigt {v['amends']}" if v["amends"] else ""
            click.echo(f"  versie {v['version']}: in werking vanaf {v['in_force_from']}{until}{amends}")
        for d in rs["decisions"]:
            click.echo(f"  beslissing {d}")


def register(group: click.Group) -> None:
    group.add_command(rules)
