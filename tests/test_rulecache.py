"""The cache of validated rule files: used when the bytes are the same, never trusted blindly."""

from __future__ import annotations

import os
import pickle

import pytest
from regelwerk.engine.base import cache as rulecache
from regelwerk.engine.base.errors import RuleFileError
from regelwerk.engine.deciding.api import Engine


@pytest.fixture
def cache(tmp_path, monkeypatch):
    folder = tmp_path / "cache"
    monkeypatch.setenv("REGELWERK_CACHE_DIR", str(folder))
    monkeypatch.delenv("REGELWERK_NO_CACHE", raising=False)
    return folder


def entries(folder):
    return sorted((folder / "rules").glob("*.pickle"))


def decide(engine):
    case = {"klacht": {"ontvangen_op": "2026-06-01", "schriftelijk": True}}
    return engine.decide("ovsg.klacht.antwoordtermijn", case, "2026-11-22").as_dict()


def test_second_start_reads_the_cache_and_decides_the_same(cache, monkeypatch):
    first = decide(Engine())
    stored = entries(cache)
    assert len(stored) >= 6  # one per installed rule file

    from regelwerk.engine.rulefiles import yamlsource

    def no_yaml(*args, **kwargs):
        raise AssertionError("a cached rule file was parsed again")

    monkeypatch.setattr(yamlsource, "load_yaml_bytes", no_yaml)
    assert decide(Engine()) == first
    assert entries(cache) == stored


def test_damaged_entries_are_ignored_and_rebuilt(cache):
    first = decide(Engine())
    for entry in entries(cache):
        entry.write_bytes(b"\x80\x05not a pickle")
    assert decide(Engine()) == first
    assert all(not e.read_bytes().startswith(b"\x80\x05not") for e in entries(cache))


def test_an_entry_cannot_run_code(cache, tmp_path):
    Engine()
    marker = tmp_path / "ran"

    class Evil:
        def __reduce__(self):
            return (os.system, (f"touch {marker}",))

    for entry in entries(cache):
        entry.write_bytes(pickle.dumps((rulecache.FORMAT, Evil(), {}, {})))
    decide(Engine())
    assert not marker.exists()


def test_an_edited_file_is_read_again_and_its_errors_reported(cache, rules_copy):
    folder = rules_copy("ovsg")
    Engine([str(folder)])
    path = folder / "klacht.yaml"
    path.write_text(path.read_text().replace("antwoordtermijn:\n        value: 30",
                                             "antwoordtermijn:\n        valeu: 30"))
    with pytest.raises(RuleFileError) as err:
        Engine([str(folder)]).decide("ovsg.klacht.antwoordtermijn", {}, "2026-11-22")
    assert "klacht.yaml" in str(err.value) and "valeu" in str(err.value)


def test_positions_survive_the_cache(cache, rules_copy):
    """A compile error in a file whose YAML is cached still names its line and column."""
    folder = rules_copy("go")
    path = folder / "vormingsattest.yaml"
    text = path.read_text()
    Engine([str(folder)])
    broken = text.replace("add_years(vormingsattest.datum, geldigheid_jaren)",
                          "add_years(vormingsattest.datum, geldigheid_jaaren)")
    path.write_text(broken)
    problems_fresh = Engine([str(folder)]).catalog.errors()
    problems_cached = Engine([str(folder)]).catalog.errors()
    assert problems_fresh == problems_cached
    assert any("geldigheid_jaaren" in p.message and p.line > 1 for p in problems_cached)


def test_off_switch(cache, monkeypatch):
    monkeypatch.setenv("REGELWERK_NO_CACHE", "1")
    Engine()
    assert not cache.exists()


KEEP_HOLIDAYS = """\
import sys
from regelwerk.engine.deciding.api import Engine
case = {"klacht": {"ontvangen_op": "2026-06-01", "schriftelijk": True}}
result = Engine().decide("ovsg.klacht.antwoordtermijn", case, "2026-11-22")
print(result.outputs["uiterste_antwoorddatum"], "holidays" in sys.modules)
"""


def test_a_years_holidays_are_kept_so_a_later_start_needs_no_holiday_package(cache):
    import subprocess
    import sys

    runs = [subprocess.run([sys.executable, "-c", KEEP_HOLIDAYS], capture_output=True,
                           text=True, env=dict(os.environ), check=True).stdout.split()
            for _ in range(2)]
    assert runs == [["2026-08-17", "True"], ["2026-08-17", "False"]]
    assert list((cache / "holidays").glob("*.pickle"))


def test_kept_holidays_that_are_damaged_or_not_holidays_are_built_again(cache):
    import datetime as dt

    from regelwerk.engine.ops import calendars

    key = f"BE::2031:{rulecache.package_stamp('holidays')}"
    rulecache.store_data("holidays", key, {dt.date(2031, 1, 1): 42})  # a name must be text
    calendars._holidays_of.cache_clear()
    built = calendars._holidays_of("BE", None, 2031)
    assert built[dt.date(2031, 7, 21)]  # the national holiday, built again
    assert rulecache.load_data("holidays", key) == dict(built)
    for path in (cache / "holidays").glob("*.pickle"):
        path.write_bytes(b"\x80\x05not a pickle")
    calendars._holidays_of.cache_clear()
    assert calendars._holidays_of("BE", None, 2031) == built
