"""The `regelwerk` command. Commands are thin: parse options, call the engine, print.

May import: every other part of the engine; nothing imports it.

Exit codes: 0 decided (whatever the outcome); 1 no decision could be made for a case;
2 usage error (unknown decision, unreadable case file, bad option); 3 rule files are
broken; 4 internal error (a bug: please report it); 5 the decision log cannot be used;
6 `log replay --exit-code` found a decision that comes out different.
"""

from __future__ import annotations

import os
import sys

import click

from ..base.errors import RegelwerkError, RuleFileError, printable
from ..base.i18n import _, language, set_language

INTERNAL_ERROR = 4


class Group(click.Group):
    """Turns every engine error into one line on standard error and its exit code."""

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except RuleFileError as err:
            for line in err.lines():
                click.echo(_("error: {message}").format(message=printable(line)), err=True)
            ctx.exit(err.exit_code)
        except RegelwerkError as err:
            click.echo(_("error: {message}").format(message=printable(str(err))), err=True)
            ctx.exit(err.exit_code)
        except (click.exceptions.Exit, click.ClickException, click.Abort):
            raise
        except KeyboardInterrupt:
            click.echo(_("interrupted"), err=True)
            ctx.exit(130)
        except BrokenPipeError:  # the reader went away (`regelwerk log list | head`)
            from .output import silence_stdout

            silence_stdout()
            ctx.exit(1)
        except Exception as err:  # noqa: BLE001 - never a traceback for a user
            if os.environ.get("REGELWERK_DEBUG"):
                raise
            msg = printable(" ".join(str(err).split()))
            click.echo(_("internal error: {kind}: {message} (set REGELWERK_DEBUG=1 for details)")
                       .format(kind=type(err).__name__, message=msg), err=True)
            ctx.exit(INTERNAL_ERROR)


class State:
    """Options shared by all commands; the engine is built on first use."""

    def __init__(self, rules: tuple[str, ...], log_path: str | None = None,
                 no_log: bool = False):
        from ..deciding.api import rules_dirs_from_env

        self.rules = list(rules) if rules else rules_dirs_from_env()
        self._engine = None
        self.log_path = log_path
        self.no_log = no_log
        self._log = None

    @property
    def log(self):
        """The decision log chosen (--log, REGELWERK_LOG, the default), or None with --no-log."""
        from ..log.decisionlog import log_from_options

        if self._log is None and not self.no_log:
            self._log = log_from_options(self.log_path, self.no_log)
        return self._log

    @property
    def engine(self):
        """The engine; a plugin that failed to load is named on stderr, the others work.
        A broken file in a --rules folder stops every decision (see `checked_engine`)."""
        first = self._engine is None
        engine = self.engine_quiet
        if first:
            for error in engine.contributions.errors:
                click.echo(_("warning: {message} (see 'regelwerk plugins')").format(message=error),
                           err=True)
        return engine

    @property
    def checked_engine(self):
        """The engine, for commands that work on rule sets without naming a decision: a
        broken file in a --rules folder stops them (exit 3) with its problems."""
        engine = self.engine
        engine.catalog.check_drafts()
        return engine

    @property
    def engine_quiet(self):
        """The engine, without warnings (for commands that report plugin errors themselves)."""
        if self._engine is None:
            from ..deciding.api import Engine

            self._engine = Engine(self.rules)
        return self._engine


@click.group(cls=Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--rules", "rules", multiple=True, metavar="DIR",
              help="Also load rule files from DIR; a rule set found there replaces the installed "
                   "one of the same id. Repeatable. Default: $REGELWERK_RULES (os.pathsep list).")
@click.option("--log", "log_path", metavar="PATH|URL",
              help="Decision log to write to and read from: an SQLite file, or a PostgreSQL "
                   "server (postgresql://user@host/db). Default: $REGELWERK_LOG, else "
                   "decisions.sqlite in the user data folder (see README).")
@click.option("--no-log", "no_log", is_flag=True, help="Do not log the decisions made.")
@click.option("--lang", "lang", type=click.Choice(["nl", "en"]), default=None,
              help="Language of messages: nl (default) or en. Default: $REGELWERK_LANG, else "
                   "$LC_ALL, $LC_MESSAGES or $LANG, else nl.")
@click.version_option(package_name="regelwerk", prog_name="regelwerk")
@click.pass_context
def main(ctx: click.Context, rules: tuple[str, ...], log_path: str | None, no_log: bool,
         lang: str | None) -> None:
    """regelwerk: decide, explain and manage education regulations written as rule files."""
    # every run chooses again, and once: the environment is not read for every message
    set_language(lang or language())
    ctx.call_on_close(lambda: set_language(None))
    if log_path and no_log:
        raise click.UsageError(_("give --log PATH or --no-log, not both"))
    if log_path is not None and not log_path.strip():  # never a silent fall-back to the default
        raise click.UsageError(_("--log {path!r}: give the path of the decision log file")
                               .format(path=log_path))
    ctx.obj = State(rules, log_path, no_log)


def _register() -> None:
    from . import authoring, decide, log, plugins, rules, schema, serve

    decide.register(main)
    log.register(main)
    rules.register(main)
    plugins.register(main)
    authoring.register(main)
    serve.register(main)
    schema.register(main)


_register()


def run() -> None:  # pragma: no cover - console entry alternative
    sys.exit(main())
