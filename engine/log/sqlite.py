"""The decision log: every decision made, with its facts, outputs and the rule set as it was.

An embedded SQLite database (write-ahead log, busy timeout). Decisions are stored in blocks:
the decisions one writer made together (a chunk of a batch, or the decisions of one
`decide`), each block one row holding its entries compressed. An entry is the case as it
came in and the decision as it went out (decision, peildatum, rule-set version and content
hash, outputs, notes); its id is the block's key and its place in the block
(`7f3a9c0e1b2d4f6a8c0e-17`). The text of each rule set is kept once per content hash, so a
logged decision can be explained from the rules exactly as they were, after the rule files
changed.

Storing a block costs one row, where a row per decision would cost an index entry and a
row each: a batch logs its decisions for a small part of the time it takes to make them.

Each block is written in one short transaction: two processes logging at once wait for each
other (never longer than the busy timeout) and lose nothing, and a crash or kill leaves only
whole, committed blocks.
"""

from __future__ import annotations

import contextlib
import datetime as _dt
import functools
import hashlib
import json
import os
import random
import re
import sqlite3
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..base.errors import RegelwerkError, UsageError

if TYPE_CHECKING:  # pragma: no cover
    from ..deciding.api import Result

ENV_VAR = "REGELWERK_LOG"
FILE_NAME = "decisions.sqlite"
APPLICATION_ID = 0x52575243  # "RWRC": marks the file as a regelwerk decision log
SCHEMA_VERSION = 2  # 1: a row per decision; 2: blocks of decisions
BUSY_TIMEOUT_S = 60.0
HASH_PREFIX = "sha256:"
BLOCK_ENTRIES = 500  # decisions per block at most
BLOCK_SECONDS = 1.0  # a block holds decisions made within a second of its first
COMPRESSION = 1  # Zstandard level (see pack)

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
    "INSERT INTO blocks (key, made_at, count, decisions, rulesets, sha256s, engine, entries) "
    "VALUES (?,?,?,?,?,?,?,?)")
_INSERT_RULESET = (
    "INSERT OR IGNORE INTO rulesets (sha256, ruleset_id, file, origin, text, first_seen) "
    "VALUES (?,?,?,?,?,?)")
_ID = re.compile(r"([0-9a-f]{6,})(?:-([0-9]{1,9}))?")


class LogError(RegelwerkError):
    """The decision log cannot be used: unwritable, not a regelwerk log, or damaged."""

    exit_code = 5


def default_path() -> Path:
    """The decision log when neither --log nor REGELWERK_LOG says otherwise."""
    import platformdirs

    return Path(platformdirs.user_data_dir("regelwerk", appauthor=False)) / FILE_NAME


def log_from_options(path: str | None, no_log: bool) -> DecisionLog | None:
    """--log PATH, else REGELWERK_LOG, else the default; None with --no-log."""
    if no_log:
        return None
    chosen = path or os.environ.get(ENV_VAR) or default_path()
    return DecisionLog(chosen)


# The software that computes, besides the rule text: the engine and the libraries that
# decide dates (public holidays, month arithmetic). Logged so a replay can say when the same
# rules give another outcome because one of them changed.
_COMPUTING = ("regelwerk", "holidays", "python-dateutil")


@functools.lru_cache(maxsize=1)
def software_versions() -> str:
    """The versions of the software that computes, as logged with each decision."""
    from importlib.metadata import PackageNotFoundError, version

    parts = []
    for name in _COMPUTING:
        try:
            parts.append(f"{name} {version(name)}")
        except PackageNotFoundError:  # pragma: no cover - running from a source tree
            parts.append(f"{name} ?")
    return ", ".join(parts)


def _plain(value: Any) -> Any:
    """What the JSON encoder cannot write itself: dates, and values that describe themselves."""
    if isinstance(value, _dt.date):
        return value.isoformat()
    from ..base.jsonvalues import to_json

    return to_json(value)


