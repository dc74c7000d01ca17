"""The plugins' entry points are kept in the cache between starts; installing, upgrading or
removing a plugin distribution is seen at the next start all the same."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from fake_install import register_distribution, site_fixture  # noqa: F401 - the fixture `site`
from regelwerk.engine.ops.plugins import load_plugins

EXTRA = '''
from regelwerk.engine.ops.hookspecs import hookimpl


@hookimpl
def regelwerk_register_operations(register):
    pass
'''


@pytest.fixture
def cached(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "cache"
    monkeypatch.setenv("REGELWERK_CACHE_DIR", str(folder))
    monkeypatch.delenv("REGELWERK_NO_CACHE", raising=False)
    return folder


def _versions() -> dict[str, str]:
    return {info.name: info.version for info in load_plugins().plugins}


def test_a_plugin_installed_upgraded_and_removed_is_seen_through_the_cache(site, cached):
    (site / "extra_plugin.py").write_text(EXTRA, encoding="utf-8")
    before = _versions()
    assert "extra" not in before and {"go", "ovsg", "omo"} <= set(before)
    assert (cached / "entry-points").is_dir()  # the scan is kept for the next start

    dist = register_distribution(site, "regelwerk-extra", "1.0", {"extra": "extra_plugin"})
    assert _versions()["extra"] == "1.0"
    assert _versions()["extra"] == "1.0"  # from the cache, the same

    shutil.rmtree(dist)
    register_distribution(site, "regelwerk-extra", "2.0", {"extra": "extra_plugin"})
    assert _versions()["extra"] == "2.0"

    for folder in site.glob("regelwerk_extra-*.dist-info"):
        shutil.rmtree(folder)
    assert _versions() == before


def test_an_entry_point_rewritten_in_place_is_seen(site, cached):
    (site / "extra_plugin.py").write_text(EXTRA, encoding="utf-8")
    (site / "other_plugin.py").write_text(EXTRA, encoding="utf-8")
    register_distribution(site, "regelwerk-extra", "1.0", {"extra": "extra_plugin"})
    assert "extra" in _versions()
    register_distribution(site, "regelwerk-extra", "1.0", {"andere": "other_plugin:"})
    names = set(_versions())
    assert "andere" in names and "extra" not in names
