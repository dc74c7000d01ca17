"""The decision log in an SQLite file: the embedded default backend.

An embedded SQLite database (write-ahead log, busy timeout). Each block of decisions (see
`blocks`) is one row holding its entries compressed; the decision ids, rule-set ids and
hashes in a block are kept beside it, each between spaces, so a query can choose blocks
without opening them. The text of each rule set is kept once per content hash, so a logged
decision can be explained from the rules exactly as they were, after the rule files changed.

Storing a block costs one row, where a row per decision would cost an index entry and a
row each: a batch logs its decisions for a small part of the time it takes to make them.

Each block is written in one short transaction: two processes logging at once wait for each
other (never longer than the busy timeout) and lose nothing, and a crash or kill leaves only
whole, committed blocks.
"""

from __future__ import annotations

import contextlib
import datetime as _dt
import os
import sqlite3
import time
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from ..base.jsonvalues import json_text
from .backend import LogBackend, Store
from .blocks import Block, pack, read_block
from .entry import Entry, LogError

FILE_NAME = "decisions.sqlite"
APPLICATION_ID = 0x52575243  # "RWRC": marks the file as a regelwerk decision log
SCHEMA_VERSION = 2  # 1: a row per decision; 2: blocks of decisions
BUSY_TIMEOUT_S = 60.0
WRITER_WAL_PAGES = 16_384  # 64 MiB of 4 KiB pages (see open_store)

_SCHEMA = """
CREATE TABLE IF NOT EXISTS rulesets (
    sha256      TEXT PRIMARY KEY,
    ruleset_id  TEXT NOT NULL,
    file        TEXT NOT NULL,
    origin      TEXT NOT NULL,
    text        BLOB NOT NULL,
    first_seen  TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS blocks (
    seq         INTEGER PRIMARY KEY AUTOINCREMENT,
    key         TEXT NOT NULL UNIQUE,
    made_at     TEXT NOT NULL,
    count       INTEGER NOT NULL,
    decisions   TEXT NOT NULL,
    rulesets    TEXT NOT NULL,
    sha256s     TEXT NOT NULL,
    engine      TEXT NOT NULL,
    entries     BLOB NOT NULL
);
CREATE INDEX IF NOT EXISTS blocks_made_at ON blocks(made_at);
"""
# decisions, rulesets and sha256s: the decision ids, rule-set ids and rule-set hashes in the
# block, each between spaces (" a b "), so a query can choose blocks without opening them.
# entries: JSON Lines compressed with Zstandard (see pack), one `[case record, decision]`
# array per entry.

_INSERT_BLOCK = (
    "INSERT OR IGNORE INTO blocks (key, made_at, count, decisions, rulesets, sha256s, engine, entries) "
    "VALUES (?,?,?,?,?,?,?,?)")
_INSERT_RULESET = (
    "INSERT OR IGNORE INTO rulesets (sha256, ruleset_id, file, origin, text, first_seen) "
    "VALUES (?,?,?,?,?,?)")


def _describe(err: sqlite3.Error) -> str:
    msg = " ".join(str(err).split())
    if "not a database" in msg or "malformed" in msg:
        return f"not a regelwerk decision log, or damaged ({msg})"
    if "locked" in msg or "busy" in msg:
        return f"{msg}: another process held it for more than {BUSY_TIMEOUT_S:.0f} s"
    return msg


def _retry(action, timeout: float = BUSY_TIMEOUT_S):
    """Run an SQLite action, waiting while another process holds the lock (the busy handler
    does not cover every case, such as switching to the write-ahead log)."""
    deadline = time.monotonic() + timeout
    delay = 0.005
    while True:
        try:
            return action()
        except sqlite3.OperationalError as err:
            if "locked" not in str(err) or time.monotonic() > deadline:
                raise
            time.sleep(delay)
            delay = min(delay * 2, 0.2)


