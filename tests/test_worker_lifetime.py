"""Workers of `decide --cases` never outlive their parent, and their number is bounded.

A real batch reads from a pipe that stays open, with `--workers 2` (the parent and one
worker process busy); the parent is then killed (SIGTERM, SIGKILL) and the worker process
must be gone within a few seconds.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from regelwerk.engine.cli import batch, workers

LINE = json.dumps({"decision": "go.jobtraining.toelating",
                   "case": {"trainee": {"in_ambt": True},
                            "vormingsattest": {"datum": "2020-01-01"}}}) + "\n"


def _stat(pid: int) -> list[str]:
    """The fields of /proc/PID/stat after the command name: state, parent pid, ..."""
    return Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()


def _children(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if int(_stat(int(entry.name))[1]) == pid:
                    found.append(int(entry.name))
            except (OSError, IndexError, ValueError):
                continue
    return found


def _alive(pid: int) -> bool:
    try:
        return _stat(pid)[0] not in ("Z", "X")  # a zombie has ended, only not been reaped
    except OSError:
        return False


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGKILL])
def test_workers_die_with_their_parent(sig):
    if batch.default_workers() < 2:
        pytest.skip("needs two cores for two workers")
    proc = subprocess.Popen(
        [sys.executable, "-m", "regelwerk", "--no-log", "decide", "--cases", "-",
         "--workers", "2", "--on", "2026-01-01"],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    # five chunks: the parent prints the first while the pipe stays open for more
    feeder = threading.Thread(target=lambda: (proc.stdin.write(LINE.encode() * 2500),
                                              proc.stdin.flush()), daemon=True)
    feeder.start()
    found: list[int] = []
    try:
        assert json.loads(proc.stdout.readline())["result"]["toegelaten"] is True
        found = _children(proc.pid)
        # the command decides its share itself: one worker process besides it
        assert len(found) == 1 and all(_alive(pid) for pid in found)
        proc.send_signal(sig)
        assert proc.wait(timeout=10) == -sig
        deadline = time.monotonic() + 5
        while any(_alive(pid) for pid in found) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert not [pid for pid in found if _alive(pid)], "a worker outlived its parent"
    finally:
        for pid in [proc.pid, *found]:
            if _alive(pid):
                os.kill(pid, signal.SIGKILL)
        proc.stdin.close()
        proc.stdout.close()
        proc.stderr.close()


def test_more_workers_than_cores_are_lowered_with_a_warning(cli, tmp_path):
    path = tmp_path / "cases.jsonl"
    path.write_text(LINE * 3, encoding="utf-8")
    cores = batch.default_workers()
    res = cli("--no-log", "decide", "--cases", str(path), "--on", "2026-01-01",
              "--workers", "1000000000")
    assert res.exit_code == 0
    assert res.stderr == (f"warning: --workers 1000000000 is more than the {cores} core(s) "
                          f"this process may use: deciding with {cores}\n")
    assert len(res.stdout.splitlines()) == 3


def test_worker_count_is_at_most_the_usable_cores(monkeypatch):
    monkeypatch.setattr(os, "sched_getaffinity", lambda pid: {0, 1, 2}, raising=False)
    said = []
    assert workers.worker_count(2, said.append) == 2
    assert workers.worker_count(3, said.append) == 3
    assert said == []
    assert workers.worker_count(4, said.append) == 3
    assert said == [("--workers 4 is more than the 3 core(s) this process may use: deciding "
                     "with 3")]
