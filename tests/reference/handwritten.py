"""Hand-written reference implementation of the regelwerk decisions.

This module is deliberately independent of the engine: no YAML, no rule files,
just plain Python written from `shared/regulations.md` and the seed texts.  It
serves two purposes:

1. an oracle for differential testing of the declarative engine;
2. the "hand-written code" baseline in the performance benchmark.

API::

    decide(decision: str, case: dict, on: date) -> dict

`case` holds the facts, either nested (``{"trainee": {"in_ambt": True}}``) or
with flat dotted keys (``{"trainee.in_ambt": True}``).  Dates arrive as ISO
strings (``"2025-09-01"``).  The result dict has exactly the output names of
regulations.md; dates are returned as ISO strings, absent values as None.

A case that cannot be decided (missing fact, wrong type, value not covered by
the regulation, no version in force on `on`) raises `NotDecidable`.
"""

from __future__ import annotations

import re
from datetime import date, timedelta

import holidays
from dateutil.relativedelta import relativedelta

__all__ = ["DECISIONS", "NotDecidable", "decide"]


class NotDecidable(Exception):
    """The case cannot be decided: a fact is missing, of the wrong type, a value
    is not covered by the regulation, or no version is in force on the peildatum."""


# ---------------------------------------------------------------------------
# Reading facts
# ---------------------------------------------------------------------------

_MISSING = object()
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_ONE_DAY = timedelta(days=1)


def _lookup(case: dict, path: str):
    """The value at a dotted path: a flat dotted key first, then the nested objects.
    None (JSON null) counts as absent."""
    if path in case:
        value = case[path]
    else:
        value = case
        for part in path.split("."):
            if isinstance(value, dict) and part in value:
                value = value[part]
            else:
                return _MISSING
    return _MISSING if value is None else value


def _as_date(value, what: str) -> date:
    # A datetime is a date subclass but not a calendar date; refuse it.
    if isinstance(value, date) and not hasattr(value, "hour"):
        return value
    if isinstance(value, str) and _ISO_DATE.fullmatch(value):
        try:
            return date.fromisoformat(value)
        except ValueError:
            pass
    raise NotDecidable(f"{what}: {value!r} is geen geldige datum (JJJJ-MM-DD)")


def _as_bool(value, what: str) -> bool:
    if isinstance(value, bool):
        return value
    raise NotDecidable(f"{what}: {value!r} is geen booleaanse waarde (true/false)")


def _as_str(value, what: str) -> str:
    if isinstance(value, str):
        return value
    raise NotDecidable(f"{what}: {value!r} is geen tekst")


def _as_list(value, what: str) -> list:
    if isinstance(value, list):
        return value
    raise NotDecidable(f"{what}: {value!r} is geen lijst")


def _as_record(value, what: str) -> dict:
    if isinstance(value, dict):
        return value
    raise NotDecidable(f"{what}: {value!r} is geen object")


def _required(case: dict, path: str, conv):
    value = _lookup(case, path)
    if value is _MISSING:
        raise NotDecidable(f"{path}: gegeven ontbreekt")
    return conv(value, path)


def _optional(case: dict, path: str, conv):
    value = _lookup(case, path)
    return None if value is _MISSING else conv(value, path)


def _field(record: dict, key: str, conv, what: str, required: bool = True):
    value = record.get(key)
    if value is None:
        if required:
            raise NotDecidable(f"{what}.{key}: gegeven ontbreekt")
        return None
    return conv(value, f"{what}.{key}")


def _iso(d: date | None) -> str | None:
    return None if d is None else d.isoformat()


# ---------------------------------------------------------------------------
# Versions
# ---------------------------------------------------------------------------

_GO_SINCE = date(2024, 2, 2)  # seed 004 §1: regeling goedgekeurd op 2 februari 2024
_OVSG_SINCE = date(2009, 5, 8)  # decreet kwaliteit van onderwijs, 8 mei 2009, art. 15 §3
_OMO_SINCE = date(2020, 1, 1)  # seed 003: verslag 2020


