"""The hooks an organisation plugin implements. Each hands the plugin a `register` callback;
the engine owns the registries, so a plugin can add but never silently replace."""

from __future__ import annotations

import pluggy

PROJECT = "regelwerk"
hookspec = pluggy.HookspecMarker(PROJECT)
hookimpl = pluggy.HookimplMarker(PROJECT)


@hookspec
def regelwerk_register_rules(register):
    """Add rule folders: call `register(path)` with a folder (a `pathlib.Path` or an
    `importlib.resources` Traversable) holding the plugin's YAML rule files."""


@hookspec
def regelwerk_register_operations(register):
    """Add named operations: call `register(regelwerk.engine.ops.Operation(...))`."""


@hookspec
def regelwerk_register_calendars(register):
    """Add working-day calendars: call `register(regelwerk.engine.ops.calendars.Calendar(...))`."""
