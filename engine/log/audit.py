"""Auditing logged decisions: explain one from the rules as they were, replay it with today's.

A logged decision names the content hash of the rule file that decided it; the log keeps
that text, so the rule set is compiled again exactly as it was and the decision re-run
from the logged facts. Replay decides the same facts on the same peildatum with the rules
in use now and says whether the outcome is the same and, if not, what changed: the
version in force, parameters the decision reads, its decision tables, its steps.
"""

from __future__ import annotations

import datetime as _dt
from typing import Any

from ..base.dates import date_problem
from ..base.errors import CaseError, RegelwerkError, RuleFileError, UsageError
from ..base.jsonvalues import to_json
from ..compiling.compiler import Context
from ..compiling.facts import parse_date
from ..compiling.model import Decision, RuleSet, Version
from ..deciding.api import Engine
from ..rulefiles.loader import compile_bytes
from .decisionlog import DecisionLog, Entry, software_versions


class Auditor:
    """Explains and replays entries of a decision log with an engine's plugins and rules."""

    def __init__(self, engine: Engine, log: DecisionLog) -> None:
        self.engine = engine
        self.log = log
        self._rulesets: dict[str, RuleSet] = {}
        self._causes: dict[tuple, list[str]] = {}

    # -- the rules as they were
    def ruleset_as_logged(self, entry: Entry) -> RuleSet:
        """The rule set that decided a logged entry, compiled from the text kept in the log."""
        found = self._rulesets.get(entry.sha256)
        if found is not None:
            return found
        stored = self.log.ruleset_text(entry.sha256)
        ctx = Context(self.engine.contributions.operations, self.engine.contributions.calendars)
        name = f"{stored.file} (decision log, sha256 {entry.sha256[:12]})"
        ruleset, problems, _ = compile_bytes(stored.text, name, ctx, origin="decision log")
        errors = [p for p in problems if p.severity == "error"]
        if ruleset is None or errors:
            # The text compiled when it decided; an engine or plugin change broke it since.
            raise RuleFileError(errors or problems)
        ruleset.file = stored.file
        self._rulesets[entry.sha256] = ruleset
        return ruleset

    def logged_parts(self, entry: Entry) -> tuple[RuleSet, Version, Decision]:
        ruleset = self.ruleset_as_logged(entry)
        version = ruleset.version_named(entry.version)
        name = entry.decision[len(ruleset.id) + 1:]
        decision = version.decisions.get(name) if version else None
        if decision is None:
            raise CaseError(f"the logged rule set has no version {entry.version!r} with this "
                            "decision", decision=entry.decision)
        return ruleset, version, decision

    @staticmethod
    def _check_facts(entry: Entry, decision: Decision) -> None:
        """A fact the decision reads but that was logged only as a hash cannot be decided on
        again; a hashed fact it does not read (a name, a note) is no obstacle."""
        for spec in decision.inputs:
            for hashed in entry.hashed_facts:
                if _reads(spec, hashed):
                    raise CaseError(
                        f"fact {hashed} was logged only as a hash, so this decision cannot "
                        f"be evaluated again (see 'regelwerk log show {entry.id}')",
                        decision=entry.decision)

    # -- explaining
    def explain(self, entry: Entry) -> dict:
        """The trail of a logged decision, evaluated again from the rule text as it was."""
        ruleset, version, decision = self.logged_parts(entry)
        self._check_facts(entry, decision)
        result, env = self.engine.evaluate(ruleset, version, decision, entry.facts,
                                           parse_date(entry.peildatum))
        trail = self.engine.trail_of(result, decision, env, entry.facts)
        trail["log"] = {
            "id": entry.id,
            "made_at": entry.made_at,
            "engine": entry.engine,
            "hashed_facts": entry.hashed_facts,
            # False only if the engine itself now computes something else from the same rules.
            "reproduced": to_json(result.outputs) == entry.outputs,
            "logged_result": entry.outputs,
        }
        return trail

    # -- replaying
    def replay(self, entry: Entry) -> dict:
        """Decide a logged entry again with today's rules: same or different, and why."""
        report: dict[str, Any] = {
            "id": entry.id, "decision": entry.decision, "on": entry.peildatum,
            "made_at": entry.made_at,
            "logged": {"version": entry.version, "sha256": entry.sha256,
                       "result": entry.outputs},
        }
        try:
            old_rs, old_version, old_decision = self.logged_parts(entry)
            self._check_facts(entry, old_decision)
        except RegelwerkError as err:
            return {**report, "status": "error", "error": str(err)}
        try:
            result = self.engine.decide(entry.decision, entry.facts, parse_date(entry.peildatum))
        except RegelwerkError as err:
            return {**report, "status": "error", "error": f"today: {err}"}
        now = to_json(result.outputs)
        report["today"] = {"version": result.version.name, "sha256": result.ruleset.sha256,
                           "file": result.ruleset.file, "result": now}
        report["status"] = "same" if now == entry.outputs else "different"
        report["engine"] = {"logged": entry.engine, "today": software_versions()}
        report["outputs_changed"] = [
            {"name": k, "logged": entry.outputs.get(k), "today": now.get(k)}
            for k in [*entry.outputs, *(k for k in now if k not in entry.outputs)]
            if entry.outputs.get(k) != now.get(k)]
        key = (old_rs.sha256, old_version.name, result.ruleset.sha256, result.version.name,
               entry.decision)
        if key not in self._causes:  # the same change explains every entry it touches
            self._causes[key] = _causes(old_rs, old_version, old_decision, result.ruleset,
                                        result.version, entry.decision)
        report["causes"] = list(self._causes[key])
        return report


