"""`regelwerk rules docs`: a readable document of a rule set as in force on a date."""

from __future__ import annotations

import shutil
from html.parser import HTMLParser

import pytest
from conftest import DATA

AMENDMENT = (DATA / "diff" / "jobtraining_amendment.yaml").read_text(encoding="utf-8")


def test_markdown_describes_each_decision_with_its_parts(cli):
    res = cli("rules", "docs", "go.jobtraining", "--on", "2026-11-22")
    assert res.exit_code == 0, res.stderr
    md = res.stdout
    assert md.startswith("# Jobtraining voor (adjunct-)directeurs\n")
    assert "Stand op 2026-11-22: versie 2024-02-02, in werking vanaf 2024-02-02" in md
    for title in ("Toelating tot de jobtraining", "Mentor van de trainee",
                  "Duur van de jobtraining (10 maanden effectieve dienst)",
                  "Contactmomenten in het verantwoordingsdocument",
                  "Documenten voor het certificaat van jobtraining"):
        assert f"\n## {title}\n" in md
    # the table of contents links to the headings as Markdown renderers name them
    assert ("- [Duur van de jobtraining (10 maanden effectieve dienst)]"
            "(#duur-van-de-jobtraining-10-maanden-effectieve-dienst)") in md
    # inputs, parameters with citations, a decision table, a worked example, the history
    assert "| `aanstellingen[].soort` | tekst | ja | Waarnemend of proeftijd (één van: " \
           "waarnemend, proeftijd) |" in md
    assert ("| `duur_maanden` | 10 maanden | Duur van de jobtraining in effectief gepresteerde "
            "dienst | 004_818087524ef516da.txt §4.2 |") in md
    assert "### Beslistabel: Mentor volgens het onderwijsniveau van de trainee" in md
    assert ("| [CLB, CVO, DKO, LSC] | centraal | de pedagogische diensten van het GO!, in "
            "overleg met de scholengroep, na inschrijving | nee |") in md
    assert "**duur-voorbeeld-september** (peildatum 2026-11-22)" in md
    assert ("Uitkomst: startdatum = 2025-09-01; einddatum = 2026-06-30; getelde_dagen = 303; "
            "vereiste_dagen = 303; aanstellingen = [{telt: ja}]") in md
    assert ("    - oefent het selectie- of bevorderingsambt effectief uit (§4.1); anders: oefent "
            "het selectie- of bevorderingsambt niet") in md
    assert "| 2024-02-02 (deze) | vanaf 2024-02-02 | — |" in md


def test_the_version_in_force_on_the_date_is_described(cli, rules_copy):
    folder = rules_copy("go")
    path = folder / "jobtraining.yaml"
    path.write_text(path.read_text(encoding="utf-8") + AMENDMENT, encoding="utf-8")
    before = cli("--rules", str(folder), "rules", "docs", "go.jobtraining", "--on", "2027-08-31")
    after = cli("--rules", str(folder), "rules", "docs", "go.jobtraining", "--on", "2027-09-01")
    assert "| `kost_trainee` | 50 euro |" in before.stdout
    assert "| `kost_trainee` | 75 euro |" in after.stdout
    assert "## Kost van de jobtraining" not in before.stdout
    assert "## Kost van de jobtraining" in after.stdout
    # the history says what each version changed; examples say which version decided them
    assert ("| 2027-09-01 (deze) | vanaf 2027-09-01 | 2024-02-02 | wijziging van de regeling "
            "(voorbeeld) | Kost van de jobtraining voor de trainee (kost_trainee): 50 euro → "
            "75 euro; beslissing go.jobtraining.kost nieuw;") in after.stdout
    assert "**duur-voorbeeld-september** (peildatum 2026-11-22, versie 2024-02-02)" in after.stdout


def test_no_version_in_force_is_said(cli):
    res = cli("rules", "docs", "go.jobtraining", "--on", "2024-02-01")
    assert res.exit_code == 1
    assert "no version of go.jobtraining is in force on 2024-02-01" in res.stderr


class _Page(HTMLParser):
    """Collects the tags, the links and the visible text of a page."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[str] = []
        self.links: list[str] = []
        self.text: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        self.links += [v for k, v in attrs if k in ("href", "src") and v]

    def handle_data(self, data):
        self.text.append(data)


def test_html_is_one_self_contained_page(cli, tmp_path):
    out = tmp_path / "jobtraining.html"
    res = cli("rules", "docs", "go.jobtraining", "--on", "2026-11-22", "--format", "html",
              "-o", str(out))
    assert res.exit_code == 0, res.stderr
    page = _Page()
    page.feed(out.read_text(encoding="utf-8"))
    assert "style" in page.tags and "script" not in page.tags
    assert all(link.startswith("#") for link in page.links)  # nothing from outside
    text = " ".join(" ".join(page.text).split())
    assert "Stand op 2026-11-22: versie 2024-02-02, in werking vanaf 2024-02-02" in text
    assert "Beslistabel: Telt een aanstelling mee voor de duur van de jobtraining?" in text
    assert "duur-voorbeeld-februari" in text


def test_html_escapes_what_the_rule_file_says(cli, tmp_path):
    shutil.copy(DATA / "examples" / "drempel.yaml", tmp_path / "drempel.yaml")
    path = tmp_path / "drempel.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace(
        "title: Boven de drempel?", 'title: "<script>alert(1)</script> & <b>vet</b>"'),
        encoding="utf-8")
    res = cli("--rules", str(tmp_path), "rules", "docs", "test.drempel", "--format", "html",
              "--on", "2025-06-01")
    assert "<script>" not in res.stdout and "<b>" not in res.stdout
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; &lt;b&gt;vet&lt;/b&gt;" in res.stdout


@pytest.mark.parametrize("args, code, message", [
    (["go.jobtrainin"], 2, "unknown rule set 'go.jobtrainin'; did you mean go.jobtraining?"),
    (["go.jobtraining", "--on", "2026-02-30"], 2, "--on '2026-02-30' does not exist"),
])
def test_bad_requests(cli, args, code, message):
    res = cli("rules", "docs", *args)
    assert res.exit_code == code
    assert message in res.stderr
