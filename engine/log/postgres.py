"""The decision log on a PostgreSQL server (`--log postgresql://...`), with psycopg 3.

For a service on several machines: every process on every machine writes to one log. Each
block of decisions is written in one transaction (the block row, a row per decision and any
rule-set text the server lacks), so concurrent writers lose nothing and a killed writer
leaves only whole entries. Each decision is a row of its own with its facts and outputs as
`jsonb`, so an auditor can query them in SQL (see `pgschema` and the README).

Writers take a shared advisory lock per transaction and `log purge` an exclusive one: a
purge never removes a rule-set text that a write in progress relies on.
"""

from __future__ import annotations

import contextlib
import datetime as _dt
from collections.abc import Iterable, Iterator
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from .backend import LogBackend, Store
from .blocks import Block, unpack
from .entry import Entry, LogError
from .pgschema import WRITE_LOCK, migrate

CONNECT_TIMEOUT_S = 10

_INSERT_RULESET = (
    "INSERT INTO rulesets (sha256, ruleset_id, file, origin, text, first_seen) "
    "VALUES (%s, %s, %s, %s, %s, %s) ON CONFLICT (sha256) DO NOTHING")
# One statement per block: the block row, then a row per entry, read by the server from the
# entry's JSON text (`[case record, decision as printed]`), the block's JSON Lines sent as one
# text (a text array would be quoted line by line). A block whose key is there already
# (written by a partition that is being run again) adds nothing.
_INSERT_BLOCK = """
WITH b AS (
    INSERT INTO blocks (key, made_at, count, engine)
    VALUES (%(key)s, %(made_at)s, %(count)s, %(engine)s)
    ON CONFLICT (key) DO NOTHING RETURNING seq, made_at)
INSERT INTO decisions (seq, place, made_at, decision, peildatum, ruleset_id, version, sha256,
                       facts, hashed_facts, outputs, notes)
SELECT b.seq, t.n, b.made_at, e->1->>'decision', (e->1->>'on')::date,
       e->1->'ruleset'->>'id', e->1->'ruleset'->>'version', e->1->'ruleset'->>'sha256',
       coalesce(e->0->'case', '{}'), coalesce(e->0->'hashed_facts', '[]'),
       e->1->'result', coalesce(e->1->'uitleg', '[]')
FROM b, unnest(string_to_array(%(lines)s, E'\n')) WITH ORDINALITY AS t(line, n),
     LATERAL (SELECT t.line::jsonb AS e OFFSET 0) AS j  -- parsed once, not per column
"""
_ENTRY_COLUMNS = ("b.key, d.place, b.made_at, d.decision, d.peildatum, d.ruleset_id, d.version, "
                  "d.sha256, d.facts, d.hashed_facts, d.outputs, d.notes, b.engine "
                  "FROM decisions d JOIN blocks b USING (seq)")


