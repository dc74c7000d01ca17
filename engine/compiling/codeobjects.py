"""The code objects of generated functions, kept in the cache between starts.

Every start compiles the same rule files into the same generated source (the names of
temporaries are numbered in the order the compiler meets them, and that order is fixed by
the rule files and the engine), and Python's `compile()` of that source cost about 5 ms of
a start of about 100 (150 functions for the installed rule sets). So the code objects are
kept: `compiled(text, filename)` looks a source up by its file name and text (the very
text, not a hash of it) and compiles only what it does not find; a source met twice in one
process is compiled once.

One entry per start, not one per function: the entry is named by the first source a
process compiles (with the cache folder's settings), holds the code objects of every source
that process compiled, by their source, and is read once, with the first lookup. A process
that had to compile something writes the entry again when it exits (marshal, in
base/cache.py's format: a header naming the subject and the payload's hash). A forked
worker does not write it.

Why a cached code object cannot change a decision:
- the key is the very text compiled, so a change to the generator (a new engine) gives new
  text and a miss; nothing else decides what `compile()` makes but the Python that runs it,
  its optimisation level and the flags, all of which are in the entry's subject, so an
  entry made by another Python is a miss;
- each function is still made by `exec` of the code in a namespace of its own, as before:
  only the compiling is skipped, so a function's globals are its own (coverage swaps them);
- anything wrong with the entry (missing, damaged, truncated, another subject, not ours in
  the sense of base/cache.py) is a miss, and a miss compiles as without a cache;
  `REGELWERK_NO_CACHE=1` compiles everything, and failing to write is ignored.

Code objects are code: the entry is trusted as Python trusts its own `__pycache__` files,
and only from a cache folder as private as the user's files (see base/cache.py).
"""

from __future__ import annotations
import __future__

import atexit
import hashlib
import marshal
import os
import sys
from importlib.util import MAGIC_NUMBER
from types import CodeType
from typing import TYPE_CHECKING

from ..base import cache

if TYPE_CHECKING:
    from pathlib import Path

# What `compile()` inherited in the modules that generated code before: their future
# import. Given explicitly, so the same flags hold whichever module calls it.
_FLAGS = __future__.annotations.compiler_flag
# What besides the source decides the code object made.
_PYTHON = f"{MAGIC_NUMBER.hex()} {sys.version} opt={sys.flags.optimize} flags={_FLAGS}"
# At most this many code objects remembered per cache folder and process, and kept in an
# entry: a process building engines again and again (tests, a server reloading rules) must
# neither keep every one alive nor make the next start read them all. A start needs the
# functions of its rule sets: a few hundred for the installed ones.
MAX_CODES = 4096
MAX_STORES = 8


def compiled(text: str, filename: str) -> CodeType:
    """What `compile(text, filename, "exec")` gives, from the cache when it has it."""
    env = os.environ
    setting = (env.get("REGELWERK_NO_CACHE"), env.get("REGELWERK_CACHE_DIR"),
               env.get("XDG_CACHE_HOME"), env.get("HOME"))
    store = _stores.get(setting)
    if store is None and setting[0]:
        return compile(text, filename, "exec", _FLAGS, True)
    key = f"{filename}\n{text}"
    if store is None:
        if len(_stores) >= MAX_STORES:  # cache folders changed again and again (tests)
            _stores.pop(next(iter(_stores))).save()
        store = _stores[setting] = _Store(key)
    return store.code(key, text, filename)


class _Store:
    """The code objects of one cache folder: those read from its entry, those made since."""

    def __init__(self, first: str) -> None:
        named = hashlib.sha256(first.encode("utf-8", "surrogatepass")).hexdigest()
        self.subject = f"code {_PYTHON} {named}"
        self.place = cache.code_place(self.subject)
        self.kept = _load(self.place, self.subject)
        self.used: dict[str, CodeType] = {}
        self.missed = False
        self.pid = os.getpid()
        _save_at_exit()

    def code(self, key: str, text: str, filename: str) -> CodeType:
        found = self.used.get(key) or self.kept.get(key)
        if found is None:
            found = compile(text, filename, "exec", _FLAGS, True)
            self.missed = True
        if len(self.used) < MAX_CODES:
            self.used[key] = found
        return found

    def save(self) -> None:
        """Write the entry again when this process compiled something: what it used, and
        of what was kept before as much again (other commands' code), no more."""
        if not self.missed or self.place is None or self.pid != os.getpid():
            return
        codes = dict(self.used)
        room = min(max(2 * len(codes), 256), MAX_CODES)
        for key, code in self.kept.items():
            if len(codes) >= room:
                break
            codes.setdefault(key, code)
        try:
            payload = marshal.dumps(codes)
        except ValueError:
            return
        cache.store_code(self.place, self.subject, payload)
        self.kept, self.missed = codes, False


_stores: dict[tuple, _Store] = {}
_registered = False


def _load(place: Path | None, subject: str) -> dict[str, CodeType]:
    """The code objects of an entry by their source (file name, newline, text); empty on a
    miss or anything not of that shape."""
    payload = cache.load_code(place, subject)
    if payload is None:
        return {}
    try:
        codes = marshal.loads(payload)
    except (EOFError, ValueError, TypeError):
        return {}
    if type(codes) is not dict or not all(
            type(k) is str and type(v) is CodeType for k, v in codes.items()):
        return {}
    return codes


def _save_at_exit() -> None:
    global _registered
    if not _registered:
        _registered = True
        atexit.register(save_all)


def save_all() -> None:
    """Write the entries of this process that miss code objects it made (at exit; tests
    call it). Never raises: the cache is an aid."""
    for store in list(_stores.values()):
        try:
            store.save()
        except Exception:  # noqa: BLE001, S110 - writing the cache must not fail a command
            pass