def _check_in_force(decision: str, since: date, on: date) -> None:
    if on < since:
        raise NotDecidable(
            f"{decision}: geen versie van kracht op {on.isoformat()} "
            f"(eerste versie van kracht vanaf {since.isoformat()})"
        )


# ---------------------------------------------------------------------------
# GO! jobtraining (seed 004)
# ---------------------------------------------------------------------------

_ATTEST_VANAF = date(2013, 1, 1)  # §4.1: vormingsattest afgeleverd vanaf 2013


def _go_toelating(case: dict, on: date) -> dict:
    in_ambt = _required(case, "trainee.in_ambt", _as_bool)
    attest = _optional(case, "vormingsattest.datum", _as_date)

    # The reasons: every condition met when all are, otherwise the ones not met (§4.1).
    voldaan: list[str] = []
    niet: list[str] = []
    if in_ambt:
        voldaan.append("oefent het selectie- of bevorderingsambt effectief uit (§4.1)")
    else:
        niet.append("oefent het selectie- of bevorderingsambt niet effectief uit (§4.1)")
    if attest is None:
        niet.append("heeft geen vormingsattest (§4.1)")
    else:
        voldaan.append(f"heeft een vormingsattest van {attest.isoformat()} (§4.1)")
        if attest >= _ATTEST_VANAF:
            voldaan.append(f"het vormingsattest is afgeleverd vanaf {_ATTEST_VANAF} (§4.1)")
        else:
            niet.append(f"het vormingsattest van {attest.isoformat()} is afgeleverd vóór "
                        f"{_ATTEST_VANAF} (§4.1)")
    return {"toegelaten": not niet, "redenen": niet or voldaan}


_LOKAAL = ("BaO", "BuBaO", "SO", "BuSO")
_CENTRAAL = ("CLB", "CVO", "DKO", "LSC")
_ALIASES = {"VWO": "CVO"}  # §1 zegt VWO waar §4.3 CVO zegt (volwassenenonderwijs)


def _go_mentor(case: dict, on: date) -> dict:
    niveau = _required(case, "trainee.onderwijsniveau", _as_str)
    trainee_groep = _required(case, "trainee.scholengroep", _as_str)
    mentor_groep = _optional(case, "mentor.scholengroep", _as_str)
    evalueert = _optional(case, "mentor.evalueert_trainee", _as_bool)

    niveau = _ALIASES.get(niveau, niveau)
    if niveau in _LOKAAL:
        soort = "lokaal"
        door = "de eigen scholengroep van de trainee"
    elif niveau in _CENTRAAL:
        soort = "centraal"
        door = "de pedagogische diensten van het GO!, in overleg met de scholengroep, na inschrijving"
    else:
        raise NotDecidable(
            f"trainee.onderwijsniveau: {niveau!r} valt niet onder de regeling "
            f"(gekend: {', '.join(_LOKAAL + _CENTRAAL)}, VWO als alias van CVO)"
        )

    schendingen: list[str] = []
    if evalueert:
        schendingen.append("de mentor mag geen evaluerende functie hebben t.a.v. de trainee (§5.1)")
    if soort == "lokaal" and mentor_groep is not None and mentor_groep != trainee_groep:
        schendingen.append(
            f"een lokale mentor behoort tot de eigen scholengroep van de trainee "
            f"({trainee_groep}), niet tot {mentor_groep} (§5.1)"
        )
    return {
        "mentor": soort,
        "aangeduid_door": door,
        "kandidaat_noemt_mentor": soort == "lokaal",
        "schendingen": schendingen,
    }


# --- duur -------------------------------------------------------------------

_MIN_WAARNEMEND = 30  # §4.2: waarnemende aanstellingen van minder dan 30 dagen tellen niet
_DUUR_MAANDEN = 10  # §4.2: 10 maanden effectief gepresteerde diensten
_OPEN = date.max  # an open-ended period runs "until the end of time"


