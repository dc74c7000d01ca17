"""regelwerk: rules-as-code for education regulations in Flanders and the Netherlands.

The public API, importable from here:

- `Engine`, `Result`: decide and explain cases (`regelwerk.engine.deciding.api`);
- `DecisionLog`, `log_from_options`, `open_log`, `LogBackend`: the decision log (an SQLite
  file or a PostgreSQL server) and its writer (`regelwerk.engine.log.decisionlog`);
- the errors: `RegelwerkError` and its kinds `CaseError`, `RuleFileError`, `UsageError`,
  `PluginError`, `NoVersionInForce`, with `Problem` (one problem in a rule file);
- for plugins: `hookimpl`, `Operation`, `Arg`, `Calendar`.

Names are imported on first use, so `import regelwerk` stays cheap for the command line.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

_PUBLIC = {
    "Engine": "regelwerk.engine.deciding.api",
    "Result": "regelwerk.engine.deciding.api",
    "DecisionLog": "regelwerk.engine.log.decisionlog",
    "log_from_options": "regelwerk.engine.log.decisionlog",
    "LogError": "regelwerk.engine.log.decisionlog",
    "LogBackend": "regelwerk.engine.log.decisionlog",
    "open_log": "regelwerk.engine.log.decisionlog",
    "RegelwerkError": "regelwerk.engine.base.errors",
    "CaseError": "regelwerk.engine.base.errors",
    "RuleFileError": "regelwerk.engine.base.errors",
    "UsageError": "regelwerk.engine.base.errors",
    "PluginError": "regelwerk.engine.base.errors",
    "NoVersionInForce": "regelwerk.engine.base.errors",
    "Problem": "regelwerk.engine.base.errors",
    "hookimpl": "regelwerk.engine.ops.hookspecs",
    "Operation": "regelwerk.engine.ops",
    "Arg": "regelwerk.engine.ops",
    "Calendar": "regelwerk.engine.ops.calendars",
}

__all__ = [  # noqa: RUF022 - in the order of _PUBLIC
    "__version__", "Engine", "Result", "DecisionLog", "log_from_options", "LogError",
    "LogBackend", "open_log", "RegelwerkError", "CaseError", "RuleFileError", "UsageError", "PluginError",
    "NoVersionInForce", "Problem", "hookimpl", "Operation", "Arg", "Calendar",
]

if TYPE_CHECKING:  # pragma: no cover - for type checkers and editors only
    from .engine.base.errors import (
        CaseError,
        NoVersionInForce,
        PluginError,
        Problem,
        RegelwerkError,
        RuleFileError,
        UsageError,
    )
    from .engine.deciding.api import Engine, Result
    from .engine.log.decisionlog import (
        DecisionLog,
        LogBackend,
        LogError,
        log_from_options,
        open_log,
    )
    from .engine.ops import Arg, Operation
    from .engine.ops.calendars import Calendar
    from .engine.ops.hookspecs import hookimpl


def _version() -> str:
    """The installed distribution's version, read when asked. The name of its
    `regelwerk-VERSION.dist-info` folder says it, found as importlib.metadata finds it (the
    first folder on sys.path that holds regelwerk's metadata) without reading every
    distribution's metadata, which costs a start a tenth of its time."""
    import os
    import sys

    for entry in sys.path:
        try:
            names = [n for n in os.listdir(entry or ".") if n.endswith((".dist-info", ".egg-info"))
                     and n.rsplit(".", 1)[0].split("-")[0].lower() == "regelwerk"]
        except OSError:
            continue
        found = [n[len("regelwerk-"):-len(".dist-info")] for n in names
                 if n.startswith("regelwerk-") and n.endswith(".dist-info")]
        if len(found) == 1 and len(names) == 1:
            return found[0]
        if names:  # an egg-info, or several: as importlib.metadata reads them
            break
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("regelwerk")
    except PackageNotFoundError:  # pragma: no cover - running from an unusual layout
        return "0+unknown"


def __getattr__(name: str) -> Any:
    if name == "__version__":
        value = globals()["__version__"] = _version()
        return value
    module = _PUBLIC.get(name)
    if module is None:
        raise AttributeError(f"module 'regelwerk' has no attribute {name!r}")
    value = getattr(import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(__all__)