class DecisionLog(LogBackend):
    """A decision log in one SQLite file, created on first use."""

    def __init__(self, path: os.PathLike | str, *, hash_facts: Iterable[str] = ()) -> None:
        super().__init__(hash_facts=hash_facts)
        self.path = Path(path)
        self.where = str(self.path)

    def open_store(self) -> SqliteStore:
        conn = self.connect()
        # A writer lets the write-ahead log grow to WRITER_WAL_PAGES before it is copied into
        # the database: each copy waits for the disk twice (a third of a 100,000-line batch's
        # logging time at SQLite's default of 1,000 pages), and a crash loses nothing either
        # way (the write-ahead log is replayed). The file is cut back to that size after.
        conn.execute(f"PRAGMA wal_autocheckpoint = {WRITER_WAL_PAGES}")
        conn.execute(f"PRAGMA journal_size_limit = {WRITER_WAL_PAGES * 4096}")
        return SqliteStore(self, conn)

    # -- opening
    def connect(self) -> sqlite3.Connection:
        """A connection to the log, made and checked; LogError when it cannot be used."""
        where = str(self.path)
        try:
            if self.path.is_dir():
                raise LogError(f"decision log {where}: is a folder, not a log file")
            try:
                self.path.parent.mkdir(parents=True, exist_ok=True)
            except OSError as err:
                raise LogError(f"decision log {where}: cannot make its folder "
                               f"{self.path.parent}: {err.strerror or err}") from None
            conn = sqlite3.connect(where, timeout=BUSY_TIMEOUT_S, isolation_level=None)
        except OSError as err:
            raise LogError(f"decision log {where}: {err.strerror or err}") from None
        except sqlite3.Error as err:
            raise LogError(f"decision log {where}: {err}") from None
        try:
            self._prepare(conn)
        except LogError:
            conn.close()
            raise
        except sqlite3.DatabaseError as err:
            conn.close()
            raise LogError(f"decision log {where}: {_describe(err)}") from None
        return conn

    def _prepare(self, conn: sqlite3.Connection) -> None:
        conn.execute(f"PRAGMA busy_timeout = {int(BUSY_TIMEOUT_S * 1000)}")
        if conn.execute("PRAGMA application_id").fetchone()[0] != APPLICATION_ID:
            self._create(conn)
        version = conn.execute("PRAGMA user_version").fetchone()[0]
        if version > SCHEMA_VERSION:
            raise LogError(f"decision log {self.path}: written by a newer regelwerk "
                           f"(log format {version}, this one reads {SCHEMA_VERSION})")
        if conn.execute("PRAGMA journal_mode").fetchone()[0].lower() != "wal":
            _retry(lambda: conn.execute("PRAGMA journal_mode = WAL"))
        conn.execute("PRAGMA synchronous = NORMAL")
        if version < SCHEMA_VERSION:
            self._upgrade(conn)

    def _create(self, conn: sqlite3.Connection) -> None:
        """Make the tables of a new log, under the write lock; refuse a database of another kind."""
        with _immediate(conn):
            # Looked at again under the lock: another process may have made the log meanwhile.
            app = conn.execute("PRAGMA application_id").fetchone()[0]
            if app != APPLICATION_ID:
                tables = conn.execute("SELECT count(*) FROM sqlite_master").fetchone()[0]
                if app != 0 or tables:
                    raise LogError(f"decision log {self.path}: not a regelwerk decision log "
                                   "(an SQLite database of something else)")
                _make_tables(conn)
                conn.execute(f"PRAGMA application_id = {APPLICATION_ID}")

    def _upgrade(self, conn: sqlite3.Connection) -> None:
        """Turn a log of format 1 (a row per decision) into blocks, one per decision, each
        keyed by the decision's id: the ids handed out before still find their decisions."""
        with _immediate(conn):
            if conn.execute("PRAGMA user_version").fetchone()[0] >= SCHEMA_VERSION:
                return  # another process upgraded it meanwhile
            _make_tables(conn)
            old = conn.execute("SELECT count(*) FROM sqlite_master WHERE name = 'decisions'")
            if old.fetchone()[0]:
                rows = conn.execute(
                    "SELECT id, made_at, decision, peildatum, ruleset_id, version, sha256, "
                    "facts, hashed_facts, outputs, notes, engine FROM decisions ORDER BY seq")
                conn.executemany(_INSERT_BLOCK, (_format1_block(row) for row in rows))
                conn.execute("DROP TABLE decisions")

    @contextlib.contextmanager
    def _conn(self) -> Iterator[sqlite3.Connection]:
        conn = self.connect()
        try:
            yield conn
        except sqlite3.Error as err:
            raise LogError(f"decision log {self.path}: {_describe(err)}") from None
        finally:
            conn.close()

    # -- reading
    def iter_entries(self, *, decision: str | None = None, ruleset: str | None = None,
                     since: _dt.date | None = None, until: _dt.date | None = None,
                     limit: int | None = None, newest_first: bool = False) -> Iterator[Entry]:
        """Logged decisions in the order made, read as they are used (a log may be large)."""
        where, args = [], []
        if decision:
            where.append("instr(decisions, ?) > 0")
            args.append(f" {decision} ")
        if ruleset:
            where.append("instr(rulesets, ?) > 0")
            args.append(f" {ruleset} ")
        if since:
            where.append("made_at >= ?")
            args.append(since.isoformat())
        if until:
            where.append("made_at < ?")
            args.append((until + _dt.timedelta(days=1)).isoformat())
        if not self.path.exists():  # reading never makes a log
            return
        sql = "SELECT key, made_at, engine, entries FROM blocks"
        if where:
            sql += " WHERE " + " AND ".join(where)
        sql += " ORDER BY seq" + (" DESC" if newest_first else "")
        left = limit or None
        with self._conn() as conn:
            for row in conn.execute(sql, args):
                found = self._read(*row)
                if newest_first:
                    found.reverse()
                for entry in found:
                    if (decision and entry.decision != decision
                            or ruleset and entry.ruleset_id != ruleset):
                        continue
                    yield entry
                    if left is not None:
                        left -= 1
                        if not left:
                            return

    def blocks_starting(self, prefix: str) -> list[tuple[str, int, Any]] | None:
        if not self.path.exists():
            return None
        with self._conn() as conn:
            rows = conn.execute(
                "SELECT key, made_at, engine, entries, count FROM blocks "
                "WHERE key >= ? AND key < ? LIMIT 2", (prefix, prefix + "g")).fetchall()
        return [(row[0], row[4], row[:4]) for row in rows]

    def entry_at(self, handle: Any, place: int) -> Entry:
        return self._read(*handle, place=place)[0]

    def _read(self, key: str, *stored: Any, place: int | None = None) -> list[Entry]:
        """The entries of a block as read_block gives them; LogError if it is damaged."""
        try:
            return read_block(key, *stored, place=place)
        except Exception as err:  # noqa: BLE001 - whatever a damaged block makes the readers raise
            raise self.damaged(key, err) from None

    def count(self) -> int:
        if not self.path.exists():
            return 0
        with self._conn() as conn:
            return conn.execute("SELECT coalesce(sum(count), 0) FROM blocks").fetchone()[0]

    # -- forgetting
    def purge(self, before: _dt.date, *, dry_run: bool = False) -> tuple[int, int]:
        """Remove for good every decision made before a date, and the rule-set texts no
        decision needs any more: (decisions removed, rule-set texts removed)."""
        cutoff = before.isoformat()
        if not self.path.exists():
            return 0, 0
        with self._conn() as conn:
            conn.execute("PRAGMA secure_delete = ON")  # overwrite, do not just unlink, pages
            conn.execute("BEGIN IMMEDIATE")
            try:
                n = conn.execute("SELECT coalesce(sum(count), 0) FROM blocks WHERE made_at < ?",
                                 (cutoff,)).fetchone()[0]
                conn.execute("DELETE FROM blocks WHERE made_at < ?", (cutoff,))
                orphans = ("FROM rulesets WHERE NOT EXISTS (SELECT 1 FROM blocks WHERE "
                           "instr(blocks.sha256s, ' ' || rulesets.sha256 || ' ') > 0)")
                m = conn.execute("SELECT count(*) " + orphans).fetchone()[0]
                conn.execute("DELETE " + orphans)
                conn.execute("ROLLBACK" if dry_run else "COMMIT")
            except BaseException:
                if conn.in_transaction:
                    conn.execute("ROLLBACK")
                raise
            if not dry_run and n:
                # Nothing of the removed entries may linger in the write-ahead log or free pages.
                conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
                conn.execute("VACUUM")
                conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        return n, m


