"""A cache of rule files already read and validated, bound to their content; never trusted
to decide.

Reading YAML and checking it against the JSON Schema is most of the cost of starting
regelwerk. A rule file that passed both is stored as plain data with the place of every
value; the next start with the same bytes skips both steps and only compiles, which is
fast. A file with problems is never stored, so every message is still produced from the
file itself.

Other data that is the same at every start and costly to make is kept beside them, keyed
by what makes it (`load_data`, `store_data`): the public holidays of a calendar's year,
which otherwise cost every process the import of the `holidays` package. And the code
objects of the functions generated from the rule files (`load_code`, `store_code`; see
compiling/codeobjects.py), so a start does not compile them again.

The cache lives in `$REGELWERK_CACHE_DIR`, else `$XDG_CACHE_HOME/regelwerk`, else
`~/.cache/regelwerk`; `REGELWERK_NO_CACHE=1` turns it off.

What an entry is, and why it cannot change a decision
------------------------------------------------------
An entry is one file: a header line of JSON, then the payload, JSON too. The header names
what the entry is about (`subject`: the SHA-256 of the rule file's bytes, or the full key
of the data), what made it (`engine`: regelwerk's version, the schema and the reading
code) and the SHA-256 and size of the payload. An entry is used only when all of these
match what the reader expects and the payload's hash is right; anything else (another
file's entry, another version's, a truncated, edited or damaged one) is a miss: the data
is built again from the rule file (or by the `holidays` package) and the entry rewritten.
The rule file's bytes are read anyway (their hash is the key, and is what the decision
log records), so an entry is always bound to the very text that is in force.

JSON cannot carry objects, so reading an entry never creates one or runs code. The one
exception is the entries of code objects (payload: marshal data, not JSON): code is run,
so those are trusted as Python trusts its own `__pycache__` files, with the same checks
as every entry (the header, the hashes, the privacy below) and looked up by the very
source they were compiled from. Only a regular file is opened (without
following a link, without blocking on a pipe), and only up to `MAX_ENTRY_BYTES`; JSON
nested too deeply is a miss. Reading never raises and never waits: every failure is a
miss.

Threat model: the hashes catch damage, a half-written file, a stale entry and an entry
edited by hand (a parameter changed from 7 to 1, a holiday added). They do not stop a
deliberate attacker who can write the cache folder: such a person can compute a valid
hash for a forged entry. So the cache folder must be as private as the user's own files:
it is created for its owner only, and a folder or entry owned by another user, or that
another user may write, is not used. Whoever can write as the user can also change the
installed code or the rule files themselves, so the cache gives them nothing new. Audits
that want no cache at all set `REGELWERK_NO_CACHE=1`.
"""

from __future__ import annotations

import datetime as _dt
import hashlib
import json
import os
import stat
from pathlib import Path
from typing import Any

from .located import Located

FORMAT = 2
MAX_ENTRY_BYTES = 32 * 1024 * 1024  # a rule file is at most 2 MB; its entry a few times that
_ENGINE = Path(__file__).resolve().parent.parent
# The code whose output is cached: a change to any of these makes every entry stale.
_READERS = ("rulefiles/yamlsource.py", "rulefiles/schema.py", "base/cache.py")
_SUFFIX = ".json"


def cache_dir() -> Path | None:
    """Where entries live, or None when the cache is turned off."""
    if os.environ.get("REGELWERK_NO_CACHE"):
        return None
    explicit = os.environ.get("REGELWERK_CACHE_DIR")
    if explicit:
        return Path(explicit)
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "regelwerk"


_salt: str | None = None


def _code_salt() -> str:
    """What besides the file decides the cached data: regelwerk's version, the schema and
    the reading code."""
    global _salt
    if _salt is None:
        import regelwerk

        h = hashlib.sha256(f"regelwerk-rule-cache {FORMAT} {regelwerk.__version__}".encode())
        try:
            h.update((_ENGINE.parent / "schemas").joinpath("ruleset.schema.json").read_bytes())
        except OSError:
            from importlib import resources

            h.update(resources.files("regelwerk.schemas").joinpath(
                "ruleset.schema.json").read_bytes())
        for name in _READERS:
            try:
                st = os.stat(_ENGINE / name)
                h.update(f"{name}:{st.st_size}:{st.st_mtime_ns}".encode())
            except OSError:
                h.update(name.encode())
        _salt = h.hexdigest()
    return _salt


# ------------------------------------------------------------------ rule files


