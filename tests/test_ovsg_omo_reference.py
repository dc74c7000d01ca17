"""The other OVSG decisions and OMO's, compared exhaustively with the hand-written reference."""

from __future__ import annotations

import itertools
from datetime import date

import pytest
from reference.handwritten import NotDecidable
from reference.handwritten import decide as reference_decide
from regelwerk.engine.base.errors import CaseError
from regelwerk.engine.deciding.api import Engine

ON = date(2026, 1, 15)
TYPES = ["BaO", "BuBaO", "SO", "BuSO", "CVO", "VWO", "DKO", "CLB", "ondersteuningsnetwerk",
         "leersteunnetwerk", "HO", "bao", "LSC"]
DOMAINS = ["HRM", "planning & control", "kwaliteitszorg", "juridische zaken", "ICT",
           "huisvesting", "communicatie", "professionele ontwikkeling", "kennisdeling",
           "verbinden", "beleid", "belangenbehartiging", "secretariaat",
           "verenigingscontracten", "bestuurlijke evenementen", "persvragen",
           " hrm ", "ict", "PERSVRAGEN", "Planning & Control\t", "planning  & control",
           "onbekend", "", "HRM, ICT"]


@pytest.fixture(scope="module")
def engine() -> Engine:
    return Engine()


@pytest.mark.parametrize("answers", list(itertools.product([True, False], repeat=3)))
def test_stappenplan_agrees(engine, answers):
    case = {"vraag": dict(zip(("via_materialen", "via_aanbod", "sca_specifiek"), answers))}
    ours = engine.decide("ovsg.begeleiding.stappenplan", case, ON).as_dict()["result"]
    assert ours == reference_decide("ovsg.begeleiding.stappenplan", case, ON)


@pytest.mark.parametrize("kind", TYPES)
def test_werkingscode_agrees(engine, kind):
    for subsidised, membership in itertools.product([True, False], ["lid", "geaffilieerd", "geen"]):
        case = {"instelling": {"type": kind, "gesubsidieerd": subsidised,
                               "lidmaatschap": membership}}
        ours = engine.decide("ovsg.werkingscode.toepassing", case, ON).as_dict()["result"]
        theirs = reference_decide("ovsg.werkingscode.toepassing", case, ON)
        assert ours["van_toepassing"] == theirs["van_toepassing"], case
        assert ours["reden"], case


@pytest.mark.parametrize("domain", DOMAINS)
def test_dienstverlening_agrees(engine, domain):
    case = {"verzoek": {"domein": domain}}
    try:
        theirs = reference_decide("omo.dienstverlening.categorie", case, ON)
    except NotDecidable:
        with pytest.raises(CaseError, match="bekende domeinen: HRM, planning & control, "):
            engine.decide("omo.dienstverlening.categorie", case, ON)
        return
    ours = engine.decide("omo.dienstverlening.categorie", case, ON).as_dict()["result"]
    assert ours == theirs
