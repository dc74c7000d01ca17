"""Batch decisions: JSON Lines (or CSV) in, JSON Lines out, in input order, one error per bad line.

The input is read as a stream, a chunk of lines at a time, and at most a few chunks are in
flight at once, so memory stays flat whatever the file's length. With more than one worker
the chunks are decided in worker processes (each holds the compiled rules once) and written
back in input order.
"""

from __future__ import annotations

import contextlib
import io
import os
import sys
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from typing import Any

from ..base.errors import RegelwerkError, UsageError
from ..base.i18n import _, language, set_language
from ..batch.chunks import chunk_len as _chunk_len
from ..batch.chunks import decide_chunk as decide_lines
from ..batch.input import csv_items as _csv_items
from ..batch.input import jsonl_chunks as _jsonl_chunks
from .output import silence_stdout, stdin_stream
from .workers import die_with_parent, on_sigterm_stop, terminate, worker_count
from .workers import usable_cores as default_workers  # one worker per core it may use

CHUNK_LINES = 500  # lines per unit of work: big enough to amortise a round trip to a worker
PARALLEL_FROM = 2 * CHUNK_LINES  # smaller inputs are decided in-process: no pool to start
INPUT_FORMATS = ("jsonl", "csv")

# The engine and the command-line defaults of the current run, for the worker processes
# (inherited when they are forked, built by `_init_worker` otherwise).
_RUN: dict[str, Any] = {}


# ------------------------------------------------------------------ reading


class _Counting(io.RawIOBase):
    """A binary stream that counts the bytes read through it (for the progress bar)."""

    def __init__(self, raw: Any):
        self.raw = raw
        self.count = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        data = self.raw.read(len(buffer))
        n = len(data)
        buffer[:n] = data
        self.count += n
        return n


def _open(path: str) -> tuple[Any, int | None]:
    """The input as a binary stream, and its size in bytes when known."""
    if path == "-":
        return stdin_stream("--cases", "the cases"), None
    try:
        handle = open(path, "rb")
    except OSError as err:
        raise UsageError(f"--cases {path}: {err.strerror or err}") from None
    try:
        size = os.fstat(handle.fileno()).st_size if os.path.isfile(path) else None
    except OSError:
        size = None
    return handle, size


def _chunks(items: Iterable[tuple[int, Any]], size: int) -> Iterator[list]:
    chunk: list = []
    for item in items:
        chunk.append(item)
        if len(chunk) >= size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


# ------------------------------------------------------------------ deciding


def _builder(log: Any) -> Any:
    """The decision-log block builder of this process (a forked worker makes its own)."""
    found = _RUN.get("builder")
    if found is None or found[0] != os.getpid() or found[1] is not log:
        found = _RUN["builder"] = (os.getpid(), log, log.builder())
    return found[2]


def decide_chunk(chunk: Any) -> tuple[bytes, int, int, list]:
    """Decide a chunk of lines of this run (see `batch.chunks.decide_chunk`)."""
    log = _RUN.get("log")
    return decide_lines(_RUN["engine"], chunk, _RUN["decision"], _RUN["on"],
                        _builder(log) if log is not None else None)


def _init_worker(rules: list[str], run: dict, parent: int) -> None:
    """Tie the worker's life to its parent's; build the engine in a worker that did not
    inherit it (spawned, not forked)."""
    die_with_parent(parent)
    if _RUN.get("engine") is None:
        from ..deciding.api import Engine

        set_language(run.get("lang"))
        _RUN.update(run, engine=Engine(rules))


def _in_order(chunks: Iterator[Any], workers: int | None,
              rules: list[str]) -> Iterator[tuple]:
    """Decide chunks, in worker processes when `workers` > 1, yielding results in input order.

    At most 2 chunks per worker are in flight, so a long file is never read ahead."""
    first = next(chunks, None)
    if first is None:
        return
    second = next(chunks, None)
    large = second is not None and _chunk_len(first) + _chunk_len(second) >= PARALLEL_FROM
    if large and workers is None:
        workers = default_workers()  # measured only when there is enough to share
    if not large or workers is None or workers <= 1:
        yield first, decide_chunk(first)
        if second is not None:
            yield second, decide_chunk(second)
            for chunk in chunks:
                yield chunk, decide_chunk(chunk)
        return

    import gc
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor
    from concurrent.futures.process import BrokenProcessPool

    methods = multiprocessing.get_all_start_methods()
    ctx = multiprocessing.get_context("fork" if "fork" in methods else None)
    run = {k: _RUN.get(k) for k in ("decision", "on", "log")}
    run["lang"] = language()  # a spawned worker reads messages in the language of --lang
    gc.freeze()  # the compiled rules are shared with forked workers, not copied by the GC
    # An executor, not a Pool: a worker that dies (killed, out of memory) fails the run
    # with BrokenProcessPool instead of leaving it waiting forever for the lost chunk.
    # This process is one of the `workers`: it decides every workers-th chunk itself, when
    # its turn comes, while the others decide theirs. Those chunks cost no passing of lines
    # and results between processes, and there is one process fewer to start and to feed.
    pool = ProcessPoolExecutor(workers - 1, mp_context=ctx, initializer=_init_worker,
                               initargs=(rules, run, os.getpid()))
    restore_sigterm = on_sigterm_stop(pool)
    finished = False
    try:
        pending: deque = deque()
        for number, chunk in enumerate(_prepend((first, second), chunks), start=1):
            pending.append((chunk, None if number % workers == 0
                            else pool.submit(decide_chunk, chunk)))
            if len(pending) >= 2 * workers:
                yield _decided(*pending.popleft())
        while pending:
            yield _decided(*pending.popleft())
        finished = True
    except BrokenProcessPool:
        raise _WorkerLost() from None
    finally:
        if not finished:  # stopped early: the chunks still queued are not wanted
            terminate(pool)
        pool.shutdown(wait=True, cancel_futures=True)
        restore_sigterm()
        gc.unfreeze()