def _read_periods(items, what: str, with_soort: bool) -> list[tuple[date, date, str | None]]:
    periods = []
    for i, item in enumerate(_as_list(items, what)):
        where = f"{what}[{i}]"
        rec = _as_record(item, where)
        van = _field(rec, "van", _as_date, where)
        tot = _field(rec, "tot", _as_date, where, required=False)
        if tot is not None and tot < van:
            raise NotDecidable(
                f"{where}: tot ({tot.isoformat()}) ligt vóór van ({van.isoformat()})"
            )
        soort = None
        if with_soort:
            soort = _field(rec, "soort", _as_str, where)
            if soort not in ("waarnemend", "proeftijd"):
                raise NotDecidable(f"{where}.soort: {soort!r} is niet waarnemend of proeftijd")
        periods.append((van, _OPEN if tot is None else tot, soort))
    return periods


def _merge(intervals: list[tuple[date, date]]) -> list[tuple[date, date]]:
    """Union of closed date intervals, sorted; adjacent ones are joined."""
    merged: list[tuple[date, date]] = []
    for a, b in sorted(intervals):
        if merged and (a - merged[-1][1]).days <= 1:
            if b > merged[-1][1]:
                merged[-1] = (merged[-1][0], b)
        else:
            merged.append((a, b))
    return merged


def _subtract(intervals, holes):
    """Sorted disjoint `intervals` minus sorted disjoint `holes`."""
    result = []
    for a, b in intervals:
        for x, y in holes:
            if y < a or x > b:
                continue
            if x > a:
                result.append((a, x - _ONE_DAY))
            if y >= b:
                a = None
                break
            a = y + _ONE_DAY
        if a is not None:
            result.append((a, b))
    return result


def _without_summer(intervals):
    """Yield, in order, the pieces of `intervals` outside 5 July - 15 August of every year."""
    for a, b in intervals:
        for year in range(a.year, b.year + 1):
            lo = max(a, date(year, 1, 1))
            hi = min(b, date(year, 12, 31))
            summer_start, summer_end = date(year, 7, 5), date(year, 8, 15)
            if lo < summer_start:
                yield lo, min(hi, summer_start - _ONE_DAY)
            if hi > summer_end:
                yield max(lo, summer_end + _ONE_DAY), hi


def _go_duur(case: dict, on: date) -> dict:
    attest = _required(case, "vormingsattest.datum", _as_date)
    aanstellingen = _read_periods(_required(case, "aanstellingen", _as_list), "aanstellingen", True)
    afw_raw = _optional(case, "afwezigheden", _as_list)
    afwezigheden = _read_periods(afw_raw or [], "afwezigheden", False)

    per_aanstelling = []
    counting = []
    for van, tot, soort in aanstellingen:
        if soort == "proeftijd":
            telt, reden = True, "toegelaten tot de proeftijd: telt mee"
        elif tot is _OPEN:
            telt, reden = True, "waarnemende aanstelling zonder einddatum: telt mee"
        else:
            lengte = (tot - van).days + 1
            telt = lengte >= _MIN_WAARNEMEND
            if telt:
                reden = (f"waarnemende aanstelling van minstens {_MIN_WAARNEMEND} dagen "
                         f"({lengte} dagen): telt mee")
            else:
                reden = (f"waarnemende aanstelling van minder dan {_MIN_WAARNEMEND} dagen "
                         f"({lengte} dagen): telt niet mee")
        per_aanstelling.append({"van": van.isoformat(), "tot": None if tot is _OPEN else _iso(tot),
                                "soort": soort, "telt": telt, "reden": reden})
        if telt:
            # The jobtraining starts once both attest and appointment are there (§1).
            van = max(van, attest)
            if van <= tot:
                counting.append((van, tot))

    periods = _merge(counting)
    if afwezigheden:
        periods = _subtract(periods, _merge([(v, t) for v, t, _ in afwezigheden]))
    pieces = _without_summer(periods)

    first = next(pieces, None)
    if first is None:
        return {
            "startdatum": None,
            "einddatum": None,
            "getelde_dagen": 0,
            "vereiste_dagen": None,
            "aanstellingen": per_aanstelling,
        }

    start = first[0]
    vereiste = (start + relativedelta(months=_DUUR_MAANDEN) - start).days
    getelde = 0
    einde = None
    piece = first
    while piece is not None:
        a, b = piece
        n = (b - a).days + 1
        if getelde + n >= vereiste:
            einde = a + timedelta(days=vereiste - getelde - 1)
            getelde = vereiste
            break
        getelde += n
        piece = next(pieces, None)

    return {
        "startdatum": start.isoformat(),
        "einddatum": _iso(einde),
        "getelde_dagen": getelde,
        "vereiste_dagen": vereiste,
        "aanstellingen": per_aanstelling,
    }


