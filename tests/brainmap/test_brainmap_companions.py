"""Typical-child comparison, change map, age-equivalent chart and trend chart."""

from __future__ import annotations

import math
import xml.etree.ElementTree as ET
from datetime import date

import pytest

from neuroseq.brainmap import (
    render_age_equivalent_chart,
    render_change_map,
    render_trend_chart,
    render_typical_comparison,
    typical_statuses,
)
from neuroseq.instrument import load_instrument
from neuroseq.progress import Snapshot, trend
from neuroseq.scoring import AgeEquivalent

SVG = "{http://www.w3.org/2000/svg}"
INST = load_instrument()
IDS = INST.function_ids


def tiles(svg: str) -> list[ET.Element]:
    return [r for r in ET.fromstring(svg).iter(f"{SVG}rect") if "data-function" in r.attrib]


def text_of(svg: str) -> str:
    return " ".join("".join(t.itertext()) for t in ET.fromstring(svg).iter(f"{SVG}text"))


def comparison(ratings: dict[str, int | None], age: float) -> str:
    return render_typical_comparison(
        INST, ratings, pseudonym="RIVER-07", age_months=age, assessment_date=date(2026, 11, 2)
    )


def test_typical_comparison_has_both_maps_and_the_typical_child_from_the_norms() -> None:
    ratings: dict[str, int | None] = dict.fromkeys(IDS, 1)
    svg = comparison(ratings, 30.0)
    rects = tiles(svg)
    assert len(rects) == 2 * len(IDS)
    child = [r for r in rects if float(r.attrib["x"]) < 900]
    typical = [r for r in rects if float(r.attrib["x"]) >= 900]
    assert {r.attrib["data-status"] for r in child} == {"1"}
    for rect in typical:
        expected = math.floor(INST.typical_status(rect.attrib["data-function"], 30.0) + 0.5)
        assert rect.attrib["data-status"] == str(expected)
    assert "Typical child aged 2 years 6 months" in text_of(svg)


def test_typical_statuses_round_half_up_and_reach_maturity() -> None:
    adult = typical_statuses(INST, 216)
    assert set(adult.values()) == {3}
    for f in INST.functions:
        raw = INST.typical_status(f.id, 7.0)
        assert typical_statuses(INST, 7.0)[f.id] == int(raw + 0.5)


def test_change_map_marks_each_function_by_direction() -> None:
    before: dict[str, int | None] = dict.fromkeys(IDS, 2)
    after: dict[str, int | None] = dict.fromkeys(IDS, 2)
    before["sleep_regulation"], after["sleep_regulation"] = 1, 3
    before["attachment"], after["attachment"] = 3, 1
    before["empathy"], after["empathy"] = None, 2
    before["self_reflection"], after["self_reflection"] = 1, None
    svg = render_change_map(
        INST,
        before,
        after,
        pseudonym="RIVER-07",
        age_months=128,
        before_date=date(2026, 5, 2),
        assessment_date=date(2026, 11, 2),
        synthetic=True,
    )
    rects = {r.attrib["data-function"]: r for r in tiles(svg)}
    assert len(rects) == len(IDS)
    assert rects["sleep_regulation"].attrib["data-change"] == "improved"
    assert rects["attachment"].attrib["data-change"] == "worse"
    assert rects["empathy"].attrib["data-change"] == "not comparable"
    assert rects["self_reflection"].attrib["data-change"] == "not comparable"
    assert rects["self_reflection"].attrib["data-status"] == "none"
    assert rects["sleep_regulation"].attrib["data-before"] == "1"
    others = set(IDS) - {"sleep_regulation", "attachment", "empathy", "self_reflection"}
    assert {rects[f].attrib["data-change"] for f in others} == {"unchanged"}
    marks = [
        g.attrib["data-change"]
        for g in ET.fromstring(svg).iter(f"{SVG}g")
        if g.attrib.get("class") == "change-mark"
    ]
    assert len(marks) == len(IDS) + 4  # one per tile plus the four in the legend
    text = text_of(svg)
    assert "better than before" in text and "SYNTHETIC" in text and "1 \u2192 3" in text


def age_chart(values: dict[str, AgeEquivalent | None], age: float = 120.0) -> str:
    return render_age_equivalent_chart(
        INST, values, pseudonym="RIVER-07", age_months=age, assessment_date=date(2026, 11, 2)
    )


def test_age_equivalent_chart_shows_each_domain_beside_the_actual_age() -> None:
    values: dict[str, AgeEquivalent | None] = {
        "sensory_integration": AgeEquivalent(96.0, None),
        "self_regulation": AgeEquivalent(24.0, None),
        "relational": AgeEquivalent(0.0, "below_norms"),
        "cognitive": AgeEquivalent(60.0, "ceiling"),
    }
    svg = age_chart(values)
    root = ET.fromstring(svg)
    bars = {
        r.attrib["data-domain"]: r for r in root.iter(f"{SVG}rect") if "data-domain" in r.attrib
    }
    assert set(bars) == set(INST.domain_ids)
    assert bars["self_regulation"].attrib["data-months"] == "24"
    assert float(bars["self_regulation"].attrib["width"]) < float(
        bars["sensory_integration"].attrib["width"]
    )
    assert bars["relational"].attrib["data-flag"] == "below_norms"
    assert bars["cognitive"].attrib["data-flag"] == "ceiling"
    text = text_of(svg)
    assert "age now: 10 years" in text
    assert "about 2 years" in text and "about 8 years" in text
    assert "younger than the earliest norms" in text and "at least 5 years" in text
    desc = root.find(f"{SVG}desc")
    assert desc is not None and "Self-regulation" in (desc.text or "")
    assert age_chart(values) == svg


def test_age_equivalent_chart_handles_unrated_domains_and_rejects_unknown_ones() -> None:
    svg = age_chart(dict.fromkeys(INST.domain_ids))
    assert text_of(svg).count("not rated") == len(INST.domain_ids)
    with pytest.raises(ValueError, match=r"age_equivalents\.mood: unknown domain id"):
        age_chart({"mood": AgeEquivalent(10.0, None)})


def snap(day: date, domain: float, total: float | None = 50.0) -> Snapshot:
    return Snapshot(
        pseudonym="RIVER-07",
        instrument_version=INST.version,
        assessment_date=day,
        age_months=120.0,
        ratings={},
        functional_score=total,
        region_scores=dict.fromkeys(INST.region_ids, 50.0),
        domain_scores=dict.fromkeys(INST.domain_ids, domain),
    )


def test_trend_chart_draws_a_series_per_domain_plus_the_total_in_date_order() -> None:
    t = trend(
        [snap(date(2026, 6, 1), 40), snap(date(2025, 6, 1), 20), snap(date(2026, 11, 1), 70)],
        INST,
    )
    svg = render_trend_chart(INST, t)
    root = ET.fromstring(svg)
    series = [g for g in root.iter(f"{SVG}g") if g.attrib.get("class") == "series"]
    assert [g.attrib["data-series"] for g in series] == ["functional_score", *INST.domain_ids]
    text = text_of(svg)
    assert text.index("2025-06-01") < text.index("2026-06-01") < text.index("2026-11-01")
    assert "improved (reliable)" in text
    assert render_trend_chart(INST, t) == svg


def test_trend_chart_leaves_gaps_for_unscored_assessments() -> None:
    t = trend([snap(date(2025, 6, 1), 20, None), snap(date(2026, 6, 1), 40, 60.0)], INST)
    desc = ET.fromstring(render_trend_chart(INST, t)).find(f"{SVG}desc")
    assert desc is not None and "Functional Score: not rated, 60" in (desc.text or "")
