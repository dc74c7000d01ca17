"""Loading plugins: the engine's own operations and every `regelwerk` entry point.

Built-in organisations (GO!, OVSG, OMO) are found through the same entry-point group as
any third-party plugin. Whatever goes wrong in one plugin (it does not import, a hook is
misspelt or raises, it registers an operation or calendar another plugin already has, its
rule folder is missing) is reported with the plugin's name, and that plugin contributes
nothing; the others load as if it were not there.
"""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass, field
from importlib import import_module
from pathlib import Path
from typing import Any

import pluggy

from ..base import cache as rulecache
from . import OperationClash, OperationRegistry, hookspecs
from .calendars import CalendarClash, CalendarRegistry

ENTRY_POINT_GROUP = "regelwerk"
BUILTIN = "regelwerk"
DISABLE_AUTOLOAD = "REGELWERK_DISABLE_PLUGIN_AUTOLOAD"


class PluginProblem(ValueError):
    """Something a plugin registered is unusable (a missing rule folder, an unmarked hook)."""


@dataclass
class PluginInfo:
    """One plugin: where it comes from, what it contributes, or why it contributes nothing."""

    name: str
    version: str = ""
    module: str = ""
    rule_folders: list[Any] = field(default_factory=list)
    operations: list[str] = field(default_factory=list)
    calendars: list[str] = field(default_factory=list)
    error: str | None = None


@dataclass
class Contributions:
    """What the loaded plugins contribute, and which plugins failed."""

    plugins: list[PluginInfo]
    operations: OperationRegistry
    calendars: CalendarRegistry
    rule_folders: list[tuple[str, Any]]  # (plugin name, folder)
    errors: list[str]


def _dist_version(ep: Any) -> str:
    dist = getattr(ep, "dist", None)
    return dist.version if dist is not None else ""


# Distributions whose versions are asked at every start (the plugin list names regelwerk's;
# the decision log records the software that computes), answered from the cache as well.
_VERSIONED = ("regelwerk", "holidays", "python-dateutil")


def distribution_versions(names: tuple[str, ...] = _VERSIONED) -> dict[str, str]:
    """The installed version of each distribution named ("" when not installed)."""
    versions = _installed()[0]
    return {name: versions[name] if name in versions else _version_of(name) for name in names}


def _version_of(name: str) -> str:
    """The installed version of a distribution, asked of its metadata ("" when not installed)."""
    from importlib import metadata

    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return ""


def _installed() -> tuple[dict[str, str], list[tuple[str, str, str]]]:
    """The versions of _VERSIONED and the entry points of the group as (name, value, version
    of its distribution), sorted by name. Scanning every installed distribution's metadata
    costs a start a tenth of its time, so the answer is kept in the cache, keyed by the
    folders Python imports from and their modification times: installing, upgrading or
    removing a distribution adds or removes a folder there, and so asks again; so does an
    entry_points.txt written again in place."""
    key = "\n".join(_stamp(entry) for entry in sys.path)
    kept = _kept_entry_points(rulecache.load_data("entry-points", key))
    if kept is not None:
        return kept
    from importlib import metadata

    versions = {name: _version_of(name) for name in _VERSIONED}
    found = (versions, [(ep.name, ep.value, _dist_version(ep)) for ep in sorted(
        metadata.entry_points(group=ENTRY_POINT_GROUP), key=lambda e: e.name)])
    rulecache.store_data("entry-points", key, {"versions": versions,
                                               "entry_points": [list(e) for e in found[1]]})
    return found


def _kept_entry_points(kept: Any) -> tuple[dict[str, str], list[tuple[str, str, str]]] | None:
    """What `_installed` stored (as JSON), checked to be of the shape it stores; else None."""
    if not isinstance(kept, dict):
        return None
    versions, entry_points = kept.get("versions"), kept.get("entry_points")
    if (not isinstance(versions, dict) or not isinstance(entry_points, list)
            or not all(isinstance(v, str) for v in versions.values())
            or not all(isinstance(e, list) and len(e) == 3
                       and all(isinstance(x, str) for x in e) for e in entry_points)):
        return None
    return versions, [tuple(e) for e in entry_points]


def _stamp(entry: str) -> str:
    """A folder of sys.path, its modification time and those of its distributions' entry
    points (a few dozen stat calls: a thirtieth of what reading the metadata costs)."""
    parts = [entry]
    try:
        parts.append(str(os.stat(entry or ".").st_mtime_ns))
        with os.scandir(entry or ".") as found:
            for item in found:
                if item.name.endswith((".dist-info", ".egg-info")):
                    try:
                        st = os.stat(os.path.join(item.path, "entry_points.txt"))
                        parts.append(f"{item.name}:{st.st_mtime_ns}:{st.st_size}")
                    except OSError:
                        continue
    except OSError:
        pass
    return ":".join(parts)


def _load_entry_point(value: str) -> Any:
    """What an entry point `module:attribute.path [extras]` names (as EntryPoint.load
    does; the extras say nothing about what to load)."""
    module, _, attrs = value.split("[", 1)[0].partition(":")
    found = import_module(module.strip())
    for attr in filter(None, attrs.strip().split(".")):
        found = getattr(found, attr)
    return found


def _manager() -> pluggy.PluginManager:
    pm = pluggy.PluginManager(hookspecs.PROJECT)
    pm.add_hookspecs(hookspecs)
    return pm


