"""The decision log: every decision made, with its facts, outputs and the rule set as it was.

An embedded SQLite database (write-ahead log, busy timeout, one transaction per batch).
Each entry records the decision id, when it was made, the decision, the peildatum, the
facts, the outputs and notes, and the version and content hash of the rule set that
decided. The text of each rule set is kept once per content hash, so a logged decision
can be explained from the rules exactly as they were, after the rule files changed.

Writers buffer entries in memory and write them in one short transaction per batch: two
processes logging at once wait for each other (never longer than the busy timeout) and
lose nothing, and a crash or kill leaves only whole, committed entries.
"""

from __future__ import annotations

import contextlib
import datetime as _dt
import functools
import hashlib
import json
import os
import random
import sqlite3
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .errors import RegelwerkError, UsageError

if TYPE_CHECKING:  # pragma: no cover
    from .api import Result

ENV_VAR = "REGELWERK_LOG"
FILE_NAME = "decisions.sqlite"
APPLICATION_ID = 0x52575243  # "RWRC": marks the file as a regelwerk decision log
SCHEMA_VERSION = 1
BUSY_TIMEOUT_S = 60.0
HASH_PREFIX = "sha256:"

_SCHEMA = """
CREATE TABLE IF NOT EXISTS rulesets (
    sha256      TEXT PRIMARY KEY,
    ruleset_id  TEXT NOT NULL,
    file        TEXT NOT NULL,
    origin      TEXT NOT NULL,
    text        BLOB NOT NULL,
    first_seen  TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS decisions (
    seq          INTEGER PRIMARY KEY AUTOINCREMENT,
    id           TEXT NOT NULL UNIQUE,
    made_at      TEXT NOT NULL,
    decision     TEXT NOT NULL,
    peildatum    TEXT NOT NULL,
    ruleset_id   TEXT NOT NULL,
    version      TEXT NOT NULL,
    sha256       TEXT NOT NULL REFERENCES rulesets(sha256),
    facts        TEXT NOT NULL,
    hashed_facts TEXT NOT NULL,
    outputs      TEXT NOT NULL,
    notes        TEXT NOT NULL,
    engine       TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS decisions_made_at ON decisions(made_at);
CREATE INDEX IF NOT EXISTS decisions_decision ON decisions(decision);
"""

_INSERT_DECISION = (
    "INSERT INTO decisions (id, made_at, decision, peildatum, ruleset_id, version, sha256, "
    "facts, hashed_facts, outputs, notes, engine) VALUES (?,?,?,?,?,?,?,?,?,?,?,?)")
_INSERT_RULESET = (
    "INSERT OR IGNORE INTO rulesets (sha256, ruleset_id, file, origin, text, first_seen) "
    "VALUES (?,?,?,?,?,?)")


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
    from .api import to_json

    return to_json(value)


_encode = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"), default=_plain).encode


def _json(value: Any) -> str:
    """Compact JSON, dates as ISO text (the engine's one C encoder, built once)."""
    global _json
    from .api import json_text

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
    data = json.loads(_encode(case))  # a deep copy in plain JSON values
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


# ------------------------------------------------------------------ the log


_IDS = random.Random()
os.register_at_fork(after_in_child=_IDS.seed)  # a forked worker must not repeat the parent's


def new_decision_id() -> str:
    """A random 128-bit decision id as 32 hex digits, like a version-4 UUID's hex but without
    a system call per id (the generator is seeded from the system's randomness)."""
    return f"{_IDS.getrandbits(128):032x}"



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
    import time

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
    made_at: str
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


_COLUMNS = ("id, made_at, decision, peildatum, ruleset_id, version, sha256, facts, "
            "hashed_facts, outputs, notes, engine")