def _json(value: Any) -> str:
    """Compact JSON, dates as ISO text (the engine's one C encoder, built once)."""
    global _json
    from ..base.jsonvalues import json_text

    _json = json_text
    return json_text(value)


# ------------------------------------------------------------------ personal data


_encode_sorted = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"), sort_keys=True,
                                  default=_plain).encode


def hash_value(value: Any) -> str:
    """A fact logged only as a hash: the SHA-256 of its JSON form (equal values, equal hashes)."""
    return HASH_PREFIX + hashlib.sha256(_encode_sorted(value).encode("utf-8")).hexdigest()


def is_hashed(value: Any) -> bool:
    return isinstance(value, str) and value.startswith(HASH_PREFIX) and len(value) == 71


def hash_facts(case: Any, names: Iterable[str]) -> tuple[Any, list[str]]:
    """A copy of the case with each named fact (dotted name, nested or dotted keys, through
    lists) replaced by its hash; and the names that were found and hashed."""
    names = [n for n in names if _mentioned(case, n)]
    names = [n for n in names if _hash_path(case, n.split("."), apply=False)]
    if not names:  # the usual case: nothing to hash, nothing to copy
        return case, []
    data = json.loads(_json(case))  # a deep copy in plain JSON values
    done: list[str] = []
    for name in names:
        if _hash_path(data, name.split(".")):
            done.append(name)
    return data, done


def _mentioned(case: Any, name: str) -> bool:
    """Whether the case may hold the fact: a top-level key starts its dotted name."""
    if not isinstance(case, dict):
        return False
    return any(key == name or name.startswith(key + ".") or key.startswith(name + ".")
               for key in case)


def _hash_path(node: Any, parts: list[str], apply: bool = True) -> bool:
    """Hash the fact `parts` wherever it stands below `node`; whether it was found. With
    `apply` False, only whether it is there (nothing is changed)."""
    if isinstance(node, list):
        found = False
        for item in node:
            found = _hash_path(item, parts, apply) or found
            if found and not apply:
                return True
        return found
    if not isinstance(node, dict):
        return False
    found = False
    for i in range(1, len(parts) + 1):
        key = ".".join(parts[:i])
        if key not in node:
            continue
        if i == len(parts):
            if not apply:
                return True
            _hash_in(node, key)
            found = True
        else:
            found = _hash_path(node[key], parts[i:], apply) or found
            if found and not apply:
                return True
    inside = ".".join(parts) + "."
    for key in node:  # dotted keys that spell a part of the fact: {"klager.naam": ...}
        if key.startswith(inside):
            if not apply:
                return True
            _hash_in(node, key)
            found = True
    return found


def _hash_in(node: dict, key: str) -> None:
    if node[key] is not None and not is_hashed(node[key]):
        node[key] = hash_value(node[key])


# ------------------------------------------------------------------ blocks


_KEYS = random.Random()
os.register_at_fork(after_in_child=_KEYS.seed)  # a forked worker must not repeat the parent's


def new_block_key() -> str:
    """A random 80-bit block key as 20 hex digits (the generator is seeded from the system's
    randomness; no system call per key)."""
    return f"{_KEYS.getrandbits(80):020x}"


def _now() -> str:
    return _dt.datetime.now(_dt.UTC).isoformat(timespec="microseconds")


@dataclass
class Block:
    """Decisions made together, ready to be written: one row of the log."""

    key: str
    made_at: str
    count: int
    decisions: str
    rulesets: str
    sha256s: str
    engine: str
    entries: bytes  # compressed
    texts: dict  # rule-set texts by hash that the writer may not have stored yet


