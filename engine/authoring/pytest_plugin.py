"""pytest plugin: every worked example of a `*.cases.yaml` file is a test item.

Registered through the `pytest11` entry point, so `pytest` collects the same files that
`regelwerk rules test` runs, with the same rules: the examples of a folder are decided with
the rule files of that folder (replacing installed rule sets of the same id). A failure
reads as expected versus got, with the trail of the decision.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

import pytest


def pytest_collect_file(file_path: Path, parent: pytest.Collector):
    from .examples import is_example_file

    if is_example_file(file_path):
        return ExampleFileNode.from_parent(parent, path=file_path)
    return None


@cache
def _engine_for(folder: str) -> Any:
    """One engine per folder of examples, built once per test session."""
    from ..deciding.api import Engine
    from .examples import rule_dirs_for

    return Engine(rule_dirs_for([Path(folder)]))


class ExampleFailed(Exception):
    """An example whose decision differs from what it expects."""


class ExampleFileNode(pytest.File):
    """A `.cases.yaml` file: one item per example."""

    def collect(self):
        from .examples import load_example_file

        example_file = load_example_file(self.path)
        if example_file.problems:
            raise self.CollectError("\n".join(str(p) for p in example_file.problems))
        for example in example_file.examples:
            yield ExampleItem.from_parent(self, name=example.name, example=example)


class ExampleItem(pytest.Item):
    """One worked example, decided and compared when the test runs."""

    def __init__(self, *, example: Any, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.example = example

    def runtest(self) -> None:
        from .examples import render_failure, run_example

        outcome = run_example(_engine_for(str(self.path.parent)), self.example)
        if not outcome.passed:
            raise ExampleFailed(render_failure(outcome))

    def repr_failure(self, excinfo: pytest.ExceptionInfo[BaseException], style=None) -> str:
        if isinstance(excinfo.value, ExampleFailed):
            return str(excinfo.value)
        return super().repr_failure(excinfo, style=style)

    def reportinfo(self) -> tuple[Path, int, str]:
        return self.path, self.example.line - 1, f"{self.example.decision}: {self.name}"
