"""`regelwerk rules schema`: the JSON Schema of rule files (or of example files), for editors."""

from __future__ import annotations

import click

from ..base.i18n import _


@click.command("schema")
@click.option("--examples", is_flag=True,
              help="The schema of example files (.cases.yaml) instead of rule files.")
@click.option("--output", "-o", "output", metavar="FILE",
              help="Write to FILE instead of standard output.")
def schema(examples: bool, output: str | None) -> None:
    """Write the JSON Schema of rule files, with its stable $id, for an editor to check and
    complete rule files while they are typed.

    Files written by regelwerk name it in their first line
    (`# yaml-language-server: $schema=...`), as the YAML language server expects.
    """
    from ..rulefiles.schema import CASES_SCHEMA, RULESET_SCHEMA, schema_id, schema_text

    name = CASES_SCHEMA if examples else RULESET_SCHEMA
    text = schema_text(name)
    if not output:
        click.echo(text, nl=not text.endswith("\n"))
        return
    from ..base.atomicfile import write_atomically

    write_atomically(output, text.encode("utf-8"))
    click.echo(_("{path}: schema {id}").format(path=output, id=schema_id(name)), err=True)


def register(group: click.Group) -> None:
    group.commands["rules"].add_command(schema)
