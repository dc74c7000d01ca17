"""A throw-away PostgreSQL server for the tests: initdb + pg_ctl into a temporary folder.

Runs as the current user, or, for root (which PostgreSQL refuses), as `nobody`; listens on
127.0.0.1 on a free port and in the folder (unix socket), trusts local connections, and is
stopped and removed at the end. Used by the `pg_url` fixture (tests/conftest.py) when
REGELWERK_TEST_PG gives no server, and by CI:

    eval "$(python tests/pgserver.py start)"   # exports REGELWERK_TEST_PG and PGSERVER_DIR
    python tests/pgserver.py stop "$PGSERVER_DIR"
"""

from __future__ import annotations

import glob
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from ports import free_port

USER = "regelwerk"


def bindir() -> Path | None:
    """The folder of initdb and pg_ctl: Debian's /usr/lib/postgresql/N/bin (newest), or PATH."""
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"),
                   key=lambda p: int(Path(p).parts[-3]) if Path(p).parts[-3].isdigit() else 0)
    if found:
        return Path(found[-1]).parent
    initdb = shutil.which("initdb")
    return Path(initdb).parent if initdb else None


def _as_owner(args: list[str], owner: str | None) -> list[str]:
    return ["runuser", "-u", owner, "--", *args] if owner else args


def start() -> tuple[str, Path]:
    """Start a server; returns its URL and its folder (give that to `stop`)."""
    bin_ = bindir()
    if bin_ is None:
        raise RuntimeError("PostgreSQL is not installed (Debian: apt-get install postgresql)")
    owner = "nobody" if os.geteuid() == 0 else None
    folder = Path(tempfile.mkdtemp(prefix="regelwerk-pg-"))
    if owner:
        shutil.chown(folder, owner)
    data = folder / "data"
    run = {"check": True, "stdout": subprocess.DEVNULL, "stderr": subprocess.PIPE, "cwd": folder}
    subprocess.run(_as_owner([str(bin_ / "initdb"), "-D", str(data), "-U", USER,
                              "--auth=trust", "-E", "UTF8", "--locale=C.UTF-8"], owner), **run)
    port = free_port()
    options = (f"-c listen_addresses=127.0.0.1 -p {port} -k {folder} -c fsync=off "
               "-c synchronous_commit=off -c full_page_writes=off -c max_connections=100")
    subprocess.run(_as_owner([str(bin_ / "pg_ctl"), "-D", str(data), "-o", options,
                              "-l", str(folder / "server.log"), "-w", "-t", "60", "start"],
                             owner), **run)
    return f"postgresql://{USER}@127.0.0.1:{port}/postgres", folder


def stop(folder: Path) -> None:
    """Stop the server in `folder` and remove the folder."""
    bin_ = bindir()
    owner = "nobody" if os.geteuid() == 0 else None
    if bin_ is not None and (folder / "data" / "postmaster.pid").exists():
        subprocess.run(_as_owner([str(bin_ / "pg_ctl"), "-D", str(folder / "data"), "-m",
                                  "immediate", "-w", "stop"], owner),
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=folder)
    shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    if sys.argv[1:2] == ["start"]:
        url, where = start()
        print(f"export REGELWERK_TEST_PG={url} PGSERVER_DIR={where}")
    elif sys.argv[1:2] == ["stop"] and len(sys.argv) == 3:
        stop(Path(sys.argv[2]))
    else:
        sys.exit("usage: pgserver.py start | stop FOLDER")
