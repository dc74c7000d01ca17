"""Every GO! acceptance case of tests/data/go_boundaries.yaml, decided through the CLI.

The expectations were derived by hand from the regulation (seed 004) and regulations.md,
independently of the engine; see the description of each case.
"""

from __future__ import annotations

import json

import pytest
from conftest import DATA, write_case
from ruamel.yaml import YAML

CASES = YAML(typ="safe").load((DATA / "go_boundaries.yaml").read_text(encoding="utf-8"))


@pytest.mark.parametrize("item", CASES, ids=[c["id"] for c in CASES])
def test_go_boundary(cli, tmp_path, item):
    check_boundary(cli, tmp_path, item)


def check_boundary(cli, tmp_path, item: dict) -> None:
    """Decide one acceptance item through the CLI and compare as the data file's header says."""
    res = cli("decide", item["decision"], "--case", write_case(tmp_path, item["case"]),
              "--on", str(item["on"]), "--format", "json")
    if item.get("expect_error"):
        assert res.exit_code != 0, res.stdout
        assert res.stderr.startswith("error: "), res.stderr
        assert len(res.stderr.strip().splitlines()) == 1
        return
    assert res.exit_code == 0, res.stderr
    result = json.loads(res.stdout)["result"]
    for key, want in (item.get("expect") or {}).items():
        assert result[key] == want, f"{key}: expected {want!r}, got {result[key]!r}"
    for key, n in (item.get("expect_len") or {}).items():
        assert len(result[key]) == n, f"{key}: expected {n} items, got {result[key]!r}"
    for key, wants in (item.get("expect_items") or {}).items():
        got = result[key]
        assert len(got) == len(wants), f"{key}: {got!r}"
        for g, w in zip(got, wants):
            assert {k: g[k] for k in w} == w, f"{key}: expected {w!r} in {g!r}"


def test_the_data_covers_every_go_decision():
    decisions = {c["decision"] for c in CASES}
    assert decisions == {
        "go.jobtraining.toelating", "go.jobtraining.mentor", "go.jobtraining.duur",
        "go.jobtraining.contactmomenten", "go.jobtraining.dossier",
        "go.vormingsattest.geldigheid",
    }
