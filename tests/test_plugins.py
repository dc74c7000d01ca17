"""`regelwerk plugins`, and plugins that fail: each is named with its error, the others decide.

The broken plugins are installed as entry points of a distribution in a temporary
site folder (see fake_install.py), exactly where a real installed plugin would be found.
Their names sort after the built-in ones, which therefore register first.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from conftest import write_case
from fake_install import register_distribution, site_fixture  # noqa: F401 - the fixture `site`
from regelwerk.engine.deciding.api import Engine

KLACHT = {"klacht": {"ontvangen_op": "2026-06-01", "schriftelijk": True}}

HEADER = "from regelwerk.engine.ops.hookspecs import hookimpl\n"
BROKEN = {
    "stuk_import": ("import een_pakket_dat_niet_bestaat\n",
                    ("failed to load: ModuleNotFoundError: No module named "
                     "'een_pakket_dat_niet_bestaat'")),
    "stuk_hooknaam": (HEADER + "@hookimpl\ndef regelwerk_register_rule(register):\n    pass\n",
                      ("unknown hook regelwerk_register_rule; hooks: regelwerk_register_calendars, "
                       "regelwerk_register_operations, regelwerk_register_rules")),
    "stuk_ongemarkeerd": ("def regelwerk_register_rules(register):\n    pass\n",
                          "regelwerk_register_rules is not marked with @hookimpl"),
    "stuk_argument": (HEADER + "@hookimpl\ndef regelwerk_register_rules(folder):\n    pass\n",
                      "failed to register: PluginValidationError"),
    "stuk_fout": (HEADER + "@hookimpl\ndef regelwerk_register_calendars(register):\n"
                  "    raise RuntimeError('boem')\n",
                  "failed in regelwerk_register_calendars: RuntimeError: boem"),
    "stuk_kalender": (
        HEADER + "from pathlib import Path\nfrom regelwerk.engine.ops.calendars import Calendar\n"
        "@hookimpl\ndef regelwerk_register_rules(register):\n"
        "    register(Path(__file__).parent / 'stuk_regels')\n"
        "@hookimpl\ndef regelwerk_register_calendars(register):\n"
        "    register(Calendar('ovsg.be', 'NL'))\n",
        "calendar 'ovsg.be' is registered twice: by 'ovsg' and by 'stuk_kalender'"),
    "stuk_operatie": (
        HEADER + "from regelwerk.engine.ops import Operation\n"
        "@hookimpl\ndef regelwerk_register_operations(register):\n"
        "    register(Operation('filter', len, {}, 'een andere filter'))\n",
        "operation 'filter' is registered by both 'regelwerk' and 'stuk_operatie'"),
    "stuk_argnaam": (
        HEADER + "from regelwerk.engine.ops import Arg, Operation\n"
        "@hookimpl\ndef regelwerk_register_operations(register):\n"
        "    register(Operation('tel_stuk', len, {'x=1); y(': Arg()}, 'telt'))\n",
        "operation 'tel_stuk': argument name 'x=1\\); y\\(' is not a Python identifier"),
    "stuk_map": (HEADER + "from pathlib import Path\n@hookimpl\n"
                 "def regelwerk_register_rules(register):\n"
                 "    register(Path(__file__).parent / 'bestaat_niet')\n",
                 "rule folder .*bestaat_niet does not exist or is not a folder"),
}
# a valid rule set in the folder of the plugin whose calendar clashes: it must not load
STUK_REGELS = """\
id: stuk.regels
title: Regels van een plugin die niet laadt
source: geen.txt
versions:
  - version: "1"
    in_force_from: 2020-01-01
    decisions:
      ja:
        title: Altijd ja
        inputs: {}
        outputs: {antwoord: "true"}
