"""The engine's layout: subpackages by subject, imports going one way, no import cycles.

Each subpackage of `engine/` says in its docstring what it may import; this test holds the
code to it. Every import counts, also one made inside a function.
"""

from __future__ import annotations

import ast
import importlib
import subprocess
import sys
from pathlib import Path

import pytest

ENGINE = Path(__file__).resolve().parents[1] / "engine"

# Lowest first: a layer may import itself and the layers before it, never one after it.
LAYERS = ["base", "ops", "compiling", "rulefiles", "deciding", "authoring", "log", "batch",
          "distributed", "server", "cli"]


def _modules() -> dict[str, Path]:
    found = {}
    for path in ENGINE.rglob("*.py"):
        rel = path.relative_to(ENGINE).with_suffix("")
        parts = list(rel.parts)
        if parts[0] == "_root":
            continue
        if parts[-1] == "__init__":
            parts = parts[:-1]
        found[".".join(parts)] = path
    return found


MODULES = _modules()


def _imports(name: str, path: Path) -> set[str]:
    """The engine modules that module `name` imports, as names relative to `engine`."""
    package = name.split(".") if path.name == "__init__.py" else name.split(".")[:-1]
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = package[: len(package) - (node.level - 1)]
                target = ".".join(base + ([node.module] if node.module else []))
            elif node.module and node.module.startswith("regelwerk.engine"):
                target = node.module.removeprefix("regelwerk.engine").lstrip(".")
            else:
                continue
            for alias in node.names:
                full = f"{target}.{alias.name}" if target else alias.name
                found.add(full if full in MODULES else target)
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.startswith("regelwerk.engine."):
                    found.add(alias.name.removeprefix("regelwerk.engine."))
    return {m for m in found if m in MODULES and m != name}


GRAPH = {name: _imports(name, path) for name, path in MODULES.items()}


def _layer(module: str) -> str:
    return module.split(".")[0]


def test_every_module_lives_in_a_known_layer():
    loose = sorted(m for m in MODULES if m and _layer(m) not in LAYERS)
    assert loose == [], f"modules outside the layers {LAYERS}: {loose}"


def test_every_layer_says_what_it_is_for_and_may_import():
    for layer in LAYERS:
        doc = ast.get_docstring(ast.parse((ENGINE / layer / "__init__.py").read_text()))
        assert doc, f"engine/{layer}/__init__.py has no docstring"
        assert "May import:" in doc, f"engine/{layer} does not say what it may import"


@pytest.mark.parametrize("module", sorted(m for m in MODULES if m))
def test_imports_go_one_way(module):
    rank = LAYERS.index(_layer(module))
    upward = sorted(m for m in GRAPH[module] if m and LAYERS.index(_layer(m)) > rank)
    assert upward == [], f"engine.{module} (layer {_layer(module)}) imports a higher layer: {upward}"


def test_no_import_cycles():
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(node: str) -> None:
        state[node] = 1
        stack.append(node)
        for nxt in sorted(GRAPH.get(node, ())):
            # A package importing its own submodules is how a package re-exports, not a cycle.
            if nxt.startswith(node + ".") if node else True:
                continue
            if state.get(nxt) == 1:
                cycle = stack[stack.index(nxt):] + [nxt]
                raise AssertionError("import cycle: " + " -> ".join(cycle))
            if state.get(nxt) is None:
                visit(nxt)
        stack.pop()
        state[node] = 2

    for name in sorted(GRAPH):
        if state.get(name) is None:
            visit(name)


def test_public_api_from_the_package_itself():
    import regelwerk

    for name in regelwerk.__all__:
        assert getattr(regelwerk, name) is not None, name
    assert regelwerk.Engine is importlib.import_module("regelwerk.engine.deciding.api").Engine
    assert issubclass(regelwerk.CaseError, regelwerk.RegelwerkError)
    typed = Path(regelwerk.__file__).parent / "py.typed"
    assert typed.is_file(), "the package ships py.typed"


def test_python_dash_m_regelwerk():
    done = subprocess.run([sys.executable, "-m", "regelwerk", "--version"],
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("regelwerk, version ")


MAX_FUNCTION_LINES = 60  # a function one reads in one sitting (its docstring not counted)


def test_no_function_in_the_engine_is_longer_than_one_sitting():
    long = []
    for path in sorted(ENGINE.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                body = node.body
                first = body[1] if (len(body) > 1 and isinstance(body[0], ast.Expr)
                                    and isinstance(body[0].value, ast.Constant)
                                    and isinstance(body[0].value.value, str)) else body[0]
                lines = node.end_lineno - first.lineno + 1
                if lines > MAX_FUNCTION_LINES:
                    long.append(f"{path.relative_to(ENGINE.parent)}:{node.lineno} "
                                f"{node.name} ({lines} lines)")
    assert long == [], f"functions over {MAX_FUNCTION_LINES} lines: {long}"


def test_ruff_is_clean_with_the_projects_rules():
    """ruff with the rules pyproject.toml chooses, complexity and branches capped at 15."""
    root = ENGINE.parent
    done = subprocess.run([sys.executable, "-m", "ruff", "check", "--no-cache", "engine", "tests"],
                          capture_output=True, text=True, cwd=root, timeout=120)
    assert done.returncode == 0, done.stdout + done.stderr