def _make_tables(conn: sqlite3.Connection) -> None:
    for statement in _SCHEMA.split(";"):
        if statement.strip():
            conn.execute(statement)
    conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")


@contextlib.contextmanager
def _immediate(conn: sqlite3.Connection) -> Iterator[None]:
    """One write transaction: committed when the block ends, rolled back when it raises."""
    _retry(lambda: conn.execute("BEGIN IMMEDIATE"))
    try:
        yield
        conn.execute("COMMIT")
    except BaseException:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        raise


def _format1_block(row: tuple) -> tuple:
    """A decision of a format-1 log as a block of one, keyed by its id."""
    (did, made_at, decision, on, ruleset_id, version, sha, facts, hashed, outputs, notes,
     engine) = row
    record = f'{{"case":{facts},"hashed_facts":{hashed}}}'
    j = json_text
    decided = (f'{{"decision":{j(decision)},"on":{j(on)},"ruleset":'
               f'{{"id":{j(ruleset_id)},"version":{j(version)},"sha256":{j(sha)}}},'
               f'"result":{outputs},"uitleg":{notes}}}')
    entries = pack(f"[{record},{decided}]".encode())
    return (did, made_at, 1, f" {decision} ", f" {ruleset_id} ", f" {sha} ", engine, entries)


class SqliteStore(Store):
    """Writes blocks to an SQLite log, each `write` in one immediate transaction."""

    def write(self, blocks: list[Block], known: dict[str, tuple]) -> None:
        rows = [(b.key, b.made_at, b.count, b.decisions, b.rulesets, b.sha256s, b.engine,
                 b.entries) for b in blocks]
        needed = list({sha for b in blocks for sha in b.sha256s.split()})
        try:
            with _immediate(self.conn):
                # Looked up under the write lock: a purge may have removed a text this writer
                # stored before, when no decision needed it for a moment.
                present = {row[0] for row in self.conn.execute(
                    f"SELECT sha256 FROM rulesets WHERE sha256 IN ({','.join('?' * len(needed))})",
                    needed)}
                missing = [known[sha] for sha in needed if sha not in present and sha in known]
                if missing:
                    self.conn.executemany(_INSERT_RULESET, missing)
                self.conn.executemany(_INSERT_BLOCK, rows)
        except sqlite3.Error as err:
            raise LogError(f"decision log {self.log.path}: cannot write: {_describe(err)}") from None

