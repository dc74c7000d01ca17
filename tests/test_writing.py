"""Writing never replaces what is not ours: `rules docs -o PATH` and `rules new-version`
replace only a regular file, follow a symbolic link to the file it names, and keep the
file's permissions. A device, a pipe or a folder at the path is refused (exit 2)."""

from __future__ import annotations

import os
import stat

import pytest
from test_hostile import _clean

DOCS = ("rules", "docs", "go.jobtraining", "--on", "2026-01-01")


def _special(kind: str, path):
    if kind == "pipe":
        os.mkfifo(path)
    elif kind == "folder":
        path.mkdir()
    else:  # a character device like /dev/null: only root may make one
        try:
            os.mknod(path, stat.S_IFCHR | 0o666, os.makedev(1, 3))
        except (PermissionError, AttributeError):
            pytest.skip("making a device needs root")


@pytest.mark.parametrize("kind, said", [("pipe", "a pipe"), ("device", "a device"),
                                        ("folder", "a folder")])
@pytest.mark.parametrize("linked", [False, True])
def test_docs_are_never_written_over_something_not_a_file(cli, tmp_path, kind, said, linked):
    target = tmp_path / "target"
    _special(kind, target)
    mode = os.lstat(target).st_mode
    given = target
    if linked:
        given = tmp_path / "link.md"
        given.symlink_to(target)
    res = cli(*DOCS, "-o", str(given))
    assert res.exit_code == 2
    assert _clean(res) == (f"error: cannot write {given}: it is {said}, not a regular file; "
                           "nothing was written")
    assert os.lstat(target).st_mode == mode  # still what it was
    assert given.is_symlink() == linked
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted({"target", given.name})


def test_docs_written_through_a_link_replace_the_file_it_names_and_keep_its_mode(cli, tmp_path):
    real = tmp_path / "real.md"
    real.write_text("oud\n", encoding="utf-8")
    real.chmod(0o640)
    link = tmp_path / "link.md"
    link.symlink_to(real)
    res = cli(*DOCS, "-o", str(link))
    assert res.exit_code == 0, res.stderr
    assert link.is_symlink() and link.resolve() == real
    assert real.read_text(encoding="utf-8").startswith("#")
    assert stat.S_IMODE(real.stat().st_mode) == 0o640
    assert sorted(p.name for p in tmp_path.iterdir()) == ["link.md", "real.md"]


def test_new_version_of_a_linked_rule_file_edits_the_file_where_it_lives(cli, tmp_path,
                                                                         rules_copy):
    source = rules_copy("go")
    real = source / "jobtraining.yaml"
    real.chmod(0o604)
    draft = tmp_path / "draft"
    draft.mkdir()
    (draft / "jobtraining.yaml").symlink_to(real)
    res = cli("--rules", str(draft), "rules", "new-version", "go.jobtraining",
              "--from", "2030-01-01", "--set", "duur_maanden=12")
    assert res.exit_code == 0, res.stderr
    assert (draft / "jobtraining.yaml").is_symlink()
    assert 'version: "2030-01-01"' in real.read_text(encoding="utf-8")
    assert stat.S_IMODE(real.stat().st_mode) == 0o604
    assert [p.name for p in draft.iterdir()] == ["jobtraining.yaml"]
    assert not [p for p in source.iterdir() if p.name.endswith(".tmp")]