class BlockBuilder:
    """Collects the entries of one block; needs no connection, so a worker process can build
    blocks that the process owning the log writes.

    `hash_facts` are facts to log only as a hash besides each rule set's personal data."""

    def __init__(self, engine: str, hash_facts: Iterable[str] = ()) -> None:
        self.engine = engine
        self.hash_facts = list(hash_facts)
        # by rule-set hash: the facts to hash, and how their keys end in JSON (see _may_hold)
        self.personal: dict[str, tuple[list[str], tuple[bytes, ...]]] = {}
        self.handed: set[str] = set()  # rule-set hashes whose text went with an earlier block
        self._start()

    def _start(self) -> None:
        self.key = ""  # chosen with the first entry: a builder made before a fork is not shared
        self.made_at = ""
        self.started = 0.0
        self.lines: list[bytes] = []
        self.decisions: dict[str, None] = {}
        self.rulesets: dict[str, str] = {}  # sha256 -> rule-set id
        self.texts: dict[str, tuple] = {}

    def __len__(self) -> int:
        return len(self.lines)

    def full(self) -> bool:
        """Whether the next entry starts a new block: this one holds BLOCK_ENTRIES, or its
        first decision was made more than BLOCK_SECONDS ago."""
        lines = len(self.lines)
        return lines >= BLOCK_ENTRIES or (lines > 0 and
                                          time.monotonic() - self.started > BLOCK_SECONDS)

    def add(self, result: Result, case: Any, decided: bytes, record: bytes | None = None) -> str:
        """Add one decision: its result, the case facts, the decision as JSON (UTF-8, as
        `Result.as_json` gives it) and, when the case came as a JSON record
        `{decision, on, case}`, that record as received (UTF-8). Returns the decision id."""
        lines = self.lines
        if not lines:
            self.key = new_block_key()
            self.made_at = _now()
            self.started = time.monotonic()
        ruleset = result.ruleset
        sha = ruleset.sha256
        personal = self.personal.get(sha)
        if personal is None:
            names = list(dict.fromkeys([*ruleset.personal_data, *self.hash_facts]))
            personal = self.personal[sha] = (names, tuple(dict.fromkeys(
                (n.rsplit(".", 1)[-1] + '"').encode("utf-8") for n in names)))
        hashed: list[str] = []
        if personal[0] and (record is None or _may_hold(record, personal[1])):
            case, hashed = hash_facts(case, personal[0])
        if record is None or hashed:
            record = _json({"case": case, "hashed_facts": hashed} if hashed
                           else {"case": case}).encode("utf-8")
        lines.append(b"[%b,%b]" % (record, decided))
        self.decisions[result.decision] = None
        if sha not in self.rulesets:
            self.rulesets[sha] = ruleset.id
            if sha not in self.handed:
                self.texts[sha] = (sha, ruleset.id, ruleset.file, ruleset.origin, ruleset.text,
                                   self.made_at)
        return f"{self.key}-{len(lines)}"

    def take(self) -> Block | None:
        """The block built so far (None when empty); the next entries start a new block."""
        if not self.lines:
            return None
        block = Block(
            self.key, self.made_at, len(self.lines), _spaced(self.decisions),
            _spaced(dict.fromkeys(self.rulesets.values())), _spaced(self.rulesets), self.engine,
            pack(b"\n".join(self.lines)), self.texts)
        self.handed.update(self.texts)
        self._start()
        return block


def pack(entries: bytes) -> bytes:
    """A block's entries as stored: a Zstandard frame at level 1. It compresses the log's
    repetitive text about eighteenfold at over a gigabyte a second, four times the speed of
    zlib's fastest level (which would be a tenth of the work of a batch on its own)."""
    return _zstd().compressor.compress(entries)


def unpack(stored: bytes) -> bytes:
    return _zstd().decompressor.decompress(stored)


@functools.cache
def _zstd() -> Any:
    import types

    import zstandard

    return types.SimpleNamespace(compressor=zstandard.ZstdCompressor(level=COMPRESSION),
                                 decompressor=zstandard.ZstdDecompressor())


