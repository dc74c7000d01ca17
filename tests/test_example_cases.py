"""The rule folders ship worked examples for every organisation.

The examples themselves are test items of their own: the `regelwerk` pytest plugin collects
every `rules/<org>/*.cases.yaml` (see `testpaths`), so here only their presence is checked.
"""

from __future__ import annotations

from pathlib import Path

from regelwerk.engine.authoring.examples import example_paths, load_example_file

RULES = Path(__file__).parents[1] / "rules"


def test_every_organisation_has_example_cases():
    files = [load_example_file(path) for path in example_paths(RULES)]
    assert all(not f.problems for f in files), [p for f in files for p in f.problems]
    assert {f.path.parent.name for f in files} >= {"go", "ovsg", "omo"}
    assert {f.ruleset for f in files if f.examples} >= {
        "go.jobtraining", "go.vormingsattest", "ovsg.klacht", "ovsg.begeleiding",
        "ovsg.werkingscode", "omo.dienstverlening"}
