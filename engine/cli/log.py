"""`regelwerk log ...`: list, show, replay, export and purge the decisions in the decision log."""

from __future__ import annotations

import json

import click

from ..base.errors import UsageError
from ..base.i18n import _


def _log(state):
    log = state.log
    if log is None:
        raise UsageError(_("the log commands read the decision log: leave out --no-log"))
    return log


def _dumps(data) -> str:
    return json.dumps(data, ensure_ascii=False, allow_nan=False, indent=2)


@click.group("log")
def log_group() -> None:
    """The decision log: what was decided, when, on which facts and rules."""


@log_group.command("list")
@click.option("--decision", metavar="ID", help="Only this decision (e.g. go.jobtraining.duur).")
@click.option("--ruleset", metavar="ID", help="Only decisions of this rule set (e.g. ovsg.klacht).")
@click.option("--since", metavar="DATE", help="Only decisions made on or after DATE (UTC).")
@click.option("--until", metavar="DATE", help="Only decisions made on or before DATE (UTC).")
@click.option("--limit", type=click.IntRange(min=1), metavar="N", help="At most N, the newest.")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text")
@click.pass_obj
def log_list(state, decision, ruleset, since, until, limit, fmt):
    """List logged decisions, oldest first."""
    from ..log.audit import cli_date

    log = _log(state)
    entries = log.iter_entries(decision=decision, ruleset=ruleset,
                               since=cli_date(since, "--since"), until=cli_date(until, "--until"),
                               limit=limit, newest_first=bool(limit))
    if limit:  # the newest N, shown oldest first
        entries = list(entries)[::-1]
    if fmt == "json":
        click.echo(_dumps([e.as_dict() for e in entries]))
        return
    count = 0
    for e in entries:
        count += 1
        click.echo(f"{e.id}  {e.made_at[:19].replace('T', ' ')}  {e.decision}  "
                   f"peildatum {e.peildatum}  versie {e.version}  sha256 {e.sha256[:12]}")
    if count:
        click.echo(f"{count} beslissing(en) in {log.where}", err=True)
    else:
        click.echo(_("no decisions logged in {path} match").format(path=log.where), err=True)


@log_group.command("show")
@click.argument("log_id", metavar="ID")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text")
@click.pass_obj
def log_show(state, log_id, fmt):
    """Everything logged of one decision: time, facts, outputs, rule-set version and hash.
    ID may be shortened to its first characters (at least 6)."""
    from ..deciding.trail import _compact

    log = _log(state)
    entry = log.get(log_id)
    stored = log.ruleset_text(entry.sha256)
    if fmt == "json":
        data = entry.as_dict()
        data["ruleset"].update(file=stored.file, origin=stored.origin)
        click.echo(_dumps(data))
        return
    lines = [f"beslissing {entry.id}",
             f"  genomen op: {entry.made_at}",
             f"  software:   {entry.engine}",
             f"  beslissing: {entry.decision}",
             f"  peildatum:  {entry.peildatum}",
             f"  regelset:   {entry.ruleset_id} versie {entry.version}",
             f"  bestand:    {stored.file} ({stored.origin})",
             f"  sha256:     {entry.sha256}",
             "  feiten:"]
    lines += [f"    {k} = {_compact(v)}" for k, v in entry.facts.items()] or ["    (geen)"]
    if entry.hashed_facts:
        lines.append(f"  alleen als hash gelogd: {', '.join(entry.hashed_facts)}")
    lines.append("  uitkomst:")
    lines += [f"    {k} = {_compact(v)}" for k, v in entry.outputs.items()]
    lines += [f"  ⓘ {note}" for note in entry.notes]
    click.echo("\n".join(lines))


@log_group.command("replay")
@click.argument("log_ids", metavar="[ID]...", nargs=-1)
@click.option("--all", "replay_all", is_flag=True, help="Replay every logged decision.")
@click.option("--decision", metavar="ID", help="With --all: only this decision.")
@click.option("--ruleset", metavar="ID", help="With --all: only this rule set.")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text")
@click.option("--exit-code", "exit_code", is_flag=True,
              help="Exit 6 when a decision comes out different or cannot be replayed.")
@click.option("--differences", "only_different", is_flag=True,
              help="Show only the decisions that come out different or cannot be replayed.")
@click.pass_obj
def log_replay(state, log_ids, replay_all, decision, ruleset, fmt, exit_code, only_different):
    """Decide logged decisions again with today's rules (and --rules): same or different,
    and when different, which version, parameter, table or step changed."""
    from ..log.audit import Auditor

    if bool(log_ids) == replay_all:
        raise UsageError(_("give the ID of logged decisions, or --all"))
    if (decision or ruleset) and not replay_all:
        raise UsageError(_("--decision and --ruleset go with --all"))
    log = _log(state)
    entries = (log.iter_entries(decision=decision, ruleset=ruleset) if replay_all
               else [log.get(i) for i in log_ids])
    auditor = Auditor(state.checked_engine, log)
    counts = {"same": 0, "different": 0, "error": 0}
    reports = []
    for entry in entries:
        report = auditor.replay(entry)
        counts[report["status"]] += 1
        if only_different and report["status"] == "same":
            continue
        if fmt == "json":
            reports.append(report)
        else:
            click.echo(_replay_text(report))
    if fmt == "json":
        click.echo(_dumps({"replayed": reports, "counts": counts}))
    else:
        click.echo(f"{sum(counts.values())} opnieuw beslist: {counts['same']} gelijk, "
                   f"{counts['different']} anders, {counts['error']} niet opnieuw te beslissen",
                   err=True)
    if exit_code and (counts["different"] or counts["error"]):
        raise SystemExit(6)