def _may_hold(text: bytes, tails: tuple[bytes, ...]) -> bool:
    """Whether a case's JSON text may hold one of the facts to hash: however a fact is
    spelled (nested, dotted, inside a list), its last part ends a key (`naam"`), unless the
    text escapes characters, which it then may do in a key too."""
    if b"\\" in text:
        return True
    for tail in tails:
        if tail in text:
            return True
    return False


def _spaced(names: Iterable[str]) -> str:
    return " " + " ".join(names) + " "


def read_block(key: str, made_at: str, engine: str, entries: bytes,
               place: int | None = None) -> list[Entry]:
    """The entries of a stored block; with `place`, only the entry at that place (from 1)."""
    lines = unpack(entries).decode("utf-8").split("\n")
    numbered = enumerate(lines, start=1) if place is None else [(place, lines[place - 1])]
    found = []
    for n, line in numbered:
        record, decided = json.loads(line)
        ruleset = decided["ruleset"]
        found.append(Entry(
            f"{key}-{n}", made_at, decided["decision"], decided["on"], ruleset["id"],
            ruleset["version"], ruleset["sha256"], record.get("case", {}),
            record.get("hashed_facts", []), decided["result"], decided["uitleg"], engine))
    return found


# ------------------------------------------------------------------ the log


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


@dataclass
class Entry:
    """One logged decision, as read back."""

    id: str
    made_at: str  # when the block it was made in began (its decisions are a second apart at most)
    decision: str
    peildatum: str
    ruleset_id: str
    version: str
    sha256: str
    facts: dict
    hashed_facts: list[str]
    outputs: dict
    notes: list[str]
    engine: str

    def as_dict(self) -> dict:
        return {
            "id": self.id,
            "made_at": self.made_at,
            "decision": self.decision,
            "on": self.peildatum,
            "ruleset": {"id": self.ruleset_id, "version": self.version, "sha256": self.sha256},
            "facts": self.facts,
            "hashed_facts": self.hashed_facts,
            "result": self.outputs,
            "uitleg": self.notes,
            "engine": self.engine,
        }


@dataclass
class StoredRuleSet:
    sha256: str
    ruleset_id: str
    file: str
    origin: str
    text: bytes


