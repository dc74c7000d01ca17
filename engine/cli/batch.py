"""Batch decisions: JSON Lines (or CSV) in, JSON Lines out, in input order, one error per bad line.

The input is read as a stream, a chunk of lines at a time, and at most a few chunks are in
flight at once, so memory stays flat whatever the file's length. With more than one worker
the chunks are decided in worker processes (each holds the compiled rules once) and written
back in input order.
"""

from __future__ import annotations

import csv
import io
import json
import os
import sys
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from itertools import islice
from typing import Any

from ..errors import RegelwerkError, UsageError
from ..yamlsource import load_json_record

LOG_BATCH = 20_000  # decision-log entries per transaction
CHUNK_LINES = 500  # lines per unit of work: big enough to amortise a round trip to a worker
PARALLEL_FROM = 2 * CHUNK_LINES  # smaller inputs are decided in-process: no pool to start
INPUT_FORMATS = ("jsonl", "csv")
_TRUE = {"true", "ja", "yes", "waar", "1"}
_FALSE = {"false", "nee", "no", "onwaar", "0"}

# The engine and the command-line defaults of the current run, for the worker processes
# (inherited when they are forked, built by `_init_worker` otherwise).
_RUN: dict[str, Any] = {}


def default_workers() -> int:
    """One worker per idle core (at least one): on a machine whose cores are busy with other
    work, worker processes only compete with it and with each other."""
    try:
        cores = len(os.sched_getaffinity(0))
    except (AttributeError, OSError):  # pragma: no cover - platforms without affinity
        cores = os.cpu_count() or 1
    return max(1, min(cores, int(_idle_cores(cores) + 0.5)))


def _idle_cores(cores: int, sample: float = 0.05) -> float:
    """How many cores are idle now: measured over a moment from /proc/stat where there is
    one, else the cores less the load average (as `make -l` reasons)."""
    try:
        first = _cpu_times()
        import time

        time.sleep(sample)
        second = _cpu_times()
        total = second[0] - first[0]
        if total > 0:
            return cores * (second[1] - first[1]) / total
    except (OSError, ValueError, IndexError):
        pass
    try:
        return cores - os.getloadavg()[0]
    except (AttributeError, OSError):  # pragma: no cover - platforms without a load average
        return float(cores)


def _cpu_times() -> tuple[int, int]:
    """(all, idle) clock ticks of the machine so far, from the first line of /proc/stat."""
    with open("/proc/stat", "rb") as handle:
        fields = [int(x) for x in handle.readline().split()[1:]]
    return sum(fields[:8]), fields[3] + fields[4]  # idle and waiting for input/output


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
        return sys.stdin.buffer, None
    try:
        handle = open(path, "rb")
    except OSError as err:
        raise UsageError(f"--cases {path}: {err.strerror or err}") from None
    try:
        size = os.fstat(handle.fileno()).st_size if os.path.isfile(path) else None
    except OSError:
        size = None
    return handle, size


class _Lines(tuple):
    """A chunk of JSON Lines as one block of bytes: (first line number, bytes, line count).

    Handing a worker one block instead of a list of lines keeps the reading process cheap:
    it neither splits nor pickles lines one by one."""


def _jsonl_chunks(stream: Any, size: int) -> Iterator[_Lines]:
    number = 1
    while True:
        lines = list(islice(stream, size))
        if not lines:
            return
        yield _Lines((number, b"".join(lines), len(lines)))
        number += len(lines)


def _chunk_items(chunk: Any) -> Iterable[tuple[int, Any]]:
    """(line number, line) for every non-blank line of a chunk; parsing is left to the worker."""
    if not isinstance(chunk, _Lines):
        return chunk
    first, data, _count = chunk
    return ((n, raw) for n, raw in enumerate(data.split(b"\n"), start=first) if raw.strip())


def _chunk_len(chunk: Any) -> int:
    return chunk[2] if isinstance(chunk, _Lines) else len(chunk)