def load(sha256: str, name: str) -> Located | None:
    """The cached document of a file with this content, shown as `name`; None on a miss."""
    payload = _read(_place("rules", sha256), sha256)
    if not isinstance(payload, dict):
        return None
    try:
        return _located(payload, name)
    except (TypeError, ValueError, KeyError, IndexError, AttributeError, RecursionError):
        return None


def store(sha256: str, located: Any) -> None:
    """Keep a validated document for the next start; failing to write is not an error."""
    try:
        payload = _plain(located)
    except (TypeError, ValueError, RecursionError):
        return
    _write(_place("rules", sha256), sha256, payload)


def _plain(located: Any) -> dict:
    """A document as JSON-ready data: dates as text, with the paths that hold them."""
    dates: list[list] = []

    def walk(value: Any, path: tuple) -> Any:
        if isinstance(value, dict):
            return {k: walk(v, (*path, k)) for k, v in value.items()}
        if isinstance(value, list):
            return [walk(v, (*path, i)) for i, v in enumerate(value)]
        if type(value) is _dt.date:
            dates.append(list(path))
            return value.isoformat()
        if value is None or type(value) in (str, int, float, bool):
            return value
        raise TypeError(f"{type(value).__name__} cannot be cached")

    data = walk(located.data, ())
    return {"data": data, "dates": dates,
            "positions": [[list(p), *where] for p, where in located.positions.items()],
            "keys": [[list(p), *where] for p, where in located.key_positions.items()]}


def _located(payload: dict, name: str) -> Located | None:
    """The document of a payload (`_plain`), or None when it is not one."""
    data = payload["data"]
    if type(data) is not dict:
        return None
    for path in payload["dates"]:
        *parents, last = path
        holder = data
        for step in parents:
            holder = holder[step]
        text = holder[last]
        if type(text) is not str or len(text) != 10:
            return None
        holder[last] = _dt.date.fromisoformat(text)
    return Located(data, name, _places(payload["positions"]), _places(payload["keys"]))


def _places(rows: list) -> dict[tuple, tuple[int, int]]:
    """Places by path from [path, line, column] rows (the payload's hash vouches for the
    types: only `store` writes an entry)."""
    return {tuple(path): (line, col) for path, line, col in rows}


# ------------------------------------------------------------------ other data


def load_data(kind: str, key: str) -> Any:
    """Plain JSON data kept under a key (say which holidays of which year, made by which
    version of what made them); None on a miss."""
    return _read(_place(kind, _data_name(key)), key)


def store_data(kind: str, key: str, data: Any) -> None:
    """Keep plain JSON data (dicts with text keys, lists, text, numbers) under a key;
    failing to write is not an error."""
    _write(_place(kind, _data_name(key)), key, data)


def package_stamp(name: str) -> str:
    """What tells one installed version of a package from another, without importing it:
    the place and the size and time of its `__init__.py` (an upgrade rewrites it)."""
    from importlib.util import find_spec

    try:
        origin = find_spec(name).origin
        st = os.stat(origin)
    except (AttributeError, ImportError, OSError, TypeError, ValueError):
        return "?"
    return f"{origin}:{st.st_size}:{st.st_mtime_ns}"


def _data_name(key: str) -> str:
    return hashlib.sha256(f"{FORMAT}:{key}".encode()).hexdigest()


# ------------------------------------------------------------------ code objects


def code_place(subject: str) -> Path | None:
    """The file keeping the code objects made for `subject` (see compiling/codeobjects.py),
    or None when the cache is off. Asked once, so they are written where they were read."""
    return _place("code", subject, ".marshal")


def load_code(place: Path | None, subject: str) -> bytes | None:
    """The marshalled code objects kept at `place` for `subject`; None on a miss."""
    return _read_bytes(place, subject)


def store_code(place: Path | None, subject: str, payload: bytes) -> None:
    """Keep marshalled code objects at `place`; failing to write is not an error. They are
    written late (when a process ends), so a cache folder that is gone by then (a temporary
    one) is not made again."""
    if place is not None and place.parent.parent.is_dir():
        _write_bytes(place, subject, payload)


# ------------------------------------------------------------------ entries on disk


def _place(kind: str, subject: str, suffix: str = _SUFFIX) -> Path | None:
    """The file of an entry, or None when the cache is off or its folder is not private."""
    folder = cache_dir()
    if folder is None:
        return None
    key = hashlib.sha256(f"{_code_salt()}:{subject}".encode()).hexdigest()
    return folder / kind / f"{key[:40]}{suffix}"


