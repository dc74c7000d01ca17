"""Worker processes of a batch: how many, and that none outlives the process that started it.

`--workers N` is bounded by the cores this process may use: more processes than cores only
cost memory and switching (a typo such as `--workers 1000000000` would otherwise start
processes until the machine runs out of memory), so a larger N is lowered to that number
with a warning.

A worker must never outlive its parent: a batch killed with SIGKILL cannot clean up, and
its workers would otherwise wait for work forever. On Linux each worker asks the kernel to
kill it when its parent dies (`prctl(PR_SET_PDEATHSIG, SIGKILL)`); elsewhere, or when that
call is not available, a thread in the worker checks every half second that its parent is
still the one that started it. SIGTERM to the parent terminates the workers first, then
ends the parent as before; the lines already printed stay decided and logged.
"""

from __future__ import annotations

import contextlib
import os
import signal
import sys
import threading
from collections.abc import Callable
from typing import Any

_PR_SET_PDEATHSIG = 1  # from <linux/prctl.h>
WATCH_SECONDS = 0.5


def usable_cores() -> int:
    """The cores this process may run on."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):  # pragma: no cover - platforms without affinity
        return os.cpu_count() or 1


def worker_count(requested: int, warn: Callable[[str], None]) -> int:
    """`--workers N` within its bound: at most one worker per usable core (a larger N is
    lowered, with a warning)."""
    cores = usable_cores()
    if requested > cores:
        warn(f"--workers {requested} is more than the {cores} core(s) this process may use: "
             f"deciding with {cores}")
        return cores
    return requested


def die_with_parent(parent: int) -> None:
    """Called first in every worker: end this process when `parent` is gone."""
    signal.signal(signal.SIGTERM, signal.SIG_DFL)  # not the parent's handler, if inherited
    if not _kill_me_with_parent():
        threading.Thread(target=_watch_parent, args=(parent,), daemon=True,
                         name="regelwerk-parent-watch").start()
    if os.getppid() != parent:  # the parent died before the worker got here
        os._exit(1)


def _kill_me_with_parent() -> bool:
    """Ask Linux to send SIGKILL to this process when its parent dies; False elsewhere."""
    if not sys.platform.startswith("linux"):
        return False
    try:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        return libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0) == 0
    except (OSError, AttributeError):  # pragma: no cover - no libc with prctl
        return False


def _watch_parent(parent: int) -> None:  # pragma: no cover - runs where prctl is missing
    stopped = threading.Event()
    while not stopped.wait(WATCH_SECONDS):
        if os.getppid() != parent:
            os._exit(1)


def terminate(pool: Any) -> None:
    """Stop every worker process of a pool at once (queued work is not wanted)."""
    for process in list((getattr(pool, "_processes", None) or {}).values()):
        with contextlib.suppress(OSError, ValueError):
            process.terminate()


def on_sigterm_stop(pool: Any) -> Callable[[], None]:
    """Until the returned function is called, SIGTERM to this process first terminates the
    pool's workers, then takes its usual course (the process ends, as it would have; every
    line printed is already in the decision log). Returns the function that restores the
    previous handler."""
    if threading.current_thread() is not threading.main_thread():
        return lambda: None

    def stop(signum: int, frame: Any) -> None:
        terminate(pool)
        signal.signal(signal.SIGTERM, previous)
        os.kill(os.getpid(), signal.SIGTERM)

    previous = signal.signal(signal.SIGTERM, stop)
    return lambda: signal.signal(signal.SIGTERM, previous)
