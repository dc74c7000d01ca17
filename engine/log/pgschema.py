"""The PostgreSQL decision log's tables, and the migrations that make and upgrade them.

Each migration is a numbered step; table `schema_version` holds one row per step applied
(number, when, what). Opening a log applies the steps it lacks, in one transaction under an
advisory lock, so two servers starting at once do it once; a log whose newest step this
regelwerk does not know is refused (written by a newer release).

Tables (see README "The decision log on PostgreSQL"):
- `rulesets`: the text of every rule file a decision rests on, once per SHA-256 hash;
- `blocks`: the decisions one writer made together: `key` (the start of their ids),
  `made_at`, `count`, `engine` (software versions);
- `decisions`: a row per decision: `seq` and `place` (its block and place in it),
  `made_at`, `decision`, `peildatum`, `ruleset_id`, `version`, `sha256`, and the case as
  `jsonb`: `facts`, `hashed_facts`, `outputs`, `notes`;
- view `decision_log`: the decisions with their `id` (`key-place`) and `engine`, for queries.
"""

from __future__ import annotations

from typing import Any

from .entry import LogError

MIGRATE_LOCK = 0x52575244  # advisory lock held while the schema is made or upgraded
WRITE_LOCK = 0x52575243  # shared by writers, exclusive for purge

MIGRATIONS: list[tuple[int, str, str]] = [
    (1, "rule-set texts, blocks and a row per decision with jsonb facts and outputs", """
CREATE TABLE rulesets (
    sha256      text PRIMARY KEY,
    ruleset_id  text NOT NULL,
    file        text NOT NULL,
    origin      text NOT NULL,
    text        bytea NOT NULL,
    first_seen  timestamptz NOT NULL
);
CREATE TABLE blocks (
    seq         bigserial PRIMARY KEY,
    key         text COLLATE "C" NOT NULL UNIQUE,
    made_at     timestamptz NOT NULL,
    count       integer NOT NULL,
    engine      text NOT NULL
);
CREATE INDEX blocks_made_at ON blocks (made_at);
CREATE TABLE decisions (
    seq          bigint NOT NULL,  -- blocks.seq (no foreign key: it would cost a check a row)
    place        integer NOT NULL,
    made_at      timestamptz NOT NULL,
    decision     text NOT NULL,
    peildatum    date NOT NULL,
    ruleset_id   text NOT NULL,
    version      text NOT NULL,
    sha256       text NOT NULL,
    facts        jsonb NOT NULL,
    hashed_facts jsonb NOT NULL,
    outputs      jsonb NOT NULL,
    notes        jsonb NOT NULL,
    PRIMARY KEY (seq, place)
);
CREATE INDEX decisions_decision ON decisions (decision, made_at);
CREATE INDEX decisions_peildatum ON decisions (peildatum);
CREATE INDEX decisions_made_at ON decisions (made_at);
CREATE INDEX decisions_ruleset ON decisions (ruleset_id);
CREATE INDEX decisions_sha256 ON decisions (sha256);
CREATE VIEW decision_log AS
    SELECT b.key || '-' || d.place AS id, d.made_at, d.decision, d.peildatum, d.ruleset_id,
           d.version, d.sha256, d.facts, d.hashed_facts, d.outputs, d.notes, b.engine
    FROM decisions d JOIN blocks b USING (seq);
"""),
]

LATEST = MIGRATIONS[-1][0]
_OURS = ("rulesets", "blocks", "decisions")


def applied(conn: Any) -> int | None:
    """The newest migration applied; None when the log has no schema_version table yet."""
    import psycopg

    try:
        row = conn.execute("SELECT max(version) FROM schema_version").fetchone()
    except psycopg.errors.UndefinedTable:
        return None
    return row[0] or 0


def migrate(conn: Any, where: str) -> None:
    """Bring the log's tables to LATEST (an autocommit connection); LogError for a log of a
    newer regelwerk or a database that holds other tables of these names."""
    if applied(conn) == LATEST:
        return  # the usual case: one query, no lock
    with conn.transaction():
        conn.execute("SELECT pg_advisory_xact_lock(%s)", (MIGRATE_LOCK,))
        conn.execute("CREATE TABLE IF NOT EXISTS schema_version (version integer PRIMARY KEY, "
                     "applied_at timestamptz NOT NULL DEFAULT now(), description text NOT NULL)")
        done = conn.execute("SELECT coalesce(max(version), 0) FROM schema_version").fetchone()[0]
        if done > LATEST:
            raise LogError(f"decision log {where}: written by a newer regelwerk (log format "
                           f"{done}, this one reads {LATEST})")
        if done == 0:
            for name in _OURS:
                if conn.execute("SELECT to_regclass(%s)", (name,)).fetchone()[0] is not None:
                    raise LogError(f"decision log {where}: not a regelwerk decision log (it has "
                                   f"a table {name!r} of something else)")
        for number, description, sql in MIGRATIONS:
            if number > done:
                conn.execute(sql)
                conn.execute("INSERT INTO schema_version (version, description) VALUES (%s, %s)",
                             (number, description))