# --- contactmomenten, dossier -------------------------------------------------

_THEMAS = (
    "schoolorganisatorisch",
    "pedagogisch-didactisch",
    "personeelsgericht",
    "les bijwonen en bespreken",
)
_BEGELEIDERS = ("mentor", "begeleider_schoolontwikkeling")
_MIN_CONTACTMOMENTEN = 4  # §7.1: minimaal vier contactmomenten


def _go_contactmomenten(case: dict, on: date) -> dict:
    momenten = _required(case, "contactmomenten", _as_list)
    aantal = 0
    behandeld = set()
    for i, item in enumerate(momenten):
        where = f"contactmomenten[{i}]"
        rec = _as_record(item, where)
        _field(rec, "datum", _as_date, where)
        begeleider = _field(rec, "begeleider", _as_str, where)
        if begeleider not in _BEGELEIDERS:
            raise NotDecidable(
                f"{where}.begeleider: {begeleider!r} is niet mentor of begeleider_schoolontwikkeling"
            )
        thema = _field(rec, "thema", _as_str, where)
        aanwezig = _field(rec, "aanwezig", _as_bool, where)
        _field(rec, "opmerking", _as_str, where, required=False)
        if aanwezig:
            aantal += 1
            behandeld.add(thema)
    ontbrekend = [t for t in _THEMAS if t not in behandeld]
    return {
        "volledig": aantal >= _MIN_CONTACTMOMENTEN and not ontbrekend,
        "aantal": aantal,
        "ontbrekende_themas": ontbrekend,
    }


_VEREISTE_DOCUMENTEN = ("verantwoordingsdocument", "RL1")  # betalingsbewijs: "indien voorhanden"


def _go_dossier(case: dict, on: date) -> dict:
    documenten = _required(case, "documenten", _as_list)
    namen = {_as_str(d, f"documenten[{i}]") for i, d in enumerate(documenten)}
    ontbrekend = [d for d in _VEREISTE_DOCUMENTEN if d not in namen]
    return {"volledig": not ontbrekend, "ontbrekend": ontbrekend}


# --- vormingsattest -------------------------------------------------------------

_GELDIGHEID_JAREN = 7  # §8
_VERVOLG = (
    "de jury bepaalt, in overleg met de betrokken scholengroep, wat moet gebeuren om het "
    "vormingsattest opnieuw volwaardig geldig te maken"
)


def _go_geldigheid(case: dict, on: date) -> dict:
    attest = _required(case, "vormingsattest.datum", _as_date)
    certificaat = _optional(case, "certificaat.datum", _as_date)
    uiterste = attest + relativedelta(years=_GELDIGHEID_JAREN)
    geldig = on <= uiterste or (certificaat is not None and certificaat <= uiterste)
    return {
        "geldig": geldig,
        "uiterste_datum": uiterste.isoformat(),
        "vervolg": None if geldig else _VERVOLG,
    }


# ---------------------------------------------------------------------------
# OVSG werkingscode (seed 001)
# ---------------------------------------------------------------------------

_ANTWOORD_WERKDAGEN = 30  # §7: binnen de 30 werkdagen
_BE_HOLIDAYS: dict[int, frozenset[date]] = {}


def _be_holidays(year: int) -> frozenset[date]:
    days = _BE_HOLIDAYS.get(year)
    if days is None:
        days = frozenset(holidays.country_holidays("BE", years=year).keys())
        _BE_HOLIDAYS[year] = days
    return days


