"""`regelwerk rules validate|test|diff|new-version|docs`: the rule author's commands.

Thin: each parses its options, calls the engine module that does the work, prints.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from ..base.errors import RuleFileError, UnknownName, UsageError
from ..base.i18n import _

FORMAT = click.Choice(["text", "json"])


def _engine(state, extra_dirs: list[str] = (), *, check: bool = True):
    """(engine, its --rules folders): the rule sets in use, extra folders replacing installed.
    A broken file in one of those folders stops the command (exit 3) unless `check` is off
    (`validate` reports it)."""
    from ..authoring.examples import merge_dirs
    from ..deciding.api import Engine

    if not extra_dirs:
        engine = state.engine
        dirs = list(state.rules)
    else:
        dirs = merge_dirs([*state.rules, *extra_dirs])
        engine = Engine(dirs)
    if check:
        engine.catalog.check_drafts()
    return engine, dirs


@click.command("validate")
@click.argument("paths", nargs=-1, metavar="[PATH]...")
@click.option("--format", "fmt", type=FORMAT, default="text",
              help="text: one problem a line, file:line:col: message; json: for editors and CI.")
@click.option("--warn-days", type=click.IntRange(min=0), default=90, show_default=True,
              help="Warn when the last version of a rule set ends within this many days.")
@click.pass_obj
def validate(state, paths, fmt, warn_days):
    """Check rule files and example files: every problem of every file at once.

    PATH is a rule file, an example file (.cases.yaml) or a folder; default: every rule set
    in use and the examples next to it. Exit 0 when there is no error (warnings allowed),
    1 when there is one.
    """
    from ..authoring.validate import select
    from ..authoring.validate import validate as run

    selection = select(paths) if paths else None
    engine, dirs = _engine(state, selection.rules_dirs if selection else [],
                          check=False)
    folders = [folder for _, folder in engine.contributions.rule_folders] + dirs
    report = run(engine.catalog, folders, selection, warn_days=warn_days)
    if fmt == "json":
        click.echo(json.dumps(report.as_dict(), ensure_ascii=False, allow_nan=False, indent=2))
    else:
        for problem in report.problems:
            click.echo(str(problem))
        click.echo(report.summary())
    sys.exit(1 if report.errors else 0)


@click.command("test")
@click.argument("paths", nargs=-1, metavar="[PATH]...")
@click.option("--format", "fmt", type=FORMAT, default="text")
@click.option("--trail/--no-trail", default=True, show_default=True,
              help="Show the explanation of each failing decision.")
@click.option("--coverage", is_flag=True,
              help="Also report which table rows, steps, checks and notes the examples "
                   "exercise, and list those none does.")
@click.pass_obj
def test(state, paths, fmt, trail, coverage):
    """Run the worked examples (.cases.yaml) and show each failure as expected versus got.

    PATH is an example file or a folder; its examples are decided with the rule files of
    its own folder (which replace the installed rule set of the same id). Default: the
    examples next to every rule set in use. Exit 0 when all pass, 1 otherwise.
    """
    from ..authoring.examples import (
        example_files_in_use,
        example_paths,
        is_example_file,
        load_example_file,
        render_failure,
        rule_dirs_for,
        run_files,
    )

    if paths:
        found: list[Path] = []
        for text in paths:
            path = Path(text)
            if not path.exists():
                raise UsageError(_("{path}: no such file or folder").format(path=text))
            if path.is_file() and not is_example_file(path):
                path = examples_next_to(path, text)  # a rule file: the examples beside it
            found.extend(example_paths(path) if path else [])
        engine = _engine(state, rule_dirs_for(found))[0]
        files = [load_example_file(p) for p in dict.fromkeys(found)]
    else:
        engine = state.checked_engine
        files = example_files_in_use(engine.catalog)
    run = run_files(engine, files, trail=trail)
    measured = None
    if coverage:
        from ..authoring import coverage as cover

        measured = cover.measure(engine, files)
    if fmt == "json":
        data = run.as_dict()
        if measured is not None:
            data["coverage"] = [report.as_dict() for report in measured]
        click.echo(json.dumps(data, ensure_ascii=False, allow_nan=False, indent=2))
    else:
        for problem in run.problems:
            click.echo(str(problem))
        for outcome in run.failed:
            click.echo("FAILED " + render_failure(outcome) + "\n")
        for example_file in files:
            click.echo(f"{example_file.file}: {run.file_summary(example_file)}")
        if not files:
            click.echo(_("no example files found"))
        failed = len(run.failed)
        click.echo(_("{passed} passed, {failed} failed").format(
            passed=len(run.outcomes) - failed, failed=failed)
                   + (_(", {n} problems in example files").format(n=len(run.problems))
                      if run.problems else ""))
        if measured is not None:
            from ..authoring.coverage import render

            click.echo("\n".join(render(measured)))
    sys.exit(0 if run.ok else 1)


def examples_next_to(path: Path, text: str) -> Path | None:
    """The example file beside a rule file (`x.yaml`: `x.cases.yaml`), or None."""
    if path.suffix not in (".yaml", ".yml"):
        raise UsageError(_("{path}: not a rule file, an example file (.cases.yaml) or a folder")
                         .format(path=text))
    beside = path.with_name(path.stem + ".cases" + path.suffix)
    return beside if beside.is_file() else None


def _ruleset(engine, rid: str):
    """The rule set in use with this id, or a clear error (broken files, unknown id)."""
    import difflib

    catalog = engine.catalog
    if rid in catalog.broken:
        raise RuleFileError(catalog.broken[rid])
    catalog.check_drafts()  # a broken draft stops the command, whichever rule set it is
    ruleset = catalog.rulesets.get(rid)
    if ruleset is None:
        close = difflib.get_close_matches(rid, list(catalog.rulesets), n=1)
        hint = _("; did you mean {name}?").format(name=close[0]) if close else ""
        raise UnknownName(_("unknown rule set {id!r}{hint} (see 'regelwerk rules list')")
                         .format(id=rid, hint=hint))
    return ruleset


def _version(ruleset, name: str | None, default):
    if name is None:
        return default
    version = ruleset.version_named(name)
    if version is None:
        known = ", ".join(v.name for v in ruleset.versions)
        raise UsageError(_("{id} ({file}) has no version {name!r}; versions: {known}")
                         .format(id=ruleset.id, file=ruleset.file, name=name, known=known))
    return version


@click.command("diff")
@click.argument("ruleset_id", metavar="RULESET")
@click.option("--from", "from_", metavar="VERSION",
              help="The version to compare from (default: the one before --to).")
@click.option("--to", "to", metavar="VERSION",
              help="The version to compare to (default: the last).")
@click.option("--against-installed", is_flag=True,
              help="Compare the rule set of a --rules folder (a draft) with the installed one, "
                   "version by version; --from then names an installed version, --to a draft "
                   "one.")
@click.option("--format", "fmt", type=FORMAT, default="text")
@click.pass_obj
def diff(state, ruleset_id, from_, to, against_installed, fmt):
    """Show what a version of RULESET changes: parameters, table rows, decisions, dates."""
    from ..authoring import versiondiff

    ruleset = _ruleset(state.engine, ruleset_id)
    if against_installed:
        installed = _installed(ruleset)
        if from_ is None and to is None:
            data = versiondiff.compare_copies(installed, ruleset)
            lines = versiondiff.render_copies(data)
        else:
            old = _version(installed, from_, installed.versions[-1])
            new = _version(ruleset, to, ruleset.versions[-1])
            data = versiondiff.compare_versions(installed, old, ruleset, new)
            lines = versiondiff.render_version_diff(data)
    else:
        new = _version(ruleset, to, ruleset.versions[-1])
        if from_ is None:
            earlier = [v for v in ruleset.versions if v.in_force_from < new.in_force_from]
            if not earlier:
                raise UsageError(
                    _("{id} has no version before {name} to compare with; name one with --from, "
                      "or compare a draft (--rules DIR) with --against-installed")
                    .format(id=ruleset.id, name=new.name))
            old = earlier[-1]
        else:
            old = _version(ruleset, from_, None)
        data = versiondiff.compare_versions(ruleset, old, ruleset, new)
        lines = versiondiff.render_version_diff(data)
    if fmt == "json":
        click.echo(json.dumps(data, ensure_ascii=False, allow_nan=False, indent=2))
    else:
        click.echo("\n".join(lines))


def _installed(ruleset):
    """The installed copy of a rule set that a --rules folder replaces."""
    from ..deciding.api import Engine

    if ruleset.origin.startswith("plugin"):
        raise UsageError(_("{id} in use is the installed one ({file}); give the folder of the "
                           "draft with --rules DIR to compare it")
                         .format(id=ruleset.id, file=ruleset.file))
    installed = Engine().catalog.rulesets.get(ruleset.id)
    if installed is None:
        raise UsageError(_("{id} is not installed: there is nothing to compare the draft with")
                         .format(id=ruleset.id))
    return installed


def _editable(state, target: str):
    """(engine, rule set) for `new-version`: a rule file's path, or the id of one in --rules."""
    path = Path(target)
    if path.is_file():
        engine = _engine(state, [target])[0]
        real = path.resolve()
        found = [rs for rs in engine.catalog.rulesets.values() if Path(rs.file).resolve() == real]
        if not found:
            engine.check()  # the file is broken: say where
            raise UsageError(_("{path}: no rule set in this file").format(path=target))
        return engine, found[0]
    engine = state.engine
    ruleset = _ruleset(engine, target)
    if ruleset.origin.startswith("plugin"):
        folder = Path(ruleset.file).parent
        raise UsageError(
            _("{id} is the installed rule set ({file}), which is never changed in place. Copy "
              "its folder (e.g. cp -r {folder} my-rules) and run 'regelwerk --rules my-rules "
              "rules new-version {id} ...', or give the path of the rule file to edit instead "
              "of {id}").format(id=ruleset.id, file=ruleset.file, folder=folder))
    return engine, ruleset


