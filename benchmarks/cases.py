"""Deterministic mixed cases of every built-in decision, for the benchmark.

`generate(n, seed)` yields JSON Lines records `{"decision", "on", "case"}`; the same seed
always gives the same file. About one case in a hundred cannot be decided (a fact missing,
of the wrong type or outside the regulation), so error lines are part of every run.
"""

from __future__ import annotations

import json
import random
from collections.abc import Callable, Iterator
from datetime import date, timedelta

NIVEAUS = ["BaO", "BuBaO", "SO", "BuSO", "CLB", "CVO", "DKO", "LSC", "VWO"]
GROEPEN = ["SG Antwerpen", "SG Gent", "SG Brussel", "SG Leuven"]
THEMAS = ["schoolorganisatorisch", "pedagogisch-didactisch", "personeelsgericht",
          "les bijwonen en bespreken"]
DOCUMENTEN = ["verantwoordingsdocument", "RL1", "betalingsbewijs"]
TYPES = ["BaO", "BuBaO", "SO", "BuSO", "CVO", "VWO", "DKO", "CLB", "ondersteuningsnetwerk",
         "leersteunnetwerk", "HO"]
DOMEINEN = ["HRM", "planning & control", "kwaliteitszorg", "juridische zaken", "ICT",
            "huisvesting", "communicatie", "professionele ontwikkeling", "kennisdeling",
            "verbinden", "beleid", "belangenbehartiging", "secretariaat",
            "verenigingscontracten", "bestuurlijke evenementen", "persvragen", " hrm "]


def _day(rng: random.Random, first: date, last: date) -> date:
    return first + timedelta(days=rng.randrange((last - first).days + 1))


def _iso(rng: random.Random, first: date, last: date) -> str:
    return _day(rng, first, last).isoformat()


def toelating(rng: random.Random) -> dict:
    case = {"trainee": {"in_ambt": rng.random() < 0.8}}
    if rng.random() < 0.85:
        case["vormingsattest"] = {"datum": _iso(rng, date(2010, 1, 1), date(2026, 6, 1))}
    return case


def mentor(rng: random.Random) -> dict:
    group = rng.choice(GROEPEN)
    case = {"trainee": {"onderwijsniveau": rng.choice(NIVEAUS), "scholengroep": group}}
    if rng.random() < 0.7:
        case["mentor"] = {"scholengroep": group if rng.random() < 0.8 else rng.choice(GROEPEN),
                          "evalueert_trainee": rng.random() < 0.1}
    return case


def duur(rng: random.Random) -> dict:
    attest = _day(rng, date(2023, 1, 1), date(2026, 6, 1))
    aanstellingen = []
    for _ in range(rng.randint(1, 4)):
        van = _day(rng, date(2022, 9, 1), date(2026, 9, 1))
        item = {"van": van.isoformat(), "soort": rng.choice(["waarnemend", "proeftijd"])}
        if rng.random() < 0.7:
            item["tot"] = (van + timedelta(days=rng.randint(5, 400))).isoformat()
        aanstellingen.append(item)
    case = {"vormingsattest": {"datum": attest.isoformat()}, "aanstellingen": aanstellingen}
    if rng.random() < 0.4:
        afw = []
        for _ in range(rng.randint(1, 3)):
            van = _day(rng, date(2023, 1, 1), date(2026, 9, 1))
            afw.append({"van": van.isoformat(),
                        "tot": (van + timedelta(days=rng.randint(0, 60))).isoformat()})
        case["afwezigheden"] = afw
    return case


def contactmomenten(rng: random.Random) -> dict:
    items = []
    for _ in range(rng.randint(0, 7)):
        item = {"datum": _iso(rng, date(2024, 9, 1), date(2026, 6, 30)),
                "begeleider": rng.choice(["mentor", "begeleider_schoolontwikkeling"]),
                "thema": rng.choice(THEMAS), "aanwezig": rng.random() < 0.85}
        if rng.random() < 0.3:
            item["opmerking"] = "verslag opgeladen"
        items.append(item)
    return {"contactmomenten": items}


def dossier(rng: random.Random) -> dict:
    return {"documenten": [d for d in DOCUMENTEN if rng.random() < 0.75]}


def geldigheid(rng: random.Random) -> dict:
    case = {"vormingsattest": {"datum": _iso(rng, date(2012, 1, 1), date(2026, 6, 1))}}
    if rng.random() < 0.4:
        case["certificaat"] = {"datum": _iso(rng, date(2014, 1, 1), date(2026, 6, 1))}
    return case


def klacht(rng: random.Random) -> dict:
    return {"klacht": {"ontvangen_op": _iso(rng, date(2015, 1, 1), date(2027, 12, 31)),
                       "schriftelijk": rng.random() < 0.9}}


def stappenplan(rng: random.Random) -> dict:
    return {"vraag": {k: rng.random() < 0.4
                      for k in ("via_materialen", "via_aanbod", "sca_specifiek")}}


def werkingscode(rng: random.Random) -> dict:
    return {"instelling": {"type": rng.choice(TYPES), "gesubsidieerd": rng.random() < 0.85,
                           "lidmaatschap": rng.choice(["lid", "geaffilieerd", "geen"])}}


def categorie(rng: random.Random) -> dict:
    return {"verzoek": {"domein": rng.choice(DOMEINEN)}}


GENERATORS: dict[str, Callable[[random.Random], dict]] = {
    "go.jobtraining.toelating": toelating,
    "go.jobtraining.mentor": mentor,
    "go.jobtraining.duur": duur,
    "go.jobtraining.contactmomenten": contactmomenten,
    "go.jobtraining.dossier": dossier,
    "go.vormingsattest.geldigheid": geldigheid,
    "ovsg.klacht.antwoordtermijn": klacht,
    "ovsg.begeleiding.stappenplan": stappenplan,
    "ovsg.werkingscode.toepassing": werkingscode,
    "omo.dienstverlening.categorie": categorie,
}


def _spoil(rng: random.Random, case: dict) -> dict:
    """A case that cannot be decided: a fact dropped or given a value of the wrong kind."""
    key = rng.choice(sorted(case))
    spoilt = dict(case)
    if rng.random() < 0.5:
        del spoilt[key]
    else:
        spoilt[key] = "onbekend" if isinstance(case[key], (dict, list)) else 42
    return spoilt


def generate(n: int, seed: int = 7, *, decisions: list[str] | None = None,
             bad_share: float = 0.01) -> Iterator[dict]:
    """`n` records of the given decisions (default: all), round robin, from one seed."""
    rng = random.Random(seed)
    names = decisions or list(GENERATORS)
    for i in range(n):
        decision = names[i % len(names)]
        case = GENERATORS[decision](rng)
        if rng.random() < bad_share:
            case = _spoil(rng, case)
        on = _iso(rng, date(2024, 3, 1), date(2027, 6, 30))
        yield {"decision": decision, "on": on, "case": case}


def write(path: str, n: int, seed: int = 7, **kwargs) -> None:
    with open(path, "w", encoding="utf-8") as out:
        for record in generate(n, seed, **kwargs):
            out.write(json.dumps(record, ensure_ascii=False, separators=(",", ":")) + "\n")
