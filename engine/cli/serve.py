"""`regelwerk serve`: the engine over HTTP, and `regelwerk serve-token` to make a token.

The server itself lives in `engine.server` and needs the `server` extra; it is imported only
here, when asked for, so the rest of the command works without it."""

from __future__ import annotations

import click

from ..base.errors import UsageError

INSTALL_HINT = ("regelwerk serve needs the server extra: pip install 'regelwerk[server]' "
                "(from a clone: pip install '.[server]')")
MAX_WORKERS = 64


def _server_installed() -> None:
    try:
        import starlette  # noqa: F401
        import uvicorn  # noqa: F401
    except ImportError:
        raise UsageError(INSTALL_HINT) from None


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True,
              help="Address to listen on (0.0.0.0: every interface; think of --auth).")
@click.option("--port", type=click.IntRange(1, 65535), default=8080, show_default=True)
@click.option("--workers", type=click.IntRange(1, MAX_WORKERS), default=1, show_default=True,
              help="Worker processes, each with its own engine; one that dies is replaced.")
@click.option("--auth", "auth_path", metavar="FILE",
              help="TOML file of tokens (hashed) and roles; see README. Without it deciding is "
                   "open and the decision log cannot be read over HTTP.")
@click.option("--max-request-bytes", type=click.IntRange(1000, 50_000_000), default=None,
              metavar="N", help="Largest request body (a batch: largest line). Default 1,000,000.")
@click.option("--timeout", type=click.FloatRange(1, 3600), default=None, metavar="SECONDS",
              help="Time for a request body to arrive. Default 30.")
@click.option("--batch-timeout", type=click.FloatRange(1, 86400), default=None, metavar="SECONDS",
              help="Time for a whole batch. Default 600.")
@click.option("--max-connections", type=click.IntRange(1, 100_000), default=200,
              show_default=True, help="Per worker; beyond it requests get 503.")
@click.pass_obj
def serve(state, host, port, workers, auth_path, max_request_bytes, timeout, batch_timeout,
          max_connections):
    """Serve the HTTP API (see /openapi.json) and the web page at / until stopped.

    Every decision made is written to the decision log (see --log), as `decide` does."""
    _server_installed()
    from ..server.config import BATCH_TIMEOUT, MAX_BODY, TIMEOUT, ServerConfig
    from ..server.run import check
    from ..server.run import serve as run

    config = ServerConfig(rules=list(state.rules), log_path=state.log_path, no_log=state.no_log,
                          auth=auth_path, max_body=max_request_bytes or MAX_BODY,
                          timeout=timeout or TIMEOUT, batch_timeout=batch_timeout or BATCH_TIMEOUT)
    for warning in check(config, host, port):
        click.echo(f"warning: {warning}", err=True)
    run(config, host=host, port=port, workers=workers, max_connections=max_connections)


@click.command("serve-token")
@click.option("--role", type=click.Choice(["decide", "auditor"]), required=True,
              help="auditor: read the decision log (and decide); decide: only decide.")
@click.option("--name", required=True, help="Who gets the token (kept in the auth file).")
def serve_token(role, name):
    """Make a new token for `serve --auth FILE`.

    Prints the token on standard output (shown only now, never stored) and the lines for
    the auth file, with its hash, on standard error:
    `regelwerk serve-token --role auditor --name alice 2>>auth.toml`."""
    from ..server.auth import hash_token, new_token

    token = new_token()
    click.echo(token)
    click.echo(f"# token for {_toml_text(name)}: printed on standard output, shown only now; "
               "the auth file keeps its hash\n"
               f'[[token]]\nname = "{_toml_text(name)}"\nrole = "{role}"\n'
               f'sha256 = "{hash_token(token)}"', err=True)


def _toml_text(text: str) -> str:
    return text.replace("\\", "\\\\").replace('"', '\\"')


def register(group: click.Group) -> None:
    group.add_command(serve)
    group.add_command(serve_token)