def _csv_items(stream: Any, path: str) -> Iterator[tuple[int, Any]]:
    """(line number, record) for every CSV row: columns `decision`, `on` and dotted facts."""
    text = io.TextIOWrapper(stream, encoding="utf-8-sig", newline="")
    reader = csv.reader(text)
    try:
        header = next(reader, None)
        if header is None:
            return
        header = [h.strip() for h in header]
        if len(set(header)) != len(header):
            twice = sorted({h for h in header if header.count(h) > 1})
            raise UsageError(f"--cases {path}: line 1: column {twice[0]!r} appears twice")
        for row in reader:
            number = reader.line_num
            if not any(cell.strip() for cell in row):
                continue
            if len(row) != len(header):
                yield number, _BadRow(f"expected {len(header)} columns, got {len(row)}")
                continue
            yield number, _CsvRow(dict(zip(header, row)))
    except UnicodeDecodeError as err:
        raise UsageError(f"--cases {path}: not UTF-8 text ({err.reason})") from None
    except csv.Error as err:
        raise UsageError(f"--cases {path}: line {reader.line_num}: {err}") from None


class _CsvRow(dict):
    """A CSV row as text by column name; cells are typed by the decision's declared inputs."""


class _BadRow(str):
    """A row that cannot be read; the text says why."""


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


def _cell(spec: Any, text: str) -> Any:
    """A CSV cell as the declared type of its fact (text that does not fit is left as text,
    so the fact check names the value)."""
    kind = getattr(spec, "type", "text")
    value = text.strip()
    if kind == "bool":
        low = value.casefold()
        return True if low in _TRUE else False if low in _FALSE else value
    if kind in ("integer", "number"):
        try:
            return int(value)
        except ValueError:
            pass
        if kind == "number":
            try:
                return float(value)
            except ValueError:
                pass
        return value
    if kind == "list":
        try:
            return json.loads(value)
        except ValueError:
            return value
    return text if kind == "text" else value


def _csv_record(engine: Any, row: dict, decision: str | None, on: Any) -> dict:
    did = row.pop("decision", "").strip() or decision
    day = row.pop("on", "").strip() or on
    case: dict = {}
    if did:
        from ..api import parse_on

        specs = {s.name: s for s in engine.resolve(did, parse_on(day))[2].inputs}
        for name, text in row.items():
            if text.strip():
                case[name] = _cell(specs.get(name), text)
    return {"decision": did, "on": day, "case": case}


def _decide_one(engine: Any, item: Any, decision: str | None, on: Any) -> tuple[Any, Any]:
    """The result of one line, and the case facts it was decided on."""
    if isinstance(item, _BadRow):
        raise UsageError(str(item))
    if isinstance(item, _CsvRow):
        record = _csv_record(engine, dict(item), decision, on)
    else:
        try:
            record = load_json_record(item)
        except json.JSONDecodeError as err:
            raise UsageError(f"invalid JSON at column {err.colno}: {err.msg}") from None
        except UnicodeDecodeError as err:
            raise UsageError(f"not UTF-8 text ({err.reason})") from None
    result = engine.decide_record(record, decision, on)
    return result, record.get("case", {}) if isinstance(record, dict) else {}


def _detached_writer(log: Any) -> Any:
    """A decision-log writer of this process that only builds entries; the parent writes them
    (so every entry is written by one process, in input order, in large transactions)."""
    writer = _RUN.get("writer")
    if writer is None or writer.log is not log:
        from ..decisionlog import LogWriter

        writer = _RUN["writer"] = LogWriter(log, None, 1 << 62)
    return writer


def _take_entries(writer: Any) -> tuple[list, dict]:
    """The entries built since the last call, and the rule-set texts not handed over yet."""
    rows, rulesets = writer.rows, dict(writer.rulesets)
    writer.rows = []
    writer.rulesets.clear()
    writer.stored.update(rulesets)
    return rows, rulesets