def _reads(spec, hashed: str) -> bool:
    """Whether a decision input reads (part of) a hashed fact."""
    if hashed == spec.name or spec.name.startswith(hashed + "."):
        return True
    if not hashed.startswith(spec.name + "."):
        return False
    items = spec.items
    if isinstance(items, dict):  # a list of records: only its declared fields are read
        return hashed[len(spec.name) + 1:].split(".")[0] in items
    return True


def _causes(old_rs: RuleSet, old: Version, old_decision: Decision, new_rs: RuleSet,
            new: Version, decision_id: str) -> list[str]:
    """What changed in the rules, as far as this decision is concerned, one line each."""
    from ..authoring.versiondiff import change_summary, compare_versions

    if old_rs.sha256 == new_rs.sha256 and old.name == new.name:
        return []
    causes = []
    if old.name != new.name:
        causes.append(f"andere versie in werking op de peildatum: {old.name} → {new.name}")
    diff = compare_versions(old_rs, old, new_rs, new)
    name = decision_id[len(old_rs.id) + 1:]
    new_decision = new.decisions.get(name)
    used = {p.name for p in old_decision.params}
    tables = {t for s in old_decision.steps for t in s.tables}
    if new_decision is not None:
        used |= {p.name for p in new_decision.params}
        tables |= {t for s in new_decision.steps for t in s.tables}
    relevant = {
        "parameters": {k: [p for p in v if p["name"] in used]
                       for k, v in diff["parameters"].items()},
        "tables": {k: [t for t in v if t["name"] in tables] for k, v in diff["tables"].items()},
        "decisions": {k: [d for d in v if d["id"] == decision_id]
                      for k, v in diff["decisions"].items()},
    }
    causes.extend(change_summary(relevant))
    if not causes:
        causes.append(f"regelbestand gewijzigd (sha256 {old_rs.sha256[:12]} → "
                      f"{new_rs.sha256[:12]}), niet in wat deze beslissing gebruikt")
    return causes


def cli_date(text: str | None, option: str) -> _dt.date | None:
    """A date given on the command line, or a usage error naming the option."""
    if text is None:
        return None
    try:
        return parse_date(text)
    except (ValueError, TypeError):
        raise UsageError(f"{option} {date_problem(text)}") from None