def _entry(row: tuple) -> Entry:
    return Entry(row[0], row[1], row[2], row[3], row[4], row[5], row[6], json.loads(row[7]),
                 json.loads(row[8]), json.loads(row[9]), json.loads(row[10]), row[11])


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

    def _create(self, conn: sqlite3.Connection) -> None:
        """Make the tables of a new log, under the write lock; refuse a database of another kind."""
        _retry(lambda: conn.execute("BEGIN IMMEDIATE"))
        try:
            # Looked at again under the lock: another process may have made the log meanwhile.
            app = conn.execute("PRAGMA application_id").fetchone()[0]
            if app != APPLICATION_ID:
                tables = conn.execute("SELECT count(*) FROM sqlite_master").fetchone()[0]
                if app != 0 or tables:
                    raise LogError(f"decision log {self.path}: not a regelwerk decision log "
                                   "(an SQLite database of something else)")
                for statement in _SCHEMA.split(";"):
                    if statement.strip():
                        conn.execute(statement)
                conn.execute(f"PRAGMA application_id = {APPLICATION_ID}")
                conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
            conn.execute("COMMIT")
        except BaseException:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            raise

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
            where.append("decision = ?")
            args.append(decision)
        if ruleset:
            where.append("ruleset_id = ?")
            args.append(ruleset)
        if since:
            where.append("made_at >= ?")
            args.append(since.isoformat())
        if until:
            where.append("made_at < ?")
            args.append((until + _dt.timedelta(days=1)).isoformat())
        if not self.path.exists():  # reading never makes a log
            return
        sql = f"SELECT {_COLUMNS} FROM decisions"
        if where:
            sql += " WHERE " + " AND ".join(where)
        sql += " ORDER BY seq" + (" DESC" if newest_first else "")
        if limit:
            sql += f" LIMIT {int(limit)}"
        with self._conn() as conn:
            for row in conn.execute(sql, args):
                yield _entry(row)

    def get(self, id_or_prefix: str) -> Entry:
        """One entry by its id or an unambiguous start of it (at least 6 characters)."""
        key = id_or_prefix.strip().lower()
        if len(key) < 6:
            raise UsageError(f"decision id {id_or_prefix!r}: give at least 6 characters")
        if not self.path.exists():
            raise UsageError(f"no decision {id_or_prefix!r}: there is no decision log at "
                             f"{self.path} yet")
        with self._conn() as conn:
            rows = conn.execute(
                f"SELECT {_COLUMNS} FROM decisions WHERE id >= ? AND id < ? LIMIT 2",
                (key, key + "\uffff")).fetchall()
        if not rows:
            raise UsageError(f"no decision {id_or_prefix!r} in the decision log {self.path}")
        if len(rows) > 1:
            raise UsageError(f"decision id {id_or_prefix!r} is ambiguous: give more characters")
        return _entry(rows[0])

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
            return conn.execute("SELECT count(*) FROM decisions").fetchone()[0]

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
                n = conn.execute("SELECT count(*) FROM decisions WHERE made_at < ?",
                                 (cutoff,)).fetchone()[0]
                conn.execute("DELETE FROM decisions WHERE made_at < ?", (cutoff,))
                orphans = ("FROM rulesets WHERE sha256 NOT IN "
                           "(SELECT DISTINCT sha256 FROM decisions)")
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


class LogWriter:
    """Adds decisions to the log; entries are written in batches, each in one transaction.

    Entries may also be built by a writer without a connection (in a worker process) and
    handed to the writer that owns the log: `rows` (entries not yet written, as table
    rows), `rulesets` (rule-set texts not yet written, by hash) and `stored` (hashes
    already written) are that hand-over; keep their shape."""

    def __init__(self, log: DecisionLog, conn: sqlite3.Connection, batch_size: int) -> None:
        self.log = log
        self.conn = conn
        self.batch_size = max(1, int(batch_size))
        self.rows: list[tuple] = []
        self.rulesets: dict[str, tuple] = {}
        self.stored: set[str] = set()
        self.engine = software_versions()
        self.written = 0

    def add(self, result: Result, case: dict) -> str:
        """Log one decision made; returns its decision id."""
        ruleset = result.ruleset
        decision_id = new_decision_id()
        names = list(dict.fromkeys([*ruleset.personal_data, *self.log.hash_facts]))
        if names:
            facts, hashed = hash_facts(case, names)
        else:
            facts, hashed = case, []
        now = _dt.datetime.now(_dt.UTC).isoformat(timespec="microseconds")
        self.rows.append((
            decision_id, now, result.decision, result.on.isoformat(), ruleset.id,
            result.version.name, ruleset.sha256, _json(facts), _json(hashed) if hashed else "[]",
            *result.json_parts(), self.engine,
        ))
        if ruleset.sha256 not in self.stored and ruleset.sha256 not in self.rulesets:
            self.rulesets[ruleset.sha256] = (ruleset.sha256, ruleset.id, ruleset.file,
                                             ruleset.origin, ruleset.text, now)
        if len(self.rows) >= self.batch_size:
            self.flush()
        return decision_id

    def flush(self) -> None:
        """Write the buffered entries in one transaction (all of them or none)."""
        if not self.rows:
            return
        conn = self.conn
        try:
            conn.execute("BEGIN IMMEDIATE")
            try:
                conn.executemany(_INSERT_RULESET, list(self.rulesets.values()))
                conn.executemany(_INSERT_DECISION, self.rows)
                conn.execute("COMMIT")
            except BaseException:
                if conn.in_transaction:
                    conn.execute("ROLLBACK")
                raise
        except sqlite3.Error as err:
            raise LogError(f"decision log {self.log.path}: cannot write: {_describe(err)}") from None
        self.written += len(self.rows)
        self.stored.update(self.rulesets)
        self.rulesets.clear()
        self.rows.clear()
