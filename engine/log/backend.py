"""One interface for the decision log, whatever stores it (SQLite file, PostgreSQL server).

A backend stores blocks of decisions (see `blocks`) and the rule-set texts they rest on, and
reads them back as `Entry`s. Everything above the storage is shared here: building blocks,
the writer that batches them into transactions, decision ids and their messages, so every
log command behaves the same on every backend.
"""

from __future__ import annotations

import contextlib
import datetime as _dt
import re
from abc import ABC, abstractmethod
from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING, Any

from ..base.errors import UnknownName, UsageError
from .blocks import Block, BlockBuilder
from .entry import Entry, LogError, StoredRuleSet, software_versions

if TYPE_CHECKING:  # pragma: no cover
    from ..deciding.api import Result

_ID = re.compile(r"([0-9a-f]{6,})(?:-([0-9]{1,9}))?")


class Store(ABC):
    """An open connection that writes blocks: each `write` one transaction, all or nothing."""

    def __init__(self, log: LogBackend, conn: Any) -> None:
        self.log = log
        self.conn = conn

    @abstractmethod
    def write(self, blocks: list[Block], known: dict[str, tuple]) -> None:
        """Store blocks and the rule-set texts they need, which the store looks up under its
        write lock and takes from `known` (every text this writer has seen) when missing: a
        concurrent purge may have removed one stored before."""

    def close(self) -> None:
        """Close the connection (what was not written is lost, never half-written)."""
        self.conn.close()


class LogBackend(ABC):
    """A decision log. Subclasses say how blocks and texts are stored and found."""

    #: what a message calls the log: a file name, or a server address without password
    where: str = ""

    def __init__(self, *, hash_facts: Iterable[str] = ()) -> None:
        self.hash_facts = list(hash_facts)  # facts logged only as a hash (besides the rule set's)

    #: how a query marks its parameters (sqlite3: ?, psycopg: %s)
    placeholder = "?"

    # -- storage, per backend
    @abstractmethod
    def _conn(self) -> contextlib.AbstractContextManager[Any]:
        """A connection for one read, closed after it; LogError when the log cannot be used."""

    @abstractmethod
    def open_store(self) -> Store:
        """A connection for writing, checked; LogError when the log cannot be used."""

    @abstractmethod
    def iter_entries(self, *, decision: str | None = None, ruleset: str | None = None,
                     since: _dt.date | None = None, until: _dt.date | None = None,
                     limit: int | None = None, newest_first: bool = False) -> Iterator[Entry]:
        """Logged decisions in the order made, read as they are used (a log may be large);
        `since`/`until` are days of `made_at` (UTC), both included."""

    @abstractmethod
    def blocks_starting(self, prefix: str) -> list[tuple[str, int, Any]] | None:
        """Up to two blocks whose key starts with `prefix`: (key, count, handle for
        `entry_at`); None when there is no log yet."""

    @abstractmethod
    def entry_at(self, handle: Any, place: int) -> Entry:
        """The entry at `place` (from 1) of a block found by `blocks_starting`."""

    @abstractmethod
    def count(self) -> int:
        """How many decisions the log holds."""

    @abstractmethod
    def purge(self, before: _dt.date, *, dry_run: bool = False) -> tuple[int, int]:
        """Remove for good every decision made before a date, and the rule-set texts no
        decision needs any more: (decisions removed, rule-set texts removed)."""

    # -- shared
    def check(self) -> None:
        """Open the log once (making it if need be): LogError now rather than after deciding."""
        with self._conn():
            pass

    def ruleset_text(self, sha256: str) -> StoredRuleSet:
        """The text of a rule file by its content hash; LogError when the log lacks it."""
        with self._conn() as conn:
            row = conn.execute("SELECT sha256, ruleset_id, file, origin, text FROM rulesets "
                               f"WHERE sha256 = {self.placeholder}", (sha256,)).fetchone()
        if row is None:
            raise LogError(f"decision log {self.where}: the rule set with hash {sha256[:16]}… "
                           "is missing from the log")
        return StoredRuleSet(row[0], row[1], row[2], row[3], bytes(row[4]))

    def entries(self, **filters: Any) -> list[Entry]:
        """The logged decisions that match (see iter_entries), as a list."""
        return list(self.iter_entries(**filters))

    def builder(self, keys: Iterator[str] | None = None) -> BlockBuilder:
        """A block builder for this log (see BlockBuilder), in this process or a worker.
        `keys` gives the block keys (see `partition_keys`); default: random ones."""
        return BlockBuilder(software_versions(), self.hash_facts, keys)

    @contextlib.contextmanager
    def writer(self, batch_size: int = 5000) -> Iterator[LogWriter]:
        """One writer for a run; commits every batch_size entries and at the end, in one
        transaction each; an exception or a kill leaves only whole committed entries."""
        store = self.open_store()
        writer = LogWriter(self, store, batch_size)
        try:
            yield writer
            writer.flush()
        except BaseException:
            # The decisions added were made and handed out: keep them, as whole entries.
            with contextlib.suppress(LogError):
                writer.flush()
            raise
        finally:
            store.close()

    def get(self, id_or_prefix: str) -> Entry:
        """One entry by its id or an unambiguous start of it (at least 6 characters). The
        key of a block of one decision names that decision too."""
        key = id_or_prefix.strip().lower()
        match = _ID.fullmatch(key)
        if match is None:
            if len(key) < 6:
                raise UsageError(f"decision id {id_or_prefix!r}: give at least 6 characters")
            raise UsageError(f"decision id {id_or_prefix!r}: not a decision id (hex digits, "
                             "then -N for the N-th decision of a block)")
        rows = self.blocks_starting(match.group(1))
        if rows is None:
            raise UnknownName(f"no decision {id_or_prefix!r}: there is no decision log at "
                             f"{self.where} yet")
        if not rows:
            raise UnknownName(f"no decision {id_or_prefix!r} in the decision log {self.where}")
        if len(rows) > 1:
            raise UsageError(f"decision id {id_or_prefix!r} is ambiguous: give more characters")
        _key, count, handle = rows[0]
        place = match.group(2)
        if place is None:
            if count > 1:
                raise UsageError(f"decision id {id_or_prefix!r} names {count} decisions made "
                                 f"together: add -1 to -{count} for one of them")
            place = "1"
        n = int(place)
        if not 1 <= n <= count:
            raise UnknownName(f"no decision {id_or_prefix!r} in the decision log {self.where} "
                             f"(its block holds {count})")
        return self.entry_at(handle, n)

    def damaged(self, key: str, err: Exception) -> LogError:
        """The error for a block that cannot be read back."""
        detail = " ".join(str(err).split()) or type(err).__name__
        return LogError(f"decision log {self.where}: the block of decisions {key} is damaged "
                        f"({detail})")