@click.command("new-version")
@click.argument("target", metavar="RULESET")
@click.option("--from", "start", required=True, metavar="DATE",
              help="The date the new version comes into force.")
@click.option("--set", "sets", multiple=True, metavar="PARAM=VALUE",
              help="A parameter's new value, read as YAML (12, 2026-09-01, text, [a, b]). "
                   "Repeatable.")
@click.option("--cite", "cites", multiple=True, metavar="PARAM=TEXT",
              help="The text that sets a parameter's new value (decision, article), written "
                   "into the parameter; without it the value is cited to --citation. "
                   "Repeatable.")
@click.option("--citation", default="", metavar="TEXT",
              help="The text that makes the change (decision, article), for the version.")
@click.option("--version", "name", metavar="NAME", help="The version's name (default: the date).")
@click.option("--dry-run", is_flag=True, help="Show what would be added; write nothing.")
@click.pass_obj
def new_version(state, target, start, sets, cites, citation, name, dry_run):
    """Add a version to a rule file that amends its last version, keeping comments and layout.

    RULESET is the id of a rule set in a --rules folder (an editable copy) or the path of a
    rule file; installed rule sets are never changed. The file is replaced in one step, and
    only after the new text was checked: a failure leaves it as it was.
    """
    from ..authoring import newversion
    from ..compiling.compiler import Context

    engine, ruleset = _editable(state, target)
    from ..log.audit import cli_date

    new = newversion.plan(ruleset, cli_date(start, "--from"),
                          [newversion.parse_assignment(s) for s in sets],
                          name=name, citation=citation,
                          cites=[newversion.parse_citation(c) for c in cites])
    if dry_run:
        import difflib

        old = ruleset.text.decode("utf-8")
        added = difflib.unified_diff(old.splitlines(), newversion.render(old, new).splitlines(),
                                     ruleset.file, ruleset.file, lineterm="", n=1)
        click.echo("\n".join(added))
        return
    contributions = engine.contributions
    try:
        newversion.write(ruleset, new, Context(contributions.operations, contributions.calendars))
    except RuleFileError:
        click.echo(_("error: nothing written: with version {name} added, {file} would be "
                     "invalid:").format(name=new.name, file=ruleset.file), err=True)
        raise
    click.echo(f"versie {new.name} van {new.ruleset} geschreven in {new.file}")
    click.echo(f"  wijzigt versie {new.amends}; in werking vanaf {new.in_force_from}")
    from ..deciding.trail import _compact as show_value

    for change in new.changes:
        click.echo(f"  {change.name}: {show_value(change.old)} → {show_value(change.new)}"
                   + (f" [{change.citation}]" if change.citation else ""))
    rules = " ".join(f"--rules {d}" for d in state.rules)
    click.echo(f"bekijk de wijziging: regelwerk {rules + ' ' if rules else ''}rules diff "
               f"{new.ruleset}")


