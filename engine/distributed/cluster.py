"""Running a batch on a Dask cluster (dask.distributed): partitions out, answers back in order.

The client reads the input as a stream of partitions and keeps a few per worker thread in
flight, so memory stays flat on the client whatever the file's length; the answers come
back in input order. The workers log their partitions' decisions themselves (see
`partition`); with workers on several machines the log must be a server they all reach
(PostgreSQL), not an SQLite file.
"""

from __future__ import annotations

import contextlib
import datetime as _dt
import io
from collections import deque
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from ..base.errors import RegelwerkError, UsageError
from ..batch.chunks import jsonl_chunks
from ..deciding.api import parse_on
from ..log.backend import LogBackend
from .partition import Job, decide_partition

PARTITION_LINES = 5000  # lines per task: a round trip to a worker costs about a millisecond
IN_FLIGHT = 2  # partitions per worker thread sent ahead
CONNECT_TIMEOUT = "30s"  # how long to try to reach a scheduler


class WorkerLost(RegelwerkError):
    """The cluster gave up on a partition (its workers kept dying)."""

    exit_code = 4


@contextlib.contextmanager
def client_for(scheduler: Any) -> Iterator[Any]:
    """A dask.distributed Client: `scheduler` is one already made, an address
    (`tcp://host:8786`), or "local" for a cluster of one worker process per core here."""
    try:
        from distributed import Client, LocalCluster
    except ImportError:
        raise UsageError("--scheduler needs dask.distributed (pip install 'regelwerk[dask]')"
                         ) from None
    if not isinstance(scheduler, str):
        yield scheduler
        return
    cluster = None
    try:
        if scheduler == "local":
            cluster = LocalCluster(processes=True, threads_per_worker=1,
                                   dashboard_address=None)
            client = Client(cluster)
        else:
            client = Client(scheduler, timeout=CONNECT_TIMEOUT)
    except (OSError, TimeoutError, ValueError) as err:
        if cluster is not None:
            cluster.close()
        raise UsageError(f"--scheduler {scheduler}: cannot connect: "
                         f"{' '.join(str(err).split())}") from None
    try:
        yield client
    finally:
        client.close()
        if cluster is not None:
            cluster.close()


def decide_chunks(chunks: Iterable[Any], job: Job, client: Any) -> Iterator[tuple[Any, tuple]]:
    """(chunk, (output, failed, internal)) for every chunk, in input order."""
    from distributed import KilledWorker

    slots = IN_FLIGHT * max(1, sum(client.nthreads().values()))
    pending: deque = deque()

    def oldest() -> tuple[Any, tuple]:
        chunk, future = pending.popleft()
        try:
            return chunk, future.result()
        except KilledWorker:
            raise WorkerLost("a partition was lost with the workers that decided it (killed, "
                             "or out of memory?); the lines written so far are decided, the "
                             "rest are not") from None
        finally:
            future.release()

    for part, chunk in enumerate(chunks):
        pending.append((chunk, client.submit(decide_partition, chunk, job, part, pure=False,
                                             key=f"regelwerk-{job.run}-{part}")))
        if len(pending) >= slots:
            yield oldest()
    while pending:
        yield oldest()


def decide_file(path: str | Path, *, scheduler: Any = "local", rules: Iterable[str] = (),
                decision: str | None = None, on: _dt.date | str | None = None,
                log: LogBackend | None = None) -> Iterator[bytes]:
    """Decide a JSON Lines file on a Dask cluster: the output, JSON Lines in input order, a
    partition at a time, exactly as `decide --cases` prints it. `scheduler`: a Client, an
    address or "local"; `log`: the decision log the workers write to (None: none)."""
    job = Job(tuple(str(r) for r in rules), decision, parse_on(on), log)
    with open(path, "rb") as raw, client_for(scheduler) as client:
        chunks = jsonl_chunks(io.BufferedReader(raw, 1 << 16), PARTITION_LINES)
        for _chunk, (text, _failed, _internal) in decide_chunks(chunks, job, client):
            yield text