def _put_entries(writer: Any, rows: list, rulesets: dict) -> None:
    """Hand entries built elsewhere to the writer that owns the log; it commits in batches."""
    for sha256, row in rulesets.items():
        if sha256 not in writer.stored and sha256 not in writer.rulesets:
            writer.rulesets[sha256] = row
    writer.rows.extend(rows)
    if len(writer.rows) >= writer.batch_size:
        writer.flush()


def decide_chunk(chunk: Any) -> tuple[bytes, int, int, Any]:
    """Decide a chunk of lines: (output lines, lines failed, internal errors, decision-log
    entries to write or None)."""
    engine, decision, on = _RUN["engine"], _RUN["decision"], _RUN["on"]
    log = _RUN.get("log")
    writer = _detached_writer(log) if log is not None else None
    out: list[str] = []
    failed = internal = 0
    for number, item in _chunk_items(chunk):
        try:
            result, case = _decide_one(engine, item, decision, on)
            text = result.as_json()
            if writer is not None:
                text = f'{text[:-1]},"log_id":"{writer.add(result, case)}"}}'
            out.append(text)
            continue
        except RegelwerkError as err:
            message = str(err)
        except RecursionError:
            message = "the line is nested too deeply"
        except Exception as err:  # noqa: BLE001 - a bug: name it on its line, go on
            internal += 1
            message = f"internal error: {type(err).__name__}: {' '.join(str(err).split())}"
        failed += 1
        out.append(json.dumps({"line": number, "error": message}, ensure_ascii=False,
                              separators=(",", ":")))
    out.append("")
    entries = None
    if writer is not None:
        entries = _take_entries(writer)
        if _RUN.get("worker"):  # to be forwarded to the log writer unopened
            import pickle

            entries = pickle.dumps(entries, protocol=pickle.HIGHEST_PROTOCOL)
    return "\n".join(out).encode("utf-8"), failed, internal, entries


def _init_worker(rules: list[str], run: dict) -> None:
    """Build the engine in a worker that did not inherit it (spawned, not forked)."""
    _RUN["worker"] = True
    if _RUN.get("engine") is None:
        from ..api import Engine

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
    gc.freeze()  # the compiled rules are shared with forked workers, not copied by the GC
    # An executor, not a Pool: a worker that dies (killed, out of memory) fails the run
    # with BrokenProcessPool instead of leaving it waiting forever for the lost chunk.
    pool = ProcessPoolExecutor(workers, mp_context=ctx, initializer=_init_worker,
                               initargs=(rules, run))
    finished = False
    try:
        pending: deque = deque()
        for chunk in _prepend((first, second), chunks):
            pending.append((chunk, pool.submit(decide_chunk, chunk)))
            if len(pending) >= 2 * workers:
                chunk, done = pending.popleft()
                yield chunk, done.result()
        while pending:
            chunk, done = pending.popleft()
            yield chunk, done.result()
        finished = True
    except BrokenProcessPool:
        raise _WorkerLost() from None
    finally:
        if not finished:  # stopped early: the chunks still queued are not wanted
            for process in list(getattr(pool, "_processes", {}).values()):
                process.terminate()
        pool.shutdown(wait=True, cancel_futures=True)
        gc.unfreeze()


class _WorkerLost(RegelwerkError):
    exit_code = 4

    def __init__(self) -> None:
        super().__init__("a worker process stopped abruptly (killed, or out of memory?); the "
                         "lines written so far are decided, the rest are not (try --workers 1)")


def _prepend(head: Iterable, rest: Iterator) -> Iterator:
    yield from head
    yield from rest


