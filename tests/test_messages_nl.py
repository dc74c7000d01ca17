"""The engine speaks Dutch by default and English when asked (--lang, REGELWERK_LANG, LANG),
never both on one screen; and the Dutch catalogue is complete and compiled."""

from __future__ import annotations

import ast
import io
import re
from pathlib import Path

import pytest
from conftest import DUTCH, write_case

ROOT = Path(__file__).resolve().parents[1]
PO = ROOT / "engine" / "locale" / "nl" / "LC_MESSAGES" / "regelwerk.po"
MO = PO.with_suffix(".mo")
ENGLISH_WORDS = re.compile(r"\b(error|warning|does not|unknown|missing|expected|the)\b")


def _peildatum_error(cli, *args: str, env: dict) -> str:
    res = cli(*args, "decide", "go.jobtraining.duur", "--case", "examples/duur.json",
              "--on", "2026-02-30", env=env)
    assert res.exit_code == 1
    return res.stderr.strip()


def test_dutch_when_nothing_chooses_a_language(cli):
    assert _peildatum_error(cli, env=DUTCH) == (
        "fout: peildatum '2026-02-30' bestaat niet: februari 2026 heeft 28 dagen")


@pytest.mark.parametrize("args, env", [
    (("--lang", "en"), DUTCH),
    (("--lang", "en"), {**DUTCH, "REGELWERK_LANG": "nl"}),
    ((), {**DUTCH, "REGELWERK_LANG": "en"}),
    ((), {**DUTCH, "LANG": "en_GB.UTF-8"}),
    ((), {**DUTCH, "LC_MESSAGES": "en_US.UTF-8", "LANG": "nl_BE.UTF-8"}),
    ((), {**DUTCH, "REGELWERK_LANG": "en", "LC_ALL": "nl_BE.UTF-8"}),
])
def test_english_when_asked(cli, args, env):
    assert _peildatum_error(cli, *args, env=env) == (
        "error: peildatum '2026-02-30' does not exist: February 2026 has 28 days")


@pytest.mark.parametrize("args, env", [
    (("--lang", "nl"), {**DUTCH, "REGELWERK_LANG": "en"}),
    ((), {**DUTCH, "LANG": "nl_BE.UTF-8"}),
    ((), {**DUTCH, "LANG": "C.UTF-8"}),          # no language named: the default
    ((), {**DUTCH, "LANG": "fr_BE.UTF-8"}),      # a language regelwerk does not speak
    ((), {**DUTCH, "LC_ALL": "C", "LANG": "nl_NL.UTF-8"}),
])
def test_dutch_when_asked_or_by_default(cli, args, env):
    assert _peildatum_error(cli, *args, env=env).startswith("fout: peildatum '2026-02-30' bestaat")


def test_an_unknown_language_is_a_usage_error(cli):
    res = cli("--lang", "fr", "rules", "list")
    assert res.exit_code == 2


def test_a_rule_author_reads_validate_in_dutch(cli, rules_copy):
    folder = rules_copy("go")
    path = folder / "jobtraining.yaml"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("label: Vormingsattest afgeleverd vanaf",
                                 "label: Vormingsattest: afgeleverd vanaf", 1), encoding="utf-8")
    res = cli("--rules", str(folder), "rules", "validate", env=DUTCH)
    assert res.exit_code == 1
    lines = res.stdout.splitlines()
    assert "zet de tekst tussen aanhalingstekens: label: \"Vormingsattest: afgeleverd vanaf\"" \
        in lines[0]
    assert lines[-1].endswith(": 1 fout, 0 waarschuwingen")
    for line in lines:
        assert not ENGLISH_WORDS.search(line.split(": ", 1)[1]), line


def test_a_case_error_and_its_warning_in_dutch(cli, tmp_path):
    case = write_case(tmp_path, {"trainee": {"in_amt": True},
                                 "vormingsattest": {"datum": "2024-01-01"}})
    res = cli("decide", "go.jobtraining.toelating", "--case", case, "--on", "2026-01-01",
              env=DUTCH)
    assert res.stderr.strip() == (
        "fout: go.jobtraining.toelating: trainee.in_ambt: ontbreekt; de casus geeft "
        "'trainee.in_amt': bedoelt u 'trainee.in_ambt'?")


