"""The guide plugins/README.md, followed as written: its files, its commands, its tests.

The package the guide shows is written file by file from the guide's code blocks into a
temporary folder, installed (see fake_install.py), and every shell command of its "How to
test it" section is run through the command line; the guide's own pytest file then runs
against it. If the guide and regelwerk drift apart, this fails.
"""

from __future__ import annotations

import importlib.util
import re
import shlex
from datetime import date
from pathlib import Path

import pytest
from fake_install import install, site_fixture  # noqa: F401 - the fixture `site`
from regelwerk.engine.authoring.examples import load_example_file, render_failure, run_example
from regelwerk.engine.deciding.api import Engine
from regelwerk.engine.ops.plugins import hook_names

GUIDE = Path(__file__).parents[1] / "plugins" / "README.md"
TEXT = GUIDE.read_text(encoding="utf-8")
# "`path/of/a/file`:" on its own line, a blank line, then the fenced block with its content
FILE_BLOCK = re.compile(r"^`([^`\s]+)`:\n\n```[a-z]*\n(.*?)^```", re.MULTILINE | re.DOTALL)
SHELL_BLOCK = re.compile(r"^```sh\n(.*?)^```", re.MULTILINE | re.DOTALL)


def guide_files() -> dict[str, str]:
    return dict(FILE_BLOCK.findall(TEXT))


def section(title: str) -> str:
    start = TEXT.index(f"## {title}\n")
    end = TEXT.find("\n## ", start + 1)
    return TEXT[start:] if end < 0 else TEXT[start:end]


@pytest.fixture
def written(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The guide's package written into a working folder, which becomes the current one."""
    work = tmp_path / "work"
    for name, content in guide_files().items():
        path = work / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(content, encoding="utf-8")
    monkeypatch.chdir(work)
    return work


def run_shell_line(line: str, cli, site_dir: Path, outputs: list) -> None:
    """The three kinds of command the guide uses: pip install, echo into a file, regelwerk."""
    words = shlex.split(line)
    if words[:3] == ["pip", "install", "-e"]:
        install(Path(words[3]), site_dir)
    elif words[0] == "echo":
        assert words[2] == ">", line
        Path(words[3]).write_text(words[1], encoding="utf-8")
    else:
        assert words[0] == "regelwerk", f"the guide runs a command this test does not know: {line}"
        result = cli(*words[1:])
        assert result.exit_code == 0, f"{line}\n{result.stderr}"
        assert result.stderr == "", result.stderr
        outputs.append(result.stdout)


def test_the_guide_shows_a_complete_package():
    files = guide_files()
    assert set(files) == {
        "regelwerk-voorbeeld/pyproject.toml",
        "regelwerk-voorbeeld/src/regelwerk_voorbeeld/__init__.py",
        "regelwerk-voorbeeld/src/regelwerk_voorbeeld/rules/aanvraag.yaml",
        "regelwerk-voorbeeld/src/regelwerk_voorbeeld/rules/aanvraag.cases.yaml",
        "regelwerk-voorbeeld/tests/test_voorbeeld.py",
    }


def test_following_the_guide_decides_and_explains_the_new_organisation(cli, written, site):
    outputs: list[str] = []
    for block in SHELL_BLOCK.findall(section("How to test it")):
        for line in block.strip().splitlines():
            run_shell_line(line, cli, site, outputs)
    listing, decided, explained = outputs
    # what the guide promises each command shows
    assert re.search(r"^voorbeeld 0\.1\.0  \(regelwerk_voorbeeld\)$", listing, re.MULTILINE)
    assert "rule sets:  voorbeeld.aanvraag" in listing
    assert "voorbeeld.be (Belgische werkdagen, BE)" in listing
    for org in ("go", "ovsg", "omo"):
        assert re.search(rf"^{org} \S+  \(regelwerk\.plugins\.{org}\)$", listing, re.MULTILINE)
    assert re.search(r"uiterste_beslisdatum\s+2026-05-11", decided)
    assert "voorbeeldreglement.txt art. 3" in explained
    assert "2026-05-01 (feestdag: Dag van de Arbeid)" in explained
    assert "regelset: voorbeeld.aanvraag versie 2025-01-01" in explained


def test_the_guides_own_tests_pass(written, site):
    install(written / "regelwerk-voorbeeld", site)
    path = written / "regelwerk-voorbeeld" / "tests" / "test_voorbeeld.py"
    spec = importlib.util.spec_from_file_location("guide_test_voorbeeld", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    tests = [getattr(module, n) for n in dir(module) if n.startswith("test_")]
    assert len(tests) == 2
    for test in tests:
        test()


def test_the_guides_example_cases_hold(written, site):
    install(written / "regelwerk-voorbeeld", site)
    cases_file = written / "regelwerk-voorbeeld/src/regelwerk_voorbeeld/rules/aanvraag.cases.yaml"
    engine = Engine()
    examples = load_example_file(cases_file)
    assert examples.examples and not examples.problems
    for example in examples.examples:
        outcome = run_example(engine, example)
        assert outcome.passed, render_failure(outcome)


def test_without_package_data_the_plugin_is_named_as_failed(cli, written, site):
    """The guide warns that the package-data line is needed; without it the plugin fails."""
    pyproject = written / "regelwerk-voorbeeld" / "pyproject.toml"
    text = pyproject.read_text(encoding="utf-8")
    pyproject.write_text(text.split("[tool.setuptools.package-data]")[0], encoding="utf-8")
    install(written / "regelwerk-voorbeeld", site)
    listing = cli("plugins")
    assert listing.exit_code == 0
    assert re.search(r"^voorbeeld 0\.1\.0 .*\n  error: rule folder .*rules does not exist",
                     listing.stdout, re.MULTILINE)
    assert "rule sets:  ovsg.begeleiding, ovsg.klacht, ovsg.werkingscode" in listing.stdout


def test_every_hook_is_documented_in_the_guide():
    reference = section("Hook reference")
    assert hook_names(), "no hooks found"
    for name in hook_names():
        assert f"### `{name}(register)`" in reference, f"{name} is not documented"


def test_the_operation_example_of_the_guide_works(tmp_path):
    """The snippet of the operations hook, registered as a plugin, adds a usable operation."""
    block = re.search(r"### `regelwerk_register_operations\(register\)`.*?```python\n(.*?)```",
                      TEXT, re.DOTALL)[1]
    module_path = tmp_path / "voorbeeld_ops.py"
    module_path.write_text(block, encoding="utf-8")
    spec = importlib.util.spec_from_file_location("voorbeeld_ops", module_path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    engine = Engine(plugins=[("voorbeeld-ops", module)])
    info = {p.name: p for p in engine.contributions.plugins}["voorbeeld-ops"]
    assert info.error is None
    assert info.operations == ["voorbeeld_weeks_between"]
    op = engine.contributions.operations.get("voorbeeld_weeks_between")
    assert op.fn(date(2026, 1, 1), date(2026, 1, 22)) == 3
