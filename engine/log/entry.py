"""What a decision log holds, whatever stores it: a logged decision (`Entry`), a rule-set text
kept by its hash (`StoredRuleSet`), the software versions logged with each decision, and the
error for a log that cannot be used."""

from __future__ import annotations

import functools
from dataclasses import dataclass

from ..base.errors import RegelwerkError


class LogError(RegelwerkError):
    """The decision log cannot be used: unwritable, not a regelwerk log, or damaged."""

    exit_code = 5


# The software that computes, besides the rule text: the engine and the libraries that
# decide dates (public holidays, month arithmetic). Logged so a replay can say when the same
# rules give another outcome because one of them changed.
_COMPUTING = ("regelwerk", "holidays", "python-dateutil")


@functools.lru_cache(maxsize=1)
def software_versions() -> str:
    """The versions of the software that computes, as logged with each decision."""
    from ..ops.plugins import distribution_versions  # kept in the cache: no metadata scan

    versions = distribution_versions(_COMPUTING)
    return ", ".join(f"{name} {versions[name] or '?'}" for name in _COMPUTING)


@dataclass
class Entry:
    """One logged decision, as read back."""

    id: str
    made_at: str  # when the block it was made in began (its decisions are a second apart at most)
    decision: str
    peildatum: str
    ruleset_id: str
    version: str
    sha256: str
    facts: dict
    hashed_facts: list[str]
    outputs: dict
    notes: list[str]
    engine: str

    def as_dict(self) -> dict:
        return {
            "id": self.id,
            "made_at": self.made_at,
            "decision": self.decision,
            "on": self.peildatum,
            "ruleset": {"id": self.ruleset_id, "version": self.version, "sha256": self.sha256},
            "facts": self.facts,
            "hashed_facts": self.hashed_facts,
            "result": self.outputs,
            "uitleg": self.notes,
            "engine": self.engine,
        }


@dataclass
class StoredRuleSet:
    """The text of a rule file as the log keeps it, once per content hash."""

    sha256: str
    ruleset_id: str
    file: str
    origin: str
    text: bytes
