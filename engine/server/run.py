"""Starting the server: the settings checked once in the starting process (a wrong auth
file, an unusable log, a port in use: one line and an exit code, before anything listens),
then uvicorn with N worker processes, each building its own engine."""

from __future__ import annotations

import errno
import ipaddress
import os
import socket

from ..base.errors import UsageError
from ..deciding.api import Engine
from ..log.decisionlog import log_from_options
from .auth import load_access
from .config import ENV_VAR, ServerConfig

APP = "regelwerk.engine.server.app:create_app"


def check(config: ServerConfig, host: str, port: int) -> list[str]:
    """Refuse what would fail in every worker; the warnings worth showing at start."""
    access = load_access(config.auth)
    log = log_from_options(config.log_path, config.no_log)
    if log is not None:
        log.check()  # LogError (exit 5) now, not a worker failing to start
    warnings = [f"{error} (see 'regelwerk plugins')"
                for error in Engine(config.rules).contributions.errors]
    _port_free(host, port)
    if access.decide == "open" and not _loopback(host):
        warnings.append(f"listening on {host} with deciding open to anyone: give --auth FILE "
                        "with decide = \"token\" to require a token")
    if not access.holders:
        warnings.append("no tokens (--auth FILE): the decision log cannot be read over HTTP")
    return warnings


def _loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _port_free(host: str, port: int) -> None:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError as err:
            why = "in use" if err.errno == errno.EADDRINUSE else (err.strerror or str(err))
            raise UsageError(f"cannot listen on {host}:{port}: {why}") from None


def serve(config: ServerConfig, *, host: str, port: int, workers: int,
          max_connections: int) -> None:
    """Serve until stopped (Ctrl-C, SIGTERM). A worker that dies is replaced by uvicorn's
    supervisor."""
    import uvicorn

    os.environ[ENV_VAR] = config.to_env()  # the workers read their settings from here
    uvicorn.run(APP, factory=True, host=host, port=port, workers=workers,
                limit_concurrency=max_connections, timeout_keep_alive=5,
                timeout_graceful_shutdown=max(5, int(config.timeout)),
                server_header=False, proxy_headers=False, log_level="info")