class LogWriter:
    """Adds decisions to the log, a block at a time; the blocks are written in transactions
    of batch_size decisions or more. Blocks built in other processes (see
    LogBackend.builder) are written with `write`."""

    def __init__(self, log: LogBackend, store: Store, batch_size: int) -> None:
        self.log = log
        self.store = store
        self.batch_size = max(1, int(batch_size))
        self.blocks: list[Block] = []
        self.pending = 0  # decisions in self.blocks and the builder
        self.known: dict[str, tuple] = {}  # every rule-set text seen, by hash
        self.builder = log.builder()
        self.written = 0

    def add(self, result: Result, case: dict) -> str:
        """Log one decision made; returns its decision id."""
        decision_id = self.builder.add(result, case, self.blocks)
        self.pending += 1
        if self.pending >= self.batch_size:
            self.flush()
        return decision_id

    def write(self, *blocks: Block) -> None:
        """Write blocks built elsewhere now, in one transaction of their own. A block whose
        key the log holds already is left as it is (a retried partition writes it again)."""
        for block in blocks:
            self.blocks.append(block)
            self.pending += block.count
        self.flush()

    def flush(self) -> None:
        """Write the blocks built so far in one transaction (all of them or none)."""
        last = self.builder.take()
        if last is not None:
            self.blocks.append(last)
        if not self.blocks:
            return
        for block in self.blocks:
            self.known.update(block.texts)
        self.store.write(self.blocks, self.known)
        self.written += self.pending
        self.blocks.clear()
        self.pending = 0