def hook_names() -> list[str]:
    """The names of every hook a plugin can implement."""
    return sorted(name for name in vars(hookspecs)
                  if name.startswith(f"{hookspecs.PROJECT}_")
                  and hasattr(getattr(hookspecs, name), f"{hookspecs.PROJECT}_spec"))


def _candidates(extra: list[tuple[str, Any]]) -> list[tuple[PluginInfo, Any]]:
    """The built-in plugin, every entry point (loaded, or with its import error) and `extra`."""
    from . import builtin

    versions, entry_points = _installed()
    found: list[tuple[PluginInfo, Any]] = [
        (PluginInfo(BUILTIN, versions.get("regelwerk", ""), builtin.__name__), builtin)]
    if not os.environ.get(DISABLE_AUTOLOAD):
        for name, value, version in entry_points:
            info = PluginInfo(name, version, value)
            try:
                plugin = _load_entry_point(value)
            except Exception as err:  # noqa: BLE001 - a broken plugin must not stop the others
                info.error = f"failed to load: {_one_line(err)}"
                plugin = None
            found.append((info, plugin))
    for name, plugin in extra:
        found.append((PluginInfo(name, "", getattr(plugin, "__name__", str(plugin))), plugin))
    return found


def _register(pm: pluggy.PluginManager, info: PluginInfo, plugin: Any) -> None:
    """Register one plugin, refusing unmarked and unknown hooks (misspelt names) at once."""
    marker = f"{hookspecs.PROJECT}_impl"
    hooks = hook_names()
    unmarked = [name for name in dir(plugin) if name in hooks
                and callable(getattr(plugin, name)) and not hasattr(getattr(plugin, name), marker)]
    if unmarked:
        raise PluginProblem(f"{', '.join(unmarked)} is not marked with "
                            "@hookimpl (from regelwerk.engine.ops.hookspecs import hookimpl)")
    pm.register(plugin, name=info.name)
    unknown = sorted(caller.name for caller in pm.get_hookcallers(plugin) or []
                     if not caller.has_spec())
    if unknown:
        pm.unregister(plugin)
        raise PluginProblem(f"unknown hook {', '.join(unknown)}; hooks: {', '.join(hooks)}")


def _rule_folder(folder: Any) -> Any:
    """A registered rule folder, which must exist (a forgotten package-data line shows here)."""
    if not folder_path(folder).is_dir():
        raise PluginProblem(f"rule folder {folder} does not exist or is not a folder "
                            "(are the rule files installed as package data?)")
    return folder


def load_plugins(extra: list[tuple[str, Any]] = ()) -> Contributions:
    """Register the built-in operations and every entry-point plugin, collecting failures.

    `extra` holds (name, plugin object) pairs registered as if found by entry point
    (tests use it). Set REGELWERK_DISABLE_PLUGIN_AUTOLOAD=1 to skip entry points.
    """
    pm = _manager()
    candidates = _candidates(list(extra))
    infos = [info for info, _ in candidates]
    for info, plugin in candidates:
        if info.error:
            continue
        try:
            _register(pm, info, plugin)
        except Exception as err:  # noqa: BLE001 - name the plugin, go on with the others
            info.error = f"failed to register: {_one_line(err)}"

    by_name = {i.name: i for i in infos}
    found: dict[str, dict[str, list]] = {i.name: {"rules": [], "ops": [], "cals": []} for i in infos}
    for hook, kind in (
        (pm.hook.regelwerk_register_rules, "rules"),
        (pm.hook.regelwerk_register_operations, "ops"),
        (pm.hook.regelwerk_register_calendars, "cals"),
    ):
        for impl in hook.get_hookimpls():
            info = by_name[impl.plugin_name]
            if info.error:
                continue
            try:
                impl.function(register=found[info.name][kind].append)
            except Exception as err:  # noqa: BLE001 - a failing plugin is named, others go on
                info.error = f"failed in {hook.name}: {_one_line(err)}"

    # Each plugin's contributions are taken whole or not at all: a clash leaves no half.
    operations, calendars = OperationRegistry(), CalendarRegistry()
    rule_folders: list[tuple[str, Any]] = []
    for info in infos:
        if info.error:
            continue
        got = found[info.name]
        try:
            more_ops, more_cals = operations.copy(), calendars.copy()
            for op in got["ops"]:
                more_ops.register(op, source=info.name)
            for cal in got["cals"]:
                more_cals.register(cal, source=info.name)
            folders = [_rule_folder(folder) for folder in got["rules"]]
        except Exception as err:  # noqa: BLE001
            info.error = _one_line(err)
            continue
        operations, calendars = more_ops, more_cals
        info.operations = [op.name for op in got["ops"]]
        info.calendars = [cal.name for cal in got["cals"]]
        info.rule_folders = folders
        rule_folders.extend((info.name, folder) for folder in folders)

    errors = [f"plugin {i.name!r} ({i.module}) {i.error}" if i.error.startswith("fail")
              else f"plugin {i.name!r} ({i.module}): {i.error}" for i in infos if i.error]
    return Contributions(infos, operations, calendars, rule_folders, errors)


def _one_line(err: BaseException) -> str:
    """An error as one line; the engine's own refusals need no exception class name."""
    text = " ".join(str(err).split()) or type(err).__name__
    if isinstance(err, (OperationClash, CalendarClash, PluginProblem)):
        return text
    return f"{type(err).__name__}: {text}"


def folder_path(folder: Any) -> Path:
    """A plugin's rule folder as a filesystem path (installed packages are plain folders)."""
    return Path(str(folder))
