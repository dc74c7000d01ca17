"""The pre-commit hooks (.pre-commit-hooks.yaml) in a policy repository, run by pre-commit
itself on a temporary git repository, with this checkout as the hook repository.

Slow on purpose (about a minute, once per run): pre-commit builds a virtual environment and
installs this checkout into it from its path, with its dependencies from the package index,
exactly as it would for a policy team. Nothing is fetched but packages."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def _run(args: list[str], cwd: Path, env: dict) -> subprocess.CompletedProcess:
    return subprocess.run(args, cwd=cwd, env=env, capture_output=True, text=True, timeout=900,
                          check=False)


@pytest.fixture(scope="module")
def pre_commit_home(tmp_path_factory) -> Path:
    """One pre-commit cache for the module: the hook environment is built once."""
    if not (ROOT / ".git").exists():
        pytest.skip("the hooks are tried from a git checkout of regelwerk, and this is none")
    return tmp_path_factory.mktemp("pre-commit-home")


def _policy_repo(tmp_path: Path, installed_rules: Path) -> tuple[Path, dict]:
    repo = tmp_path / "beleid"
    shutil.copytree(installed_rules / "go", repo / "my-rules")
    (repo / ".github").mkdir()
    (repo / ".github" / "ci.yml").write_text("not: [a rule file\n")  # hidden: left alone
    env = {**os.environ, "GIT_CONFIG_NOSYSTEM": "1", "HOME": str(tmp_path)}
    for args in (["git", "init", "-q"], ["git", "add", "-A"]):
        assert _run(args, repo, env).returncode == 0
    return repo, env


def _try(repo: Path, env: dict, home: Path) -> subprocess.CompletedProcess:
    return _run([sys.executable, "-m", "pre_commit", "try-repo", str(ROOT), "--all-files"],
                repo, {**env, "PRE_COMMIT_HOME": str(home)})


def test_hooks_pass_on_good_rule_files_and_stop_a_broken_one(tmp_path, installed_rules,
                                                            pre_commit_home):
    repo, env = _policy_repo(tmp_path, installed_rules)
    done = _try(repo, env, pre_commit_home)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "regelwerk rules validate" in done.stdout and "regelwerk rules test" in done.stdout
    assert "Failed" not in done.stdout

    # a worked example that no longer holds: validate passes, test stops the commit
    examples = repo / "my-rules" / "vormingsattest.cases.yaml"
    examples.write_text(examples.read_text(encoding="utf-8").replace(
        "geldig: true", "geldig: false", 1), encoding="utf-8")
    assert _run(["git", "add", "-A"], repo, env).returncode == 0
    done = _try(repo, env, pre_commit_home)
    assert done.returncode == 1
    assert "FAILED my-rules/vormingsattest.cases.yaml:" in done.stdout
    assert done.stdout.count("Failed") == 1

    # a rule file YAML cannot read: both hooks stop the commit and say what to change
    rules = repo / "my-rules" / "jobtraining.yaml"
    text = rules.read_text(encoding="utf-8")
    rules.write_text(text.replace("label: Vormingsattest afgeleverd vanaf",
                                  "label: Vormingsattest: afgeleverd vanaf", 1), encoding="utf-8")
    assert _run(["git", "add", "-A"], repo, env).returncode == 0
    done = _try(repo, env, pre_commit_home)
    assert done.returncode == 1
    assert "put the text in quotes: label: \"Vormingsattest: afgeleverd vanaf\"" in done.stdout
    assert done.stdout.count("Failed") == 2