def _replay_text(r: dict) -> str:
    from ..deciding.trail import _compact

    head = f"{r['id']}  {r['decision']}  peildatum {r['on']}: "
    if r["status"] == "error":
        return head + f"niet opnieuw te beslissen: {r['error']}"
    old, new = r["logged"], r["today"]
    versions = (f"versie {old['version']}" if old["version"] == new["version"]
                else f"versie {old['version']} → {new['version']}")
    if r["status"] == "same":
        lines = [head + f"gelijk ({versions})"]
        if r["causes"]:
            lines.append("  regels gewijzigd, uitkomst niet: " + "; ".join(r["causes"]))
        return "\n".join(lines)
    lines = [head + f"ANDERS ({versions})"]
    lines += [f"  {c['name']}: {_compact(c['logged'])} → {_compact(c['today'])}"
              for c in r["outputs_changed"]]
    if not r["causes"]:
        software = (f": toen {r['engine']['logged']}, nu {r['engine']['today']}"
                    if r["engine"]["logged"] != r["engine"]["today"] else "")
        lines.append("  oorzaak: de regels zijn dezelfde (zelfde sha256): de software rekent "
                     f"nu anders{software}")
    lines += [f"  oorzaak: {c}" for c in r["causes"]]
    return "\n".join(lines)


@log_group.command("purge")
@click.option("--before", "before", required=True, metavar="DATE",
              help="Remove every decision made before DATE (UTC), for good.")
@click.option("--dry-run", is_flag=True, help="Only say how many decisions would be removed.")
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
@click.pass_obj
def log_purge(state, before, dry_run, yes):
    """Remove logged decisions made before DATE for good (their facts may be personal data).
    Rule-set texts no remaining decision needs are removed too, and the file is compacted
    so nothing of the removed entries stays on disk."""
    from ..log.audit import cli_date

    log = _log(state)
    day = cli_date(before, "--before")
    if not dry_run and not yes:
        n = log.purge(day, dry_run=True)[0]
        if n == 0:
            click.echo(_("no decisions made before {day} in {path}").format(day=day, path=log.where))
            return
        click.confirm(_("remove {n} decision(s) made before {day} from {path} for good?")
                      .format(n=n, day=day, path=log.where), abort=True, err=True)
    n, m = log.purge(day, dry_run=dry_run)
    message = (_("would remove {n} decision(s) made before {day} and {m} rule-set text(s) no "
                 "longer needed, from {path}") if dry_run else
               _("removed {n} decision(s) made before {day} and {m} rule-set text(s) no longer "
                 "needed, from {path}"))
    click.echo(message.format(n=n, day=day, m=m, path=log.where))


@log_group.command("export")
@click.option("--decision", metavar="ID", help="Only this decision.")
@click.option("--ruleset", metavar="ID", help="Only decisions of this rule set.")
@click.option("--since", metavar="DATE", help="Only decisions made on or after DATE (UTC).")
@click.option("--until", metavar="DATE", help="Only decisions made on or before DATE (UTC).")
@click.option("--format", "fmt", type=click.Choice(["jsonl", "parquet"]), default=None,
              help="jsonl: one entry a line, as `log show --format json`; parquet: a column "
                   "per field (needs pyarrow). Default: parquet for -o *.parquet, else jsonl.")
@click.option("-o", "--output", "target", metavar="FILE",
              help="Write to FILE (whole or not at all) instead of standard output.")
@click.pass_obj
def log_export(state, decision, ruleset, since, until, fmt, target):
    """Write logged decisions, oldest first, for other tools: JSON Lines or Parquet."""
    import sys

    from ..log.audit import cli_date
    from ..log.export import export

    log = _log(state)
    if fmt is None:
        fmt = "parquet" if target and target.lower().endswith(".parquet") else "jsonl"
    entries = log.iter_entries(decision=decision, ruleset=ruleset,
                               since=cli_date(since, "--since"), until=cli_date(until, "--until"))
    n = export(entries, fmt, target, sys.stdout.buffer)
    sys.stdout.flush()
    if target not in (None, "-"):
        click.echo(_("{n} decision(s) exported from {path} to {target}")
                   .format(n=n, path=log.where, target=target), err=True)
    else:
        click.echo(_("{n} decision(s) exported from {path}").format(n=n, path=log.where), err=True)


def register(group: click.Group) -> None:
    group.add_command(log_group)