_private_folders: set[str] = set()


def _private(folder: Path, create: bool) -> bool:
    """Whether a folder of the cache may be used: ours, and writable by nobody else (its
    group may write only when it is our own primary group, as with a umask of 002)."""
    if str(folder) in _private_folders:
        return True
    try:
        if create:
            folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        found = os.stat(folder)
    except OSError:
        return False  # not there (yet): nothing to read
    if not stat.S_ISDIR(found.st_mode) or not _ours(found):
        return False
    _private_folders.add(str(folder))
    return True


def _ours(found: os.stat_result) -> bool:
    """Owned by this user and writable by no other (where the platform has owners)."""
    if not hasattr(os, "getuid"):
        return True
    if found.st_uid != os.getuid() or found.st_mode & 0o002:
        return False
    return not (found.st_mode & 0o020) or found.st_gid == os.getgid()


def _usable(path: Path, create: bool = False) -> bool:
    folder = path.parent
    return _private(folder.parent, create) and _private(folder, create)


def _header(subject: str, payload: bytes) -> bytes:
    return json.dumps({"format": FORMAT, "engine": _code_salt(), "subject": subject,
                       "size": len(payload),
                       "sha256": hashlib.sha256(payload).hexdigest()}).encode() + b"\n"


def _read(path: Path | None, subject: str) -> Any:
    """The payload of an entry about `subject` as JSON data, or None (see `_read_bytes`)."""
    payload = _read_bytes(path, subject)
    if payload is None:
        return None
    try:
        return json.loads(payload)
    except (ValueError, RecursionError, MemoryError):
        return None


def _read_bytes(path: Path | None, subject: str) -> bytes | None:
    """The payload of an entry about `subject`, or None: missing, not ours, not a regular
    file, too large, made by other code, about something else, or damaged."""
    if path is None or not _usable(path):
        return None
    raw = _read_regular(path)
    if raw is None:
        return None
    head, newline, payload = raw.partition(b"\n")
    try:
        if not newline or _header(subject, payload) != head + b"\n":
            return None
    except (ValueError, MemoryError):
        return None
    return payload


def _read_regular(path: Path) -> bytes | None:
    """The bytes of a regular file of ours of at most MAX_ENTRY_BYTES; None for anything
    else. A link is not followed and a pipe never waited for."""
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOFOLLOW", 0)
    try:
        fd = os.open(path, flags | getattr(os, "O_CLOEXEC", 0) | getattr(os, "O_BINARY", 0))
    except OSError:
        return None
    try:
        found = os.fstat(fd)
        if (not stat.S_ISREG(found.st_mode) or found.st_size > MAX_ENTRY_BYTES
                or not _ours(found)):
            return None
        chunks = []
        left = found.st_size + 1  # one byte more tells a file that grew while read
        while left > 0:
            chunk = os.read(fd, min(left, 1 << 20))
            if not chunk:
                break
            chunks.append(chunk)
            left -= len(chunk)
        raw = b"".join(chunks)
        return raw if len(raw) == found.st_size else None
    except OSError:
        return None
    finally:
        os.close(fd)


def _rename(source: str, target: Path) -> None:
    """Move a finished entry into place in one step (POSIX rename replaces atomically;
    `os.replace` is left to the writing of rule files, which tests pause)."""
    if os.name == "nt":  # pragma: no cover - rename refuses an existing target there
        os.replace(source, target)
    else:
        os.rename(source, target)


def _write(path: Path | None, subject: str, data: Any) -> None:
    """Write an entry of JSON data atomically (see `_write_bytes`)."""
    if path is None:
        return
    try:
        payload = json.dumps(data, ensure_ascii=False, separators=(",", ":"),
                             allow_nan=False).encode("utf-8")
    except (TypeError, ValueError, RecursionError):
        return
    _write_bytes(path, subject, payload)


def _write_bytes(path: Path | None, subject: str, payload: bytes) -> None:
    """Write an entry atomically (a reader sees the old one or the new one, whole)."""
    if path is None:
        return
    try:
        if len(payload) > MAX_ENTRY_BYTES or not _usable(path, create=True):
            return
        import tempfile  # only a start that writes pays for importing it

        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-", suffix=path.suffix)
        try:
            with os.fdopen(fd, "wb") as handle:
                handle.write(_header(subject, payload))
                handle.write(payload)
            _rename(tmp, path)
        except BaseException:
            os.unlink(tmp)
            raise
    except (OSError, TypeError, ValueError, RecursionError):
        return
