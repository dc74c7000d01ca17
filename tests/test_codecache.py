"""The code objects of generated functions, kept in the cache: a warm start compiles none
and answers the same; a damaged, foreign or stale entry is ignored (and written again);
REGELWERK_NO_CACHE compiles everything and writes nothing. Each start is a process of its
own, as a user's is: only a new process makes the same generated source again."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

DATA = Path(__file__).parent / "data"
START = DATA / "codecache" / "start.py"
DECIDE = ("--no-log", "decide", "ovsg.klacht.antwoordtermijn", "--case", "-", "--on",
          "2026-11-22", "--format", "json")
CASE = json.dumps({"klacht": {"ontvangen_op": "2026-06-01", "schriftelijk": True}})


def start(cache: Path, *args: str, no_cache: bool = False, cwd: Path | None = None,
          stdin: str = CASE) -> tuple[str, int]:
    """(stdout, how many generated functions were compiled) of one start."""
    env = {**os.environ, "REGELWERK_CACHE_DIR": str(cache), "REGELWERK_LANG": "en"}
    env.pop("REGELWERK_NO_CACHE", None)
    if no_cache:
        env["REGELWERK_NO_CACHE"] = "1"
    done = subprocess.run([sys.executable, str(START), *args], input=stdin, env=env, cwd=cwd,
                          capture_output=True, text=True, timeout=120)
    assert "Traceback" not in done.stderr, done.stderr
    last = done.stderr.splitlines()[-1]
    assert last.startswith("compiled "), done.stderr
    return done.stdout, int(last.split()[1])


def entries(cache: Path) -> list[Path]:
    folder = cache / "code"
    return sorted(p for p in folder.iterdir() if not p.name.startswith(".")) if folder.is_dir() else []


@pytest.fixture(scope="module")
def plain(tmp_path_factory) -> tuple[str, int]:
    """The answer and the number of functions compiled without a cache."""
    return start(tmp_path_factory.mktemp("nocache"), *DECIDE, no_cache=True)


@pytest.fixture
def warm(tmp_path) -> Path:
    cache = tmp_path / "cache"
    start(cache, *DECIDE)
    return cache


def test_a_warm_start_compiles_nothing_and_decides_the_same(tmp_path, plain):
    cache = tmp_path / "cache"
    answer, compiled = plain
    assert compiled > 20 and json.loads(answer)["result"]
    first, made = start(cache, *DECIDE)  # the first start compiles each source once
    assert first == answer and 20 < made <= compiled
    [entry] = entries(cache)
    written = entry.stat().st_mtime_ns
    assert start(cache, *DECIDE) == (answer, 0)
    assert entries(cache) == [entry] and entry.stat().st_mtime_ns == written  # not rewritten


def test_no_cache_compiles_everything_and_writes_nothing(warm, plain):
    assert start(warm, *DECIDE, no_cache=True) == plain
    empty = warm.parent / "unused"
    assert start(empty, *DECIDE, no_cache=True) == plain
    assert not empty.exists()


def damage_truncate(entry: Path) -> None:
    entry.write_bytes(entry.read_bytes()[:-100])


def damage_flip(entry: Path) -> None:  # one byte of a code object changed
    raw = bytearray(entry.read_bytes())
    raw[-50] ^= 0x01
    entry.write_bytes(bytes(raw))


def damage_other_python(entry: Path) -> None:
    """An entry whose hashes are right, about the same code made by another Python."""
    head, _, payload = entry.read_bytes().partition(b"\n")
    header = json.loads(head)
    header["subject"] = header["subject"].replace(" ", " 3.99 ", 1)
    entry.write_bytes(json.dumps(header).encode() + b"\n" + payload)


def damage_not_private(entry: Path) -> None:  # another user may write it
    entry.chmod(0o666)


def damage_garbage(entry: Path) -> None:
    entry.write_bytes(b"\xe3" * 4000)


@pytest.mark.parametrize("damage", [damage_truncate, damage_flip, damage_other_python,
                                    damage_not_private, damage_garbage])
def test_a_damaged_or_foreign_entry_is_ignored_and_written_again(warm, plain, damage):
    [entry] = entries(warm)
    damage(entry)
    answer, compiled = start(warm, *DECIDE)
    assert answer == plain[0] and compiled > 20
    assert start(warm, *DECIDE) == (plain[0], 0)  # the entry was written again, whole


def test_coverage_swaps_the_globals_of_cached_functions(tmp_path):
    authors = DATA / "authors"
    args = ("rules", "test", "--coverage", "coverage")
    cache = tmp_path / "cache"
    first, _ = start(cache, *args, cwd=authors)
    warm, compiled = start(cache, *args, cwd=authors)
    assert compiled == 0
    assert warm == first == start(cache, *args, cwd=authors, no_cache=True)[0]
    assert "test.dekking (coverage/kort.yaml): 4 of 7 (57.1%)" in warm


def test_forked_batch_workers_answer_the_same(tmp_path):
    args = ("--no-log", "decide", "--cases", str(DATA / "batch" / "mixed.jsonl"), "--on",
            "2026-01-15", "--workers", "2")
    cache = tmp_path / "cache"
    start(cache, *args)
    warm, compiled = start(cache, *args)
    assert compiled == 0
    assert warm == start(cache, *args, no_cache=True)[0]
    assert len(warm.splitlines()) > 5


def test_a_cache_folder_removed_before_the_end_is_not_made_again(tmp_path):
    cache = tmp_path / "gone"
    script = ("import os, shutil, sys; from regelwerk.engine.cli import main\n"
              "try:\n    main(sys.argv[1:])\nexcept SystemExit:\n    pass\n"
              "shutil.rmtree(os.environ['REGELWERK_CACHE_DIR'])\n")
    env = {**os.environ, "REGELWERK_CACHE_DIR": str(cache)}
    env.pop("REGELWERK_NO_CACHE", None)
    subprocess.run([sys.executable, "-c", script, *DECIDE], input=CASE, env=env, check=True,
                   capture_output=True, text=True, timeout=120)
    assert not cache.exists()
