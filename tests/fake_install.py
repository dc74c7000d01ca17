"""Install a plugin package the way pip would, as far as regelwerk can tell, without pip.

`pip install` puts a package's modules and package data on `sys.path` and writes a
`*.dist-info` folder whose `entry_points.txt` is what `importlib.metadata.entry_points`
reads. Doing the same into a temporary folder keeps the tests offline, fast and free of
changes to the test environment, and it reads the package's own `pyproject.toml`: a
missing entry point or `package-data` line shows up here as it would after a real install.
"""

from __future__ import annotations

import shutil
import sys
import tomllib
from pathlib import Path

import pytest


def register_distribution(site: Path, name: str, version: str,
                          entry_points: dict[str, str]) -> Path:
    """Write `<name>-<version>.dist-info` with METADATA and the `regelwerk` entry points."""
    dist = site / f"{name.replace('-', '_')}-{version}.dist-info"
    dist.mkdir(parents=True, exist_ok=True)
    (dist / "METADATA").write_text(
        f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n", encoding="utf-8")
    lines = ["[regelwerk]"] + [f"{key} = {value}" for key, value in entry_points.items()]
    (dist / "entry_points.txt").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return dist


def install(package: Path, site: Path) -> None:
    """Install a setuptools package with a src layout into `site`, as pip would lay it out."""
    config = tomllib.loads((package / "pyproject.toml").read_text(encoding="utf-8"))
    project, setuptools = config["project"], config.get("tool", {}).get("setuptools", {})
    where = [package / w for w in setuptools.get("packages", {}).get("find", {}).get("where", ["."])]
    package_data = setuptools.get("package-data", {})
    for root in where:
        for init in root.rglob("__init__.py"):
            pkg_dir = init.parent
            dotted = ".".join(pkg_dir.relative_to(root).parts)
            target = site / pkg_dir.relative_to(root)
            target.mkdir(parents=True, exist_ok=True)
            for module in pkg_dir.glob("*.py"):
                shutil.copy(module, target / module.name)
            for pattern in package_data.get(dotted, []):
                for data in pkg_dir.glob(pattern):
                    (target / data.relative_to(pkg_dir)).parent.mkdir(parents=True, exist_ok=True)
                    shutil.copy(data, target / data.relative_to(pkg_dir))
    entry_points = project.get("entry-points", {}).get("regelwerk", {})
    register_distribution(site, project["name"], project["version"], entry_points)


@pytest.fixture(name="site")
def site_fixture(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """A folder on sys.path that acts as site-packages; modules imported from it are forgotten."""
    folder = tmp_path / "site-packages"
    folder.mkdir()
    monkeypatch.syspath_prepend(str(folder))
    before = set(sys.modules)
    yield folder
    for name in set(sys.modules) - before:
        if str(folder) in str(getattr(sys.modules[name], "__file__", "") or ""):
            del sys.modules[name]
