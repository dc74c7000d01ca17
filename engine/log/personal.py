"""Facts logged only as their hash: personal data named by the rule set or on the command line.

A hash is pseudonymisation, not anonymisation (see README); it is applied before an entry is
stored, in whichever process builds the block, so no backend ever sees the value.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from typing import Any

from ..base.jsonvalues import json_default, json_values

HASH_PREFIX = "sha256:"



_encode_sorted = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"), sort_keys=True,
                                  default=json_default).encode


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
    data = json_values(case)  # a deep copy in plain JSON values
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


def _may_hold(text: bytes, tails: tuple[bytes, ...]) -> bool:
    """Whether a case's JSON text may hold one of the facts to hash: however a fact is
    spelled (nested, dotted, inside a list), its last part ends a key (`naam"`), unless the
    text escapes characters, which it then may do in a key too."""
    if b"\\" in text:
        return True
    for tail in tails:
        if tail in text:
            return True
    return False
