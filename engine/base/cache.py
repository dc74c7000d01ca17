"""A cache of rule files already read and validated, keyed by their content.

Reading YAML and checking it against the JSON Schema is most of the cost of starting
regelwerk. A rule file that passed both is stored as plain data with the place of every
value, under the SHA-256 of its bytes (and of the schema and the reading code); the next
start with the same file skips both steps and only compiles, which is fast. A file with
problems is never stored, so every message is still produced from the file itself.

Other data that is the same at every start and costly to make is kept beside them, keyed
by what makes it (`load_data`, `store_data`): the public holidays of a calendar's year,
which otherwise cost every process the import of the `holidays` package.

The cache lives in `$REGELWERK_CACHE_DIR`, else `$XDG_CACHE_HOME/regelwerk`, else
`~/.cache/regelwerk`; `REGELWERK_NO_CACHE=1` turns it off. Entries are written atomically
(a temporary file renamed into place) and one that cannot be read is ignored and rebuilt.
They are unpickled with a loader that admits nothing but plain data and dates, so an entry
can never create another object or run code.
"""

from __future__ import annotations

import datetime as _dt
import hashlib
import io
import os
import pickle
import tempfile
from pathlib import Path
from typing import Any

from .located import Located

FORMAT = 1
_ENGINE = Path(__file__).resolve().parent.parent
# The code whose output is cached: a change to any of these makes every entry stale.
_READERS = ("rulefiles/yamlsource.py", "rulefiles/schema.py", "base/cache.py")


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
    """What besides the file decides the cached data: the schema and the reading code."""
    global _salt
    if _salt is None:
        h = hashlib.sha256(f"regelwerk-rule-cache {FORMAT}".encode())
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


def _entry(sha256: str) -> Path | None:
    folder = cache_dir()
    if folder is None:
        return None
    key = hashlib.sha256(f"{_code_salt()}:{sha256}".encode()).hexdigest()
    return folder / "rules" / f"{key[:40]}.pickle"


def _rename(source: str, target: Path) -> None:
    """Move a finished entry into place in one step (POSIX rename replaces atomically)."""
    if os.name == "nt":  # pragma: no cover - rename refuses an existing target there
        os.replace(source, target)
    else:
        os.rename(source, target)


class _PlainData(pickle.Unpickler):
    """Unpickles plain data and dates only; anything else is refused."""

    def find_class(self, module: str, name: str) -> Any:
        if module == "datetime" and name == "date":
            return _dt.date
        raise pickle.UnpicklingError(f"{module}.{name} is not allowed in a cache entry")


def load(sha256: str, name: str) -> Located | None:
    """The cached document of a file with this content, shown as `name`; None on a miss."""
    path = _entry(sha256)
    if path is None:
        return None
    found = _read(path)
    if found is None:
        return None
    try:
        fmt, data, positions, key_positions = found
    except (TypeError, ValueError):
        return None
    if fmt != FORMAT or not isinstance(positions, dict) or not isinstance(data, dict):
        return None
    return Located(data, name, positions, key_positions)


def store(sha256: str, located: Any) -> None:
    """Keep a validated document for the next start; failing to write is not an error."""
    path = _entry(sha256)
    if path is not None:
        _write(path, (FORMAT, located.data, located.positions, located.key_positions))


def load_data(kind: str, key: str) -> Any:
    """Plain data kept under a key (say which holidays of which year, made by which
    version of what made them); None on a miss."""
    folder = cache_dir()
    if folder is None:
        return None
    return _read(folder / kind / _data_name(key))


def store_data(kind: str, key: str, data: Any) -> None:
    """Keep plain data (dicts, lists, text, numbers, dates) under a key; failing to write is
    not an error."""
    folder = cache_dir()
    if folder is not None:
        _write(folder / kind / _data_name(key), data)


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
    return hashlib.sha256(f"{FORMAT}:{key}".encode()).hexdigest()[:40] + ".pickle"


def _read(path: Path) -> Any:
    try:
        with open(path, "rb") as handle:
            return _PlainData(handle).load()
    except FileNotFoundError:
        return None
    except Exception:  # noqa: BLE001 - a damaged entry is ignored and rebuilt
        return None


def _write(path: Path, data: Any) -> None:
    """Write an entry atomically (a reader sees the old one or the new one, whole)."""
    buffer = io.BytesIO()
    try:
        pickle.dump(data, buffer, protocol=pickle.HIGHEST_PROTOCOL)
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-", suffix=".pickle")
        try:
            with os.fdopen(fd, "wb") as handle:
                handle.write(buffer.getvalue())
            _rename(tmp, path)
        except BaseException:
            os.unlink(tmp)
            raise
    except (OSError, pickle.PicklingError, TypeError, RecursionError):
        return
