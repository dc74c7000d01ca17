"""The decision log: every decision made, with its facts, outputs and the rule set as it was.

Which log: `--log`, else `REGELWERK_LOG`, else an SQLite file in the user data folder. A
`postgresql://` (or `postgres://`) URL chooses the PostgreSQL backend (`postgres`), anything
else is the path of an SQLite file (`sqlite`). Both give the one interface of
`backend.LogBackend`; another kind of store is a third subclass of it.

This module also keeps the names earlier versions offered here (`DecisionLog`, `LogError`,
`Entry`, the personal-data helpers), so code that imported them goes on working.
"""

from __future__ import annotations

import os
from pathlib import Path

from .backend import LogBackend, LogWriter
from .blocks import BLOCK_ENTRIES, BLOCK_SECONDS, Block, BlockBuilder, new_block_key, read_block
from .entry import Entry, LogError, StoredRuleSet, software_versions
from .personal import HASH_PREFIX, hash_facts, hash_value, is_hashed
from .sqlite import FILE_NAME, DecisionLog

__all__ = [
    "BLOCK_ENTRIES", "BLOCK_SECONDS", "ENV_VAR", "FILE_NAME", "HASH_PREFIX", "Block",
    "BlockBuilder", "DecisionLog", "Entry", "LogBackend", "LogError", "LogWriter",
    "StoredRuleSet", "default_path", "hash_facts", "hash_value", "is_hashed",
    "log_from_options", "new_block_key", "open_log", "read_block", "software_versions",
]

ENV_VAR = "REGELWERK_LOG"
POSTGRES_SCHEMES = ("postgresql://", "postgres://")


def default_path() -> Path:
    """The decision log when neither --log nor REGELWERK_LOG says otherwise."""
    import platformdirs

    return Path(platformdirs.user_data_dir("regelwerk", appauthor=False)) / FILE_NAME


def open_log(location: os.PathLike | str, *, hash_facts: list[str] | None = None) -> LogBackend:
    """The decision log at a location: a PostgreSQL URL or the path of an SQLite file."""
    text = str(location)
    facts = list(hash_facts or ())
    if text.lower().startswith(POSTGRES_SCHEMES):
        from .postgres import PostgresLog

        return PostgresLog(text, hash_facts=facts)
    return DecisionLog(location, hash_facts=facts)


def log_from_options(path: str | None, no_log: bool) -> LogBackend | None:
    """--log PATH or URL, else REGELWERK_LOG, else the default; None with --no-log."""
    if no_log:
        return None
    chosen = path or os.environ.get(ENV_VAR) or default_path()
    return open_log(chosen)