"""


@pytest.fixture
def broken(site: Path) -> Path:
    for name, (source, _) in BROKEN.items():
        (site / f"{name}.py").write_text(source, encoding="utf-8")
    (site / "stuk_regels").mkdir()
    (site / "stuk_regels" / "regels.yaml").write_text(STUK_REGELS, encoding="utf-8")
    register_distribution(site, "regelwerk-stuk", "9.9", {name: name for name in BROKEN})
    return site


def plugin_blocks(text: str) -> dict[str, str]:
    """The listing split per plugin: the header line names it, indented lines follow."""
    blocks = re.split(r"^(?=\S)", text, flags=re.MULTILINE)
    return {block.split()[0]: block for block in blocks if block.strip()}


def test_plugins_lists_the_three_organisations_and_what_they_contribute(cli):
    res = cli("plugins")
    assert res.exit_code == 0, res.stderr
    blocks = plugin_blocks(res.stdout)
    assert list(blocks) == ["regelwerk", "go", "omo", "ovsg"]
    version = re.escape(cli("--version").stdout.split()[-1])
    assert re.match(rf"go {version}  \(regelwerk\.plugins\.go\)\n", blocks["go"])
    assert "rule sets:  go.jobtraining, go.vormingsattest" in blocks["go"]
    assert "rule sets:  ovsg.begeleiding, ovsg.klacht, ovsg.werkingscode" in blocks["ovsg"]
    assert "calendars:  ovsg.be (Belgische werkdagen, BE)" in blocks["ovsg"]
    assert "rule sets:  omo.dienstverlening" in blocks["omo"]
    assert "calendars:  omo.nl (Nederlandse werkdagen, NL)" in blocks["omo"]
    assert "operations: classify, filter, pluck, service_days, working_days_after" in (
        blocks["regelwerk"])


def test_plugins_json(cli):
    data = {p["name"]: p for p in cli.json("plugins")}
    assert data["ovsg"]["calendars"] == [
        {"name": "ovsg.be", "country": "BE", "label": "Belgische werkdagen"}]
    assert data["omo"]["rule_sets"] == ["omo.dienstverlening"]
    assert data["go"]["calendars"] == [] and data["go"]["error"] is None
    assert "working_days_after" in data["regelwerk"]["operations"]


def test_each_failing_plugin_is_named_with_its_error(cli, broken):
    res = cli("plugins")
    assert res.exit_code == 0, res.stderr
    blocks = plugin_blocks(res.stdout)
    for name, (_, message) in BROKEN.items():
        assert re.match(rf"{name} 9\.9  \({name}\)\n  error: .*{message}", blocks[name]), (
            blocks[name])
    # the healthy plugins are listed whole
    assert "calendars:  ovsg.be (Belgische werkdagen, BE)" in blocks["ovsg"]
    assert "operations: classify, filter, pluck, service_days, working_days_after" in (
        blocks["regelwerk"])


def test_failing_plugins_do_not_stop_the_healthy_ones_from_deciding(cli, broken, tmp_path):
    res = cli("decide", "ovsg.klacht.antwoordtermijn", "--case", write_case(tmp_path, KLACHT),
              "--on", "2026-06-02", "--format", "json")
    assert res.exit_code == 0, res.stderr
    assert json.loads(res.stdout)["result"]["uiterste_antwoorddatum"] == "2026-08-17"
    warnings = res.stderr.splitlines()
    assert len(warnings) == len(BROKEN)
    for name in BROKEN:
        assert any(w.startswith(f"warning: plugin '{name}' ({name})") for w in warnings), name
    # the calendar that clashed is OVSG's own, not the broken plugin's Dutch one
    engine = Engine()
    assert engine.contributions.calendars.get("ovsg.be").country == "BE"


def test_a_failing_plugin_contributes_nothing_at_all(cli, broken, tmp_path):
    """Its rule folder was registered before its calendar clashed; its rules stay out too."""
    res = cli("decide", "stuk.regels.ja", "--case", write_case(tmp_path, {}), "--on", "2026-01-01")
    assert res.exit_code == 2
    assert "unknown decision 'stuk.regels.ja'" in res.stderr


def test_without_autoload_only_the_engine_itself_is_loaded(cli, broken):
    res = cli("plugins", env={"REGELWERK_DISABLE_PLUGIN_AUTOLOAD": "1"})
    assert list(plugin_blocks(res.stdout)) == ["regelwerk"]
