"""Compiling a rule file's versions: their dates, the parameters, tables and decisions each
is in force with (following `amends`), and the check that no two are in force on one day."""

from __future__ import annotations

import datetime as _dt

from ..base.i18n import _
from ..base.suggest import did_you_mean
from . import paramtypes
from .core import Abort, CompilerCore
from .model import Decision, Param, Version
from .tables import Table


class VersionCompiler(CompilerCore):
    """The versions part of the compiler; tables and decisions are compiled by the parts
    that define `table` and `decision`."""

    def check_overlaps(self, versions: list[Version], raw_by_name: dict) -> None:
        for a, b in zip(versions, versions[1:]):
            if a.in_force_until is not None and a.in_force_until < a.in_force_from:
                idx = raw_by_name[a.name][0]
                self.problem(("versions", idx, "in_force_until"),
                             _("version {name!r} ends before it starts").format(name=a.name))
            if a.in_force_from == b.in_force_from or (
                a.in_force_until is not None and a.in_force_until >= b.in_force_from
            ):
                idx = raw_by_name[b.name][0]
                self.problem(
                    ("versions", idx, "in_force_from"),
                    _("versions {a!r} and {b!r} are both in force on {day}").format(
                        a=a.name, b=b.name, day=b.in_force_from.isoformat()),
                )
            a.until = a.in_force_until or (b.in_force_from - _dt.timedelta(days=1))
        if versions:
            versions[-1].until = versions[-1].in_force_until

    def version(self, name: str, index: int, raw: dict, raw_by_name: dict) -> Version:
        path = ("versions", index)
        start = self.date(raw["in_force_from"], path + ("in_force_from",))
        until = None
        if "in_force_until" in raw:
            until = self.date(raw["in_force_until"], path + ("in_force_until",))
        params, tables_raw, decisions_raw = self.effective(name, index, raw, raw_by_name)
        self._check_own_params(name, path, params)
        tables, tables_ok = self._version_tables(tables_raw, params)
        decisions, decisions_ok = self._version_decisions(decisions_raw, params, tables)
        if not (tables_ok and decisions_ok):
            raise Abort
        line, _ = self.doc.where(path)
        return Version(
            name=name,
            in_force_from=start,
            in_force_until=until,
            amends=str(raw["amends"]) if "amends" in raw else None,
            citation=raw.get("citation", ""),
            description=raw.get("description", ""),
            params=params,
            tables=tables,
            decisions=decisions,
            line=line,
        )

    def _check_own_params(self, name: str, path: tuple, params: dict[str, Param]) -> None:
        """Every parameter a version sets itself has a citation and a label."""
        for pname, param in params.items():
            if param.version != name:
                continue  # inherited: reported where it is set
            if not param.citation:
                self.problem(path + ("parameters", pname), _("parameter {name!r} has no citation")
                             .format(name=pname) + did_you_mean(pname, set(params) - {pname}, 0.8))
            if not param.label:
                self.problem(path + ("parameters", pname), _("parameter {name!r} has no label")
                             .format(name=pname) + did_you_mean(pname, set(params) - {pname}, 0.8))

    def _version_tables(self, tables_raw: dict, params: dict[str, Param]
                        ) -> tuple[dict[str, Table | None], bool]:
        tables: dict[str, Table | None] = {}
        ok = True
        for tname, (tpath, traw) in tables_raw.items():
            try:
                tables[tname] = self.table(tname, traw, tpath, params)
            except Abort:
                tables[tname] = None  # its problems are reported; steps using it say no more
                ok = False
        return tables, ok

    def _version_decisions(self, decisions_raw: dict, params: dict[str, Param],
                           tables: dict) -> tuple[dict[str, Decision], bool]:
        decisions: dict[str, Decision] = {}
        ok = True
        rid = self.data["id"]
        for dname, (dpath, draw) in decisions_raw.items():
            try:
                decisions[dname] = self.decision(f"{rid}.{dname}", dname, draw, dpath, params,
                                                 tables)
            except Abort:
                ok = False
        return decisions, ok

    def effective(self, name: str, index: int, raw: dict, raw_by_name: dict):
        """Parameters, tables and decisions in force in a version, following `amends`.

        The chain of amendments is walked without recursion and each version's result is
        kept, so a long chain costs its length once, in whatever order the file lists it."""
        known, failed = self._effective, self._effective_failed
        chain = [(name, index, raw)]
        on_chain = {name}
        while True:
            vname, vindex, vraw = chain[-1]
            if vname in failed:
                raise Abort
            if vname in known or "amends" not in vraw:
                break
            base_name = str(vraw["amends"])
            path = ("versions", vindex)
            if base_name not in raw_by_name:
                self.problem(path + ("amends",),
                             _("version {name!r} amends {base!r}, which does not exist; "
                               "versions: {known}").format(name=vname, base=base_name,
                                                           known=", ".join(raw_by_name)))
                failed.update(on_chain)
                raise Abort
            if base_name in on_chain:
                self.problem(path + ("amends",),
                             _("versions amend each other in a circle: {name!r}").format(
                                 name=vname))
                failed.update(on_chain)
                raise Abort
            on_chain.add(base_name)
            chain.append((base_name, *raw_by_name[base_name]))
        result = None
        for vname, vindex, vraw in reversed(chain):
            if vname not in known:
                known[vname] = self._amended(vname, vindex, vraw, result)
            result = known[vname]
        return result

    def _amended(self, name: str, index: int, raw: dict, base: tuple | None):
        """What a version is in force with: its base's parameters, tables and decisions
        (if it amends one), with its own on top."""
        path = ("versions", index)
        if base is not None:
            params, tables, decisions = (dict(part) for part in base)
        else:
            params, tables, decisions = {}, {}, {}
        for pname, praw in (raw.get("parameters") or {}).items():
            inherited = params.get(pname)
            line, _ = self.doc.where(path + ("parameters", pname))
            typed, wrong = paramtypes.settle(pname, praw, inherited, raw.get("citation", ""))
            for key, message in wrong:
                self.problem(path + ("parameters", pname, *key), message)
            params[pname] = Param(
                name=pname,
                value=praw["value"],
                label=praw.get("label") or (inherited.label if inherited else ""),
                unit=praw.get("unit") or (inherited.unit if inherited else ""),
                version=name,
                line=line,
                **typed,
            )
        for tname, traw in (raw.get("tables") or {}).items():
            tables[tname] = (path + ("tables", tname), traw)
        for dname, draw in (raw.get("decisions") or {}).items():
            decisions[dname] = (path + ("decisions", dname), draw)
        return params, tables, decisions