def _ovsg_klacht(case: dict, on: date) -> dict:
    ontvangen = _required(case, "klacht.ontvangen_op", _as_date)
    schriftelijk = _required(case, "klacht.schriftelijk", _as_bool)
    if not schriftelijk:
        return {"ontvankelijk": False, "uiterste_antwoorddatum": None}

    day = ontvangen
    counted = 0
    while counted < _ANTWOORD_WERKDAGEN:
        day += _ONE_DAY
        if (day.month, day.day) >= (7, 11) and (day.month, day.day) <= (8, 15):
            day = date(day.year, 8, 15)  # termijn opgeschort 11 juli - 15 augustus; jump over it
            continue
        if day.weekday() < 5 and day not in _be_holidays(day.year):
            counted += 1
    return {"ontvankelijk": True, "uiterste_antwoorddatum": day.isoformat()}


_STAPPEN = (
    (
        "vraag.via_materialen",
        "de vraag wordt beantwoord via ondersteunende materialen (vb. documenten, filmpjes)",
    ),
    (
        "vraag.via_aanbod",
        "de vraag wordt beantwoord via het aanbod van OVSG+ of via het aanbod van bestaande netwerken",
    ),
    ("vraag.sca_specifiek", "de vraag wordt S/C/A-specifiek beantwoord"),
)
_STAP_4 = "de vraag kan niet beantwoord worden: we treden op als makelaar of verwijzen door"


def _ovsg_stappenplan(case: dict, on: date) -> dict:
    antwoorden = [_required(case, path, _as_bool) for path, _ in _STAPPEN]
    for i, (ja, (_, actie)) in enumerate(zip(antwoorden, _STAPPEN), start=1):
        if ja:
            return {"stap": i, "actie": actie}
    return {"stap": 4, "actie": _STAP_4}


_TYPES = (
    "BaO",
    "BuBaO",
    "SO",
    "BuSO",
    "CVO",
    "DKO",
    "CLB",
    "ondersteuningsnetwerk",
    "leersteunnetwerk",
)
_LIDMAATSCHAP = ("lid", "geaffilieerd", "geen")


def _ovsg_werkingscode(case: dict, on: date) -> dict:
    soort = _required(case, "instelling.type", _as_str)
    gesubsidieerd = _required(case, "instelling.gesubsidieerd", _as_bool)
    lidmaatschap = _required(case, "instelling.lidmaatschap", _as_str)
    if lidmaatschap not in _LIDMAATSCHAP:
        raise NotDecidable(
            f"instelling.lidmaatschap: {lidmaatschap!r} is niet lid, geaffilieerd of geen"
        )

    soort = _ALIASES.get(soort, soort)
    if soort not in _TYPES:
        return {
            "van_toepassing": False,
            "reden": f"het type {soort!r} valt niet onder het toepassingsgebied van de "
            "werkingscode (§1)",
        }
    if not gesubsidieerd:
        return {
            "van_toepassing": False,
            "reden": "de werkingscode geldt enkel voor de begeleiding van gesubsidieerde "
            "instellingen (§1)",
        }
    if lidmaatschap == "geen":
        return {
            "van_toepassing": False,
            "reden": "de instelling behoort niet tot de vereniging van schoolbesturen van OVSG "
            "en heeft geen overeenkomst met OVSG afgesloten (§1)",
        }
    if lidmaatschap == "lid":
        hoe = "die behoort tot de vereniging van schoolbesturen van OVSG"
    else:
        hoe = "die een overeenkomst met OVSG heeft afgesloten (geaffilieerd lid)"
    return {"van_toepassing": True, "reden": f"gesubsidieerde instelling van het type {soort} {hoe} (§1)"}


# ---------------------------------------------------------------------------
# OMO dienstverlening (seed 003)
# ---------------------------------------------------------------------------