def test_a_warning_in_dutch(cli, tmp_path):
    case = write_case(tmp_path, {"trainee": {"in_ambt": True, "naaam": "X"},
                                 "vormingsattest": {"datum": "2024-01-01"}})
    res = cli("decide", "go.jobtraining.toelating", "--case", case, "--on", "2026-01-01",
              env=DUTCH)
    assert res.exit_code == 0
    assert res.stderr.startswith("waarschuwing: go.jobtraining.toelating: onbekend feit "
                                 "'trainee.naaam'")


# ---------------------------------------------------------------- the catalogue


def _catalogue():
    from babel.messages.pofile import read_po

    with PO.open("rb") as handle:
        return read_po(handle)


def _code_messages() -> set:
    """Every message the engine's code marks for translation, as Babel extracts them."""
    from babel.messages.extract import extract_from_dir

    method_map = [("**.py", "python")]
    keywords = {"_": None, "N_": None, "ngettext": (1, 2)}
    return {message for _file, _line, message, _comments, _context in
            extract_from_dir(str(ROOT / "engine"), method_map, keywords=keywords)}


def test_every_message_of_the_code_has_a_dutch_text():
    catalogue = _catalogue()
    untranslated = []
    for message in _code_messages():
        key = message[0] if isinstance(message, tuple) else message
        entry = catalogue.get(key)
        if entry is None or entry.fuzzy or not all(entry.string if isinstance(entry.string, tuple)
                                                   else [entry.string]):
            untranslated.append(key)
    assert untranslated == [], "messages without a Dutch text (see engine/locale/README)"


def test_every_translation_keeps_the_placeholders():
    for entry in _catalogue():
        if not entry.id:
            continue
        ids = entry.id if isinstance(entry.id, tuple) else (entry.id,)
        strings = entry.string if isinstance(entry.string, tuple) else (entry.string,)
        want = sorted(re.findall(r"\{[^{}]*\}", ids[0]))
        for string in strings:
            assert sorted(re.findall(r"\{[^{}]*\}", string)) == want, entry.id


def test_the_compiled_catalogue_is_the_po_compiled():
    from babel.messages.mofile import write_mo

    out = io.BytesIO()
    write_mo(out, _catalogue())
    assert MO.read_bytes() == out.getvalue(), (
        "regelwerk.mo is stale: pybabel compile -d engine/locale -D regelwerk")


def test_the_installed_package_has_the_compiled_catalogue():
    from importlib import resources

    mo = resources.files("regelwerk.engine").joinpath("locale", "nl", "LC_MESSAGES",
                                                       "regelwerk.mo")
    assert mo.is_file()


def test_no_function_both_binds_and_calls_underscore():
    """`x, _ = ...` in a function makes `_` local there: a `_()` in it would then fail."""
    for path in (ROOT / "engine").rglob("*.py"):
        for fn in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(fn, ast.FunctionDef | ast.AsyncFunctionDef):
                continue
            names = [n for n in ast.walk(fn) if isinstance(n, ast.Name) and n.id == "_"]
            binds = any(isinstance(n.ctx, ast.Store) for n in names)
            calls = any(isinstance(c, ast.Call) and isinstance(c.func, ast.Name)
                        and c.func.id == "_" for c in ast.walk(fn))
            assert not (binds and calls), f"{path.name}: {fn.name} binds _ and calls _()"


@pytest.mark.parametrize("args, words", [
    ((), "peildatum '2026-02-30' bestaat niet: februari 2026 heeft 28 dagen"),
    (("--lang", "en"), "peildatum '2026-02-30' does not exist: February 2026 has 28 days"),
])
def test_a_batch_line_that_fails_says_why_in_the_language_chosen(cli, tmp_path, args, words):
    import json

    lines = tmp_path / "cases.jsonl"
    lines.write_text(json.dumps({"decision": "go.jobtraining.mentor", "on": "2026-02-30",
                                 "case": {}}) + "\n", encoding="utf-8")
    res = cli(*args, "--no-log", "decide", "--cases", str(lines), env=DUTCH)
    assert res.exit_code == 1
    assert json.loads(res.stdout) == {"line": 1, "error": words}
