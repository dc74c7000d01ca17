"""Blocks of decisions: what one writer decided together, built without a connection.

A block is the unit every backend stores: a random key, the time its first decision was made,
and its entries, JSON Lines compressed with Zstandard, one `[case record, decision]` array per
decision. An entry's id is the block's key and its place in the block
(`7f3a9c0e1b2d4f6a8c0e-17`). A worker process builds blocks; the process that owns the log
writes them, so deciding never waits for a database.
"""

from __future__ import annotations

import datetime as _dt
import functools
import json
import os
import random
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ..base.jsonvalues import json_text
from .entry import Entry
from .personal import _may_hold, hash_facts

if TYPE_CHECKING:  # pragma: no cover
    from ..deciding.api import Result

BLOCK_ENTRIES = 500  # decisions per block at most
BLOCK_SECONDS = 1.0  # a block holds decisions made within a second of its first
COMPRESSION = 1  # Zstandard level (see pack)




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

    def __init__(self, engine: str, hash_facts: Iterable[str] = (),
                 keys: Iterator[str] | None = None) -> None:
        self.engine = engine
        self.keys = keys  # block keys to use, in turn (default: random ones)
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
            self.key = new_block_key() if self.keys is None else next(self.keys)
            self.made_at = _now()
            self.started = time.monotonic()
        ruleset = result.ruleset
        sha = ruleset.sha256
        personal = self.personal.get(sha)
        if personal is None:
            names = list(dict.fromkeys([*ruleset.personal_data, *self.hash_facts]))
            personal = self.personal[sha] = (names, tuple(dict.fromkeys(
                (n.rsplit(".", 1)[-1] + '"').encode("utf-8") for n in names)))
        if record is None:  # the text as `json_text({"case": case})` writes it
            record = b'{"case":%b}' % json_text(case).encode("utf-8")
        # a case whose text names none of the facts to hash (the usual one) is not walked
        if personal[0] and _may_hold(record, personal[1]):
            case, hashed = hash_facts(case, personal[0])
            if hashed:
                record = json_text({"case": case, "hashed_facts": hashed}).encode("utf-8")
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


def _spaced(names: Iterable[str]) -> str:
    return " " + " ".join(names) + " "


def _finite_or_text(text: str) -> Any:
    """A logged number; one that is not finite (an earlier regelwerk could log 1e999 as
    Infinity) is kept as its text, so what is read back can always be written as JSON."""
    number = float(text)
    return number if number - number == 0 else text


_LOGGED = json.JSONDecoder(parse_constant=str, parse_float=_finite_or_text)


def read_block(key: str, made_at: str, engine: str, entries: bytes,
               place: int | None = None) -> list[Entry]:
    """The entries of a stored block; with `place`, only the entry at that place (from 1)."""
    lines = unpack(entries).decode("utf-8").split("\n")
    numbered = enumerate(lines, start=1) if place is None else [(place, lines[place - 1])]
    found = []
    for n, line in numbered:
        record, decided = _LOGGED.decode(line)
        ruleset = decided["ruleset"]
        found.append(Entry(
            f"{key}-{n}", made_at, decided["decision"], decided["on"], ruleset["id"],
            ruleset["version"], ruleset["sha256"], record.get("case", {}),
            record.get("hashed_facts", []), decided["result"], decided["uitleg"], engine))
    return found


def new_run_key() -> str:
    """40 random bits as 10 hex digits: the start of every block key of one distributed run."""
    return f"{_KEYS.getrandbits(40):010x}"


def partition_keys(run: str, part: int) -> Iterator[str]:
    """The block keys of one partition of a run (see `new_run_key`): the run's 10 hex digits,
    the partition's number (6) and the block's (4), 20 in all as a random key has. A partition
    decided again (a worker lost, the task retried) names its decisions the same, so the log
    keeps each decision once."""
    n = 0
    while True:
        yield f"{run}{part:06x}{n:04x}"
        n += 1