class _LogSink:
    """Writes decision-log entries, in input order, in transactions of LOG_BATCH entries.

    In-process runs write them directly. When worker processes decide, the entries go to a
    log-writer process of their own: database work in a thread of this process would hold
    the interpreter lock the thread handing out chunks needs, and leave the workers idle.
    What was handed over is committed even when the run stops early."""

    def __init__(self, log: Any):
        self.log = log
        self.writer: Any = None
        self._direct: Any = None
        self.process: Any = None
        self.conn: Any = None

    def put(self, entries: Any) -> None:
        if isinstance(entries, bytes):  # pickled by a worker: forward as is
            if self.process is None:
                self._start()
            self._check()
            self.conn.send_bytes(entries)
            return
        if self.writer is None:
            self._direct = self.log.writer(batch_size=LOG_BATCH)
            self.writer = self._direct.__enter__()
        _put_entries(self.writer, *entries)

    def _start(self) -> None:
        import multiprocessing

        methods = multiprocessing.get_all_start_methods()
        ctx = multiprocessing.get_context("fork" if "fork" in methods else None)
        self.conn, child = ctx.Pipe()
        self.process = ctx.Process(target=_log_process, args=(self.log, child),
                                   name="regelwerk-decision-log", daemon=True)
        self.process.start()
        child.close()

    def _check(self) -> None:
        if self.conn.poll():  # the writer only speaks when it has failed
            self._raise(self.conn.recv())

    @staticmethod
    def _raise(reply: Any) -> None:
        from ..decisionlog import LogError

        kind, message = reply
        if kind != "ok":
            raise LogError(message)

    def close(self) -> None:
        if self._direct is not None:
            self._direct.__exit__(None, None, None)
            self._direct = self.writer = None
        if self.process is not None:
            try:
                self.conn.send_bytes(b"")
                reply = self.conn.recv()
            except (EOFError, OSError):
                reply = ("error", f"decision log {self.log.path}: the log writer stopped")
            finally:
                self.process.join()
                self.conn.close()
                self.process = None
            self._raise(reply)


def _log_process(log: Any, conn: Any) -> None:
    """The log writer: entries in, in order, until an empty message; then ("ok", "")."""
    import pickle

    try:
        with log.writer(batch_size=LOG_BATCH) as writer:
            while data := conn.recv_bytes():
                _put_entries(writer, *pickle.loads(data))
        conn.send(("ok", ""))
    except EOFError:
        pass  # the reading process is gone (killed): what it handed over is committed
    except BaseException as err:  # noqa: BLE001 - reported by the process that reads
        try:
            conn.send(("error", str(err) or type(err).__name__))
            while conn.recv_bytes():  # let the reading process finish handing over
                pass
        except (EOFError, OSError):
            pass


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
              progress: bool | None = None) -> int:
    """Decide every line; returns the exit status (0 when every line was decided)."""
    from ..api import parse_on

    engine = state.engine
    if decision:
        engine.catalog.decision(decision)  # an unknown decision is a usage error, before any line
    default_on = parse_on(on)
    fmt = input_format or ("csv" if path.lower().endswith(".csv") else "jsonl")
    if workers is not None and workers < 1:
        raise UsageError(f"--workers {workers}: give at least 1")

    stream, size = _open(path)
    counted = _Counting(stream)
    buffered = io.BufferedReader(counted, 1 << 16)
    chunks = (_chunks(_csv_items(buffered, path), CHUNK_LINES) if fmt == "csv"
              else _jsonl_chunks(buffered, CHUNK_LINES))
    log = state.log
    if log is not None:
        log.check()  # an unusable log stops the run before the first line is decided
    writer = _LogSink(log) if log is not None else None
    out = _output()
    failed = internal = 0
    _RUN.update(engine=engine, decision=decision, on=default_on, log=log)
    bar = _Progress(size, progress)
    try:
        for chunk, (text, bad, broken, entries) in _in_order(chunks, workers,
                                                              list(state.rules)):
            if entries is not None:
                writer.put(entries)
            out(text)
            failed += bad
            internal += broken
            bar.update(counted.count, _chunk_len(chunk))
    except BrokenPipeError:
        _silence_stdout()
        return 1
    finally:
        bar.close()
        _RUN.clear()
        if stream is not sys.stdin.buffer:
            stream.close()
        if writer is not None:
            writer.close()
    _flush()
    if internal:
        raise _InternalLines(internal)
    return 0 if failed == 0 else 1


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
        _silence_stdout()


def _silence_stdout() -> None:
    """After the reader went away (`| head`), drop what is left instead of failing at exit."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError, io.UnsupportedOperation):
        pass

