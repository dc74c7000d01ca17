"""The cache of validated rule files: used when the bytes are the same, never trusted blindly.

An entry that was edited, damaged, swapped, replaced by a pipe or a bomb, or lies in a folder
others may write, is never used: the answer comes from the rule file (or the holiday package)
and is the same as without a cache; nothing hangs, nothing crashes."""

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
    from regelwerk.engine.ops import calendars

    calendars._holidays_of.cache_clear()  # holidays remembered in memory are not looked up
    rulecache._private_folders.clear()
    yield folder
    calendars._holidays_of.cache_clear()
    rulecache._private_folders.clear()


def entries(folder):
    return sorted(p for p in (folder / "rules").iterdir() if not p.name.startswith("."))


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
    assert list((cache / "holidays").glob("*.json"))


def test_kept_holidays_that_are_damaged_or_not_holidays_are_built_again(cache):
    import datetime as dt

    from regelwerk.engine.ops import calendars

    key = f"BE::2031:{rulecache.package_stamp('holidays')}"
    rulecache.store_data("holidays", key, {"2031-01-01": 42})  # a name must be text
    calendars._holidays_of.cache_clear()
    built = calendars._holidays_of("BE", None, 2031)
    assert built[dt.date(2031, 7, 21)]  # the national holiday, built again
    assert rulecache.load_data("holidays", key) == {d.isoformat(): n for d, n in built.items()}
    for path in (cache / "holidays").glob("*.json"):
        path.write_bytes(b"\x80\x05not a pickle")
    calendars._holidays_of.cache_clear()
    assert calendars._holidays_of("BE", None, 2031) == built
    rulecache.store_data("holidays", key, {"2030-12-25": "Kerstmis van een ander jaar"})
    calendars._holidays_of.cache_clear()
    assert calendars._holidays_of("BE", None, 2031) == built


# ------------------------------------------------------------------ hostile entries

GELDIG = ("go.vormingsattest.geldigheid", {"vormingsattest": {"datum": "2019-05-10"}},
          "2026-05-10")
KLACHT = ("ovsg.klacht.antwoordtermijn",
          {"klacht": {"ontvangen_op": "2026-06-01", "schriftelijk": True}}, "2026-11-22")


def answer(what=GELDIG):
    return Engine().decide(*what).as_dict()["result"]


def _rewrite(path, old: bytes, new: bytes, *, rehash: bool = False) -> None:
    """Change an entry's payload, and with `rehash` its header too (as a forger would)."""
    raw = path.read_bytes()
    assert old in raw
    head, _, payload = raw.partition(b"\n")
    payload = payload.replace(old, new)
    if rehash:
        import hashlib
        import json

        header = json.loads(head)
        header.update(size=len(payload), sha256=hashlib.sha256(payload).hexdigest())
        head = json.dumps(header).encode()
    path.write_bytes(head + b"\n" + payload)


def _entry_holding(cache, text: bytes):
    found = [e for e in entries(cache) if text in e.read_bytes()]
    assert len(found) == 1
    return found[0]


def test_an_edited_parameter_in_an_entry_changes_no_answer(cache):
    right = answer()
    assert right["geldig"] is True and right["uiterste_datum"] == "2026-05-10"
    entry = _entry_holding(cache, b'"geldigheid_jaren"')
    _rewrite(entry, b'"value":7', b'"value":1')
    assert answer() == right
    assert b'"value":7' in entry.read_bytes()  # built again from the rule file


def test_an_added_holiday_in_the_cache_moves_no_deadline(cache):
    import json

    from regelwerk.engine.ops import calendars

    right = answer(KLACHT)
    assert right["uiterste_antwoorddatum"] == "2026-08-17"
    (entry,) = (cache / "holidays").glob("*.json")
    raw = entry.read_bytes()
    head, _, payload = raw.partition(b"\n")
    days = json.loads(payload)
    days.update({f"2026-06-{d:02}": "verzonnen" for d in range(2, 30)})
    entry.write_bytes(head + b"\n" + json.dumps(days).encode())
    calendars._holidays_of.cache_clear()
    assert answer(KLACHT) == right


