"""A broken rule file is reported at its line and column, whatever is wrong with it.

Each `tests/data/rules_bad/NAME.yaml` is paired with `NAME.expect`: the first message,
as `LINE:COL: message` (or its beginning), that loading the file must produce.
"""

from __future__ import annotations

import shutil

import pytest
from conftest import DATA

BAD = sorted((DATA / "rules_bad").glob("*.yaml"))


@pytest.mark.parametrize("path", BAD, ids=[p.stem for p in BAD])
def test_broken_rule_file(cli, tmp_path, path):
    shutil.copy(path, tmp_path / path.name)
    expected = path.with_suffix(".expect").read_text(encoding="utf-8").strip()
    res = cli("--rules", str(tmp_path), "rules", "list")
    assert res.exit_code == 3
    first = res.stderr.splitlines()[0]
    assert first.startswith(f"error: {tmp_path / path.name}:{expected}")


def test_every_problem_of_a_file_is_reported_at_once(cli, tmp_path):
    text = (DATA / "rules_bad" / "misspelt_parameter.yaml").read_text(encoding="utf-8")
    text = text.replace("title: Besluit", "title: Besluit\n        citaat: x")
    (tmp_path / "two.yaml").write_text(text, encoding="utf-8")
    res = cli("--rules", str(tmp_path), "rules", "list")
    assert res.exit_code == 3
    assert "unknown key 'citaat'; did you mean 'citation'?" in res.stderr
    # schema errors come first; the expression is checked once the structure is sound
    (tmp_path / "two.yaml").write_text(
        text.replace("        citaat: x\n", "").replace("outputs:\n          groot: groot",
                                                       "outputs:\n          groot: grot"))
    res = cli("--rules", str(tmp_path), "rules", "list")
    lines = res.stderr.strip().splitlines()
    assert len(lines) == 2
    assert "unknown name 'drempl'" in lines[0] and "unknown name 'grot'" in lines[1]
