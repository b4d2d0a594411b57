"""docs/instrument.md is generated from the data; this fails when it is stale."""

from __future__ import annotations

from pathlib import Path

from neuroseq.instrument import load_instrument
from neuroseq.instrument.docs import render_instrument_markdown

DOCS = Path(__file__).resolve().parents[2] / "docs" / "instrument.md"
REGENERATE = "regenerate with: neuroseq instrument docs -o docs/instrument.md"


def test_docs_instrument_md_is_not_stale() -> None:
    assert DOCS.is_file(), f"docs/instrument.md is missing; {REGENERATE}"
    expected = render_instrument_markdown(load_instrument())
    assert DOCS.read_text(encoding="utf-8") == expected, (
        f"docs/instrument.md is stale; {REGENERATE}"
    )


def test_rendered_docs_cover_every_function_and_the_disclaimer() -> None:
    inst = load_instrument()
    text = render_instrument_markdown(inst)
    for f in inst.functions:
        assert f"(`{f.id}`)" in text
    for t in inst.adversity_types:
        assert f"| {t.id} |" in text
    assert "not the proprietary" in " ".join(text.split())
    # regions are listed bottom-up with their order number
    for i, r in enumerate(inst.region_ids, start=1):
        assert f"| {i} | {r} |" in text