_OMO_LIJNEN = {
    1: (
        "ontzorging van schoolleiders",
        (
            "HRM",
            "planning & control",
            "kwaliteitszorg",
            "juridische zaken",
            "ICT",
            "huisvesting",
            "communicatie",
            "professionele ontwikkeling",
        ),
    ),
    2: ("verbinden van scholen, schoolleiders en bureaucollega's", ("kennisdeling", "verbinden")),
    3: ("expertise voor de raad van bestuur", ("beleid", "belangenbehartiging")),
    4: (
        "faciliteren van de raad van bestuur",
        ("secretariaat", "verenigingscontracten", "bestuurlijke evenementen", "persvragen"),
    ),
}
_OMO_DOMEINEN = {d.casefold(): lijn for lijn, (_, ds) in _OMO_LIJNEN.items() for d in ds}
_OMO_GEKEND = [d for _, ds in _OMO_LIJNEN.values() for d in ds]


def _omo_categorie(case: dict, on: date) -> dict:
    domein = _required(case, "verzoek.domein", _as_str)
    lijn = _OMO_DOMEINEN.get(domein.strip().casefold())
    if lijn is None:
        raise NotDecidable(
            f"verzoek.domein: {domein!r} is onbekend; gekend zijn: {', '.join(_OMO_GEKEND)}"
        )
    return {"dienstverleningslijn": lijn, "naam": _OMO_LIJNEN[lijn][0]}


# ---------------------------------------------------------------------------
# Dispatch
# ---------------------------------------------------------------------------

DECISIONS = {
    "go.jobtraining.toelating": (_GO_SINCE, _go_toelating),
    "go.jobtraining.mentor": (_GO_SINCE, _go_mentor),
    "go.jobtraining.duur": (_GO_SINCE, _go_duur),
    "go.jobtraining.contactmomenten": (_GO_SINCE, _go_contactmomenten),
    "go.jobtraining.dossier": (_GO_SINCE, _go_dossier),
    "go.vormingsattest.geldigheid": (_GO_SINCE, _go_geldigheid),
    "ovsg.klacht.antwoordtermijn": (_OVSG_SINCE, _ovsg_klacht),
    "ovsg.begeleiding.stappenplan": (_OVSG_SINCE, _ovsg_stappenplan),
    "ovsg.werkingscode.toepassing": (_OVSG_SINCE, _ovsg_werkingscode),
    "omo.dienstverlening.categorie": (_OMO_SINCE, _omo_categorie),
}


def decide(decision: str, case: dict, on: date) -> dict:
    """Decide `decision` for the facts in `case` on peildatum `on`.

    Raises KeyError for an unknown decision id and NotDecidable when the case
    cannot be decided."""
    try:
        since, rule = DECISIONS[decision]
    except KeyError:
        raise KeyError(f"onbekende beslissing {decision!r}") from None
    on = _as_date(on, "peildatum")
    if not isinstance(case, dict):
        raise NotDecidable(f"de casus is geen object: {case!r}")
    _check_in_force(decision, since, on)
    try:
        return rule(case, on)
    except (OverflowError, ValueError) as exc:  # date arithmetic beyond year 9999
        raise NotDecidable(f"{decision}: datum buiten het bereik van de kalender ({exc})") from None


# ---------------------------------------------------------------------------
# JSON Lines in, JSON Lines out (the benchmark's baseline)
# ---------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    """`python handwritten.py FILE.jsonl`: decide every line `{decision, on, case}` and print
    `{decision, on, result}`, or `{line, error}` for a line that cannot be decided."""
    import json
    import sys

    args = sys.argv[1:] if argv is None else argv
    if len(args) != 1:
        print("usage: handwritten.py FILE.jsonl", file=sys.stderr)
        return 2
    out = sys.stdout
    failed = 0
    with open(args[0], "rb") as lines:
        for number, raw in enumerate(lines, start=1):
            if not raw.strip():
                continue
            try:
                line = json.loads(raw)
                result = decide(line["decision"], line["case"], line["on"])
                text = {"decision": line["decision"], "on": line["on"], "result": result}
            except (NotDecidable, KeyError, TypeError, ValueError) as exc:
                failed += 1
                text = {"line": number, "error": str(exc)}
            out.write(json.dumps(text, ensure_ascii=False) + "\n")
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