def _decided(chunk: Any, future: Any) -> tuple:
    """A chunk and its answer: from its worker, or decided here (no future)."""
    return chunk, decide_chunk(chunk) if future is None else future.result()


class _WorkerLost(RegelwerkError):
    exit_code = 4

    def __init__(self) -> None:
        super().__init__("a worker process stopped abruptly (killed, or out of memory?); the "
                         "lines written so far are decided, the rest are not (try --workers 1)")


def _prepend(head: Iterable, rest: Iterator) -> Iterator:
    yield from head
    yield from rest


# ------------------------------------------------------------------ the command


class _Progress:
    """A progress bar on standard error, only when standard error is a terminal."""

    def __init__(self, size: int | None, enabled: bool | None):
        import click

        show = sys.stderr.isatty() if enabled is None else enabled
        self.bar = None
        if show:
            label = "deciding"
            self.bar = click.progressbar(length=size or None, label=label, file=sys.stderr,
                                         show_pos=size is None, show_percent=size is not None)
            self.bar.__enter__()
        self.bytes = size is not None

    def update(self, consumed: int, lines: int) -> None:
        if self.bar is not None:
            self.bar.update(consumed - self.bar.pos if self.bytes else lines)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.__exit__(None, None, None)


def run_batch(state: Any, decision: str | None, path: str, on: str | None, *,
              workers: int | None = None, input_format: str | None = None,
              progress: bool | None = None, scheduler: str | None = None) -> int:
    """Decide every line; returns the exit status (0 when every line was decided)."""
    from ..deciding.api import parse_on

    engine = state.engine
    if decision:
        engine.catalog.decision(decision)  # an unknown decision is a usage error, before any line
    engine.catalog.check_drafts()  # a broken draft stops the run, not each line
    default_on = parse_on(on)
    fmt = input_format or ("csv" if path.lower().endswith(".csv") else "jsonl")
    if workers is not None and workers < 1:
        raise UsageError(_("--workers {n}: give at least 1").format(n=workers))
    if workers is not None:
        workers = worker_count(workers, _warn)

    stream, size = _open(path)
    counted = _Counting(stream)
    buffered = io.BufferedReader(counted, 1 << 16)
    per_chunk = CHUNK_LINES if scheduler is None else _dask().PARTITION_LINES
    chunks = (_chunks(_csv_items(buffered, path), per_chunk) if fmt == "csv"
              else _jsonl_chunks(buffered, per_chunk))
    log = state.log
    out = _output()
    failed = internal = 0
    _RUN.update(engine=engine, decision=decision, on=default_on, log=log)
    bar = _Progress(size, progress)
    # The log is written by this process, a block at a time, each committed before its lines
    # are printed: every decision handed out is in the log, whenever the run stops. It is
    # opened before the first chunk is read, so an unusable log stops the run before any line.
    logging = log.writer() if log is not None else contextlib.nullcontext()
    try:
        with logging as writer, _deciding(chunks, workers, state, scheduler) as decided:
            for chunk, (text, bad, broken, blocks) in decided:
                for block in blocks:
                    writer.write(block)
                out(text)
                failed += bad
                internal += broken
                bar.update(counted.count, _chunk_len(chunk))
    except BrokenPipeError:
        silence_stdout()
        return 1
    finally:
        bar.close()
        _RUN.clear()
        if stream is not sys.stdin.buffer:
            stream.close()
    _flush()
    if internal:
        raise _InternalLines(internal)
    return 0 if failed == 0 else 1


def _warn(message: str) -> None:
    import click

    click.echo(f"warning: {message}", err=True)


def _dask() -> Any:
    from ..distributed import cluster

    return cluster


@contextlib.contextmanager
def _deciding(chunks: Iterator[Any], workers: int | None, state: Any,
              scheduler: str | None) -> Iterator[Iterator[tuple]]:
    """The decided chunks in input order: here and in worker processes, or on a Dask
    cluster (whose workers log their decisions themselves: no blocks come back)."""
    if scheduler is None:
        yield _in_order(chunks, workers, list(state.rules))
        return
    from ..distributed.partition import Job

    job = Job(tuple(state.rules), _RUN["decision"], _RUN["on"], _RUN["log"])
    with _dask().client_for(scheduler) as client:
        yield ((chunk, (*answer, [])) for chunk, answer in _dask().decide_chunks(chunks, job, client))


class _InternalLines(RegelwerkError):
    exit_code = 4

    def __init__(self, count: int):
        super().__init__(f"internal error on {count} line(s), marked 'internal error' in the "
                         "output (a bug in regelwerk: please report it)")


def _output() -> Callable[[bytes], None]:
    """Write UTF-8 to standard output (JSON Lines are UTF-8 whatever the locale)."""
    buffer = getattr(sys.stdout, "buffer", None)
    if buffer is None:
        return lambda data: sys.stdout.write(data.decode("utf-8"))
    sys.stdout.flush()

    def write(data: bytes) -> None:
        buffer.write(data)
        buffer.flush()

    return write


def _flush() -> None:
    try:
        sys.stdout.flush()
    except BrokenPipeError:
        silence_stdout()
