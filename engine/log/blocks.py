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

from ..base.jsonvalues import json_bytes
from ..rulefiles.yamlsource import load_json_record
from .entry import Entry
from .personal import _may_hold, hash_facts

if TYPE_CHECKING:  # pragma: no cover
    from ..deciding.api import Result

BLOCK_ENTRIES = 500  # decisions per block at most
BLOCK_SECONDS = 1.0  # a block holds decisions made within a second of its first
COMPRESSION = 1  # Zstandard level (see pack)




_KEYS = random.Random()
os.register_at_fork(after_in_child=_KEYS.seed)  # a forked worker must not repeat the parent's


_monotonic = time.monotonic


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

    `hash_facts` are facts to log only as a hash besides each rule set's personal data.

    Deciding is fast, so logging must be too: an entry is kept as the pieces of its line
    (`[`, case record, `,`, decision, `]`), joined once when the block is taken, and a
    batch line gets its log id from `log_line` in the same call that adds it."""

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
        self.count = 0
        self.parts: list[bytes] = []  # five pieces per entry: `[`, record, `,`, decided, `]\n`
        # records not yet probed for facts to hash, as their place in parts and their rule
        # set's `personal`, in turn: a batch's records are probed together (see `_probe`)
        self.unprobed: list[Any] = []
        self.decisions: dict[str, None] = {}
        self.seen: dict[str, tuple[Any, tuple]] = {}  # by decision id, see _seen
        self.rulesets: dict[str, str] = {}  # sha256 -> rule-set id
        self.texts: dict[str, tuple] = {}
        self.id_prefix = b""  # `,"log_id":"KEY-` as a batch line ends

    def _open(self) -> None:
        """Begin the block with its first entry: its key, and when it was begun."""
        self.key = new_block_key() if self.keys is None else next(self.keys)
        self.made_at = _now()
        self.started = _monotonic()
        self.id_prefix = b',"log_id":"%b-' % self.key.encode("ascii")

    def __len__(self) -> int:
        return self.count

    def _entry(self, result: Result, blocks: list) -> tuple[list[str], tuple[bytes, ...]]:
        """Make room for the next entry: begin the block with its first one, or move the
        block to `blocks` and begin the next when it holds BLOCK_ENTRIES or its first
        decision was made more than BLOCK_SECONDS ago. Returns the facts to hash of the
        entry's rule set, with how their keys end in JSON (see `_seen`)."""
        count = self.count
        if not count:
            self._open()
        elif count >= BLOCK_ENTRIES or _monotonic() - self.started > BLOCK_SECONDS:
            blocks.append(self.take())
            self._open()
        seen = self.seen.get(result.decision)
        if seen is None or seen[0] is not result.ruleset:
            seen = self._seen(result.decision, result.ruleset)
        return seen[1]

    def add(self, result: Result, case: Any, blocks: list) -> str:
        """Add one decision made through the Python API (`LogWriter.add`), in one call: the
        decision as a batch stores it (`Result.json_opened_bytes`) and the case as the
        record `{"case": ...}` that `json_text` writes (straight as bytes by msgspec for a
        plain case, see `jsonvalues.json_bytes`), both encoded before anything is added, so a
        case that cannot be written as JSON adds nothing; the block moved to `blocks` first
        when it is full (see `_entry`); the facts to hash hashed. Returns the decision id."""
        decided = result.json_opened_bytes()  # its closing brace ends the entry
        text = json_bytes(case)
        names, tails = self._entry(result, blocks)
        # a case whose text names none of the facts to hash (the usual one) is not walked,
        # and its text goes into the entry without being copied into a record first
        if names and _may_hold(text, tails):
            self.parts += (b"[", _hashed(case, names, b'{"case":%b}' % text), b",", decided,
                           b"}]\n")
        else:
            self.parts += (b'[{"case":', text, b"},", decided, b"}]\n")
        self.count = count = self.count + 1
        return f"{self.key}-{count}"

    def log_line(self, result: Result, case: Any, opened: bytes, record: bytes | None,
                 blocks: list) -> tuple[bytes, bytes, bytes]:
        """A batch line logged: the block moved to `blocks` first when it is full (see
        `_entry`), the decision added (see `add`; its record is probed for facts to hash
        when the block is taken), and the pieces of the decision's line as printed, which
        ends with its `log_id`. `opened` is the decision as JSON without its closing brace
        (`Result.json_opened_bytes`): the line and the log take it as it is, no copy is
        made."""
        personal = self._entry(result, blocks)
        if record is None:  # the text as `json_text({"case": case})` writes it
            record = b'{"case":%b}' % json_bytes(case)
        parts = self.parts
        if personal[0]:  # facts to hash
            self.unprobed += (len(parts) + 1, personal)
        parts += (b"[", record, b",", opened, b"}]\n")
        self.count = count = self.count + 1
        return opened, self.id_prefix, _PLACES[count] if count < _MAX_PLACE else b'%d"}' % count

    def _seen(self, decision: str, ruleset: Any) -> tuple[Any, tuple]:
        """The block's first entry of a decision (of this rule set): the decision and the
        rule set are named in the block, the rule set's text goes with it (unless it went
        with an earlier block). Returns what the next entries of the decision look up:
        the rule set, and its facts to hash with how their keys end in JSON."""
        sha = ruleset.sha256
        personal = self.personal.get(sha)
        if personal is None:
            names = list(dict.fromkeys([*ruleset.personal_data, *self.hash_facts]))
            personal = self.personal[sha] = (names, tuple(dict.fromkeys(
                (n.rsplit(".", 1)[-1] + '"').encode("utf-8") for n in names)))
        self.decisions[decision] = None
        if sha not in self.rulesets:
            self.rulesets[sha] = ruleset.id
            if sha not in self.handed:
                self.texts[sha] = (sha, ruleset.id, ruleset.file, ruleset.origin, ruleset.text,
                                   self.made_at)
        seen = self.seen[decision] = (ruleset, personal)
        return seen

    def take(self) -> Block | None:
        """The block built so far (None when empty); the next entries start a new block."""
        if not self.count:
            return None
        parts = self.parts
        if self.unprobed:
            self._probe()
        # entries are lines: a newline between them, none after the last
        parts[-1] = parts[-1][:-1]
        block = Block(
            self.key, self.made_at, self.count, _spaced(self.decisions),
            _spaced(dict.fromkeys(self.rulesets.values())), _spaced(self.rulesets), self.engine,
            pack(b"".join(parts)), self.texts)
        self.handed.update(self.texts)
        self._start()
        return block

    def _probe(self) -> None:
        """Hash the personal facts of the records of a batch (see `log_line`). They are
        probed together first: when their text, joined, names none of the facts to hash of
        any of their rule sets (the usual block), none of them does."""
        parts, unprobed = self.parts, self.unprobed
        places, personals = unprobed[::2], unprobed[1::2]
        kinds = {id(personal): personal[1] for personal in personals}
        tails = tuple(dict.fromkeys(tail for ends in kinds.values() for tail in ends))
        if _may_hold(b"\n".join([parts[place] for place in places]), tails):
            for place, (names, ends) in zip(places, personals):
                record = parts[place]
                if _may_hold(record, ends):
                    # the case as it was read from this text (a CSV row's typed facts are
                    # written as JSON values, which read back as the same values)
                    case = load_json_record(record).get("case", {})
                    parts[place] = _hashed(case, names, record)
        self.unprobed = []


def _hashed(case: Any, names: list[str], record: bytes) -> bytes:
    """A case record with the named facts hashed (see `personal.hash_facts`); the record as
    it is when the case holds none of them. Called only for a record whose text may name
    one of them (see `_may_hold`): the usual case is not walked."""
    case, hashed = hash_facts(case, names)
    if hashed:
        # the case hashed is a copy in plain JSON values: msgspec writes json_text's bytes
        return json_bytes({"case": case, "hashed_facts": hashed})
    return record


# how a batch line ends after its block key: the place in the block and the closing brace
_PLACES = [b'%d"}' % n for n in range(BLOCK_ENTRIES + 1)]
_MAX_PLACE = len(_PLACES)


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