class DecisionLog:
    """A decision log in one SQLite file, created on first use."""

    def __init__(self, path: os.PathLike | str, *, hash_facts: Iterable[str] = ()) -> None:
        self.path = Path(path)
        self.hash_facts = list(hash_facts)  # facts logged only as a hash (besides the rule set's)

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

    def check(self) -> None:
        """Open the log once (making it if need be): LogError now rather than after deciding."""
        with self._conn():
            pass

    # -- writing
    def builder(self) -> BlockBuilder:
        """A block builder for this log (see BlockBuilder), in this process or a worker."""
        return BlockBuilder(software_versions(), self.hash_facts)

    @contextlib.contextmanager
    def writer(self, batch_size: int = 5000) -> Iterator[LogWriter]:
        """One writer for a run; commits every batch_size entries and at the end, in one
        transaction each; an exception or a kill leaves only whole committed entries."""
        conn = self.connect()
        writer = LogWriter(self, conn, batch_size)
        try:
            yield writer
            writer.flush()
        except BaseException:
            # The decisions added were made and handed out: keep them, as whole entries.
            with contextlib.suppress(LogError, sqlite3.Error):
                writer.flush()
            raise
        finally:
            conn.close()

    # -- reading
    def entries(self, **filters: Any) -> list[Entry]:
        """The logged decisions that match (see iter_entries), as a list."""
        return list(self.iter_entries(**filters))

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
        if not self.path.exists():
            raise UsageError(f"no decision {id_or_prefix!r}: there is no decision log at "
                             f"{self.path} yet")
        block, place = match.group(1), match.group(2)
        with self._conn() as conn:
            rows = conn.execute(
                "SELECT key, made_at, engine, entries, count FROM blocks "
                "WHERE key >= ? AND key < ? LIMIT 2", (block, block + "g")).fetchall()
        if not rows:
            raise UsageError(f"no decision {id_or_prefix!r} in the decision log {self.path}")
        if len(rows) > 1:
            raise UsageError(f"decision id {id_or_prefix!r} is ambiguous: give more characters")
        *stored, count = rows[0]
        if place is None:
            if count > 1:
                raise UsageError(f"decision id {id_or_prefix!r} names {count} decisions made "
                                 f"together: add -1 to -{count} for one of them")
            place = "1"
        n = int(place)
        if not 1 <= n <= count:
            raise UsageError(f"no decision {id_or_prefix!r} in the decision log {self.path} "
                             f"(its block holds {count})")
        return self._read(*stored, place=n)[0]

    def _read(self, key: str, *stored: Any, place: int | None = None) -> list[Entry]:
        """The entries of a block as read_block gives them; LogError if it is damaged."""
        try:
            return read_block(key, *stored, place=place)
        except Exception as err:  # noqa: BLE001 - whatever a damaged block makes the readers raise
            detail = " ".join(str(err).split()) or type(err).__name__
            raise LogError(f"decision log {self.path}: the block of decisions {key} is damaged "
                           f"({detail})") from None

    def ruleset_text(self, sha256: str) -> StoredRuleSet:
        with self._conn() as conn:
            row = conn.execute("SELECT sha256, ruleset_id, file, origin, text FROM rulesets "
                               "WHERE sha256 = ?", (sha256,)).fetchone()
        if row is None:
            raise LogError(f"decision log {self.path}: the rule set with hash {sha256[:16]}… "
                           "is missing from the log")
        return StoredRuleSet(row[0], row[1], row[2], row[3], bytes(row[4]))

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
    decided = (f'{{"decision":{_json(decision)},"on":{_json(on)},"ruleset":'
               f'{{"id":{_json(ruleset_id)},"version":{_json(version)},"sha256":{_json(sha)}}},'
               f'"result":{outputs},"uitleg":{notes}}}')
    entries = pack(f"[{record},{decided}]".encode("utf-8"))
    return (did, made_at, 1, f" {decision} ", f" {ruleset_id} ", f" {sha} ", engine, entries)


class LogWriter:
    """Adds decisions to the log, a block at a time; the blocks are written in transactions
    of batch_size decisions or more. Blocks built in other processes (see
    DecisionLog.builder) are written with `write`."""

    def __init__(self, log: DecisionLog, conn: sqlite3.Connection, batch_size: int) -> None:
        self.log = log
        self.conn = conn
        self.batch_size = max(1, int(batch_size))
        self.blocks: list[Block] = []
        self.pending = 0  # decisions in self.blocks and the builder
        self.stored: set[str] = set()  # rule-set hashes written
        self.builder = log.builder()
        self.written = 0

    def add(self, result: Result, case: dict) -> str:
        """Log one decision made; returns its decision id."""
        if self.builder.full():
            self.blocks.append(self.builder.take())
        decision_id = self.builder.add(result, case, result.as_json().encode("utf-8"))
        self.pending += 1
        if self.pending >= self.batch_size:
            self.flush()
        return decision_id

    def write(self, block: Block) -> None:
        """Write a block built elsewhere now, in a transaction of its own."""
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
        texts = {sha: row for block in self.blocks for sha, row in block.texts.items()
                 if sha not in self.stored}
        rows = [(b.key, b.made_at, b.count, b.decisions, b.rulesets, b.sha256s, b.engine,
                 b.entries) for b in self.blocks]
        try:
            with _immediate(self.conn):
                if texts:
                    self.conn.executemany(_INSERT_RULESET, list(texts.values()))
                self.conn.executemany(_INSERT_BLOCK, rows)
        except sqlite3.Error as err:
            raise LogError(f"decision log {self.log.path}: cannot write: {_describe(err)}") from None
        self.written += self.pending
        self.stored.update(texts)
        self.blocks.clear()
        self.pending = 0