@click.command("docs")
@click.argument("ruleset_id", metavar="RULESET")
@click.option("--format", "fmt", type=click.Choice(["markdown", "html", "json"]),
              default="markdown", show_default=True)
@click.option("--on", "on", metavar="DATE",
              help="Describe the version in force on this date (default: today).")
@click.option("--output", "-o", "output", metavar="FILE",
              help="Write to FILE instead of standard output.")
@click.pass_obj
def docs(state, ruleset_id, fmt, on, output):
    """Write a readable document of RULESET as in force on a date, for colleagues.

    Per decision: what it decides, its inputs and outputs, how it works, its parameters
    with citations, its decision tables and worked examples; then the version history.
    """
    import datetime as _dt

    from ..authoring import docs as ruledocs
    from ..authoring.examples import examples_of

    ruleset = _ruleset(state.engine, ruleset_id)
    from ..log.audit import cli_date

    day = cli_date(on, "--on") if on else _dt.date.today()
    document = ruledocs.build(ruleset, day, examples_of(ruleset))
    if fmt == "html":
        from ..authoring.docs_html import render_html

        text = render_html(document)
    elif fmt == "json":
        text = json.dumps(document, ensure_ascii=False, allow_nan=False, indent=2) + "\n"
    else:
        text = ruledocs.render_markdown(document)
    if output:
        from ..base.atomicfile import write_atomically

        write_atomically(output, text.encode("utf-8"))
        click.echo(f"{output}: {ruleset.id}, versie {document['version']['version']}", err=True)
    else:
        click.echo(text, nl=False)


def register(group: click.Group) -> None:
    rules = group.commands["rules"]
    for command in (validate, test, diff, new_version, docs):
        rules.add_command(command)
