"""One partition of a distributed batch, decided in a worker: the function a cluster runs.

`decide_partition` is a plain function of (lines, job, partition number), with no Dask in
it, so any engine that maps a function over partitions can run it: Dask (see `cluster`),
Spark's `mapInPandas` (see README), a process pool. Each worker process builds its Engine
once, on its first partition, and keeps it; the lines are decided by the batch's own code
(`batch.chunks`), so every line gets the answer `decide --cases` gives it.
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from ..batch.chunks import Lines, decide_chunk
from ..deciding.api import Engine
from ..log.backend import LogBackend
from ..log.blocks import new_run_key, partition_keys

# The engines of this worker process, by their rule folders: built once, used by every
# partition the process decides.
_ENGINES: dict[tuple[str, ...], Engine] = {}


@dataclass(frozen=True)
class Job:
    """What every partition of a run needs; small, sent with each task.

    `on` is the default peildatum of lines without one (settled once, on the client, so
    every worker agrees on "today"); `log` the decision log the workers write to (None: no
    logging); `run` the start of the run's block keys."""

    rules: tuple[str, ...] = ()
    decision: str | None = None
    on: _dt.date | None = None
    log: LogBackend | None = None
    run: str = field(default_factory=new_run_key)


def engine_for(rules: tuple[str, ...]) -> Engine:
    """This worker's engine for these rule folders, built on its first partition."""
    engine = _ENGINES.get(rules)
    if engine is None:
        engine = _ENGINES[rules] = Engine(list(rules))
    return engine


def decide_partition(chunk: Any, job: Job, part: int | None) -> tuple[bytes, int, int]:
    """Decide one partition: (output, JSON Lines in input order; lines failed; internal
    errors). `chunk` is a `batch.chunks.Lines` (first line number, bytes, count) or a list
    of (line number, line). With a log, the partition's decisions are committed to it, in one
    transaction, before this returns: an answer handed out is logged, and a partition run
    again (a worker lost) writes the same block keys, which the log keeps once. `part` is the
    partition's number in the run (below 16,777,216), unique in it; None gives the decisions
    random ids instead (a partition decided again is then logged again)."""
    engine = engine_for(job.rules)
    log = job.log
    keys = None if part is None else partition_keys(job.run, part)
    builder = log.builder(keys) if log is not None else None
    text, failed, internal, blocks = decide_chunk(engine, chunk, job.decision, job.on, builder)
    if blocks:
        with log.writer() as writer:
            writer.write(*blocks)
    return text, failed, internal


def decide_lines(lines: Iterable[str | bytes], job: Job, part: int | None,
                 first_line: int = 1) -> list[str]:
    """The same for a sequence of JSON Lines texts (line `first_line` first): one output
    line per input line, as text, in order. The shape a dataframe engine wants."""
    data = [line.encode("utf-8") if isinstance(line, str) else bytes(line) for line in lines]
    chunk = Lines((first_line, b"\n".join(data), len(data)))
    text, _failed, _internal = decide_partition(chunk, job, part)
    return text.decode("utf-8").splitlines()
