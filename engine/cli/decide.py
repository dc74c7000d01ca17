"""`regelwerk decide` and `regelwerk explain`."""

from __future__ import annotations

import contextlib
import json
import sys

import click

from ..base.errors import UsageError, printable
from ..base.i18n import _
from .output import DECISION_FORMATS, for_terminal, stdin_stream


def read_case(path: str) -> dict:
    from ..rulefiles.yamlsource import CASE_LIMITS, load_case_file

    stdin = None
    if path == "-":
        # one byte past the limit is enough to refuse an endless stream
        stdin = stdin_stream("--case", "the case").read(CASE_LIMITS.max_bytes + 1)
    return load_case_file(path, stdin_bytes=stdin)


@click.command()
@click.argument("decision", required=False)
@click.option("--case", "case_path", metavar="FILE", help="Case facts as JSON or YAML ('-' = stdin).")
@click.option("--cases", "cases_path", metavar="FILE",
              help="Batch: JSON Lines, one {decision, on, case} a line ('-' = stdin).")
@click.option("--on", "on", metavar="DATE", help="Peildatum YYYY-MM-DD (default: today).")
@click.option("--format", "fmt", type=click.Choice(sorted(DECISION_FORMATS)), default=None,
              help="Output format (default: text; json for --cases).")
@click.option("--hash-fact", "hash_fact", multiple=True, metavar="FACT",
              help="Log this fact (dotted name) only as a hash, e.g. personal data. Repeatable; "
                   "adds to the facts the rule set marks as personal data.")
@click.option("--workers", type=click.IntRange(min=1), default=None, metavar="N",
              help="Batch: decide in N processes, output still in input order "
                   "(default: one per core; small files are decided in-process).")
@click.option("--input-format", "input_format", type=click.Choice(["jsonl", "csv"]),
              default=None, help="Batch: JSON Lines, or CSV with a header of `decision`, `on` "
                                 "and dotted fact names (default: csv for *.csv, else jsonl).")
@click.option("--progress/--no-progress", default=None,
              help="Batch: a progress bar on stderr (default: only when stderr is a terminal).")
@click.option("--scheduler", metavar="ADDRESS",
              help="Batch: decide on a Dask cluster (tcp://host:8786, or 'local' for one here); "
                   "its workers log to the decision log, which must be PostgreSQL when they run "
                   "on several machines. Needs regelwerk[dask].")
@click.pass_obj
def decide(state, decision, case_path, cases_path, on, fmt, hash_fact, workers, input_format,
           progress, scheduler):
    """Decide DECISION for the case in --case FILE, or every line of --cases FILE.

    Every decision made is written to the decision log (see --log, --no-log)."""
    from ..deciding.api import parse_on

    if bool(case_path) == bool(cases_path):
        raise UsageError(_("give exactly one of --case FILE or --cases FILE"))
    if scheduler and (workers or case_path):
        raise UsageError("--scheduler decides a batch (--cases) on a cluster: give no --workers")
    log = state.log
    if log is not None:
        log.hash_facts.extend(hash_fact)
    if cases_path:
        from .batch import run_batch

        sys.exit(run_batch(state, decision, cases_path, on, workers=workers,
                           input_format=input_format, progress=progress, scheduler=scheduler))
    if not decision:
        raise UsageError(_("name the decision to make, e.g. 'regelwerk decide go.jobtraining.duur'"))
    day = parse_on(on)
    case = read_case(case_path)
    engine = state.engine
    with log.writer() if log is not None else contextlib.nullcontext() as writer:
        result = engine.decide(decision, case, day)
        payload = result.as_dict()
        if writer is not None:
            payload["log_id"] = writer.add(result, case)
    title = engine.resolve(decision, day)[2].title
    for warning in result.warnings:
        click.echo(_("warning: {message}").format(message=printable(warning)), err=True)
    text = DECISION_FORMATS[fmt or "text"](payload, title)
    click.echo(text if fmt == "json" else for_terminal(text))


@click.command()
@click.argument("decision", required=False)
@click.option("--case", "case_path", metavar="FILE",
              help="Case facts as JSON or YAML ('-' = stdin).")
@click.option("--on", "on", metavar="DATE", help="Peildatum YYYY-MM-DD (default: today).")
@click.option("--id", "log_id", metavar="ID",
              help="Explain a logged decision (see 'regelwerk log list') from the rules as "
                   "they were when it was made.")
@click.option("--format", "fmt", type=click.Choice(["text", "json", "markdown"]), default="text",
              help="text: a tree to read; json: the same trail for machines; markdown: a "
                   "document for a dossier.")
@click.pass_obj
def explain(state, decision, case_path, on, log_id, fmt):
    """Show the audit trail of deciding DECISION for a case, or of a logged decision (--id)."""
    from ..deciding.api import parse_on
    from ..deciding.trail import TRAIL_FORMATS

    if log_id:
        if decision or case_path or on:
            raise UsageError(_("--id explains a logged decision: give no DECISION, --case or --on"))
        from ..log.audit import Auditor

        log = state.log
        if log is None:
            raise UsageError(_("--id reads the decision log: leave out --no-log"))
        trail = Auditor(state.checked_engine, log).explain(log.get(log_id))
    else:
        if not decision or not case_path:
            raise UsageError(_("give DECISION and --case FILE, or --id ID of a logged decision"))
        day = parse_on(on)
        case = read_case(case_path)
        trail = state.engine.explain(decision, case, day)
    if fmt == "json":
        click.echo(json.dumps(trail, ensure_ascii=False, allow_nan=False, indent=2))
    else:
        click.echo(for_terminal(TRAIL_FORMATS[fmt](trail).rstrip("\n")))


def register(group: click.Group) -> None:
    group.add_command(decide)
    group.add_command(explain)
