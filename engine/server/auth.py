"""Who may do what: bearer tokens with roles, read from an auth file where only their
SHA-256 hashes are kept.

The file is TOML:

    decide = "open"          # "open": anyone may decide; "token": a token is needed

    [[token]]
    name = "alice"           # who holds it (named in no reply; for the administrator)
    role = "auditor"         # "auditor": read the decision log, and decide; "decide": decide
    sha256 = "9f86d0…"       # hex SHA-256 of the token (`regelwerk serve-token` makes both)

A token is 32 random bytes (`secrets.token_urlsafe`): against a value with that much
chance in it a fast hash is enough, and a slow one (scrypt, PBKDF2, made for passwords
people choose) would cost every request tens of milliseconds for nothing.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass, field
from pathlib import Path

from ..base.errors import UsageError

ROLES = ("decide", "auditor")  # each role may do what the ones before it may
DECIDE_MODES = ("open", "token")
TOKEN_PREFIX = "rw_"
_HEX = re.compile(r"[0-9a-f]{64}")


def hash_token(token: str) -> str:
    """The hex SHA-256 of a token, as the auth file keeps it."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def new_token() -> str:
    """A new random token (256 bits)."""
    return TOKEN_PREFIX + secrets.token_urlsafe(32)


@dataclass
class Holder:
    name: str
    role: str
    sha256: str

    def may(self, role: str) -> bool:
        return ROLES.index(self.role) >= ROLES.index(role)


@dataclass
class Access:
    """The rules of one server: whether deciding needs a token, and the tokens known."""

    decide: str = "open"
    holders: list[Holder] = field(default_factory=list)
    source: str = ""  # the auth file, for messages

    def holder(self, token: str | None) -> Holder | None:
        """Whoever holds this token, or None. Every hash is compared, in constant time."""
        if not token:
            return None
        digest = hash_token(token)
        found = None
        for holder in self.holders:
            if hmac.compare_digest(holder.sha256, digest):
                found = holder
        return found


def load_access(path: str | None) -> Access:
    """The auth file's rules; without a file deciding is open and the log is closed to all.
    A file that is wrong is a UsageError naming the file and the entry."""
    if not path:
        return Access()
    import tomllib

    try:
        data = tomllib.loads(Path(path).read_text(encoding="utf-8"))
    except OSError as err:
        raise UsageError(f"--auth {path}: {err.strerror or err}") from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as err:
        raise UsageError(f"--auth {path}: not a TOML file: {err}") from None
    unknown = sorted(set(data) - {"decide", "token"})
    if unknown:
        raise UsageError(f"--auth {path}: unknown key {unknown[0]!r} (known: decide, token)")
    decide = data.get("decide", "open")
    if decide not in DECIDE_MODES:
        raise UsageError(f"--auth {path}: decide = {decide!r}: give \"open\" or \"token\"")
    entries = data.get("token", [])
    if not isinstance(entries, list):
        raise UsageError(f"--auth {path}: token must be a list of [[token]] tables")
    holders = [_holder(path, n, entry) for n, entry in enumerate(entries, start=1)]
    return Access(decide, holders, str(path))


def _holder(path: str, n: int, entry: object) -> Holder:
    where = f"--auth {path}: token {n}"
    if not isinstance(entry, dict):
        raise UsageError(f"{where}: expected a [[token]] table")
    unknown = sorted(set(entry) - {"name", "role", "sha256"})
    if unknown:
        raise UsageError(f"{where}: unknown key {unknown[0]!r} (known: name, role, sha256)")
    name, role, digest = entry.get("name", f"token {n}"), entry.get("role"), entry.get("sha256")
    if role not in ROLES:
        raise UsageError(f"{where} ({name}): role = {role!r}: give one of {', '.join(ROLES)}")
    if not isinstance(digest, str) or not _HEX.fullmatch(digest.lower()):
        raise UsageError(f"{where} ({name}): sha256 must be 64 hex digits, the hash of the "
                         "token (see 'regelwerk serve-token'), never the token itself")
    return Holder(str(name), role, digest.lower())
