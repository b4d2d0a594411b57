"""The Functional Brain Map: structure, statuses, accessibility, determinism."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from neuroseq.brainmap import render_map
from neuroseq.brainmap.palette import MUTED_TEXT, STYLES, TEXT, contrast_ratio
from neuroseq.instrument import load_instrument

NS = {"svg": "http://www.w3.org/2000/svg"}
SVG = "{http://www.w3.org/2000/svg}"
INST = load_instrument()


def sample_ratings() -> dict[str, int | None]:
    """Every status and 'not rated' several times, in no particular pattern."""
    cycle = [3, 2, 1, 0, None, 2, 3]
    return {f.id: cycle[i % len(cycle)] for i, f in enumerate(INST.functions)}


def draw(ratings: dict[str, int | None] | None = None, **kwargs: object) -> str:
    args: dict[str, object] = {
        "pseudonym": "RIVER-07",
        "age_months": 122.0,
        "assessment_date": date(2026, 11, 2),
    }
    args.update(kwargs)
    return render_map(INST, sample_ratings() if ratings is None else ratings, **args)  # type: ignore[arg-type]


def tiles(root: ET.Element) -> list[ET.Element]:
    return [r for r in root.iter(f"{SVG}rect") if "data-function" in r.attrib]


def by_id(root: ET.Element) -> dict[str, ET.Element]:
    return {e.attrib["id"]: e for e in root.iter() if "id" in e.attrib}


def pattern_of(root: ET.Element, fill: str) -> ET.Element:
    match = re.fullmatch(r"url\(#([^)]+)\)", fill)
    assert match, fill
    pattern = by_id(root)[match.group(1)]
    assert pattern.tag == f"{SVG}pattern"
    return pattern


def all_text(root: ET.Element) -> str:
    return " ".join(" ".join(e.itertext()) for e in root.iter(f"{SVG}text"))


def test_one_rectangle_per_function_with_its_status_and_fill() -> None:
    ratings = sample_ratings()
    root = ET.fromstring(draw(ratings))
    rects = tiles(root)
    assert len(rects) == len(INST.functions) == 32
    assert sorted(r.attrib["data-function"] for r in rects) == sorted(INST.function_ids)
    for rect in rects:
        status = ratings[rect.attrib["data-function"]]
        key = "none" if status is None else str(status)
        assert rect.attrib["data-status"] == key
        pattern = pattern_of(root, rect.attrib["fill"])
        base = pattern.find("svg:rect", NS)
        assert base is not None and base.attrib["fill"] == STYLES[key].fill  # type: ignore[index]
        assert pattern.attrib["data-texture"] == STYLES[key].texture  # type: ignore[index]
        assert ("stroke-dasharray" in rect.attrib) == (status is None)


def test_functions_sit_in_their_regions_bottom_up_and_rows_narrow_upwards() -> None:
    root = ET.fromstring(draw())
    rows: dict[str, list[tuple[float, float, float]]] = {}
    for rect in tiles(root):
        fn = INST.function(rect.attrib["data-function"])
        assert rect.attrib["data-region"] == fn.region
        y, x, w = (float(rect.attrib[k]) for k in ("y", "x", "width"))
        rows.setdefault(fn.region, []).append((y, x, x + w))
    tops = [rows[r.id][0][0] for r in INST.regions]
    spans = [
        max(e for *_, e in rows[r.id]) - min(x for _, x, _ in rows[r.id]) for r in INST.regions
    ]
    assert all(len({y for y, *_ in rows[r.id]}) == 1 for r in INST.regions)
    assert tops == sorted(tops, reverse=True), "brainstem must be the bottom row"
    assert spans == sorted(spans, reverse=True) and len(set(spans)) == len(spans)


def test_functions_are_grouped_by_domain_within_a_row() -> None:
    root = ET.fromstring(draw())
    order = [d.id for d in INST.domains]
    for region in INST.regions:
        row = sorted(
            (float(r.attrib["x"]), order.index(r.attrib["data-domain"]))
            for r in tiles(root)
            if r.attrib["data-region"] == region.id
        )
        indices = [i for _, i in row]
        assert indices == sorted(indices)


def test_labels_legend_and_header_are_text() -> None:
    text = all_text(ET.fromstring(draw()))
    for fn in INST.functions:
        for word in fn.plain_name.split():
            assert word in text
    for level in INST.status_levels:
        assert level.plain_label in text
        assert level.label.split(" / ")[0] in text
    assert "not rated" in text
    for region in INST.regions:
        assert region.plain_name.split()[0] in text
    assert "RIVER-07" in text and "10 years 2 months" in text and "2 November 2026" in text


def test_legend_has_a_swatch_per_status_with_the_tiles_pattern() -> None:
    root = ET.fromstring(draw())
    swatches = {
        r.attrib["data-legend-status"]: r
        for r in root.iter(f"{SVG}rect")
        if "data-legend-status" in r.attrib
    }
    assert sorted(swatches) == ["0", "1", "2", "3", "none"]
    for rect in tiles(root):
        assert rect.attrib["fill"] == swatches[rect.attrib["data-status"]].attrib["fill"]


def test_accessible_name_description_and_role() -> None:
    root = ET.fromstring(draw())
    assert root.attrib["role"] == "img"
    ids = by_id(root)
    title_id, desc_id = root.attrib["aria-labelledby"].split()
    assert ids[title_id].tag == f"{SVG}title" and "RIVER-07" in (ids[title_id].text or "")
    desc = ids[desc_id].text or ""
    assert ids[desc_id].tag == f"{SVG}desc"
    for fn in INST.functions:
        assert fn.plain_name in desc
    assert "not rated: " in desc
    for rect in tiles(root):
        title = rect.find("svg:title", NS)
        assert title is not None and INST.function(rect.attrib["data-function"]).name in (
            title.text or ""
        )


def test_self_contained_svg_for_inline_html() -> None:
    svg = draw()
    root = ET.fromstring(svg)
    assert re.fullmatch(r"0 0 [\d.]+ [\d.]+", root.attrib["viewBox"])
    assert "<script" not in svg and "href" not in svg and "@import" not in svg
    assert re.findall(r"https?://[^\"]+", svg) == ["http://www.w3.org/2000/svg"]
    assert "sans-serif" in root.attrib["font-family"]
    ids = [e.attrib["id"] for e in root.iter() if "id" in e.attrib]
    assert len(ids) == len(set(ids))
    prefix = root.attrib["id"]
    assert all(i.startswith(prefix) for i in ids)
    for ref in re.findall(r"url\(#([^)]+)\)", svg):
        assert ref in ids


def test_two_maps_on_one_page_do_not_share_ids() -> None:
    first = ET.fromstring(draw())
    second = ET.fromstring(draw(pseudonym="LAKE-02"))
    assert set(by_id(first)).isdisjoint(by_id(second))
    same = ET.fromstring(draw(id_prefix="second-map"))
    assert all(i.startswith("second-map") for i in by_id(same))
    with pytest.raises(ValueError, match="id_prefix"):
        draw(id_prefix="1 bad")


def test_same_input_gives_byte_identical_svg() -> None:
    assert draw() == draw()
    reordered = dict(reversed(list(sample_ratings().items())))
    assert draw(reordered) == draw()
    other = ((sample_ratings()["sleep_regulation"] or 0) + 1) % 4
    assert draw() != draw({**sample_ratings(), "sleep_regulation": other})


def test_synthetic_records_say_so_visibly() -> None:
    synthetic = ET.fromstring(draw(synthetic=True))
    assert "SYNTHETIC" in all_text(synthetic)
    assert "SYNTHETIC" in (synthetic.find("svg:title", NS).text or "")  # type: ignore[union-attr]
    assert "SYNTHETIC" not in draw(synthetic=False)


def test_statuses_differ_by_texture_not_by_hue_alone() -> None:
    """Greyscale check: strip every colour and the five states must still differ."""
    root = ET.fromstring(draw())
    by_status = {r.attrib["data-status"]: r for r in tiles(root)}
    assert sorted(by_status) == ["0", "1", "2", "3", "none"]
    colour_attrs = {"fill", "stroke", "fill-opacity", "stroke-opacity", "id", "data-texture"}

    def signature(rect: ET.Element) -> tuple[object, ...]:
        pattern = pattern_of(root, rect.attrib["fill"])
        marks = tuple(
            (
                child.tag,
                tuple(sorted((k, v) for k, v in child.attrib.items() if k not in colour_attrs)),
            )
            for child in list(pattern)[1:]
        )
        return marks, rect.attrib.get("stroke-dasharray")

    signatures = {key: signature(rect) for key, rect in by_status.items()}
    assert len(set(signatures.values())) == 5, signatures
    # Luminance alone would not do: some statuses are close in grey.
    fills = [STYLES[k].fill for k in ("0", "1", "2", "3")]  # type: ignore[index]
    closest = min(contrast_ratio(a, b) for i, a in enumerate(fills) for b in fills[i + 1 :])
    assert closest < 1.5


def test_text_meets_wcag_aa_contrast() -> None:
    for style in STYLES.values():
        assert contrast_ratio(TEXT, style.fill) >= 4.5
    # Grey text sits on white only: legend, headings and the "not rated" tiles.
    assert contrast_ratio(MUTED_TEXT, STYLES["none"].fill) >= 4.5
    assert contrast_ratio(MUTED_TEXT, "#ffffff") >= 4.5
    root = ET.fromstring(draw())
    labels = [t for t in root.iter(f"{SVG}text") if t.attrib.get("class") == "label"]
    halos = [t for t in root.iter(f"{SVG}text") if t.attrib.get("class") == "halo"]
    assert len(labels) == len(halos) >= len(INST.functions)
    assert all(h.attrib["aria-hidden"] == "true" and h.attrib["stroke"] == "#ffffff" for h in halos)


def test_unknown_function_or_bad_status_names_the_field() -> None:
    with pytest.raises(ValueError, match=r"ratings\.no_such_function: unknown function id"):
        draw({"no_such_function": 2})
    with pytest.raises(ValueError, match=r"ratings\.sleep_regulation: expected 0-3 or None, got 4"):
        draw({"sleep_regulation": 4})
    with pytest.raises(ValueError, match=r"ratings\.sleep_regulation"):
        draw({"sleep_regulation": True})  # type: ignore[dict-item]


def test_an_empty_review_is_all_not_rated() -> None:
    root = ET.fromstring(draw({}))
    assert {r.attrib["data-status"] for r in tiles(root)} == {"none"}


@settings(max_examples=40, deadline=None)
@given(
    st.fixed_dictionaries(
        {},
        optional={f.id: st.one_of(st.none(), st.integers(0, 3)) for f in INST.functions},
    ),
    st.floats(0, 216),
    st.booleans(),
)
def test_any_ratings_render_and_match(
    ratings: dict[str, int | None], age: float, synth: bool
) -> None:
    svg = draw(ratings, age_months=age, synthetic=synth)
    root = ET.fromstring(svg)
    for rect in tiles(root):
        status = ratings.get(rect.attrib["data-function"])
        assert rect.attrib["data-status"] == ("none" if status is None else str(status))
    assert ("SYNTHETIC" in svg) == synth