def test_an_entry_of_another_file_is_not_used(cache):
    right = answer()
    mine = _entry_holding(cache, b'"geldigheid_jaren"')
    other = next(e for e in entries(cache) if e != mine)
    mine.write_bytes(other.read_bytes())
    assert answer() == right


def test_an_entry_of_another_engine_version_is_not_used(cache):
    import json

    right = answer()
    entry = _entry_holding(cache, b'"geldigheid_jaren"')
    _rewrite(entry, b'"value":7', b'"value":1', rehash=True)  # hashes right, but...
    head, _, payload = entry.read_bytes().partition(b"\n")
    header = json.loads(head)
    header["engine"] = "0" * 64  # ...made by another version of regelwerk
    entry.write_bytes(json.dumps(header).encode() + b"\n" + payload)
    assert answer() == right


HANG = """\
import os, sys
from regelwerk.engine.deciding.api import Engine
case = {"vormingsattest": {"datum": "2019-05-10"}}
print(Engine().decide("go.vormingsattest.geldigheid", case, "2026-05-10").outputs["geldig"])
"""


def _fresh_process(cache) -> str:
    """Decide in a new process (so nothing is remembered in memory); fails if it hangs."""
    import subprocess
    import sys

    env = dict(os.environ, REGELWERK_CACHE_DIR=str(cache))
    done = subprocess.run([sys.executable, "-c", HANG], capture_output=True, text=True,
                          env=env, timeout=60, check=False)
    assert done.returncode == 0 and "Traceback" not in done.stderr, done.stderr
    return done.stdout.strip()


def test_a_pipe_or_a_link_in_place_of_an_entry_is_not_waited_for(cache):
    assert _fresh_process(cache) == "True"
    for i, entry in enumerate(entries(cache)):
        entry.unlink()
        if i % 2:
            os.mkfifo(entry)  # opening it for reading would wait for a writer forever
        else:
            entry.symlink_to("/dev/zero")  # an endless file
    assert _fresh_process(cache) == "True"


def test_bombs_and_damage_in_entries_are_misses(cache):
    assert _fresh_process(cache) == "True"
    bomb = b"(lp0\n" + b"".join(b"(g0\ng0\ng0\ng0\ng0\ng0\ng0\ng0\nlp%d\n" % (i + 1)
                                 for i in range(60)) + b"."  # pickle: 8**60 by reference
    nested = b"[" * 200_000 + b"]" * 200_000
    shapes = [b"", b"\n", bomb, nested, b'{"format": 2}\n{}', b"\x00" * 1000]
    for i, entry in enumerate(entries(cache)):
        shape = shapes[i % len(shapes)]
        if shape is nested:  # with a header that vouches for it: too deep is a miss too
            import hashlib
            import json

            head = json.loads(entry.read_bytes().partition(b"\n")[0])
            head.update(size=len(nested), sha256=hashlib.sha256(nested).hexdigest())
            shape = json.dumps(head).encode() + b"\n" + nested
        entry.write_bytes(shape)
    assert _fresh_process(cache) == "True"
    huge = entries(cache)[0]
    with huge.open("r+b") as handle:
        handle.truncate(rulecache.MAX_ENTRY_BYTES + 1)  # sparse: no disk used
    assert _fresh_process(cache) == "True"


def test_a_cache_folder_others_may_write_is_not_used(cache, monkeypatch):
    right = answer()
    rules = cache / "rules"
    rules.chmod(0o777)
    rulecache._private_folders.clear()
    from regelwerk.engine.rulefiles import yamlsource

    parsed = []
    real = yamlsource.load_yaml_bytes
    monkeypatch.setattr(yamlsource, "load_yaml_bytes",
                        lambda *a, **k: parsed.append(a[1]) or real(*a, **k))
    assert answer() == right
    assert len(parsed) >= 6  # every file read from its YAML again
    rulecache._private_folders.clear()


def test_cache_folders_are_made_for_their_owner_only(cache):
    answer(KLACHT)
    for folder in (cache, cache / "rules", cache / "holidays"):
        assert folder.stat().st_mode & 0o077 == 0, folder
    assert all(e.stat().st_mode & 0o077 == 0 for e in entries(cache))
