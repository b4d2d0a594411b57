"""docs/instrument.md (v2, the default) and docs/instrument-v1.md are generated from the
data; this fails when either is stale."""

from __future__ import annotations

from pathlib import Path

import pytest

from neuroseq.instrument import DEFAULT_VERSION, load_instrument
from neuroseq.instrument.docs import docs_file_name, render_instrument_markdown

DOCS_DIR = Path(__file__).resolve().parents[2] / "docs"
REGENERATE = "regenerate with: make docs"


@pytest.mark.parametrize("version", ["1", "2"])
def test_docs_instrument_md_is_not_stale(version: str) -> None:
    name = docs_file_name(version, DEFAULT_VERSION)
    path = DOCS_DIR / name
    assert path.is_file(), f"docs/{name} is missing; {REGENERATE}"
    expected = render_instrument_markdown(load_instrument(version), name)
    assert path.read_text(encoding="utf-8") == expected, f"docs/{name} is stale; {REGENERATE}"


def test_default_docs_say_what_a_status_means_and_list_the_flags() -> None:
    inst = load_instrument()
    text = " ".join(render_instrument_markdown(inst).split())
    assert inst.header.status_meaning is not None
    assert " ".join(inst.header.status_meaning.split()) in text
    for flag in inst.flags:
        assert f"(`{flag.id}`, {flag.kind})" in text
    assert "## Changes from v1" in text


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