def public_url(url: str) -> str:
    """The URL without its password, for messages."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    host = parts.netloc.rsplit("@", 1)[1]
    netloc = f"{parts.username}:***@{host}" if parts.username else host
    return urlunsplit(parts._replace(netloc=netloc))


def _message(err: Exception) -> str:
    return " ".join(str(err).split()) or type(err).__name__


def _iso(moment: _dt.datetime) -> str:
    return moment.astimezone(_dt.UTC).isoformat(timespec="microseconds")


def _midnight(day: _dt.date) -> _dt.datetime:
    return _dt.datetime.combine(day, _dt.time(), _dt.UTC)


class PostgresLog(LogBackend):
    """A decision log in a PostgreSQL database, its tables made on first use."""

    placeholder = "%s"

    def __init__(self, url: str, *, hash_facts: Iterable[str] = ()) -> None:
        super().__init__(hash_facts=hash_facts)
        self.url = url
        self.where = public_url(url)

    def connect(self) -> Any:
        """An autocommit connection (UTC), the tables made or upgraded; LogError if not."""
        try:
            import psycopg
        except ImportError:
            raise LogError(f"decision log {self.where}: a PostgreSQL log needs psycopg "
                           "(pip install 'regelwerk[postgres]')") from None
        try:
            conn = psycopg.connect(self.url, autocommit=True, connect_timeout=CONNECT_TIMEOUT_S)
        except (psycopg.Error, ValueError) as err:
            raise LogError(f"decision log {self.where}: cannot connect: {_message(err)}") from None
        try:
            conn.execute("SET TIME ZONE 'UTC'")
            migrate(conn, self.where)
        except LogError:
            conn.close()
            raise
        except psycopg.Error as err:
            conn.close()
            raise LogError(f"decision log {self.where}: {_message(err)}") from None
        return conn

    @contextlib.contextmanager
    def _conn(self) -> Iterator[Any]:
        import psycopg

        conn = self.connect()
        try:
            yield conn
        except psycopg.Error as err:
            raise LogError(f"decision log {self.where}: {_message(err)}") from None
        finally:
            conn.close()

    def open_store(self) -> PostgresStore:
        return PostgresStore(self, self.connect())

    # -- reading
    def iter_entries(self, *, decision: str | None = None, ruleset: str | None = None,
                     since: _dt.date | None = None, until: _dt.date | None = None,
                     limit: int | None = None, newest_first: bool = False) -> Iterator[Entry]:
        where, args = [], []
        for column, value in (("d.decision = %s", decision), ("d.ruleset_id = %s", ruleset),
                              ("d.made_at >= %s", since and _midnight(since)),
                              ("d.made_at < %s",
                               until and _midnight(until + _dt.timedelta(days=1)))):
            if value:
                where.append(column)
                args.append(value)
        order = " DESC" if newest_first else ""
        sql = (f"SELECT {_ENTRY_COLUMNS}" + (" WHERE " + " AND ".join(where) if where else "")
               + f" ORDER BY d.seq{order}, d.place{order}" + (" LIMIT %s" if limit else ""))
        if limit:
            args.append(limit)
        with self._conn() as conn, conn.transaction():
            cursor = conn.cursor(name="regelwerk_entries")
            cursor.itersize = 2000
            cursor.execute(sql, args)
            for row in cursor:
                yield self._entry(row)

    def _entry(self, row: tuple) -> Entry:
        (key, place, made_at, decision, peildatum, ruleset_id, version, sha, facts, hashed,
         outputs, notes, engine) = row
        return Entry(f"{key}-{place}", _iso(made_at), decision, peildatum.isoformat(),
                     ruleset_id, version, sha, facts, hashed, outputs, notes, engine)

    def blocks_starting(self, prefix: str) -> list[tuple[str, int, Any]]:
        with self._conn() as conn:
            rows = conn.execute("SELECT key, count, seq FROM blocks WHERE key >= %s AND key < %s "
                                "ORDER BY key LIMIT 2", (prefix, prefix + "g")).fetchall()
        return [(key, count, (key, seq)) for key, count, seq in rows]

    def entry_at(self, handle: Any, place: int) -> Entry:
        key, seq = handle
        with self._conn() as conn:
            row = conn.execute(f"SELECT {_ENTRY_COLUMNS} WHERE d.seq = %s AND d.place = %s",
                               (seq, place)).fetchone()
        if row is None:
            raise self.damaged(key, LookupError(f"decision {place} is missing"))
        return self._entry(row)

    def count(self) -> int:
        with self._conn() as conn:
            return conn.execute("SELECT coalesce(sum(count), 0) FROM blocks").fetchone()[0]

    # -- forgetting
    def purge(self, before: _dt.date, *, dry_run: bool = False) -> tuple[int, int]:
        import psycopg

        cutoff = _midnight(before)
        counts = (0, 0)
        with self._conn() as conn:
            with contextlib.suppress(psycopg.Rollback), conn.transaction():
                conn.execute("SELECT pg_advisory_xact_lock(%s)", (WRITE_LOCK,))
                n = conn.execute("SELECT coalesce(sum(count), 0) FROM blocks WHERE made_at < %s",
                                 (cutoff,)).fetchone()[0]
                conn.execute("DELETE FROM decisions WHERE seq IN "
                             "(SELECT seq FROM blocks WHERE made_at < %s)", (cutoff,))
                conn.execute("DELETE FROM blocks WHERE made_at < %s", (cutoff,))
                m = conn.execute("DELETE FROM rulesets r WHERE NOT EXISTS (SELECT 1 FROM "
                                 "decisions d WHERE d.sha256 = r.sha256)").rowcount
                counts = (n, m)
                if dry_run:
                    raise psycopg.Rollback()
            if not dry_run and counts[0]:
                # Free the removed rows' space for reuse at once (see README on what a server
                # still keeps: its write-ahead log and backups).
                conn.execute("VACUUM decisions, blocks, rulesets")
        return counts


class PostgresStore(Store):
    """Writes blocks to the PostgreSQL log, each `write` one transaction."""

    def write(self, blocks: list[Block], known: dict[str, tuple]) -> None:
        import psycopg

        params = [{"key": b.key, "made_at": b.made_at, "count": b.count, "engine": b.engine,
                   "lines": unpack(b.entries).decode("utf-8")} for b in blocks]
        needed = {sha for b in blocks for sha in b.sha256s.split()}
        conn = self.conn
        try:
            with conn.transaction(), conn.cursor() as cur:
                cur.execute("SELECT pg_advisory_xact_lock_shared(%s)", (WRITE_LOCK,))
                # Under the lock, no purge runs: a text present now stays until commit.
                cur.execute("SELECT sha256 FROM rulesets WHERE sha256 = ANY(%s)", (list(needed),))
                missing = needed - {row[0] for row in cur.fetchall()}
                lost = missing - known.keys()
                if lost:
                    raise LogError(f"decision log {self.log.where}: cannot write: the text of "
                                   f"rule set {min(lost)[:16]}… is not known to the writer")
                if missing:
                    cur.executemany(_INSERT_RULESET, [_text_row(known[sha]) for sha in missing])
                cur.executemany(_INSERT_BLOCK, params)
        except psycopg.Error as err:
            raise LogError(f"decision log {self.log.where}: cannot write: {_message(err)}") from None



def _text_row(row: tuple) -> tuple:
    sha, ruleset_id, file, origin, text, first_seen = row
    return (sha, ruleset_id, str(file), origin,
            text.encode("utf-8") if isinstance(text, str) else bytes(text), first_seen)
